#include "core/train/RunCatalog.h"

#include "core/data/CsvReader.h"
#include "core/train/Metrics.h"
#include "core/util/RegularFile.h"

#include <algorithm>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace tc::train {

namespace {

const QString kReportFile = QStringLiteral("report.json");
const QString kMetricsFile = QStringLiteral("metrics.csv");
/// report.json and metrics.csv of a run of 100 000 epochs stay far below this.
constexpr qint64 kMaxRunFileBytes = qint64(64) << 20;

/// The files whose presence makes a folder a run folder, even before report.json exists.
const QStringList kRunFiles{
    QStringLiteral("report.json"),         QStringLiteral("metrics.csv"),
    QStringLiteral("batches.csv"),         QStringLiteral("project.tcproj"),
    QStringLiteral("checkpoint-last.pt"),  QStringLiteral("checkpoint-best.pt"),
    QStringLiteral("operating-point.json")};

double numberOr(const QJsonValue& value, double fallback = std::nan("")) {
    return value.isDouble() ? value.toDouble() : fallback;
}

/// The folder name's date: "<project>-yyyyMMdd-HHmmss-zzz" (the editor) or
/// "<project>-yyyyMMdd-HHmmss" (`torchcanvas train`).
QDateTime dateFromName(const QString& name) {
    static const QRegularExpression pattern(QStringLiteral("(\\d{8}-\\d{6})(-(\\d{3}))?$"));
    const QRegularExpressionMatch match = pattern.match(name);
    if (!match.hasMatch())
        return {};
    QDateTime date = QDateTime::fromString(match.captured(1), QStringLiteral("yyyyMMdd-HHmmss"));
    if (date.isValid() && match.hasCaptured(3))
        date = date.addMSecs(match.captured(3).toInt());
    return date;
}

/// A split's figures from a metrics JSON (ClassificationMetrics::toJson plus "loss").
RunMetrics metricsFrom(const QJsonObject& json, int positiveClass) {
    RunMetrics metrics;
    metrics.loss = numberOr(json.value(QStringLiteral("loss")));
    metrics.accuracy = numberOr(json.value(QStringLiteral("accuracy")));
    metrics.balancedAccuracy = numberOr(json.value(QStringLiteral("balancedAccuracy")));
    if (json.value(QStringLiteral("rocAuc")).isDouble())
        metrics.auc = json.value(QStringLiteral("rocAuc")).toDouble();
    metrics.samples = static_cast<qint64>(json.value(QStringLiteral("samples")).toDouble());
    const QJsonArray recall = json.value(QStringLiteral("recall")).toArray();
    if (recall.size() == 2 && (positiveClass == 0 || positiveClass == 1)) {
        metrics.sensitivity = recall[positiveClass].toDouble();
        metrics.specificity = recall[1 - positiveClass].toDouble();
        metrics.decidedBy = QStringLiteral("argmax");
    }
    return metrics;
}

RunEpoch epochFrom(const QJsonObject& json) {
    RunEpoch epoch;
    epoch.epoch = json.value(QStringLiteral("epoch")).toInt();
    epoch.learningRate = numberOr(json.value(QStringLiteral("learningRate")));
    const QJsonObject train = json.value(QStringLiteral("train")).toObject();
    epoch.trainLoss = numberOr(train.value(QStringLiteral("loss")));
    epoch.trainAccuracy = numberOr(train.value(QStringLiteral("accuracy")));
    if (json.value(QStringLiteral("validation")).isObject()) {
        const QJsonObject validation = json.value(QStringLiteral("validation")).toObject();
        epoch.validationLoss = numberOr(validation.value(QStringLiteral("loss")));
        epoch.validationAccuracy = numberOr(validation.value(QStringLiteral("accuracy")));
        epoch.validationAuc = numberOr(validation.value(QStringLiteral("rocAuc")));
    }
    return epoch;
}

/// metrics.csv as RunFiles::appendEpoch() writes it; columns are found by their header names,
/// so an older or newer column order reads the same. Damaged rows are named in `problems`.
std::vector<RunEpoch> readMetricsCsv(const QString& file, QStringList* problems) {
    QString problem;
    const std::optional<QByteArray> bytes =
        util::readRegularFile(file, kMaxRunFileBytes, QStringLiteral("run files"), &problem);
    if (!bytes) {
        *problems << QStringLiteral("%1 %2").arg(file, problem);
        return {};
    }
    // metrics.csv quotes class names that hold commas: read it with the data sets' reader.
    const data::CsvReader::Document csv = data::CsvReader::parse(*bytes);
    if (csv.records.empty()) {
        *problems << QStringLiteral("%1 is empty").arg(file);
        return {};
    }
    const QStringList header = csv.records.front().fields;
    const int epochColumn = header.indexOf(QStringLiteral("epoch"));
    if (epochColumn < 0) {
        *problems << QStringLiteral("%1 line %2: no \"epoch\" column")
                         .arg(file)
                         .arg(csv.records.front().line);
        return {};
    }
    auto column = [&](const char* name) {
        return header.indexOf(QLatin1String(name));
    };
    const int learningRate = column("learning_rate");
    const int trainLoss = column("train_loss");
    const int trainAccuracy = column("train_accuracy");
    const int validationLoss = column("val_loss");
    const int validationAccuracy = column("val_accuracy");
    const int validationAuc = column("val_auc");

    std::vector<RunEpoch> history;
    for (size_t r = 1; r < csv.records.size(); ++r) {
        const data::CsvRecord& record = csv.records[r];
        const QStringList& fields = record.fields;
        bool ok = false;
        const int epoch = fields.value(epochColumn).toInt(&ok);
        if (!ok || epoch < 1) {
            *problems << QStringLiteral("%1 line %2: \"%3\" is not an epoch number")
                             .arg(file)
                             .arg(record.line)
                             .arg(fields.value(epochColumn).left(40));
            continue;
        }
        auto value = [&](int index) {
            bool parsed = false;
            const double number = fields.value(index).toDouble(&parsed);
            return index >= 0 && parsed ? number : std::nan("");
        };
        history.push_back({epoch, value(learningRate), value(trainLoss), value(trainAccuracy),
                           value(validationLoss), value(validationAccuracy), value(validationAuc)});
    }
    return history;
}

RunStatus statusFrom(const QString& reason) {
    if (reason == QLatin1String("completed"))
        return RunStatus::Completed;
    if (reason == QLatin1String("early stop"))
        return RunStatus::EarlyStopped;
    if (reason == QLatin1String("stopped"))
        return RunStatus::Stopped;
    if (reason == QLatin1String("failed"))
        return RunStatus::Failed;
    return RunStatus::Unreadable;
}

/// The report's own fields into `run`; `problems` gets what is missing or odd.
void readReport(const QJsonObject& report, const QString& file, RunSummary* run) {
    const QJsonObject finished = report.value(QStringLiteral("finished")).toObject();
    const QString reason = finished.value(QStringLiteral("reason")).toString();
    run->status = statusFrom(reason);
    if (run->status == RunStatus::Unreadable)
        run->problems << QStringLiteral("%1: unknown finish reason \"%2\"").arg(file, reason);
    run->finishMessage = finished.value(QStringLiteral("message")).toString();
    run->epochsCompleted = finished.value(QStringLiteral("epochsCompleted")).toInt();
    run->bestEpoch = finished.value(QStringLiteral("bestEpoch")).toInt();

    run->model = report.value(QStringLiteral("model")).toString();
    run->weights = report.value(QStringLiteral("weights")).toString();
    run->weightsPretrained = report.value(QStringLiteral("weightsPretrained")).toBool();
    run->dataFingerprint = report.value(QStringLiteral("data"))
                               .toObject()
                               .value(QStringLiteral("fingerprint"))
                               .toString();
    for (const QJsonValue& name : report.value(QStringLiteral("classes")).toArray())
        run->classNames << name.toString();
    const QJsonObject configuration = report.value(QStringLiteral("configuration")).toObject();
    run->settings = configuration.value(QStringLiteral("training")).toObject();
    run->preprocessing = configuration.value(QStringLiteral("preprocessing")).toObject();

    for (const QJsonValue& epoch : report.value(QStringLiteral("epochs")).toArray())
        run->history.push_back(epochFrom(epoch.toObject()));

    const int positive = run->operatingPoint ? run->operatingPoint->positiveClass : 1;
    for (const char* key : {"best", "final"}) {
        const QJsonObject epoch = report.value(QLatin1String(key)).toObject();
        if (epoch.value(QStringLiteral("validation")).isObject()) {
            run->validation =
                metricsFrom(epoch.value(QStringLiteral("validation")).toObject(), positive);
            break;
        }
    }
    if (report.value(QStringLiteral("test")).isObject()) {
        run->test = metricsFrom(report.value(QStringLiteral("test")).toObject(), positive);
        // The run's own decision: sensitivity and specificity at the operating point chosen
        // on validation, which is what a user of the model gets.
        const QJsonObject decided = report.value(QStringLiteral("decision"))
                                        .toObject()
                                        .value(QStringLiteral("test"))
                                        .toObject();
        const QJsonValue sensitivity =
            decided.value(QStringLiteral("sensitivity")).toObject().value(QStringLiteral("value"));
        const QJsonValue specificity =
            decided.value(QStringLiteral("specificity")).toObject().value(QStringLiteral("value"));
        if (sensitivity.isDouble() && specificity.isDouble()) {
            run->test->sensitivity = sensitivity.toDouble();
            run->test->specificity = specificity.toDouble();
            run->test->decidedBy =
                QStringLiteral("threshold %1")
                    .arg(decided.value(QStringLiteral("threshold")).toDouble(), 0, 'g', 3);
        }
    } else if (run->status != RunStatus::Failed) {
        run->problems << QStringLiteral("%1 has no test metrics (the run %2 before testing, or "
                                        "the data has no test split)")
                             .arg(file, reason);
    }
}

QString valueText(const QJsonValue& value) {
    switch (value.type()) {
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 6);
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("on") : QStringLiteral("off");
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Undefined:
    case QJsonValue::Null:
        return QStringLiteral("–");
    default:
        return QString::fromUtf8(
            QJsonDocument::fromVariant(value.toVariant()).toJson(QJsonDocument::Compact));
    }
}

