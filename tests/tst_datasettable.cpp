// DatasetTable: CSV and folder import, every CSV edge case and every diagnostic, with the
// exact rows kept and the exact messages.

#include "core/data/DatasetTable.h"
#include "core/data/DataSettings.h"
#include "DataTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace tc::data;
using tc::test::patternImage;
using tc::test::readFile;
using tc::test::writeFile;
using tc::test::writeImage;

namespace {

QStringList keptRows(const DatasetTable& table) {
    QStringList out;
    for (const DatasetRow& row : table.rows())
        out << QStringLiteral("%1|%2|%3").arg(row.line).arg(row.path, row.label);
    return out;
}

QStringList diagnosticsOf(const DatasetTable& table) {
    QStringList out;
    for (const Diagnostic& d : table.diagnostics())
        out << QStringLiteral("%1|%2|%3").arg(d.line).arg(codeName(d.code), d.message);
    return out;
}

QString problemOf(const DatasetTable& table) {
    return table.problem()
               ? codeName(table.problem()->code) + QLatin1Char('|') + table.problem()->message
               : QString();
}

} // namespace

class TestDatasetTable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void csv_data();
    void csv();
    void decodeCheckFindsCorruptPixels();
    void diagnosticCarriesFileAndLine();
    void columnOverridesAndSettings();
    void folderImport();
    void folderProblems();
    void summaryCountsFormats();
    void numericLabelsSortNumerically();
    void fingerprint();
    void progressAndCancel();
    void toJsonReport();

private:
    QString csvPath(const QByteArray& bytes);

    QTemporaryDir m_dir;
    QString m_root;
};

void TestDatasetTable::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_root = m_dir.path();
    const cv::Mat small = patternImage(16, 12, CV_8UC3);
    for (const char* name : {"data/b1.png", "data/b2.png", "data/m1.png", "data/m2.png",
                             "data/a,b.png", "data/dir with spaces/\xc3\xa9t\xc3\xa9 1.png"})
        QVERIFY(!writeImage(m_root, QString::fromUtf8(name), small).isEmpty());
    QVERIFY(!writeFile(m_root, QStringLiteral("data/empty.png"), {}).isEmpty());
    QVERIFY(!writeFile(m_root, QStringLiteral("data/text.png"), "just some notes\n").isEmpty());
    QVERIFY(!writeFile(m_root, QStringLiteral("data/anim.gif"), "GIF89a\x01\x00\x01\x00\x00\x00")
                 .isEmpty());
    // A PNG cut in half ends inside its image data.
    const QString big =
        writeImage(m_root, QStringLiteral("data/big.png"), patternImage(64, 48, CV_8UC3));
    const QByteArray bigBytes = readFile(big);
    QVERIFY(!writeFile(m_root, QStringLiteral("data/trunc.png"), bigBytes.left(bigBytes.size() / 2))
                 .isEmpty());
    // Same length, damaged image data: only a full decode notices.
    QByteArray corrupt = bigBytes;
    const qsizetype idat = corrupt.indexOf("IDAT");
    for (qsizetype i = idat + 20; i < idat + 60; ++i)
        corrupt[i] = char(corrupt[i] ^ 0x5a);
    QVERIFY(!writeFile(m_root, QStringLiteral("data/corrupt.png"), corrupt).isEmpty());
}

QString TestDatasetTable::csvPath(const QByteArray& bytes) {
    QByteArray text = bytes;
    text.replace("@ROOT@", m_root.toUtf8());
    return writeFile(m_root, QStringLiteral("current.csv"), text);
}

