// The compute device: parsing "cpu", "cuda", "cuda:N", what this machine offers, and a
// clear refusal of CUDA where there is none (this LibTorch may be CPU-only), from the
// command line too.

#include "core/util/Devices.h"
#include "TrainingTestSupport.h"

#include <QProcess>
#include <QtTest>

using tc::runtime::DeviceChoice;

class TestDevices : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parses_data();
    void parses();
    void refusesUnknownNames_data();
    void refusesUnknownNames();
    void listsWhatIsAvailable();
    void refusesMissingCuda();
    void trainCommandRefusesMissingCuda();
};

void TestDevices::parses_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("cuda");
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("empty") << "" << false << -1 << "cpu";
    QTest::newRow("cpu") << "cpu" << false << -1 << "cpu";
    QTest::newRow("CPU spaced") << "  CPU " << false << -1 << "cpu";
    QTest::newRow("cuda") << "cuda" << true << -1 << "cuda";
    QTest::newRow("cuda:0") << "cuda:0" << true << 0 << "cuda:0";
    QTest::newRow("CUDA:3") << "CUDA:3" << true << 3 << "cuda:3";
}

void TestDevices::parses() {
    QFETCH(QString, text);
    QFETCH(bool, cuda);
    QFETCH(int, index);
    QFETCH(QString, canonical);
    QString error;
    const auto choice = tc::runtime::parseDevice(text, &error);
    QVERIFY2(choice, qPrintable(error));
    QCOMPARE(choice->isCuda(), cuda);
    QCOMPARE(choice->index, index);
    QCOMPARE(choice->toString(), canonical);
    QCOMPARE(*tc::runtime::parseDevice(choice->toString(), nullptr), *choice);
}

void TestDevices::refusesUnknownNames_data() {
    QTest::addColumn<QString>("text");
    for (const char* text : {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:+1", "mps", "cpu:0"})
        QTest::newRow(text) << QString::fromLatin1(text);
}

void TestDevices::refusesUnknownNames() {
    QFETCH(QString, text);
    QString error;
    QVERIFY(!tc::runtime::parseDevice(text, &error));
    QVERIFY2(error.contains(text) && error.contains(QStringLiteral("cuda:N")), qPrintable(error));
}

void TestDevices::listsWhatIsAvailable() {
    const QStringList devices = tc::runtime::availableDevices();
    QCOMPARE(devices.front(), QStringLiteral("cpu"));
    QCOMPARE(devices.size(), 1 + tc::runtime::cudaDeviceCount());
    for (int i = 1; i < devices.size(); ++i)
        QCOMPARE(devices[i], QStringLiteral("cuda:%1").arg(i - 1));
    QVERIFY(tc::runtime::deviceProblem(DeviceChoice{}).isEmpty());
}

void TestDevices::refusesMissingCuda() {
    const int count = tc::runtime::cudaDeviceCount();
    // Beyond the last device: refused on any machine, naming how many there are.
    const QString beyond =
        tc::runtime::deviceProblem(DeviceChoice{DeviceChoice::Kind::Cuda, count + 1});
    QVERIFY(!beyond.isEmpty());
    if (count > 0) {
        QVERIFY(tc::runtime::deviceProblem(DeviceChoice{DeviceChoice::Kind::Cuda, 0}).isEmpty());
        QVERIFY2(beyond.contains(QStringLiteral("%1 CUDA device").arg(count)), qPrintable(beyond));
        return;
    }
    const QString problem = tc::runtime::deviceProblem(DeviceChoice{DeviceChoice::Kind::Cuda});
    QVERIFY2(problem.contains(QStringLiteral("CUDA is not available")), qPrintable(problem));
    QVERIFY(problem.contains(QStringLiteral("--device cpu")));
}

void TestDevices::trainCommandRefusesMissingCuda() {
    if (tc::runtime::cudaDeviceCount() > 0)
        QSKIP("this machine has CUDA: nothing to refuse");
    QTemporaryDir dir;
    const QString csv = tc::testing::generateTinyDemo(dir.filePath(QStringLiteral("demo")), 4, 4);
    QVERIFY(!csv.isEmpty());
    const QString project =
        tc::testing::writeTinyProject(dir.filePath(QStringLiteral("p.tcproj")), csv, 0, {});
    QVERIFY(!project.isEmpty());
    QProcess process;
    process.start(QStringLiteral(TORCHCANVAS_BINARY),
                  {QStringLiteral("train"), project, QStringLiteral("--device"),
                   QStringLiteral("cuda"), QStringLiteral("--out"), dir.filePath("run")});
    QVERIFY(process.waitForFinished(60'000));
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(process.exitCode(), 1);
    QVERIFY2(err.contains(QStringLiteral("cuda: CUDA is not available")), qPrintable(err));
    QVERIFY(!QFileInfo::exists(dir.filePath("run")));

    process.start(
        QStringLiteral(TORCHCANVAS_BINARY),
        {QStringLiteral("train"), project, QStringLiteral("--device"), QStringLiteral("tpu")});
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(QString::fromUtf8(process.readAllStandardError())
                .contains(QStringLiteral("unknown device 'tpu'")));
}

QTEST_GUILESS_MAIN(TestDevices)
#include "tst_devices.moc"
