#include "app/cli/Cli.h"
#include "app/cli/Commands.h"

namespace tc::cli {

int runTrain(const QStringList& arguments) {
    QCommandLineParser parser;
    if (const auto exit = parse(parser, QStringLiteral("train"), arguments))
        return *exit;
    return fail(QStringLiteral("train"), QStringLiteral("not available in this build yet"));
}

} // namespace tc::cli
