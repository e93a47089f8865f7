// The Test view's operating point, offscreen, on hand-made logits: presets chosen on the
// validation split (checked against thresholds found here by brute force), the test figures
// and their Wilson intervals (counted here), temperature scaling that leaves a preset's
// decisions alone, the ROC marker dragged with the mouse, the reliability diagrams' bin counts
// and ECE, the patient table, saving operating-point.json and the project's decision policy
// (undoable), a damaged operating-point.json, and results without a validation split. The
// screenshots() test writes test-operating-point.png, test-calibration.png and
// test-patients.png into $TC_SCREENSHOT_DIR (or the test output folder).

#include "core/train/Decision.h"
#include "ui/editor/Document.h"
#include "ui/evaluation/CalibrationPanel.h"
#include "ui/evaluation/OperatingPointPanel.h"
#include "ui/evaluation/PatientPanel.h"
#include "ui/evaluation/RocOperatingPoint.h"
#include "ui/evaluation/TestView.h"
#include "ui/MainWindow.h"
#include "ui/training/QCustomPlot.h"
#include "ui/training/TrainingSession.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSlider>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <QUndoStack>

using tc::train::ThresholdRule;
using tc::ui::CalibrationPanel;
using tc::ui::EvaluatedImage;
using tc::ui::EvaluationResults;
using tc::ui::EvaluationSplit;
using tc::ui::OperatingPointPanel;
using tc::ui::PatientPanel;
using tc::ui::TestView;
using Figure = tc::ui::OperatingPointPanel::Figure;

namespace {

// Margins (malignant logit − benign logit) of hand-made images; no test margin equals a
// validation margin, so no test image sits exactly on a threshold chosen on validation.
const double kValidationMalignant[] = {3.0, 2.5, 2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0, -2.0};
const double kValidationBenign[] = {-3.0, -2.5, -2.2, -1.8, -1.2, -0.8, -0.2, 0.3, 0.8, 1.2};
const double kTestMalignant[] = {2.8, 2.2, 1.9, 1.4, 0.9, 0.6, 0.1, -0.3, -0.9, -1.6, -2.4, 3.3};
const double kTestBenign[] = {-2.9, -2.1, -1.7, -1.3, -1.1, -0.7, -0.4, 0.2, 0.7, 1.1, -3.4, -0.1};

/// An image with logits (0, margin) and their softmax; written here, not by core/train.
EvaluatedImage image(const QString& path, int trueClass, double margin, const QString& group) {
    const float positive = float(1.0 / (1.0 + std::exp(-margin)));
    return {path, trueClass, {1.0f - positive, positive}, {0.0f, float(margin)}, group};
}

/// p(malignant) at temperature T for logits (0, margin). At T = 1 it is the stored (float)
/// softmax of image(), which is what the view uses without temperature scaling.
double scaled(double margin, double temperature) {
    if (temperature == 1.0)
        return double(float(1.0 / (1.0 + std::exp(-margin))));
    return 1.0 / (1.0 + std::exp(-double(float(margin)) / temperature));
}

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

QString expectedFigure(double successes, double trials) {
    const auto [low, high] = wilson(successes, trials);
    return QStringLiteral("%1 % (95 % CI %2–%3 %)")
        .arg(QLocale().toString(successes / trials * 100.0, 'f', 1),
             QLocale().toString(low * 100.0, 'f', 1), QLocale().toString(high * 100.0, 'f', 1));
}

struct Counts {
    int tp = 0, fp = 0, tn = 0, fn = 0;
};

/// Counts of "positive when p ≥ threshold" over (margin, is malignant) pairs at temperature T.
Counts countAt(const std::vector<std::pair<double, bool>>& cases, double threshold,
               double temperature) {
    Counts c;
    for (const auto& [margin, malignant] : cases) {
        const bool call = scaled(margin, temperature) >= threshold;
        if (malignant)
            ++(call ? c.tp : c.fn);
        else
            ++(call ? c.fp : c.tn);
    }
    return c;
}

std::vector<std::pair<double, bool>> casesOf(const double* malignant, int m, const double* benign,
                                             int b) {
    std::vector<std::pair<double, bool>> cases;
    for (int i = 0; i < m; ++i)
        cases.emplace_back(malignant[i], true);
    for (int i = 0; i < b; ++i)
        cases.emplace_back(benign[i], false);
    return cases;
}

const auto kValidationCases = casesOf(kValidationMalignant, 10, kValidationBenign, 10);
const auto kTestCases = casesOf(kTestMalignant, 12, kTestBenign, 12);

/// Mean NLL of the validation cases at temperature T.
double validationNll(double temperature) {
    double sum = 0.0;
    for (const auto& [margin, malignant] : kValidationCases) {
        const double p = scaled(margin, temperature);
        sum -= std::log(malignant ? p : 1.0 - p);
    }
    return sum / double(kValidationCases.size());
}

/// Test malignant images belong to patients P1–P3, benign ones to P4–P6, four each.
QString testGroup(int index, bool malignant) {
    return QStringLiteral("P%1").arg((malignant ? 1 : 4) + index / 4);
}

EvaluationResults knownResults(bool grouped = true) {
    EvaluationResults results;
    results.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
    results.description = QStringLiteral("Known logits");
    for (int i = 0; i < 10; ++i) {
        results.validationImages.push_back(
            image(QStringLiteral("v-m%1.png").arg(i), 1, kValidationMalignant[i], QString()));
        results.validationImages.push_back(
            image(QStringLiteral("v-b%1.png").arg(i), 0, kValidationBenign[i], QString()));
    }
    for (int i = 0; i < 12; ++i) {
        results.images.push_back(image(QStringLiteral("t-m%1.png").arg(i), 1, kTestMalignant[i],
                                       grouped ? testGroup(i, true) : QString()));
        results.images.push_back(image(QStringLiteral("t-b%1.png").arg(i), 0, kTestBenign[i],
                                       grouped ? testGroup(i, false) : QString()));
    }
    return results;
}

/// Scores of a realistic model: normal margins, over-confident (T > 1 calibrates it).
EvaluationResults realisticResults() {
    EvaluationResults results;
    results.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
    results.description = QStringLiteral(
        "Test split of breakhis-400x.csv · run breast-cancer-20261202 · ResNet50 → Dense 128 → "
        "Dense 64 → Dense 2 · best epoch 9");
    QRandomGenerator random(20261202);
    auto normal = [&random] {
        const double u1 = random.generateDouble(), u2 = random.generateDouble();
        return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
    };
    // Ten patients of eight images per split; a patient's images share the label.
    auto split = [&](std::vector<EvaluatedImage>& images, const QString& prefix, int firstPatient) {
        for (int i = 0; i < 80; ++i) {
            const int patient = firstPatient + i / 8;
            const bool malignant = patient % 3 != 0; // BreaKHis is about two-thirds malignant
            const double margin = 3.5 * ((malignant ? 0.9 : -0.9) + normal());
            images.push_back(image(
                QStringLiteral("%1/SOB_%2-%3-400-%4.png")
                    .arg(prefix, malignant ? QStringLiteral("M_DC") : QStringLiteral("B_F"))
                    .arg(patient)
                    .arg(i, 3, 10, QLatin1Char('0')),
                malignant ? 1 : 0, margin, QStringLiteral("14-%1").arg(13000 + patient * 37)));
        }
    };
    split(results.validationImages, QStringLiteral("validation"), 0);
    split(results.images, QStringLiteral("test"), 10);
    return results;
}

/// Where a (false positive rate, true positive rate) point is drawn on the ROC plot.
QPoint rocPixel(const TestView& view, double fpr, double tpr) {
    return QPoint(int(std::lround(view.rocPlot()->xAxis->coordToPixel(fpr))),
                  int(std::lround(view.rocPlot()->yAxis->coordToPixel(tpr))));
}

} // namespace

