// Classification metrics: confusion matrix, per-class scores, balanced accuracy, ROC AUC,
// Wilson intervals.

#include "core/train/Metrics.h"

#include <algorithm>
#include <QRandomGenerator>
#include <QtTest>

using tc::train::computeMetrics;

namespace {

/// AUC by the Mann–Whitney statistic: the share of (positive, negative) pairs ranked
/// correctly, ties counting one half. An independent check of the trapezoid ROC area.
double pairwiseAuc(const std::vector<int>& labels, const std::vector<float>& scores) {
    double favourable = 0.0;
    double pairs = 0.0;
    for (size_t i = 0; i < labels.size(); ++i) {
        for (size_t j = 0; j < labels.size(); ++j) {
            if (labels[i] != 1 || labels[j] != 0)
                continue;
            pairs += 1.0;
            favourable += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
        }
    }
    return favourable / pairs;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void binaryConfusionAndScores();
    void multiclassPerClass();
    void balancedAccuracyIgnoresAbsentClasses();
    void emptyInput();
    void rejectsBadInput();
    void aucKnownValues_data();
    void aucKnownValues();
    void aucMatchesPairwiseWithTies();
    void aucAbsentWhenOneClassMissing();
    void wilsonInterval_data();
    void wilsonInterval();
};

void TestMetrics::binaryConfusionAndScores() {
    // 4 benign (0), 6 malignant (1): 3 benign right, 5 malignant right.
    const std::vector<int> labels{0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    const std::vector<int> predicted{0, 0, 0, 1, 1, 1, 1, 1, 1, 0};
    const auto m = computeMetrics(labels, predicted, 2);
    QCOMPARE(m.samples, 10);
    QCOMPARE(m.confusion, (std::vector<std::vector<std::int64_t>>{{3, 1}, {1, 5}}));
    QCOMPARE(m.accuracy, 0.8);
    QCOMPARE(m.recall[0], 0.75);
    QCOMPARE(m.recall[1], 5.0 / 6.0);
    QCOMPARE(m.precision[0], 0.75);
    QCOMPARE(m.precision[1], 5.0 / 6.0);
    QCOMPARE(m.f1[1], 5.0 / 6.0);
    QCOMPARE(m.balancedAccuracy, (0.75 + 5.0 / 6.0) / 2.0);
    QCOMPARE(m.sensitivity(), 5.0 / 6.0);
    QCOMPARE(m.specificity(), 0.75);
    QCOMPARE(m.support, (std::vector<std::int64_t>{4, 6}));
    QVERIFY(!m.rocAuc.has_value()); // no scores given
}

void TestMetrics::multiclassPerClass() {
    const std::vector<int> labels{0, 0, 1, 1, 2, 2, 2};
    const std::vector<int> predicted{0, 1, 1, 1, 2, 0, 0};
    const auto m = computeMetrics(labels, predicted, 3);
    QCOMPARE(m.confusion,
             (std::vector<std::vector<std::int64_t>>{{1, 1, 0}, {0, 2, 0}, {2, 0, 1}}));
    QCOMPARE(m.precision[0], 1.0 / 3.0);
    QCOMPARE(m.precision[1], 2.0 / 3.0);
    QCOMPARE(m.precision[2], 1.0);
    QCOMPARE(m.recall[2], 1.0 / 3.0);
    QCOMPARE(m.f1[2], 0.5);
    QCOMPARE(m.accuracy, 4.0 / 7.0);
}

void TestMetrics::balancedAccuracyIgnoresAbsentClasses() {
    // Class 2 never occurs and is never predicted: it must not drag the average down.
    const auto m = computeMetrics({0, 0, 1, 1}, {0, 1, 1, 1}, 3);
    QCOMPARE(m.balancedAccuracy, (0.5 + 1.0) / 2.0);
    QCOMPARE(m.precision[2], 0.0);
    QCOMPARE(m.f1[2], 0.0);
}

void TestMetrics::emptyInput() {
    const auto m = computeMetrics({}, {}, 2);
    QCOMPARE(m.samples, 0);
    QCOMPARE(m.accuracy, 0.0);
    QCOMPARE(m.accuracyInterval().low, 0.0);
}

void TestMetrics::rejectsBadInput() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeMetrics({0, 1}, {0}, 2));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, computeMetrics({0, 2}, {0, 1}, 2));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeMetrics({0, 1}, {0, 1}, 2, {0.5f}));
}

