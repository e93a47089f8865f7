// Grouping (BreaKHis, column, regex) and Split: patient-aware, stratified, seeded.

#include "core/data/DatasetTable.h"
#include "core/data/Grouping.h"
#include "core/data/PreparedDataset.h"
#include "core/data/Split.h"
#include "DataTestSupport.h"

#include <cmath>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace tc::data;

namespace {

/// A BreaKHis-like table: `benignPatients` and `malignantPatients` with uneven image counts
/// (between 3 and 3 + spread), imported with ImageCheck::Exists from empty files (the split
/// never reads pixels). Rows are written in a scrambled order.
QString writeBreakHisCsv(const QString& root, int benignPatients, int malignantPatients,
                         int spread = 20) {
    QStringList lines;
    int patient = 0;
    for (int cls = 0; cls < 2; ++cls) {
        const int patients = cls == 0 ? benignPatients : malignantPatients;
        for (int p = 0; p < patients; ++p, ++patient) {
            const int images = 3 + (patient * 7919) % (spread + 1);
            for (int s = 1; s <= images; ++s) {
                const QString name = QStringLiteral("SOB_%1_%2-14-%3AB-400-%4.png")
                                         .arg(cls == 0 ? "B" : "M", cls == 0 ? "F" : "DC")
                                         .arg(10000 + patient)
                                         .arg(s, 3, 10, QLatin1Char('0'));
                const QString path =
                    QStringLiteral("img/%1/%2").arg(cls == 0 ? "benign" : "malignant", name);
                tc::test::writeFile(root, path, "x");
                lines << path + QLatin1Char(',') + (cls == 0 ? "benign" : "malignant");
            }
        }
    }
    // Deterministic scramble, so that row order is not class order.
    for (int i = 0; i < lines.size(); ++i)
        lines.swapItemsAt(i, (i * 31 + 7) % lines.size());
    return tc::test::writeFile(root, "breakhis.csv",
                               ("images,labels\n" + lines.join('\n') + '\n').toUtf8());
}

DatasetTable importExists(const QString& csv) {
    ImportOptions options;
    options.check = ImageCheck::Exists;
    return DatasetTable::importCsv(csv, options);
}

} // namespace

class TestSplit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void breakHisNames_data();
    void breakHisNames();
    void groupingModes();
    void groupingErrors();
    void groupedSplitNeverSharesAPatient();
    void stratifiedSplitKeepsClassRatios_data();
    void stratifiedSplitKeepsClassRatios();
    void deterministicAndOrderIndependent();
    void seedsChangeTheSplit();
    void zeroPercentPartStaysEmpty();
    void splitFromColumn();
    void splitErrorsAndWarnings();
    void summaries();
    void preparedDataset();

private:
    QTemporaryDir m_dir;
    QString m_csv;
};

void TestSplit::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_csv = writeBreakHisCsv(m_dir.path(), 24, 58);
}

void TestSplit::breakHisNames_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("parts"); // class|subtype|year|slide|magnification|sequence|patient
    QTest::newRow("benign") << "SOB_B_F-14-29960AB-400-015.png"
                            << "B|F|14|29960AB|400|015|14-29960AB";
    QTest::newRow("malignant, path") << "data/train/malignant/SOB_M_DC-14-2523-40-010.png"
                                     << "M|DC|14|2523|40|010|14-2523";
    QTest::newRow("phyllodes") << "SOB_B_PT-14-21998AB-100-005.jpg"
                               << "B|PT|14|21998AB|100|005|14-21998AB";
    QTest::newRow("not BreaKHis") << "image_001.png"
                                  << "";
    QTest::newRow("wrong class letter") << "SOB_X_F-14-29960AB-400-015.png"
                                        << "";
    QTest::newRow("missing sequence") << "SOB_B_F-14-29960AB-400.png"
                                      << "";
}

void TestSplit::breakHisNames() {
    QFETCH(QString, name);
    QFETCH(QString, parts);
    const auto parsed = BreakHisName::parse(name);
    if (parts.isEmpty()) {
        QVERIFY(!parsed);
        return;
    }
    QVERIFY(parsed);
    QCOMPARE(QStringList({parsed->tumourClass, parsed->subtype, parsed->year, parsed->slide,
                          parsed->magnification, parsed->sequence, parsed->patient()})
                 .join('|'),
             parts);
}