class TestOperatingPoint : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void presetsChosenOnValidation_data();
    void presetsChosenOnValidation();
    void testFiguresCountedIndependently();
    void temperatureIsFittedAndKeepsDecisions();
    void draggingTheMarkerMovesTheThreshold();
    void thresholdControlMovesTheMarker();
    void reliabilityBins();
    void patientTable();
    void ungroupedSplitSaysSo();
    void noValidationDisablesPresets();
    void savesOperatingPoint();
    void saveErrorNamesTheFile();
    void readsTheRunsOperatingPoint();
    void startsFromTheRunsDecision();
    void damagedOperatingPointIsReported();
    void savingSetsTheProjectPolicy();
    void screenshots();

private:
    QTemporaryDir m_dir;
};

void TestOperatingPoint::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void TestOperatingPoint::presetsChosenOnValidation_data() {
    QTest::addColumn<int>("rule");
    QTest::addColumn<double>("target");
    QTest::addColumn<bool>("temperature");
    QTest::newRow("sensitivity 95 %, raw")
        << int(ThresholdRule::TargetSensitivity) << 0.95 << false;
    QTest::newRow("sensitivity 80 %, scaled")
        << int(ThresholdRule::TargetSensitivity) << 0.80 << true;
    QTest::newRow("specificity 90 %, raw")
        << int(ThresholdRule::TargetSpecificity) << 0.90 << false;
    QTest::newRow("specificity 70 %, scaled")
        << int(ThresholdRule::TargetSpecificity) << 0.70 << true;
    QTest::newRow("Youden, raw") << int(ThresholdRule::Youden) << 0.95 << false;
    QTest::newRow("Youden, scaled") << int(ThresholdRule::Youden) << 0.95 << true;
}

