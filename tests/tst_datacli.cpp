// `torchcanvas data check CSV_OR_FOLDER [--json]`: report, diagnostics and exit codes.

#include "DataTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using Result = tc::test::CommandResult;

namespace {

Result run(const QStringList& arguments) {
    return tc::test::runTorchCanvas(arguments);
}

} // namespace

class TestDataCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanDataSet();
    void problemsAreListedWithLines();
    void fullDecodeUnlessQuick();
    void jsonReport();
    void unusableDataSetFails();
    void folderAndColumnOverride();
    void usageErrors_data();
    void usageErrors();

private:
    QString csv(const QString& name, const QByteArray& text) {
        return tc::test::writeFile(m_dir.path(), name, text);
    }
    QTemporaryDir m_dir;
};

void TestDataCli::initTestCase() {
    QVERIFY(m_dir.isValid());
    const cv::Mat image = tc::test::patternImage(30, 20, CV_8UC3);
    for (const char* name : {"img/SOB_B_F-14-1AB-400-001.png", "img/SOB_B_F-14-1AB-400-002.png",
                             "img/SOB_M_DC-14-2-400-001.png", "img/SOB_M_DC-14-3-400-001.png"})
        QVERIFY(!tc::test::writeImage(m_dir.path(), name, image).isEmpty());
    QByteArray corrupt = tc::test::readFile(m_dir.filePath("img/SOB_B_F-14-1AB-400-001.png"));
    const qsizetype idat = corrupt.indexOf("IDAT");
    for (qsizetype i = idat + 8; i < idat + 24; ++i)
        corrupt[i] = char(~corrupt[i]);
    tc::test::writeFile(m_dir.path(), "img/corrupt.png", corrupt);
}

void TestDataCli::cleanDataSet() {
    const QString path = csv("clean.csv", "images,labels\nimg/SOB_B_F-14-1AB-400-001.png,benign\n"
                                          "img/SOB_B_F-14-1AB-400-002.png,benign\n"
                                          "img/SOB_M_DC-14-2-400-001.png,malignant\n"
                                          "img/SOB_M_DC-14-3-400-001.png,malignant\n");
    const Result result = run({"data", "check", path});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.err.isEmpty());
    const QStringList lines = result.out.split('\n');
    QCOMPARE(lines.at(0),
             QStringLiteral("Data set: %1 (CSV; images: 'images', labels: 'labels')").arg(path));
    QCOMPARE(lines.mid(1, 9),
             (QStringList{"Rows: 4 read, 4 usable, 0 excluded",
                          "Classes (2):", "  benign          2", "  malignant       2",
                          "Image sizes: 30x20 (4)", "Channels: 3 (4)", "Bit depth: 8 (4)",
                          "Formats: PNG (4)", "Patients: 3 (from BreaKHis file names)"}));
    QVERIFY(lines.at(10).startsWith(QStringLiteral("Fingerprint: sha256:")));
    QCOMPARE(lines.at(11), QStringLiteral("OK: 2 classes with 4 usable images."));
}

void TestDataCli::problemsAreListedWithLines() {
    const QString path =
        csv("problems.csv", "images,labels\nimg/SOB_B_F-14-1AB-400-001.png,benign\n"
                            "img/missing.png,benign\n"
                            "img/SOB_M_DC-14-2-400-001.png,malignant,extra\n"
                            "img/SOB_M_DC-14-3-400-001.png,malignant\n");
    const Result result = run({"data", "check", path});
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(
                 QStringLiteral(
                     "Problems (2):\n"
                     "  %1:3: error: missing-file: 'img/missing.png' does not exist\n"
                     "  %1:4: error: wrong-field-count: expected 2 fields (images, labels) but "
                     "found 3\n")
                     .arg(path)),
             qPrintable(result.out));
    QVERIFY(result.out.contains(QStringLiteral("Rows: 4 read, 2 usable, 2 excluded\n")));
    QVERIFY(result.out.endsWith(QStringLiteral("OK: 2 classes with 2 usable images.\n")));
}

void TestDataCli::fullDecodeUnlessQuick() {
    const QString path = csv("corrupt.csv", "images,labels\nimg/corrupt.png,benign\n"
                                            "img/SOB_B_F-14-1AB-400-002.png,benign\n"
                                            "img/SOB_M_DC-14-2-400-001.png,malignant\n");
    const Result full = run({"data", "check", path});
    QCOMPARE(full.exitCode, 0);
    QVERIFY2(full.out.contains(QStringLiteral("%1:2: error: unreadable-image: 'img/corrupt.png' "
                                              "is corrupt: OpenCV could not decode its pixels")
                                   .arg(path)),
             qPrintable(full.out));
    QVERIFY2(full.err.isEmpty(), qPrintable(full.err)); // no OpenCV chatter
    const Result quick = run({"data", "check", path, "--quick"});
    QCOMPARE(quick.exitCode, 0);
    QVERIFY(!quick.out.contains(QStringLiteral("Problems")));
    QVERIFY(quick.out.contains(QStringLiteral("OK: 2 classes with 3 usable images.")));
}

