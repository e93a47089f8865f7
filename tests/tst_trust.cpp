// Model files are data, never programs (issue 19): hostile TorchScript files made by Python
// (a __setstate__ or forward that writes a file, an endless loop, copied TorchCanvas
// metadata, a genuine export with its code changed) are refused by `predict`, `export` and
// `train --resume` before any of their code runs: the marker file they would overwrite stays
// untouched. Also the silent-wrong-result cases: resuming a changed project, a full disk, a
// CSV without a header, labels differing by case, a flood of diagnostics.

#include "core/export/TorchScriptExport.h"
#include "core/nn/ResNet.h"
#include "core/nn/SafeTensors.h"
#include "TrainingTestSupport.h"
#include "tst_exporthelpers.h"

#include <cmath>
#include <csignal>
#include <cstring>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest>
#include <sys/resource.h>

using namespace tc;

namespace {

constexpr auto kRefusal = "not exported by TorchCanvas; load it yourself in Python if you trust it";
const QByteArray kUntouched = QByteArrayLiteral("untouched marker");

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs the CLI. The deadline is a hang guard only: an endless model must not need it.
Result runCli(const QStringList& arguments, const QString& standardOutputFile = {},
              rlim_t fileSizeLimit = RLIM_INFINITY) {
    QProcess process;
    if (fileSizeLimit != RLIM_INFINITY) {
        // In the child only: files may not grow past the limit, and a write that would
        // fails with EFBIG (SIGXFSZ ignored) — a full disk for exactly one process.
        process.setChildProcessModifier([fileSizeLimit] {
            std::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{fileSizeLimit, fileSizeLimit};
            setrlimit(RLIMIT_FSIZE, &limit);
        });
    }
    if (!standardOutputFile.isEmpty())
        process.setStandardOutputFile(standardOutputFile);
    process.start(QStringLiteral(TORCHCANVAS_BINARY), arguments);
    if (!process.waitForFinished(180'000)) {
        process.kill();
        process.waitForFinished();
        return {-2, {}, QStringLiteral("(hung: killed after 180 s)")};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeText(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

bool copyFolder(const QString& from, const QString& to) {
    QDir().mkpath(to);
    for (const QFileInfo& entry : QDir(from).entryInfoList(QDir::Files)) {
        QFile::remove(QDir(to).filePath(entry.fileName()));
        if (!QFile::copy(entry.filePath(), QDir(to).filePath(entry.fileName())))
            return false;
    }
    return true;
}

QJsonObject readJson(const QString& path) {
    return QJsonDocument::fromJson(readAll(path)).object();
}

} // namespace

class TestTrust : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void genuineFilesStillWork();
    void hostileTorchScriptIsRefusedBeforeItRuns_data();
    void hostileTorchScriptIsRefusedBeforeItRuns();
    void zipCheckpointIsRefusedBeforeItRuns();
    void resumeRefusesAChangedProject();
    void resumeAcceptsChangedSettingsOnlyWhenAllowed();
    void predictChecksEveryWrite();
    void failedCheckpointWriteKeepsTheLastGoodOne();
    void csvWithoutHeaderIsRefused();
    void labelsDifferingByCaseAreWarned();
    void repeatedDiagnosticsAreCollapsed();
    void nonFiniteAndBoolWeightsAreRefused_data();
    void nonFiniteAndBoolWeightsAreRefused();

private:
    QString writeProject(const QString& name, int denseUnits, double learningRate);
    void expectMarkerUntouched() const;

    QString m_folder;
    QString m_csv;
    QString m_project;
    QString m_run;   ///< a finished run of m_project
    QString m_image; ///< an image to classify
    QString m_realExport;
    QString m_hostile; ///< folder of make_hostile_models.py's files
    QString m_marker;
};

void TestTrust::initTestCase() {
    m_folder = testing::freshFolder(QStringLiteral("trust"));
    const QDir folder(m_folder);
    m_csv = testing::generateTinyDemo(folder.filePath(QStringLiteral("demo")));
    QVERIFY(!m_csv.isEmpty());
    m_project = writeProject(QStringLiteral("tiny.tcproj"), 8, 1e-3);
    m_image = testing::writeTestImage(m_folder, QStringLiteral("image.png"), 80, 70, 3);

    m_run = folder.filePath(QStringLiteral("run"));
    const Result trained =
        runCli({QStringLiteral("train"), m_project, QStringLiteral("--out"), m_run,
                QStringLiteral("--weights-dir"), folder.filePath(QStringLiteral("no-weights"))});
    QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));

    const exporting::TrainedModel model =
        testing::makeModel(testing::smallCnnWithEveryLayer(), 4, 32, 32);
    m_realExport = folder.filePath(QStringLiteral("real.pt"));
    QString error;
    QVERIFY2(exporting::writeTorchScript(model, m_realExport, {false}, &error), qPrintable(error));

    m_marker = folder.filePath(QStringLiteral("marker.txt"));
    writeText(m_marker, kUntouched);
    m_hostile = folder.filePath(QStringLiteral("hostile"));
    folder.mkpath(QStringLiteral("hostile"));
    int exitCode = -1;
    QByteArray standardError;
    testing::runProgram(
        QStringLiteral(TORCHCANVAS_PYTHON),
        {testing::testTool("make_hostile_models.py"), m_hostile, m_marker, m_realExport}, &exitCode,
        &standardError);
    QVERIFY2(exitCode == 0, standardError.constData());
    // The tool itself must not have run its modules.
    expectMarkerUntouched();
}

QString TestTrust::writeProject(const QString& name, int denseUnits, double learningRate) {
    return testing::writeTinyProject(
        QDir(m_folder).filePath(name), m_csv, denseUnits,
        {{QStringLiteral("epochs"), 2}, {QStringLiteral("learningRate"), learningRate}});
}

void TestTrust::expectMarkerUntouched() const {
    QCOMPARE(readAll(m_marker), kUntouched);
}

void TestTrust::genuineFilesStillWork() {
    // A run's safetensors checkpoints: predict, export, and the export predicts again.
    Result result = runCli({QStringLiteral("predict"), m_run, m_image});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QString exported = QDir(m_folder).filePath(QStringLiteral("from-run.pt"));
    result = runCli({QStringLiteral("export"), m_run, QStringLiteral("--format"),
                     QStringLiteral("torchscript"), QStringLiteral("-o"), exported,
                     QStringLiteral("--no-card")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    result = runCli({QStringLiteral("predict"), exported, m_image});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    // A TorchScript export re-exported from TorchScript (tensors in another order) too.
    const QString again = QDir(m_folder).filePath(QStringLiteral("again.pt"));
    result = runCli({QStringLiteral("export"), m_realExport, QStringLiteral("--format"),
                     QStringLiteral("torchscript"), QStringLiteral("--with-preprocessing"),
                     QStringLiteral("-o"), again, QStringLiteral("--no-card")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    result = runCli({QStringLiteral("predict"), again, m_image});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
}

void TestTrust::hostileTorchScriptIsRefusedBeforeItRuns_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("reason");
    QTest::newRow("__setstate__ writes a file") << "setstate.pt" << kRefusal;
    QTest::newRow("forward writes a file") << "forward.pt" << kRefusal;
    QTest::newRow("endless loop") << "loop.pt" << kRefusal;
    QTest::newRow("genuine export, code changed") << "tampered.pt"
                                                  << "is not the code TorchCanvas";
    QTest::newRow("foreign, no metadata") << "foreign.pt"
                                          << "TorchCanvas did not export";
}

void TestTrust::hostileTorchScriptIsRefusedBeforeItRuns() {
    QFETCH(QString, file);
    QFETCH(QString, reason);
    const QString path = QDir(m_hostile).filePath(file);
    Result result = runCli({QStringLiteral("predict"), path, m_image});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(reason), qPrintable(result.err));
    QVERIFY2(result.err.contains(path), qPrintable(result.err));
    QCOMPARE(result.err.trimmed().count(QLatin1Char('\n')), 0); // one line
    expectMarkerUntouched();

    result =
        runCli({QStringLiteral("export"), path, QStringLiteral("--format"), QStringLiteral("onnx"),
                QStringLiteral("-o"), QDir(m_folder).filePath(QStringLiteral("hostile.onnx"))});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(reason), qPrintable(result.err));
    expectMarkerUntouched();
}

void TestTrust::zipCheckpointIsRefusedBeforeItRuns() {
    const QString run = QDir(m_folder).filePath(QStringLiteral("run-hostile"));
    QVERIFY(copyFolder(m_run, run));
    for (const char* name : {"checkpoint-best.pt", "checkpoint-last.pt"}) {
        QFile::remove(QDir(run).filePath(QLatin1String(name)));
        QVERIFY(QFile::copy(QDir(m_hostile).filePath(QStringLiteral("setstate.pt")),
                            QDir(run).filePath(QLatin1String(name))));
    }
    const QString why = QStringLiteral("which can carry code, so it is not opened");
    const QList<QStringList> commands{
        {QStringLiteral("predict"), run, m_image},
        {QStringLiteral("export"), run, QStringLiteral("--format"), QStringLiteral("onnx"),
         QStringLiteral("-o"), QDir(m_folder).filePath(QStringLiteral("z.onnx"))},
        {QStringLiteral("predict"), QDir(run).filePath(QStringLiteral("checkpoint-last.pt")),
         m_image},
        {QStringLiteral("train"), m_project, QStringLiteral("--out"), run,
         QStringLiteral("--resume")}};
    for (const QStringList& command : commands) {
        const Result result = runCli(command);
        const QString context = command.join(QLatin1Char(' ')) + QStringLiteral(": ") + result.err;
        QVERIFY2(result.exitCode == 1, qPrintable(context));
        QVERIFY2(result.err.contains(why) || result.err.contains(QLatin1String(kRefusal)) ||
                     result.err.contains(QStringLiteral("TorchCanvas did not export")),
                 qPrintable(context));
        expectMarkerUntouched();
    }
}

void TestTrust::resumeRefusesAChangedProject() {
    const QString run = QDir(m_folder).filePath(QStringLiteral("run-changed"));
    QVERIFY(copyFolder(m_run, run));
    // Dense 8 → 4: the old head must not be trained under the new name.
    const QString changed = writeProject(QStringLiteral("changed.tcproj"), 4, 1e-3);
    Result result =
        runCli({QStringLiteral("train"), changed, QStringLiteral("--out"), run,
                QStringLiteral("--resume"), QStringLiteral("--epochs"), QStringLiteral("3")});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("cannot resume: the model changed since the "
                                                "checkpoint")),
             qPrintable(result.err));
    QVERIFY2(result.err.contains(QStringLiteral("Dense 4")), qPrintable(result.err));

