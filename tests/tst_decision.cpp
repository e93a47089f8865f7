// Decisions on a score table: threshold rules chosen on validation and reported on test,
// calibration (reliability bins, ECE, Brier), temperature scaling against a torch LBFGS
// reference, patient-level aggregation.

#include "core/train/Decision.h"

#include <cmath>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace tc::train;

namespace {

/// Counted here with plain loops, independent of figuresAt().
struct Counts {
    int tp = 0, fp = 0, tn = 0, fn = 0;
};

Counts countAt(const std::vector<int>& labels, const std::vector<double>& scores, double t) {
    Counts c;
    for (size_t i = 0; i < labels.size(); ++i) {
        const bool call = scores[i] >= t;
        if (labels[i] == 1)
            (call ? c.tp : c.fn)++;
        else
            (call ? c.fp : c.tn)++;
    }
    return c;
}

/// The textbook Wilson score interval (Newcombe 1998, method 3), written out again here.
std::pair<double, double> wilson(int k, int n) {
    const double z = 1.959963984540054;
    const double p = double(k) / n;
    const double centre = 2 * n * p + z * z;
    const double spread = z * std::sqrt(z * z + 4 * n * p * (1 - p));
    const double denominator = 2 * (n + z * z);
    return {(centre - spread) / denominator, (centre + spread) / denominator};
}

/// A validation table: 10 negatives, 20 positives, overlapping scores.
const std::vector<int> kValidationLabels{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1,
                                         1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
const std::vector<double> kValidationScores{
    0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.55, 0.62, 0.80, 0.12, 0.40, 0.45, 0.50, 0.58,
    0.60, 0.65, 0.70, 0.72, 0.75, 0.78, 0.82, 0.84, 0.86, 0.88, 0.90, 0.92, 0.94, 0.96, 0.98};

Logits binaryLogits(const std::vector<double>& probabilities) {
    Logits logits;
    for (const double p : probabilities)
        logits.push_back({0.0f, static_cast<float>(std::log(p / (1.0 - p)))});
    return logits;
}

} // namespace

class TestDecision : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void targetSensitivityIsTheHighestThresholdMeetingIt_data();
    void targetSensitivityIsTheHighestThresholdMeetingIt();
    void targetSpecificityIsTheLowestThresholdMeetingIt();
    void youdenMaximisesTheIndex();
    void chosenOnValidationReportedOnTest();
    void figuresAndIntervalsOnAKnownTable();
    void calibrationBinsEceBrier();
    void temperatureMatchesTorchLbfgs();
    void temperatureKeepsTheRanking();
    void patientAggregation_data();
    void patientAggregation();
    void policyJson();
};

void TestDecision::targetSensitivityIsTheHighestThresholdMeetingIt_data() {
    QTest::addColumn<double>("target");
    QTest::newRow("95%") << 0.95;
    QTest::newRow("90%") << 0.90;
    QTest::newRow("80%") << 0.80;
    QTest::newRow("100%") << 1.0;
}

void TestDecision::targetSensitivityIsTheHighestThresholdMeetingIt() {
    QFETCH(double, target);
    DecisionPolicy policy;
    policy.rule = ThresholdRule::TargetSensitivity;
    policy.target = target;
    const ThresholdChoice choice = chooseThreshold(kValidationLabels, kValidationScores, policy);
    QVERIFY(choice.targetMet);
    const Counts at = countAt(kValidationLabels, kValidationScores, choice.threshold);
    QVERIFY(double(at.tp) / (at.tp + at.fn) >= target);
    // Any higher score as threshold misses the target: the choice keeps specificity highest.
    for (const double score : kValidationScores) {
        if (score <= choice.threshold)
            continue;
        const Counts higher = countAt(kValidationLabels, kValidationScores, score);
        QVERIFY2(double(higher.tp) / (higher.tp + higher.fn) < target,
                 qPrintable(QString::number(score)));
    }
    QCOMPARE(choice.figures.truePositives, at.tp);
    QCOMPARE(choice.figures.trueNegatives, at.tn);
}

