#include "app/cli/Cli.h"
#include "app/cli/Commands.h"

namespace tc::cli {

int runPredict(const QStringList& arguments) {
    QCommandLineParser parser;
    if (const auto exit = parse(parser, QStringLiteral("predict"), arguments))
        return *exit;
    return fail(QStringLiteral("predict"), QStringLiteral("not available in this build yet"));
}

} // namespace tc::cli
