// The Test view, offscreen, fed known evaluation results: the metrics and their Wilson
// intervals (checked against an independent computation), the confusion matrix and a click on
// a cell listing its images, the ROC curve and AUC (against a pair count), the positive class,
// refused results, and "Classify an image" with a predictor that succeeds, fails or throws,
// by Open and by drop. The screenshot test writes docs/images/test.png material.

#include "core/data/SyntheticHistology.h"
#include "ui/evaluation/ImageClassifierPanel.h"
#include "ui/evaluation/TestView.h"
#include "ui/training/QCustomPlot.h"

#include <atomic>
#include <cmath>
#include <QComboBox>
#include <QDirIterator>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>
#include <stdexcept>

using tc::ui::EvaluatedImage;
using tc::ui::EvaluationResults;
using tc::ui::Prediction;
using tc::ui::TestView;
using Metric = tc::ui::TestView::Metric;

namespace {

/// The Wilson score interval, written out here independently of core/train.
std::pair<double, double> wilson(double successes, double trials) {
    const double z = 1.959963984540054;
    const double p = successes / trials;
    const double denominator = 1.0 + z * z / trials;
    const double centre = (p + z * z / (2.0 * trials)) / denominator;
    const double half =
        z * std::sqrt(p * (1.0 - p) / trials + z * z / (4.0 * trials * trials)) / denominator;
    return {centre - half, centre + half};
}

QString intervalText(double successes, double trials) {
    const auto [low, high] = wilson(successes, trials);
    return QStringLiteral("95 % CI %1–%2 %")
        .arg(QLocale().toString(low * 100.0, 'f', 1), QLocale().toString(high * 100.0, 'f', 1));
}

/// AUC as the share of (positive, negative) pairs ranked correctly, ties counting half.
double pairAuc(const std::vector<float>& positives, const std::vector<float>& negatives) {
    double wins = 0;
    for (float p : positives)
        for (float n : negatives)
            wins += p > n ? 1.0 : p == n ? 0.5 : 0.0;
    return wins / double(positives.size() * negatives.size());
}

QStringList listTexts(const QListWidget* list) {
    QStringList texts;
    for (int i = 0; i < list->count(); ++i)
        texts << list->item(i)->text();
    return texts;
}

} // namespace

class TestTestView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void emptyUntilResults();
    void metricsWithIntervals();
    void positiveClassSwitchesSides();
    void defaultPositiveClass_data();
    void defaultPositiveClass();
    void clickingACellListsItsImages();
    void rocCurveAndOperatingPoint();
    void multiClassConfusion();
    void refusesInconsistentResults_data();
    void refusesInconsistentResults();
    void classifyNeedsAPredictor();
    void classifyShowsProbabilities();
    void classifyShowsErrors();
    void classifyByDrop();
    void screenshot();

private:
    /// 10 benign and 15 malignant images: 7 / 3 and 3 / 12 (true / predicted), so that
    /// accuracy 76 %, sensitivity 80 % and specificity 70 % all differ.
    EvaluationResults knownResults() const;

    QTemporaryDir m_dir;
    QStringList m_benign;
    QStringList m_malignant;
};

void TestTestView::initTestCase() {
    QVERIFY(m_dir.isValid());
    tc::data::SyntheticHistologyOptions options;
    options.directory = m_dir.filePath(QStringLiteral("demo"));
    options.benign = 55;
    options.malignant = 115;
    options.width = 140;
    options.height = 92;
    options.patients = 16;
    options.seed = 5;
    const auto result = tc::data::SyntheticHistology::generate(options);
    QVERIFY2(result.ok(), qPrintable(result.error));
    for (const QString& label : {QStringLiteral("benign"), QStringLiteral("malignant")}) {
        QStringList& files = label == QLatin1String("benign") ? m_benign : m_malignant;
        QDirIterator it(m_dir.filePath(QStringLiteral("demo/data/train/") + label),
                        {QStringLiteral("*.png")}, QDir::Files);
        while (it.hasNext())
            files << it.next();
        files.sort();
    }
    QCOMPARE(m_benign.size(), 55);
    QCOMPARE(m_malignant.size(), 115);
}

