// RunCatalog: two real tiny runs of one project (different learning rate and epochs), plus
// hand-damaged run folders, listed and compared.

#include "core/train/ProjectTraining.h"
#include "core/train/RunCatalog.h"
#include "TrainingTestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace tc::train;

namespace {

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(bytes) == bytes.size();
}

QJsonObject readJson(const QString& path) {
    return QJsonDocument::fromJson(readAll(path)).object();
}

const RunSummary* find(const std::vector<RunSummary>& runs, const QString& name) {
    for (const RunSummary& run : runs) {
        if (run.name == name)
            return &run;
    }
    return nullptr;
}

/// metrics.csv parsed here with a plain split (no quoted fields before the class columns):
/// epoch → {train_loss, train_accuracy, val_loss, val_accuracy}.
QMap<int, QList<double>> metricsCsvOf(const QString& file) {
    const QList<QByteArray> lines = readAll(file).trimmed().split('\n');
    const QList<QByteArray> header = lines.first().split(',');
    QMap<int, QList<double>> rows;
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> fields = lines[i].split(',');
        QList<double> values;
        for (const char* name : {"train_loss", "train_accuracy", "val_loss", "val_accuracy"})
            values << fields[header.indexOf(name)].toDouble();
        rows.insert(fields[header.indexOf("epoch")].toInt(), values);
    }
    return rows;
}

/// Accuracy, sensitivity and specificity (class 1 positive) from a report's test confusion
/// matrix ([true][predicted]), computed here rather than read from its derived fields.
std::array<double, 3> figuresFromConfusion(const QJsonObject& test) {
    const QJsonArray matrix = test.value(QStringLiteral("confusion")).toArray();
    const double tn = matrix[0].toArray()[0].toDouble();
    const double fp = matrix[0].toArray()[1].toDouble();
    const double fn = matrix[1].toArray()[0].toDouble();
    const double tp = matrix[1].toArray()[1].toDouble();
    // A split without one of the classes: 0, as the trainer's recall reports it.
    return {(tp + tn) / (tp + tn + fp + fn), tp + fn > 0 ? tp / (tp + fn) : 0.0,
            tn + fp > 0 ? tn / (tn + fp) : 0.0};
}

} // namespace

class TestRunCatalog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listsRunsNewestFirst();
    void readsARealRun();
    void historyMatchesMetricsCsv();
    void settingsThatDifferAreNamed();
    void operatingPointAndDecisionFigures();
    void damagedRuns_data();
    void damagedRuns();
    void projectFileListsOnlyItsRuns();
    void missingFolderIsAnError();

private:
    QString runFolder(const QString& suffix) const {
        return m_dir.filePath(QStringLiteral("runs/tiny-") + suffix);
    }

    QTemporaryDir m_dir;
    QString m_project;
    QString m_runA; ///< lr 0.001, 2 epochs
    QString m_runB; ///< lr 0.0001, 3 epochs
};

