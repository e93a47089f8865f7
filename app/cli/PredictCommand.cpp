#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/export/Predictor.h"
#include "core/util/FileErrors.h"

#include <optional>
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

/// How predict decides: at a threshold on one class's probability (the saved operating
/// point's, or --threshold), or by the most probable class when there is neither.
struct DecisionRule {
    std::optional<train::OperatingPoint> point; ///< with the threshold actually used
    QString source; ///< "saved with the model", "--threshold", or empty (argmax)
    QString note;   ///< one line for the user
};

/// The label of `prediction`: the decision at the rule's threshold, else the argmax.
int labelOf(const exporting::ImagePrediction& prediction, const DecisionRule& rule) {
    if (!rule.point)
        return prediction.label;
    return exporting::decide(prediction, *rule.point, rule.point->threshold).label;
}

QString decisionText(const exporting::ImagePrediction& prediction, const DecisionRule& rule,
                     const QStringList& classes) {
    const exporting::ImageDecision decision =
        exporting::decide(prediction, *rule.point, rule.point->threshold);
    return QStringLiteral("%1 (p = %2 %3 %4)")
        .arg(classes.value(decision.label), QString::number(decision.positiveProbability, 'f', 4),
             decision.positive ? QStringLiteral("≥ threshold") : QStringLiteral("<"),
             QString::number(decision.threshold, 'g', 6));
}

bool writeCsv(const QString& path, const QStringList& classes,
              const std::vector<exporting::ImagePrediction>& predictions, const DecisionRule& rule,
              QString* error) {
    QStringList header{QStringLiteral("image"), QStringLiteral("label")};
    for (const QString& name : classes)
        header << csvField(name);
    // The threshold column only when one decides: files of models without an operating point
    // keep the columns they always had.
    if (rule.point)
        header << QStringLiteral("threshold");
    header << QStringLiteral("error");
    QByteArray bytes = header.join(QLatin1Char(',')).toUtf8() + '\n';
    const QString threshold =
        rule.point ? QString::number(rule.point->threshold, 'g', 17) : QString();
    for (const auto& prediction : predictions) {
        QStringList row{csvField(prediction.image),
                        prediction.ok() ? csvField(classes.value(labelOf(prediction, rule)))
                                        : QString()};
        for (int c = 0; c < classes.size(); ++c)
            row << (prediction.ok() ? probabilityText(prediction.probabilities[c]) : QString());
        if (rule.point)
            row << threshold;
        row << csvField(prediction.error);
        bytes += row.join(QLatin1Char(',')).toUtf8() + '\n';
    }
    return writeFileAtomically(path, bytes, error);
}

