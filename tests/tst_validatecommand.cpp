// `torchcanvas validate FILE [--json] [--classes N]` as a user runs it.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString kExample =
    QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/breast-cancer.tcproj");

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result validate(const QStringList& arguments) {
    QProcess process;
    process.start(QStringLiteral(TORCHCANVAS_BINARY),
                  QStringList{QStringLiteral("validate")} + arguments);
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

QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

/// The line of the node listing for `label`, e.g. "  #2  ResNet50  [2048]".
QString nodeLine(const QString& out, const QString& label) {
    const QRegularExpression pattern(
        QStringLiteral("^  #\\d+ +%1 +(\\S.*)$").arg(QRegularExpression::escape(label)),
        QRegularExpression::MultilineOption);
    return pattern.match(out).captured(1);
}

} // namespace

class TestValidateCommand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exampleIsValid();
    void exampleAsJson();
    void classCountMismatchFails();
    void invalidGraphFails();
    void unreadableFilesFail_data();
    void unreadableFilesFail();
    void badCommandLine_data();
    void badCommandLine();
};

void TestValidateCommand::exampleIsValid() {
    const Result result = validate({kExample});
    QVERIFY2(result.exitCode == 0, qPrintable(result.out + result.err));
    QCOMPARE(nodeLine(result.out, QStringLiteral("ResNet50")), QStringLiteral("[2048]"));
    QCOMPARE(nodeLine(result.out, QStringLiteral("Dense 128 ReLU")), QStringLiteral("[128]"));
    QCOMPARE(nodeLine(result.out, QStringLiteral("Dense 64 ReLU")), QStringLiteral("[64]"));
    QCOMPARE(nodeLine(result.out, QStringLiteral("Dense 2 Softmax")), QStringLiteral("[2]"));
    QCOMPARE(nodeLine(result.out, QStringLiteral("Output")), QStringLiteral("[2]"));
    // Listed in model order.
    QVERIFY(result.out.indexOf(QStringLiteral("ResNet50")) <
            result.out.indexOf(QStringLiteral("Dense 128 ReLU")));
    const bool demoData =
        QFileInfo::exists(QStringLiteral(TORCHCANVAS_SOURCE_DIR "/demo-data/dataset.csv"));
    if (demoData) {
        QVERIFY(result.out.contains(QStringLiteral("Valid: 0 errors, 0 warnings.")));
    } else {
        // The demo data set is generated later; its absence is a warning only.
        QVERIFY2(
            result.out.contains(QStringLiteral("  warning  Input 3\u00d7224\u00d7224 (#1): the "
                                               "data set '")),
            qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("Valid: 0 errors, 1 warning.")));
    }
    QVERIFY(result.err.isEmpty());
}

