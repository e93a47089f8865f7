// The torchcanvas binary's command line: versions, help, and one-line failures.

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

namespace {

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result run(const QStringList& arguments,
           const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(TORCHCANVAS_BINARY), arguments);
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
    }
    Result result;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void versionLine_data();
    void versionLine();
    void versionShowsForcedPrecision_data();
    void versionShowsForcedPrecision();
    void helpListsEverySubcommand();
    void badCommandLine_data();
    void badCommandLine();
    void subcommandHelp();
    void guiWithoutDisplayExplains();
};

void TestCli::versionLine_data() {
    QTest::addColumn<QString>("option");
    QTest::newRow("long") << QStringLiteral("--version");
    QTest::newRow("short") << QStringLiteral("-v");
}

void TestCli::versionLine() {
    QFETCH(QString, option);
    const Result result = run({option});
    QCOMPARE(result.exitCode, 0);
    const QRegularExpression lines(QStringLiteral(
        R"(^TorchCanvas \d+\.\d+\.\d+ \(LibTorch \d+\.\d+\.\d+, Qt 6\.\d+\.\d+, OpenCV 4\.\d+\.\d+\)\n)"
        R"(Precision: auto is (fp32|bf16) on this machine \(.+\); CPU .+\n$)"));
    QVERIFY2(lines.match(result.out).hasMatch(), qPrintable(result.out));
    QVERIFY(result.out.startsWith(QStringLiteral("TorchCanvas " TORCHCANVAS_VERSION " ")));
    QVERIFY(result.err.isEmpty());
}

void TestCli::versionShowsForcedPrecision_data() {
    QTest::addColumn<QString>("forced");
    QTest::newRow("fp32") << QStringLiteral("fp32");
    QTest::newRow("bf16") << QStringLiteral("bf16");
}

// The test suite runs once with each precision forced; --version says what Auto means.
void TestCli::versionShowsForcedPrecision() {
    QFETCH(QString, forced);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TORCHCANVAS_PRECISION"), forced);
    const Result result = run({QStringLiteral("--version")}, environment);
    QCOMPARE(result.exitCode, 0);
    const QString expected = QStringLiteral("Precision: auto is %1 on this machine (forced by "
                                            "TORCHCANVAS_PRECISION=%1)")
                                 .arg(forced);
    QVERIFY2(result.out.contains(expected), qPrintable(result.out));
}

void TestCli::helpListsEverySubcommand() {
    const Result result = run({QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    for (const char* command : {"train", "predict", "explain", "embed", "export", "validate",
                                "data", "demo-data", "weights"}) {
        const QRegularExpression row(QStringLiteral("^  %1 +\\S").arg(QLatin1String(command)),
                                     QRegularExpression::MultilineOption);
        QVERIFY2(row.match(result.out).hasMatch(), command);
    }
}

void TestCli::badCommandLine_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown subcommand")
        << QStringList{QStringLiteral("nonsense")} << QStringLiteral("unknown command 'nonsense'");
    QTest::newRow("unknown global option")
        << QStringList{QStringLiteral("--bogus")} << QStringLiteral("unknown option '--bogus'");
    QTest::newRow("unknown subcommand option")
        << QStringList{QStringLiteral("validate"), QStringLiteral("--bogus")}
        << QStringLiteral("torchcanvas validate: Unknown option 'bogus'");
}

void TestCli::badCommandLine() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);
    const Result result = run(arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.out.isEmpty());
    QVERIFY2(result.err.contains(mentions), qPrintable(result.err));
    QCOMPARE(result.err.count(QLatin1Char('\n')), 1);
    QVERIFY(result.err.endsWith(QLatin1Char('\n')));
}

void TestCli::subcommandHelp() {
    const Result result = run({QStringLiteral("validate"), QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.startsWith(QStringLiteral("Usage: torchcanvas validate")),
             qPrintable(result.out));
}

void TestCli::guiWithoutDisplayExplains() {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        environment.remove(QLatin1String(name));
    const Result result = run({}, environment);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(QStringLiteral("no display found")), qPrintable(result.err));
    QCOMPARE(result.err.count(QLatin1Char('\n')), 1);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