EvaluationResults TestTestView::knownResults() const {
    EvaluationResults results;
    results.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
    results.description = QStringLiteral("Known results");
    // p(malignant) of each image.
    const float benign[] = {0.05f, 0.10f, 0.15f, 0.20f, 0.30f, 0.35f, 0.40f, 0.70f, 0.90f, 0.60f};
    const float malignant[] = {0.60f, 0.65f, 0.70f, 0.75f, 0.80f, 0.85f, 0.90f, 0.92f,
                               0.95f, 0.97f, 0.98f, 0.99f, 0.10f, 0.30f, 0.45f};
    for (int i = 0; i < 10; ++i)
        results.images.push_back({m_benign.at(i), 0, {1.0f - benign[i], benign[i]}});
    for (int i = 0; i < 15; ++i)
        results.images.push_back({m_malignant.at(i), 1, {1.0f - malignant[i], malignant[i]}});
    return results;
}

void TestTestView::emptyUntilResults() {
    TestView view;
    QSignalSpy evaluate(&view, &TestView::evaluateRequested);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.hasResults());
    auto* button = view.findChild<QPushButton*>(QStringLiteral("evaluateButton"));
    QVERIFY(button && button->isVisible());
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(evaluate.count(), 1);

    QVERIFY(view.setResults(knownResults()));
    QVERIFY(view.hasResults());
    QVERIFY(!button->isVisible());
    QVERIFY(view.descriptionLabel()->text().startsWith(QStringLiteral("Known results · 25")));
    view.clearResults();
    QVERIFY(!view.hasResults());
    QVERIFY(button->isVisible());
}

void TestTestView::metricsWithIntervals() {
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    QCOMPARE(view.positiveClass(), 1);
    QCOMPARE(view.metrics().confusion, (std::vector<std::vector<std::int64_t>>{{7, 3}, {3, 12}}));
    QCOMPARE(view.valueLabel(Metric::Accuracy)->text(), QStringLiteral("76.0 %"));
    QCOMPARE(view.intervalLabel(Metric::Accuracy)->text(), intervalText(19, 25));
    QCOMPARE(view.valueLabel(Metric::Sensitivity)->text(), QStringLiteral("80.0 %"));
    QCOMPARE(view.intervalLabel(Metric::Sensitivity)->text(), intervalText(12, 15));
    QCOMPARE(view.valueLabel(Metric::Specificity)->text(), QStringLiteral("70.0 %"));
    QCOMPARE(view.intervalLabel(Metric::Specificity)->text(), intervalText(7, 10));

    std::vector<float> positives, negatives;
    for (const EvaluatedImage& image : view.results().images)
        (image.trueClass == 1 ? positives : negatives).push_back(image.probabilities[1]);
    const double auc = pairAuc(positives, negatives);
    QVERIFY(view.rocAuc().has_value());
    QVERIFY(std::abs(*view.rocAuc() - auc) < 1e-9);
    QCOMPARE(view.valueLabel(Metric::RocAuc)->text(), QLocale().toString(auc, 'f', 3));
}

void TestTestView::positiveClassSwitchesSides() {
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    const double auc = *view.rocAuc();
    view.positiveClassBox()->setCurrentIndex(0);
    QCOMPARE(view.positiveClass(), 0);
    QCOMPARE(view.valueLabel(Metric::Sensitivity)->text(), QStringLiteral("70.0 %"));
    QCOMPARE(view.valueLabel(Metric::Specificity)->text(), QStringLiteral("80.0 %"));
    QCOMPARE(view.valueLabel(Metric::Accuracy)->text(), QStringLiteral("76.0 %"));
    // Two classes: p(benign) = 1 - p(malignant) ranks the same pairs.
    QVERIFY(std::abs(*view.rocAuc() - auc) < 1e-6);
    // New results with the same classes keep the user's choice.
    QVERIFY(view.setResults(knownResults()));
    QCOMPARE(view.positiveClass(), 0);
}

