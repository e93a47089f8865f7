// Grad-CAM in the Test view, offscreen: the "Hardest images" tab lists the misclassified images
// most confidently wrong first (checked against an order computed here) and filters by cell;
// the heatmap viewer shows, for a tiny trained run, the same map as Explainer::explain for the
// same image and class, recomputes when the class changes, lays the map over the image at the
// chosen opacity, delivers only the latest of two requests, and names the file when the model
// or the image cannot be explained. It opens from the hardest images, the cell's thumbnails and
// "Classify an image". With TC_SCREENSHOT_DIR set, writes test-heatmap.png, test-hardest.png and
// test-heatmap-thumbnails.png.

#include "core/data/Grouping.h"
#include "core/data/SyntheticHistology.h"
#include "core/export/Explainer.h"
#include "core/graph/Graph.h"
#include "core/graph/Project.h"
#include "core/train/Decision.h"
#include "core/train/ProjectTraining.h"
#include "core/util/Runtime.h"
#include "TrainingTestSupport.h"
#include "ui/data/ImageThumbnail.h"
#include "ui/evaluation/ExplanationService.h"
#include "ui/evaluation/HardestImagesPanel.h"
#include "ui/evaluation/HeatmapViewer.h"
#include "ui/evaluation/ImageClassifierPanel.h"
#include "ui/evaluation/TestView.h"

#include <cfloat>
#include <cmath>
#include <limits>
#include <mutex>
#include <QCheckBox>
#include <QComboBox>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSlider>
#include <QTableWidget>
#include <QTabWidget>
#include <QTimer>
#include <QtTest>

using namespace tc;
using tc::ui::EvaluatedImage;
using tc::ui::EvaluationResults;
using tc::ui::HardestImagesPanel;
using tc::ui::HeatmapViewer;
using tc::ui::TestView;

namespace {

/// Explaining a 64×64 ResNet18 takes well under a second; opening it a few.
constexpr int kHeatmapTimeoutMs = 120000;

QString folderPath(const QString& name) {
    QDir root(QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR));
    QDir(root.filePath(name)).removeRecursively();
    root.mkpath(name);
    return root.filePath(name);
}

/// ResNet18 (random, seeded, frozen) → Dense 2 softmax at 64×64, split by patient.
QString writeProject(const QString& path, const QString& csv) {
    graph::Project project;
    auto& graph = project.graph();
    const int input = graph.addNode(QStringLiteral("Input"), {},
                                    {{QStringLiteral("channels"), 3},
                                     {QStringLiteral("height"), 64},
                                     {QStringLiteral("width"), 64}});
    const int resnet = graph.addNode(QStringLiteral("ResNet"), {},
                                     {{QStringLiteral("variant"), QStringLiteral("18")},
                                      {QStringLiteral("pretrained"), QStringLiteral("none")},
                                      {QStringLiteral("trainable"), QStringLiteral("frozen")},
                                      {QStringLiteral("pooling"), QStringLiteral("avg")}});
    const int dense = graph.addNode(
        QStringLiteral("Dense"), {},
        {{QStringLiteral("units"), 2}, {QStringLiteral("activation"), QStringLiteral("softmax")}});
    const int output = graph.addNode(QStringLiteral("Output"));
    graph.addLink({input, 0}, {resnet, 0});
    graph.addLink({resnet, 0}, {dense, 0});
    graph.addLink({dense, 0}, {output, 0});
    testing::setTinyDataSections(project, csv, {60, 20, 20});
    project.setTraining({{QStringLiteral("epochs"), 8},
                         {QStringLiteral("batchSize"), 8},
                         {QStringLiteral("seed"), 5},
                         {QStringLiteral("precision"), QStringLiteral("fp32")}});
    QString error;
    if (!project.save(path, &error))
        qFatal("%s", qPrintable(error));
    return path;
}

EvaluatedImage toImage(const train::SamplePrediction& prediction) {
    EvaluatedImage image{prediction.path, prediction.label, prediction.probabilities,
                         prediction.logits, prediction.group};
    // The split is grouped by BreaKHis patient; a trainer that does not report the group yet
    // leaves it to the file name it came from.
    if (image.group.isEmpty())
        if (const auto name = data::BreakHisName::parse(QFileInfo(image.path).fileName()))
            image.group = name->patient();
    return image;
}

/// The largest |a − b| over two maps of the same size; infinity when the sizes differ.
double maxDifference(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size() || a.empty())
        return std::numeric_limits<double>::infinity();
    double largest = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        largest = std::max(largest, double(std::abs(a[i] - b[i])));
    return largest;
}