void TestOperatingPoint::presetsChosenOnValidation() {
    QFETCH(int, rule);
    QFETCH(double, target);
    QFETCH(bool, temperature);
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    OperatingPointPanel* panel = view.operatingPointPanel();
    QVERIFY(panel->presetsAvailable());
    panel->setTemperatureScaling(temperature);
    panel->targetBox()->setValue(target * 100.0);
    panel->presetBox()->setCurrentIndex(rule);
    QCOMPARE(int(panel->policy().rule), rule);
    const double t = temperature ? *panel->fittedTemperature() : 1.0;
    QCOMPARE(panel->temperature(), t);

    // Brute force here: every validation score as a candidate, the rule's pick among them.
    std::vector<double> candidates;
    for (const auto& [margin, malignant] : kValidationCases)
        candidates.push_back(scaled(margin, t));
    std::sort(candidates.begin(), candidates.end(), std::greater<>());
    double expected = -1.0;
    double bestIndex = -2.0;
    for (const double candidate : candidates) {
        const Counts c = countAt(kValidationCases, candidate * (1.0 - 1e-12), t);
        const double sensitivity = double(c.tp) / (c.tp + c.fn);
        const double specificity = double(c.tn) / (c.tn + c.fp);
        if (rule == int(ThresholdRule::TargetSensitivity) && sensitivity >= target) {
            expected = candidate; // the highest such
            break;
        }
        if (rule == int(ThresholdRule::TargetSpecificity) && specificity >= target)
            expected = candidate; // keeps the lowest such
        if (rule == int(ThresholdRule::Youden) && sensitivity + specificity - 1.0 > bestIndex) {
            bestIndex = sensitivity + specificity - 1.0;
            expected = candidate;
        }
    }
    QVERIFY(expected > 0.0);
    QVERIFY2(std::abs(panel->threshold() - expected) < 1e-9,
             qPrintable(QStringLiteral("%1 vs %2").arg(panel->threshold()).arg(expected)));

    // The target is met on validation, and the validation column says so.
    const Counts v = countAt(kValidationCases, panel->threshold() * (1.0 - 1e-12), t);
    if (rule == int(ThresholdRule::TargetSensitivity))
        QVERIFY(double(v.tp) / (v.tp + v.fn) >= target);
    if (rule == int(ThresholdRule::TargetSpecificity))
        QVERIFY(double(v.tn) / (v.tn + v.fp) >= target);
    QCOMPARE(panel->figureLabel(EvaluationSplit::Validation, Figure::Sensitivity)->text(),
             expectedFigure(v.tp, v.tp + v.fn));
    QCOMPARE(panel->figureLabel(EvaluationSplit::Validation, Figure::Specificity)->text(),
             expectedFigure(v.tn, v.tn + v.fp));
    QVERIFY(panel->targetBox()->isEnabled() == (rule != int(ThresholdRule::Youden)));
}

void TestOperatingPoint::testFiguresCountedIndependently() {
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    OperatingPointPanel* panel = view.operatingPointPanel();
    panel->setTemperatureScaling(true);
    panel->setRule(ThresholdRule::TargetSensitivity);
    panel->setTarget(0.9);
    const double t = *panel->fittedTemperature();
    const Counts c = countAt(kTestCases, panel->threshold(), t);
    QCOMPARE(panel->figureLabel(EvaluationSplit::Test, Figure::Sensitivity)->text(),
             expectedFigure(c.tp, c.tp + c.fn));
    QCOMPARE(panel->figureLabel(EvaluationSplit::Test, Figure::Specificity)->text(),
             expectedFigure(c.tn, c.tn + c.fp));
    QCOMPARE(panel->figureLabel(EvaluationSplit::Test, Figure::Ppv)->text(),
             expectedFigure(c.tp, c.tp + c.fp));
    QCOMPARE(panel->figureLabel(EvaluationSplit::Test, Figure::Npv)->text(),
             expectedFigure(c.tn, c.tn + c.fn));
    QCOMPARE(
        panel->countsLabel(EvaluationSplit::Test)->text(),
        QStringLiteral("TP %1 · FP %2 · TN %3 · FN %4").arg(c.tp).arg(c.fp).arg(c.tn).arg(c.fn));
    // Workload: the images called benign, and the malignant ones among them.
    const QString workload = panel->workloadLabel()->text();
    QVERIFY2(workload.contains(QStringLiteral("(%1 of 24)").arg(c.tn + c.fn)),
             qPrintable(workload));
    QVERIFY2(workload.contains(QStringLiteral("<b>%1 of 12</b> malignant").arg(c.fn)),
             qPrintable(workload));
    QVERIFY2(workload.contains(QStringLiteral("%1 %").arg(
                 QLocale().toString((c.tn + c.fn) / 24.0 * 100.0, 'f', 0))),
             qPrintable(workload));
    // The description names the rule and the temperature.
    QVERIFY(panel->pointLabel()->text().contains(QStringLiteral("sensitivity ≥ 90 %")));
    QVERIFY(panel->pointLabel()->text().contains(QStringLiteral("T = ")));
}