void TestDecision::targetSpecificityIsTheLowestThresholdMeetingIt() {
    DecisionPolicy policy;
    policy.rule = ThresholdRule::TargetSpecificity;
    policy.target = 0.9;
    const ThresholdChoice choice = chooseThreshold(kValidationLabels, kValidationScores, policy);
    QVERIFY(choice.targetMet);
    // 9 of 10 negatives below: the negatives' 9th score is 0.62, so 0.65 is the lowest
    // candidate with specificity ≥ 90 % (0.62 itself would call it positive).
    QCOMPARE(choice.threshold, 0.65);
    QCOMPARE(choice.figures.trueNegatives, 9);
    QCOMPARE(choice.figures.truePositives, 14);
}

void TestDecision::youdenMaximisesTheIndex() {
    DecisionPolicy policy;
    policy.rule = ThresholdRule::Youden;
    const ThresholdChoice choice = chooseThreshold(kValidationLabels, kValidationScores, policy);
    const Counts at = countAt(kValidationLabels, kValidationScores, choice.threshold);
    const double best = double(at.tp) / 20 + double(at.tn) / 10;
    for (const double score : kValidationScores) {
        const Counts other = countAt(kValidationLabels, kValidationScores, score);
        QVERIFY(double(other.tp) / 20 + double(other.tn) / 10 <= best + 1e-12);
    }
    // By hand: at 0.40 sensitivity 19/20, specificity 7/10 → J = 0.65, the largest.
    QCOMPARE(choice.threshold, 0.40);
}