void TestDatasetTable::csv_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("rows");
    QTest::addColumn<QStringList>("diagnostics");
    QTest::addColumn<QString>("problem");

    const QStringList bothClasses = {"2|data/b1.png|benign", "3|data/m1.png|malignant"};
    // b1 on line 2 and m1 on line 4, around a bad line 3.
    const QStringList aroundLine3 = {"2|data/b1.png|benign", "4|data/m1.png|malignant"};

    // Formats of the file itself.
    QTest::newRow("seed format") << QByteArray("images,labels\ndata/b1.png,benign\n"
                                               "data/m1.png,malignant\n")
                                 << bothClasses << QStringList{} << QString();
    QTest::newRow("CRLF, BOM, no final newline")
        << QByteArray("\xef\xbb\xbfimages,labels\r\ndata/b1.png,benign\r\ndata/m1.png,malignant")
        << bothClasses << QStringList{} << QString();
    QTest::newRow("lone CR line ends")
        << QByteArray("images,labels\rdata/b1.png,benign\rdata/m1.png,malignant\r") << bothClasses
        << QStringList{} << QString();
    QTest::newRow("quoted path with a comma")
        << QByteArray("images,labels\n\"data/a,b.png\",benign\ndata/m1.png,malignant\n")
        << QStringList{"2|data/a,b.png|benign", "3|data/m1.png|malignant"} << QStringList{}
        << QString();
    QTest::newRow("spaces and non-ASCII in the path")
        << QByteArray("images,labels\n\"data/dir with spaces/\xc3\xa9t\xc3\xa9 1.png\",benign\n"
                      "data/m1.png,malignant\n")
        << QStringList{QStringLiteral("2|data/dir with spaces/\u00e9t\u00e9 1.png|benign"),
                       "3|data/m1.png|malignant"}
        << QStringList{} << QString();
    QTest::newRow("absolute path")
        << QByteArray("images,labels\n@ROOT@/data/b1.png,benign\ndata/m1.png,malignant\n")
        << QStringList{QStringLiteral("2|%1/data/b1.png|benign").arg(m_root),
                       "3|data/m1.png|malignant"}
        << QStringList{} << QString();
    QTest::newRow("Windows separators")
        << QByteArray("images,labels\ndata\\b1.png,benign\ndata/m1.png,malignant\n")
        << QStringList{"2|data\\b1.png|benign", "3|data/m1.png|malignant"} << QStringList{}
        << QString();
    QTest::newRow("labels are trimmed")
        << QByteArray("images,labels\ndata/b1.png, benign \ndata/m1.png,malignant\n") << bothClasses
        << QStringList{} << QString();
    QTest::newRow("multi-line quoted field: lines are physical")
        << QByteArray("images,labels,notes\ndata/b1.png,benign,\"two\nlines\"\n"
                      "data/nope.png,benign,x\ndata/m1.png,malignant,\n")
        << QStringList{"2|data/b1.png|benign", "5|data/m1.png|malignant"}
        << QStringList{"4|missing-file|'data/nope.png' does not exist"} << QString();
    QTest::newRow("blank lines are skipped")
        << QByteArray("images,labels\n\ndata/b1.png,benign\n\n\ndata/m1.png,malignant\n\n")
        << QStringList{"3|data/b1.png|benign", "6|data/m1.png|malignant"} << QStringList{}
        << QString();

    // Every row diagnostic.
    QTest::newRow("missing file") << QByteArray(
                                         "images,labels\ndata/b1.png,benign\ndata/gone.png,benign\n"
                                         "data/m1.png,malignant\n")
                                  << QStringList{"2|data/b1.png|benign", "4|data/m1.png|malignant"}
                                  << QStringList{"3|missing-file|'data/gone.png' does not exist"}
                                  << QString();
    QTest::newRow("empty image file")
        << QByteArray("images,labels\ndata/empty.png,benign\n"
                      "data/b1.png,benign\n"
                      "data/m1.png,malignant\n")
        << QStringList{"3|data/b1.png|benign", "4|data/m1.png|malignant"}
        << QStringList{"2|unreadable-image|'data/empty.png' is empty (0 bytes)"} << QString();
    QTest::newRow("truncated image")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata/m1.png,malignant\n"
                      "data/trunc.png,malignant\n")
        << bothClasses
        << QStringList{"4|unreadable-image|'data/trunc.png' is truncated: the PNG ends inside "
                       "its IDAT chunk"}
        << QString();
    QTest::newRow("not an image")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata/text.png,benign\n"
                      "data/m1.png,malignant\n")
        << QStringList{"2|data/b1.png|benign", "4|data/m1.png|malignant"}
        << QStringList{"3|not-an-image|'data/text.png' is not an image (it is text)"} << QString();
    QTest::newRow("a folder is not an image")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata,benign\ndata/m1.png,malignant\n")
        << QStringList{"2|data/b1.png|benign", "4|data/m1.png|malignant"}
        << QStringList{"3|not-an-image|'data' is a folder, not an image"} << QString();
    QTest::newRow("unsupported format")
        << QByteArray("images,labels\ndata/anim.gif,benign\ndata/b1.png,benign\n"
                      "data/m1.png,malignant\n")
        << QStringList{"3|data/b1.png|benign", "4|data/m1.png|malignant"}
        << QStringList{"2|unsupported-format|'data/anim.gif' is a GIF image; TorchCanvas reads "
                       "PNG, JPEG, TIFF, BMP and WebP"}
        << QString();
    QTest::newRow("empty label")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata/b2.png,\ndata/m1.png,malignant\n")
        << aroundLine3 << QStringList{"3|empty-label|'data/b2.png' has an empty label"}
        << QString();
    QTest::newRow("whitespace-only label")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata/b2.png,\"  \"\n"
                      "data/m1.png,malignant\n")
        << aroundLine3 << QStringList{"3|empty-label|'data/b2.png' has an empty label"}
        << QString();
    QTest::newRow("empty path")
        << QByteArray("images,labels\ndata/b1.png,benign\n,benign\ndata/m1.png,malignant\n")
        << aroundLine3 << QStringList{"3|empty-path|the image path is empty"} << QString();
    QTest::newRow("duplicate path, also spelled differently")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata/m1.png,malignant\n"
                      "data/b1.png,benign\n./data/../data/b1.png,malignant\n")
        << bothClasses
        << QStringList{"4|duplicate-path|'data/b1.png' is already listed on line 2",
                       "5|duplicate-path|'./data/../data/b1.png' is already listed on line 2"}
        << QString();
    QTest::newRow("wrong number of fields")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata/b2.png,benign,extra\n"
                      "data/m2.png\ndata/m1.png,malignant\n")
        << QStringList{"2|data/b1.png|benign", "5|data/m1.png|malignant"}
        << QStringList{"3|wrong-field-count|expected 2 fields (images, labels) but found 3",
                       "4|wrong-field-count|expected 2 fields (images, labels) but found 1"}
        << QString();
    QTest::newRow("malformed quoting")
        << QByteArray("images,labels\ndata/b1.png,benign\n\"data/b2.png\"x,benign\n"
                      "data/m1.png,malignant\n")
        << aroundLine3
        << QStringList{"3|malformed-quoting|text follows the closing quote of a field"}
        << QString();
    QTest::newRow("invalid UTF-8 row")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata/\xff.png,benign\n"
                      "data/m1.png,malignant\n")
        << aroundLine3
        << QStringList{"3|invalid-encoding|the row is not valid UTF-8 text; save the CSV as "
                       "UTF-8"}
        << QString();
    QTest::newRow("several problems, reported by line")
        << QByteArray("images,labels\ndata/gone.png,benign\ndata/b1.png,\ndata/b1.png,benign\n"
                      "data/b1.png,benign\ndata/m1.png,malignant\n")
        << QStringList{"4|data/b1.png|benign", "6|data/m1.png|malignant"}
        << QStringList{"2|missing-file|'data/gone.png' does not exist",
                       "3|empty-label|'data/b1.png' has an empty label",
                       "5|duplicate-path|'data/b1.png' is already listed on line 4"}
        << QString();

    // Whole-file problems.
    QTest::newRow("empty CSV")
        << QByteArray() << QStringList{} << QStringList{}
        << QStringLiteral("empty-source|'%1' is empty").arg(QDir(m_root).filePath("current.csv"));
    QTest::newRow("blank lines only")
        << QByteArray("\n\n\r\n") << QStringList{} << QStringList{}
        << QStringLiteral("empty-source|'%1' is empty").arg(QDir(m_root).filePath("current.csv"));
    QTest::newRow("header only") << QByteArray("images,labels\n") << QStringList{} << QStringList{}
                                 << QStringLiteral("header-only|'%1' has a header but no data rows")
                                        .arg(QDir(m_root).filePath("current.csv"));
    QTest::newRow("one class")
        << QByteArray("images,labels\ndata/b1.png,benign\ndata/b2.png,benign\n"
                      "data/gone.png,malignant\n")
        << QStringList{"2|data/b1.png|benign", "3|data/b2.png|benign"}
        << QStringList{"4|missing-file|'data/gone.png' does not exist"}
        << QStringLiteral("one-class|only one class has usable images: 'benign' (2 images); a "
                          "classifier needs at least two");
    QTest::newRow("no usable rows")
        << QByteArray("images,labels\ndata/gone.png,benign\ndata/text.png,malignant\n")
        << QStringList{}
        << QStringList{"2|missing-file|'data/gone.png' does not exist",
                       "3|not-an-image|'data/text.png' is not an image (it is text)"}
        << QStringLiteral("no-usable-rows|none of the 2 rows can be used; line 2: "
                          "'data/gone.png' does not exist (see the diagnostics)");
    QTest::newRow("no image column")
        << QByteArray("name,kind\nalice,benign\nbob,malignant\n") << QStringList{} << QStringList{}
        << QStringLiteral("no-image-column|no column holds image paths (columns: name, kind); "
                          "name the image column");
    QTest::newRow("no label column can be told")
        << QByteArray("images,a,b\ndata/b1.png,x,y\ndata/m1.png,z,w\n") << QStringList{}
        << QStringList{}
        << QStringLiteral("no-label-column|cannot tell which column holds the labels (columns: "
                          "images, a, b); name the label column");
    QTest::newRow("only one column")
        << QByteArray("images\ndata/b1.png\ndata/m1.png\n") << QStringList{} << QStringList{}
        << QStringLiteral("no-label-column|there is no label column (columns: images)");
    QTest::newRow("not text")
        << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << QStringList{} << QStringList{}
        << QStringLiteral("invalid-encoding|'%1' is not a CSV file: it is a binary file, not "
                          "CSV text")
               .arg(QDir(m_root).filePath("current.csv"));
    QTest::newRow("damaged header")
        << QByteArray("\"images,labels\ndata/b1.png,benign\n") << QStringList{} << QStringList{}
        << QStringLiteral("malformed-quoting|the header (line 1) cannot be read: a quoted field "
                          "opened on line 1 is never closed; the rest of the file was read as "
                          "part of it");

    // Column detection.
    QTest::newRow("columns named otherwise")
        << QByteArray("diagnosis,file\nbenign,data/b1.png\nmalignant,data/m1.png\n") << bothClasses
        << QStringList{} << QString();
    QTest::newRow("columns found by content")
        << QByteArray("where,what\ndata/b1.png,benign\ndata/m1.png,malignant\n") << bothClasses
        << QStringList{} << QString();
    QTest::newRow("a split column is not the label")
        << QByteArray("where,what,part\ndata/b1.png,benign,train\ndata/m1.png,malignant,test\n")
        << bothClasses << QStringList{} << QString();
    QTest::newRow("semicolon separated")
        << QByteArray("images;labels\ndata/b1.png;benign\ndata/m1.png;malignant\n") << bothClasses
        << QStringList{} << QString();
}