void TestOperatingPoint::temperatureIsFittedAndKeepsDecisions() {
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    OperatingPointPanel* panel = view.operatingPointPanel();
    QVERIFY(panel->fittedTemperature());
    const double t = *panel->fittedTemperature();
    // A minimum of the NLL computed here.
    QVERIFY(validationNll(t) <= validationNll(t * 1.01));
    QVERIFY(validationNll(t) <= validationNll(t / 1.01));
    QVERIFY(panel->temperatureBox()->isEnabled());

    for (const ThresholdRule rule : {ThresholdRule::TargetSensitivity,
                                     ThresholdRule::TargetSpecificity, ThresholdRule::Youden}) {
        panel->setTemperatureScaling(false);
        panel->setRule(rule);
        const tc::train::BinaryFigures raw = panel->figures(EvaluationSplit::Test);
        const double rawThreshold = panel->threshold();
        panel->temperatureBox()->setChecked(true);
        QVERIFY(panel->temperatureApplied());
        const tc::train::BinaryFigures calibrated = panel->figures(EvaluationSplit::Test);
        // A different probability, the same decisions.
        QVERIFY(panel->threshold() != rawThreshold);
        QCOMPARE(calibrated.truePositives, raw.truePositives);
        QCOMPARE(calibrated.falsePositives, raw.falsePositives);
        QCOMPARE(calibrated.trueNegatives, raw.trueNegatives);
    }
    // A hand-set threshold keeps its decisions too (two classes: the same margin).
    panel->setTemperatureScaling(false);
    panel->setThreshold(0.62);
    const tc::train::BinaryFigures raw = panel->figures(EvaluationSplit::Test);
    panel->setTemperatureScaling(true);
    QVERIFY(std::abs(panel->threshold() - 1.0 / (1.0 + std::exp(-std::log(0.62 / 0.38) / t))) <
            1e-12);
    QCOMPARE(panel->figures(EvaluationSplit::Test).truePositives, raw.truePositives);
    QCOMPARE(panel->figures(EvaluationSplit::Test).falsePositives, raw.falsePositives);
}

void TestOperatingPoint::draggingTheMarkerMovesTheThreshold() {
    TestView view;
    view.resize(1440, 900);
    QVERIFY(view.setResults(knownResults()));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.rocPlot()->replot();
    OperatingPointPanel* panel = view.operatingPointPanel();
    panel->setRule(ThresholdRule::Youden);
    const double t = panel->temperature();

    // The curve's points, here: every distinct test score as a threshold.
    struct Point {
        double fpr, tpr, threshold;
    };
    std::vector<Point> points;
    for (const auto& [margin, malignant] : kTestCases) {
        const double threshold = scaled(margin, t);
        const Counts c = countAt(kTestCases, threshold * (1.0 - 1e-12), t);
        points.push_back({double(c.fp) / 12.0, double(c.tp) / 12.0, threshold});
    }
    const Counts now = countAt(kTestCases, panel->threshold(), t);
    const QPointF start(now.fp / 12.0, now.tp / 12.0);
    QCOMPARE(view.rocOperatingPoint()->position(), start);
    QVERIFY(view.rocOperatingPoint()->isVisible());

    // The target: the test image with margin 0.9 (a point well apart from the start).
    const auto target = std::find_if(points.begin(), points.end(), [&](const Point& p) {
        return std::abs(p.threshold - scaled(0.9, t)) < 1e-12;
    });
    QVERIFY(target != points.end());
    QVERIFY(std::hypot(target->fpr - start.x(), target->tpr - start.y()) > 0.1);
    for (const Point& other : points)
        if (other.threshold != target->threshold)
            QVERIFY(
                (rocPixel(view, other.fpr, other.tpr) - rocPixel(view, target->fpr, target->tpr))
                    .manhattanLength() > 6);

    QSignalSpy changed(&view, &TestView::operatingPointChanged);
    const QPoint from = rocPixel(view, start.x(), start.y());
    const QPoint to = rocPixel(view, target->fpr, target->tpr);
    QTest::mousePress(view.rocPlot(), Qt::LeftButton, {}, from);
    QVERIFY(view.rocOperatingPoint()->isDragging());
    QTest::mouseMove(view.rocPlot(), (from + to) / 2);
    QTest::mouseMove(view.rocPlot(), to + QPoint(2, -1)); // near the point, not exactly on it
    QTest::mouseRelease(view.rocPlot(), Qt::LeftButton, {}, to + QPoint(2, -1));
    QVERIFY(!view.rocOperatingPoint()->isDragging());
    QVERIFY2(std::abs(panel->threshold() - target->threshold) < 1e-12,
             qPrintable(QString::number(panel->threshold())));
    QCOMPARE(int(panel->policy().rule), int(ThresholdRule::Fixed));
    QCOMPARE(panel->presetBox()->currentIndex(), int(ThresholdRule::Fixed));
    QVERIFY(changed.count() >= 1);
    QCOMPARE(view.rocOperatingPoint()->position(), QPointF(target->fpr, target->tpr));
    // The controls follow.
    QCOMPARE(panel->thresholdSlider()->value(),
             int(std::lround(target->threshold * OperatingPointPanel::kSliderSteps)));
    QVERIFY(std::abs(panel->thresholdBox()->value() - target->threshold) < 1e-4);

    // A press far from the curve starts nothing.
    const double before = panel->threshold();
    QTest::mouseClick(view.rocPlot(), Qt::LeftButton, {}, rocPixel(view, 0.95, 0.05));
    QCOMPARE(panel->threshold(), before);
}

