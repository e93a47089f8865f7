// The Runs panel and the Statistics overlay: run folders written here in report.json /
// metrics.csv form, listed, compared with a reference, and overlaid on the accuracy and loss
// plots when ticked.

#include "core/train/Metrics.h"
#include "core/train/TrainingSettings.h"
#include "ui/MainWindow.h"
#include "ui/training/QCustomPlot.h"
#include "ui/training/RunsPanel.h"
#include "ui/training/StatisticsView.h"
#include "ui/training/TrainingSession.h"

#include <cmath>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableWidget>
#include <QtTest>

using tc::ui::RunsPanel;
using tc::ui::StatisticsView;

namespace {

/// A finished run as the trainer would leave it, with curves given by a formula.
struct FakeRun {
    QString name;
    double learningRate = 1e-3;
    int epochs = 5;
    bool pretrained = true;
    double plateau = 0.9;                            ///< validation accuracy the curve approaches
    double pace = 2.0;                               ///< epochs to get most of the way there
    std::array<int, 4> testConfusion{40, 10, 8, 92}; ///< TN, FP, FN, TP (malignant positive)
    double testAuc = 0.9;
};

double validationAccuracy(const FakeRun& run, int epoch) {
    return run.plateau - (run.plateau - 0.5) * std::exp(-epoch / run.pace);
}
double trainAccuracy(const FakeRun& run, int epoch) {
    return std::min(1.0, validationAccuracy(run, epoch) + 0.04 * epoch / run.epochs);
}
double validationLoss(const FakeRun& run, int epoch) {
    return 0.25 + 0.45 * std::exp(-epoch / run.pace);
}
double trainLoss(const FakeRun& run, int epoch) {
    return validationLoss(run, epoch) - 0.05 * epoch / run.epochs;
}

QJsonObject splitJson(double loss, double accuracy, double auc) {
    return {{QStringLiteral("loss"), loss},
            {QStringLiteral("accuracy"), accuracy},
            {QStringLiteral("rocAuc"), auc}};
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(bytes) == bytes.size();
}

/// report.json and metrics.csv with the keys and columns RunFiles writes.
bool writeFakeRun(const QString& runsFolder, const FakeRun& run) {
    const QString folder = QDir(runsFolder).filePath(run.name);
    if (!QDir().mkpath(folder))
        return false;
    QJsonArray epochs;
    QByteArray csv = "epoch,learning_rate,seconds,train_loss,train_accuracy,"
                     "train_balanced_accuracy,val_loss,val_accuracy,val_balanced_accuracy,"
                     "val_auc\n";
    int best = 1;
    for (int e = 1; e <= run.epochs; ++e) {
        const double auc = 0.5 + (run.testAuc - 0.5) * (1.0 - std::exp(-e / run.pace));
        epochs.append(QJsonObject{
            {QStringLiteral("epoch"), e},
            {QStringLiteral("epochs"), run.epochs},
            {QStringLiteral("learningRate"), run.learningRate},
            {QStringLiteral("train"), splitJson(trainLoss(run, e), trainAccuracy(run, e), auc)},
            {QStringLiteral("validation"),
             splitJson(validationLoss(run, e), validationAccuracy(run, e), auc)}});
        csv += QStringLiteral("%1,%2,1,%3,%4,%4,%5,%6,%6,%7\n")
                   .arg(e)
                   .arg(run.learningRate)
                   .arg(trainLoss(run, e), 0, 'g', 10)
                   .arg(trainAccuracy(run, e), 0, 'g', 10)
                   .arg(validationLoss(run, e), 0, 'g', 10)
                   .arg(validationAccuracy(run, e), 0, 'g', 10)
                   .arg(auc, 0, 'g', 10)
                   .toUtf8();
        if (validationAccuracy(run, e) > validationAccuracy(run, best))
            best = e;
    }
    tc::train::TrainingSettings settings;
    settings.learningRate = run.learningRate;
    settings.epochs = run.epochs;
    const auto [tn, fp, fn, tp] = run.testConfusion;
    const double total = tn + fp + fn + tp;
    QJsonObject test = splitJson(0.3, (tn + tp) / total, run.testAuc);
    test.insert(QStringLiteral("samples"), total);
    test.insert(QStringLiteral("recall"),
                QJsonArray{double(tn) / (tn + fp), double(tp) / (tp + fn)});
    test.insert(QStringLiteral("confusion"), QJsonArray{QJsonArray{tn, fp}, QJsonArray{fn, tp}});
    const QJsonObject report{
        {QStringLiteral("format"), QStringLiteral("torchcanvas-run")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("finished"),
         QJsonObject{{QStringLiteral("reason"), QStringLiteral("completed")},
                     {QStringLiteral("epochsCompleted"), run.epochs},
                     {QStringLiteral("bestEpoch"), best}}},
        {QStringLiteral("classes"),
         QJsonArray{QStringLiteral("benign"), QStringLiteral("malignant")}},
        {QStringLiteral("epochs"), epochs},
        {QStringLiteral("best"), epochs[best - 1]},
        {QStringLiteral("final"), epochs.last()},
        {QStringLiteral("test"), test},
        {QStringLiteral("model"),
         QStringLiteral("ResNet50 (frozen) → Dense 128 ReLU → Dense 64 ReLU → Dense 2 Softmax")},
        {QStringLiteral("weights"),
         run.pretrained
             ? QStringLiteral(
                   "resnet50: ImageNet weights from /home/u/weights/resnet50-0676ba61.pth")
             : QStringLiteral("resnet50: randomly initialised (no pretrained weights requested)")},
        {QStringLiteral("weightsPretrained"), run.pretrained},
        {QStringLiteral("data"),
         QJsonObject{{QStringLiteral("fingerprint"), QStringLiteral("3f9a0c1d2e4b5a6978")}}},
        {QStringLiteral("configuration"),
         QJsonObject{
             {QStringLiteral("training"), settings.toJson()},
             {QStringLiteral("preprocessing"),
              QJsonObject{{QStringLiteral("width"), 224}, {QStringLiteral("height"), 224}}}}}};
    return writeFile(QDir(folder).filePath(QStringLiteral("report.json")),
                     QJsonDocument(report).toJson()) &&
           writeFile(QDir(folder).filePath(QStringLiteral("metrics.csv")), csv);
}

/// "breakhis-20261201-090000-000" → "20261201-090000", as the legend names a run.
QString shortName(const QString& name) {
    return name.section(QLatin1Char('-'), 1, 2);
}

QCPGraph* graphNamed(QCustomPlot* plot, const QString& name) {
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name() == name)
            return plot->graph(i);
    }
    return nullptr;
}