void TestDatasetTable::csv() {
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, rows);
    QFETCH(QStringList, diagnostics);
    QFETCH(QString, problem);
    const QString path = csvPath(bytes);
    QVERIFY(!path.isEmpty());
    const DatasetTable table = DatasetTable::importCsv(path);
    QCOMPARE(keptRows(table), rows);
    QCOMPARE(diagnosticsOf(table), diagnostics);
    QCOMPARE(problemOf(table), problem);
    QCOMPARE(table.isUsable(), problem.isEmpty());
    for (const Diagnostic& diagnostic : table.diagnostics()) {
        QCOMPARE(diagnostic.file, path);
        QCOMPARE(diagnostic.severity, Severity::Error);
    }
    for (const DatasetRow& row : table.rows()) {
        QVERIFY2(QFileInfo(row.absolutePath).isFile(), qPrintable(row.absolutePath));
        QCOMPARE(row.image.format, ImageFormat::Png);
        QCOMPARE(row.classIndex, int(table.classNames().indexOf(row.label)));
    }
}

void TestDatasetTable::decodeCheckFindsCorruptPixels() {
    const QString path = csvPath("images,labels\ndata/b1.png,benign\ndata/corrupt.png,benign\n"
                                 "data/m1.png,malignant\n");
    ImportOptions options;
    options.check = ImageCheck::Header;
    const DatasetTable quick = DatasetTable::importCsv(path, options);
    QCOMPARE(keptRows(quick), (QStringList{"2|data/b1.png|benign", "3|data/corrupt.png|benign",
                                           "4|data/m1.png|malignant"}));
    options.check = ImageCheck::Decode;
    const DatasetTable full = DatasetTable::importCsv(path, options);
    QCOMPARE(keptRows(full), (QStringList{"2|data/b1.png|benign", "4|data/m1.png|malignant"}));
    QCOMPARE(diagnosticsOf(full),
             (QStringList{"3|unreadable-image|'data/corrupt.png' is corrupt: OpenCV could not "
                          "decode its pixels"}));
    // Exists only: no header read, so no image information either.
    options.check = ImageCheck::Exists;
    const DatasetTable exists = DatasetTable::importCsv(path, options);
    QCOMPARE(exists.rows().size(), size_t(3));
    QCOMPARE(exists.rows().front().image.format, ImageFormat::Unknown);
}