    // Another data set: the same CSV without its last rows.
    QStringList lines =
        QString::fromUtf8(readAll(m_csv)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    lines = lines.mid(0, lines.size() - 2);
    const QString fewer = QFileInfo(m_csv).absoluteDir().filePath(QStringLiteral("fewer.csv"));
    writeText(fewer, lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    result = runCli({QStringLiteral("train"), m_project, QStringLiteral("--out"), run,
                     QStringLiteral("--resume"), QStringLiteral("--data"), fewer,
                     QStringLiteral("--epochs"), QStringLiteral("3")});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("cannot resume: the data set changed")),
             qPrintable(result.err));
}

void TestTrust::resumeAcceptsChangedSettingsOnlyWhenAllowed() {
    const QString run = QDir(m_folder).filePath(QStringLiteral("run-settings"));
    QVERIFY(copyFolder(m_run, run));
    const QString faster = writeProject(QStringLiteral("faster.tcproj"), 8, 1e-2);
    const QStringList resume{QStringLiteral("train"),    faster,
                             QStringLiteral("--out"),    run,
                             QStringLiteral("--resume"), QStringLiteral("--epochs"),
                             QStringLiteral("3")};
    Result result = runCli(resume);
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("the training settings changed since the "
                                                "checkpoint (learningRate 0.001 \u2192 0.01)")),
             qPrintable(result.err));
    QVERIFY2(result.err.contains(QStringLiteral("--allow-changed-settings")),
             qPrintable(result.err));

    result = runCli(resume + QStringList{QStringLiteral("--allow-changed-settings")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QJsonArray recorded = readJson(QDir(run).filePath(QStringLiteral("report.json")))
                                    .value(QStringLiteral("resumedWithChangedSettings"))
                                    .toArray();
    QCOMPARE(recorded.size(), 1);
    QCOMPARE(recorded.at(0).toObject().value(QStringLiteral("fromEpoch")).toInt(), 3);
    QCOMPARE(recorded.at(0).toObject().value(QStringLiteral("changes")).toArray().at(0).toString(),
             QStringLiteral("learningRate 0.001 \u2192 0.01"));
}

void TestTrust::predictChecksEveryWrite() {
    if (!QFileInfo::exists(QStringLiteral("/dev/full")))
        QSKIP("no /dev/full on this system");
    Result result = runCli({QStringLiteral("predict"), m_realExport, m_image,
                            QStringLiteral("--csv"), QStringLiteral("/dev/full")});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("no space left on /dev/full")),
             qPrintable(result.err));
    QVERIFY(QFileInfo(QStringLiteral("/dev/full")).exists() &&
            !QFileInfo(QStringLiteral("/dev/full")).isFile()); // never replaced by a file

    result =
        runCli({QStringLiteral("predict"), m_realExport, m_image}, QStringLiteral("/dev/full"));
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("no space left on standard output")),
             qPrintable(result.err));
}