void TestOperatingPoint::thresholdControlMovesTheMarker() {
    TestView view;
    view.resize(1440, 900);
    QVERIFY(view.setResults(knownResults()));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    OperatingPointPanel* panel = view.operatingPointPanel();
    panel->setTemperatureScaling(false);
    for (const double threshold : {0.35, 0.5, 0.8}) {
        panel->thresholdBox()->setValue(threshold);
        QCOMPARE(panel->threshold(), threshold);
        const Counts c = countAt(kTestCases, threshold, 1.0);
        QCOMPARE(view.rocOperatingPoint()->position(), QPointF(c.fp / 12.0, c.tp / 12.0));
    }
    panel->thresholdSlider()->setValue(2500);
    QCOMPARE(panel->threshold(), 0.25);
    const Counts c = countAt(kTestCases, 0.25, 1.0);
    QCOMPARE(view.rocOperatingPoint()->position(), QPointF(c.fp / 12.0, c.tp / 12.0));
    QCOMPARE(panel->figureLabel(EvaluationSplit::Test, Figure::Sensitivity)->text(),
             expectedFigure(c.tp, c.tp + c.fn));
}

void TestOperatingPoint::reliabilityBins() {
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    CalibrationPanel* calibration = view.calibrationPanel();
    const double t = *view.operatingPointPanel()->fittedTemperature();
    for (const auto& [split, cases] : {std::pair{EvaluationSplit::Validation, kValidationCases},
                                       std::pair{EvaluationSplit::Test, kTestCases}}) {
        for (const auto stage : {CalibrationPanel::Stage::Before, CalibrationPanel::Stage::After}) {
            const double temperature = stage == CalibrationPanel::Stage::After ? t : 1.0;
            int counts[10] = {};
            int positives[10] = {};
            double sums[10] = {};
            double brier = 0.0;
            for (const auto& [margin, malignant] : cases) {
                const double p = stage == CalibrationPanel::Stage::After
                                     ? scaled(margin, temperature)
                                     : double(float(1.0 / (1.0 + std::exp(-margin))));
                const int bin = std::min(9, int(p * 10.0));
                ++counts[bin];
                positives[bin] += malignant ? 1 : 0;
                sums[bin] += p;
                brier += (p - (malignant ? 1.0 : 0.0)) * (p - (malignant ? 1.0 : 0.0));
            }
            QStringList expected;
            double ece = 0.0;
            for (int b = 0; b < 10; ++b) {
                expected << (counts[b] > 0 ? QString::number(counts[b]) : QString());
                if (counts[b] > 0)
                    ece += std::abs(double(positives[b]) / counts[b] - sums[b] / counts[b]) *
                           counts[b] / double(cases.size());
            }
            QCOMPARE(calibration->binCountTexts(split, stage), expected);
            const auto figures = calibration->figures(split, stage);
            QVERIFY(figures);
            QVERIFY(std::abs(figures->ece - ece) < 1e-9);
            QVERIFY(std::abs(figures->brier - brier / double(cases.size())) < 1e-9);
            // Each count is written on the diagram.
            int written = 0;
            QCustomPlot* plot = calibration->plot(split, stage);
            for (int i = 0; i < plot->itemCount(); ++i)
                if (auto* text = qobject_cast<QCPItemText*>(plot->item(i)))
                    written += expected.contains(text->text()) ? 1 : 0;
            QCOMPARE(written, int(std::count_if(expected.begin(), expected.end(),
                                                [](const QString& s) { return !s.isEmpty(); })));
        }
    }
}