void TestRunCatalog::initTestCase() {
    QVERIFY(m_dir.isValid());
    const QString csv = tc::testing::generateTinyDemo(m_dir.filePath(QStringLiteral("demo")));
    QVERIFY(!csv.isEmpty());
    m_project = m_dir.filePath(QStringLiteral("tiny.tcproj"));
    // No weights in the weights folder: the backbone is randomly initialised, and says why.
    const QString weights = m_dir.filePath(QStringLiteral("no-weights"));
    QVERIFY(QDir().mkpath(weights));
    m_runA = runFolder(QStringLiteral("20260101-100000-000"));
    m_runB = runFolder(QStringLiteral("20260102-100000-000"));
    const std::pair<QString, QJsonObject> runs[] = {
        {m_runA, {{QStringLiteral("learningRate"), 0.001}, {QStringLiteral("epochs"), 2}}},
        {m_runB, {{QStringLiteral("learningRate"), 0.0001}, {QStringLiteral("epochs"), 3}}}};
    for (const auto& [folder, training] : runs) {
        QVERIFY(!tc::testing::writeTinyProject(m_project, csv, 0, training).isEmpty());
        TrainingRequest request;
        request.projectPath = m_project;
        request.runDirectory = folder;
        request.weightsDirectory = weights;
        request.diskCache = false;
        request.loaderWorkers = 1;
        TrainingObserver observer;
        TrainingControl control;
        const FinishedEvent finished = trainProject(request, observer, control);
        QVERIFY2(finished.reason == FinishReason::Completed, qPrintable(finished.message));
    }

    // Damaged and partial runs, by hand.
    const QString badJson = runFolder(QStringLiteral("20260103-100000-000"));
    QVERIFY(QDir().mkpath(badJson));
    QVERIFY(
        writeAll(badJson + QStringLiteral("/report.json"), "{\"format\": \"torchcanvas-run\","));
    QVERIFY(QFile::copy(m_runA + QStringLiteral("/metrics.csv"),
                        badJson + QStringLiteral("/metrics.csv")));

    const QString inProgress = runFolder(QStringLiteral("20260104-100000-000"));
    QVERIFY(QDir().mkpath(inProgress));
    QVERIFY(QFile::copy(m_runB + QStringLiteral("/batches.csv"),
                        inProgress + QStringLiteral("/batches.csv")));
    // metrics.csv as logged so far, with a damaged row at line 5.
    QVERIFY(writeAll(inProgress + QStringLiteral("/metrics.csv"),
                     readAll(m_runB + QStringLiteral("/metrics.csv")) +
                         "two,0.001,1,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n"));

    QVERIFY(QDir().mkpath(runFolder(QStringLiteral("20260105-100000-000"))));

    const QString folderReport = runFolder(QStringLiteral("20260106-100000-000"));
    QVERIFY(QDir().mkpath(folderReport + QStringLiteral("/report.json")));

    // Stopped before testing: run A's report with another finish and no test split figures.
    const QString stopped = runFolder(QStringLiteral("20260107-100000-000"));
    QVERIFY(QDir().mkpath(stopped));
    QJsonObject report = readJson(m_runA + QStringLiteral("/report.json"));
    QJsonObject finished = report.value(QStringLiteral("finished")).toObject();
    finished.insert(QStringLiteral("reason"), QStringLiteral("stopped"));
    finished.insert(QStringLiteral("message"), QStringLiteral("stopped by the user"));
    report.insert(QStringLiteral("finished"), finished);
    report.remove(QStringLiteral("test"));
    QVERIFY(writeAll(stopped + QStringLiteral("/report.json"), QJsonDocument(report).toJson()));

    const QString badPoint = runFolder(QStringLiteral("20260108-100000-000"));
    QVERIFY(QDir().mkpath(badPoint));
    QVERIFY(QFile::copy(m_runA + QStringLiteral("/report.json"),
                        badPoint + QStringLiteral("/report.json")));
    QVERIFY(writeAll(badPoint + QStringLiteral("/operating-point.json"), "{\"threshold\": 7}"));

    // Another project's run in the same runs folder.
    const QString other = m_dir.filePath(QStringLiteral("runs/other-20260109-100000-000"));
    QVERIFY(QDir().mkpath(other));
    QVERIFY(QFile::copy(m_runA + QStringLiteral("/report.json"),
                        other + QStringLiteral("/report.json")));
}