void TestTrust::failedCheckpointWriteKeepsTheLastGoodOne() {
    const QString run = QDir(m_folder).filePath(QStringLiteral("run-file-limit"));
    QVERIFY(copyFolder(m_run, run));
    const QString last = QDir(run).filePath(QStringLiteral("checkpoint-last.pt"));
    const QString best = QDir(run).filePath(QStringLiteral("checkpoint-best.pt"));
    const QByteArray lastBefore = readAll(last);
    const QByteArray bestBefore = readAll(best);
    QVERIFY(lastBefore.size() > 4096);
    const QStringList resume{QStringLiteral("train"),    m_project,
                             QStringLiteral("--out"),    run,
                             QStringLiteral("--resume"), QStringLiteral("--epochs"),
                             QStringLiteral("3")};
    // The metrics and the report still fit under the limit; the new checkpoint does not.
    Result result = runCli(resume, {}, rlim_t(lastBefore.size() / 2));
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(!result.err.contains(QStringLiteral("terminate called")), qPrintable(result.err));
    const QString reason = QString::fromLocal8Bit(std::strerror(EFBIG)); // "File too large"
    QVERIFY2(result.err.contains(QStringLiteral("cannot write %1/checkpoint-").arg(run)) &&
                 result.err.contains(QStringLiteral(".pt: %1").arg(reason)),
             qPrintable(result.err));
    QCOMPARE(readAll(last), lastBefore); // the last good checkpoint is whole and unchanged
    QCOMPARE(readAll(best), bestBefore);
    QVERIFY(QDir(run)
                .entryList({QStringLiteral("*.tmp*"), QStringLiteral(".*")},
                           QDir::Files | QDir::Hidden)
                .isEmpty()); // no half-written temporary file is left

    // With room again, the run continues from that checkpoint.
    result = runCli(resume);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.err.contains(QStringLiteral("finished (completed) after 3 epoch(s)")) ||
                 result.out.contains(QStringLiteral("finished (completed) after 3 epoch(s)")),
             qPrintable(result.out + result.err));
    QVERIFY(readAll(last) != lastBefore);
}

