#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/export/Explainer.h"
#include "core/util/FileErrors.h"
#include "core/util/Npy.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTextStream>

namespace tc::cli {

namespace {

/// "<base name>", or "<base name>-2", "-3"… when another image already took the name, so that
/// images of the same name in different folders do not overwrite each other's files.
QString uniqueName(const QString& image, QSet<QString>& taken) {
    const QString base = QFileInfo(image).completeBaseName();
    QString name = base;
    for (int n = 2; taken.contains(name); ++n)
        name = QStringLiteral("%1-%2").arg(base).arg(n);
    taken.insert(name);
    return name;
}

QJsonObject explanationJson(const QString& model, const QStringList& classes,
                            const exporting::Explanation& explanation, const QString& name,
                            double alpha) {
    QJsonObject probabilities;
    for (int c = 0; c < classes.size(); ++c)
        probabilities.insert(classes[c], double(explanation.probabilities[c]));
    return {{QStringLiteral("format"), QStringLiteral("torchcanvas-explanation")},
            {QStringLiteral("version"), 1},
            {QStringLiteral("image"), explanation.image},
            {QStringLiteral("model"), model},
            {QStringLiteral("method"), QStringLiteral("grad-cam")},
            {QStringLiteral("target_layer"), QStringLiteral("layer4")},
            {QStringLiteral("classes"), QJsonArray::fromStringList(classes)},
            {QStringLiteral("probabilities"), probabilities},
            {QStringLiteral("predicted"), classes.value(explanation.predicted)},
            {QStringLiteral("explained_class"), classes.value(explanation.explainedClass)},
            {QStringLiteral("map"), QString(name + QStringLiteral("-gradcam.npy"))},
            {QStringLiteral("map_size"), QJsonArray{explanation.height, explanation.width}},
            {QStringLiteral("overlay"), QString(name + QStringLiteral("-gradcam.png"))},
            {QStringLiteral("alpha"), alpha}};
}

/// Writes the three files of one image; false with a message naming the file otherwise.
bool writeExplanation(const QDir& folder, const QString& name, const QString& model,
                      const exporting::Explainer& explainer,
                      const exporting::Explanation& explanation, double alpha, QString* error) {
    const std::optional<data::RgbImage> overlay = exporting::overlayImage(
        explanation.image, explanation, explainer.preprocessing(), alpha, error);
    if (!overlay)
        return false;
    const QByteArray png = exporting::encodePng(*overlay);
    const QString pngPath = folder.filePath(name + QStringLiteral("-gradcam.png"));
    if (png.isEmpty()) {
        if (error)
            *error = QStringLiteral("%1: cannot encode the overlay as PNG").arg(pngPath);
        return false;
    }
    const QJsonObject json =
        explanationJson(model, explainer.classNames(), explanation, name, alpha);
    return util::writeNpy(folder.filePath(name + QStringLiteral("-gradcam.npy")),
                          explanation.map.data(), explanation.height, explanation.width, error) &&
           writeFileAtomically(pngPath, png, error) &&
           writeFileAtomically(folder.filePath(name + QStringLiteral(".json")),
                               QJsonDocument(json).toJson(), error);
}

} // namespace

int runExplain(const QStringList& arguments) {
    const QString command = QStringLiteral("explain");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Explain a model's decisions with Grad-CAM heatmaps (target layer: the ResNet "
        "backbone's layer4). For each image writes to the output folder <name>-gradcam.png (the "
        "heatmap over the image, viridis), <name>-gradcam.npy (the map at the network's input "
        "resolution, float32 [H, W] in [0, 1]) and <name>.json (the class probabilities). "
        "Folders are searched recursively for images."));
    parser.addPositionalArgument(
        QStringLiteral("model"),
        QStringLiteral("Run folder, checkpoint or TorchCanvas TorchScript/safetensors export."),
        QStringLiteral("MODEL_OR_RUN"));
    parser.addPositionalArgument(QStringLiteral("images"), QStringLiteral("Images or folders."),
                                 QStringLiteral("IMAGE_OR_DIR..."));
    const QCommandLineOption outOption(QStringLiteral("out"),
                                       QStringLiteral("Folder for the output files (created)."),
                                       QStringLiteral("DIR"));
    const QCommandLineOption classOption(
        QStringLiteral("class"),
        QStringLiteral("Explain this class (a class name or index); default: the predicted one."),
        QStringLiteral("NAME"));
    const QCommandLineOption alphaOption(
        QStringLiteral("alpha"),
        QStringLiteral("Opacity of the heatmap in the overlay, 0 to 1 (default %1).")
            .arg(exporting::kDefaultOverlayAlpha),
        QStringLiteral("A"));
    parser.addOptions({outOption, classOption, alphaOption});
    if (const auto exit = parse(parser, command, arguments))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() < 2)
        return fail(command,
                    QStringLiteral("name a model and at least one image or folder (see "
                                   "'torchcanvas explain --help')"),
                    ExitUsage);
    if (!parser.isSet(outOption) || parser.value(outOption).isEmpty())
        return fail(command, QStringLiteral("name the output folder with --out DIR"), ExitUsage);
    double alpha = exporting::kDefaultOverlayAlpha;
    if (parser.isSet(alphaOption)) {
        bool ok = false;
        alpha = parser.value(alphaOption).toDouble(&ok);
        if (!ok || !(alpha >= 0.0 && alpha <= 1.0))
            return fail(command,
                        QStringLiteral("--alpha must be a number from 0 to 1, not '%1'")
                            .arg(parser.value(alphaOption)),
                        ExitUsage);
    }

    QStringList problems;
    const QStringList images = collectImageFiles(positional.mid(1), &problems);
    for (const QString& problem : problems)
        err() << "torchcanvas explain: " << problem << Qt::endl;
    if (images.isEmpty())
        return fail(command, QStringLiteral("no images to explain"));

    QString error;
    const QString model = positional.first();
    std::unique_ptr<exporting::Explainer> explainer = exporting::Explainer::open(model, &error);
    if (!explainer)
        return fail(command, error);
    const QStringList& classes = explainer->classNames();
    int classIndex = -1;
    if (parser.isSet(classOption)) {
        const QString wanted = parser.value(classOption);
        classIndex = int(classes.indexOf(wanted));
        bool isNumber = false;
        const int number = wanted.toInt(&isNumber);
        if (classIndex < 0 && isNumber && number >= 0 && number < classes.size())
            classIndex = number;
        if (classIndex < 0)
            return fail(command,
                        QStringLiteral("the model has no class '%1' (its classes: %2)")
                            .arg(wanted, classes.join(QStringLiteral(", "))),
                        ExitUsage);
    }

    const QString outPath = parser.value(outOption);
    if (!QDir().mkpath(outPath) || !QFileInfo(outPath).isDir())
        return fail(command, QStringLiteral("%1: cannot create the output folder").arg(outPath));
    const QDir folder(outPath);

    QSet<QString> taken;
    int failures = 0;
    for (const QString& image : images) {
        const exporting::Explanation explanation = explainer->explain(image, classIndex);
        const QString name = uniqueName(image, taken);
        if (!explanation.ok() ||
            !writeExplanation(folder, name, model, *explainer, explanation, alpha, &error)) {
            ++failures;
            err() << "torchcanvas explain: " << (explanation.ok() ? error : explanation.error)
                  << Qt::endl;
            continue;
        }
        out() << image << "  " << classes.value(explanation.predicted) << " "
              << QString::number(double(explanation.probabilities[explanation.predicted]), 'f', 4)
              << "  explained: " << classes.value(explanation.explainedClass) << "  -> "
              << folder.filePath(name + QStringLiteral("-gradcam.png")) << '\n';
    }
    if (!flushOutput(&error))
        return fail(command, error);
    if (failures > 0)
        return fail(command, QStringLiteral("%1 of %2 images could not be explained")
                                 .arg(failures)
                                 .arg(images.size()));
    return ExitOk;
}

} // namespace tc::cli