/// Mean |a − b| over the RGB channels of two images of the same size; -1 when they differ.
double meanPixelDifference(const QImage& a, const QImage& b) {
    if (a.size() != b.size() || a.isNull())
        return -1.0;
    const QImage x = a.convertToFormat(QImage::Format_RGB888);
    const QImage y = b.convertToFormat(QImage::Format_RGB888);
    double sum = 0.0;
    for (int row = 0; row < x.height(); ++row) {
        const uchar* p = x.constScanLine(row);
        const uchar* q = y.constScanLine(row);
        for (int i = 0; i < x.width() * 3; ++i)
            sum += std::abs(int(p[i]) - int(q[i]));
    }
    return sum / (double(x.width()) * x.height() * 3.0);
}

/// Clicks the middle of cell (row, column) of `table`.
void clickCell(QTableWidget* table, int row, int column) {
    const QRect rect = table->visualItemRect(table->item(row, column));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
}

} // namespace

class TestExplainGui : public QObject {
    Q_OBJECT

private:
    QString m_folder;
    QString m_run;
    EvaluationResults m_results; ///< of the trained run
    std::unique_ptr<exporting::Explainer> m_explainer;

    /// A view showing the trained run's results, large enough to read.
    std::unique_ptr<TestView> makeView() {
        auto view = std::make_unique<TestView>();
        view->resize(1400, 900);
        if (!view->setResults(m_results))
            qFatal("%s", qPrintable(view->resultsError()));
        return view;
    }

    /// An image of the test split that the model got wrong, else the first one.
    int hardImage() const {
        const auto hard = ui::hardestImages(m_results);
        return hard.empty() ? 0 : hard.front().index;
    }

private Q_SLOTS:
    void initTestCase() {
        runtime::configureProcess(2);
        m_folder = folderPath(QStringLiteral("explain-gui"));
        data::SyntheticHistologyOptions options;
        options.directory = QDir(m_folder).filePath(QStringLiteral("demo"));
        options.benign = 30;
        options.malignant = 42;
        options.width = 240;
        options.height = 160;
        options.patients = 10;
        options.seed = 4;
        const auto generated = data::SyntheticHistology::generate(options);
        QVERIFY2(generated.ok(), qPrintable(generated.error));

        train::TrainingRequest request;
        request.projectPath =
            writeProject(QDir(m_folder).filePath(QStringLiteral("tiny.tcproj")), generated.csvPath);
        m_run = QDir(m_folder).filePath(QStringLiteral("runs/tiny-1"));
        request.runDirectory = m_run;
        request.weightsDirectory = QDir(m_folder).filePath(QStringLiteral("weights"));
        request.loaderWorkers = 1;
        request.diskCache = false;
        train::TrainingObserver observer;
        train::TrainingControl control;
        const train::FinishedEvent finished = train::trainProject(request, observer, control);
        QVERIFY2(finished.reason != train::FinishReason::Failed, qPrintable(finished.message));
        QVERIFY(finished.testPredictions.size() >= 6);

        m_results.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
        for (const auto& prediction : finished.testPredictions)
            m_results.images.push_back(toImage(prediction));
        for (const auto& prediction : finished.validationPredictions)
            m_results.validationImages.push_back(toImage(prediction));
        m_results.description = QStringLiteral("Test split of run tiny-1");
        m_results.runDirectory = m_run;
        QVERIFY2(m_results.validate().isEmpty(), qPrintable(m_results.validate()));

        QString error;
        m_explainer = exporting::Explainer::open(m_run, &error);
        QVERIFY2(m_explainer, qPrintable(error));
        QCOMPARE(m_explainer->classNames(), m_results.classNames);
    }

    void hardestOrderAndFilter();
    void hardestFollowsTheSelectedCell();
    void viewerMatchesExplainer();
    void switchingTheClassRecomputes();
    void opacityBlendsImageAndMap();
    void onlyTheLatestRequestIsShown();
    void closingCancels();
    void anotherModelClosesTheViewer();
    void failuresNameTheFile();
    void opensFromTheCellAndTheClassifier();
    void heatmapThumbnailsReplaceThePlainOnes();
    void screenshots();
};

