#include "app/cli/Cli.h"
#include "app/cli/Commands.h"

namespace tc::cli {

int runExport(const QStringList& arguments) {
    QCommandLineParser parser;
    if (const auto exit = parse(parser, QStringLiteral("export"), arguments))
        return *exit;
    return fail(QStringLiteral("export"), QStringLiteral("not available in this build yet"));
}

} // namespace tc::cli