void TestMetrics::aucKnownValues_data() {
    QTest::addColumn<std::vector<int>>("labels");
    QTest::addColumn<std::vector<float>>("scores");
    QTest::addColumn<double>("auc");
    QTest::newRow("perfect") << std::vector<int>{0, 0, 1, 1}
                             << std::vector<float>{0.1f, 0.2f, 0.8f, 0.9f} << 1.0;
    QTest::newRow("inverted") << std::vector<int>{0, 0, 1, 1}
                              << std::vector<float>{0.9f, 0.8f, 0.2f, 0.1f} << 0.0;
    QTest::newRow("all tied") << std::vector<int>{0, 1, 0, 1}
                              << std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f} << 0.5;
    // Pairs (p, n): (0.8: 0.1 ✓, 0.4 ✓), (0.35: 0.1 ✓, 0.4 ✗) → 3/4.
    QTest::newRow("sklearn doc example")
        << std::vector<int>{0, 0, 1, 1} << std::vector<float>{0.1f, 0.4f, 0.35f, 0.8f} << 0.75;
}

void TestMetrics::aucKnownValues() {
    QFETCH(std::vector<int>, labels);
    QFETCH(std::vector<float>, scores);
    QFETCH(double, auc);
    const auto curve = tc::train::rocCurve(labels, scores);
    QCOMPARE(curve.auc, auc);
    QCOMPARE(curve.falsePositiveRate.front(), 0.0);
    QCOMPARE(curve.truePositiveRate.back(), 1.0);
    QCOMPARE(curve.falsePositiveRate.back(), 1.0);
    QVERIFY(std::is_sorted(curve.falsePositiveRate.begin(), curve.falsePositiveRate.end()));
}

void TestMetrics::aucMatchesPairwiseWithTies() {
    QRandomGenerator random(7);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<int> labels(60);
        std::vector<float> scores(60);
        for (size_t i = 0; i < labels.size(); ++i) {
            labels[i] = random.bounded(2);
            // Coarse scores force many ties; positives lean higher.
            scores[i] = static_cast<float>(random.bounded(10) + 3 * labels[i]) / 13.0f;
        }
        labels[0] = 0;
        labels[1] = 1;
        std::vector<int> predicted(labels.size());
        std::transform(scores.begin(), scores.end(), predicted.begin(),
                       [](float s) { return s >= 0.5f ? 1 : 0; });
        const auto m = computeMetrics(labels, predicted, 2, scores);
        QVERIFY(m.rocAuc.has_value());
        QVERIFY2(qAbs(*m.rocAuc - pairwiseAuc(labels, scores)) < 1e-12,
                 qPrintable(QString::number(trial)));
    }
}

void TestMetrics::aucAbsentWhenOneClassMissing() {
    const auto m = computeMetrics({1, 1, 1}, {1, 0, 1}, 2, {0.9f, 0.2f, 0.7f});
    QVERIFY(!m.rocAuc.has_value());
}

void TestMetrics::wilsonInterval_data() {
    QTest::addColumn<qint64>("successes");
    QTest::addColumn<qint64>("trials");
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    // Reference values from the closed form (z = 1.96), to 4 decimals.
    QTest::newRow("85.5% of 339") << qint64(290) << qint64(339) << 0.81404 << 0.88891;
    QTest::newRow("all right of 20") << qint64(20) << qint64(20) << 0.8389 << 1.0;
    QTest::newRow("none right of 10") << qint64(0) << qint64(10) << 0.0 << 0.2775;
    QTest::newRow("half of 100") << qint64(50) << qint64(100) << 0.4038 << 0.5962;
}

void TestMetrics::wilsonInterval() {
    QFETCH(qint64, successes);
    QFETCH(qint64, trials);
    QFETCH(double, low);
    QFETCH(double, high);
    const auto interval = tc::train::wilsonInterval(successes, trials);
    QVERIFY2(qAbs(interval.low - low) < 5e-5, qPrintable(QString::number(interval.low, 'f', 6)));
    QVERIFY2(qAbs(interval.high - high) < 5e-5, qPrintable(QString::number(interval.high, 'f', 6)));
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