void TestSplit::groupingModes() {
    QTemporaryDir dir;
    for (const char* name : {"a/SOB_B_F-14-100AB-400-001.png", "a/SOB_B_F-14-100AB-400-002.png",
                             "b/SOB_M_DC-14-200-400-001.png", "b/other_7.png"})
        tc::test::writeFile(dir.path(), name, "x");
    const QString csv = tc::test::writeFile(
        dir.path(), "g.csv",
        "images,labels,patient\na/SOB_B_F-14-100AB-400-001.png,benign,p1\n"
        "a/SOB_B_F-14-100AB-400-002.png,benign,p1\nb/SOB_M_DC-14-200-400-001.png,malignant,p2\n"
        "b/other_7.png,malignant,\n");
    const DatasetTable table = importExists(csv);
    QVERIFY(table.isUsable());

    GroupSettings settings;
    GroupAssignment none = Grouping::assign(table, settings);
    QCOMPARE(none.groupCount, 4);
    QVERIFY(none.warnings.empty());

    settings.mode = GroupSettings::Mode::BreakHis;
    const GroupAssignment breakHis = Grouping::assign(table, settings);
    QCOMPARE(breakHis.groupOfRow[0], QStringLiteral("14-100AB"));
    QCOMPARE(breakHis.groupOfRow[1], QStringLiteral("14-100AB"));
    QCOMPARE(breakHis.groupOfRow[2], QStringLiteral("14-200"));
    QCOMPARE(breakHis.groupCount, 3);
    QCOMPARE(breakHis.warnings.size(), size_t(1));
    QCOMPARE(breakHis.warnings[0].line, 5);
    QCOMPARE(breakHis.warnings[0].file, csv);
    QCOMPARE(breakHis.warnings[0].code, DiagnosticCode::GroupNotFound);
    QCOMPARE(breakHis.warnings[0].severity, Severity::Warning);
    QCOMPARE(breakHis.warnings[0].message,
             QStringLiteral("'b/other_7.png' is not a BreaKHis file name (SOB_<B|M>_<type>-<year>-"
                            "<patient>-<magnification>-<seq>); it is kept as a group of its own"));
    QCOMPARE(Grouping::breakHisShare(table), 0.75);

    settings.mode = GroupSettings::Mode::Column;
    settings.column = QStringLiteral("patient");
    const GroupAssignment column = Grouping::assign(table, settings);
    QCOMPARE(column.groupOfRow[0], QStringLiteral("p1"));
    QCOMPARE(column.groupOfRow[2], QStringLiteral("p2"));
    QCOMPARE(column.groupCount, 3);
    QCOMPARE(column.warnings.size(), size_t(1));
    QCOMPARE(
        column.warnings[0].message,
        QStringLiteral("'b/other_7.png' has an empty group; it is kept as a group of its own"));

    settings.mode = GroupSettings::Mode::Regex;
    settings.pattern = QStringLiteral("^SOB_._[A-Z]+-(?<group>\\d+-\\w+?)-\\d+-");
    const GroupAssignment named = Grouping::assign(table, settings);
    QCOMPARE(named.groupOfRow[0], QStringLiteral("14-100AB"));
    QCOMPARE(named.groupOfRow[2], QStringLiteral("14-200"));
    QCOMPARE(named.warnings.size(), size_t(1));
    QCOMPARE(named.warnings[0].message,
             QStringLiteral("'b/other_7.png' does not match the group pattern; it is kept as a "
                            "group of its own"));
    settings.pattern = QStringLiteral("_(\\d+)\\.png$"); // first capture group
    const GroupAssignment first = Grouping::assign(table, settings);
    QCOMPARE(first.groupOfRow[3], QStringLiteral("7"));
    settings.pattern = QStringLiteral("^SOB_B"); // whole match
    const GroupAssignment whole = Grouping::assign(table, settings);
    QCOMPARE(whole.groupOfRow[0], QStringLiteral("SOB_B"));
    QCOMPARE(whole.groupOfRow[1], QStringLiteral("SOB_B"));
    QCOMPARE(whole.warnings.size(), size_t(2));
}

void TestSplit::groupingErrors() {
    const DatasetTable table = importExists(m_csv);
    GroupSettings settings;
    settings.mode = GroupSettings::Mode::Column;
    settings.column = QStringLiteral("patient");
    QCOMPARE(Grouping::assign(table, settings).error,
             QStringLiteral("there is no group column named 'patient' (columns: images, labels)"));
    settings.mode = GroupSettings::Mode::Regex;
    settings.pattern = QStringLiteral("([");
    QVERIFY(Grouping::assign(table, settings)
                .error.startsWith(
                    QStringLiteral("the group pattern '([' is not a valid regular expression: ")));
}