namespace {

/// Three classes, 40 images with random probabilities (some exactly 0 for the true class),
/// patients for some.
EvaluationResults handMadeResults() {
    EvaluationResults results;
    results.classNames = {QStringLiteral("benign"), QStringLiteral("malignant"),
                          QStringLiteral("normal")};
    QRandomGenerator random(17);
    for (int i = 0; i < 40; ++i) {
        EvaluatedImage image;
        image.path = QStringLiteral("/data/img-%1.png").arg(i, 2, 10, QLatin1Char('0'));
        image.trueClass = i % 3;
        std::vector<float> weights(3);
        for (float& w : weights)
            w = float(random.bounded(1.0) + 0.01);
        if (i == 7)
            weights[size_t(image.trueClass)] = 0.0f; // the most confidently wrong of all
        const float sum = weights[0] + weights[1] + weights[2];
        for (float& w : weights)
            image.probabilities.push_back(w / sum);
        image.group = i % 4 == 0 ? QString() : QStringLiteral("patient-%1").arg(i % 5);
        results.images.push_back(image);
    }
    return results;
}

/// The expected listing, computed independently: argmax by hand, loss in long double,
/// repeated selection of the largest remaining loss (the first on a tie).
std::vector<int> expectedOrder(const EvaluationResults& results, int trueClass, int predicted) {
    std::vector<std::pair<int, long double>> wrong;
    for (int i = 0; i < int(results.images.size()); ++i) {
        const auto& p = results.images[size_t(i)].probabilities;
        int best = 0;
        for (int c = 1; c < int(p.size()); ++c)
            if (p[size_t(c)] > p[size_t(best)])
                best = c;
        const int truth = results.images[size_t(i)].trueClass;
        if (best == truth || (trueClass >= 0 && truth != trueClass) ||
            (predicted >= 0 && best != predicted))
            continue;
        const long double pTrue = std::max<long double>(p[size_t(truth)], FLT_MIN);
        wrong.emplace_back(i, -std::log(pTrue));
    }
    std::vector<int> order;
    while (!wrong.empty()) {
        size_t top = 0;
        for (size_t k = 1; k < wrong.size(); ++k)
            if (wrong[k].second > wrong[top].second)
                top = k;
        order.push_back(wrong[top].first);
        wrong.erase(wrong.begin() + long(top));
    }
    return order;
}

std::vector<int> listedIndices(const HardestImagesPanel& panel) {
    std::vector<int> indices;
    for (const auto& hard : panel.listed())
        indices.push_back(hard.index);
    return indices;
}

} // namespace

void TestExplainGui::hardestOrderAndFilter() {
    const EvaluationResults results = handMadeResults();
    HardestImagesPanel panel;
    panel.resize(900, 500);
    panel.setResults(results);
    // No cell selected: every misclassified image.
    QCOMPARE(panel.listedCell(), std::make_pair(-1, -1));
    const std::vector<int> all = expectedOrder(results, -1, -1);
    QVERIFY(all.size() >= 10);
    QCOMPARE(listedIndices(panel), all);
    QCOMPARE(all.front(), 7);

    QTableWidget* table = panel.table();
    QCOMPARE(table->rowCount(), int(all.size()));
    for (int row = 0; row < table->rowCount(); ++row) {
        const EvaluatedImage& image = results.images[size_t(all[size_t(row)])];
        const int predicted = image.predictedClass();
        QCOMPARE(table->item(row, HardestImagesPanel::FileColumn)->text(),
                 QFileInfo(image.path).fileName());
        QCOMPARE(table->item(row, HardestImagesPanel::TrueColumn)->text(),
                 results.classNames.at(image.trueClass));
        QCOMPARE(table->item(row, HardestImagesPanel::PredictedColumn)->text(),
                 results.classNames.at(predicted));
        QCOMPARE(table->item(row, HardestImagesPanel::ProbabilityColumn)->text(),
                 QStringLiteral("%1 %").arg(
                     QLocale().toString(image.probabilities[size_t(predicted)] * 100.0, 'f', 1)));
        const double loss = -std::log(
            std::max(double(image.probabilities[size_t(image.trueClass)]), double(FLT_MIN)));
        QCOMPARE(table->item(row, HardestImagesPanel::LossColumn)->text(),
                 QLocale().toString(loss, 'f', 3));
        QCOMPARE(table->item(row, HardestImagesPanel::PatientColumn)->text(),
                 image.group.isEmpty() ? QStringLiteral("—") : image.group);
    }
    QTRY_COMPARE(panel.loadedThumbnailCount(), table->rowCount());

    // One wrong cell.
    for (const auto& [t, q] : {std::make_pair(0, 1), std::make_pair(2, 0), std::make_pair(1, 2)}) {
        panel.setFilter(t, q);
        QCOMPARE(panel.listedCell(), std::make_pair(t, q));
        const std::vector<int> expected = expectedOrder(results, t, q);
        QCOMPARE(listedIndices(panel), expected);
        QCOMPARE(table->rowCount(), int(expected.size()));
        QVERIFY(
            panel.filterBox()->currentText().contains(QStringLiteral("(%1)").arg(expected.size())));
    }
    panel.setFilter(-1, -1);
    QCOMPARE(listedIndices(panel), all);

    // A click asks for that image.
    QSignalSpy activated(&panel, &HardestImagesPanel::imageActivated);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    clickCell(table, 2, HardestImagesPanel::FileColumn);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toInt(), all[2]);
}