/// "key a → b" for every leaf that differs, nested keys joined with dots.
void compareObjects(const QJsonObject& reference, const QJsonObject& run, const QString& prefix,
                    QStringList* differences) {
    QStringList keys = reference.keys();
    for (const QString& key : run.keys()) {
        if (!keys.contains(key))
            keys << key;
    }
    for (const QString& key : keys) {
        const QJsonValue a = reference.value(key);
        const QJsonValue b = run.value(key);
        if (a.isObject() && b.isObject()) {
            compareObjects(a.toObject(), b.toObject(), prefix + key + QLatin1Char('.'),
                           differences);
            continue;
        }
        if (a != b)
            *differences
                << QStringLiteral("%1%2 %3 → %4").arg(prefix, key, valueText(a), valueText(b));
    }
}

/// Long texts (a model line, a weights path) shortened for a table cell.
QString shortened(const QString& text, int length = 48) {
    return text.size() <= length ? text : text.left(length - 1) + QChar(0x2026);
}

} // namespace

QString toString(RunStatus status) {
    switch (status) {
    case RunStatus::Completed:
        return QStringLiteral("completed");
    case RunStatus::EarlyStopped:
        return QStringLiteral("early stop");
    case RunStatus::Stopped:
        return QStringLiteral("stopped");
    case RunStatus::Failed:
        return QStringLiteral("failed");
    case RunStatus::InProgress:
        return QStringLiteral("in progress");
    case RunStatus::Unreadable:
        return QStringLiteral("unreadable");
    }
    return {};
}