/// A live run of `epochs` epochs fed to the view as the trainer would.
void feedLiveRun(StatisticsView& view, int epochs, int ofEpochs) {
    view.beginRun(QStringLiteral("live"), {QStringLiteral("benign"), QStringLiteral("malignant")});
    const std::vector<int> labels{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        std::vector<int> predicted = labels;
        predicted[0] = predicted[5] = 1 - epoch % 2; // some errors
        predicted[6] = 0;
        const std::vector<float> scores(predicted.begin(), predicted.end());
        tc::train::EpochEvent event;
        event.epoch = epoch;
        event.epochs = ofEpochs;
        event.train.loss = 0.6 / epoch;
        event.train.metrics.accuracy = 0.6 + 0.05 * epoch;
        event.validation = tc::train::SplitResult{
            0.65 / epoch, tc::train::computeMetrics(labels, predicted, 2, scores)};
        event.validation->metrics.accuracy = 0.58 + 0.05 * epoch;
        view.onEpoch(event);
    }
}

/// Entries in a plot's legend (its grid's itemCount() counts empty cells of the last row too).
int legendEntries(QCustomPlot* plot) {
    int entries = 0;
    for (int i = 0; i < plot->legend->itemCount(); ++i)
        entries += plot->legend->item(i) ? 1 : 0;
    return entries;
}

QString cellText(const RunsPanel& panel, const QString& name, int column) {
    for (int row = 0; row < panel.table()->rowCount(); ++row) {
        if (panel.table()->item(row, RunsPanel::RunColumn)->text() == name)
            return panel.table()->item(row, column)->text();
    }
    return QStringLiteral("<no row %1>").arg(name);
}