void TestDatasetTable::diagnosticCarriesFileAndLine() {
    const QString path = csvPath("images,labels\ndata/b1.png,benign\ndata/gone.png,benign\n"
                                 "data/m1.png,malignant\n");
    const DatasetTable table = DatasetTable::importCsv(path);
    QCOMPARE(table.diagnostics().size(), size_t(1));
    const Diagnostic& d = table.diagnostics().front();
    QCOMPARE(d.toString(),
             path + QStringLiteral(":3: error: missing-file: 'data/gone.png' does not exist"));
    const QJsonObject json = d.toJson();
    QCOMPARE(json.value("file").toString(), path);
    QCOMPARE(json.value("line").toInt(), 3);
    QCOMPARE(json.value("code").toString(), QStringLiteral("missing-file"));
    QCOMPARE(json.value("severity").toString(), QStringLiteral("error"));
}

void TestDatasetTable::columnOverridesAndSettings() {
    const QString path = csvPath("path,label,grade\ndata/b1.png,benign,low\n"
                                 "data/m1.png,malignant,high\ndata/b2.png,benign,high\n");
    ImportOptions options;
    options.labelColumn = QStringLiteral("grade");
    const DatasetTable byGrade = DatasetTable::importCsv(path, options);
    QCOMPARE(keptRows(byGrade),
             (QStringList{"2|data/b1.png|low", "3|data/m1.png|high", "4|data/b2.png|high"}));
    QCOMPARE(byGrade.classNames(), (QStringList{"high", "low"}));
    QCOMPARE(byGrade.columns().at(byGrade.labelColumn()), QStringLiteral("grade"));

    options.labelColumn = QStringLiteral("GRADE"); // case-insensitive fallback
    QCOMPARE(DatasetTable::importCsv(path, options).columns().at(2), QStringLiteral("grade"));

    options.labelColumn = QStringLiteral("stage");
    const DatasetTable missing = DatasetTable::importCsv(path, options);
    QCOMPARE(problemOf(missing), QStringLiteral("no-label-column|there is no label column named "
                                                "'stage' (columns: path, label, grade)"));
    options = {};
    options.imageColumn = QStringLiteral("picture");
    QCOMPARE(problemOf(DatasetTable::importCsv(path, options)),
             QStringLiteral("no-image-column|there is no image column named 'picture' (columns: "
                            "path, label, grade)"));

    // The project's "dataset" section: a source relative to the project folder.
    DatasetSettings settings;
    settings.source = QStringLiteral("current.csv");
    settings.labelColumn = QStringLiteral("grade");
    const DatasetTable fromSettings = DatasetTable::import(settings, m_root);
    QVERIFY(fromSettings.isUsable());
    QCOMPARE(fromSettings.classNames(), (QStringList{"high", "low"}));
    QCOMPARE(fromSettings.source(), QDir(m_root).filePath("current.csv"));
}

