#pragma once

#include <cstdint>
#include <optional>
#include <QJsonObject>
#include <QStringList>
#include <vector>

namespace tc::train {

/// A 95 % confidence interval for a proportion.
struct Interval {
    double low = 0.0;
    double high = 0.0;
};

/// Wilson score interval for `successes` out of `trials` (95 %); well behaved at 0 % and 100 %
/// where the normal approximation collapses to a zero-width interval.
Interval wilsonInterval(std::int64_t successes, std::int64_t trials);

/// Receiver operating characteristic of a binary scorer: one point per distinct threshold,
/// from (0, 0) to (1, 1).
struct RocCurve {
    std::vector<double> falsePositiveRate;
    std::vector<double> truePositiveRate;
    std::vector<double> thresholds;
    double auc = 0.0;
};

/// Classification quality over one pass of a split. Confusion is indexed [true][predicted].
/// Precision/recall/F1 of a class with no support (or no predictions) are 0, the convention
/// scikit-learn uses with zero_division=0.
struct ClassificationMetrics {
    int classes = 0;
    std::int64_t samples = 0;
    std::vector<std::vector<std::int64_t>> confusion;
    double accuracy = 0.0;
    double balancedAccuracy = 0.0;
    std::vector<double> precision;
    std::vector<double> recall;
    std::vector<double> f1;
    std::vector<std::int64_t> support;
    /// Two-class problems only, from the scores of class 1; absent when a class is missing.
    std::optional<double> rocAuc;

    /// Sensitivity and specificity with class `positive` as the positive class (two-class use).
    double sensitivity(int positive = 1) const;
    double specificity(int positive = 1) const;
    Interval accuracyInterval() const;

    QJsonObject toJson(const QStringList& classNames = {}) const;
    /// Reads what toJson() wrote (every score derives from the confusion matrix and AUC).
    static ClassificationMetrics fromJson(const QJsonObject& json);
};

/// Every score of a confusion matrix ([true][predicted], square).
ClassificationMetrics metricsFromConfusion(std::vector<std::vector<std::int64_t>> confusion,
                                           std::optional<double> rocAuc = std::nullopt);

/// Computes the metrics of `predicted` against `labels` (both in [0, classes)). `scores`, when
/// not empty, holds one score per sample for class 1 (probability) and enables ROC AUC for
/// two classes. Labels outside the range are a programming error and throw.
ClassificationMetrics computeMetrics(const std::vector<int>& labels,
                                     const std::vector<int>& predicted, int classes,
                                     const std::vector<float>& scores = {});

/// ROC of `scores` (higher = more positive) against binary `labels` (1 positive). Ties in
/// score are one threshold, so the curve and AUC are exact with ties.
RocCurve rocCurve(const std::vector<int>& labels, const std::vector<float>& scores);

} // namespace tc::train