void TestExplainGui::hardestFollowsTheSelectedCell() {
    const EvaluationResults results = handMadeResults();
    TestView view;
    QVERIFY(view.setResults(results));
    HardestImagesPanel* panel = view.hardestPanel();
    QCOMPARE(view.detailsTabs()->indexOf(panel), 1);
    QCOMPARE(view.detailsTabs()->tabText(1), QStringLiteral("Hardest images"));
    QCOMPARE(listedIndices(*panel), expectedOrder(results, -1, -1));
    view.selectCell(1, 0);
    QCOMPARE(panel->listedCell(), std::make_pair(1, 0));
    QCOMPARE(listedIndices(*panel), expectedOrder(results, 1, 0));
    // A correct cell has no errors: every misclassified image is listed again.
    view.selectCell(2, 2);
    QCOMPARE(panel->listedCell(), std::make_pair(-1, -1));
    QCOMPARE(listedIndices(*panel), expectedOrder(results, -1, -1));
    // A fixed filter stays when another cell is selected.
    panel->setFilter(0, 2);
    view.selectCell(1, 0);
    QCOMPARE(panel->listedCell(), std::make_pair(0, 2));
    panel->followSelectedCell();
    QCOMPARE(panel->listedCell(), std::make_pair(1, 0));
}

void TestExplainGui::viewerMatchesExplainer() {
    auto view = makeView();
    QCOMPARE(view->explainerSource(), m_run);
    HeatmapViewer* viewer = view->heatmapViewer();
    QSignalSpy shown(viewer, &HeatmapViewer::heatmapShown);
    QSignalSpy failed(viewer, &HeatmapViewer::heatmapFailed);

    const std::vector<ui::HardImage> hard = ui::hardestImages(m_results);
    int index = 0;
    view->show();
    QVERIFY(QTest::qWaitForWindowExposed(view.get()));
    if (!hard.empty()) {
        // Through the Hardest images tab, as a user does.
        view->detailsTabs()->setCurrentWidget(view->hardestPanel());
        index = hard.front().index;
        clickCell(view->hardestPanel()->table(), 0, HardestImagesPanel::FileColumn);
    } else {
        qWarning("the tiny run made no mistakes: the viewer is opened directly");
        view->showHeatmap(index);
    }
    QElapsedTimer clock;
    clock.start();
    const EvaluatedImage& image = m_results.images[size_t(index)];
    QCOMPARE(viewer->subject().path, image.path);
    QVERIFY(viewer->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(shown.count() + failed.count(), 1, kHeatmapTimeoutMs);
    qInfo("first heatmap (opening the run's model included) in %lld ms", clock.elapsed());
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QCOMPARE(shown.at(0).at(0).toString(), image.path);

    const exporting::Explanation expected = m_explainer->explain(image.path, -1);
    QVERIFY2(expected.ok(), qPrintable(expected.error));
    const exporting::Explanation& got = viewer->heatmap().explanation;
    QCOMPARE(got.explainedClass, expected.predicted);
    QCOMPARE(got.width, 64);
    QCOMPARE(got.height, 64);
    QVERIFY2(maxDifference(got.map, expected.map) <= 1e-5,
             qPrintable(QString::number(maxDifference(got.map, expected.map))));
    QCOMPARE(got.probabilities.size(), size_t(2));
    // The evaluation's logits came from the same fp32 model; the explainer's probabilities are
    // those of the run's operating point: softmax(logits / T), T fitted on validation.
    QString pointError;
    const auto point = train::readOperatingPoint(m_run, &pointError);
    QVERIFY2(pointError.isEmpty(), qPrintable(pointError));
    const double t = point ? point->temperature : 1.0;
    QCOMPARE(image.logits.size(), size_t(2));
    const double scaled =
        1.0 / (1.0 + std::exp((double(image.logits[0]) - double(image.logits[1])) / t));
    QVERIFY2(std::abs(got.probabilities[1] - scaled) < 1e-3,
             qPrintable(
                 QStringLiteral("%1 vs %2 (T = %3)").arg(got.probabilities[1]).arg(scaled).arg(t)));

    // Both pictures are shown, at the image's size.
    QCOMPARE(viewer->heatmap().image.size(), QSize(240, 160));
    QCOMPARE(viewer->heatmap().overlay.size(), QSize(240, 160));
    QVERIFY(!viewer->imageLabel()->pixmap().isNull());
    QVERIFY(!viewer->overlayLabel()->pixmap().isNull());
    const QString details = viewer->detailsLabel()->text();
    QVERIFY2(details.contains(m_results.classNames.at(image.trueClass)), qPrintable(details));
    QVERIFY2(details.contains(image.group.isEmpty() ? QStringLiteral("—") : image.group),
             qPrintable(details));
    QVERIFY(viewer->overlayCaption()->text().contains(m_results.classNames.at(expected.predicted)));
    QVERIFY(viewer->classBox()->itemText(0).contains(m_results.classNames.at(expected.predicted)));
}

void TestExplainGui::switchingTheClassRecomputes() {
    auto view = makeView();
    HeatmapViewer* viewer = view->heatmapViewer();
    QSignalSpy shown(viewer, &HeatmapViewer::heatmapShown);
    const EvaluatedImage& image = m_results.images[size_t(hardImage())];
    view->showHeatmap(hardImage());
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, kHeatmapTimeoutMs);
    const int predicted = viewer->heatmap().explanation.predicted;
    const int other = 1 - predicted;
    const std::vector<float> predictedMap = viewer->heatmap().explanation.map;

    QElapsedTimer clock;
    clock.start();
    viewer->classBox()->setCurrentIndex(viewer->classBox()->findData(other));
    QCOMPARE(viewer->explainedClassChoice(), other);
    QVERIFY(!viewer->hasHeatmap()); // the old map is gone while the new one is computed
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, kHeatmapTimeoutMs);
    qInfo("heatmap for another class in %lld ms", clock.elapsed());
    const exporting::Explanation& got = viewer->heatmap().explanation;
    QCOMPARE(got.explainedClass, other);
    QCOMPARE(got.predicted, predicted);
    const exporting::Explanation expected = m_explainer->explain(image.path, other);
    QVERIFY(maxDifference(got.map, expected.map) <= 1e-5);
    QVERIFY(maxDifference(got.map, predictedMap) > 1e-3);
    QVERIFY(viewer->overlayCaption()->text().contains(m_results.classNames.at(other)));

    viewer->setExplainedClass(-1);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 3, kHeatmapTimeoutMs);
    QCOMPARE(viewer->heatmap().explanation.explainedClass, predicted);
    QVERIFY(maxDifference(viewer->heatmap().explanation.map, predictedMap) <= 1e-5);
}