void TestTestView::defaultPositiveClass_data() {
    QTest::addColumn<QStringList>("classes");
    QTest::addColumn<int>("positive");
    QTest::newRow("benign/malignant") << QStringList{"benign", "malignant"} << 1;
    QTest::newRow("malignant first") << QStringList{"Malignant", "benign"} << 0;
    QTest::newRow("by name among three") << QStringList{"normal", "positive", "unclear"} << 1;
    QTest::newRow("else the last") << QStringList{"cat", "dog", "fox"} << 2;
}

void TestTestView::defaultPositiveClass() {
    QFETCH(QStringList, classes);
    QFETCH(int, positive);
    EvaluationResults results;
    results.classNames = classes;
    for (int c = 0; c < classes.size(); ++c) {
        std::vector<float> probabilities(size_t(classes.size()), 0.0f);
        probabilities[size_t(c)] = 1.0f;
        results.images.push_back({m_benign.at(c), c, probabilities});
    }
    TestView view;
    QVERIFY(view.setResults(results));
    QCOMPARE(view.positiveClass(), positive);
    QCOMPARE(view.positiveClassBox()->currentIndex(), positive);
}

void TestTestView::clickingACellListsItsImages() {
    TestView view;
    view.resize(1200, 800);
    QVERIFY(view.setResults(knownResults()));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy selected(&view, &TestView::cellSelected);
    QSignalSpy loaded(&view, &TestView::thumbnailsLoaded);

    // True benign, predicted malignant: the three false positives, most confident first.
    QTest::mouseClick(view.confusionPlot(), Qt::LeftButton, {}, view.cellCenter(0, 1));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(view.selectedCell(), std::make_pair(0, 1));
    QCOMPARE(view.listedImages(), (std::vector<int>{8, 7, 9}));
    QCOMPARE(listTexts(view.thumbnailList()),
             (QStringList{QStringLiteral("malignant 90.0 %"), QStringLiteral("malignant 70.0 %"),
                          QStringLiteral("malignant 60.0 %")}));
    QVERIFY(view.cellTitle()->text().contains(QStringLiteral("classified as")));
    QVERIFY(view.thumbnailList()->item(0)->toolTip().contains(QStringLiteral("benign: 10.0 %")));
    QVERIFY(loaded.wait(20000));
    QCOMPARE(view.loadedThumbnailCount(), 3);
    // The icons are the decoded images, not the grey placeholder.
    const QImage icon = view.thumbnailList()->item(0)->icon().pixmap(96, 96).toImage();
    QVERIFY(icon.pixelColor(48, 48) != QColor(0xee, 0xee, 0xee));

    // True malignant, predicted malignant: the twelve true positives.
    loaded.clear();
    QTest::mouseClick(view.confusionPlot(), Qt::LeftButton, {}, view.cellCenter(1, 1));
    QCOMPARE(view.selectedCell(), std::make_pair(1, 1));
    QCOMPARE(view.thumbnailList()->count(), 12);
    QCOMPARE(view.listedImages().front(), 10 + 11); // p = 0.99
    QVERIFY(loaded.wait(20000));
    QCOMPARE(view.loadedThumbnailCount(), 12);

    // Outside the matrix: nothing changes.
    QTest::mouseClick(view.confusionPlot(), Qt::LeftButton, {}, QPoint(2, 2));
    QCOMPARE(view.selectedCell(), std::make_pair(1, 1));
    QCOMPARE(selected.count(), 2);
}

