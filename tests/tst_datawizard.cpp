// The Data Wizard, offscreen, driven page by page on a small generated demo set (synthetic
// histology in the BreaKHis layout): source and recent sources, column detection, the scan on
// its worker thread (counts, thumbnails, every problem with its line, excluded rows, cancel),
// the split (live counts, groups, the BreaKHis warning), the preprocessing preview, and the
// settings it hands back. The screenshot test writes docs/images/wizard-*.png material.

#include "core/data/DatasetTable.h"
#include "core/data/Grouping.h"
#include "core/data/ImagePipeline.h"
#include "core/data/Split.h"
#include "core/data/SyntheticHistology.h"
#include "ui/data/CheckPage.h"
#include "ui/data/ColumnsPage.h"
#include "ui/data/DataWizard.h"
#include "ui/data/PreprocessingPage.h"
#include "ui/data/SourcePage.h"
#include "ui/data/SplitPage.h"
#include "ui/training/QCustomPlot.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using tc::data::SplitPart;
using tc::ui::DataWizard;

namespace {

constexpr int kBenign = 16;
constexpr int kMalignant = 24;
constexpr int kPatients = 8;

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(file.write(bytes), bytes.size());
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Clicks Next after checking that it is enabled, as a user would.
bool clickNext(QWizard& wizard) {
    QAbstractButton* next = wizard.button(QWizard::NextButton);
    if (!next->isVisible() || !next->isEnabled())
        return false;
    const int before = wizard.currentId();
    QTest::mouseClick(next, Qt::LeftButton);
    return wizard.currentId() != before;
}

QStringList columnTexts(const QTableWidget* table, int column) {
    QStringList texts;
    for (int row = 0; row < table->rowCount(); ++row)
        texts << (table->item(row, column) ? table->item(row, column)->text() : QString());
    return texts;
}

double barValue(QCustomPlot* chart, int index) {
    auto* bars = qobject_cast<QCPBars*>(chart->plottable(index));
    return bars && !bars->data()->isEmpty() ? bars->data()->begin()->value : -1.0;
}

} // namespace

class TestDataWizard : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sourcePageFollowsThePath();
    void recentSourcesAreKeptInOrder();
    void columnsAreDetected_data();
    void columnsAreDetected();
    void scanListsCountsThumbnailsAndProblems();
    void cancelStopsTheScan();
    void oneClassDataCannotContinue();
    void splitCountsFollowTheSettings();
    void breakHisWarningAndGroups();
    void regexGroupsAndErrors();
    void preprocessingPreviewUsesThePipeline();
    void resultsAfterFinishing();
    void folderSource();
    void startsFromProjectJson();
    void screenshots();

private:
    /// Opens a wizard on `source` and goes to the Check page, waiting for the scan.
    std::unique_ptr<DataWizard> wizardAtCheck(const QString& source);

    QTemporaryDir m_dir;
    QString m_demoCsv;    ///< the generated dataset.csv (40 good rows)
    QString m_badCsv;     ///< the same rows plus three bad ones at lines 42, 43, 44
    QString m_folder;     ///< data/train: one sub-folder per class
    QString m_someBenign; ///< a benign image path as the CSV writes it
    int m_demoPatients = 0;
};

void TestDataWizard::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TorchCanvasTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_datawizard"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());

    tc::data::SyntheticHistologyOptions options;
    options.directory = m_dir.filePath(QStringLiteral("demo"));
    options.benign = kBenign;
    options.malignant = kMalignant;
    options.width = 64;
    options.height = 48;
    options.patients = kPatients;
    options.seed = 7;
    const auto result = tc::data::SyntheticHistology::generate(options);
    QVERIFY2(result.ok(), qPrintable(result.error));
    m_demoCsv = result.csvPath;
    m_demoPatients = result.benignPatients + result.malignantPatients;
    m_folder = m_dir.filePath(QStringLiteral("demo/data/train"));

    // The demo CSV has a header and 40 rows (lines 2…41); three bad rows follow.
    const QByteArray demo = readFile(m_demoCsv);
    QVERIFY(demo.startsWith("images,labels"));
    const QList<QByteArray> lines = demo.trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + kBenign + kMalignant);
    for (const QByteArray& line : lines)
        if (line.endsWith(",benign") && m_someBenign.isEmpty())
            m_someBenign = QString::fromUtf8(line.left(line.indexOf(',')));
    QVERIFY(!m_someBenign.isEmpty());
    m_badCsv = m_dir.filePath(QStringLiteral("demo/with-problems.csv"));
    writeFile(m_badCsv, demo.trimmed() + "\ndata/train/benign/missing.png,benign\n" +
                            m_someBenign.toUtf8() + "x.png,\n" + m_someBenign.toUtf8() +
                            ",benign\n");
}