void TestDatasetTable::folderImport() {
    QTemporaryDir dir;
    const QString root = dir.path();
    const cv::Mat image = patternImage(20, 10, CV_8UC3);
    writeImage(root, "benign/b1.png", image);
    writeImage(root, "benign/nested/deeper/b2.jpg", image);
    writeImage(root, "malignant/m1.png", image);
    writeImage(root, "malignant/.hidden.png", image);
    writeImage(root, "malignant/.thumbs/m9.png", image);
    writeFile(root, "malignant/notes.txt", "not data");
    writeFile(root, "malignant/old.gif", "GIF89a\x01\x00\x01\x00");
    writeFile(root, "malignant/broken.png", "\x89PNG\r\n\x1a\n");
    writeImage(root, "stray.png", image); // not in a class folder: ignored
    const DatasetTable table = DatasetTable::importFolder(root);
    QVERIFY2(table.isUsable(), qPrintable(problemOf(table)));
    QCOMPARE(table.kind(), DatasetTable::SourceKind::Folder);
    QCOMPARE(keptRows(table),
             (QStringList{"0|benign/b1.png|benign", "0|benign/nested/deeper/b2.jpg|benign",
                          "0|malignant/m1.png|malignant"}));
    QCOMPARE(diagnosticsOf(table),
             (QStringList{"0|unreadable-image|'malignant/broken.png' is truncated: the PNG ends "
                          "inside its header",
                          "0|unsupported-format|'malignant/old.gif' is a GIF image; TorchCanvas "
                          "reads PNG, JPEG, TIFF, BMP and WebP"}));
    QCOMPARE(table.diagnostics().front().file, QDir(root).filePath("malignant/broken.png"));
    QCOMPARE(table.columns(), (QStringList{"images", "labels"}));
    const DatasetSummary summary = table.summary();
    QCOMPARE(summary.records, 5);
    QCOMPARE(summary.ignoredFiles, 1);
    QCOMPARE(summary.excluded, 2);
    // import() picks the folder importer for a folder.
    QCOMPARE(keptRows(DatasetTable::import(root)), keptRows(table));
}