void TestExplainGui::opacityBlendsImageAndMap() {
    auto view = makeView();
    HeatmapViewer* viewer = view->heatmapViewer();
    QCOMPARE(viewer->opacity(), exporting::kDefaultOverlayAlpha);
    QCOMPARE(viewer->opacitySlider()->minimum(), 0);
    QCOMPARE(viewer->opacitySlider()->maximum(), 100);
    QSignalSpy shown(viewer, &HeatmapViewer::heatmapShown);
    QSignalSpy recomposed(viewer, &HeatmapViewer::overlayRecomposed);
    view->showHeatmap(hardImage());
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, kHeatmapTimeoutMs);
    const QImage atDefault = viewer->heatmap().overlay;
    const QImage original = viewer->heatmap().image;

    // 0 %: the image alone, as decoded for display.
    viewer->setOpacity(0.0);
    QTRY_COMPARE_WITH_TIMEOUT(recomposed.count(), 1, kHeatmapTimeoutMs);
    QCOMPARE(viewer->heatmap().alpha, 0.0);
    QVERIFY(meanPixelDifference(viewer->heatmap().overlay, original) <= 0.5);
    // 100 %: the viridis map alone (stretched over the whole image), far from the image.
    viewer->setOpacity(1.0);
    QTRY_COMPARE_WITH_TIMEOUT(recomposed.count(), 2, kHeatmapTimeoutMs);
    const QImage mapOnly = viewer->heatmap().overlay;
    QVERIFY(meanPixelDifference(mapOnly, original) > 10.0);
    // The default blends the two: per pixel, (1 − α)·image + α·map, within rounding.
    const double alpha = exporting::kDefaultOverlayAlpha;
    const QImage a = original.convertToFormat(QImage::Format_RGB888);
    const QImage m = mapOnly.convertToFormat(QImage::Format_RGB888);
    const QImage d = atDefault.convertToFormat(QImage::Format_RGB888);
    double largest = 0.0;
    for (int row = 0; row < a.height(); ++row)
        for (int i = 0; i < a.width() * 3; ++i)
            largest = std::max(largest,
                               std::abs((1.0 - alpha) * a.constScanLine(row)[i] +
                                        alpha * m.constScanLine(row)[i] - d.constScanLine(row)[i]));
    QVERIFY2(largest <= 1.5, qPrintable(QString::number(largest)));
}