void TestTrust::csvWithoutHeaderIsRefused() {
    const QString csv = QDir(m_folder).filePath(QStringLiteral("headerless.csv"));
    writeText(csv, "a.png,benign\nb.png,malignant\nc.png,benign\n");
    const Result result = runCli({QStringLiteral("data"), QStringLiteral("check"), csv});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("line 1 looks like data: a.png,benign")),
             qPrintable(result.err));
}

void TestTrust::labelsDifferingByCaseAreWarned() {
    const QString folder = QDir(m_folder).filePath(QStringLiteral("cased"));
    QDir().mkpath(folder);
    QByteArray csv = "images,labels\n";
    const char* labels[] = {"Benign", "benign", "malignant"};
    for (int i = 0; i < 6; ++i) {
        const QString name = QStringLiteral("%1.png").arg(i);
        testing::writeTestImage(folder, name, 20, 20, i);
        csv += name.toUtf8() + ',' + labels[i % 3] + '\n';
    }
    writeText(QDir(folder).filePath(QStringLiteral("data.csv")), csv);
    const Result result = runCli({QStringLiteral("data"), QStringLiteral("check"),
                                  QDir(folder).filePath(QStringLiteral("data.csv"))});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QStringLiteral("label-case")), qPrintable(result.out));
    QVERIFY2(result.out.contains(QStringLiteral("'Benign', 'benign' differ only by case")),
             qPrintable(result.out));
}