void TestSplit::groupedSplitNeverSharesAPatient() {
    const DatasetTable table = importExists(m_csv);
    QVERIFY(table.isUsable());
    GroupSettings groupSettings;
    groupSettings.mode = GroupSettings::Mode::BreakHis;
    const GroupAssignment groups = Grouping::assign(table, groupSettings);
    QCOMPARE(groups.groupCount, 82);
    QVERIFY(groups.warnings.empty());
    const int n = int(table.rows().size());
    double worstDeviation = 0;
    for (quint64 seed = 0; seed < 100; ++seed) {
        SplitSettings settings;
        settings.seed = seed;
        const Split split = Split::make(table, settings, &groups);
        QVERIFY2(split.ok(), qPrintable(split.error()));
        QHash<QString, SplitPart> partOfPatient;
        for (int i = 0; i < n; ++i) {
            const QString& patient = groups.groupOfRow[size_t(i)];
            const auto found = partOfPatient.constFind(patient);
            if (found == partOfPatient.constEnd())
                partOfPatient.insert(patient, split.part(i));
            else
                QVERIFY2(
                    found.value() == split.part(i),
                    qPrintable(
                        QStringLiteral("seed %1: patient %2 in two parts").arg(seed).arg(patient)));
        }
        // Every part gets patients of both classes and stays near its share.
        for (int p = 0; p < 3; ++p)
            for (int c = 0; c < 2; ++c)
                QVERIFY(split.count(SplitPart(p), c) > 0);
        const double trainShare = double(split.count(SplitPart::Train)) / n;
        worstDeviation = std::max(worstDeviation, std::abs(trainShare - 0.7));
    }
    // Whole patients of 3 to 23 images: the packer still lands within 2 points.
    QVERIFY2(worstDeviation < 0.02, qPrintable(QString::number(worstDeviation)));
}

void TestSplit::stratifiedSplitKeepsClassRatios_data() {
    QTest::addColumn<int>("train");
    QTest::addColumn<int>("validation");
    QTest::addColumn<int>("test");
    QTest::newRow("70/20/10") << 70 << 20 << 10;
    QTest::newRow("80/10/10") << 80 << 10 << 10;
    QTest::newRow("60/40/0") << 60 << 40 << 0;
    QTest::newRow("33/33/34") << 33 << 33 << 34;
    QTest::newRow("100/0/0") << 100 << 0 << 0;
}

void TestSplit::stratifiedSplitKeepsClassRatios() {
    QFETCH(int, train);
    QFETCH(int, validation);
    QFETCH(int, test);
    const DatasetTable table = importExists(m_csv);
    std::vector<int> perClass(2, 0);
    for (const DatasetRow& row : table.rows())
        ++perClass[size_t(row.classIndex)];
    for (quint64 seed = 0; seed < 100; ++seed) {
        SplitSettings settings;
        settings.train = train;
        settings.validation = validation;
        settings.test = test;
        settings.grouped = false;
        settings.seed = seed;
        const Split split = Split::make(table, settings);
        QVERIFY(split.ok());
        const int percent[3] = {train, validation, test};
        for (int c = 0; c < 2; ++c) {
            int total = 0;
            for (int p = 0; p < 3; ++p) {
                const double exact = perClass[size_t(c)] * percent[p] / 100.0;
                const int count = split.count(SplitPart(p), c);
                QVERIFY2(std::abs(count - exact) < 1.0,
                         qPrintable(QStringLiteral("seed %1 class %2 part %3: %4 vs %5")
                                        .arg(seed)
                                        .arg(c)
                                        .arg(p)
                                        .arg(count)
                                        .arg(exact)));
                total += count;
            }
            QCOMPARE(total, perClass[size_t(c)]);
        }
    }
}

void TestSplit::deterministicAndOrderIndependent() {
    const DatasetTable table = importExists(m_csv);
    GroupSettings groupSettings;
    groupSettings.mode = GroupSettings::Mode::BreakHis;
    const GroupAssignment groups = Grouping::assign(table, groupSettings);
    SplitSettings settings;
    settings.seed = 7;

    // The same rows in another order (reversed CSV) get the same part, path by path.
    const QByteArray original = tc::test::readFile(m_csv);
    QList<QByteArray> lines = original.trimmed().split('\n');
    const QByteArray header = lines.takeFirst();
    std::reverse(lines.begin(), lines.end());
    const QString reversedCsv =
        tc::test::writeFile(m_dir.path(), "reversed.csv", header + '\n' + lines.join('\n') + '\n');
    const DatasetTable reversed = importExists(reversedCsv);
    const GroupAssignment reversedGroups = Grouping::assign(reversed, groupSettings);
    for (bool grouped : {true, false}) {
        settings.grouped = grouped;
        const Split a = Split::make(table, settings, &groups);
        const Split b = Split::make(table, settings, &groups);
        QCOMPARE(a.parts(), b.parts());
        const Split c = Split::make(reversed, settings, &reversedGroups);
        QHash<QString, SplitPart> byPath;
        for (int i = 0; i < int(table.rows().size()); ++i)
            byPath.insert(table.rows()[size_t(i)].path, a.part(i));
        for (int i = 0; i < int(reversed.rows().size()); ++i)
            QCOMPARE(c.part(i), byPath.value(reversed.rows()[size_t(i)].path));
    }
}