std::unique_ptr<DataWizard> TestDataWizard::wizardAtCheck(const QString& source) {
    auto wizard =
        std::make_unique<DataWizard>(tc::data::DatasetSettings{}, tc::data::SplitSettings{},
                                     tc::data::PreprocessingSettings{}, m_dir.path());
    wizard->show();
    if (!QTest::qWaitForWindowExposed(wizard.get()))
        return nullptr;
    wizard->sourcePage()->setSource(source);
    QSignalSpy finished(wizard->checkPage(), &tc::ui::CheckPage::scanFinished);
    if (!clickNext(*wizard) || !clickNext(*wizard))
        return nullptr;
    if (wizard->currentId() != DataWizard::CheckPageId)
        return nullptr;
    if (finished.isEmpty() && !finished.wait(30000))
        return nullptr;
    return wizard;
}

void TestDataWizard::sourcePageFollowsThePath() {
    DataWizard wizard(tc::data::DatasetSettings{}, tc::data::SplitSettings{},
                      tc::data::PreprocessingSettings{}, m_dir.path());
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    tc::ui::SourcePage* page = wizard.sourcePage();
    QVERIFY(!page->isComplete());
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());

    page->setSource(m_demoCsv);
    QVERIFY(page->isComplete());
    QVERIFY(!page->isFolderSource());
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    QVERIFY2(page->statusLabel()->text().startsWith(QStringLiteral("CSV file")),
             qPrintable(page->statusLabel()->text()));

    page->setSource(m_folder);
    QVERIFY(page->isComplete());
    QVERIFY(page->isFolderSource());
    QVERIFY(page->findChild<QRadioButton*>(QStringLiteral("folderButton"))->isChecked());
    QVERIFY2(page->statusLabel()->text().contains(QStringLiteral("benign, malignant")),
             qPrintable(page->statusLabel()->text()));

    page->setSource(m_dir.filePath(QStringLiteral("nowhere.csv")));
    QVERIFY(!page->isComplete());
    QVERIFY(page->statusLabel()->text().contains(QStringLiteral("does not exist")));
    QVERIFY(!wizard.validateCurrentPage());

    // Relative paths are relative to the project folder.
    page->setSource(QStringLiteral("demo/dataset.csv"));
    QVERIFY(page->isComplete());
    QCOMPARE(page->source(), m_demoCsv);
}

void TestDataWizard::recentSourcesAreKeptInOrder() {
    DataWizard::clearRecentSources();
    QVERIFY(DataWizard::recentSources().isEmpty());
    for (int i = 0; i < DataWizard::kMaxRecentSources + 2; ++i)
        DataWizard::addRecentSource(m_dir.filePath(QStringLiteral("source%1.csv").arg(i)));
    DataWizard::addRecentSource(m_demoCsv);
    DataWizard::addRecentSource(m_folder);
    DataWizard::addRecentSource(m_demoCsv); // moves to the front, no duplicate
    const QStringList recent = DataWizard::recentSources();
    QCOMPARE(recent.size(), DataWizard::kMaxRecentSources);
    QCOMPARE(recent.at(0), m_demoCsv);
    QCOMPARE(recent.at(1), m_folder);
    QCOMPARE(recent.count(m_demoCsv), 1);

    DataWizard wizard(tc::data::DatasetSettings{}, tc::data::SplitSettings{},
                      tc::data::PreprocessingSettings{}, m_dir.path());
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    QListWidget* list = wizard.sourcePage()->recentList();
    QCOMPARE(list->count(), DataWizard::kMaxRecentSources);
    QCOMPARE(list->item(0)->data(Qt::UserRole).toString(), m_demoCsv);
    // Sources that are gone are shown but cannot be chosen.
    QVERIFY(!(list->item(2)->flags() & Qt::ItemIsEnabled));
    list->setCurrentRow(1);
    Q_EMIT list->itemActivated(list->item(1));
    QCOMPARE(wizard.sourcePage()->source(), m_folder);
    QVERIFY(wizard.sourcePage()->isFolderSource());
    DataWizard::clearRecentSources();
}

void TestDataWizard::columnsAreDetected_data() {
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("image");
    QTest::addColumn<QString>("label");

    QTest::newRow("seed format") << QByteArray("images,labels\na.png,benign\nb.png,malignant\n")
                                 << "images"
                                 << "labels";
    QTest::newRow("named other ways, other order")
        << QByteArray("patient,diagnosis,file_name\np1,benign,a.png\np2,malignant,b.png\n")
        << "file_name"
        << "diagnosis";
    QTest::newRow("by content") << QByteArray(
                                       "x,y_true,split\nimg/a.jpg,cat,train\nimg/b.jpg,dog,test\n")
                                << "x"
                                << "y_true";
}

