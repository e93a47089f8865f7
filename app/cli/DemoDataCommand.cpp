#include "app/cli/Cli.h"
#include "app/cli/Commands.h"

namespace tc::cli {

int runDemoData(const QStringList& arguments) {
    QCommandLineParser parser;
    if (const auto exit = parse(parser, QStringLiteral("demo-data"), arguments))
        return *exit;
    return fail(QStringLiteral("demo-data"), QStringLiteral("not available in this build yet"));
}

} // namespace tc::cli