void TestRunCatalog::listsRunsNewestFirst() {
    QString error;
    const std::vector<RunSummary> runs = listRuns(m_dir.path(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QStringList names;
    for (const RunSummary& run : runs)
        names << run.name;
    QCOMPARE(
        names,
        (QStringList{
            QStringLiteral("other-20260109-100000-000"), QStringLiteral("tiny-20260108-100000-000"),
            QStringLiteral("tiny-20260107-100000-000"), QStringLiteral("tiny-20260106-100000-000"),
            QStringLiteral("tiny-20260105-100000-000"), QStringLiteral("tiny-20260104-100000-000"),
            QStringLiteral("tiny-20260103-100000-000"), QStringLiteral("tiny-20260102-100000-000"),
            QStringLiteral("tiny-20260101-100000-000")}));
    QCOMPARE(runs.back().started, QDateTime(QDate(2026, 1, 1), QTime(10, 0, 0)));
}

void TestRunCatalog::readsARealRun() {
    const RunSummary run = readRun(m_runB);
    const QJsonObject report = readJson(m_runB + QStringLiteral("/report.json"));
    QCOMPARE(int(run.status), int(RunStatus::Completed));
    QCOMPARE(run.statusText(), QStringLiteral("completed"));
    QCOMPARE(run.shortName(), QStringLiteral("20260102-100000"));
    QVERIFY2(run.problems.isEmpty(), qPrintable(run.problems.join(QLatin1Char('\n'))));
    QCOMPARE(run.epochsCompleted, 3);
    QVERIFY(run.bestEpoch >= 1 && run.bestEpoch <= 3);
    QCOMPARE(run.classNames, (QStringList{QStringLiteral("benign"), QStringLiteral("malignant")}));
    QVERIFY2(run.model.contains(QStringLiteral("ResNet")), qPrintable(run.model));
    QVERIFY(!run.weightsPretrained);
    QVERIFY2(run.weights.contains(QStringLiteral("RANDOMLY INITIALISED")), qPrintable(run.weights));
    QVERIFY2(run.weightsText().startsWith(QStringLiteral("random: ")),
             qPrintable(run.weightsText()));
    QCOMPARE(run.settings.value(QStringLiteral("learningRate")).toDouble(), 0.0001);
    QCOMPARE(run.preprocessing.value(QStringLiteral("width")).toInt(), 64);
    QCOMPARE(run.dataFingerprint.size() > 8, true);

    // The validation figures are those of the best epoch in the history.
    QVERIFY(run.validation);
    const RunEpoch& best = run.history.at(run.bestEpoch - 1);
    QCOMPARE(best.epoch, run.bestEpoch);
    QCOMPARE(run.validation->accuracy, best.validationAccuracy);

    // Test figures against the confusion matrix, computed here.
    QVERIFY(run.test);
    const auto [accuracy, sensitivity, specificity] =
        figuresFromConfusion(report.value(QStringLiteral("test")).toObject());
    QVERIFY(qFuzzyCompare(1.0 + run.test->accuracy, 1.0 + accuracy));
    QVERIFY(run.test->sensitivity && run.test->specificity);
    // The trainer chose an operating point on validation: sensitivity and specificity are
    // those of its threshold on test (recounted here from report.json's confusion counts),
    // not the argmax ones of the confusion matrix.
    Q_UNUSED(sensitivity);
    Q_UNUSED(specificity);
    const QJsonObject decided = report.value(QStringLiteral("decision"))
                                    .toObject()
                                    .value(QStringLiteral("test"))
                                    .toObject();
    const double tp = decided.value(QStringLiteral("truePositives")).toDouble();
    const double fn = decided.value(QStringLiteral("falseNegatives")).toDouble();
    const double tn = decided.value(QStringLiteral("trueNegatives")).toDouble();
    const double fp = decided.value(QStringLiteral("falsePositives")).toDouble();
    QVERIFY(tp + fn + tn + fp > 0);
    QVERIFY(
        qFuzzyCompare(1.0 + *run.test->sensitivity, 1.0 + (tp + fn > 0 ? tp / (tp + fn) : 0.0)));
    QVERIFY(
        qFuzzyCompare(1.0 + *run.test->specificity, 1.0 + (tn + fp > 0 ? tn / (tn + fp) : 0.0)));
    QVERIFY2(run.test->decidedBy.startsWith(QStringLiteral("threshold ")),
             qPrintable(run.test->decidedBy));
    // The tiny test split may hold one class only, where AUC is undefined and not written.
    const QJsonValue auc = report.value(QStringLiteral("test")).toObject().value("rocAuc");
    QCOMPARE(run.test->auc.has_value(), auc.isDouble());
    if (auc.isDouble())
        QCOMPARE(*run.test->auc, auc.toDouble());
    QVERIFY(run.test->samples > 0);
    QVERIFY(run.operatingPoint); // operating-point.json, written by the trainer
    QCOMPARE(run.operatingPoint->threshold, report.value(QStringLiteral("decision"))
                                                .toObject()
                                                .value(QStringLiteral("operatingPoint"))
                                                .toObject()
                                                .value(QStringLiteral("threshold"))
                                                .toDouble());
    QVERIFY2(run.operatingPointText().contains(QStringLiteral("sensitivity ≥ 95 % on validation")),
             qPrintable(run.operatingPointText()));
}

void TestRunCatalog::historyMatchesMetricsCsv() {
    for (const QString& folder : {m_runA, m_runB}) {
        const RunSummary run = readRun(folder);
        const auto csv = metricsCsvOf(folder + QStringLiteral("/metrics.csv"));
        QCOMPARE(int(run.history.size()), csv.size());
        for (const RunEpoch& epoch : run.history) {
            const QList<double> row = csv.value(epoch.epoch);
            QCOMPARE(row.size(), 4);
            // metrics.csv keeps 10 significant digits.
            QVERIFY(std::abs(epoch.trainLoss - row[0]) < 1e-8 * std::max(1.0, row[0]));
            QVERIFY(std::abs(epoch.trainAccuracy - row[1]) < 1e-8);
            QVERIFY(std::abs(epoch.validationLoss - row[2]) < 1e-8 * std::max(1.0, row[2]));
            QVERIFY(std::abs(epoch.validationAccuracy - row[3]) < 1e-8);
        }
    }
}

void TestRunCatalog::settingsThatDifferAreNamed() {
    const RunSummary a = readRun(m_runA);
    const RunSummary b = readRun(m_runB);
    QCOMPARE(settingsThatDiffer(a, b),
             (QStringList{QStringLiteral("epochs 2 → 3"),
                          QStringLiteral("learningRate 0.001 → 0.0001")}));
    QCOMPARE(settingsThatDiffer(b, a),
             (QStringList{QStringLiteral("epochs 3 → 2"),
                          QStringLiteral("learningRate 0.0001 → 0.001")}));
    QVERIFY(settingsThatDiffer(a, a).isEmpty());

    // Preprocessing, nested settings, weights and data are compared too.
    RunSummary changed = b;
    changed.folder += QStringLiteral("-copy");
    QJsonObject decision = changed.settings.value(QStringLiteral("decision")).toObject();
    decision.insert(QStringLiteral("target"), 0.9);
    changed.settings.insert(QStringLiteral("decision"), decision);
    changed.preprocessing.insert(QStringLiteral("width"), 224);
    changed.weightsPretrained = true;
    changed.dataFingerprint = QStringLiteral("0123456789abcdef");
    const QString target = QString::number(b.settings.value(QStringLiteral("decision"))
                                               .toObject()
                                               .value(QStringLiteral("target"))
                                               .toDouble(),
                                           'g', 6);
    QCOMPARE(settingsThatDiffer(b, changed),
             (QStringList{QStringLiteral("decision.target %1 → 0.9").arg(target),
                          QStringLiteral("preprocessing.width 64 → 224"),
                          QStringLiteral("weights random → pretrained"),
                          QStringLiteral("data %1 → 01234567").arg(b.dataFingerprint.left(8))}));

    // A run without a report has nothing recorded to compare.
    const RunSummary inProgress = readRun(runFolder(QStringLiteral("20260104-100000-000")));
    QCOMPARE(settingsThatDiffer(a, inProgress),
             (QStringList{QStringLiteral("not comparable: no readable report.json")}));
    QCOMPARE(settingsThatDiffer(inProgress, a),
             (QStringList{QStringLiteral("not comparable: the reference run has no readable "
                                         "report.json")}));
}

void TestRunCatalog::operatingPointAndDecisionFigures() {
    // A copy of run B with an operating point and the report's "decision" section, as the
    // trainer writes them when the run chooses a threshold.
    const QString folder = m_dir.filePath(QStringLiteral("decided/tiny-20260110-100000-000"));
    QVERIFY(QDir().mkpath(folder));
    OperatingPoint point;
    point.threshold = 0.31;
    point.temperature = 1.5;
    point.positiveClassName = QStringLiteral("malignant");
    point.policy.rule = ThresholdRule::TargetSensitivity;
    point.policy.target = 0.95;
    QString error;
    QVERIFY2(writeOperatingPoint(folder, point, &error), qPrintable(error));
    QJsonObject report = readJson(m_runB + QStringLiteral("/report.json"));
    report.insert(QStringLiteral("decision"),
                  QJsonObject{{QStringLiteral("test"),
                               QJsonObject{{QStringLiteral("threshold"), 0.31},
                                           {QStringLiteral("sensitivity"),
                                            QJsonObject{{QStringLiteral("value"), 0.875}}},
                                           {QStringLiteral("specificity"),
                                            QJsonObject{{QStringLiteral("value"), 0.625}}}}}});
    QVERIFY(writeAll(folder + QStringLiteral("/report.json"), QJsonDocument(report).toJson()));

    const std::vector<RunSummary> runs = listRuns(m_dir.filePath(QStringLiteral("decided")));
    QCOMPARE(int(runs.size()), 1);
    const RunSummary& run = runs.front();
    QVERIFY(run.operatingPoint);
    QCOMPARE(run.operatingPoint->threshold, 0.31);
    QCOMPARE(run.operatingPoint->temperature, 1.5);
    QCOMPARE(run.operatingPointText(),
             QStringLiteral("0.31 (sensitivity ≥ 95 % on validation), T = 1.5"));
    QVERIFY(run.test);
    QCOMPARE(*run.test->sensitivity, 0.875);
    QCOMPARE(*run.test->specificity, 0.625);
    QCOMPARE(run.test->decidedBy, QStringLiteral("threshold 0.31"));
}

void TestRunCatalog::damagedRuns_data() {
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("problem");
    QTest::addColumn<int>("epochs");
    QTest::addColumn<bool>("hasTest");
    QTest::newRow("invalid JSON") << QStringLiteral("20260103-100000-000")
                                  << int(RunStatus::Unreadable)
                                  << QStringLiteral("report.json is not valid JSON") << 2 << false;
    QTest::newRow("in progress") << QStringLiteral("20260104-100000-000")
                                 << int(RunStatus::InProgress)
                                 << QStringLiteral("report.json does not exist yet: no test "
                                                   "metrics")
                                 << 3 << false;
    QTest::newRow("empty folder") << QStringLiteral("20260105-100000-000")
                                  << int(RunStatus::Unreadable)
                                  << QStringLiteral("holds no run files") << 0 << false;
    QTest::newRow("report.json is a folder")
        << QStringLiteral("20260106-100000-000") << int(RunStatus::Unreadable)
        << QStringLiteral("report.json is a folder") << 0 << false;
    QTest::newRow("stopped before testing")
        << QStringLiteral("20260107-100000-000") << int(RunStatus::Stopped)
        << QStringLiteral("has no test metrics") << 2 << false;
    QTest::newRow("operating point out of range")
        << QStringLiteral("20260108-100000-000") << int(RunStatus::Completed)
        << QStringLiteral("operating-point.json") << 2 << true;
}

void TestRunCatalog::damagedRuns() {
    QFETCH(QString, suffix);
    QFETCH(int, status);
    QFETCH(QString, problem);
    QFETCH(int, epochs);
    QFETCH(bool, hasTest);
    const QString folder = runFolder(suffix);
    const RunSummary run = readRun(folder);
    QCOMPARE(int(run.status), status);
    const QString problems = run.problems.join(QLatin1Char('\n'));
    QVERIFY2(problems.contains(problem), qPrintable(problems));
    // Every message names the file or the folder at fault.
    for (const QString& line : run.problems)
        QVERIFY2(line.contains(folder), qPrintable(line));
    QCOMPARE(int(run.history.size()), epochs);
    QCOMPARE(run.test.has_value(), hasTest);
    if (run.status == RunStatus::Unreadable)
        QVERIFY2(run.statusText().startsWith(QStringLiteral("unreadable: ") + folder),
                 qPrintable(run.statusText()));
}

void TestRunCatalog::projectFileListsOnlyItsRuns() {
    const std::vector<RunSummary> runs = listRuns(m_project);
    QCOMPARE(int(runs.size()), 8);
    QVERIFY(!find(runs, QStringLiteral("other-20260109-100000-000")));
    const RunSummary* inProgress = find(runs, QStringLiteral("tiny-20260104-100000-000"));
    QVERIFY(inProgress);
    QCOMPARE(inProgress->statusText(),
             QStringLiteral("in progress or interrupted (no report.json yet, 3 epochs logged)"));
    const QString csv = inProgress->folder + QStringLiteral("/metrics.csv");
    QVERIFY2(inProgress->problems.contains(
                 QStringLiteral("%1 line 5: \"two\" is not an epoch number").arg(csv)),
             qPrintable(inProgress->problems.join(QLatin1Char('\n'))));
    // Its validation figures are the last logged epoch's.
    QVERIFY(inProgress->validation);
    QCOMPARE(inProgress->validation->accuracy, inProgress->history.back().validationAccuracy);
    const RunSummary* stopped = find(runs, QStringLiteral("tiny-20260107-100000-000"));
    QVERIFY(stopped);
    QCOMPARE(stopped->statusText(), QStringLiteral("stopped: stopped by the user"));
}

void TestRunCatalog::missingFolderIsAnError() {
    const QString missing = m_dir.filePath(QStringLiteral("nowhere"));
    QString error;
    QVERIFY(listRuns(missing, &error).empty());
    QCOMPARE(error, QStringLiteral("%1 does not exist").arg(missing));
    // An empty runs folder: no runs, no error.
    QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("empty/runs"))));
    QVERIFY(listRuns(m_dir.filePath(QStringLiteral("empty")), &error).empty());
    QVERIFY(error.isEmpty());
}

QTEST_GUILESS_MAIN(TestRunCatalog)
#include "tst_runcatalog.moc"