void TestSplit::seedsChangeTheSplit() {
    const DatasetTable table = importExists(m_csv);
    GroupSettings groupSettings;
    groupSettings.mode = GroupSettings::Mode::BreakHis;
    const GroupAssignment groups = Grouping::assign(table, groupSettings);
    for (bool grouped : {true, false}) {
        QSet<QString> distinct;
        for (quint64 seed = 0; seed < 10; ++seed) {
            SplitSettings settings;
            settings.seed = seed;
            settings.grouped = grouped;
            QString signature;
            const Split split = Split::make(table, settings, &groups);
            for (SplitPart part : split.parts())
                signature += QString::number(int(part));
            distinct.insert(signature);
        }
        QCOMPARE(distinct.size(), 10);
    }
}

void TestSplit::zeroPercentPartStaysEmpty() {
    const DatasetTable table = importExists(m_csv);
    GroupSettings groupSettings;
    groupSettings.mode = GroupSettings::Mode::BreakHis;
    const GroupAssignment groups = Grouping::assign(table, groupSettings);
    SplitSettings settings;
    settings.train = 80;
    settings.validation = 20;
    settings.test = 0;
    for (bool grouped : {true, false}) {
        settings.grouped = grouped;
        const Split split = Split::make(table, settings, &groups);
        QCOMPARE(split.count(SplitPart::Test), 0);
        QVERIFY(split.warnings().isEmpty());
    }
}

void TestSplit::splitFromColumn() {
    QTemporaryDir dir;
    QByteArray csv = "images,labels,fold\n";
    const char* folds[] = {"train", "Train",   " validation ", "val",
                           "test",  "TESTING", "dev",          "training"};
    for (int i = 0; i < 8; ++i) {
        const QString name = QStringLiteral("x/%1.png").arg(i);
        tc::test::writeFile(dir.path(), name, "x");
        csv += name.toUtf8() + (i % 2 ? ",a," : ",b,") + folds[i] + "\n";
    }
    const DatasetTable table = importExists(tc::test::writeFile(dir.path(), "f.csv", csv));
    QVERIFY(table.isUsable());
    SplitSettings settings;
    settings.column = QStringLiteral("fold");
    const Split split = Split::make(table, settings);
    QVERIFY2(split.ok(), qPrintable(split.error()));
    QCOMPARE(split.parts(),
             (std::vector<SplitPart>{SplitPart::Train, SplitPart::Train, SplitPart::Validation,
                                     SplitPart::Validation, SplitPart::Test, SplitPart::Test,
                                     SplitPart::Validation, SplitPart::Train}));
    QCOMPARE(split.rows(SplitPart::Test), (std::vector<int>{4, 5}));
}