void TestOperatingPoint::patientTable() {
    TestView view;
    QVERIFY(view.setResults(knownResults()));
    OperatingPointPanel* panel = view.operatingPointPanel();
    PatientPanel* patients = view.patientPanel();
    panel->setTemperatureScaling(false);
    panel->setThreshold(0.6);
    for (const auto aggregation :
         {tc::train::PatientAggregation::Mean, tc::train::PatientAggregation::Max}) {
        patients->aggregationBox()->setCurrentIndex(
            aggregation == tc::train::PatientAggregation::Max ? 1 : 0);
        QCOMPARE(int(panel->policy().aggregation), int(aggregation));
        QVERIFY(patients->isGrouped());
        // Per patient, here.
        struct Expected {
            int images = 0, positives = 0, missed = 0;
            double sum = 0.0, max = 0.0;
        };
        std::map<QString, Expected> expected;
        for (int i = 0; i < 12; ++i) {
            for (const bool malignant : {true, false}) {
                const double margin = malignant ? kTestMalignant[i] : kTestBenign[i];
                const double p = double(float(1.0 / (1.0 + std::exp(-margin))));
                Expected& e = expected[testGroup(i, malignant)];
                ++e.images;
                e.sum += p;
                e.max = std::max(e.max, p);
                if (malignant) {
                    ++e.positives;
                    e.missed += p < 0.6 ? 1 : 0;
                }
            }
        }
        QTableWidget* table = patients->table();
        QCOMPARE(table->rowCount(), 6);
        int missedPatients = 0;
        Counts patientCounts;
        for (int row = 0; row < 6; ++row) {
            const QString name = table->item(row, PatientPanel::PatientColumn)->text();
            QVERIFY(expected.count(name));
            const Expected& e = expected[name];
            const double probability =
                aggregation == tc::train::PatientAggregation::Max ? e.max : e.sum / e.images;
            const bool malignant = e.positives > 0;
            const bool call = probability >= 0.6;
            QCOMPARE(table->item(row, PatientPanel::ImagesColumn)->text(),
                     QString::number(e.images));
            QCOMPARE(table->item(row, PatientPanel::TrueColumn)->text(),
                     malignant ? QStringLiteral("malignant") : QStringLiteral("benign"));
            QCOMPARE(table->item(row, PatientPanel::ProbabilityColumn)->text(),
                     QLocale().toString(probability, 'f', 3));
            QCOMPARE(table->item(row, PatientPanel::DecisionColumn)->text(),
                     call ? QStringLiteral("malignant") : QStringLiteral("benign"));
            QCOMPARE(table->item(row, PatientPanel::MissedColumn)->text(),
                     malignant ? QStringLiteral("%1 of %2").arg(e.missed).arg(e.positives)
                               : QStringLiteral("–"));
            missedPatients += e.missed > 0 ? 1 : 0;
            if (malignant)
                ++(call ? patientCounts.tp : patientCounts.fn);
            else
                ++(call ? patientCounts.fp : patientCounts.tn);
        }
        QVERIFY(missedPatients > 0); // the data are made so
        QVERIFY2(patients->missedLabel()->text().startsWith(
                     QStringLiteral("<b>%1</b> of 3 malignant patients").arg(missedPatients)),
                 qPrintable(patients->missedLabel()->text()));
        const QString figures = patients->figuresLabel()->text();
        QVERIFY2(
            figures.contains(QStringLiteral("sensitivity ") + expectedFigure(patientCounts.tp, 3)),
            qPrintable(figures));
        QVERIFY2(
            figures.contains(QStringLiteral("specificity ") + expectedFigure(patientCounts.tn, 3)),
            qPrintable(figures));
    }
}

void TestOperatingPoint::ungroupedSplitSaysSo() {
    TestView view;
    QVERIFY(view.setResults(knownResults(/*grouped=*/false)));
    QVERIFY(!view.patientPanel()->isGrouped());
    QVERIFY(view.patientPanel()->ungroupedLabel()->text().contains(
        QStringLiteral("not grouped by patient")));
    QCOMPARE(view.patientPanel()->table()->rowCount(), 0);
}

void TestOperatingPoint::noValidationDisablesPresets() {
    EvaluationResults results = knownResults();
    results.validationImages.clear();
    TestView view;
    QVERIFY(view.setResults(results));
    OperatingPointPanel* panel = view.operatingPointPanel();
    QVERIFY(!panel->presetsAvailable());
    QVERIFY(!panel->presetBox()->isEnabled());
    QVERIFY(!panel->targetBox()->isEnabled());
    QCOMPARE(int(panel->policy().rule), int(ThresholdRule::Fixed));
    QVERIFY(panel->noteLabel()->text().contains(QStringLiteral("no validation split")));
    // No temperature either: it is fitted on validation.
    QVERIFY(!panel->fittedTemperature());
    QVERIFY(!panel->temperatureBox()->isEnabled());
    // A preset cannot be forced; by hand still works.
    panel->setRule(ThresholdRule::Youden);
    QCOMPARE(int(panel->policy().rule), int(ThresholdRule::Fixed));
    panel->setThreshold(0.3);
    const Counts c = countAt(kTestCases, 0.3, 1.0);
    QCOMPARE(
        panel->countsLabel(EvaluationSplit::Test)->text(),
        QStringLiteral("TP %1 · FP %2 · TN %3 · FN %4").arg(c.tp).arg(c.fp).arg(c.tn).arg(c.fn));
    QCOMPARE(panel->figureLabel(EvaluationSplit::Validation, Figure::Sensitivity)->text(),
             QStringLiteral("–"));
}

