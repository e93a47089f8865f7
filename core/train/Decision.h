#pragma once

// Torch-free: the Test view and the CLI read these value types.

#include "core/train/Metrics.h"

#include <cstdint>
#include <optional>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::train {

/// How the operating point (a threshold on the positive class's probability) is chosen.
enum class ThresholdRule {
    TargetSensitivity, ///< the highest threshold whose sensitivity is ≥ target
    TargetSpecificity, ///< the lowest threshold whose specificity is ≥ target
    Youden,            ///< the threshold that maximises sensitivity + specificity − 1
    Fixed,             ///< a threshold set by hand (DecisionPolicy::threshold)
};

/// How a patient's image probabilities become the patient's probability.
enum class PatientAggregation { Mean, Max };

QString toString(ThresholdRule rule);
std::optional<ThresholdRule> parseThresholdRule(const QString& text);
QString toString(PatientAggregation aggregation);
std::optional<PatientAggregation> parsePatientAggregation(const QString& text);

/// What a run decides after training: the rule for the threshold (chosen on the validation
/// split, reported on the test split), whether a temperature is fitted on validation, and how
/// patients are scored when the split is grouped.
struct DecisionPolicy {
    ThresholdRule rule = ThresholdRule::TargetSensitivity;
    double target = 0.95;   ///< the two target rules; in (0, 1]
    double threshold = 0.5; ///< the Fixed rule; in [0, 1]
    bool temperatureScaling = true;
    PatientAggregation aggregation = PatientAggregation::Mean;

    QJsonObject toJson() const;
    /// Missing keys keep their defaults; a wrong type or range is an error naming the key.
    static std::optional<DecisionPolicy> fromJson(const QJsonObject& json, QString* error);
};

/// The binary decision "probability ≥ threshold → positive" on a set of cases, with the
/// figures a clinician reads and their 95 % Wilson intervals.
struct BinaryFigures {
    double threshold = 0.5;
    std::int64_t truePositives = 0;
    std::int64_t falsePositives = 0;
    std::int64_t trueNegatives = 0;
    std::int64_t falseNegatives = 0;

    std::int64_t cases() const;
    std::int64_t positives() const { return truePositives + falseNegatives; }
    std::int64_t negatives() const { return trueNegatives + falsePositives; }
    double sensitivity() const; ///< TP / (TP + FN); 0 without positives
    double specificity() const; ///< TN / (TN + FP); 0 without negatives
    double ppv() const;         ///< TP / (TP + FP); 0 without positive calls
    double npv() const;         ///< TN / (TN + FN); 0 without negative calls
    Interval sensitivityInterval() const;
    Interval specificityInterval() const;
    Interval ppvInterval() const;
    Interval npvInterval() const;
    /// Workload: the cases the model sets aside as negative (TN + FN), a share of all cases,
    /// and the positives among them (FN), the ones a triage would miss.
    std::int64_t setAside() const { return trueNegatives + falseNegatives; }
    double setAsideShare() const;

    QJsonObject toJson() const;
};

/// The figures of `scores` (positive-class probabilities) against binary `labels` (1 is
/// positive) at `threshold`. Lengths must match, else std::invalid_argument.
BinaryFigures figuresAt(const std::vector<int>& labels, const std::vector<double>& scores,
                        double threshold);

/// A threshold chosen by a rule on one split.
struct ThresholdChoice {
    double threshold = 0.5;
    /// False when no threshold reaches the target (the closest one is taken: every case
    /// positive for sensitivity, every case negative for specificity) or a class is missing.
    bool targetMet = false;
    BinaryFigures figures; ///< on the split it was chosen on
};

/// Chooses the threshold on `scores` against `labels` by `policy.rule`. Candidate thresholds
/// are the distinct scores (a case is positive when its score is ≥ the threshold), so the
/// chosen threshold is exactly reproducible on the same scores.
ThresholdChoice chooseThreshold(const std::vector<int>& labels, const std::vector<double>& scores,
                                const DecisionPolicy& policy);

/// One bin of a reliability diagram over [low, high) (the last bin includes 1).
struct ReliabilityBin {
    double low = 0.0;
    double high = 0.0;
    std::int64_t count = 0;
    double meanProbability = 0.0; ///< mean predicted probability in the bin; 0 when empty
    double observedRate = 0.0;    ///< share of positives in the bin; 0 when empty
};

/// Calibration of positive-class probabilities: reliability diagram, expected calibration
/// error (the count-weighted mean |observed − predicted| over the bins) and Brier score.
struct CalibrationFigures {
    std::int64_t samples = 0;
    std::vector<ReliabilityBin> bins;
    double ece = 0.0;
    double brier = 0.0;

    QJsonObject toJson() const;
};

CalibrationFigures calibrationOf(const std::vector<int>& labels, const std::vector<double>& scores,
                                 int bins = 10);