void TestDatasetTable::folderProblems() {
    QTemporaryDir dir;
    const DatasetTable empty = DatasetTable::importFolder(dir.path());
    QCOMPARE(problemOf(empty), QStringLiteral("empty-source|'%1' has no sub-folders; expected one "
                                              "sub-folder of images per class")
                                   .arg(dir.path()));
    const DatasetTable missing = DatasetTable::importFolder(dir.filePath("nope"));
    QCOMPARE(problemOf(missing),
             QStringLiteral("source-not-found|'%1' does not exist").arg(dir.filePath("nope")));
    QCOMPARE(problemOf(DatasetTable::import(dir.filePath("nope.csv"))),
             QStringLiteral("source-not-found|'%1' does not exist").arg(dir.filePath("nope.csv")));

    writeImage(dir.path(), "benign/a.png", patternImage(8, 8, CV_8UC3));
    QDir(dir.path()).mkpath("malignant");
    const DatasetTable oneClass = DatasetTable::importFolder(dir.path());
    QCOMPARE(diagnosticsOf(oneClass),
             (QStringList{"0|empty-source|the class folder 'malignant' holds no images"}));
    QCOMPARE(oneClass.diagnostics().front().severity, Severity::Warning);
    QCOMPARE(problemOf(oneClass),
             QStringLiteral("one-class|only one class has usable images: 'benign' (1 images); a "
                            "classifier needs at least two"));
}