void TestOperatingPoint::savesOperatingPoint() {
    EvaluationResults results = knownResults();
    results.runDirectory = m_dir.filePath(QStringLiteral("run-save"));
    QVERIFY(QDir().mkpath(results.runDirectory));
    TestView view;
    QVERIFY(view.setResults(results));
    OperatingPointPanel* panel = view.operatingPointPanel();
    panel->setTemperatureScaling(true);
    panel->setTarget(0.9);
    panel->setRule(ThresholdRule::TargetSensitivity);
    QSignalSpy saved(&view, &TestView::operatingPointSaved);
    QVERIFY(panel->saveButton()->isEnabled());
    QTest::mouseClick(panel->saveButton(), Qt::LeftButton);
    QCOMPARE(saved.count(), 1);

    QString error;
    const auto point = tc::train::readOperatingPoint(results.runDirectory, &error);
    QVERIFY2(point, qPrintable(error));
    QCOMPARE(point->threshold, panel->threshold());
    QCOMPARE(point->temperature, *panel->fittedTemperature());
    QCOMPARE(point->positiveClass, 1);
    QCOMPARE(point->positiveClassName, QStringLiteral("malignant"));
    QCOMPARE(int(point->policy.rule), int(ThresholdRule::TargetSensitivity));
    QCOMPARE(point->policy.target, 0.9);
    QVERIFY(point->policy.temperatureScaling);
    QCOMPARE(point->chosenOn, QStringLiteral("validation"));
    // The threshold reproduces the validation choice made here.
    const Counts v =
        countAt(kValidationCases, point->threshold * (1.0 - 1e-12), point->temperature);
    QVERIFY(double(v.tp) / (v.tp + v.fn) >= 0.9);
    QVERIFY(panel->saveStatusLabel()->text().contains(QStringLiteral("operating-point.json")));

    // Moved afterwards: the panel says the run still uses the saved one.
    panel->setThreshold(0.7);
    QVERIFY(panel->saveStatusLabel()->text().startsWith(QStringLiteral("Not saved")));
}

void TestOperatingPoint::saveErrorNamesTheFile() {
    // A run folder that is a file: nothing can be written inside it.
    const QString blocker = m_dir.filePath(QStringLiteral("not-a-folder"));
    QFile file(blocker);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    EvaluationResults results = knownResults();
    results.runDirectory = blocker;
    TestView view;
    QVERIFY(view.setResults(results));
    QSignalSpy saved(&view, &TestView::operatingPointSaved);
    QVERIFY(!view.operatingPointPanel()->save());
    QCOMPARE(saved.count(), 0);
    const QString status = view.operatingPointPanel()->saveStatusLabel()->text();
    QVERIFY2(status.contains(blocker + QStringLiteral("/operating-point.json")),
             qPrintable(status));

    // Results from no run folder: nothing to save to.
    TestView other;
    QVERIFY(other.setResults(knownResults()));
    QVERIFY(!other.operatingPointPanel()->saveButton()->isEnabled());
    QVERIFY(!other.operatingPointPanel()->save());
}

void TestOperatingPoint::readsTheRunsOperatingPoint() {
    EvaluationResults results = knownResults();
    results.runDirectory = m_dir.filePath(QStringLiteral("run-recorded"));
    QVERIFY(QDir().mkpath(results.runDirectory));
    tc::train::OperatingPoint recorded;
    recorded.threshold = 0.4321;
    recorded.temperature = 1.0;
    recorded.positiveClass = 1;
    recorded.positiveClassName = QStringLiteral("malignant");
    recorded.policy.rule = ThresholdRule::Fixed;
    recorded.policy.threshold = 0.4321;
    recorded.policy.temperatureScaling = false;
    QString error;
    QVERIFY2(tc::train::writeOperatingPoint(results.runDirectory, recorded, &error),
             qPrintable(error));
    TestView view;
    QVERIFY(view.setResults(results));
    OperatingPointPanel* panel = view.operatingPointPanel();
    QCOMPARE(panel->threshold(), 0.4321);
    QCOMPARE(int(panel->policy().rule), int(ThresholdRule::Fixed));
    QVERIFY(!panel->temperatureApplied());
    QVERIFY(panel->saveStatusLabel()->text().startsWith(QStringLiteral("Saved: the run uses")));
    const Counts c = countAt(kTestCases, 0.4321, 1.0);
    QCOMPARE(view.rocOperatingPoint()->position(), QPointF(c.fp / 12.0, c.tp / 12.0));
}

void TestOperatingPoint::startsFromTheRunsDecision() {
    // What the trainer decided after the run: Youden without temperature, max aggregation.
    EvaluationResults results = knownResults();
    tc::train::ScoredSplit validation, test;
    for (const EvaluatedImage& image : results.validationImages) {
        validation.logits.push_back(image.logits);
        validation.labels.push_back(image.trueClass);
    }
    for (const EvaluatedImage& image : results.images) {
        test.logits.push_back(image.logits);
        test.labels.push_back(image.trueClass);
        test.groups.push_back(image.group);
    }
    tc::train::DecisionPolicy policy;
    policy.rule = ThresholdRule::Youden;
    policy.temperatureScaling = false;
    policy.aggregation = tc::train::PatientAggregation::Max;
    results.decision = tc::train::decide(validation, test, policy, 1, QStringLiteral("malignant"));
    TestView view;
    QVERIFY(view.setResults(results));
    OperatingPointPanel* panel = view.operatingPointPanel();
    QCOMPARE(panel->threshold(), results.decision->threshold());
    QCOMPARE(int(panel->policy().rule), int(ThresholdRule::Youden));
    QVERIFY(!panel->temperatureApplied());
    QCOMPARE(panel->presetBox()->currentIndex(), int(ThresholdRule::Youden));
    QCOMPARE(view.patientPanel()->aggregationBox()->currentIndex(), 1);
    // The view's test counts are the run's.
    const tc::train::BinaryFigures shown = panel->figures(EvaluationSplit::Test);
    QCOMPARE(shown.truePositives, results.decision->test.truePositives);
    QCOMPARE(shown.falsePositives, results.decision->test.falsePositives);
    QCOMPARE(shown.trueNegatives, results.decision->test.trueNegatives);
    QCOMPARE(view.patientPanel()->figures()->patientsWithMissedPositiveImage,
             results.decision->testPatients->patientsWithMissedPositiveImage);
}

