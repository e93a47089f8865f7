// CsvReader: RFC 4180 records, physical start lines, damaged records, encodings, fuzzing.

#include "core/data/CsvReader.h"

#include <QRandomGenerator>
#include <QtTest>

using tc::data::CsvReader;
using tc::data::DiagnosticCode;

namespace {

/// "line|field1|field2" per record, "!" appended for damaged ones: compact to compare.
QStringList flatten(const CsvReader::Document& document) {
    QStringList out;
    for (const auto& record : document.records) {
        QString text = QString::number(record.line);
        for (const QString& field : record.fields)
            text += QLatin1Char('|') + field;
        if (record.damaged)
            text += QLatin1Char('!');
        out << text;
    }
    return out;
}

} // namespace

class TestCsvReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void records_data();
    void records();
    void damagedRecords_data();
    void damagedRecords();
    void notText_data();
    void notText();
    void separatorDetection_data();
    void separatorDetection();
    void previewStopsEarly();
    void fuzzNeverCrashes();
};

void TestCsvReader::records_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("LF") << QByteArray("images,labels\na.png,benign\nb.png,malignant\n")
                        << QStringList{"1|images|labels", "2|a.png|benign", "3|b.png|malignant"};
    QTest::newRow("CRLF") << QByteArray("images,labels\r\na.png,benign\r\nb.png,malignant\r\n")
                          << QStringList{"1|images|labels", "2|a.png|benign", "3|b.png|malignant"};
    QTest::newRow("lone CR") << QByteArray("images,labels\ra.png,benign\r")
                             << QStringList{"1|images|labels", "2|a.png|benign"};
    QTest::newRow("no final newline") << QByteArray("images,labels\na.png,benign")
                                      << QStringList{"1|images|labels", "2|a.png|benign"};
    QTest::newRow("UTF-8 BOM") << QByteArray("\xef\xbb\xbfimages,labels\na.png,benign\n")
                               << QStringList{"1|images|labels", "2|a.png|benign"};
    QTest::newRow("quoted separator and quotes")
        << QByteArray("images,labels\n\"a, \"\"b\"\".png\",benign\n")
        << QStringList{"1|images|labels", "2|a, \"b\".png|benign"};
    QTest::newRow("quoted field spans lines: later lines count physical lines")
        << QByteArray("images,labels\n\"multi\nline.png\",benign\nc.png,malignant\n")
        << QStringList{"1|images|labels", "2|multi\nline.png|benign", "4|c.png|malignant"};
    QTest::newRow("CRLF inside quotes kept, counted once")
        << QByteArray("h1,h2\r\n\"x\r\ny\",z\r\nlast,row\r\n")
        << QStringList{"1|h1|h2", "2|x\r\ny|z", "4|last|row"};
    QTest::newRow("blank lines skipped, numbering kept")
        << QByteArray("images,labels\n\na.png,benign\n\r\n\nb.png,malignant\n\n")
        << QStringList{"1|images|labels", "3|a.png|benign", "6|b.png|malignant"};
    QTest::newRow("empty fields") << QByteArray("a,b,c\n,,\n\"\",x,\n")
                                  << QStringList{"1|a|b|c", "2|||", "3||x|"};
    QTest::newRow("quote inside unquoted field is a character")
        << QByteArray("a,b\n5\" disk.png,x\n") << QStringList{"1|a|b", "2|5\" disk.png|x"};
    QTest::newRow("spaces and non-ASCII kept")
        << QByteArray("images,labels\n dir with spaces/\xc3\xa9t\xc3\xa9 1.png ,b\xc3\xa9nin\n")
        << QStringList{"1|images|labels",
                       QStringLiteral("2| dir with spaces/\u00e9t\u00e9 1.png |b\u00e9nin")};
    QTest::newRow("only a header") << QByteArray("images,labels") << QStringList{"1|images|labels"};
    QTest::newRow("empty document") << QByteArray() << QStringList{};
    QTest::newRow("only blank lines") << QByteArray("\n\r\n\n") << QStringList{};
}

void TestCsvReader::records() {
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, expected);
    const CsvReader::Document document = CsvReader::parse(bytes);
    QVERIFY(document.notText.isEmpty());
    QCOMPARE(flatten(document), expected);
}

