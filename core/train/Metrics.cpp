#include "core/train/Metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <QJsonArray>
#include <stdexcept>

namespace tc::train {

namespace {

double safeRatio(double numerator, double denominator) {
    return denominator > 0.0 ? numerator / denominator : 0.0;
}

} // namespace

Interval wilsonInterval(std::int64_t successes, std::int64_t trials) {
    if (trials <= 0)
        return {0.0, 0.0};
    constexpr double z = 1.959963984540054; // two-sided 95 %
    const double n = static_cast<double>(trials);
    const double p = static_cast<double>(successes) / n;
    const double denominator = 1.0 + z * z / n;
    const double centre = (p + z * z / (2.0 * n)) / denominator;
    const double halfWidth = z * std::sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denominator;
    return {std::max(0.0, centre - halfWidth), std::min(1.0, centre + halfWidth)};
}

double ClassificationMetrics::sensitivity(int positive) const {
    return positive < static_cast<int>(recall.size()) ? recall[positive] : 0.0;
}

double ClassificationMetrics::specificity(int positive) const {
    if (classes != 2 || positive < 0 || positive > 1)
        return 0.0;
    return recall[1 - positive];
}

Interval ClassificationMetrics::accuracyInterval() const {
    std::int64_t correct = 0;
    for (int c = 0; c < classes; ++c)
        correct += confusion[c][c];
    return wilsonInterval(correct, samples);
}

QJsonObject ClassificationMetrics::toJson(const QStringList& classNames) const {
    auto toArray = [](const auto& values) {
        QJsonArray array;
        for (const auto value : values)
            array.append(static_cast<double>(value));
        return array;
    };
    QJsonArray matrix;
    for (const auto& row : confusion)
        matrix.append(toArray(row));
    const Interval interval = accuracyInterval();
    QJsonObject json{{QStringLiteral("samples"), static_cast<double>(samples)},
                     {QStringLiteral("accuracy"), accuracy},
                     {QStringLiteral("accuracyCi95"), QJsonArray{interval.low, interval.high}},
                     {QStringLiteral("balancedAccuracy"), balancedAccuracy},
                     {QStringLiteral("precision"), toArray(precision)},
                     {QStringLiteral("recall"), toArray(recall)},
                     {QStringLiteral("f1"), toArray(f1)},
                     {QStringLiteral("support"), toArray(support)},
                     {QStringLiteral("confusion"), matrix}};
    if (!classNames.isEmpty())
        json.insert(QStringLiteral("classes"), QJsonArray::fromStringList(classNames));
    if (rocAuc)
        json.insert(QStringLiteral("rocAuc"), *rocAuc);
    return json;
}

ClassificationMetrics computeMetrics(const std::vector<int>& labels,
                                     const std::vector<int>& predicted, int classes,
                                     const std::vector<float>& scores) {
    if (labels.size() != predicted.size())
        throw std::invalid_argument("computeMetrics: labels and predictions differ in length");
    if (!scores.empty() && scores.size() != labels.size())
        throw std::invalid_argument("computeMetrics: scores and labels differ in length");
    if (classes < 1)
        throw std::invalid_argument("computeMetrics: need at least one class");

    std::vector<std::vector<std::int64_t>> confusion(classes,
                                                     std::vector<std::int64_t>(classes, 0));
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= classes || predicted[i] < 0 || predicted[i] >= classes)
            throw std::out_of_range("computeMetrics: class index out of range");
        ++confusion[labels[i]][predicted[i]];
    }
    ClassificationMetrics m = metricsFromConfusion(std::move(confusion));
    if (classes == 2 && !scores.empty() && m.support[0] > 0 && m.support[1] > 0)
        m.rocAuc = rocCurve(labels, scores).auc;
    return m;
}

