#include "app/cli/Cli.h"
#include "app/cli/Commands.h"

namespace tc::cli {

int runValidate(const QStringList& arguments) {
    QCommandLineParser parser;
    if (const auto exit = parse(parser, QStringLiteral("validate"), arguments))
        return *exit;
    return fail(QStringLiteral("validate"), QStringLiteral("not available in this build yet"));
}

} // namespace tc::cli
