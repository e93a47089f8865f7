// The live Statistics view, fed synthetic trainer events: curves, confusion heatmap, class
// scores, exports, and runs kept until cleared.

#include "ui/training/QCustomPlot.h"
#include "ui/training/StatisticsView.h"

#include <QTableWidget>
#include <QtTest>

using namespace tc::train;
using tc::ui::StatisticsView;

namespace {

ClassificationMetrics metricsFor(const std::vector<int>& labels,
                                 const std::vector<int>& predicted) {
    std::vector<float> scores(labels.size());
    for (size_t i = 0; i < labels.size(); ++i)
        scores[i] = predicted[i] == 1 ? 0.8f : 0.2f;
    return computeMetrics(labels, predicted, 2, scores);
}

/// Feeds one run: `epochs` epochs of `batches` batches with rising accuracy.
void feedRun(StatisticsView& view, int epochs, int batches) {
    view.onPhase({Phase::Training, 1, 0, 0, QString()});
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        for (int batch = 1; batch <= batches; ++batch) {
            BatchEvent event;
            event.epoch = epoch;
            event.epochs = epochs;
            event.batch = batch;
            event.batchesPerEpoch = batches;
            event.loss = 1.0 / (epoch + batch);
            event.accuracy = 0.5 + 0.1 * epoch;
            event.imagesPerSecond = 250.0;
            event.etaSeconds = 42.0;
            view.onBatch(event);
        }
        EpochEvent epochEvent;
        epochEvent.epoch = epoch;
        epochEvent.epochs = epochs;
        epochEvent.train.loss = 0.6 / epoch;
        epochEvent.train.metrics = metricsFor({0, 0, 1, 1, 1}, {0, 0, 1, 1, 1});
        epochEvent.validation = SplitResult{
            0.7 / epoch, metricsFor({0, 0, 1, 1, 1, 1}, {0, 1, 1, 1, 1, epoch > 1 ? 1 : 0})};
        epochEvent.learningRate = 1e-3;
        view.onEpoch(epochEvent);
    }
}

} // namespace

class TestStatisticsView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void plotsReceiveBatchAndEpochPoints();
    void confusionAndClassScoresFollowLastEpoch();
    void progressShowsEpochAndEta();
    void previousRunKeptUntilCleared();
    void exportsPlotsAndMetrics();
    void rejectsUnknownExportFormat();
    void screenshot();
};

void TestStatisticsView::plotsReceiveBatchAndEpochPoints() {
    StatisticsView view;
    view.beginRun(QStringLiteral("run 1"), {QStringLiteral("benign"), QStringLiteral("malignant")});
    feedRun(view, 3, 4);
    QCOMPARE(view.batchPointCount(), 12);
    QCOMPARE(view.trainEpochPointCount(), 3);
    QCOMPARE(view.validationEpochPointCount(), 3);
    // Batch points sit on the epoch axis: the last batch of epoch 2 is at x = 2.
    const auto* batchGraph = view.accuracyPlot()->graph(0);
    QCOMPARE((batchGraph->data()->constBegin() + 7)->key, 2.0);
    QCOMPARE(view.accuracyPlot()->graph(2)->data()->at(2)->value, 5.0 / 6.0 * 100.0);
}

void TestStatisticsView::confusionAndClassScoresFollowLastEpoch() {
    StatisticsView view;
    view.beginRun(QStringLiteral("run 1"), {QStringLiteral("benign"), QStringLiteral("malignant")});
    feedRun(view, 2, 2);
    QCOMPARE(view.shownConfusion(), (std::vector<std::vector<std::int64_t>>{{1, 1}, {0, 4}}));
    QCOMPARE(view.classTable()->rowCount(), 2);
    QCOMPARE(view.classTable()->verticalHeaderItem(1)->text(), QStringLiteral("malignant"));
    QCOMPARE(view.classTable()->item(0, 1)->text(), QStringLiteral("0.500")); // benign recall
    QCOMPARE(view.classTable()->item(1, 0)->text(), QStringLiteral("0.800")); // malignant precision
    QCOMPARE(view.classTable()->item(1, 3)->text(), QStringLiteral("4"));
}