QString cellToolTip(const RunsPanel& panel, const QString& name, int column) {
    for (int row = 0; row < panel.table()->rowCount(); ++row) {
        if (panel.table()->item(row, RunsPanel::RunColumn)->text() == name)
            return panel.table()->item(row, column)->toolTip();
    }
    return {};
}

} // namespace

class TestRunsPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listsRunsWithTheirFigures();
    void differsFromTheSelectedReference();
    void tickedRunsAreOverlaid();
    void refreshForgetsDeletedRuns();
    void mainWindowHasARunsDock();
    void screenshots();

private:
    QString runPath(const QString& name) const { return m_runs + QLatin1Char('/') + name; }

    QTemporaryDir m_dir;
    QString m_runs;
    FakeRun m_a, m_b, m_c;
};

void TestRunsPanel::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_runs = m_dir.filePath(QStringLiteral("runs"));
    m_a = {QStringLiteral("breakhis-20261201-090000-000"), 1e-3, 6, true, 0.9, 1.5};
    m_b = {QStringLiteral("breakhis-20261201-100000-000"),
           1e-4,
           8,
           true,
           0.86,
           3.0,
           {38, 12, 14, 86},
           0.88};
    m_c = {QStringLiteral("breakhis-20261201-110000-000"),
           1e-3,
           5,
           false,
           0.7,
           2.0,
           {30, 20, 30, 70},
           0.72};
    for (const FakeRun& run : {m_a, m_b, m_c})
        QVERIFY(writeFakeRun(m_runs, run));
    // A run still training: metrics.csv of its first two epochs, no report.
    FakeRun live{QStringLiteral("breakhis-20261201-120000-000"), 1e-3, 2, true, 0.88, 2.0};
    QVERIFY(writeFakeRun(m_runs, live));
    QVERIFY(QFile::remove(runPath(live.name) + QStringLiteral("/report.json")));
}

void TestRunsPanel::listsRunsWithTheirFigures() {
    RunsPanel panel;
    panel.setSource(m_runs);
    QCOMPARE(panel.table()->rowCount(), 4);
    // Newest first.
    QCOMPARE(panel.table()->item(0, RunsPanel::RunColumn)->text(),
             QStringLiteral("breakhis-20261201-120000-000"));
    QCOMPARE(panel.table()->item(3, RunsPanel::RunColumn)->text(), m_a.name);

    const QString b = m_b.name;
    QCOMPARE(cellText(panel, b, RunsPanel::StartedColumn),
             QLocale().toString(QDateTime(QDate(2026, 12, 1), QTime(10, 0)),
                                QStringLiteral("yyyy-MM-dd HH:mm")));
    QCOMPARE(cellText(panel, b, RunsPanel::StatusColumn), QStringLiteral("completed"));
    QCOMPARE(cellText(panel, b, RunsPanel::WeightsColumn),
             QStringLiteral("ImageNet (resnet50-0676ba61.pth)"));
    QCOMPARE(cellText(panel, m_c.name, RunsPanel::WeightsColumn),
             QStringLiteral("random (chosen)"));
    // Test figures: (38 + 86) / 150, 86 / (86 + 14), 38 / (38 + 12).
    QCOMPARE(cellText(panel, b, RunsPanel::TestAccuracyColumn), QStringLiteral("82.7 %"));
    QCOMPARE(cellText(panel, b, RunsPanel::SensitivityColumn), QStringLiteral("86.0 %"));
    QCOMPARE(cellText(panel, b, RunsPanel::SpecificityColumn), QStringLiteral("76.0 %"));
    QCOMPARE(cellText(panel, b, RunsPanel::TestAucColumn), QStringLiteral("0.880"));
    // The best epoch of a rising curve is the last one, and its validation accuracy shows.
    QCOMPARE(cellText(panel, b, RunsPanel::BestEpochColumn), QStringLiteral("8 / 8"));
    QCOMPARE(cellText(panel, b, RunsPanel::ValidationAccuracyColumn),
             QStringLiteral("%1 %").arg(validationAccuracy(m_b, 8) * 100.0, 0, 'f', 1));
    QCOMPARE(cellText(panel, b, RunsPanel::OperatingPointColumn), QStringLiteral("none (argmax)"));

    const QString live = QStringLiteral("breakhis-20261201-120000-000");
    QCOMPARE(cellText(panel, live, RunsPanel::StatusColumn), QStringLiteral("in progress"));
    QCOMPARE(cellText(panel, live, RunsPanel::TestAccuracyColumn), QStringLiteral("–"));
    QVERIFY(cellToolTip(panel, live, RunsPanel::TestAccuracyColumn)
                .contains(QStringLiteral("still training")));
    QVERIFY(cellToolTip(panel, live, RunsPanel::RunColumn)
                .contains(QStringLiteral("report.json does not exist yet")));
}