void TestDecision::chosenOnValidationReportedOnTest() {
    // The test split ranks worse than validation; the threshold must not move to it.
    const std::vector<double> testScores{0.1, 0.3, 0.5, 0.6, 0.7, 0.2, 0.45, 0.55, 0.8, 0.9, 0.95};
    const std::vector<int> testLabels{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    ScoredSplit validation{binaryLogits(kValidationScores), kValidationLabels, {}};
    ScoredSplit test{binaryLogits(testScores), testLabels, {}};
    DecisionPolicy policy;
    policy.temperatureScaling = false;
    policy.target = 0.95;
    const DecisionReport report = decide(validation, test, policy, 1, QStringLiteral("malignant"));

    const ThresholdChoice onValidation =
        chooseThreshold(kValidationLabels, positiveProbabilities(validation.logits, 1), policy);
    QCOMPARE(report.threshold(), onValidation.threshold);
    QVERIFY(report.validation.figures.sensitivity() >= 0.95);

    // Test figures recounted here from the raw probabilities.
    const Counts c = countAt(testLabels, positiveProbabilities(test.logits, 1), report.threshold());
    QCOMPARE(report.test.truePositives, c.tp);
    QCOMPARE(report.test.falsePositives, c.fp);
    QCOMPARE(report.test.trueNegatives, c.tn);
    QCOMPARE(report.test.falseNegatives, c.fn);
    QCOMPARE(report.test.setAside(), c.tn + c.fn);
    QCOMPARE(report.test.setAsideShare(), double(c.tn + c.fn) / testLabels.size());
    QCOMPARE(report.temperature, 1.0);

    const QJsonObject json = report.toJson();
    const QJsonObject point = json.value(QStringLiteral("operatingPoint")).toObject();
    QCOMPARE(point.value(QStringLiteral("threshold")).toDouble(), report.threshold());
    QCOMPARE(point.value(QStringLiteral("positiveClass")).toString(), QStringLiteral("malignant"));
    QCOMPARE(point.value(QStringLiteral("chosenBy"))
                 .toObject()
                 .value(QStringLiteral("split"))
                 .toString(),
             QStringLiteral("validation"));
    QCOMPARE(json.value(QStringLiteral("test"))
                 .toObject()
                 .value(QStringLiteral("truePositives"))
                 .toInt(),
             c.tp);
}

void TestDecision::figuresAndIntervalsOnAKnownTable() {
    // 3 TP, 1 FN, 2 FP, 4 TN at 0.5.
    const std::vector<int> labels{1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
    const std::vector<double> scores{0.9, 0.8, 0.6, 0.4, 0.7, 0.55, 0.3, 0.2, 0.1, 0.05};
    const BinaryFigures f = figuresAt(labels, scores, 0.5);
    QCOMPARE(f.sensitivity(), 0.75);
    QCOMPARE(f.specificity(), 4.0 / 6.0);
    QCOMPARE(f.ppv(), 0.6);
    QCOMPARE(f.npv(), 0.8);
    QCOMPARE(f.setAside(), 5);
    QCOMPARE(f.setAsideShare(), 0.5);
    QCOMPARE(f.falseNegatives, 1);
    const auto [low, high] = wilson(3, 4);
    QVERIFY(std::abs(f.sensitivityInterval().low - low) < 1e-12);
    QVERIFY(std::abs(f.sensitivityInterval().high - high) < 1e-12);
    const auto [npvLow, npvHigh] = wilson(4, 5);
    QVERIFY(std::abs(f.npvInterval().low - npvLow) < 1e-12);
    QVERIFY(std::abs(f.npvInterval().high - npvHigh) < 1e-12);
    const QJsonObject json = f.toJson();
    QCOMPARE(json.value(QStringLiteral("ppv")).toObject().value(QStringLiteral("value")).toDouble(),
             0.6);
    QCOMPARE(json.value(QStringLiteral("workload"))
                 .toObject()
                 .value(QStringLiteral("positivesSetAside"))
                 .toInt(),
             1);
}

void TestDecision::calibrationBinsEceBrier() {
    const std::vector<int> labels{0, 1, 0, 1, 1, 1};
    const std::vector<double> scores{0.05, 0.05, 0.55, 0.55, 0.95, 1.0};
    const CalibrationFigures c = calibrationOf(labels, scores);
    QCOMPARE(int(c.bins.size()), 10);
    QCOMPARE(c.bins[0].count, 2);
    QCOMPARE(c.bins[5].count, 2);
    QCOMPARE(c.bins[9].count, 2); // 1.0 falls in the last bin
    QCOMPARE(c.bins[0].observedRate, 0.5);
    QCOMPARE(c.bins[9].meanProbability, 0.975);
    // ECE = 2/6·|0.5−0.05| + 2/6·|0.5−0.55| + 2/6·|1−0.975|
    QVERIFY(std::abs(c.ece - (0.45 + 0.05 + 0.025) / 3.0) < 1e-12);
    double brier = 0.0;
    for (size_t i = 0; i < labels.size(); ++i)
        brier += std::pow(scores[i] - labels[i], 2);
    QVERIFY(std::abs(c.brier - brier / 6.0) < 1e-12);
}

void TestDecision::temperatureMatchesTorchLbfgs() {
    // Overconfident three-class logits: the fitted temperature is well above 1.
    QRandomGenerator random(7);
    Logits logits;
    std::vector<int> labels;
    QJsonArray logitsJson;
    QJsonArray labelsJson;
    for (int i = 0; i < 300; ++i) {
        const int label = int(random.bounded(3));
        std::vector<float> z(3);
        QJsonArray row;
        for (int k = 0; k < 3; ++k) {
            const double noise = random.generateDouble() * 2.0 - 1.0;
            z[size_t(k)] = static_cast<float>(4.0 * ((k == label ? 1.0 : 0.0) + 1.2 * noise));
            row.append(double(z[size_t(k)]));
        }
        logits.push_back(z);
        labels.push_back(label);
        logitsJson.append(row);
        labelsJson.append(label);
    }
    QTemporaryDir folder;
    const QString file = folder.filePath(QStringLiteral("cases.json"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(QJsonObject{{QStringLiteral("logits"), logitsJson},
                                        {QStringLiteral("labels"), labelsJson}})
                  .toJson(QJsonDocument::Compact));
    out.close();

    QProcess python;
    python.start(QStringLiteral(TORCHCANVAS_PYTHON),
                 {QStringLiteral(TORCHCANVAS_SOURCE_DIR "/tests/tools/temperature_fit.py"), file});
    QVERIFY(python.waitForFinished(120000));
    QCOMPARE(python.exitCode(), 0);
    const QJsonObject reference = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
    const double expected = reference.value(QStringLiteral("temperature")).toDouble();
    const double fitted = fitTemperature(logits, labels);
    qInfo("temperature: ours %.6f, torch LBFGS %.6f", fitted, expected);
    QVERIFY(expected > 1.5);
    QVERIFY2(std::abs(fitted - expected) < 1e-3,
             qPrintable(QStringLiteral("%1 vs %2").arg(fitted).arg(expected)));
    QVERIFY(std::abs(negativeLogLikelihood(logits, labels, fitted) -
                     reference.value(QStringLiteral("nll")).toDouble()) < 1e-6);
    QVERIFY(negativeLogLikelihood(logits, labels, fitted) <
            negativeLogLikelihood(logits, labels, 1.0));
}

void TestDecision::temperatureKeepsTheRanking() {
    const Logits logits = binaryLogits(kValidationScores);
    const double temperature = fitTemperature(logits, kValidationLabels);
    QVERIFY(temperature != 1.0);
    const std::vector<double> before = positiveProbabilities(logits, 1);
    const std::vector<double> after = positiveProbabilities(logits, 1, temperature);
    for (size_t i = 0; i < before.size(); ++i) {
        for (size_t j = 0; j < before.size(); ++j)
            QCOMPARE(before[i] < before[j], after[i] < after[j]);
    }
}

void TestDecision::patientAggregation_data() {
    QTest::addColumn<int>("aggregation");
    QTest::addColumn<QList<double>>("expected"); // per patient, sorted by name
    QTest::addColumn<int>("patientTruePositives");
    QTest::newRow("mean") << int(PatientAggregation::Mean) << QList<double>{0.2, 0.5, 0.7} << 1;
    QTest::newRow("max") << int(PatientAggregation::Max) << QList<double>{0.3, 0.9, 0.8} << 2;
}

void TestDecision::patientAggregation() {
    QFETCH(int, aggregation);
    QFETCH(QList<double>, expected);
    QFETCH(int, patientTruePositives);
    // Patient A benign (0.1, 0.3); B malignant (0.1, 0.9, 0.5); C malignant (0.6, 0.8).
    const std::vector<QString> groups{"B", "A", "C", "B", "A", "B", "C"};
    const std::vector<int> labels{1, 0, 1, 1, 0, 1, 1};
    const std::vector<double> scores{0.1, 0.1, 0.6, 0.9, 0.3, 0.5, 0.8};
    const double threshold = 0.55;
    const PatientFigures p =
        patientFigures(groups, labels, scores, threshold, PatientAggregation(aggregation));
    QCOMPARE(int(p.patients.size()), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(p.patients[size_t(i)].group, QString(QChar('A' + i)));
        QVERIFY(std::abs(p.patients[size_t(i)].probability - expected[i]) < 1e-12);
    }
    QCOMPARE(p.patients[1].images, 3);
    QCOMPARE(p.patients[1].missedPositiveImages, 2); // 0.1 and 0.5 are below 0.55
    QCOMPARE(p.patients[2].missedPositiveImages, 0);
    QCOMPARE(p.patientsWithMissedPositiveImage, 1);
    QCOMPARE(p.figures.truePositives, patientTruePositives);
    QCOMPARE(p.figures.positives(), 2);
    QCOMPARE(p.figures.trueNegatives, 1);
}

void TestDecision::policyJson() {
    DecisionPolicy policy;
    policy.rule = ThresholdRule::TargetSpecificity;
    policy.target = 0.9;
    policy.temperatureScaling = false;
    policy.aggregation = PatientAggregation::Max;
    QString error;
    const auto back = DecisionPolicy::fromJson(policy.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(back->rule == policy.rule);
    QCOMPARE(back->target, 0.9);
    QCOMPARE(back->temperatureScaling, false);
    QVERIFY(back->aggregation == PatientAggregation::Max);
    QVERIFY(!DecisionPolicy::fromJson({{QStringLiteral("target"), 1.5}}, &error));
    QVERIFY(error.contains(QStringLiteral("target")));
    QVERIFY(
        !DecisionPolicy::fromJson({{QStringLiteral("rule"), QStringLiteral("argmax")}}, &error));
}

QTEST_GUILESS_MAIN(TestDecision)
#include "tst_decision.moc"
