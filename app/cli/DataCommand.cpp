#include "app/cli/Cli.h"
#include "app/cli/Commands.h"

namespace tc::cli {

int runData(const QStringList& arguments) {
    QCommandLineParser parser;
    if (const auto exit = parse(parser, QStringLiteral("data"), arguments))
        return *exit;
    return fail(QStringLiteral("data"), QStringLiteral("not available in this build yet"));
}

} // namespace tc::cli