void TestDataWizard::columnsAreDetected() {
    QFETCH(QByteArray, csv);
    QFETCH(QString, image);
    QFETCH(QString, label);
    const QString path = m_dir.filePath(QStringLiteral("columns.csv"));
    writeFile(path, csv);

    DataWizard wizard(tc::data::DatasetSettings{}, tc::data::SplitSettings{},
                      tc::data::PreprocessingSettings{}, m_dir.path());
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    wizard.sourcePage()->setSource(path);
    QVERIFY(clickNext(wizard));
    tc::ui::ColumnsPage* page = wizard.columnsPage();
    QCOMPARE(wizard.currentId(), int(DataWizard::ColumnsPageId));
    QCOMPARE(page->imageColumn(), image);
    QCOMPARE(page->labelColumn(), label);
    QCOMPARE(page->previewTable()->rowCount(), 2);
    QCOMPARE(page->previewTable()->columnCount(), 3 - (csv.startsWith("images") ? 1 : 0));
    QCOMPARE(page->previewTable()->verticalHeaderItem(0)->text(), QStringLiteral("line 2"));
    QVERIFY(page->isComplete());

    // The user may change them; one column cannot be both.
    QVERIFY(page->setColumns(image, image));
    QVERIFY(!page->isComplete());
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    QVERIFY(page->statusLabel()->text().contains(QStringLiteral("different columns")));
    QVERIFY(page->setColumns(image, label));
    QVERIFY(page->isComplete());
    QVERIFY(!page->setColumns(QStringLiteral("no such column"), label));
    QCOMPARE(wizard.datasetSettings().imageColumn, image);
    QCOMPARE(wizard.datasetSettings().labelColumn, label);
}

void TestDataWizard::scanListsCountsThumbnailsAndProblems() {
    auto wizard = wizardAtCheck(m_badCsv);
    QVERIFY(wizard);
    tc::ui::CheckPage* page = wizard->checkPage();
    QVERIFY(!page->isScanning());
    QCOMPARE(page->progressBar()->value(), page->progressBar()->maximum());
    QVERIFY(page->isComplete());
    QVERIFY(wizard->button(QWizard::NextButton)->isEnabled());

    // Class counts, in the chart and in the results.
    QCOMPARE(wizard->classNames(),
             (QStringList{QStringLiteral("benign"), QStringLiteral("malignant")}));
    QCOMPARE(wizard->classCounts(), (std::vector<int>{kBenign, kMalignant}));
    QCOMPARE(page->classChart()->plottableCount(), 2);
    QCOMPARE(barValue(page->classChart(), 0), double(kBenign));
    QCOMPARE(barValue(page->classChart(), 1), double(kMalignant));
    QVERIFY2(page->summaryLabel()->text().contains(QStringLiteral("<b>43</b> rows read")),
             qPrintable(page->summaryLabel()->text()));
    QVERIFY(page->summaryLabel()->text().contains(QStringLiteral("<b>3</b> excluded")));
    QVERIFY(page->summaryLabel()->text().contains(QStringLiteral("64×48 (40)")));

    // Thumbnails of every class, decoded.
    QCOMPARE(page->thumbnailCount(0), 10);
    QCOMPARE(page->thumbnailCount(1), 10);
    auto* list = page->findChild<QListWidget*>(QStringLiteral("thumbnails_0"));
    QVERIFY(list);
    QVERIFY(!list->item(0)->icon().isNull());
    QVERIFY(list->item(0)->toolTip().startsWith(QStringLiteral("data/train/benign/")));

    // Every problem with its line and reason.
    QTableWidget* problems = page->problemTable();
    QCOMPARE(problems->rowCount(), 3);
    QCOMPARE(columnTexts(problems, 0),
             (QStringList{QStringLiteral("42"), QStringLiteral("43"), QStringLiteral("44")}));
    QCOMPARE(columnTexts(problems, 1), QStringList(3, QStringLiteral("excluded")));
    QCOMPARE(columnTexts(problems, 2),
             (QStringList{QStringLiteral("missing-file"), QStringLiteral("empty-label"),
                          QStringLiteral("duplicate-path")}));
    QVERIFY(problems->item(0, 3)->text().contains(QStringLiteral("data/train/benign/missing.png")));
    QVERIFY(problems->item(2, 3)->text().contains(QStringLiteral("already listed on line")));
    QCOMPARE(page->detailTabs()->tabText(0), QStringLiteral("Problems (3)"));

    // The excluded rows as the CSV wrote them.
    QTableWidget* excluded = page->excludedTable();
    QCOMPARE(excluded->rowCount(), 3);
    QCOMPARE(excluded->horizontalHeaderItem(2)->text(), QStringLiteral("images"));
    QCOMPARE(excluded->horizontalHeaderItem(3)->text(), QStringLiteral("labels"));
    QCOMPARE(excluded->item(0, 2)->text(), QStringLiteral("data/train/benign/missing.png"));
    QCOMPARE(excluded->item(1, 2)->text(), m_someBenign + QStringLiteral("x.png"));
    QCOMPARE(excluded->item(1, 3)->text(), QString());
    QCOMPARE(excluded->item(2, 2)->text(), m_someBenign);
    QCOMPARE(page->detailTabs()->tabText(1), QStringLiteral("Excluded rows (3)"));

    // Back and forward again with the same columns: the result is kept, no new scan.
    QSignalSpy finished(page, &tc::ui::CheckPage::scanFinished);
    wizard->back();
    QVERIFY(clickNext(*wizard));
    QVERIFY(!page->isScanning());
    QCOMPARE(finished.count(), 0);
    QVERIFY(page->isComplete());
}