void TestDatasetTable::summaryCountsFormats() {
    QTemporaryDir dir;
    const QString root = dir.path();
    writeImage(root, "a/rgb.png", patternImage(30, 20, CV_8UC3));
    writeImage(root, "a/gray16.png", patternImage(30, 20, CV_16UC1));
    writeImage(root, "b/rgba.png", patternImage(10, 10, CV_8UC4));
    writeImage(root, "b/photo.jpg", patternImage(30, 20, CV_8UC3));
    writeImage(root, "b/scan.tif", patternImage(30, 20, CV_16UC3));
    writeImage(root, "b/old.bmp", patternImage(30, 20, CV_8UC3));
    writeImage(root, "b/web.webp", patternImage(30, 20, CV_8UC3));
    const DatasetTable table = DatasetTable::importFolder(root);
    QVERIFY2(table.diagnostics().empty(), qPrintable(diagnosticsOf(table).join('\n')));
    const DatasetSummary summary = table.summary();
    QCOMPARE(summary.classes, (std::vector<std::pair<QString, int>>{{"a", 2}, {"b", 5}}));
    QCOMPARE(summary.sizes, (std::map<std::pair<int, int>, int>{{{10, 10}, 1}, {{30, 20}, 6}}));
    QCOMPARE(summary.channels, (std::map<int, int>{{1, 1}, {3, 5}, {4, 1}}));
    QCOMPARE(summary.bitDepths, (std::map<int, int>{{8, 5}, {16, 2}}));
    QCOMPARE(summary.formats, (std::map<QString, int>{
                                  {"BMP", 1}, {"JPEG", 1}, {"PNG", 3}, {"TIFF", 1}, {"WebP", 1}}));
    QCOMPARE(summary.toText(), QStringLiteral("Rows: 7 read, 7 usable, 0 excluded\n"
                                              "Classes (2):\n"
                                              "  a       2\n"
                                              "  b       5\n"
                                              "Image sizes: 30x20 (6), 10x10 (1)\n"
                                              "Channels: 3 (5), 1 (1), 4 (1)\n"
                                              "Bit depth: 8 (5), 16 (2)\n"
                                              "Formats: PNG (3), BMP (1), JPEG (1), TIFF (1), "
                                              "WebP (1)"));
}

void TestDatasetTable::numericLabelsSortNumerically() {
    QTemporaryDir dir;
    for (const char* name : {"x/a.png", "x/b.png", "x/c.png"})
        writeImage(dir.path(), name, patternImage(8, 8, CV_8UC3));
    const QString path =
        writeFile(dir.path(), "labels.csv", "images,labels\nx/a.png,10\nx/b.png,2\nx/c.png,1\n");
    const DatasetTable table = DatasetTable::importCsv(path);
    QCOMPARE(table.classNames(), (QStringList{"1", "2", "10"}));
    QCOMPARE(table.rows()[0].classIndex, 2);
    QCOMPARE(table.rows()[1].classIndex, 1);
    QCOMPARE(table.rows()[2].classIndex, 0);
}