void TestOperatingPoint::damagedOperatingPointIsReported() {
    EvaluationResults results = knownResults();
    results.runDirectory = m_dir.filePath(QStringLiteral("run-damaged"));
    QVERIFY(QDir().mkpath(results.runDirectory));
    const QString path =
        QDir(results.runDirectory).filePath(QStringLiteral("operating-point.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"threshold\": \"high\"");
    file.close();
    TestView view;
    QVERIFY(view.setResults(results));
    OperatingPointPanel* panel = view.operatingPointPanel();
    QVERIFY(panel->recordedError().contains(path));
    QVERIFY(panel->noteLabel()->text().contains(path));
    // The project's policy applies instead, on validation.
    QCOMPARE(int(panel->policy().rule), int(ThresholdRule::TargetSensitivity));
    QVERIFY(panel->threshold() > 0.0 && panel->threshold() < 1.0);
}

void TestOperatingPoint::savingSetsTheProjectPolicy() {
    tc::ui::MainWindow window;
    TestView* view = window.training()->testView();
    tc::ui::Document* document = window.document();
    QVERIFY(document);
    const QJsonObject before = document->section(tc::ui::ProjectSection::Training);
    EvaluationResults results = knownResults();
    results.runDirectory = m_dir.filePath(QStringLiteral("run-project"));
    QVERIFY(QDir().mkpath(results.runDirectory));
    QVERIFY(view->setResults(results));
    view->operatingPointPanel()->setRule(ThresholdRule::Youden);
    view->operatingPointPanel()->setAggregation(tc::train::PatientAggregation::Max);
    QVERIFY(view->operatingPointPanel()->save());

    const QJsonObject after = document->section(tc::ui::ProjectSection::Training);
    const QJsonObject decision = after.value(QStringLiteral("decision")).toObject();
    QCOMPARE(decision.value(QStringLiteral("rule")).toString(), QStringLiteral("youden"));
    QCOMPARE(decision.value(QStringLiteral("patientAggregation")).toString(),
             QStringLiteral("max"));
    // Everything else is as it was, and the edit is one undo step.
    QJsonObject rest = after;
    rest.remove(QStringLiteral("decision"));
    QJsonObject restBefore = before;
    restBefore.remove(QStringLiteral("decision"));
    QCOMPARE(rest, restBefore);
    QVERIFY(document->undoStack()->canUndo());
    document->undoStack()->undo();
    QCOMPARE(document->section(tc::ui::ProjectSection::Training), before);
}

void TestOperatingPoint::screenshots() {
    QString out = qEnvironmentVariable("TC_SCREENSHOT_DIR");
    if (out.isEmpty())
        out = QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR);
    QVERIFY(QDir().mkpath(out));
    EvaluationResults results = realisticResults();
    results.runDirectory = m_dir.filePath(QStringLiteral("run-screenshot"));
    QVERIFY(QDir().mkpath(results.runDirectory));
    TestView view;
    view.resize(1440, 900);
    QVERIFY(view.setResults(results));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    OperatingPointPanel* panel = view.operatingPointPanel();
    panel->setTemperatureScaling(true);
    panel->setTarget(0.95);
    panel->setRule(ThresholdRule::TargetSensitivity);
    QVERIFY(panel->save());

    const std::pair<QString, QString> shots[] = {
        {QStringLiteral("Operating point"), QStringLiteral("test-operating-point.png")},
        {QStringLiteral("Calibration"), QStringLiteral("test-calibration.png")},
        {QStringLiteral("Patients"), QStringLiteral("test-patients.png")}};
    for (const auto& [tab, file] : shots) {
        int index = -1;
        for (int i = 0; i < view.detailsTabs()->count(); ++i)
            if (view.detailsTabs()->tabText(i) == tab)
                index = i;
        QVERIFY2(index >= 0, qPrintable(tab));
        view.detailsTabs()->setCurrentIndex(index);
        QCoreApplication::processEvents();
        view.rocPlot()->replot();
        QVERIFY(view.grab().save(QDir(out).filePath(file)));
    }
}

QTEST_MAIN(TestOperatingPoint)
#include "tst_operatingpoint.moc"