void TestDataWizard::cancelStopsTheScan() {
    DataWizard wizard(tc::data::DatasetSettings{}, tc::data::SplitSettings{},
                      tc::data::PreprocessingSettings{}, m_dir.path());
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    wizard.sourcePage()->setSource(m_badCsv);
    QVERIFY(clickNext(wizard));
    tc::ui::CheckPage* page = wizard.checkPage();
    QSignalSpy finished(page, &tc::ui::CheckPage::scanFinished);
    QSignalSpy canceled(page, &tc::ui::CheckPage::scanCanceled);
    QVERIFY(clickNext(wizard));
    // The scan runs on its own thread: the page is shown at once, scanning, Next disabled.
    QVERIFY(page->isScanning());
    QVERIFY(page->cancelButton()->isEnabled());
    QVERIFY(!page->rescanButton()->isEnabled());
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());

    QTest::mouseClick(page->cancelButton(), Qt::LeftButton);
    QCOMPARE(canceled.count(), 1);
    QVERIFY(!page->isScanning());
    QVERIFY(!page->isComplete());
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    QVERIFY(page->rescanButton()->isEnabled());
    QVERIFY(wizard.classNames().isEmpty());

    // Scanning again works, and the canceled scan's result never shows up.
    QTest::mouseClick(page->rescanButton(), Qt::LeftButton);
    QVERIFY(page->isScanning());
    QVERIFY(finished.wait(30000));
    QTRY_VERIFY(!page->isScanning());
    QCOMPARE(finished.count(), 1);
    QCOMPARE(page->problemTable()->rowCount(), 3);
    QVERIFY(page->isComplete());
    QCOMPARE(wizard.classCounts(), (std::vector<int>{kBenign, kMalignant}));

    // Going back while scanning cancels too, and so does closing the wizard.
    QTest::mouseClick(page->rescanButton(), Qt::LeftButton);
    QVERIFY(page->isScanning());
    wizard.back();
    QVERIFY(!page->isScanning());
    QCOMPARE(canceled.count(), 2);
    QVERIFY(clickNext(wizard));
    QVERIFY(page->isScanning());
    QTest::mouseClick(wizard.button(QWizard::CancelButton), Qt::LeftButton);
    QCOMPARE(wizard.result(), int(QDialog::Rejected));
    QVERIFY(!page->isScanning());
    QCOMPARE(canceled.count(), 3);
}

void TestDataWizard::oneClassDataCannotContinue() {
    const QString path = m_dir.filePath(QStringLiteral("demo/one-class.csv"));
    writeFile(path, "images,labels\n" + m_someBenign.toUtf8() + ",benign\n");
    auto wizard = wizardAtCheck(path);
    QVERIFY(wizard);
    tc::ui::CheckPage* page = wizard->checkPage();
    QVERIFY(page->statusLabel()->isVisible());
    QVERIFY2(page->statusLabel()->text().contains(QStringLiteral("only one class")),
             qPrintable(page->statusLabel()->text()));
    QVERIFY(!page->isComplete());
    QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled());
    QVERIFY(wizard->classNames().isEmpty());
}

void TestDataWizard::splitCountsFollowTheSettings() {
    auto wizard = wizardAtCheck(m_demoCsv);
    QVERIFY(wizard);
    QVERIFY(clickNext(*wizard));
    tc::ui::SplitPage* page = wizard->splitPage();
    QCOMPARE(wizard->currentId(), int(DataWizard::SplitPageId));
    QVERIFY(page->isComplete());

    page->trainBox()->setValue(60);
    page->validationBox()->setValue(25);
    QCOMPARE(page->testBox()->value(), 15);
    page->stratifyBox()->setChecked(true);
    page->groupModeBox()->setCurrentIndex(0); // off
    page->seedEdit()->setText(QStringLiteral("1234"));

    // What the page shows is the split the data module makes of these settings, and it is
    // within one image of the exact share in every (class, part) cell.
    const auto table = wizard->table();
    QVERIFY(table);
    const tc::data::SplitSettings settings = wizard->splitSettings();
    QCOMPARE(settings.train, 60);
    QCOMPARE(settings.validation, 25);
    QCOMPARE(settings.test, 15);
    QCOMPARE(settings.seed, quint64(1234));
    QVERIFY(!settings.grouped);
    const tc::data::Split split = tc::data::Split::make(*table, settings);
    QVERIFY(split.ok());
    const int classTotals[] = {kBenign, kMalignant};
    const double shares[] = {0.60, 0.25, 0.15};
    for (int c = 0; c < 2; ++c) {
        int sum = 0;
        for (SplitPart part : {SplitPart::Train, SplitPart::Validation, SplitPart::Test}) {
            const int shown = page->shownCount(part, c);
            QCOMPARE(shown, split.count(part, c));
            QVERIFY(std::abs(shown - classTotals[c] * shares[int(part)]) < 1.0);
            sum += shown;
        }
        QCOMPARE(sum, classTotals[c]);
    }
    QCOMPARE(page->countsTable()->item(2, 3)->text(), QString::number(kBenign + kMalignant));

    // A change of percentages shows at once.
    page->trainBox()->setValue(80);
    QCOMPARE(page->validationBox()->maximum(), 20);
    page->validationBox()->setValue(10);
    QCOMPARE(page->testBox()->value(), 10);
    QCOMPARE(page->shownCount(SplitPart::Train, 1) + page->shownCount(SplitPart::Validation, 1) +
                 page->shownCount(SplitPart::Test, 1),
             kMalignant);
    QVERIFY(page->shownCount(SplitPart::Train, 1) >= int(kMalignant * 0.8));

    // A bad seed blocks Next.
    page->seedEdit()->setText(QString());
    QVERIFY(!page->isComplete());
    page->seedEdit()->setText(QStringLiteral("42"));
    QVERIFY(page->isComplete());
}

