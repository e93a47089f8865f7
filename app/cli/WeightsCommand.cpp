#include "app/cli/Cli.h"
#include "app/cli/Commands.h"

namespace tc::cli {

int runWeights(const QStringList& arguments) {
    QCommandLineParser parser;
    if (const auto exit = parse(parser, QStringLiteral("weights"), arguments))
        return *exit;
    return fail(QStringLiteral("weights"), QStringLiteral("not available in this build yet"));
}

} // namespace tc::cli