QString RunSummary::statusText() const {
    switch (status) {
    case RunStatus::InProgress:
        return QStringLiteral("in progress or interrupted (no report.json yet, %1 logged)")
            .arg(history.size() == 1 ? QStringLiteral("1 epoch")
                                     : QStringLiteral("%1 epochs").arg(history.size()));
    case RunStatus::Unreadable:
        return QStringLiteral("unreadable: %1")
            .arg(problems.isEmpty() ? QStringLiteral("unknown problem") : problems.first());
    case RunStatus::Stopped:
    case RunStatus::Failed:
    case RunStatus::EarlyStopped:
        return finishMessage.isEmpty()
                   ? toString(status)
                   : QStringLiteral("%1: %2").arg(toString(status), finishMessage);
    case RunStatus::Completed:
        break;
    }
    return toString(status);
}

QString RunSummary::shortName() const {
    static const QRegularExpression pattern(QStringLiteral("(\\d{8}-\\d{6})(-\\d{3})?$"));
    const QRegularExpressionMatch match = pattern.match(name);
    return match.hasMatch() ? match.captured(1) : name;
}

QString RunSummary::weightsText() const {
    if (weights.isEmpty())
        return hasReport() ? QStringLiteral("– (no pretrained backbone)") : QStringLiteral("–");
    // WeightsStatus::summary(): "<model>: ImageNet weights from <file>", "<model>: randomly
    // initialised (…)", "<model>: RANDOMLY INITIALISED - <reason>".
    const QString detail = weights.section(QStringLiteral(": "), 1);
    if (weightsPretrained) {
        const QString file = detail.section(QStringLiteral(" from "), 1);
        return QStringLiteral("ImageNet (%1)")
            .arg(file.isEmpty() ? detail : QFileInfo(file).fileName());
    }
    if (detail.startsWith(QStringLiteral("randomly initialised")))
        return QStringLiteral("random (chosen)");
    const QString reason = detail.section(QStringLiteral(" - "), 1);
    return QStringLiteral("random: %1").arg(reason.isEmpty() ? detail : reason);
}