void TestDataWizard::breakHisWarningAndGroups() {
    auto wizard = wizardAtCheck(m_demoCsv);
    QVERIFY(wizard);
    QVERIFY(clickNext(*wizard));
    tc::ui::SplitPage* page = wizard->splitPage();

    // The demo's names are BreaKHis names: grouping off is warned about.
    QCOMPARE(tc::data::Grouping::breakHisShare(*wizard->table()), 1.0);
    page->groupModeBox()->setCurrentIndex(0);
    QVERIFY(page->leakWarning()->isVisible());
    QCOMPARE(page->groupCount(), 0);
    QCOMPARE(page->groupsTable()->rowCount(), 0);

    // One click applies the preset: the patients are found, each in exactly one part.
    QTest::mouseClick(page->useBreakHisButton(), Qt::LeftButton);
    QCOMPARE(page->groupModeBox()->currentData().toInt(),
             int(tc::data::GroupSettings::Mode::BreakHis));
    QVERIFY(!page->leakWarning()->isVisible());
    QCOMPARE(page->groupCount(), m_demoPatients);
    QTableWidget* groups = page->groupsTable();
    QCOMPARE(groups->rowCount(), m_demoPatients);
    const int partColumn = groups->columnCount() - 1;
    QCOMPARE(groups->horizontalHeaderItem(partColumn)->text(), QStringLiteral("Part"));
    int images = 0;
    for (int row = 0; row < groups->rowCount(); ++row) {
        images += groups->item(row, 1)->text().toInt();
        const QString part = groups->item(row, partColumn)->text();
        QVERIFY2(part == QLatin1String("Training") || part == QLatin1String("Validation") ||
                     part == QLatin1String("Test"),
                 qPrintable(part));
        // Patient names are year-slide, as in BreaKHis.
        QVERIFY(groups->item(row, 0)->text().contains(QLatin1Char('-')));
    }
    QCOMPARE(images, kBenign + kMalignant);
    QVERIFY(wizard->splitSettings().grouped);
    QCOMPARE(wizard->datasetSettings().groups.mode, tc::data::GroupSettings::Mode::BreakHis);

    // The counts are those of a grouped split.
    tc::data::GroupSettings groupSettings;
    groupSettings.mode = tc::data::GroupSettings::Mode::BreakHis;
    const auto assignment = tc::data::Grouping::assign(*wizard->table(), groupSettings);
    const auto split =
        tc::data::Split::make(*wizard->table(), wizard->splitSettings(), &assignment);
    for (int c = 0; c < 2; ++c)
        for (SplitPart part : {SplitPart::Train, SplitPart::Validation, SplitPart::Test})
            QCOMPARE(page->shownCount(part, c), split.count(part, c));

    // Taking the parts from a column turns the warning off as well as the random split.
    page->groupModeBox()->setCurrentIndex(0);
    QVERIFY(page->leakWarning()->isVisible());
    page->fromColumnBox()->setChecked(true);
    QVERIFY(!page->leakWarning()->isVisible());
    QVERIFY(!page->trainBox()->isEnabled());
    // Neither column holds part names: the split says so and Next is blocked.
    QVERIFY(!page->isComplete());
    QVERIFY(!page->messageLabel()->text().isEmpty());
    page->fromColumnBox()->setChecked(false);
    QVERIFY(page->isComplete());
}

