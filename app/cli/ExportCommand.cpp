#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/export/Exporter.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace tc::cli {

namespace {

/// --format from the output's suffix when it is not given.
std::optional<exporting::ExportFormat> formatFromSuffix(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("pt") || suffix == QLatin1String("ts") ||
        suffix == QLatin1String("torchscript"))
        return exporting::ExportFormat::TorchScript;
    if (suffix == QLatin1String("onnx"))
        return exporting::ExportFormat::Onnx;
    if (suffix == QLatin1String("safetensors"))
        return exporting::ExportFormat::SafeTensors;
    return std::nullopt;
}

} // namespace

int runExport(const QStringList& arguments) {
    const QString command = QStringLiteral("export");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Export a trained model. SOURCE is a run folder, a checkpoint "
                       "(checkpoint-best.pt), a project (its latest run), or a TorchScript or "
                       "safetensors file exported by TorchCanvas. A model card (FILE with the "
                       "suffix .md) is written next to the export; safetensors also get their "
                       "JSON configuration (FILE with the suffix .json)."));
    parser.addPositionalArgument(QStringLiteral("source"),
                                 QStringLiteral("Run folder, checkpoint, project or export."),
                                 QStringLiteral("PROJECT_OR_CHECKPOINT"));
    const QCommandLineOption formatOption(
        {QStringLiteral("f"), QStringLiteral("format")},
        QStringLiteral("torchscript, onnx or safetensors (default: from FILE's suffix)."),
        QStringLiteral("FORMAT"));
    const QCommandLineOption outputOption({QStringLiteral("o"), QStringLiteral("output")},
                                          QStringLiteral("The file to write."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption preprocessingOption(
        QStringLiteral("with-preprocessing"),
        QStringLiteral("TorchScript: take uint8 RGB images of any size and resize and normalise "
                       "them inside the model, as the app does."));
    const QCommandLineOption explanationsOption(
        QStringLiteral("with-explanations"),
        QStringLiteral("TorchScript: add a method gradcam(input, class_index) that returns the "
                       "Grad-CAM heatmap (models that start with a ResNet)."));
    const QCommandLineOption noCardOption(QStringLiteral("no-card"),
                                          QStringLiteral("Do not write the model card."));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Print the result as JSON."));
    parser.addOptions({formatOption, outputOption, preprocessingOption, explanationsOption,
                       noCardOption, jsonOption});
    if (const auto exit = parse(parser, command, arguments))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(command,
                    positional.isEmpty()
                        ? QStringLiteral("name the run, checkpoint or project to export (see "
                                         "'torchcanvas export --help')")
                        : QStringLiteral("export one model at a time"),
                    ExitUsage);
    const QString output = parser.value(outputOption);
    if (output.isEmpty())
        return fail(command, QStringLiteral("name the file to write with -o FILE"), ExitUsage);

    exporting::ExportOptions options;
    options.output = output;
    options.withPreprocessing = parser.isSet(preprocessingOption);
    options.withExplanations = parser.isSet(explanationsOption);
    options.modelCard = !parser.isSet(noCardOption);
    if (parser.isSet(formatOption)) {
        const auto format = exporting::parseExportFormat(parser.value(formatOption));
        if (!format)
            return fail(command,
                        QStringLiteral("unknown format '%1' (torchscript, onnx or safetensors)")
                            .arg(parser.value(formatOption)),
                        ExitUsage);
        options.format = *format;
    } else if (const auto format = formatFromSuffix(output)) {
        options.format = *format;
    } else {
        return fail(command,
                    QStringLiteral("give --format torchscript, onnx or safetensors (the suffix "
                                   "of '%1' does not say)")
                        .arg(output),
                    ExitUsage);
    }
    if (options.withPreprocessing && options.format != exporting::ExportFormat::TorchScript)
        return fail(command,
                    QStringLiteral("--with-preprocessing applies to --format torchscript only"),
                    ExitUsage);
    if (options.withExplanations && options.format != exporting::ExportFormat::TorchScript)
        return fail(command,
                    QStringLiteral("--with-explanations applies to --format torchscript only"),
                    ExitUsage);

    const exporting::ExportResult result = exporting::exportModel(positional.first(), options);
    if (!result.ok())
        return fail(command, result.error);
    if (parser.isSet(jsonOption)) {
        const QJsonObject json{
            {QStringLiteral("format"), exporting::exportFormatId(options.format)},
            {QStringLiteral("withPreprocessing"), options.withPreprocessing},
            {QStringLiteral("withExplanations"), options.withExplanations},
            {QStringLiteral("files"), QJsonArray::fromStringList(result.files)},
            {QStringLiteral("summary"), result.summary}};
        out() << QJsonDocument(json).toJson();
    } else {
        out() << "Exported " << result.summary << '\n';
        for (const QString& file : result.files.mid(1))
            out() << "  also wrote " << file << '\n';
    }
    out().flush();
    return ExitOk;
}

} // namespace tc::cli