void TestRunsPanel::differsFromTheSelectedReference() {
    RunsPanel panel;
    panel.setSource(m_runs);
    // Default reference: the newest run with a report.
    QCOMPARE(panel.referenceFolder(), runPath(m_c.name));
    QCOMPARE(cellText(panel, m_c.name, RunsPanel::DiffersColumn), QStringLiteral("(reference)"));
    QCOMPARE(cellText(panel, m_a.name, RunsPanel::DiffersColumn),
             QStringLiteral("epochs 5 → 6; weights random → pretrained"));

    // Selecting a row makes it the reference.
    panel.table()->selectRow(panel.rowOf(runPath(m_a.name)));
    QCOMPARE(panel.referenceFolder(), runPath(m_a.name));
    QCOMPARE(cellText(panel, m_b.name, RunsPanel::DiffersColumn),
             QStringLiteral("epochs 6 → 8; learningRate 0.001 → 0.0001"));
    QCOMPARE(cellText(panel, m_a.name, RunsPanel::DiffersColumn), QStringLiteral("(reference)"));
    QCOMPARE(
        cellText(panel, QStringLiteral("breakhis-20261201-120000-000"), RunsPanel::DiffersColumn),
        QStringLiteral("not comparable: no readable report.json"));
}

void TestRunsPanel::tickedRunsAreOverlaid() {
    StatisticsView view;
    RunsPanel panel;
    connect(&panel, &RunsPanel::checkedRunsChanged, &view,
            [&] { view.setComparedRuns(panel.checkedRuns()); });
    feedLiveRun(view, 2, 10);
    const int liveGraphs = view.accuracyPlot()->graphCount();
    QCOMPARE(liveGraphs, 3);
    const int liveLegend = legendEntries(view.accuracyPlot());
    panel.setSource(m_runs);
    QSignalSpy changed(&panel, &RunsPanel::checkedRunsChanged);

    panel.setChecked(runPath(m_a.name), true);
    panel.setChecked(runPath(m_b.name), true);
    QCOMPARE(changed.count(), 2);
    // The table's order (newest first), whatever order they were ticked in.
    QCOMPARE(view.comparedRunNames(), (QStringList{shortName(m_b.name), shortName(m_a.name)}));
    QCOMPARE(view.accuracyPlot()->graphCount(), liveGraphs + 4);
    QCOMPARE(view.lossPlot()->graphCount(), liveGraphs + 4);
    // One legend entry per compared run: its validation curve.
    QCOMPARE(legendEntries(view.accuracyPlot()), liveLegend + 2);
    for (const FakeRun* run : {&m_a, &m_b}) {
        QCPGraph* trainAccuracyGraph =
            graphNamed(view.accuracyPlot(), shortName(run->name) + QStringLiteral(": training"));
        QCPGraph* validationAccuracyGraph =
            graphNamed(view.accuracyPlot(), shortName(run->name) + QStringLiteral(": validation"));
        QCPGraph* validationLossGraph =
            graphNamed(view.lossPlot(), shortName(run->name) + QStringLiteral(": validation"));
        QVERIFY(trainAccuracyGraph && validationAccuracyGraph && validationLossGraph);
        QVERIFY(view.accuracyPlot()->legend->hasItemWithPlottable(validationAccuracyGraph));
        QCOMPARE(validationAccuracyGraph->dataCount(), run->epochs);
        QCOMPARE(trainAccuracyGraph->dataCount(), run->epochs);
        for (int e = 1; e <= run->epochs; ++e) {
            const auto point = validationAccuracyGraph->data()->at(e - 1);
            QCOMPARE(point->key, double(e));
            QVERIFY(std::abs(point->value - validationAccuracy(*run, e) * 100.0) < 1e-9);
            QVERIFY(std::abs(trainAccuracyGraph->data()->at(e - 1)->value -
                             trainAccuracy(*run, e) * 100.0) < 1e-9);
            QVERIFY(std::abs(validationLossGraph->data()->at(e - 1)->value -
                             validationLoss(*run, e)) < 1e-9);
        }
        // Each run in its own colour, distinct from the live run's.
        QVERIFY(trainAccuracyGraph->pen().color() == validationAccuracyGraph->pen().color());
        QVERIFY(validationAccuracyGraph->pen().color() !=
                view.accuracyPlot()->graph(2)->pen().color());
    }
    QVERIFY(graphNamed(view.accuracyPlot(), shortName(m_a.name) + QStringLiteral(": validation"))
                ->pen()
                .color() !=
            graphNamed(view.accuracyPlot(), shortName(m_b.name) + QStringLiteral(": validation"))
                ->pen()
                .color());
    // The ticked rows carry their curves' colours.
    for (const FakeRun* run : {&m_a, &m_b}) {
        const QPixmap swatch = panel.table()
                                   ->item(panel.rowOf(runPath(run->name)), RunsPanel::RunColumn)
                                   ->data(Qt::DecorationRole)
                                   .value<QPixmap>();
        QVERIFY(!swatch.isNull());
        QCOMPARE(
            swatch.toImage().pixelColor(7, 7),
            graphNamed(view.accuracyPlot(), shortName(run->name) + QStringLiteral(": validation"))
                ->pen()
                .color());
    }
    QVERIFY(panel.table()
                ->item(panel.rowOf(runPath(m_c.name)), RunsPanel::RunColumn)
                ->data(Qt::DecorationRole)
                .isNull());
    // The epoch axis shows the longest compared run (8 epochs) though the live run has 2.
    QVERIFY(view.accuracyPlot()->xAxis->range().upper >= 8.0);

    panel.setChecked(runPath(m_a.name), false);
    QCOMPARE(view.comparedRunNames(), (QStringList{shortName(m_b.name)}));
    QVERIFY(!graphNamed(view.accuracyPlot(), shortName(m_a.name) + QStringLiteral(": validation")));
    QVERIFY(!graphNamed(view.lossPlot(), shortName(m_a.name) + QStringLiteral(": training")));
    QVERIFY(graphNamed(view.lossPlot(), shortName(m_b.name) + QStringLiteral(": training")));
    QCOMPARE(view.accuracyPlot()->graphCount(), liveGraphs + 2);
    QVERIFY(panel.table()
                ->item(panel.rowOf(runPath(m_a.name)), RunsPanel::RunColumn)
                ->data(Qt::DecorationRole)
                .isNull());

    panel.setChecked(runPath(m_b.name), false);
    QVERIFY(view.comparedRunNames().isEmpty());
    QCOMPARE(view.accuracyPlot()->graphCount(), liveGraphs);
    QCOMPARE(view.lossPlot()->graphCount(), liveGraphs);
    QCOMPARE(legendEntries(view.accuracyPlot()), liveLegend);
    // The live run is as it was.
    QCOMPARE(view.trainEpochPointCount(), 2);
    QCOMPARE(view.validationEpochPointCount(), 2);
    QCOMPARE(view.accuracyPlot()->graph(2)->data()->at(1)->value, (0.58 + 0.1) * 100.0);
}