QString RunSummary::operatingPointText() const {
    if (!operatingPoint)
        return hasReport() ? QStringLiteral("none (argmax)") : QStringLiteral("–");
    const OperatingPoint& point = *operatingPoint;
    QString how;
    switch (point.policy.rule) {
    case ThresholdRule::TargetSensitivity:
        how = QStringLiteral("sensitivity ≥ %1 % on %2")
                  .arg(point.policy.target * 100.0, 0, 'g', 4)
                  .arg(point.chosenOn);
        break;
    case ThresholdRule::TargetSpecificity:
        how = QStringLiteral("specificity ≥ %1 % on %2")
                  .arg(point.policy.target * 100.0, 0, 'g', 4)
                  .arg(point.chosenOn);
        break;
    case ThresholdRule::Youden:
        how = QStringLiteral("Youden on %1").arg(point.chosenOn);
        break;
    case ThresholdRule::Fixed:
        how = QStringLiteral("set by hand");
        break;
    }
    if (!point.targetMet)
        how += QStringLiteral(", target not met");
    QString text = QStringLiteral("%1 (%2)").arg(point.threshold, 0, 'g', 3).arg(how);
    if (point.temperature != 1.0)
        text += QStringLiteral(", T = %1").arg(point.temperature, 0, 'g', 3);
    return text;
}

RunSummary readRun(const QString& folder) {
    RunSummary run;
    const QFileInfo info(folder);
    run.folder = info.absoluteFilePath();
    run.name = info.fileName();
    const QDir dir(run.folder);
    run.started = dateFromName(run.name);

    QString pointError;
    run.operatingPoint = readOperatingPoint(run.folder, &pointError);
    if (!pointError.isEmpty())
        run.problems << pointError;

    const QString reportFile = dir.filePath(kReportFile);
    const QString metricsFile = dir.filePath(kMetricsFile);
    bool reportRead = false;
    if (QFileInfo::exists(reportFile)) {
        QString problem;
        const std::optional<QByteArray> bytes = util::readRegularFile(
            reportFile, kMaxRunFileBytes, QStringLiteral("run files"), &problem);
        QJsonParseError parseError;
        const QJsonDocument document =
            bytes ? QJsonDocument::fromJson(*bytes, &parseError) : QJsonDocument();
        if (!bytes) {
            run.problems.prepend(QStringLiteral("%1 %2").arg(reportFile, problem));
        } else if (parseError.error != QJsonParseError::NoError) {
            run.problems.prepend(QStringLiteral("%1 is not valid JSON (%2 at byte %3)")
                                     .arg(reportFile, parseError.errorString())
                                     .arg(parseError.offset));
        } else if (!document.isObject() || document.object().value(QStringLiteral("format")) !=
                                               QStringLiteral("torchcanvas-run")) {
            run.problems.prepend(
                QStringLiteral("%1 is not a TorchCanvas run report").arg(reportFile));
        } else {
            reportRead = true;
            readReport(document.object(), reportFile, &run);
        }
        if (!reportRead)
            run.status = RunStatus::Unreadable;
    } else {
        bool anyRunFile = false;
        for (const QString& name : kRunFiles)
            anyRunFile = anyRunFile || QFileInfo::exists(dir.filePath(name));
        if (anyRunFile) {
            run.status = RunStatus::InProgress;
            run.problems << QStringLiteral("%1 does not exist yet: no test metrics (the run is "
                                           "still training, or was killed)")
                                .arg(reportFile);
        } else {
            run.status = RunStatus::Unreadable;
            run.problems << QStringLiteral("%1 holds no run files (no report.json, metrics.csv "
                                           "or checkpoint)")
                                .arg(run.folder);
        }
    }
    // A report keeps the whole history; without one, metrics.csv has what was logged so far.
    if (run.history.empty() && QFileInfo::exists(metricsFile)) {
        run.history = readMetricsCsv(metricsFile, &run.problems);
        if (!reportRead && !run.history.empty()) {
            run.epochsCompleted = run.history.back().epoch;
            const RunEpoch& last = run.history.back();
            if (!std::isnan(last.validationAccuracy)) {
                RunMetrics validation;
                validation.loss = last.validationLoss;
                validation.accuracy = last.validationAccuracy;
                if (!std::isnan(last.validationAuc))
                    validation.auc = last.validationAuc;
                run.validation = validation;
            }
        }
    }

    if (!run.started.isValid()) {
        // A folder named by hand: the oldest of its files says when the run began.
        QDateTime earliest;
        for (const QFileInfo& file : dir.entryInfoList(QDir::Files)) {
            const QDateTime time = file.lastModified();
            if (!earliest.isValid() || time < earliest)
                earliest = time;
        }
        run.started = earliest.isValid() ? earliest : info.lastModified();
    }
    return run;
}