void TestTestView::rocCurveAndOperatingPoint() {
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    QCustomPlot* plot = view.rocPlot();
    QCPCurve* curve = nullptr;
    QCPGraph* point = nullptr;
    for (int i = 0; i < plot->plottableCount(); ++i) {
        if (auto* c = qobject_cast<QCPCurve*>(plot->plottable(i)))
            if (c->name().startsWith(QLatin1String("ROC")))
                curve = c;
        if (auto* g = qobject_cast<QCPGraph*>(plot->plottable(i)))
            if (g->name() == QLatin1String("predicted classes"))
                point = g;
    }
    QVERIFY(curve && point);
    QVERIFY(curve->name().contains(QLocale().toString(*view.rocAuc(), 'f', 3)));
    // From (0, 0) to (1, 1), never decreasing.
    const auto* data = curve->data().data();
    QCOMPARE(data->at(0)->key, 0.0);
    QCOMPARE(data->at(0)->value, 0.0);
    QCOMPARE(data->at(data->size() - 1)->key, 1.0);
    QCOMPARE(data->at(data->size() - 1)->value, 1.0);
    for (int i = 1; i < data->size(); ++i) {
        QVERIFY(data->at(i)->key >= data->at(i - 1)->key);
        QVERIFY(data->at(i)->value >= data->at(i - 1)->value);
    }
    // The predicted classes: 3 false positives of 10, 12 true positives of 15.
    QCOMPARE(point->data()->size(), 1);
    QCOMPARE(point->data()->begin()->key, 0.3);
    QCOMPARE(point->data()->begin()->value, 0.8);
}

void TestTestView::multiClassConfusion() {
    EvaluationResults results;
    results.classNames = {QStringLiteral("adenosis"), QStringLiteral("fibroadenoma"),
                          QStringLiteral("ductal carcinoma")};
    // true → predicted: 0→0 ×2, 0→2, 1→1 ×3, 2→2 ×2, 2→1.
    const std::pair<int, int> cases[] = {{0, 0}, {0, 0}, {0, 2}, {1, 1}, {1, 1},
                                         {1, 1}, {2, 2}, {2, 2}, {2, 1}};
    int i = 0;
    for (const auto& [truth, guess] : cases) {
        std::vector<float> probabilities(3, 0.1f);
        probabilities[size_t(guess)] = 0.8f;
        results.images.push_back({m_benign.at(i++), truth, probabilities});
    }
    TestView view;
    QVERIFY(view.setResults(results));
    QCOMPARE(view.positiveClass(), 2); // no usual name: the last class
    QCOMPARE(view.metrics().confusion,
             (std::vector<std::vector<std::int64_t>>{{2, 0, 1}, {0, 3, 0}, {0, 1, 2}}));
    QCOMPARE(view.valueLabel(Metric::Accuracy)->text(), QStringLiteral("77.8 %"));
    // One against the rest: 2 of 3 carcinomas found; 5 of 6 others not called carcinoma.
    QCOMPARE(view.valueLabel(Metric::Sensitivity)->text(), QStringLiteral("66.7 %"));
    QCOMPARE(view.valueLabel(Metric::Specificity)->text(), QStringLiteral("83.3 %"));
    view.selectCell(0, 2);
    QCOMPARE(view.listedImages(), (std::vector<int>{2}));
    view.selectCell(3, 0); // out of range: ignored
    QCOMPARE(view.selectedCell(), std::make_pair(0, 2));
}

void TestTestView::refusesInconsistentResults_data() {
    QTest::addColumn<int>("defect");
    QTest::addColumn<QString>("message");
    QTest::newRow("one class") << 0 << "at least two classes";
    QTest::newRow("class out of range") << 1 << "has the true class 5, outside 0…1";
    QTest::newRow("probability count") << 2 << "has 3 probabilities for 2 classes";
    QTest::newRow("not a probability") << 3 << "outside [0, 1]";
}

void TestTestView::refusesInconsistentResults() {
    QFETCH(int, defect);
    QFETCH(QString, message);
    EvaluationResults results = knownResults();
    switch (defect) {
    case 0:
        results.classNames = {QStringLiteral("benign")};
        break;
    case 1:
        results.images[4].trueClass = 5;
        break;
    case 2:
        results.images[4].probabilities.push_back(0.0f);
        break;
    case 3:
        results.images[4].probabilities[0] = std::nanf("");
        break;
    }
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    QVERIFY(!view.setResults(results));
    QVERIFY(!view.hasResults());
    QVERIFY2(view.resultsError().contains(message), qPrintable(view.resultsError()));
    if (defect > 0)
        QVERIFY(view.resultsError().contains(QFileInfo(m_benign.at(4)).fileName()));
}

