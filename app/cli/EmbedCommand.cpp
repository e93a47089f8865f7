#include "app/cli/Cli.h"
#include "app/cli/Commands.h"

namespace tc::cli {

int runEmbed(const QStringList& arguments) {
    QCommandLineParser parser;
    if (const auto exit = parse(parser, QStringLiteral("embed"), arguments))
        return *exit;
    return fail(QStringLiteral("embed"), QStringLiteral("not available in this build yet"));
}

} // namespace tc::cli