QStringList settingsThatDiffer(const RunSummary& reference, const RunSummary& run) {
    QStringList differences;
    if (reference.folder == run.folder)
        return differences;
    if (!reference.hasReport() || !run.hasReport()) {
        // Without a report there are no recorded settings to compare: say so rather than
        // listing every key as changed.
        differences << (run.hasReport() ? QStringLiteral("not comparable: the reference run has no "
                                                         "readable report.json")
                                        : QStringLiteral("not comparable: no readable "
                                                         "report.json"));
        return differences;
    }
    compareObjects(reference.settings, run.settings, QString(), &differences);
    compareObjects(reference.preprocessing, run.preprocessing, QStringLiteral("preprocessing."),
                   &differences);
    if (reference.model != run.model)
        differences << QStringLiteral("model %1 → %2")
                           .arg(shortened(reference.model), shortened(run.model));
    if (reference.weightsPretrained != run.weightsPretrained || reference.weights != run.weights)
        differences << QStringLiteral("weights %1 → %2")
                           .arg(reference.weightsPretrained ? QStringLiteral("pretrained")
                                                            : QStringLiteral("random"),
                                run.weightsPretrained ? QStringLiteral("pretrained")
                                                      : QStringLiteral("random"));
    if (reference.classNames != run.classNames)
        differences << QStringLiteral("classes %1 → %2")
                           .arg(reference.classNames.join(QLatin1Char('/')),
                                run.classNames.join(QLatin1Char('/')));
    if (reference.dataFingerprint != run.dataFingerprint)
        differences << QStringLiteral("data %1 → %2")
                           .arg(reference.dataFingerprint.left(8), run.dataFingerprint.left(8));
    return differences;
}

std::vector<RunSummary> listRuns(const QString& projectOrFolder, QString* error) {
    const QFileInfo info(projectOrFolder);
    std::vector<RunSummary> runs;
    if (!info.exists()) {
        if (error)
            *error = QStringLiteral("%1 does not exist").arg(projectOrFolder);
        return runs;
    }
    QString runsFolder = info.absoluteFilePath();
    QString prefix;
    if (info.isFile()) {
        runsFolder = info.absoluteDir().filePath(QStringLiteral("runs"));
        prefix = info.completeBaseName() + QLatin1Char('-');
    } else if (QFileInfo(QDir(runsFolder).filePath(QStringLiteral("runs"))).isDir()) {
        runsFolder = QDir(runsFolder).filePath(QStringLiteral("runs"));
    }
    const QFileInfoList folders =
        QDir(runsFolder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo& folder : folders) {
        if (!prefix.isEmpty() && !folder.fileName().startsWith(prefix))
            continue;
        runs.push_back(readRun(folder.absoluteFilePath()));
    }
    std::stable_sort(runs.begin(), runs.end(), [](const RunSummary& a, const RunSummary& b) {
        if (a.started != b.started)
            return a.started > b.started;
        return a.name > b.name;
    });
    if (error)
        error->clear();
    return runs;
}

} // namespace tc::train