void TestTestView::classifyNeedsAPredictor() {
    TestView view;
    tc::ui::ImageClassifierPanel* panel = view.classifierPanel();
    QVERIFY(!view.hasPredictor());
    QVERIFY(!panel->openButton()->isEnabled());
    QVERIFY(!panel->dropArea()->acceptDrops());
    QVERIFY(panel->dropArea()->text().contains(QStringLiteral("trained model is needed")));
    QSignalSpy classified(panel, &tc::ui::ImageClassifierPanel::classified);
    panel->classify(m_benign.front());
    QVERIFY(!panel->isClassifying());
    QCOMPARE(classified.count(), 0);

    view.setPredictor([](const QString&) { return Prediction{{0.5f, 0.5f}, {}}; });
    QVERIFY(view.hasPredictor());
    QVERIFY(panel->openButton()->isEnabled());
    QVERIFY(panel->dropArea()->acceptDrops());
    QVERIFY(!panel->dropArea()->text().contains(QStringLiteral("trained model")));
    view.setPredictor({});
    QVERIFY(!panel->openButton()->isEnabled());
    QVERIFY(panel->dropArea()->text().contains(QStringLiteral("trained model is needed")));
}

void TestTestView::classifyShowsProbabilities() {
    TestView view;
    view.setClassNames({QStringLiteral("benign"), QStringLiteral("malignant")});
    tc::ui::ImageClassifierPanel* panel = view.classifierPanel();
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto asked = std::make_shared<QString>();
    view.setPredictor([calls, asked](const QString& path) {
        ++*calls;
        *asked = path;
        return Prediction{{0.125f, 0.875f}, {}};
    });
    QSignalSpy classified(panel, &tc::ui::ImageClassifierPanel::classified);
    panel->classify(m_malignant.front());
    QVERIFY(panel->isClassifying());
    QVERIFY(classified.wait(20000));
    QCOMPARE(classified.front().at(0).toString(), m_malignant.front());
    QCOMPARE(classified.front().at(1).toBool(), true);
    QCOMPARE(calls->load(), 1);
    QCOMPARE(*asked, m_malignant.front());
    QVERIFY2(panel->predictionLabel()->text().contains(QStringLiteral("<b>malignant</b>")),
             qPrintable(panel->predictionLabel()->text()));
    QVERIFY(panel->predictionLabel()->text().contains(QStringLiteral("87.5 %")));
    QCOMPARE(panel->probabilityBar(0)->value(), 125);
    QCOMPARE(panel->probabilityBar(1)->value(), 875);
    QCOMPARE(panel->probabilityBar(1)->format(), QStringLiteral("87.5 %"));
    QCOMPARE(panel->probabilityBar(0)->format(), QStringLiteral("12.5 %"));
    QVERIFY(!panel->dropArea()->pixmap().isNull());
}

void TestTestView::classifyShowsErrors() {
    TestView view;
    view.setClassNames({QStringLiteral("benign"), QStringLiteral("malignant")});
    tc::ui::ImageClassifierPanel* panel = view.classifierPanel();
    QSignalSpy classified(panel, &tc::ui::ImageClassifierPanel::classified);

    // The predictor's own error.
    view.setPredictor([](const QString& path) {
        return Prediction{{}, QStringLiteral("'%1': the model has not been trained").arg(path)};
    });
    panel->classify(m_benign.front());
    QVERIFY(classified.wait(20000));
    QCOMPARE(classified.last().at(1).toBool(), false);
    QVERIFY(panel->messageLabel()->text().contains(QStringLiteral("has not been trained")));
    QCOMPARE(panel->predictionLabel()->text(), QStringLiteral("No prediction"));

    // An exception becomes a message.
    view.setPredictor([](const QString&) -> Prediction { throw std::runtime_error("boom"); });
    panel->classify(m_benign.front());
    QVERIFY(classified.wait(20000));
    QCOMPARE(classified.last().at(1).toBool(), false);
    QVERIFY(
        panel->messageLabel()->text().contains(QStringLiteral("could not be classified: boom")));

    // The wrong number of probabilities.
    view.setPredictor([](const QString&) { return Prediction{{0.2f, 0.3f, 0.5f}, {}}; });
    panel->classify(m_benign.front());
    QVERIFY(classified.wait(20000));
    QCOMPARE(classified.last().at(1).toBool(), false);
    QVERIFY(panel->messageLabel()->text().contains(QStringLiteral("3 probabilities for 2")));

    // A file that is no image never reaches the predictor; the message names it.
    auto calls = std::make_shared<std::atomic<int>>(0);
    view.setPredictor([calls](const QString&) {
        ++*calls;
        return Prediction{{0.5f, 0.5f}, {}};
    });
    const QString text = m_dir.filePath(QStringLiteral("notes.png"));
    QFile file(text);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not an image at all");
    file.close();
    panel->classify(text);
    QVERIFY(classified.wait(20000));
    QCOMPARE(classified.last().at(1).toBool(), false);
    QCOMPARE(calls->load(), 0);
    QVERIFY2(panel->messageLabel()->text().contains(text),
             qPrintable(panel->messageLabel()->text()));
}