/// The rule for `predictor`, with `--threshold` (if given) in place of the saved threshold.
/// Without an operating point a threshold applies to class 1 of a two-class model.
std::optional<DecisionRule> decisionRule(const exporting::Predictor& predictor,
                                         std::optional<double> threshold, QString* error) {
    DecisionRule rule;
    const QStringList& classes = predictor.classNames();
    rule.point = predictor.operatingPoint();
    if (rule.point) {
        rule.source = QStringLiteral("saved with the model");
        rule.note = QStringLiteral("decision: %1").arg(rule.point->describe());
    }
    if (!threshold) {
        if (!rule.point)
            rule.note = QStringLiteral("no operating point was saved with this model: the label "
                                       "is the most probable class");
        return rule;
    }
    if (!rule.point) {
        if (classes.size() != 2) {
            *error = QStringLiteral("--threshold needs a positive class: this model has %1 "
                                    "classes and no operating point")
                         .arg(classes.size());
            return std::nullopt;
        }
        rule.point = train::OperatingPoint{};
        rule.point->positiveClass = 1;
        rule.point->temperature = 1.0;
        rule.note = QStringLiteral("decision: threshold %1 from --threshold on the probability "
                                   "of %2 (no operating point was saved with this model)")
                        .arg(*threshold, 0, 'g', 6)
                        .arg(classes.value(1));
    } else {
        rule.note = QStringLiteral("decision: threshold %1 from --threshold instead of the saved "
                                   "%2, on the probability of %3")
                        .arg(*threshold, 0, 'g', 6)
                        .arg(rule.point->threshold, 0, 'g', 6)
                        .arg(classes.value(rule.point->positiveClass));
    }
    rule.point->threshold = *threshold;
    rule.point->positiveClassName = classes.value(rule.point->positiveClass);
    rule.source = QStringLiteral("--threshold");
    return rule;
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
    const QCommandLineOption thresholdOption(
        QStringLiteral("threshold"),
        QStringLiteral("Decide at this threshold (0 to 1) on the positive class's probability "
                       "instead of the one saved with the model."),
        QStringLiteral("T"));
    parser.addOptions({jsonOption, csvOption, thresholdOption});
    if (const auto exit = parse(parser, command, arguments))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() < 2)
        return fail(command,
                    QStringLiteral("name a model and at least one image or folder (see "
                                   "'torchcanvas predict --help')"),
                    ExitUsage);

    std::optional<double> threshold;
    if (parser.isSet(thresholdOption)) {
        bool number = false;
        const double value = parser.value(thresholdOption).toDouble(&number);
        if (!number || !(value >= 0.0 && value <= 1.0))
            return fail(command,
                        QStringLiteral("--threshold must be a number from 0 to 1, not '%1'")
                            .arg(parser.value(thresholdOption)),
                        ExitUsage);
        threshold = value;
    }

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
    const std::optional<DecisionRule> rule = decisionRule(*predictor, threshold, &error);
    if (!rule)
        return fail(command, error, ExitUsage);
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
                const int label = labelOf(prediction, *rule);
                row.insert(QStringLiteral("label"), classes.value(label));
                row.insert(QStringLiteral("index"), label);
                row.insert(QStringLiteral("probabilities"), probabilities);
                if (rule->point) {
                    const exporting::ImageDecision decision =
                        exporting::decide(prediction, *rule->point, rule->point->threshold);
                    row.insert(
                        QStringLiteral("decision"),
                        QJsonObject{{QStringLiteral("label"), classes.value(decision.label)},
                                    {QStringLiteral("index"), decision.label},
                                    {QStringLiteral("positive"), decision.positive},
                                    {QStringLiteral("probability"), decision.positiveProbability},
                                    {QStringLiteral("threshold"), decision.threshold}});
                }
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
            {QStringLiteral("decision"),
             QJsonObject{
                 {QStringLiteral("rule"), rule->point ? QStringLiteral("threshold")
                                                      : QStringLiteral("most probable class")},
                 {QStringLiteral("source"), rule->source},
                 {QStringLiteral("threshold"),
                  rule->point ? QJsonValue(rule->point->threshold) : QJsonValue()},
                 {QStringLiteral("positiveClass"),
                  rule->point ? QJsonValue(classes.value(rule->point->positiveClass))
                              : QJsonValue()},
                 {QStringLiteral("savedOperatingPoint"),
                  predictor->operatingPoint() ? QJsonValue(predictor->operatingPoint()->toJson())
                                              : QJsonValue()},
                 {QStringLiteral("note"), rule->note}}},
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
        out() << rule->note << '\n';
        out() << QStringLiteral("image").leftJustified(width) << "  "
              << QStringLiteral("label").leftJustified(labelWidth);
        for (const QString& name : classes)
            out() << "  " << name.rightJustified(std::max(8, int(name.size())));
        if (rule->point)
            out() << "  decision";
        out() << '\n';
        for (const auto& prediction : predictions) {
            out() << prediction.image.leftJustified(width) << "  ";
            if (!prediction.ok()) {
                out() << "(failed)\n";
                continue;
            }
            out() << classes.value(labelOf(prediction, *rule)).leftJustified(labelWidth);
            for (int c = 0; c < classes.size(); ++c)
                out() << "  "
                      << QString::number(double(prediction.probabilities[c]), 'f', 4)
                             .rightJustified(std::max(8, int(classes[c].size())));
            if (rule->point)
                out() << "  " << decisionText(prediction, *rule, classes);
            out() << '\n';
        }
    }
    if (!flushOutput(&error))
        return fail(command, error);

    if (parser.isSet(csvOption)) {
        if (!writeCsv(parser.value(csvOption), classes, predictions, *rule, &error))
            return fail(command, error);
    }
    if (failures > 0)
        return fail(command, QStringLiteral("%1 of %2 images could not be classified")
                                 .arg(failures)
                                 .arg(predictions.size()));
    return ExitOk;
}

} // namespace tc::cli