void TestSplit::splitErrorsAndWarnings() {
    QTemporaryDir dir;
    QByteArray csv = "images,labels,fold\n";
    const char* folds[] = {"train", "trian", "test", "holdout", "x", "y", "train"};
    for (int i = 0; i < 7; ++i) {
        const QString name = QStringLiteral("x/%1.png").arg(i);
        tc::test::writeFile(dir.path(), name, "x");
        csv += name.toUtf8() + (i % 2 ? ",a," : ",b,") + folds[i] + "\n";
    }
    const DatasetTable table = importExists(tc::test::writeFile(dir.path(), "f.csv", csv));
    SplitSettings settings;
    settings.column = QStringLiteral("fold");
    const Split bad = Split::make(table, settings);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error(), QStringLiteral("the split column 'fold' must hold train, validation or "
                                         "test: line 3 has 'trian', line 5 has 'holdout', line 6 "
                                         "has 'x' and 1 more rows"));
    QVERIFY(bad.parts().empty());
    settings.column = QStringLiteral("nope");
    QCOMPARE(Split::make(table, settings).error(),
             QStringLiteral("there is no split column named 'nope' (columns: images, labels, "
                            "fold)"));

    // Groups of another table are refused rather than ignored.
    GroupAssignment stale;
    stale.groupOfRow = {QStringLiteral("a"), QStringLiteral("b")};
    stale.groupCount = 2;
    SplitSettings grouped;
    QCOMPARE(Split::make(table, grouped, &stale).error(),
             QStringLiteral("the groups were assigned for another table (2 rows, not 7)"));
    stale.error = QStringLiteral("there is no group column named 'x'");
    QCOMPARE(Split::make(table, grouped, &stale).error(), stale.error);

    // Two groups for three parts: one part must stay empty, and it is said.
    QTemporaryDir small;
    for (const char* name : {"SOB_B_F-14-1-400-001.png", "SOB_M_DC-14-2-400-001.png"})
        tc::test::writeFile(small.path(), name, "x");
    const DatasetTable two = importExists(tc::test::writeFile(
        small.path(), "two.csv",
        "images,labels\nSOB_B_F-14-1-400-001.png,b\nSOB_M_DC-14-2-400-001.png,m\n"));
    GroupSettings groupSettings;
    groupSettings.mode = GroupSettings::Mode::BreakHis;
    const GroupAssignment groups = Grouping::assign(two, groupSettings);
    const Split split = Split::make(two, SplitSettings{}, &groups);
    QVERIFY(split.ok());
    QVERIFY(!split.warnings().isEmpty());
    QVERIFY2(split.warnings().join(' ').contains(QStringLiteral("part is empty")),
             qPrintable(split.warnings().join(' ')));
}

void TestSplit::summaries() {
    QTemporaryDir dir;
    QByteArray csv = "images,labels\n";
    for (int i = 0; i < 20; ++i) {
        const QString name = QStringLiteral("x/%1.png").arg(i);
        tc::test::writeFile(dir.path(), name, "x");
        csv += name.toUtf8() + (i < 10 ? ",a\n" : ",b\n");
    }
    const DatasetTable table = importExists(tc::test::writeFile(dir.path(), "s.csv", csv));
    SplitSettings settings;
    settings.grouped = false;
    const Split split = Split::make(table, settings);
    QCOMPARE(split.toText(table.classNames()),
             QStringLiteral("train           14 images (a 7, b 7)\n"
                            "validation       4 images (a 2, b 2)\n"
                            "test             2 images (a 1, b 1)\n"));
    const QJsonObject json = split.toJson(table.classNames());
    QCOMPARE(json.value("train").toObject().value("images").toInt(), 14);
    QCOMPARE(json.value("test").toObject().value("classes").toObject().value("b").toInt(), 1);
}

void TestSplit::preparedDataset() {
    // The project's sections, end to end: import, BreaKHis groups, grouped split.
    DatasetSettings dataset;
    dataset.source = QFileInfo(m_csv).fileName();
    dataset.groups.mode = GroupSettings::Mode::BreakHis;
    ImportOptions options;
    options.check = ImageCheck::Exists;
    const PreparedDataset prepared =
        PreparedDataset::prepare(dataset, SplitSettings{}, m_dir.path(), options);
    QVERIFY2(prepared.ok(), qPrintable(prepared.error));
    QCOMPARE(prepared.groups.groupCount, 82);
    QCOMPARE(int(prepared.split.parts().size()), int(prepared.table.rows().size()));
    const Split expected = Split::make(prepared.table, SplitSettings{}, &prepared.groups);
    QCOMPARE(prepared.split.parts(), expected.parts());

    dataset.groups.mode = GroupSettings::Mode::Column;
    dataset.groups.column = QStringLiteral("patient");
    QCOMPARE(PreparedDataset::prepare(dataset, SplitSettings{}, m_dir.path(), options).error,
             QStringLiteral("there is no group column named 'patient' (columns: images, labels)"));
    dataset.groups = {};
    SplitSettings byColumn;
    byColumn.column = QStringLiteral("fold");
    QCOMPARE(PreparedDataset::prepare(dataset, byColumn, m_dir.path(), options).error,
             QStringLiteral("there is no split column named 'fold' (columns: images, labels)"));
    dataset.source = QStringLiteral("absent.csv");
    QCOMPARE(PreparedDataset::prepare(dataset, SplitSettings{}, m_dir.path(), options).error,
             QStringLiteral("'%1' does not exist").arg(m_dir.filePath("absent.csv")));
}

QTEST_GUILESS_MAIN(TestSplit)
#include "tst_split.moc"
