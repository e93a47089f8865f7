// SyntheticHistology and `torchcanvas demo-data`: layout, names, determinism, the difficulty
// knob, and a data set the importer reads without a single diagnostic.

#include "core/data/DatasetTable.h"
#include "core/data/Grouping.h"
#include "core/data/SyntheticHistology.h"
#include "core/graph/ExampleProject.h"
#include "core/graph/Project.h"
#include "DataTestSupport.h"

#include <opencv2/imgproc.hpp>
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace tc::data;

namespace {

SyntheticHistologyOptions smallOptions(const QString& directory) {
    SyntheticHistologyOptions options;
    options.directory = directory;
    options.benign = 6;
    options.malignant = 9;
    options.width = 96;
    options.height = 64;
    options.patients = 5;
    options.seed = 5;
    return options;
}

/// Relative path → bytes of every file below `root`.
QMap<QString, QByteArray> snapshot(const QString& root) {
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(QDir(root).relativeFilePath(path), tc::test::readFile(path));
    }
    return files;
}

/// Share of dark (nuclear) pixels: a one-number summary of an image's "malignancy".
double darkShare(const QString& path) {
    const cv::Mat image = cv::imread(path.toStdString(), cv::IMREAD_GRAYSCALE);
    return cv::countNonZero(image < 150) / double(image.total());
}

/// In-sample accuracy of the best single threshold on one feature: an optimistic estimate of
/// what a classifier reading that feature can reach.
double bestThresholdAccuracy(std::vector<std::pair<double, bool>> samples) {
    std::sort(samples.begin(), samples.end());
    const int n = int(samples.size());
    int positives = 0;
    for (const auto& sample : samples)
        positives += sample.second ? 1 : 0;
    int best = std::max(positives, n - positives);
    int positivesBelow = 0;
    for (int i = 0; i < n; ++i) {
        positivesBelow += samples[size_t(i)].second ? 1 : 0;
        const int negativesBelow = i + 1 - positivesBelow;
        // Predict malignant above the threshold.
        best = std::max(best, negativesBelow + (positives - positivesBelow));
    }
    return double(best) / n;
}

} // namespace

class TestDemoData : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void layoutNamesAndCsv();
    void importsWithoutDiagnostics();
    void sameSeedSameBytes();
    void difficultyMakesAccuracyInformative();
    void refusesToOverwrite();
    void validation_data();
    void validation();
    void commandLine();
    void withProjectSetsUpTheExample();
    void commandLineErrors_data();
    void commandLineErrors();
};

void TestDemoData::layoutNamesAndCsv() {
    QTemporaryDir dir;
    const SyntheticHistologyResult result = SyntheticHistology::generate(smallOptions(dir.path()));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.images, 15);
    QCOMPARE(result.benignPatients + result.malignantPatients, 5);
    QCOMPARE(result.benignPatients, 2); // 5 * 6 / 15
    QCOMPARE(result.csvPath, QDir(dir.path()).filePath("dataset.csv"));

    const QByteArray csv = tc::test::readFile(result.csvPath);
    QList<QByteArray> lines = csv.split('\n');
    QCOMPARE(lines.takeFirst(), QByteArray("images,labels"));
    QCOMPARE(lines.takeLast(), QByteArray()); // ends with a newline
    QCOMPARE(lines.size(), 15);
    const QRegularExpression row(QStringLiteral(
        R"(^data/train/(benign|malignant)/SOB_([BM])_(A|F|PT|TA|DC|LC|MC|PC)-14-\d{4,5}[A-Z]*-400-(\d{3})\.png,(benign|malignant)$)"));
    int benign = 0;
    for (const QByteArray& line : lines) {
        const QRegularExpressionMatch match = row.match(QString::fromUtf8(line));
        QVERIFY2(match.hasMatch(), line.constData());
        QCOMPARE(match.captured(1), match.captured(5));
        QCOMPARE(match.captured(2), match.captured(1) == QLatin1String("benign") ? "B" : "M");
        const bool benignSubtype = QStringList{"A", "F", "PT", "TA"}.contains(match.captured(3));
        QCOMPARE(benignSubtype, match.captured(1) == QLatin1String("benign"));
        benign += match.captured(1) == QLatin1String("benign") ? 1 : 0;
        const cv::Mat image = cv::imread(
            QDir(dir.path()).filePath(QString::fromUtf8(line.split(',').front())).toStdString(),
            cv::IMREAD_UNCHANGED);
        QCOMPARE(image.cols, 96);
        QCOMPARE(image.rows, 64);
        QCOMPARE(image.type(), CV_8UC3);
    }
    QCOMPARE(benign, 6);
    const QByteArray readme = tc::test::readFile(QDir(dir.path()).filePath("README.md"));
    QVERIFY(readme.startsWith("# SYNTHETIC histology demo data"));
    QVERIFY(readme.contains("NOT real tissue"));
}

