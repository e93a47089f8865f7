#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/export/Predictor.h"
#include "core/util/FileErrors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace tc::cli {

namespace {

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

/// Nine significant digits give a float back exactly.
QString probabilityText(float value) {
    return QString::number(double(value), 'g', 9);
}

bool writeCsv(const QString& path, const QStringList& classes,
              const std::vector<exporting::ImagePrediction>& predictions, QString* error) {
    QStringList header{QStringLiteral("image"), QStringLiteral("label")};
    for (const QString& name : classes)
        header << csvField(name);
    header << QStringLiteral("error");
    QByteArray bytes = header.join(QLatin1Char(',')).toUtf8() + '\n';
    for (const auto& prediction : predictions) {
        QStringList row{csvField(prediction.image),
                        prediction.ok() ? csvField(classes.value(prediction.label)) : QString()};
        for (int c = 0; c < classes.size(); ++c)
            row << (prediction.ok() ? probabilityText(prediction.probabilities[c]) : QString());
        row << csvField(prediction.error);
        bytes += row.join(QLatin1Char(',')).toUtf8() + '\n';
    }
    return writeFileAtomically(path, bytes, error);
}

} // namespace

int runPredict(const QStringList& arguments) {
    const QString command = QStringLiteral("predict");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Classify images with an exported model (TorchScript, ONNX, safetensors) "
                       "or a training run's checkpoint, using the preprocessing the model was "
                       "trained with. Prints the label and the probability of each class per "
                       "image. Folders are searched recursively for images."));
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QStringLiteral("Exported model, checkpoint or run folder."),
                                 QStringLiteral("MODEL"));
    parser.addPositionalArgument(QStringLiteral("images"), QStringLiteral("Images or folders."),
                                 QStringLiteral("IMAGE_OR_DIR..."));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Print the predictions as JSON."));
    const QCommandLineOption csvOption(QStringLiteral("csv"),
                                       QStringLiteral("Also write the predictions to a CSV file."),
                                       QStringLiteral("FILE"));
    parser.addOptions({jsonOption, csvOption});
    if (const auto exit = parse(parser, command, arguments))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() < 2)
        return fail(command,
                    QStringLiteral("name a model and at least one image or folder (see "
                                   "'torchcanvas predict --help')"),
                    ExitUsage);

    QStringList problems;
    const QStringList images = collectImageFiles(positional.mid(1), &problems);
    for (const QString& problem : problems)
        err() << "torchcanvas predict: " << problem << Qt::endl;
    if (images.isEmpty())
        return fail(command, QStringLiteral("no images to classify"));

    QString error;
    std::unique_ptr<exporting::Predictor> predictor =
        exporting::Predictor::open(positional.first(), &error);
    if (!predictor)
        return fail(command, error);
    if (!predictor->notice().isEmpty())
        err() << "torchcanvas predict: note: " << predictor->notice() << Qt::endl;
    const QStringList& classes = predictor->classNames();
    const std::vector<exporting::ImagePrediction> predictions = predictor->predict(images);

    int failures = 0;
    for (const auto& prediction : predictions) {
        if (!prediction.ok()) {
            ++failures;
            err() << "torchcanvas predict: " << prediction.error << Qt::endl;
        }
    }

    if (parser.isSet(jsonOption)) {
        QJsonArray rows;
        for (const auto& prediction : predictions) {
            QJsonObject row{{QStringLiteral("image"), prediction.image}};
            if (prediction.ok()) {
                QJsonObject probabilities;
                for (int c = 0; c < classes.size(); ++c)
                    probabilities.insert(classes[c], double(prediction.probabilities[c]));
                row.insert(QStringLiteral("label"), classes.value(prediction.label));
                row.insert(QStringLiteral("index"), prediction.label);
                row.insert(QStringLiteral("probabilities"), probabilities);
            } else {
                row.insert(QStringLiteral("error"), prediction.error);
            }
            rows.append(row);
        }
        const QJsonObject json{
            {QStringLiteral("model"), positional.first()},
            {QStringLiteral("kind"), predictor->kindName()},
            {QStringLiteral("precision"), tc::nn::precisionName(predictor->precision())},
            {QStringLiteral("classes"), QJsonArray::fromStringList(classes)},
            {QStringLiteral("predictions"), rows}};
        out() << QJsonDocument(json).toJson();
    } else {
        int width = 5;
        for (const auto& prediction : predictions)
            width = std::max(width, int(prediction.image.size()));
        width = std::min(width, 80);
        int labelWidth = 5;
        for (const QString& name : classes)
            labelWidth = std::max(labelWidth, int(name.size()));
        out() << QStringLiteral("image").leftJustified(width) << "  "
              << QStringLiteral("label").leftJustified(labelWidth);
        for (const QString& name : classes)
            out() << "  " << name.rightJustified(std::max(8, int(name.size())));
        out() << '\n';
        for (const auto& prediction : predictions) {
            out() << prediction.image.leftJustified(width) << "  ";
            if (!prediction.ok()) {
                out() << "(failed)\n";
                continue;
            }
            out() << classes.value(prediction.label).leftJustified(labelWidth);
            for (int c = 0; c < classes.size(); ++c)
                out() << "  "
                      << QString::number(double(prediction.probabilities[c]), 'f', 4)
                             .rightJustified(std::max(8, int(classes[c].size())));
            out() << '\n';
        }
    }
    if (!flushOutput(&error))
        return fail(command, error);

    if (parser.isSet(csvOption)) {
        if (!writeCsv(parser.value(csvOption), classes, predictions, &error))
            return fail(command, error);
    }
    if (failures > 0)
        return fail(command, QStringLiteral("%1 of %2 images could not be classified")
                                 .arg(failures)
                                 .arg(predictions.size()));
    return ExitOk;
}

} // namespace tc::cli