void TestRunsPanel::refreshForgetsDeletedRuns() {
    const QString copies = m_dir.filePath(QStringLiteral("copies"));
    QVERIFY(writeFakeRun(copies, m_a));
    QVERIFY(writeFakeRun(copies, m_b));
    RunsPanel panel;
    StatisticsView view;
    connect(&panel, &RunsPanel::checkedRunsChanged, &view,
            [&] { view.setComparedRuns(panel.checkedRuns()); });
    panel.setSource(copies);
    const QString a = QDir(copies).filePath(m_a.name);
    const QString b = QDir(copies).filePath(m_b.name);
    panel.setChecked(a, true);
    panel.setChecked(b, true);
    QCOMPARE(view.comparedRunNames().size(), 2);
    QVERIFY(QDir(b).removeRecursively());
    panel.refresh();
    QCOMPARE(panel.table()->rowCount(), 1);
    QCOMPARE(panel.checkedFolders(), QStringList{a});
    QCOMPARE(view.comparedRunNames(), QStringList{shortName(m_a.name)});
    QCOMPARE(panel.table()->item(0, RunsPanel::RunColumn)->checkState(), Qt::Checked);
}

void TestRunsPanel::mainWindowHasARunsDock() {
    tc::ui::MainWindow window;
    tc::ui::TrainingSession* session = window.training();
    QVERIFY(session->runsDock());
    QCOMPARE(session->runsDock()->objectName(), QStringLiteral("runsDock"));
    QCOMPARE(window.dockWidgetArea(session->runsDock()), Qt::BottomDockWidgetArea);
    session->setRunsDirectory(m_runs);
    QCOMPARE(int(session->runsPanel()->runs().size()), 4);
    QVERIFY(!session->statistics()->isVisibleTo(&window)); // the Model view is in front
    session->runsPanel()->setChecked(runPath(m_c.name), true);
    QCOMPARE(session->statistics()->comparedRunNames(), QStringList{shortName(m_c.name)});
    // Ticking a run brings the Statistics view to the front.
    QVERIFY(session->statistics()->isVisibleTo(&window));
}