void TestDataWizard::regexGroupsAndErrors() {
    auto wizard = wizardAtCheck(m_demoCsv);
    QVERIFY(wizard);
    QVERIFY(clickNext(*wizard));
    tc::ui::SplitPage* page = wizard->splitPage();
    page->groupModeBox()->setCurrentIndex(
        page->groupModeBox()->findData(int(tc::data::GroupSettings::Mode::Regex)));
    QVERIFY(page->groupPatternEdit()->isVisible());
    QVERIFY(!page->isComplete()); // no pattern yet

    // The patient, written as a regular expression: the same groups as the preset.
    page->groupPatternEdit()->setText(QStringLiteral("^SOB_[BM]_[A-Z]+-(\\d+-[0-9A-Za-z]+)-"));
    QVERIFY(page->isComplete());
    QCOMPARE(page->groupCount(), m_demoPatients);
    QCOMPARE(wizard->datasetSettings().groups.pattern,
             QStringLiteral("^SOB_[BM]_[A-Z]+-(\\d+-[0-9A-Za-z]+)-"));

    page->groupPatternEdit()->setText(QStringLiteral("(unclosed"));
    QVERIFY(!page->isComplete());
    QVERIFY2(page->groupSummaryLabel()->text().contains(QStringLiteral("not a valid regular")),
             qPrintable(page->groupSummaryLabel()->text()));

    // A pattern that matches nothing: every image is its own group, and the page says so.
    page->groupPatternEdit()->setText(QStringLiteral("^patient(\\d+)_"));
    QVERIFY(page->isComplete());
    QCOMPARE(page->groupCount(), kBenign + kMalignant);
    QVERIFY(page->groupSummaryLabel()->text().contains(QStringLiteral("40 images have no group")));
}

void TestDataWizard::preprocessingPreviewUsesThePipeline() {
    auto wizard = wizardAtCheck(m_demoCsv);
    QVERIFY(wizard);
    QVERIFY(clickNext(*wizard));
    tc::ui::PreprocessingPage* page = wizard->preprocessingPage();
    QSignalSpy updated(page, &tc::ui::PreprocessingPage::previewUpdated);
    QVERIFY(clickNext(*wizard));
    QCOMPARE(wizard->currentId(), int(DataWizard::PreprocessingPageId));
    QVERIFY(updated.wait(30000));
    QCOMPARE(page->widthBox()->value(), 224);
    QCOMPARE(page->presetBox()->currentIndex(), 0);
    QVERIFY(page->cacheNote()->text().contains(QStringLiteral("No augmentation")));
    // Two samples per class: the plain image and the draws, all at the input size.
    QCOMPARE(int(page->previewImages().size()), tc::ui::PreprocessingPage::kSampleRows);
    for (const auto& row : page->previewImages()) {
        QCOMPARE(int(row.size()), 1 + tc::ui::PreprocessingPage::kAugmentedDraws);
        for (const QImage& image : row)
            QCOMPARE(image.size(), QSize(224, 224));
        // Without augmentation every draw is the plain image.
        QCOMPARE(row[1], row[0]);
    }

    updated.clear();
    page->widthBox()->setValue(96);
    page->heightBox()->setValue(64);
    QCOMPARE(page->presetBox()->currentText(), QStringLiteral("Custom"));
    page->horizontalFlipBox()->setChecked(true);
    page->rotateBox()->setChecked(true);
    page->stainBox()->setValue(0.3);
    QVERIFY(page->cacheNote()->text().contains(QStringLiteral("Augmentation is on")));
    QVERIFY(updated.wait(30000));
    QTRY_VERIFY(!page->isRendering());
    const auto& rows = page->previewImages();
    QCOMPARE(int(rows.size()), tc::ui::PreprocessingPage::kSampleRows);
    // The preview is the pipeline's own: the first image, plain, is what preview() returns.
    const auto table = wizard->table();
    QVERIFY(table);
    const tc::data::ImagePipeline pipeline(wizard->preprocessingSettings());
    QString error;
    const auto expected =
        pipeline.preview(table->rows().front().absolutePath, std::nullopt, &error);
    QVERIFY2(expected, qPrintable(error));
    QCOMPARE(rows[0][0].size(), QSize(96, 64));
    QCOMPARE(QByteArray(reinterpret_cast<const char*>(rows[0][0].constBits()), 96 * 3),
             QByteArray(reinterpret_cast<const char*>(expected->pixels.data()), 96 * 3));
    // Augmented draws differ from each other (stain jitter changes every pixel).
    QVERIFY(rows[0][1] != rows[0][2]);
}