void TestTrust::repeatedDiagnosticsAreCollapsed() {
    const QString folder = QDir(m_folder).filePath(QStringLiteral("flood"));
    QDir().mkpath(folder);
    QByteArray csv = "images,labels\n";
    for (int i = 0; i < 4; ++i) {
        const QString name = QStringLiteral("real-%1.png").arg(i);
        testing::writeTestImage(folder, name, 20, 20, i);
        csv += name.toUtf8() + (i % 2 ? ",a\n" : ",b\n");
    }
    for (int i = 0; i < 500; ++i)
        csv += "missing-" + QByteArray::number(i) + ".png,a\n";
    writeText(QDir(folder).filePath(QStringLiteral("data.csv")), csv);
    const Result result = runCli({QStringLiteral("data"), QStringLiteral("check"),
                                  QDir(folder).filePath(QStringLiteral("data.csv"))});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(result.out.count(QStringLiteral("missing-file:")), 20);
    QVERIFY2(result.out.contains(QStringLiteral("\u2026 and 480 more like this (missing-file)")),
             qPrintable(result.out.right(400)));
}

void TestTrust::nonFiniteAndBoolWeightsAreRefused_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("expected");
    QTest::newRow("NaN") << "nan"
                         << "conv1.weight: contains NaN or infinite values";
    QTest::newRow("Inf") << "inf"
                         << "layer1.0.conv1.weight: contains NaN or infinite values";
    QTest::newRow("Bool") << "bool"
                          << "bn1.weight: Bool values, the model holds Float";
}

void TestTrust::nonFiniteAndBoolWeightsAreRefused() {
    QFETCH(QString, damage);
    QFETCH(QString, expected);
    nn::ResNetOptions options;
    options.depth = nn::ResNetDepth::ResNet18;
    nn::ResNet model(options);
    nn::StateDict tensors;
    for (const auto& item : model->named_parameters())
        tensors.insert(item.key(), item.value().detach().clone());
    for (const auto& item : model->named_buffers())
        tensors.insert(item.key(), item.value().detach().clone());
    if (damage == QLatin1String("nan"))
        tensors["conv1.weight"][0][0][0][0] = std::nan("");
    else if (damage == QLatin1String("inf"))
        tensors["layer1.0.conv1.weight"][1][0][0][0] = INFINITY;
    else
        tensors["bn1.weight"] = tensors["bn1.weight"].gt(0.5);
    const QString file =
        QDir(m_folder).filePath(QStringLiteral("resnet18-%1.safetensors").arg(damage));
    QString error;
    QVERIFY2(nn::writeSafeTensors(file, tensors, {}, &error), qPrintable(error));

    const QString store = testing::freshFolder(QStringLiteral("trust-weights"));
    qputenv("TORCHCANVAS_WEIGHTS_DIR", store.toUtf8());
    Result result = runCli({QStringLiteral("weights"), QStringLiteral("import"), file});
    qunsetenv("TORCHCANVAS_WEIGHTS_DIR");
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(expected), qPrintable(result.err));
    QVERIFY(QDir(store).entryList(QDir::Files).isEmpty());

    result = runCli({QStringLiteral("embed"), QStringLiteral("--backbone"),
                     QStringLiteral("resnet18"), QStringLiteral("--weights"), file,
                     QStringLiteral("--size"), QStringLiteral("64x64"), QStringLiteral("--out"),
                     QDir(m_folder).filePath(QStringLiteral("features.npy")), m_image});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(expected), qPrintable(result.err));
}

QTEST_GUILESS_MAIN(TestTrust)
#include "tst_trust.moc"