void TestDataCli::jsonReport() {
    const QString path = csv("json.csv", "images,labels\nimg/SOB_B_F-14-1AB-400-001.png,benign\n"
                                         "img/gone.png,benign\n"
                                         "img/SOB_M_DC-14-2-400-001.png,malignant\n");
    const Result result = run({"data", "check", path, "--json"});
    QCOMPARE(result.exitCode, 0);
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(result.out.toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(json.value("usable").toBool(), true);
    QCOMPARE(json.value("source").toString(), path);
    QCOMPARE(json.value("breakHisPatients").toInt(), 2);
    QVERIFY(json.value("fingerprint").toString().startsWith(QStringLiteral("sha256:")));
    const QJsonArray classes = json.value("summary").toObject().value("classes").toArray();
    QCOMPARE(classes.size(), 2);
    QCOMPARE(classes.at(1).toObject().value("name").toString(), QStringLiteral("malignant"));
    QCOMPARE(classes.at(1).toObject().value("count").toInt(), 1);
    const QJsonArray diagnostics = json.value("diagnostics").toArray();
    QCOMPARE(diagnostics.size(), 1);
    const QJsonObject first = diagnostics.at(0).toObject();
    QCOMPARE(first.value("line").toInt(), 3);
    QCOMPARE(first.value("code").toString(), QStringLiteral("missing-file"));
    QCOMPARE(first.value("message").toString(), QStringLiteral("'img/gone.png' does not exist"));
    QCOMPARE(first.value("file").toString(), path);
}

void TestDataCli::unusableDataSetFails() {
    const QString oneClass = csv("one.csv", "images,labels\nimg/SOB_B_F-14-1AB-400-001.png,benign\n"
                                            "img/gone.png,malignant\n");
    const Result result = run({"data", "check", oneClass});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.err, QStringLiteral("torchcanvas data check: only one class has usable images: "
                                        "'benign' (1 images); a classifier needs at least two\n"));
    QVERIFY(result.out.contains(QStringLiteral(":3: error: missing-file: 'img/gone.png' does not "
                                               "exist")));
    QVERIFY(!result.out.contains(QStringLiteral("OK:")));

    const Result json = run({"data", "check", oneClass, "--json"});
    QCOMPARE(json.exitCode, 1);
    const QJsonObject report = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(report.value("usable").toBool(), false);
    QCOMPARE(report.value("problem").toObject().value("code").toString(),
             QStringLiteral("one-class"));

    const QString missing = m_dir.filePath("missing.csv");
    const Result none = run({"data", "check", missing});
    QCOMPARE(none.exitCode, 1);
    QCOMPARE(none.err,
             QStringLiteral("torchcanvas data check: '%1' does not exist\n").arg(missing));
    const Result empty = run({"data", "check", csv("empty.csv", "")});
    QCOMPARE(empty.exitCode, 1);
    QCOMPARE(
        empty.err,
        QStringLiteral("torchcanvas data check: '%1' is empty\n").arg(m_dir.filePath("empty.csv")));
    const Result header = run({"data", "check", csv("header.csv", "images,labels\n")});
    QCOMPARE(header.exitCode, 1);
    QVERIFY(header.err.endsWith(QStringLiteral("has a header but no data rows\n")));
}

void TestDataCli::folderAndColumnOverride() {
    const Result folder = run({"data", "check", m_dir.filePath("img"), "--quick"});
    // One folder of images and no class sub-folders.
    QCOMPARE(folder.exitCode, 1);
    QVERIFY2(folder.err.contains(QStringLiteral("has no sub-folders; expected one sub-folder of "
                                                "images per class")),
             qPrintable(folder.err));
    const QString path = csv("grades.csv", "images,labels,grade\n"
                                           "img/SOB_B_F-14-1AB-400-001.png,benign,low\n"
                                           "img/SOB_M_DC-14-2-400-001.png,malignant,high\n");
    const Result byGrade = run({"data", "check", path, "--label-column", "grade"});
    QCOMPARE(byGrade.exitCode, 0);
    QVERIFY(byGrade.out.contains(QStringLiteral("labels: 'grade'")));
    QVERIFY(byGrade.out.contains(QStringLiteral("  high       1\n  low        1\n")));
}

void TestDataCli::usageErrors_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("err");
    QTest::newRow("no action") << QStringList{"data"} << 2
                               << "torchcanvas data: missing the action: 'torchcanvas data check "
                                  "CSV_OR_FOLDER [--json]'\n";
    QTest::newRow("unknown action") << QStringList{"data", "fix", "x.csv"} << 2
                                    << "torchcanvas data: unknown action 'fix' (expected "
                                       "'check')\n";
    QTest::newRow("check without a source")
        << QStringList{"data", "check"} << 2
        << "torchcanvas data check: missing CSV_OR_FOLDER (see 'torchcanvas data check --help')\n";
    QTest::newRow("unknown option") << QStringList{"data", "check", "x.csv", "--bogus"} << 2
                                    << "torchcanvas data check: Unknown option 'bogus'. (see "
                                       "'torchcanvas data check --help')\n";
    QTest::newRow("help") << QStringList{"data", "--help"} << 0 << "";
    QTest::newRow("check help") << QStringList{"data", "check", "--help"} << 0 << "";
}

void TestDataCli::usageErrors() {
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, err);
    const Result result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QCOMPARE(result.err, err);
    if (exitCode == 0)
        QVERIFY(result.out.startsWith(QStringLiteral("Usage: torchcanvas data")));
}

QTEST_GUILESS_MAIN(TestDataCli)
#include "tst_datacli.moc"
