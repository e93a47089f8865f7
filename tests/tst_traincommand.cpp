// `torchcanvas train` end to end on a tiny project: run files, the plain "random weights"
// notice, Ctrl-C leaving a resumable checkpoint, --resume, --data, and bad input.

#include "core/train/Decision.h"
#include "TrainingTestSupport.h"

#include <csignal>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest>

namespace {

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result run(const QStringList& arguments, int timeoutMs = 120'000) {
    QProcess process;
    process.start(QStringLiteral(TORCHCANVAS_BINARY), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QStringList csvRows(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    QStringList lines =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (!lines.isEmpty())
        lines.removeFirst();
    return lines;
}

QJsonObject readJson(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

class TestTrainCommand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trainsAndWritesTheRunFolder();
    void interruptLeavesAResumableCheckpoint();
    void killedMidRunResumesOnTheSameTrajectory();
    void trainsOnAnotherDataSet();
    void badInput_data();
    void badInput();

private:
    QString writeProject(const QString& name, const QString& dataSource);
    QTemporaryDir m_dir;
    QString m_csv;
    QString m_project;
};

void TestTrainCommand::initTestCase() {
    m_csv = tc::testing::generateTinyDemo(m_dir.filePath(QStringLiteral("demo")));
    QVERIFY(!m_csv.isEmpty());
    m_project = writeProject(QStringLiteral("tiny.tcproj"), m_csv);
    QVERIFY(!m_project.isEmpty());
}

QString TestTrainCommand::writeProject(const QString& name, const QString& dataSource) {
    return tc::testing::writeTinyProject(m_dir.filePath(name), dataSource, /*hiddenUnits=*/0, {});
}

void TestTrainCommand::trainsAndWritesTheRunFolder() {
    const QString out = m_dir.filePath(QStringLiteral("run-basic"));
    const Result result =
        run({QStringLiteral("train"), m_project, QStringLiteral("--out"), out,
             QStringLiteral("--weights-dir"), m_dir.filePath(QStringLiteral("no-weights")),
             QStringLiteral("--target-sensitivity"), QStringLiteral("0.9")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    // No weights here: every surface says so plainly.
    QVERIFY2(result.err.contains(QStringLiteral("RANDOMLY INITIALISED")), qPrintable(result.err));
    QVERIFY(result.err.contains(QStringLiteral("epoch 3/3")));
    QVERIFY(result.err.contains(QStringLiteral("test: accuracy")));
    QVERIFY(result.out.startsWith(QStringLiteral("finished (completed) after 3 epoch(s)")));
    QCOMPARE(csvRows(out + QStringLiteral("/metrics.csv")).size(), 3);
    QVERIFY(!csvRows(out + QStringLiteral("/batches.csv")).isEmpty());
    QVERIFY(QFileInfo::exists(out + QStringLiteral("/checkpoint-last.pt")));
    QVERIFY(QFileInfo::exists(out + QStringLiteral("/checkpoint-best.pt")));
    const QJsonObject report = readJson(out + QStringLiteral("/report.json"));
    QCOMPARE(report.value(QStringLiteral("weightsPretrained")).toBool(true), false);
    QVERIFY(
        report.value(QStringLiteral("weights")).toString().contains(QStringLiteral("RANDOMLY")));
    QCOMPARE(
        report.value(QStringLiteral("data")).toObject().value(QStringLiteral("images")).toInt(),
        48);
    QVERIFY(!report.value(QStringLiteral("data"))
                 .toObject()
                 .value(QStringLiteral("fingerprint"))
                 .toString()
                 .isEmpty());
    QVERIFY(report.contains(QStringLiteral("test")));

    // The operating point: chosen on validation for the asked sensitivity, recorded in the
    // run (report.json and operating-point.json) and reported per image and per patient.
    QVERIFY2(result.err.contains(QStringLiteral("operating point: threshold")),
             qPrintable(result.err));
    QVERIFY(result.err.contains(QStringLiteral("chosen for sensitivity ≥ 90 % on the validation")));
    const QJsonObject decision = report.value(QStringLiteral("decision")).toObject();
    const QJsonObject point = decision.value(QStringLiteral("operatingPoint")).toObject();
    const QJsonObject chosenBy = point.value(QStringLiteral("chosenBy")).toObject();
    QCOMPARE(chosenBy.value(QStringLiteral("rule")).toString(),
             QStringLiteral("targetSensitivity"));
    QCOMPARE(chosenBy.value(QStringLiteral("target")).toDouble(), 0.9);
    QCOMPARE(point.value(QStringLiteral("positiveClass")).toString(), QStringLiteral("malignant"));
    QCOMPARE(report.value(QStringLiteral("configuration"))
                 .toObject()
                 .value(QStringLiteral("training"))
                 .toObject()
                 .value(QStringLiteral("decision"))
                 .toObject()
                 .value(QStringLiteral("target"))
                 .toDouble(),
             0.9);
    const QJsonObject validation = decision.value(QStringLiteral("validation")).toObject();
    if (chosenBy.value(QStringLiteral("targetMet")).toBool())
        QVERIFY(validation.value(QStringLiteral("sensitivity"))
                    .toObject()
                    .value(QStringLiteral("value"))
                    .toDouble() >= 0.9);
    const double threshold = point.value(QStringLiteral("threshold")).toDouble();
    QString error;
    const auto saved = tc::train::readOperatingPoint(out, &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(saved->threshold, threshold);
    QCOMPARE(saved->temperature, point.value(QStringLiteral("temperature")).toDouble());
    QCOMPARE(saved->positiveClass, 1);
    // Per patient (the split is grouped by BreaKHis patient): recount the patient-level
    // confusion from the listed patients at the threshold.
    const QJsonObject patients = decision.value(QStringLiteral("patients"))
                                     .toObject()
                                     .value(QStringLiteral("test"))
                                     .toObject();
    const QJsonArray perPatient = patients.value(QStringLiteral("perPatient")).toArray();
    QVERIFY(!perPatient.isEmpty());
    int tp = 0, fp = 0, tn = 0, fn = 0, images = 0;
    for (const QJsonValue& value : perPatient) {
        const QJsonObject patient = value.toObject();
        const bool called = patient.value(QStringLiteral("probability")).toDouble() >= threshold;
        const bool positive = patient.value(QStringLiteral("label")).toInt() == 1;
        ++(positive ? (called ? tp : fn) : (called ? fp : tn));
        images += patient.value(QStringLiteral("images")).toInt();
    }
    const QJsonObject patientFigures = patients.value(QStringLiteral("figures")).toObject();
    QCOMPARE(patientFigures.value(QStringLiteral("truePositives")).toInt(), tp);
    QCOMPARE(patientFigures.value(QStringLiteral("falsePositives")).toInt(), fp);
    QCOMPARE(patientFigures.value(QStringLiteral("trueNegatives")).toInt(), tn);
    QCOMPARE(patientFigures.value(QStringLiteral("falseNegatives")).toInt(), fn);
    QCOMPARE(
        images,
        report.value(QStringLiteral("splits")).toObject().value(QStringLiteral("test")).toInt());

    // The model card of an export states the operating point, how it was chosen and its
    // figures with intervals.
    const QString exported = m_dir.filePath(QStringLiteral("run-basic.onnx"));
    const Result exportResult = run({QStringLiteral("export"), out, QStringLiteral("--format"),
                                     QStringLiteral("onnx"), QStringLiteral("-o"), exported});
    QVERIFY2(exportResult.exitCode == 0, qPrintable(exportResult.err));
    QFile card(m_dir.filePath(QStringLiteral("run-basic.md")));
    QVERIFY(card.open(QIODevice::ReadOnly));
    const QString markdown = QString::fromUtf8(card.readAll());
    QVERIFY2(markdown.contains(QStringLiteral("## Operating point")), qPrintable(markdown));
    QVERIFY2(
        markdown.contains(QStringLiteral("when p(malignant) ≥ **%1**").arg(threshold, 0, 'g', 6)),
        qPrintable(markdown));
    QVERIFY(markdown.contains(QStringLiteral("sensitivity of at least 90.0 %")));
    QVERIFY(markdown.contains(QStringLiteral("| Test | ")));
    QVERIFY(markdown.contains(QStringLiteral("| validation | ")));
    QVERIFY(!markdown.contains(QStringLiteral("changed after training")));
}

void TestTrainCommand::interruptLeavesAResumableCheckpoint() {
    const QString out = m_dir.filePath(QStringLiteral("run-interrupted"));
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    // Practically endless: only the interrupt ends it (ctest's timeout fails a broken one).
    process.start(QStringLiteral(TORCHCANVAS_BINARY),
                  {QStringLiteral("train"), m_project, QStringLiteral("--out"), out,
                   QStringLiteral("--epochs"), QStringLiteral("100000")});
    QString err;
    QTRY_VERIFY_WITH_TIMEOUT((err += QString::fromUtf8(process.readAllStandardError()),
                              err.contains(QStringLiteral("epoch 2/100000"))),
                             120'000);
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(60'000));
    err += QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(process.exitCode() == 130, qPrintable(err.right(600)));
    QVERIFY2(err.contains(QStringLiteral("--resume")), qPrintable(err.right(400)));
    const QStringList before = csvRows(out + QStringLiteral("/metrics.csv"));
    QVERIFY(before.size() >= 2);
    const QJsonObject stopped = readJson(out + QStringLiteral("/report.json"));
    QCOMPARE(stopped.value(QStringLiteral("finished")).toObject().value(QStringLiteral("reason")),
             QStringLiteral("stopped"));

    const int target = before.size() + 2;
    const Result resumed =
        run({QStringLiteral("train"), m_project, QStringLiteral("--out"), out,
             QStringLiteral("--resume"), QStringLiteral("--epochs"), QString::number(target)});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    const QStringList after = csvRows(out + QStringLiteral("/metrics.csv"));
    QCOMPARE(after.size(), target);
    // The epochs before the interruption are kept as they were (but the time column).
    for (int i = 0; i < before.size(); ++i)
        QCOMPARE(after[i].section(QLatin1Char(','), 3), before[i].section(QLatin1Char(','), 3));
    QVERIFY(resumed.err.contains(QStringLiteral("epoch %1/%1").arg(target)));
    QVERIFY(!resumed.err.contains(QStringLiteral("epoch 1/")));
}

// Crash safety: SIGKILL gives the program no chance to clean up. The checkpoints are replaced
// atomically, so --resume continues from the last completed epoch and ends with the same
// per-epoch metrics as a run that was never interrupted.
void TestTrainCommand::killedMidRunResumesOnTheSameTrajectory() {
    const QString killed = m_dir.filePath(QStringLiteral("run-killed"));
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    // Practically endless, so the kill always lands while it trains.
    process.start(QStringLiteral(TORCHCANVAS_BINARY),
                  {QStringLiteral("train"), m_project, QStringLiteral("--out"), killed,
                   QStringLiteral("--epochs"), QStringLiteral("100000")});
    QString err;
    QTRY_VERIFY_WITH_TIMEOUT((err += QString::fromUtf8(process.readAllStandardError()),
                              err.contains(QStringLiteral("epoch 2/100000"))),
                             120'000);
    ::kill(static_cast<pid_t>(process.processId()), SIGKILL);
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitStatus(), QProcess::CrashExit);
    const int completed = int(csvRows(killed + QStringLiteral("/metrics.csv")).size());
    QVERIFY(completed >= 2);

    const int target = completed + 2;
    const Result resumed =
        run({QStringLiteral("train"), m_project, QStringLiteral("--out"), killed,
             QStringLiteral("--resume"), QStringLiteral("--epochs"), QString::number(target)});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QVERIFY2(resumed.err.contains(QStringLiteral("seed: 42")), qPrintable(resumed.err));

    const QString straight = m_dir.filePath(QStringLiteral("run-straight"));
    const Result reference = run({QStringLiteral("train"), m_project, QStringLiteral("--out"),
                                  straight, QStringLiteral("--epochs"), QString::number(target)});
    QVERIFY2(reference.exitCode == 0, qPrintable(reference.err));

    const QStringList expected = csvRows(straight + QStringLiteral("/metrics.csv"));
    const QStringList actual = csvRows(killed + QStringLiteral("/metrics.csv"));
    QCOMPARE(actual.size(), target);
    QCOMPARE(expected.size(), target);
    // Every column but the epoch's wall-clock seconds (the third).
    auto withoutTime = [](const QString& row) {
        QStringList cells = row.split(QLatin1Char(','));
        cells.removeAt(2);
        return cells;
    };
    for (int i = 0; i < target; ++i)
        QCOMPARE(withoutTime(actual[i]), withoutTime(expected[i]));
    const QJsonObject report = readJson(killed + QStringLiteral("/report.json"));
    QCOMPARE(report.value(QStringLiteral("test")),
             readJson(straight + QStringLiteral("/report.json")).value(QStringLiteral("test")));
}

void TestTrainCommand::trainsOnAnotherDataSet() {
    // The same CSV through --data, from a project that points nowhere.
    const QString orphan = writeProject(QStringLiteral("orphan.tcproj"),
                                        m_dir.filePath(QStringLiteral("nowhere/dataset.csv")));
    const Result failed = run({QStringLiteral("train"), orphan, QStringLiteral("--out"),
                               m_dir.filePath(QStringLiteral("run-orphan"))});
    QCOMPARE(failed.exitCode, 1);
    QVERIFY2(failed.err.contains(QStringLiteral("nowhere/dataset.csv")), qPrintable(failed.err));
    QCOMPARE(failed.err.count(QLatin1Char('\n')) >= 1, true);

    const Result result =
        run({QStringLiteral("train"), orphan, QStringLiteral("--data"), m_csv,
             QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--out"),
             m_dir.filePath(QStringLiteral("run-data"))});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(result.err.contains(QStringLiteral("epoch 1/1")));
}

void TestTrainCommand::badInput_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("no project") << QStringList{QStringLiteral("train")} << 2
                                << QStringLiteral("expected one PROJECT file");
    QTest::newRow("missing project")
        << QStringList{QStringLiteral("train"), QStringLiteral("/nonexistent/p.tcproj")} << 1
        << QStringLiteral("/nonexistent/p.tcproj: no such file");
    QTest::newRow("bad epochs") << QStringList{QStringLiteral("train"), QStringLiteral("PROJECT"),
                                               QStringLiteral("--epochs"), QStringLiteral("zero")}
                                << 2 << QStringLiteral("--epochs needs a whole number");
    QTest::newRow("bad precision")
        << QStringList{QStringLiteral("train"), QStringLiteral("PROJECT"),
                       QStringLiteral("--precision"), QStringLiteral("fp8")}
        << 2 << QStringLiteral("--precision must be fp32, bf16 or auto");
    QTest::newRow("resume without out")
        << QStringList{QStringLiteral("train"), QStringLiteral("PROJECT"),
                       QStringLiteral("--resume")}
        << 2 << QStringLiteral("--resume needs --out");
    QTest::newRow("bad target sensitivity")
        << QStringList{QStringLiteral("train"), QStringLiteral("PROJECT"),
                       QStringLiteral("--target-sensitivity"), QStringLiteral("95")}
        << 2 << QStringLiteral("--target-sensitivity needs a number in (0, 1], not '95'");
    QTest::newRow("two rules") << QStringList{QStringLiteral("train"), QStringLiteral("PROJECT"),
                                              QStringLiteral("--youden"),
                                              QStringLiteral("--threshold"), QStringLiteral("0.3")}
                               << 2 << QStringLiteral("choose one of --target-sensitivity");
    QTest::newRow("bad aggregation")
        << QStringList{QStringLiteral("train"), QStringLiteral("PROJECT"),
                       QStringLiteral("--patient-aggregation"), QStringLiteral("median")}
        << 2 << QStringLiteral("--patient-aggregation must be mean or max, not 'median'");
}

void TestTrainCommand::badInput() {
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    arguments.replaceInStrings(QStringLiteral("PROJECT"), m_project);
    const Result result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
    QCOMPARE(result.err.count(QLatin1Char('\n')), 1);
}

QTEST_GUILESS_MAIN(TestTrainCommand)
#include "tst_traincommand.moc"