void TestCsvReader::damagedRecords_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("problem");

    QTest::newRow("text after closing quote")
        << QByteArray("a,b\n\"x\"y,z\nok,row\n") << QStringList{"1|a|b", "2|xy|z!", "3|ok|row"}
        << int(DiagnosticCode::MalformedQuoting)
        << QStringLiteral("text follows the closing quote of a field");
    QTest::newRow("unterminated quote swallows the rest")
        << QByteArray("a,b\nok,row\n\"never closed,x\nmore,rows\n")
        << QStringList{"1|a|b", "2|ok|row", "3|never closed,x\nmore,rows\n!"}
        << int(DiagnosticCode::MalformedQuoting)
        << QStringLiteral("a quoted field opened on line 3 is never closed; the rest of the "
                          "file was read as part of it");
    QTest::newRow("invalid UTF-8")
        << QByteArray("a,b\nbad\xff\xfe.png,x\nok,row\n")
        << QStringList{QStringLiteral("1|a|b"), QStringLiteral("2|bad\ufffd\ufffd.png|x!"),
                       QStringLiteral("3|ok|row")}
        << int(DiagnosticCode::InvalidEncoding)
        << QStringLiteral("the row is not valid UTF-8 text; save the CSV as UTF-8");
}

void TestCsvReader::damagedRecords() {
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, expected);
    QFETCH(int, code);
    QFETCH(QString, problem);
    const CsvReader::Document document = CsvReader::parse(bytes);
    QCOMPARE(flatten(document), expected);
    int damaged = 0;
    for (const auto& record : document.records) {
        if (!record.damaged)
            continue;
        ++damaged;
        QCOMPARE(int(record.code), code);
        QCOMPARE(record.problem, problem);
    }
    QCOMPARE(damaged, 1);
}

void TestCsvReader::notText_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QTest::newRow("UTF-16 LE") << QByteArray("\xff\xfei\0m\0", 6)
                               << QStringLiteral("it is UTF-16 text; save it as UTF-8 CSV");
    QTest::newRow("binary (PNG)") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)
                                  << QStringLiteral("it is a binary file, not CSV text");
}

void TestCsvReader::notText() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const CsvReader::Document document = CsvReader::parse(bytes);
    QCOMPARE(document.notText, reason);
    QVERIFY(document.records.empty());
}

void TestCsvReader::separatorDetection_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("separator");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("comma wins when present")
        << QByteArray("a;x,b\n1;2,3\n") << QStringLiteral(",") << QStringList{"1|a;x|b", "2|1;2|3"};
    QTest::newRow("semicolon") << QByteArray("images;labels\na.png;benign\n") << QStringLiteral(";")
                               << QStringList{"1|images|labels", "2|a.png|benign"};
    QTest::newRow("tab") << QByteArray("images\tlabels\na.png\tbenign\n") << QStringLiteral("\t")
                         << QStringList{"1|images|labels", "2|a.png|benign"};
}

void TestCsvReader::separatorDetection() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, separator);
    QFETCH(QStringList, expected);
    const CsvReader::Document document = CsvReader::parse(bytes);
    QCOMPARE(QString(document.separator), separator);
    QCOMPARE(flatten(document), expected);
}

void TestCsvReader::previewStopsEarly() {
    QByteArray bytes = "images,labels\n";
    for (int i = 0; i < 1000; ++i)
        bytes += "img" + QByteArray::number(i) + ".png,c" + QByteArray::number(i % 2) + "\n";
    const CsvReader::Document document = CsvReader::parse(bytes, 5);
    QCOMPARE(flatten(document), (QStringList{"1|images|labels", "2|img0.png|c0", "3|img1.png|c1",
                                             "4|img2.png|c0", "5|img3.png|c1"}));
}

void TestCsvReader::fuzzNeverCrashes() {
    // Random mixtures of the characters that matter, plus mutations of a valid file: the
    // reader must terminate, keep lines increasing and never lose a byte of an unquoted
    // field.
    QRandomGenerator random(1234);
    const char alphabet[] = {'a', ',', '"', '\n', '\r', ' ', '\xc3', '\xa9', ';', '\t', '\xff'};
    const QByteArray valid = "images,labels\n\"a,b.png\",benign\nc.png,\"mal\nignant\"\r\n";
    for (int round = 0; round < 3000; ++round) {
        QByteArray bytes;
        if (round % 2 == 0) {
            const int length = int(random.bounded(64));
            for (int i = 0; i < length; ++i)
                bytes += alphabet[random.bounded(int(sizeof(alphabet)))];
        } else {
            bytes = valid;
            const int edits = 1 + int(random.bounded(4));
            for (int e = 0; e < edits; ++e) {
                const int at = int(random.bounded(bytes.size()));
                if (random.bounded(2))
                    bytes[at] = alphabet[random.bounded(int(sizeof(alphabet)))];
                else
                    bytes.truncate(at);
                if (bytes.isEmpty())
                    break;
            }
        }
        const CsvReader::Document document = CsvReader::parse(bytes);
        int previous = 0;
        for (const auto& record : document.records) {
            QVERIFY2(record.line > previous, bytes.toHex().constData());
            QVERIFY(!record.fields.isEmpty());
            previous = record.line;
        }
        const int physicalLines = int(bytes.count('\n') + bytes.count('\r')) + 1;
        QVERIFY(previous <= physicalLines);
    }
}

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