void TestStatisticsView::progressShowsEpochAndEta() {
    StatisticsView view;
    view.beginRun(QStringLiteral("run 1"), {});
    view.onPhase({Phase::CachingFeatures, 0, 120, 1693, QStringLiteral("ResNet50 features")});
    QVERIFY(view.progressText().startsWith(QStringLiteral("Caching features")));
    BatchEvent event;
    event.epoch = 2;
    event.epochs = 10;
    event.batch = 5;
    event.batchesPerEpoch = 37;
    event.etaSeconds = 75;
    view.onBatch(event);
    QVERIFY2(view.progressText().contains(QStringLiteral("Epoch 2/10")),
             qPrintable(view.progressText()));
    QVERIFY(view.progressText().contains(QStringLiteral("ETA 1:15")));
    FinishedEvent finished;
    finished.reason = FinishReason::Stopped;
    finished.epochsCompleted = 1;
    view.onFinished(finished);
    QVERIFY(view.progressText().startsWith(QStringLiteral("Finished (stopped)")));
}

void TestStatisticsView::previousRunKeptUntilCleared() {
    StatisticsView view;
    view.beginRun(QStringLiteral("first"), {});
    feedRun(view, 2, 3);
    const int graphsPerRun = view.accuracyPlot()->graphCount();
    view.beginRun(QStringLiteral("second"), {});
    QCOMPARE(view.runCount(), 2);
    QCOMPARE(view.accuracyPlot()->graphCount(), 2 * graphsPerRun);
    QCOMPARE(view.batchPointCount(), 0);                     // the new run starts empty…
    QCOMPARE(view.accuracyPlot()->graph(1)->dataCount(), 2); // …the old one is still there
    QCOMPARE(view.accuracyPlot()->graph(1)->pen().style(), Qt::DashLine);
    feedRun(view, 1, 3);
    view.clearPreviousRuns();
    QCOMPARE(view.runCount(), 1);
    QCOMPARE(view.accuracyPlot()->graphCount(), graphsPerRun);
    QCOMPARE(view.trainEpochPointCount(), 1);
}

void TestStatisticsView::exportsPlotsAndMetrics() {
    StatisticsView view;
    view.resize(1200, 800);
    view.beginRun(QStringLiteral("run \"A\""),
                  {QStringLiteral("benign"), QStringLiteral("malignant")});
    feedRun(view, 2, 3);
    view.beginRun(QStringLiteral("run B"), {});
    feedRun(view, 1, 3);
    QTemporaryDir dir;
    QString error;
    const QString png = dir.filePath(QStringLiteral("accuracy.png"));
    const QString pdf = dir.filePath(QStringLiteral("loss.pdf"));
    QVERIFY2(StatisticsView::exportPlot(view.accuracyPlot(), png, &error), qPrintable(error));
    QVERIFY2(StatisticsView::exportPlot(view.lossPlot(), pdf, &error), qPrintable(error));
    QVERIFY(QImage(png).width() > 0);
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    QVERIFY(pdfFile.read(5) == "%PDF-");

    const QString csv = dir.filePath(QStringLiteral("metrics.csv"));
    QVERIFY2(view.exportMetricsCsv(csv, &error), qPrintable(error));
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines =
        QString::fromUtf8(csvFile.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 2 + 1);
    QVERIFY(lines[0].startsWith(QStringLiteral("run,epoch,")));
    QVERIFY2(lines[1].startsWith(QStringLiteral("\"run \"\"A\"\"\",1,")), qPrintable(lines[1]));
    QVERIFY(lines[3].startsWith(QStringLiteral("\"run B\",1,")));
    // val_accuracy of epoch 2 in run A: 5 of 6.
    QCOMPARE(lines[2].split(QLatin1Char(','))[7].toDouble(), 5.0 / 6.0);
}

void TestStatisticsView::rejectsUnknownExportFormat() {
    StatisticsView view;
    QTemporaryDir dir;
    QString error;
    QVERIFY(!StatisticsView::exportPlot(view.accuracyPlot(), dir.filePath(QStringLiteral("a.gif")),
                                        &error));
    QVERIFY(error.contains(QStringLiteral("use a .png or .pdf")));
    QVERIFY(!view.exportMetricsCsv(dir.filePath(QStringLiteral("missing/dir/m.csv")), &error));
    QVERIFY(error.contains(QStringLiteral("missing/dir/m.csv")));
}

void TestStatisticsView::screenshot() {
    StatisticsView view;
    view.resize(1280, 760);
    view.beginRun(QStringLiteral("run 1"), {QStringLiteral("benign"), QStringLiteral("malignant")});
    feedRun(view, 6, 10);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.grab().save(QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR "/statisticsview.png")));
}

QTEST_MAIN(TestStatisticsView)
#include "tst_statisticsview.moc"