void TestValidateCommand::exampleAsJson() {
    const Result result = validate({kExample, QStringLiteral("--json")});
    QCOMPARE(result.exitCode, 0);
    QJsonParseError error;
    const QJsonObject report = QJsonDocument::fromJson(result.out.toUtf8(), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(report.value("valid").toBool(), true);
    QCOMPARE(report.value("errors").toInt(), 0);
    QCOMPARE(report.value("name").toString(),
             QStringLiteral("Breast cancer histology (BreaKHis 400X)"));
    const QJsonArray nodes = report.value("nodes").toArray();
    QCOMPARE(nodes.size(), 6);
    QStringList summary;
    for (const QJsonValue& node : nodes) {
        const QJsonObject object = node.toObject();
        summary.append(QStringLiteral("%1:%2:%3")
                           .arg(object.value("id").toInt())
                           .arg(object.value("type").toString())
                           .arg(QString::fromUtf8(QJsonDocument(object.value("shape").toArray())
                                                      .toJson(QJsonDocument::Compact))));
    }
    QCOMPARE(summary, (QStringList{"1:Input:[3,224,224]", "2:ResNet:[2048]", "3:Dense:[128]",
                                   "4:Dense:[64]", "5:Dense:[2]", "6:Output:[2]"}));
    for (const QJsonValue& problem : report.value("problems").toArray())
        QCOMPARE(problem.toObject().value("severity").toString(), QStringLiteral("warning"));
}

void TestValidateCommand::classCountMismatchFails() {
    const Result result = validate({kExample, QStringLiteral("--classes"), QStringLiteral("3")});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(
        result.out.contains(QStringLiteral("  error    Output (#6): the data set has 3 classes "
                                           "but Output receives 2 values; give the last "
                                           "layer 3 units")),
        qPrintable(result.out));
    QVERIFY(result.out.contains(QStringLiteral("Invalid: 1 error, ")));
    QCOMPARE(validate({kExample, QStringLiteral("--classes"), QStringLiteral("2")}).exitCode, 0);
}

void TestValidateCommand::invalidGraphFails() {
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    QByteArray text = readFile(kExample);
    // Unlink Dense 64 → Dense 2 and turn Dense 128's activation into softmax.
    const int link = text.indexOf("\"id\": 4,\n                \"from\": {\"node\": 4");
    QVERIFY(link > 0);
    text.replace(link, QByteArray("\"id\": 4,\n                \"from\": {\"node\": 4").size(),
                 "\"id\": 4,\n                \"from\": {\"node\": 1");
    text.replace("{\"activation\": \"relu\", \"batchNorm\": false, \"dropout\": 0, \"units\": 128}",
                 "{\"activation\": \"softmax\", \"batchNorm\": false, \"dropout\": 0, \"units\": "
                 "128}");
    const QString path = directory.filePath(QStringLiteral("broken.tcproj"));
    QVERIFY(writeFile(path, text));

    const Result result = validate({path});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(
        result.out.contains(QStringLiteral("  error    Dense 128 Softmax (#3): softmax belongs "
                                           "only on the last layer")),
        qPrintable(result.out));
    QVERIFY2(result.out.contains(QStringLiteral("  warning  Dense 64 ReLU (#4): output 'out' is "
                                                "not connected to anything")),
             qPrintable(result.out));
    // Dense 2 now reads the image directly: it still infers, flattening [3, 224, 224].
    QCOMPARE(nodeLine(result.out, QStringLiteral("Dense 2 Softmax")), QStringLiteral("[2]"));
    QVERIFY(result.out.contains(QStringLiteral("Invalid: ")));

    const Result json = validate({path, QStringLiteral("--json")});
    QCOMPARE(json.exitCode, 1);
    const QJsonObject report = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(report.value("valid").toBool(), false);
    bool found = false;
    for (const QJsonValue& value : report.value("problems").toArray()) {
        const QJsonObject problem = value.toObject();
        if (problem.value("node").toInt() == 4 && problem.value("port").isObject()) {
            QCOMPARE(problem.value("port").toObject().value("side").toString(),
                     QStringLiteral("output"));
            QCOMPARE(problem.value("port").toObject().value("index").toInt(), 0);
            found = true;
        }
    }
    QVERIFY(found);
}

void TestValidateCommand::unreadableFilesFail_data() {
    QTest::addColumn<QByteArray>("content"); // null: no file at all
    QTest::addColumn<QString>("reason");     // after "torchcanvas validate: <path>: "
    QTest::newRow("missing") << QByteArray() << "no such file";
    QTest::newRow("syntax error") << QByteArray(
                                         "{\n  \"format\": \"torchcanvas-project\",\n  oops\n}")
                                  << "line 3, column 4: JSON syntax error: unterminated object";
    QTest::newRow("newer version")
        << QByteArray(R"({"format": "torchcanvas-project", "version": 7})")
        << "was saved by a newer TorchCanvas (project format version 7); this version reads up to "
           "version 1. Update TorchCanvas to open it";
}

void TestValidateCommand::unreadableFilesFail() {
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    QTemporaryDir directory;
    const QString path = directory.filePath(QStringLiteral("project.tcproj"));
    if (!content.isNull())
        QVERIFY(writeFile(path, content));
    const Result result = validate({path});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.err, QStringLiteral("torchcanvas validate: %1: %2\n")
                             .arg(QDir::toNativeSeparators(path), reason));
    QVERIFY(result.out.isEmpty());

    const Result json = validate({path, QStringLiteral("--json")});
    QCOMPARE(json.exitCode, 1);
    const QJsonObject report = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(report.value("valid").toBool(), false);
    QVERIFY(report.value("error").toString().endsWith(reason));
}

void TestValidateCommand::badCommandLine_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("no file") << QStringList{} << "missing FILE";
    QTest::newRow("two files") << QStringList{"a.tcproj", "b.tcproj"} << "expected one FILE, got 2";
    QTest::newRow("unknown option") << QStringList{"--bogus", kExample} << "Unknown option 'bogus'";
    QTest::newRow("classes not a number") << QStringList{kExample, "--classes", "many"}
                                          << "--classes must be a whole number of at least 2, "
                                             "not 'many'";
    QTest::newRow("one class") << QStringList{kExample, "--classes", "1"}
                               << "--classes must be a whole number of at least 2, not '1'";
}

void TestValidateCommand::badCommandLine() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);
    const Result result = validate(arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.startsWith(QStringLiteral("torchcanvas validate: ")),
             qPrintable(result.err));
    QVERIFY2(result.err.contains(mentions), qPrintable(result.err));
    QCOMPARE(result.err.count(QLatin1Char('\n')), 1);
}

QTEST_GUILESS_MAIN(TestValidateCommand)
#include "tst_validatecommand.moc"
