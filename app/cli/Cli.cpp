#include "app/cli/Cli.h"

#include "app/cli/Commands.h"
#include "core/data/DatasetTable.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <QDirIterator>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextStream>

namespace tc::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"train", "Train a project's model (headless), with progress and a run folder", &runTrain},
        {"predict", "Classify images with an exported model or a checkpoint", &runPredict},
        {"explain", "Grad-CAM heatmaps: where the model looked, for any class", &runExplain},
        {"embed", "Compute backbone features for images (CSV or .npy)", &runEmbed},
        {"export", "Export a trained model: TorchScript, ONNX or safetensors", &runExport},
        {"validate", "Check a project's graph: shapes and problems", &runValidate},
        {"data", "Data set tools: 'data check CSV_OR_FOLDER'", &runData},
        {"demo-data", "Generate the synthetic histology demo data set", &runDemoData},
        {"weights", "Pretrained weights: list, fetch VARIANT, import FILE", &runWeights},
    };
    return table;
}

const Command* findCommand(const QString& name) {
    for (const Command& command : commands()) {
        if (name == QLatin1String(command.name))
            return &command;
    }
    return nullptr;
}

QString globalHelp() {
    QString text;
    QTextStream stream(&text);
    stream << "Usage: torchcanvas [PROJECT.tcproj]            open the editor\n"
           << "       torchcanvas <command> [options] [args]   run a command, no display needed\n"
           << "\nTorchCanvas: a visual model builder for image classification.\n"
           << "\nCommands:\n";
    for (const Command& command : commands())
        stream << "  " << QString::fromLatin1(command.name).leftJustified(11) << command.summary
               << '\n';
    stream << "\nOptions:\n"
           << "  -h, --help     Show this help; 'torchcanvas <command> --help' for a command.\n"
           << "  -v, --version  Show the versions of TorchCanvas, LibTorch, Qt and OpenCV.\n";
    return text;
}

QTextStream& out() {
    static QTextStream stream(stdout);
    return stream;
}

QTextStream& err() {
    static QTextStream stream(stderr);
    return stream;
}

bool flushOutput(QString* error) {
    errno = 0;
    out().flush();
    const bool failed =
        out().status() != QTextStream::Ok || std::fflush(stdout) != 0 || std::ferror(stdout);
    const int reason = errno;
    if (!failed)
        return true;
    *error = reason == ENOSPC ? QStringLiteral("no space left on standard output")
                              : QStringLiteral("cannot write standard output: %1")
                                    .arg(reason ? QString::fromLocal8Bit(std::strerror(reason))
                                                : QStringLiteral("the write failed"));
    return false;
}

int fail(const QString& command, const QString& reason, int code) {
    const QString prefix = command.isEmpty() ? QStringLiteral("torchcanvas")
                                             : QStringLiteral("torchcanvas ") + command;
    err() << prefix << ": " << reason.simplified() << Qt::endl;
    return code;
}

QStringList collectImageFiles(const QStringList& inputs, QStringList* problems) {
    QStringList files;
    for (const QString& input : inputs) {
        const QFileInfo info(input);
        if (info.isFile()) {
            files << info.absoluteFilePath();
        } else if (info.isDir()) {
            QStringList found;
            QDirIterator it(info.absoluteFilePath(), QDir::Files | QDir::Readable,
                            QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
            while (it.hasNext()) {
                const QString path = it.next();
                if (tc::data::hasImageExtension(path))
                    found << path;
            }
            found.sort();
            if (found.isEmpty() && problems)
                *problems << QStringLiteral("%1: no image files in this folder").arg(input);
            files << found;
        } else if (problems) {
            *problems << QStringLiteral("%1: no such file or folder").arg(input);
        }
    }
    return files;
}

std::optional<int> parse(QCommandLineParser& parser, const QString& command,
                         const QStringList& arguments) {
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Show this help."));
    parser.addOption(helpOption);
    QStringList full = arguments;
    full.prepend(QStringLiteral("torchcanvas ") + command);
    if (!parser.parse(full)) {
        return fail(command,
                    parser.errorText() + QStringLiteral(" (see 'torchcanvas ") + command +
                        QStringLiteral(" --help')"),
                    ExitUsage);
    }
    if (parser.isSet(helpOption)) {
        // helpText() names only the binary; name the subcommand too.
        QString help = parser.helpText();
        help.replace(QRegularExpression(QStringLiteral("^Usage: \\S+")),
                     QStringLiteral("Usage: torchcanvas ") + command);
        out() << help;
        out().flush();
        return ExitOk;
    }
    return std::nullopt;
}

} // namespace tc::cli