void TestDemoData::importsWithoutDiagnostics() {
    QTemporaryDir dir;
    SyntheticHistologyOptions options = smallOptions(dir.path());
    options.benign = 12;
    options.malignant = 25;
    options.width = 700;
    options.height = 460;
    options.patients = 8;
    QVERIFY(SyntheticHistology::generate(options).ok());
    ImportOptions importOptions;
    importOptions.check = ImageCheck::Decode;
    const DatasetTable table =
        DatasetTable::importCsv(QDir(dir.path()).filePath("dataset.csv"), importOptions);
    QVERIFY(table.isUsable());
    QVERIFY(table.diagnostics().empty());
    QCOMPARE(table.classNames(), (QStringList{"benign", "malignant"}));
    const DatasetSummary summary = table.summary();
    QCOMPARE(summary.classes,
             (std::vector<std::pair<QString, int>>{{"benign", 12}, {"malignant", 25}}));
    QCOMPARE(summary.sizes, (std::map<std::pair<int, int>, int>{{{700, 460}, 37}}));
    QCOMPARE(summary.formats, (std::map<QString, int>{{"PNG", 37}}));

    // Every patient is of one class, and the BreaKHis preset finds them all.
    QCOMPARE(Grouping::breakHisShare(table), 1.0);
    GroupSettings groups;
    groups.mode = GroupSettings::Mode::BreakHis;
    const GroupAssignment assignment = Grouping::assign(table, groups);
    QCOMPARE(assignment.groupCount, 8);
    QHash<QString, QString> classOfPatient;
    for (size_t i = 0; i < table.rows().size(); ++i) {
        const QString& patient = assignment.groupOfRow[i];
        const QString& label = table.rows()[i].label;
        QCOMPARE(classOfPatient.value(patient, label), label);
        classOfPatient.insert(patient, label);
    }
}

void TestDemoData::sameSeedSameBytes() {
    QTemporaryDir one, two, three;
    SyntheticHistologyOptions options = smallOptions(one.path());
    options.threads = 1;
    QVERIFY(SyntheticHistology::generate(options).ok());
    options.directory = two.path();
    options.threads = 3; // other threads, other timing: same bytes
    QVERIFY(SyntheticHistology::generate(options).ok());
    const auto first = snapshot(one.path());
    QCOMPARE(first.size(), 17); // 15 images, dataset.csv, README.md
    QCOMPARE(snapshot(two.path()), first);

    options.directory = three.path();
    options.seed = 6;
    QVERIFY(SyntheticHistology::generate(options).ok());
    const auto other = snapshot(three.path());
    QCOMPARE(other.size(), 17);
    // Another seed: other patients (names), and other pixels image for image.
    QVERIFY(other.value("dataset.csv") != first.value("dataset.csv"));
    QList<QByteArray> firstImages, otherImages;
    for (auto it = first.begin(); it != first.end(); ++it)
        if (it.key().endsWith(QLatin1String(".png")))
            firstImages << it.value();
    for (auto it = other.begin(); it != other.end(); ++it)
        if (it.key().endsWith(QLatin1String(".png")))
            otherImages << it.value();
    QCOMPARE(otherImages.size(), firstImages.size());
    for (int i = 0; i < firstImages.size(); ++i)
        QVERIFY(otherImages[i] != firstImages[i]);
}