void TestRunsPanel::screenshots() {
    const QString directory = qEnvironmentVariable("TC_SCREENSHOT_DIR");
    if (directory.isEmpty())
        QSKIP("set TC_SCREENSHOT_DIR to write docs/images/runs-comparison.png");
    QSplitter window(Qt::Vertical);
    window.resize(1600, 980);
    auto* view = new StatisticsView(&window);
    auto* panel = new RunsPanel(&window);
    connect(panel, &RunsPanel::checkedRunsChanged, view,
            [&] { view->setComparedRuns(panel->checkedRuns()); });
    feedLiveRun(*view, 2, 8);
    view->onPhase({tc::train::Phase::Training, 3, 0, 0, QString()});
    // A run whose report.json was cut short, as a full disk leaves it.
    const QString damaged = runPath(QStringLiteral("breakhis-20261201-083000-000"));
    QVERIFY(QDir().mkpath(damaged));
    QVERIFY(writeFile(damaged + QStringLiteral("/report.json"), "{\"format\": \"torchcanv"));
    panel->setSource(m_runs);
    panel->setReference(runPath(m_a.name));
    for (const FakeRun* run : {&m_a, &m_b, &m_c})
        panel->setChecked(runPath(run->name), true);
    window.setSizes({690, 290});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCoreApplication::processEvents();
    QVERIFY(QDir().mkpath(directory));
    QVERIFY(window.grab().save(QDir(directory).filePath(QStringLiteral("runs-comparison.png"))));

    // The same in the main window: the Runs dock beside Problems, the Statistics view in front.
    tc::ui::MainWindow main;
    main.resize(1440, 900);
    tc::ui::TrainingSession* session = main.training();
    session->setRunsDirectory(m_runs);
    session->runsDock()->raise();
    main.resizeDocks({session->runsDock()}, {260}, Qt::Vertical);
    session->runsPanel()->setReference(runPath(m_a.name));
    for (const FakeRun* run : {&m_a, &m_b})
        session->runsPanel()->setChecked(runPath(run->name), true);
    main.show();
    QVERIFY(QTest::qWaitForWindowExposed(&main));
    QCoreApplication::processEvents();
    QVERIFY(main.grab().save(QDir(directory).filePath(QStringLiteral("runs-dock.png"))));
    QVERIFY(QDir(damaged).removeRecursively());
}

QTEST_MAIN(TestRunsPanel)
#include "tst_runspanel.moc"