void TestDataWizard::resultsAfterFinishing() {
    DataWizard::clearRecentSources();
    auto wizard = wizardAtCheck(m_badCsv);
    QVERIFY(wizard);
    QVERIFY(clickNext(*wizard));
    wizard->splitPage()->trainBox()->setValue(70);
    wizard->splitPage()->validationBox()->setValue(15);
    QTest::mouseClick(wizard->splitPage()->useBreakHisButton(), Qt::LeftButton);
    QVERIFY(clickNext(*wizard));
    wizard->preprocessingPage()->presetBox()->setCurrentIndex(4); // 128 × 128
    wizard->preprocessingPage()->verticalFlipBox()->setChecked(true);
    QAbstractButton* finish = wizard->button(QWizard::FinishButton);
    QVERIFY(finish->isVisible() && finish->isEnabled());
    QTest::mouseClick(finish, Qt::LeftButton);
    QCOMPARE(wizard->result(), int(QDialog::Accepted));

    const tc::data::DatasetSettings dataset = wizard->datasetSettings();
    QCOMPARE(dataset.source, m_badCsv);
    QCOMPARE(dataset.imageColumn, QStringLiteral("images"));
    QCOMPARE(dataset.labelColumn, QStringLiteral("labels"));
    QCOMPARE(dataset.groups.mode, tc::data::GroupSettings::Mode::BreakHis);
    QCOMPARE(dataset.classes, (QStringList{QStringLiteral("benign"), QStringLiteral("malignant")}));
    QCOMPARE(wizard->classCounts(), (std::vector<int>{kBenign, kMalignant}));
    const tc::data::SplitSettings split = wizard->splitSettings();
    QCOMPARE(split.train, 70);
    QCOMPARE(split.validation, 15);
    QCOMPARE(split.test, 15);
    QVERIFY(split.grouped);
    const tc::data::PreprocessingSettings preprocessing = wizard->preprocessingSettings();
    QCOMPARE(preprocessing.width, 128);
    QCOMPARE(preprocessing.height, 128);
    QVERIFY(preprocessing.augmentation.verticalFlip);
    QVERIFY(!preprocessing.augmentation.horizontalFlip);

    // The JSON sections read back through the data module, "classes" included.
    QString error;
    const QJsonObject datasetJson = wizard->datasetJson();
    QCOMPARE(datasetJson.value(QStringLiteral("classes")).toArray(),
             (QJsonArray{QStringLiteral("benign"), QStringLiteral("malignant")}));
    const auto readDataset = tc::data::DatasetSettings::fromJson(datasetJson, &error);
    QVERIFY2(readDataset, qPrintable(error));
    QCOMPARE(*readDataset, dataset);
    const auto readSplit = tc::data::SplitSettings::fromJson(wizard->splitJson(), &error);
    QVERIFY2(readSplit, qPrintable(error));
    QCOMPARE(*readSplit, split);
    const auto readPreprocessing =
        tc::data::PreprocessingSettings::fromJson(wizard->preprocessingJson(), &error);
    QVERIFY2(readPreprocessing, qPrintable(error));
    QCOMPARE(*readPreprocessing, preprocessing);

    // Finishing records the source among the recent ones.
    QCOMPARE(DataWizard::recentSources().value(0), m_badCsv);
}

void TestDataWizard::folderSource() {
    auto wizard = wizardAtCheck(m_folder);
    QVERIFY(wizard);
    QVERIFY(!wizard->columnsPage()->imageColumnBox()->isEnabled());
    QCOMPARE(wizard->columnsPage()->previewTable()->columnCount(), 2);
    QCOMPARE(wizard->classNames(),
             (QStringList{QStringLiteral("benign"), QStringLiteral("malignant")}));
    QCOMPARE(wizard->classCounts(), (std::vector<int>{kBenign, kMalignant}));
    QCOMPARE(wizard->checkPage()->problemTable()->rowCount(), 0);
    QCOMPARE(wizard->checkPage()->problemTable()->horizontalHeaderItem(0)->text(),
             QStringLiteral("File"));
    const tc::data::DatasetSettings dataset = wizard->datasetSettings();
    QCOMPARE(dataset.source, m_folder);
    QVERIFY(dataset.imageColumn.isEmpty());
    QVERIFY(dataset.labelColumn.isEmpty());
    // No CSV columns to group by or split from.
    QVERIFY(clickNext(*wizard));
    QVERIFY(!wizard->splitPage()->fromColumnBox()->isEnabled());
}

void TestDataWizard::startsFromProjectJson() {
    // Sections as a project stores them: a relative source, a named column, a grouping.
    const QJsonObject dataset{{QStringLiteral("source"), QStringLiteral("demo/with-problems.csv")},
                              {QStringLiteral("imageColumn"), QStringLiteral("images")},
                              {QStringLiteral("groups"),
                               QJsonObject{{QStringLiteral("mode"), QStringLiteral("breakhis")}}}};
    const QJsonObject split{{QStringLiteral("train"), 50},
                            {QStringLiteral("validation"), 30},
                            {QStringLiteral("test"), 20},
                            {QStringLiteral("seed"), 99}};
    const QJsonObject badPreprocessing{{QStringLiteral("width"), 0}};
    DataWizard wizard(dataset, split, badPreprocessing, m_dir.path());
    QCOMPARE(wizard.initialProblems().size(), 1);
    QVERIFY(wizard.initialProblems().front().contains(QStringLiteral("preprocessing.width")));
    QCOMPARE(wizard.preprocessingSettings(), tc::data::PreprocessingSettings{});
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    auto* problems = wizard.sourcePage()->findChild<QLabel*>(QStringLiteral("initialProblems"));
    QVERIFY(problems && problems->isVisible());
    QCOMPARE(wizard.sourcePage()->source(), m_badCsv);
    QVERIFY(wizard.sourcePage()->isComplete());

    QSignalSpy finished(wizard.checkPage(), &tc::ui::CheckPage::scanFinished);
    QVERIFY(clickNext(wizard));
    QCOMPARE(wizard.columnsPage()->imageColumn(), QStringLiteral("images"));
    QVERIFY(clickNext(wizard));
    QVERIFY(finished.wait(30000));
    QVERIFY(clickNext(wizard));
    tc::ui::SplitPage* page = wizard.splitPage();
    QCOMPARE(page->trainBox()->value(), 50);
    QCOMPARE(page->validationBox()->value(), 30);
    QCOMPARE(page->testBox()->value(), 20);
    QCOMPARE(page->seedEdit()->text(), QStringLiteral("99"));
    QCOMPARE(page->groupModeBox()->currentData().toInt(),
             int(tc::data::GroupSettings::Mode::BreakHis));
    QVERIFY(!page->leakWarning()->isVisible());
}