void TestTestView::classifyByDrop() {
    TestView view;
    view.setClassNames({QStringLiteral("benign"), QStringLiteral("malignant")});
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    tc::ui::ImageClassifierPanel* panel = view.classifierPanel();
    view.setPredictor([](const QString&) { return Prediction{{0.9f, 0.1f}, {}}; });
    QSignalSpy classified(panel, &tc::ui::ImageClassifierPanel::classified);

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_benign.at(3))});
    const QPoint centre = panel->dropArea()->rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(panel->dropArea(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(centre), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(panel->dropArea(), &drop);
    QVERIFY(drop.isAccepted());
    QVERIFY(classified.wait(20000));
    QCOMPARE(classified.front().at(0).toString(), m_benign.at(3));
    QVERIFY(panel->predictionLabel()->text().contains(QStringLiteral("<b>benign</b>")));

    // Without a predictor, drops are refused.
    view.setPredictor({});
    QDragEnterEvent refused(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(panel->dropArea(), &refused);
    QVERIFY(!refused.isAccepted());
}

void TestTestView::screenshot() {
    // Plausible results of the flagship model on a BreaKHis-sized test split (55 benign,
    // 115 malignant): probabilities drawn around the true class, with some overlap.
    EvaluationResults results;
    results.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
    results.description = QStringLiteral(
        "Test split of breakhis-400x.csv · ResNet50 → Dense 128 → Dense 64 → Dense 2 · best "
        "epoch 9 of 12");
    QRandomGenerator random(20261126);
    auto draw = [&random](bool malignant) {
        // A logistic of a normal score: separated means, unit spread.
        double u1 = random.generateDouble(), u2 = random.generateDouble();
        const double normal =
            std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
        const double score = (malignant ? 1.2 : -1.2) + 1.0 * normal;
        return float(1.0 / (1.0 + std::exp(-2.2 * score)));
    };
    for (const QString& path : m_benign) {
        const float p = draw(false);
        results.images.push_back({path, 0, {1.0f - p, p}});
    }
    for (const QString& path : m_malignant) {
        const float p = draw(true);
        results.images.push_back({path, 1, {1.0f - p, p}});
    }
    TestView view;
    view.resize(1280, 800);
    QVERIFY(view.setResults(results));
    view.setPredictor([](const QString&) { return Prediction{{0.062f, 0.938f}, {}}; });
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy loaded(&view, &TestView::thumbnailsLoaded);
    QSignalSpy classified(view.classifierPanel(), &tc::ui::ImageClassifierPanel::classified);
    QTest::mouseClick(view.confusionPlot(), Qt::LeftButton, {}, view.cellCenter(0, 1));
    view.classifierPanel()->classify(m_malignant.at(40));
    QVERIFY(loaded.wait(20000));
    QVERIFY(classified.count() > 0 || classified.wait(20000));
    QVERIFY(view.grab().save(QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR "/test.png")));
}

QTEST_MAIN(TestTestView)
#include "tst_testview.moc"