void TestDemoData::difficultyMakesAccuracyInformative() {
    // One feature (the share of dark, nuclear pixels) read with the best threshold: near
    // perfect at difficulty 0, informative but imperfect at the default, chance at 1.
    QList<QPair<double, double>> rows;
    for (double difficulty : {0.0, SyntheticHistology::kDefaultDifficulty, 1.0}) {
        QTemporaryDir dir;
        SyntheticHistologyOptions options;
        options.directory = dir.path();
        options.benign = 60;
        options.malignant = 60;
        options.width = 160;
        options.height = 120;
        options.patients = 30;
        options.seed = 3;
        options.difficulty = difficulty;
        QVERIFY(SyntheticHistology::generate(options).ok());
        const DatasetTable table =
            DatasetTable::importCsv(QDir(dir.path()).filePath("dataset.csv"));
        QVERIFY(table.isUsable());
        std::vector<std::pair<double, bool>> samples;
        for (const DatasetRow& row : table.rows())
            samples.emplace_back(darkShare(row.absolutePath),
                                 row.label == QLatin1String("malignant"));
        rows.append({difficulty, bestThresholdAccuracy(samples)});
    }
    const QString report = QStringLiteral("accuracy at difficulty 0: %1, %2: %3, 1: %4")
                               .arg(rows[0].second)
                               .arg(rows[1].first)
                               .arg(rows[1].second)
                               .arg(rows[2].second);
    QVERIFY2(rows[0].second >= 0.95, qPrintable(report));
    QVERIFY2(rows[1].second >= 0.7 && rows[1].second <= 0.95, qPrintable(report));
    QVERIFY2(rows[2].second <= 0.7, qPrintable(report));
    QVERIFY2(rows[0].second > rows[1].second && rows[1].second > rows[2].second,
             qPrintable(report));
}

void TestDemoData::refusesToOverwrite() {
    QTemporaryDir dir;
    SyntheticHistologyOptions options = smallOptions(dir.path());
    QVERIFY(SyntheticHistology::generate(options).ok());
    const SyntheticHistologyResult again = SyntheticHistology::generate(options);
    QCOMPARE(again.error, QStringLiteral("'%1' already holds a data set (dataset.csv); choose "
                                         "another folder or overwrite it")
                              .arg(dir.path()));
    // Overwriting with fewer images leaves no stale image behind.
    options.overwrite = true;
    options.benign = 2;
    options.malignant = 3;
    options.patients = 2;
    options.seed = 9;
    QVERIFY(SyntheticHistology::generate(options).ok());
    const DatasetTable table = DatasetTable::importFolder(QDir(dir.path()).filePath("data/train"));
    QCOMPARE(table.rows().size(), size_t(5));
}

void TestDemoData::validation_data() {
    QTest::addColumn<int>("benign");
    QTest::addColumn<int>("malignant");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("patients");
    QTest::addColumn<double>("difficulty");
    QTest::addColumn<QString>("error");
    QTest::newRow("fine") << 3 << 4 << 64 << 2 << 0.5 << QString();
    QTest::newRow("one class is fine") << 0 << 4 << 64 << 2 << 0.5 << QString();
    QTest::newRow("nothing") << 0 << 0 << 64 << 1 << 0.5
                             << "nothing to generate: --benign and --malignant are both 0";
    QTest::newRow("too small") << 3 << 4 << 16 << 2 << 0.5
                               << "the image size must be between 32 and 8192 pixels per side, "
                                  "not 16x64";
    QTest::newRow("too many patients") << 3 << 4 << 64 << 8 << 0.5
                                       << "8 patients cannot share 7 images: every patient needs "
                                          "at least one";
    QTest::newRow("one patient, two classes")
        << 3 << 4 << 64 << 1 << 0.5 << "at least 2 patients are needed (one per class)";
    QTest::newRow("difficulty") << 3 << 4 << 64 << 2 << 1.5
                                << "the difficulty must be between 0 and 1";
}

void TestDemoData::validation() {
    QFETCH(int, benign);
    QFETCH(int, malignant);
    QFETCH(int, width);
    QFETCH(int, patients);
    QFETCH(double, difficulty);
    QFETCH(QString, error);
    SyntheticHistologyOptions options;
    options.directory = QStringLiteral("/nonexistent");
    options.benign = benign;
    options.malignant = malignant;
    options.width = width;
    options.height = 64;
    options.patients = patients;
    options.difficulty = difficulty;
    QCOMPARE(SyntheticHistology::validate(options), error);
}