void TestExplainGui::onlyTheLatestRequestIsShown() {
    auto view = makeView();
    HeatmapViewer* viewer = view->heatmapViewer();
    QSignalSpy shown(viewer, &HeatmapViewer::heatmapShown);
    QSignalSpy failed(viewer, &HeatmapViewer::heatmapFailed);
    const QString first = m_results.images[0].path;
    const QString second = m_results.images[1].path;
    view->showHeatmap(0);
    view->showHeatmap(1);
    QCOMPARE(viewer->subject().path, second);
    // Every worker has ended and everything it queued has been delivered.
    viewer->service()->waitForIdle();
    QCOMPARE(failed.count(), 0);
    QCOMPARE(shown.count(), 1);
    QCOMPARE(shown.at(0).at(0).toString(), second);
    QCOMPARE(viewer->heatmap().explanation.image, second);
    const exporting::Explanation expected = m_explainer->explain(second, -1);
    QVERIFY(maxDifference(viewer->heatmap().explanation.map, expected.map) <= 1e-5);
    Q_UNUSED(first);
}

void TestExplainGui::closingCancels() {
    auto view = makeView();
    HeatmapViewer* viewer = view->heatmapViewer();
    QSignalSpy shown(viewer, &HeatmapViewer::heatmapShown);
    view->showHeatmap(0);
    QVERIFY(viewer->isComputing());
    viewer->close();
    QVERIFY(!viewer->isComputing());
    viewer->service()->waitForIdle();
    QCOMPARE(shown.count(), 0);
    QVERIFY(!viewer->hasHeatmap());
}

void TestExplainGui::anotherModelClosesTheViewer() {
    auto view = makeView();
    HeatmapViewer* viewer = view->heatmapViewer();
    QSignalSpy shown(viewer, &HeatmapViewer::heatmapShown);
    view->showHeatmap(0);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, kHeatmapTimeoutMs);
    QVERIFY(viewer->isVisible());
    // The same run again: the heatmap stays.
    QVERIFY(view->setResults(m_results));
    QVERIFY(viewer->isVisible());
    // Results of another run: a heatmap of the old model must not stay on screen.
    EvaluationResults other = m_results;
    other.runDirectory = QDir(m_folder).filePath(QStringLiteral("runs/other"));
    QVERIFY(view->setResults(other));
    QVERIFY(!viewer->isVisible());
    QCOMPARE(view->explainerSource(), other.runDirectory);
}

void TestExplainGui::failuresNameTheFile() {
    // A model that is not there.
    {
        auto view = makeView();
        const QString missing = QDir(m_folder).filePath(QStringLiteral("no-such-run"));
        view->setExplainerSource(missing);
        QCOMPARE(view->explainerSource(), missing);
        HeatmapViewer* viewer = view->heatmapViewer();
        QSignalSpy failed(viewer, &HeatmapViewer::heatmapFailed);
        view->showHeatmap(0);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kHeatmapTimeoutMs);
        QVERIFY2(failed.at(0).at(1).toString().contains(missing),
                 qPrintable(failed.at(0).at(1).toString()));
        QVERIFY(viewer->messageLabel()->text().contains(missing));
        QVERIFY(!viewer->hasHeatmap());
    }
    // An image that is not one.
    {
        EvaluationResults results = m_results;
        const QString broken = QDir(m_folder).filePath(QStringLiteral("broken.png"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\x89PNG not really");
        file.close();
        results.images[0].path = broken;
        TestView view;
        QVERIFY(view.setResults(results));
        QSignalSpy failed(view.heatmapViewer(), &HeatmapViewer::heatmapFailed);
        view.showHeatmap(0);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kHeatmapTimeoutMs);
        QVERIFY2(failed.at(0).at(1).toString().contains(broken),
                 qPrintable(failed.at(0).at(1).toString()));
    }
    // No run folder: the buttons say heatmaps are unavailable.
    {
        EvaluationResults results = m_results;
        results.runDirectory.clear();
        TestView view;
        QVERIFY(view.setResults(results));
        QVERIFY(view.explainerSource().isEmpty());
        QVERIFY(!view.cellHeatmapButton()->isEnabled());
        QVERIFY(view.classifierPanel()->heatmapButton()->isHidden());
    }
}