void TestDataWizard::screenshots() {
    // A larger demo set written the way BreaKHis users often list it (a slide and a
    // magnification column, rows in no particular order), with three bad rows, so that every
    // page has something to show.
    tc::data::SyntheticHistologyOptions options;
    options.directory = m_dir.filePath(QStringLiteral("histology-demo"));
    options.benign = 55;
    options.malignant = 115;
    options.width = 350;
    options.height = 230;
    options.patients = 16;
    options.seed = 3;
    const auto demo = tc::data::SyntheticHistology::generate(options);
    QVERIFY2(demo.ok(), qPrintable(demo.error));
    QList<QByteArray> rows = readFile(demo.csvPath).trimmed().split('\n');
    rows.removeFirst();
    std::sort(rows.begin(), rows.end(),
              [](const QByteArray& a, const QByteArray& b) { return qHash(a, 11) < qHash(b, 11); });
    QByteArray csv = "slide,magnification,images,labels\n";
    auto addRow = [&csv](const QByteArray& path, const QByteArray& label) {
        const auto name = tc::data::BreakHisName::parse(QString::fromUtf8(path));
        csv +=
            (name ? name->patient().toUtf8() : QByteArray()) + ",400X," + path + ',' + label + '\n';
    };
    for (int i = 0; i < rows.size(); ++i) {
        const QByteArray& row = rows.at(i);
        const QByteArray path = row.left(row.indexOf(','));
        addRow(path, row.mid(row.indexOf(',') + 1));
        if (i == 57)
            addRow("data/train/malignant/SOB_M_DC-14-99999-400-001.png", "malignant");
        if (i == 91)
            addRow(rows.at(3).left(rows.at(3).indexOf(',')), "");
        if (i == 130)
            addRow(path, row.mid(row.indexOf(',') + 1));
    }
    const QString csvPath = m_dir.filePath(QStringLiteral("histology-demo/breakhis-400x.csv"));
    writeFile(csvPath, csv);

    const QString out = QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR);
    DataWizard::clearRecentSources();
    DataWizard::addRecentSource(m_folder);
    DataWizard::addRecentSource(m_demoCsv);
    DataWizard::addRecentSource(m_dir.filePath(QStringLiteral("histology-demo/data/train")));
    DataWizard::addRecentSource(csvPath);
    DataWizard wizard(tc::data::DatasetSettings{}, tc::data::SplitSettings{},
                      tc::data::PreprocessingSettings{}, m_dir.path());
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    wizard.sourcePage()->setSource(csvPath);
    QVERIFY(wizard.grab().save(out + QStringLiteral("/wizard-1-source.png")));

    QSignalSpy finished(wizard.checkPage(), &tc::ui::CheckPage::scanFinished);
    QVERIFY(clickNext(wizard));
    QVERIFY(wizard.grab().save(out + QStringLiteral("/wizard-2-columns.png")));
    QVERIFY(clickNext(wizard));
    QVERIFY(finished.wait(60000));
    QVERIFY(wizard.grab().save(out + QStringLiteral("/wizard-3-check.png")));
    QVERIFY(clickNext(wizard));
    wizard.splitPage()->groupModeBox()->setCurrentIndex(0);
    QVERIFY(wizard.splitPage()->leakWarning()->isVisible());
    QVERIFY(wizard.grab().save(out + QStringLiteral("/wizard-4-split-warning.png")));
    QTest::mouseClick(wizard.splitPage()->useBreakHisButton(), Qt::LeftButton);
    QVERIFY(wizard.grab().save(out + QStringLiteral("/wizard-4-split.png")));
    QSignalSpy updated(wizard.preprocessingPage(), &tc::ui::PreprocessingPage::previewUpdated);
    QVERIFY(clickNext(wizard));
    QVERIFY(updated.wait(60000));
    updated.clear();
    wizard.preprocessingPage()->horizontalFlipBox()->setChecked(true);
    wizard.preprocessingPage()->rotateBox()->setChecked(true);
    wizard.preprocessingPage()->cropBox()->setValue(0.2);
    wizard.preprocessingPage()->stainBox()->setValue(0.25);
    QVERIFY(updated.wait(60000));
    QTRY_VERIFY(!wizard.preprocessingPage()->isRendering());
    QVERIFY(wizard.grab().save(out + QStringLiteral("/wizard-5-preprocessing.png")));
    DataWizard::clearRecentSources();
}

QTEST_MAIN(TestDataWizard)
#include "tst_datawizard.moc"