void TestDemoData::commandLine() {
    QTemporaryDir dir;
    const QString target = dir.filePath("demo dir");
    const tc::test::CommandResult result = tc::test::runTorchCanvas(
        {"demo-data", target, "--benign", "3", "--malignant", "4", "--size", "64x48", "--patients",
         "3", "--seed", "2", "--difficulty", "0.5"});
    const QString& out = result.out;
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(out.startsWith(QStringLiteral("Generating 7 SYNTHETIC histology images (3 benign, 4 "
                                           "malignant, 64x48, seed 2, difficulty 0.5) into ")),
             qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("7/7 images (100 %)")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("Wrote 7 SYNTHETIC images (3 benign, 4 malignant; 1 + 2 "
                                         "patients)")),
             qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("Not real patient data.")));
    const DatasetTable table = DatasetTable::importCsv(QDir(target).filePath("dataset.csv"));
    QVERIFY(table.isUsable());
    QCOMPARE(table.rows().front().image.width, 64);
    QCOMPARE(table.rows().front().image.height, 48);
}

void TestDemoData::withProjectSetsUpTheExample() {
    // What an installed copy does (its share/ folder is read-only and has no data): the data
    // and a copy of the built-in example project that reads it, anywhere the user can write.
    QTemporaryDir dir;
    const QString target = dir.filePath("example");
    const tc::test::CommandResult result = tc::test::runTorchCanvas(
        {"demo-data", target, "--benign", "3", "--malignant", "4", "--size", "64x48", "--patients",
         "3", "--quiet", "--with-project"});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QString projectPath = QDir(target).filePath("breast-cancer.tcproj");
    QVERIFY2(result.out.contains(QStringLiteral("Wrote the example project %1").arg(projectPath)),
             qPrintable(result.out));

    // The built-in copy is the shipped example, byte for byte.
    QFile shipped(
        QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/breast-cancer.tcproj"));
    QVERIFY(shipped.open(QIODevice::ReadOnly));
    QCOMPARE(tc::graph::exampleProjectJson(), shipped.readAll());

    QFile written(projectPath);
    QVERIFY(written.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(written.readAll()).object();
    QCOMPARE(json.value("dataset").toObject().value("source").toString(),
             QStringLiteral("dataset.csv"));
    tc::graph::Project example;
    tc::graph::Project project;
    QString error;
    QVERIFY2(project.load(projectPath, &error), qPrintable(error));
    QVERIFY(example.loadFromData(tc::graph::exampleProjectJson(), projectPath, &error));
    QCOMPARE(project.datasetSource(), QDir(target).filePath("dataset.csv"));
    QCOMPARE(project.graph().nodeCount(), example.graph().nodeCount());
    QCOMPARE(project.training(), example.training());
    const DatasetTable table = DatasetTable::importCsv(project.datasetSource());
    QVERIFY(table.isUsable());
    QCOMPARE(int(table.rows().size()), 7);
}

void TestDemoData::commandLineErrors_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("no folder") << QStringList{"demo-data"}
                               << "torchcanvas demo-data: missing the output folder DIR (see "
                                  "'torchcanvas demo-data --help')";
    QTest::newRow("bad size") << QStringList{"demo-data", "x", "--size", "700-460"}
                              << "torchcanvas demo-data: --size must look like 700x460, not "
                                 "'700-460'";
    QTest::newRow("bad count") << QStringList{"demo-data", "x", "--benign", "many"}
                               << "torchcanvas demo-data: --benign must be a whole number of 0 or "
                                  "more, not 'many'";
    QTest::newRow("bad difficulty") << QStringList{"demo-data", "x", "--difficulty", "2"}
                                    << "torchcanvas demo-data: --difficulty must be a number from "
                                       "0 to 1, not '2'";
    QTest::newRow("invalid combination")
        << QStringList{"demo-data", "x", "--benign", "1", "--malignant", "1", "--patients", "5"}
        << "torchcanvas demo-data: 5 patients cannot share 2 images: every patient needs at "
           "least one";
}

void TestDemoData::commandLineErrors() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const tc::test::CommandResult result = tc::test::runTorchCanvas(arguments);
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(result.err, message + QLatin1Char('\n'));
}

QTEST_GUILESS_MAIN(TestDemoData)
#include "tst_demodata.moc"