ClassificationMetrics metricsFromConfusion(std::vector<std::vector<std::int64_t>> confusion,
                                           std::optional<double> rocAuc) {
    ClassificationMetrics m;
    const int classes = static_cast<int>(confusion.size());
    m.classes = classes;
    m.confusion = std::move(confusion);
    m.rocAuc = rocAuc;
    std::int64_t correct = 0;
    m.precision.assign(classes, 0.0);
    m.recall.assign(classes, 0.0);
    m.f1.assign(classes, 0.0);
    m.support.assign(classes, 0);
    double recallSum = 0.0;
    int classesPresent = 0;
    for (int c = 0; c < classes; ++c) {
        const std::int64_t truePositive = m.confusion[c][c];
        std::int64_t predictedAs = 0;
        for (int t = 0; t < classes; ++t)
            predictedAs += m.confusion[t][c];
        m.support[c] =
            std::accumulate(m.confusion[c].begin(), m.confusion[c].end(), std::int64_t{0});
        m.samples += m.support[c];
        correct += truePositive;
        m.precision[c] = safeRatio(truePositive, predictedAs);
        m.recall[c] = safeRatio(truePositive, m.support[c]);
        m.f1[c] = safeRatio(2.0 * m.precision[c] * m.recall[c], m.precision[c] + m.recall[c]);
        if (m.support[c] > 0) {
            recallSum += m.recall[c];
            ++classesPresent;
        }
    }
    m.accuracy = safeRatio(correct, m.samples);
    // Balanced accuracy averages recall over the classes that occur (scikit-learn's rule).
    m.balancedAccuracy = safeRatio(recallSum, classesPresent);
    return m;
}

ClassificationMetrics ClassificationMetrics::fromJson(const QJsonObject& json) {
    std::vector<std::vector<std::int64_t>> confusion;
    const QJsonArray rows = json.value(QStringLiteral("confusion")).toArray();
    for (const QJsonValue& row : rows) {
        std::vector<std::int64_t> counts;
        for (const QJsonValue& value : row.toArray())
            counts.push_back(static_cast<std::int64_t>(value.toDouble()));
        if (counts.size() != static_cast<size_t>(rows.size()))
            return {}; // not square: not ours
        confusion.push_back(std::move(counts));
    }
    std::optional<double> auc;
    if (json.value(QStringLiteral("rocAuc")).isDouble())
        auc = json.value(QStringLiteral("rocAuc")).toDouble();
    return metricsFromConfusion(std::move(confusion), auc);
}

RocCurve rocCurve(const std::vector<int>& labels, const std::vector<float>& scores) {
    if (labels.size() != scores.size())
        throw std::invalid_argument("rocCurve: labels and scores differ in length");
    std::vector<size_t> order(labels.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    const auto positives = static_cast<double>(std::count(labels.begin(), labels.end(), 1));
    const double negatives = static_cast<double>(labels.size()) - positives;

    RocCurve curve;
    curve.falsePositiveRate.push_back(0.0);
    curve.truePositiveRate.push_back(0.0);
    curve.thresholds.push_back(std::numeric_limits<double>::infinity());
    double truePositives = 0.0;
    double falsePositives = 0.0;
    for (size_t i = 0; i < order.size(); ++i) {
        if (labels[order[i]] == 1)
            truePositives += 1.0;
        else
            falsePositives += 1.0;
        // One point per distinct score: tied samples move the curve diagonally together.
        const bool lastOfTie = i + 1 == order.size() || scores[order[i + 1]] != scores[order[i]];
        if (!lastOfTie)
            continue;
        curve.falsePositiveRate.push_back(safeRatio(falsePositives, negatives));
        curve.truePositiveRate.push_back(safeRatio(truePositives, positives));
        curve.thresholds.push_back(scores[order[i]]);
    }
    for (size_t i = 1; i < curve.falsePositiveRate.size(); ++i) {
        const double width = curve.falsePositiveRate[i] - curve.falsePositiveRate[i - 1];
        curve.auc += width * (curve.truePositiveRate[i] + curve.truePositiveRate[i - 1]) / 2.0;
    }
    return curve;
}

} // namespace tc::train