/// Logits of a set of cases: [case][class].
using Logits = std::vector<std::vector<float>>;

/// Mean negative log-likelihood of `labels` under softmax(logits / temperature).
double negativeLogLikelihood(const Logits& logits, const std::vector<int>& labels,
                             double temperature);
/// The temperature T > 0 that minimises negativeLogLikelihood() (temperature scaling, Guo et
/// al. 2017). The NLL is convex in 1/T, so a golden-section search on log(1/T) followed by
/// Newton steps finds the one minimum; T is kept within [0.01, 100]. 1 without cases.
double fitTemperature(const Logits& logits, const std::vector<int>& labels);
/// softmax(logits / temperature)[positive] for each case.
std::vector<double> positiveProbabilities(const Logits& logits, int positive,
                                          double temperature = 1.0);

/// One patient (group) of a split.
struct PatientScore {
    QString group;
    int label = 0;            ///< 1 when any of the patient's images is positive
    double probability = 0.0; ///< aggregated over the images
    std::int64_t images = 0;
    std::int64_t positiveImages = 0;
    std::int64_t missedPositiveImages = 0; ///< positive images below the threshold
};

/// Patient-level results at one threshold.
struct PatientFigures {
    PatientAggregation aggregation = PatientAggregation::Mean;
    std::vector<PatientScore> patients; ///< sorted by group name
    BinaryFigures figures;              ///< on patients
    std::int64_t patientsWithMissedPositiveImage = 0;

    QJsonObject toJson() const;
};

/// Aggregates image probabilities by `groups` (one name per image) and applies `threshold`.
PatientFigures patientFigures(const std::vector<QString>& groups, const std::vector<int>& labels,
                              const std::vector<double>& scores, double threshold,
                              PatientAggregation aggregation);

/// Logits, labels (class indices) and patient groups of one split's cases.
struct ScoredSplit {
    Logits logits;
    std::vector<int> labels;
    std::vector<QString> groups; ///< empty: the split is not grouped by patient
};

/// The decision a model applies when it predicts: "positive when softmax(logits / temperature)
/// [positiveClass] ≥ threshold". Written by the trainer into the run folder
/// (operating-point.json), replaced there when the user moves the operating point in the Test
/// view, and carried by exports (TorchScript and ONNX metadata) and `predict`.
struct OperatingPoint {
    double threshold = 0.5;
    double temperature = 1.0;
    int positiveClass = 1;
    QString positiveClassName;
    DecisionPolicy policy; ///< the rule and target it was chosen by (Fixed: set by hand)
    QString chosenOn = QStringLiteral("validation"); ///< the split the rule was applied to
    bool targetMet = true;

    /// "threshold 0.31 on the temperature-scaled probability of malignant (T = 1.85), chosen
    /// for sensitivity ≥ 95 % on the validation split"
    QString describe() const;
    /// True when `probabilities` (already temperature-scaled) call the positive class.
    bool isPositive(double positiveProbability) const { return positiveProbability >= threshold; }
    QJsonObject toJson() const;
    /// A wrong type or range is an error naming the key.
    static std::optional<OperatingPoint> fromJson(const QJsonObject& json, QString* error);
};

/// The file in a run folder that holds the run's OperatingPoint.
QString operatingPointFileName();
/// Reads `runDirectory`/operating-point.json. Without the file: nothing and an empty error
/// (runs trained before operating points, or without a validation split); a damaged file:
/// nothing and an error naming it.
std::optional<OperatingPoint> readOperatingPoint(const QString& runDirectory, QString* error);
/// Replaces `runDirectory`/operating-point.json atomically; false with `error` naming it.
bool writeOperatingPoint(const QString& runDirectory, const OperatingPoint& point, QString* error);

/// Everything a run decides and reports about its operating point.
struct DecisionReport {
    DecisionPolicy policy;
    int positiveClass = 1;
    QString positiveClassName;
    double temperature = 1.0;
    ThresholdChoice validation; ///< the threshold as chosen, with the validation figures
    BinaryFigures test;         ///< the same threshold on the test split
    CalibrationFigures validationBefore, validationAfter, testBefore, testAfter;
    std::optional<PatientFigures> validationPatients, testPatients;

    double threshold() const { return validation.threshold; }
    /// What travels with the model: threshold, temperature, positive class, how chosen.
    OperatingPoint operatingPoint() const;
    QJsonObject toJson() const;
};

/// Fits the temperature (when the policy asks) and chooses the threshold on `validation`, then
/// reports them on `test`. Images are positive when their label is `positiveClass`.
DecisionReport decide(const ScoredSplit& validation, const ScoredSplit& test,
                      const DecisionPolicy& policy, int positiveClass,
                      const QString& positiveClassName);

} // namespace tc::train