void TestExplainGui::opensFromTheCellAndTheClassifier() {
    auto view = makeView();
    view->show();
    QVERIFY(QTest::qWaitForWindowExposed(view.get()));
    HeatmapViewer* viewer = view->heatmapViewer();
    QSignalSpy shown(viewer, &HeatmapViewer::heatmapShown);

    // The cell's gallery: select a thumbnail, press Show heatmap.
    const EvaluatedImage& hard = m_results.images[size_t(hardImage())];
    view->selectCell(hard.trueClass, hard.predictedClass());
    QVERIFY(!view->listedImages().empty());
    QVERIFY(!view->cellHeatmapButton()->isEnabled());
    view->thumbnailList()->setCurrentRow(0);
    QVERIFY(view->cellHeatmapButton()->isEnabled());
    QTest::mouseClick(view->cellHeatmapButton(), Qt::LeftButton);
    const EvaluatedImage& listed = m_results.images[size_t(view->listedImages().front())];
    QCOMPARE(viewer->subject().path, listed.path);
    QCOMPARE(viewer->subject().trueClass, listed.trueClass);
    QCOMPARE(viewer->subject().group, listed.group);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, kHeatmapTimeoutMs);

    // "Classify an image": Show heatmap after a classification.
    view->setPredictor([](const QString&) {
        ui::Prediction prediction;
        prediction.probabilities = {0.25f, 0.75f};
        return prediction;
    });
    ui::ImageClassifierPanel* panel = view->classifierPanel();
    QVERIFY(!panel->heatmapButton()->isHidden());
    QVERIFY(!panel->heatmapButton()->isEnabled());
    QSignalSpy classified(panel, &ui::ImageClassifierPanel::classified);
    const EvaluatedImage& other = m_results.images[1];
    panel->classify(other.path);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, kHeatmapTimeoutMs);
    QVERIFY(panel->heatmapButton()->isEnabled());
    QTest::mouseClick(panel->heatmapButton(), Qt::LeftButton);
    QCOMPARE(viewer->subject().path, other.path);
    QCOMPARE(viewer->subject().trueClass, other.trueClass); // found among the test images
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, kHeatmapTimeoutMs);
    QCOMPARE(shown.at(1).at(0).toString(), other.path);
}