void TestDatasetTable::fingerprint() {
    QTemporaryDir dir;
    const QString root = dir.path();
    writeImage(root, "data/a.png", patternImage(8, 8, CV_8UC3, 1));
    writeImage(root, "data/b.png", patternImage(8, 8, CV_8UC3, 2));
    const QString forward =
        writeFile(root, "forward.csv", "images,labels\ndata/a.png,x\ndata/b.png,y\n");
    const QString backward =
        writeFile(root, "backward.csv", "labels,images\ny,data/b.png\nx,data/a.png\n");
    const QString relabelled =
        writeFile(root, "relabelled.csv", "images,labels\ndata/a.png,y\ndata/b.png,x\n");
    const QString first = DatasetTable::importCsv(forward).fingerprint();
    QVERIFY(first.startsWith(QStringLiteral("sha256:")));
    QCOMPARE(first.size(), 7 + 64);
    QCOMPARE(DatasetTable::importCsv(backward).fingerprint(), first);
    QVERIFY(DatasetTable::importCsv(relabelled).fingerprint() != first);
    QVERIFY(DatasetTable::importCsv(forward).fingerprint(DatasetTable::FingerprintMode::Content) !=
            first);

    // Content: the same after a copy elsewhere (new times), different after an edit.
    const QString contentBefore =
        DatasetTable::importCsv(forward).fingerprint(DatasetTable::FingerprintMode::Content);
    QTemporaryDir copy;
    for (const char* name : {"data/a.png", "data/b.png", "forward.csv"})
        writeFile(copy.path(), name, readFile(QDir(root).filePath(name)));
    const QString copied = QDir(copy.path()).filePath("forward.csv");
    QCOMPARE(DatasetTable::importCsv(copied).fingerprint(DatasetTable::FingerprintMode::Content),
             contentBefore);
    writeImage(copy.path(), "data/b.png", patternImage(8, 8, CV_8UC3, 3));
    QVERIFY(DatasetTable::importCsv(copied).fingerprint(DatasetTable::FingerprintMode::Content) !=
            contentBefore);
}

void TestDatasetTable::progressAndCancel() {
    QTemporaryDir dir;
    QByteArray csv = "images,labels\n";
    for (int i = 0; i < 40; ++i) {
        const QString name = QStringLiteral("img/%1.png").arg(i);
        writeImage(dir.path(), name, patternImage(8, 8, CV_8UC3, unsigned(i)));
        csv += name.toUtf8() + (i % 2 ? ",odd\n" : ",even\n");
    }
    const QString path = writeFile(dir.path(), "many.csv", csv);
    ImportOptions options;
    options.threads = 2;
    QList<QPair<int, int>> calls;
    options.progress = [&](int done, int total) {
        calls.append({done, total});
    };
    const DatasetTable table = DatasetTable::importCsv(path, options);
    QVERIFY(table.isUsable());
    QVERIFY(!calls.isEmpty());
    QCOMPARE(calls.last(), (QPair<int, int>(40, 40)));
    for (int i = 1; i < calls.size(); ++i)
        QVERIFY(calls[i].first >= calls[i - 1].first);

    // One thread: the cancel lands between two known items.
    std::atomic<bool> cancel{false};
    options.threads = 1;
    options.progress = [&](int done, int) {
        if (done >= 5)
            cancel.store(true);
    };
    options.cancel = &cancel;
    const DatasetTable canceled = DatasetTable::importCsv(path, options);
    QCOMPARE(problemOf(canceled), QStringLiteral("canceled|the import was canceled"));
    QVERIFY(canceled.rows().empty());
}

void TestDatasetTable::toJsonReport() {
    const QString path = csvPath("images,labels\ndata/b1.png,benign\ndata/gone.png,benign\n"
                                 "data/m1.png,malignant\n");
    const QJsonObject json = DatasetTable::importCsv(path).toJson();
    QCOMPARE(json.value("usable").toBool(), true);
    QCOMPARE(json.value("kind").toString(), QStringLiteral("csv"));
    QCOMPARE(json.value("imageColumn").toString(), QStringLiteral("images"));
    QCOMPARE(json.value("summary").toObject().value("usable").toInt(), 2);
    QCOMPARE(json.value("summary").toObject().value("excluded").toInt(), 1);
    QCOMPARE(json.value("diagnostics").toArray().size(), 1);
    QVERIFY(json.value("problem").isNull());
}

QTEST_GUILESS_MAIN(TestDatasetTable)
#include "tst_datasettable.moc"