void TestExplainGui::heatmapThumbnailsReplaceThePlainOnes() {
    auto view = makeView();
    const EvaluatedImage& hard = m_results.images[size_t(hardImage())];
    view->selectCell(hard.trueClass, hard.predictedClass());
    const int count = int(view->listedImages().size());
    QVERIFY(count > 0);
    QTRY_COMPARE(view->loadedThumbnailCount(), count);
    auto iconImage = [&](int row) {
        return view->thumbnailList()->item(row)->icon().pixmap(QSize(96, 96)).toImage();
    };
    const QImage plain = iconImage(0);

    QSignalSpy loaded(view.get(), &TestView::heatmapThumbnailsLoaded);
    QVERIFY(view->heatmapThumbnailsBox()->isEnabled());
    // Reported, not asserted: how long the heatmaps take and the longest the GUI thread went
    // without running its event loop meanwhile.
    QElapsedTimer clock;
    qint64 last = 0, longestGap = 0;
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, [&]() {
        const qint64 now = clock.elapsed();
        longestGap = std::max(longestGap, now - last);
        last = now;
    });
    clock.start();
    ticker.start();
    view->heatmapThumbnailsBox()->setChecked(true);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kHeatmapTimeoutMs);
    ticker.stop();
    qInfo("%d heatmap thumbnails in %lld ms; longest GUI-thread gap %lld ms", count,
          clock.elapsed(), longestGap);
    QCOMPARE(view->heatmapThumbnailCount(), count);
    QTRY_COMPARE(view->loadedThumbnailCount(), count);

    // The first thumbnail is the centre square of the overlay of Explainer's own map.
    const QString path = m_results.images[size_t(view->listedImages().front())].path;
    const exporting::Explanation explanation = m_explainer->explain(path, -1);
    QString error;
    const QImage overlay = ui::overlayQImage(path, explanation, m_explainer->preprocessing(),
                                             exporting::kDefaultOverlayAlpha, &error);
    QVERIFY2(!overlay.isNull(), qPrintable(error));
    const int side = std::min(overlay.width(), overlay.height());
    const QImage expected =
        overlay.copy((overlay.width() - side) / 2, (overlay.height() - side) / 2, side, side)
            .scaled(96, 96, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    const QImage shown = iconImage(0);
    QVERIFY2(meanPixelDifference(shown, expected) <= 1.0,
             qPrintable(QString::number(meanPixelDifference(shown, expected))));
    QVERIFY(meanPixelDifference(shown, plain) > 5.0);

    // Off again: the plain thumbnails come back.
    view->heatmapThumbnailsBox()->setChecked(false);
    QTRY_COMPARE(view->loadedThumbnailCount(), count);
    QVERIFY(meanPixelDifference(iconImage(0), plain) <= 1.0);
    QCOMPARE(view->heatmapThumbnailCount(), 0);
}

void TestExplainGui::screenshots() {
    const QString out = qEnvironmentVariable("TC_SCREENSHOT_DIR");
    if (out.isEmpty())
        QSKIP("set TC_SCREENSHOT_DIR to write docs/images/test-heatmap.png and test-hardest.png");
    QDir().mkpath(out);
    auto view = makeView();
    view->resize(1400, 1040);
    view->show();
    QVERIFY(QTest::qWaitForWindowExposed(view.get()));
    const std::vector<ui::HardImage> hard = ui::hardestImages(m_results);
    if (!hard.empty()) {
        const EvaluatedImage& first = m_results.images[size_t(hard.front().index)];
        view->selectCell(first.trueClass, first.predictedClass());
    }
    view->hardestPanel()->setFilter(-1, -1);
    view->detailsTabs()->setCurrentWidget(view->hardestPanel());
    // "Classify an image" with the run's own model, on the hardest image.
    QString error;
    std::shared_ptr<exporting::Explainer> model = exporting::Explainer::open(m_run, &error);
    QVERIFY2(model, qPrintable(error));
    auto mutex = std::make_shared<std::mutex>();
    view->setPredictor([model, mutex](const QString& path) {
        const std::lock_guard lock(*mutex);
        const exporting::Explanation explanation = model->explain(path);
        ui::Prediction prediction;
        prediction.probabilities = explanation.probabilities;
        prediction.error = explanation.error;
        return prediction;
    });
    QSignalSpy classified(view->classifierPanel(), &ui::ImageClassifierPanel::classified);
    view->classifierPanel()->classify(m_results.images[size_t(hardImage())].path);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, kHeatmapTimeoutMs);
    QTRY_COMPARE(view->hardestPanel()->loadedThumbnailCount(),
                 view->hardestPanel()->table()->rowCount());
    QVERIFY(view->grab().save(QDir(out).filePath(QStringLiteral("test-hardest.png"))));

    HeatmapViewer* viewer = view->heatmapViewer();
    QSignalSpy shown(viewer, &HeatmapViewer::heatmapShown);
    view->showHeatmap(hardImage());
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, kHeatmapTimeoutMs);
    QVERIFY(QTest::qWaitForWindowExposed(viewer));
    QVERIFY(viewer->grab().save(QDir(out).filePath(QStringLiteral("test-heatmap.png"))));
    viewer->hide();

    // The cell's gallery with heatmap thumbnails.
    QSignalSpy loaded(view.get(), &TestView::heatmapThumbnailsLoaded);
    view->detailsTabs()->setCurrentIndex(0);
    view->heatmapThumbnailsBox()->setChecked(true);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kHeatmapTimeoutMs);
    QTRY_COMPARE(view->loadedThumbnailCount(), int(view->listedImages().size()));
    QVERIFY(view->grab().save(QDir(out).filePath(QStringLiteral("test-heatmap-thumbnails.png"))));
}

QTEST_MAIN(TestExplainGui)
#include "tst_explaingui.moc"
