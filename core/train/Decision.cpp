#include "core/train/Decision.h"

#include "core/train/PositiveClass.h"
#include "core/util/FileErrors.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <stdexcept>

namespace tc::train {

namespace {

double ratio(std::int64_t numerator, std::int64_t denominator) {
    return denominator > 0 ? static_cast<double>(numerator) / static_cast<double>(denominator)
                           : 0.0;
}

QJsonObject withInterval(double value, const Interval& interval) {
    return {{QStringLiteral("value"), value},
            {QStringLiteral("ci95"), QJsonArray{interval.low, interval.high}}};
}

/// The temperature search range: beyond it the probabilities are all but 0/1 or uniform.
constexpr double kMinTemperature = 0.01;
constexpr double kMaxTemperature = 100.0;

/// Mean NLL as a function of beta = 1/T and, when asked, its first and second derivatives:
/// f(β) = mean(logsumexp(β z) − β z_y), f'(β) = mean(E_p[z] − z_y), f''(β) = mean(Var_p[z]).
double nllOfBeta(const Logits& logits, const std::vector<int>& labels, double beta,
                 double* first = nullptr, double* second = nullptr) {
    double sum = 0.0;
    double firstSum = 0.0;
    double secondSum = 0.0;
    for (size_t i = 0; i < logits.size(); ++i) {
        const auto& z = logits[i];
        const double largest = beta * static_cast<double>(*std::max_element(z.begin(), z.end()));
        double partition = 0.0;
        double mean = 0.0;
        double meanSquare = 0.0;
        for (const float value : z) {
            const double weight = std::exp(beta * value - largest);
            partition += weight;
            mean += weight * value;
            meanSquare += weight * value * value;
        }
        mean /= partition;
        meanSquare /= partition;
        const double zy = z[size_t(labels[i])];
        sum += largest + std::log(partition) - beta * zy;
        firstSum += mean - zy;
        secondSum += meanSquare - mean * mean;
    }
    const double n = static_cast<double>(std::max<size_t>(logits.size(), 1));
    if (first)
        *first = firstSum / n;
    if (second)
        *second = secondSum / n;
    return sum / n;
}

void checkLogits(const Logits& logits, const std::vector<int>& labels) {
    if (logits.size() != labels.size())
        throw std::invalid_argument("logits and labels differ in length");
    for (size_t i = 0; i < logits.size(); ++i) {
        if (logits[i].empty() || labels[i] < 0 || labels[i] >= int(logits[i].size()))
            throw std::out_of_range("label outside the logits' classes");
    }
}

std::vector<int> binaryLabels(const std::vector<int>& labels, int positive) {
    std::vector<int> binary(labels.size());
    std::transform(labels.begin(), labels.end(), binary.begin(),
                   [positive](int label) { return label == positive ? 1 : 0; });
    return binary;
}

} // namespace

int defaultPositiveClass(const QStringList& classNames) {
    static const QStringList kPositiveNames = {
        QStringLiteral("malignant"), QStringLiteral("positive"), QStringLiteral("tumor"),
        QStringLiteral("tumour"),    QStringLiteral("cancer"),   QStringLiteral("abnormal"),
        QStringLiteral("disease"),   QStringLiteral("pos"),      QStringLiteral("yes")};
    for (const QString& name : kPositiveNames)
        for (int c = 0; c < classNames.size(); ++c)
            if (classNames.at(c).compare(name, Qt::CaseInsensitive) == 0)
                return c;
    return std::max(0, int(classNames.size()) - 1);
}

QString toString(ThresholdRule rule) {
    switch (rule) {
    case ThresholdRule::TargetSensitivity:
        return QStringLiteral("targetSensitivity");
    case ThresholdRule::TargetSpecificity:
        return QStringLiteral("targetSpecificity");
    case ThresholdRule::Youden:
        return QStringLiteral("youden");
    case ThresholdRule::Fixed:
        return QStringLiteral("fixed");
    }
    return {};
}

std::optional<ThresholdRule> parseThresholdRule(const QString& text) {
    for (const auto rule : {ThresholdRule::TargetSensitivity, ThresholdRule::TargetSpecificity,
                            ThresholdRule::Youden, ThresholdRule::Fixed}) {
        if (text.compare(toString(rule), Qt::CaseInsensitive) == 0)
            return rule;
    }
    return std::nullopt;
}

QString toString(PatientAggregation aggregation) {
    return aggregation == PatientAggregation::Max ? QStringLiteral("max") : QStringLiteral("mean");
}

std::optional<PatientAggregation> parsePatientAggregation(const QString& text) {
    if (text.compare(QLatin1String("mean"), Qt::CaseInsensitive) == 0)
        return PatientAggregation::Mean;
    if (text.compare(QLatin1String("max"), Qt::CaseInsensitive) == 0)
        return PatientAggregation::Max;
    return std::nullopt;
}

QJsonObject DecisionPolicy::toJson() const {
    QJsonObject json{{QStringLiteral("rule"), toString(rule)},
                     {QStringLiteral("temperatureScaling"), temperatureScaling},
                     {QStringLiteral("patientAggregation"), toString(aggregation)}};
    if (rule == ThresholdRule::TargetSensitivity || rule == ThresholdRule::TargetSpecificity)
        json.insert(QStringLiteral("target"), target);
    if (rule == ThresholdRule::Fixed)
        json.insert(QStringLiteral("threshold"), threshold);
    return json;
}

std::optional<DecisionPolicy> DecisionPolicy::fromJson(const QJsonObject& json, QString* error) {
    auto fail = [error](const QString& why) -> std::optional<DecisionPolicy> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    DecisionPolicy policy;
    if (json.contains(QStringLiteral("rule"))) {
        const auto rule = parseThresholdRule(json.value(QStringLiteral("rule")).toString());
        if (!rule)
            return fail(QStringLiteral("\"rule\" must be targetSensitivity, targetSpecificity, "
                                       "youden or fixed"));
        policy.rule = *rule;
    }
    if (json.contains(QStringLiteral("target"))) {
        const QJsonValue target = json.value(QStringLiteral("target"));
        if (!target.isDouble() || target.toDouble() <= 0.0 || target.toDouble() > 1.0)
            return fail(QStringLiteral("\"target\" must be a number in (0, 1]"));
        policy.target = target.toDouble();
    }
    if (json.contains(QStringLiteral("threshold"))) {
        const QJsonValue threshold = json.value(QStringLiteral("threshold"));
        if (!threshold.isDouble() || threshold.toDouble() < 0.0 || threshold.toDouble() > 1.0)
            return fail(QStringLiteral("\"threshold\" must be a number in [0, 1]"));
        policy.threshold = threshold.toDouble();
    }
    if (json.contains(QStringLiteral("temperatureScaling"))) {
        if (!json.value(QStringLiteral("temperatureScaling")).isBool())
            return fail(QStringLiteral("\"temperatureScaling\" must be true or false"));
        policy.temperatureScaling = json.value(QStringLiteral("temperatureScaling")).toBool();
    }
    if (json.contains(QStringLiteral("patientAggregation"))) {
        const auto aggregation =
            parsePatientAggregation(json.value(QStringLiteral("patientAggregation")).toString());
        if (!aggregation)
            return fail(QStringLiteral("\"patientAggregation\" must be mean or max"));
        policy.aggregation = *aggregation;
    }
    return policy;
}

std::int64_t BinaryFigures::cases() const {
    return truePositives + falsePositives + trueNegatives + falseNegatives;
}

double BinaryFigures::sensitivity() const {
    return ratio(truePositives, positives());
}

double BinaryFigures::specificity() const {
    return ratio(trueNegatives, negatives());
}

double BinaryFigures::ppv() const {
    return ratio(truePositives, truePositives + falsePositives);
}

double BinaryFigures::npv() const {
    return ratio(trueNegatives, trueNegatives + falseNegatives);
}

Interval BinaryFigures::sensitivityInterval() const {
    return wilsonInterval(truePositives, positives());
}

Interval BinaryFigures::specificityInterval() const {
    return wilsonInterval(trueNegatives, negatives());
}

Interval BinaryFigures::ppvInterval() const {
    return wilsonInterval(truePositives, truePositives + falsePositives);
}

Interval BinaryFigures::npvInterval() const {
    return wilsonInterval(trueNegatives, trueNegatives + falseNegatives);
}

double BinaryFigures::setAsideShare() const {
    return ratio(setAside(), cases());
}

QJsonObject BinaryFigures::toJson() const {
    return {
        {QStringLiteral("threshold"), threshold},
        {QStringLiteral("cases"), static_cast<double>(cases())},
        {QStringLiteral("truePositives"), static_cast<double>(truePositives)},
        {QStringLiteral("falsePositives"), static_cast<double>(falsePositives)},
        {QStringLiteral("trueNegatives"), static_cast<double>(trueNegatives)},
        {QStringLiteral("falseNegatives"), static_cast<double>(falseNegatives)},
        {QStringLiteral("sensitivity"), withInterval(sensitivity(), sensitivityInterval())},
        {QStringLiteral("specificity"), withInterval(specificity(), specificityInterval())},
        {QStringLiteral("ppv"), withInterval(ppv(), ppvInterval())},
        {QStringLiteral("npv"), withInterval(npv(), npvInterval())},
        {QStringLiteral("workload"),
         QJsonObject{{QStringLiteral("setAside"), static_cast<double>(setAside())},
                     {QStringLiteral("setAsideShare"), setAsideShare()},
                     {QStringLiteral("positivesSetAside"), static_cast<double>(falseNegatives)}}}};
}

BinaryFigures figuresAt(const std::vector<int>& labels, const std::vector<double>& scores,
                        double threshold) {
    if (labels.size() != scores.size())
        throw std::invalid_argument("figuresAt: labels and scores differ in length");
    BinaryFigures figures;
    figures.threshold = threshold;
    for (size_t i = 0; i < labels.size(); ++i) {
        const bool positiveCall = scores[i] >= threshold;
        if (labels[i] == 1)
            ++(positiveCall ? figures.truePositives : figures.falseNegatives);
        else
            ++(positiveCall ? figures.falsePositives : figures.trueNegatives);
    }
    return figures;
}

ThresholdChoice chooseThreshold(const std::vector<int>& labels, const std::vector<double>& scores,
                                const DecisionPolicy& policy) {
    if (labels.size() != scores.size())
        throw std::invalid_argument("chooseThreshold: labels and scores differ in length");
    // Candidates from the highest score down: lowering the threshold to the next distinct
    // score turns every case with that score positive, so sensitivity only grows and
    // specificity only falls along the list.
    std::vector<double> candidates(scores);
    std::sort(candidates.begin(), candidates.end(), std::greater<>());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    const auto positives = std::count(labels.begin(), labels.end(), 1);
    const auto negatives = static_cast<std::int64_t>(labels.size()) - positives;

    ThresholdChoice choice;
    if (policy.rule == ThresholdRule::Fixed)
        choice.threshold = policy.threshold;
    if (candidates.empty()) {
        choice.figures = figuresAt(labels, scores, choice.threshold);
        return choice;
    }
    // Every case negative: above the highest score.
    const double aboveAll = std::nextafter(candidates.front(), 2.0);
    std::vector<BinaryFigures> along;
    along.reserve(candidates.size());
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    BinaryFigures running;
    running.trueNegatives = negatives;
    running.falseNegatives = positives;
    size_t next = 0;
    for (const double candidate : candidates) {
        while (next < order.size() && scores[order[next]] >= candidate) {
            if (labels[order[next]] == 1) {
                ++running.truePositives;
                --running.falseNegatives;
            } else {
                ++running.falsePositives;
                --running.trueNegatives;
            }
            ++next;
        }
        running.threshold = candidate;
        along.push_back(running);
    }

    auto take = [&](const BinaryFigures& figures, bool met) {
        choice.threshold = figures.threshold;
        choice.figures = figures;
        choice.targetMet = met && positives > 0 && negatives > 0;
        return choice;
    };
    switch (policy.rule) {
    case ThresholdRule::Fixed:
        return take(figuresAt(labels, scores, policy.threshold), true);
    case ThresholdRule::TargetSensitivity:
        for (const BinaryFigures& figures : along) {
            if (figures.sensitivity() >= policy.target)
                return take(figures, true);
        }
        return take(along.back(), false);
    case ThresholdRule::TargetSpecificity:
        for (auto it = along.rbegin(); it != along.rend(); ++it) {
            if (it->specificity() >= policy.target)
                return take(*it, true);
        }
        // Calling every case negative always reaches the specificity target.
        return take(figuresAt(labels, scores, aboveAll), true);
    case ThresholdRule::Youden: {
        // The first (highest) threshold of the best index: fewer positive calls on a tie.
        const BinaryFigures* best = &along.front();
        for (const BinaryFigures& figures : along) {
            if (figures.sensitivity() + figures.specificity() >
                best->sensitivity() + best->specificity())
                best = &figures;
        }
        return take(*best, true);
    }
    }
    return choice;
}

QJsonObject CalibrationFigures::toJson() const {
    QJsonArray diagram;
    for (const ReliabilityBin& bin : bins)
        diagram.append(QJsonObject{{QStringLiteral("low"), bin.low},
                                   {QStringLiteral("high"), bin.high},
                                   {QStringLiteral("count"), static_cast<double>(bin.count)},
                                   {QStringLiteral("meanProbability"), bin.meanProbability},
                                   {QStringLiteral("observedRate"), bin.observedRate}});
    return {{QStringLiteral("samples"), static_cast<double>(samples)},
            {QStringLiteral("ece"), ece},
            {QStringLiteral("brier"), brier},
            {QStringLiteral("reliability"), diagram}};
}

CalibrationFigures calibrationOf(const std::vector<int>& labels, const std::vector<double>& scores,
                                 int bins) {
    if (labels.size() != scores.size())
        throw std::invalid_argument("calibrationOf: labels and scores differ in length");
    if (bins < 1)
        throw std::invalid_argument("calibrationOf: need at least one bin");
    CalibrationFigures figures;
    figures.samples = static_cast<std::int64_t>(labels.size());
    figures.bins.resize(size_t(bins));
    std::vector<double> positives(size_t(bins), 0.0);
    for (int b = 0; b < bins; ++b) {
        figures.bins[size_t(b)].low = static_cast<double>(b) / bins;
        figures.bins[size_t(b)].high = static_cast<double>(b + 1) / bins;
    }
    for (size_t i = 0; i < labels.size(); ++i) {
        const double p = std::clamp(scores[i], 0.0, 1.0);
        const int b = std::min(bins - 1, static_cast<int>(p * bins));
        ReliabilityBin& bin = figures.bins[size_t(b)];
        ++bin.count;
        bin.meanProbability += p;
        positives[size_t(b)] += labels[i] == 1 ? 1.0 : 0.0;
        const double error = p - (labels[i] == 1 ? 1.0 : 0.0);
        figures.brier += error * error;
    }
    if (figures.samples == 0)
        return figures;
    const double n = static_cast<double>(figures.samples);
    figures.brier /= n;
    for (int b = 0; b < bins; ++b) {
        ReliabilityBin& bin = figures.bins[size_t(b)];
        if (bin.count == 0)
            continue;
        bin.meanProbability /= static_cast<double>(bin.count);
        bin.observedRate = positives[size_t(b)] / static_cast<double>(bin.count);
        figures.ece +=
            static_cast<double>(bin.count) / n * std::abs(bin.observedRate - bin.meanProbability);
    }
    return figures;
}

double negativeLogLikelihood(const Logits& logits, const std::vector<int>& labels,
                             double temperature) {
    checkLogits(logits, labels);
    return nllOfBeta(logits, labels, 1.0 / temperature);
}

double fitTemperature(const Logits& logits, const std::vector<int>& labels) {
    checkLogits(logits, labels);
    if (logits.empty())
        return 1.0;
    // Golden section on u = log β: f(β) is convex, so f(e^u) is unimodal in u.
    const double invPhi = (std::sqrt(5.0) - 1.0) / 2.0;
    double low = std::log(1.0 / kMaxTemperature);
    double high = std::log(1.0 / kMinTemperature);
    double a = high - invPhi * (high - low);
    double b = low + invPhi * (high - low);
    double fa = nllOfBeta(logits, labels, std::exp(a));
    double fb = nllOfBeta(logits, labels, std::exp(b));
    while (high - low > 1e-6) {
        if (fa < fb) {
            high = b;
            b = a;
            fb = fa;
            a = high - invPhi * (high - low);
            fa = nllOfBeta(logits, labels, std::exp(a));
        } else {
            low = a;
            a = b;
            fa = fb;
            b = low + invPhi * (high - low);
            fb = nllOfBeta(logits, labels, std::exp(b));
        }
    }
    double beta = std::exp((low + high) / 2.0);
    // Newton on β polishes the bracket's answer to the stationary point (f'' ≥ 0).
    for (int step = 0; step < 20; ++step) {
        double first = 0.0;
        double second = 0.0;
        const double before = nllOfBeta(logits, labels, beta, &first, &second);
        if (second <= 1e-12)
            break;
        const double candidate = beta - first / second;
        if (!(candidate > 0.0) || nllOfBeta(logits, labels, candidate) > before + 1e-15)
            break;
        const bool converged = std::abs(candidate - beta) < 1e-12 * std::max(1.0, beta);
        beta = candidate;
        if (converged)
            break;
    }
    return std::clamp(1.0 / beta, kMinTemperature, kMaxTemperature);
}

std::vector<double> positiveProbabilities(const Logits& logits, int positive, double temperature) {
    std::vector<double> probabilities;
    probabilities.reserve(logits.size());
    for (const auto& z : logits) {
        if (positive < 0 || positive >= int(z.size()))
            throw std::out_of_range("positiveProbabilities: no such class");
        const double largest = *std::max_element(z.begin(), z.end()) / temperature;
        double partition = 0.0;
        for (const float value : z)
            partition += std::exp(value / temperature - largest);
        probabilities.push_back(std::exp(z[size_t(positive)] / temperature - largest) / partition);
    }
    return probabilities;
}

QJsonObject PatientFigures::toJson() const {
    QJsonArray rows;
    for (const PatientScore& patient : patients)
        rows.append(QJsonObject{
            {QStringLiteral("patient"), patient.group},
            {QStringLiteral("label"), patient.label},
            {QStringLiteral("probability"), patient.probability},
            {QStringLiteral("images"), static_cast<double>(patient.images)},
            {QStringLiteral("positiveImages"), static_cast<double>(patient.positiveImages)},
            {QStringLiteral("missedPositiveImages"),
             static_cast<double>(patient.missedPositiveImages)}});
    return {{QStringLiteral("aggregation"), toString(aggregation)},
            {QStringLiteral("patients"), static_cast<double>(patients.size())},
            {QStringLiteral("figures"), figures.toJson()},
            {QStringLiteral("patientsWithMissedPositiveImage"),
             static_cast<double>(patientsWithMissedPositiveImage)},
            {QStringLiteral("perPatient"), rows}};
}

PatientFigures patientFigures(const std::vector<QString>& groups, const std::vector<int>& labels,
                              const std::vector<double>& scores, double threshold,
                              PatientAggregation aggregation) {
    if (groups.size() != labels.size() || labels.size() != scores.size())
        throw std::invalid_argument("patientFigures: groups, labels and scores differ in length");
    std::map<QString, PatientScore> byGroup;
    for (size_t i = 0; i < groups.size(); ++i) {
        PatientScore& patient = byGroup[groups[i]];
        patient.group = groups[i];
        const bool positive = labels[i] == 1;
        patient.label = std::max(patient.label, positive ? 1 : 0);
        if (aggregation == PatientAggregation::Max)
            patient.probability =
                patient.images == 0 ? scores[i] : std::max(patient.probability, scores[i]);
        else
            patient.probability += scores[i]; // divided by the count below
        ++patient.images;
        if (positive) {
            ++patient.positiveImages;
            if (scores[i] < threshold)
                ++patient.missedPositiveImages;
        }
    }
    PatientFigures result;
    result.aggregation = aggregation;
    std::vector<int> patientLabels;
    std::vector<double> patientScores;
    for (auto& [group, patient] : byGroup) {
        if (aggregation == PatientAggregation::Mean)
            patient.probability /= static_cast<double>(patient.images);
        if (patient.missedPositiveImages > 0)
            ++result.patientsWithMissedPositiveImage;
        patientLabels.push_back(patient.label);
        patientScores.push_back(patient.probability);
        result.patients.push_back(patient);
    }
    result.figures = figuresAt(patientLabels, patientScores, threshold);
    return result;
}

QJsonObject DecisionReport::toJson() const {
    QJsonObject chosen = policy.toJson();
    chosen.insert(QStringLiteral("split"), QStringLiteral("validation"));
    chosen.insert(QStringLiteral("targetMet"), validation.targetMet);
    QJsonObject json{
        {QStringLiteral("operatingPoint"),
         QJsonObject{{QStringLiteral("threshold"), validation.threshold},
                     {QStringLiteral("positiveClass"), positiveClassName},
                     {QStringLiteral("positiveClassIndex"), positiveClass},
                     {QStringLiteral("temperature"), temperature},
                     {QStringLiteral("probability"), policy.temperatureScaling
                                                         ? QStringLiteral("temperature-scaled")
                                                         : QStringLiteral("raw softmax")},
                     {QStringLiteral("chosenBy"), chosen}}},
        {QStringLiteral("validation"), validation.figures.toJson()},
        {QStringLiteral("test"), test.toJson()},
        {QStringLiteral("calibration"),
         QJsonObject{{QStringLiteral("temperature"), temperature},
                     {QStringLiteral("fittedOn"), QStringLiteral("validation")},
                     {QStringLiteral("validation"),
                      QJsonObject{{QStringLiteral("before"), validationBefore.toJson()},
                                  {QStringLiteral("after"), validationAfter.toJson()}}},
                     {QStringLiteral("test"),
                      QJsonObject{{QStringLiteral("before"), testBefore.toJson()},
                                  {QStringLiteral("after"), testAfter.toJson()}}}}}};
    if (validationPatients || testPatients) {
        QJsonObject patients;
        if (validationPatients)
            patients.insert(QStringLiteral("validation"), validationPatients->toJson());
        if (testPatients)
            patients.insert(QStringLiteral("test"), testPatients->toJson());
        json.insert(QStringLiteral("patients"), patients);
    }
    return json;
}

OperatingPoint DecisionReport::operatingPoint() const {
    OperatingPoint point;
    point.threshold = validation.threshold;
    point.temperature = temperature;
    point.positiveClass = positiveClass;
    point.positiveClassName = positiveClassName;
    point.policy = policy;
    point.chosenOn = QStringLiteral("validation");
    point.targetMet = validation.targetMet;
    return point;
}

QString OperatingPoint::describe() const {
    const QString probability =
        temperature == 1.0 ? QStringLiteral("probability of %1").arg(positiveClassName)
                           : QStringLiteral("temperature-scaled probability of %1 (T = %2)")
                                 .arg(positiveClassName)
                                 .arg(temperature, 0, 'g', 4);
    QString how;
    switch (policy.rule) {
    case ThresholdRule::TargetSensitivity:
        how = QStringLiteral("chosen for sensitivity ≥ %1 % on the %2 split")
                  .arg(policy.target * 100.0, 0, 'g', 4)
                  .arg(chosenOn);
        break;
    case ThresholdRule::TargetSpecificity:
        how = QStringLiteral("chosen for specificity ≥ %1 % on the %2 split")
                  .arg(policy.target * 100.0, 0, 'g', 4)
                  .arg(chosenOn);
        break;
    case ThresholdRule::Youden:
        how = QStringLiteral("chosen by Youden's index on the %1 split").arg(chosenOn);
        break;
    case ThresholdRule::Fixed:
        how = QStringLiteral("set by hand");
        break;
    }
    if (!targetMet)
        how += QStringLiteral(" (target not reached)");
    return QStringLiteral("threshold %1 on the %2, %3")
        .arg(threshold, 0, 'g', 4)
        .arg(probability, how);
}

QJsonObject OperatingPoint::toJson() const {
    return {{QStringLiteral("format"), QStringLiteral("torchcanvas-operating-point")},
            {QStringLiteral("version"), 1},
            {QStringLiteral("threshold"), threshold},
            {QStringLiteral("temperature"), temperature},
            {QStringLiteral("positiveClass"), positiveClassName},
            {QStringLiteral("positiveClassIndex"), positiveClass},
            {QStringLiteral("chosenBy"), policy.toJson()},
            {QStringLiteral("chosenOn"), chosenOn},
            {QStringLiteral("targetMet"), targetMet}};
}

std::optional<OperatingPoint> OperatingPoint::fromJson(const QJsonObject& json, QString* error) {
    auto fail = [error](const QString& why) -> std::optional<OperatingPoint> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    OperatingPoint point;
    const QJsonValue threshold = json.value(QStringLiteral("threshold"));
    if (!threshold.isDouble() || threshold.toDouble() < 0.0 || threshold.toDouble() > 1.0)
        return fail(QStringLiteral("\"threshold\" must be a number in [0, 1]"));
    point.threshold = threshold.toDouble();
    const QJsonValue temperature = json.value(QStringLiteral("temperature"));
    if (!temperature.isUndefined()) {
        if (!temperature.isDouble() || !(temperature.toDouble() >= kMinTemperature) ||
            temperature.toDouble() > kMaxTemperature)
            return fail(QStringLiteral("\"temperature\" must be a number in [%1, %2]")
                            .arg(kMinTemperature)
                            .arg(kMaxTemperature));
        point.temperature = temperature.toDouble();
    }
    const QJsonValue index = json.value(QStringLiteral("positiveClassIndex"));
    if (!index.isDouble() || index.toDouble() < 0 ||
        index.toDouble() != std::floor(index.toDouble()))
        return fail(QStringLiteral("\"positiveClassIndex\" must be a class index"));
    point.positiveClass = index.toInt();
    point.positiveClassName = json.value(QStringLiteral("positiveClass")).toString();
    if (json.contains(QStringLiteral("chosenBy"))) {
        QString policyError;
        const auto policy = DecisionPolicy::fromJson(
            json.value(QStringLiteral("chosenBy")).toObject(), &policyError);
        if (!policy)
            return fail(QStringLiteral("\"chosenBy\": ") + policyError);
        point.policy = *policy;
    }
    point.chosenOn = json.value(QStringLiteral("chosenOn")).toString(point.chosenOn);
    point.targetMet = json.value(QStringLiteral("targetMet")).toBool(true);
    return point;
}

QString operatingPointFileName() {
    return QStringLiteral("operating-point.json");
}

std::optional<OperatingPoint> readOperatingPoint(const QString& runDirectory, QString* error) {
    if (error)
        error->clear();
    const QString path = QDir(runDirectory).filePath(operatingPointFileName());
    QFile file(path);
    if (!file.exists())
        return std::nullopt;
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.read(1 << 20), &parseError);
    if (!document.isObject()) {
        if (error)
            *error =
                QStringLiteral("%1 is not a JSON object (%2)").arg(path, parseError.errorString());
        return std::nullopt;
    }
    QString why;
    auto point = OperatingPoint::fromJson(document.object(), &why);
    if (!point && error)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return point;
}

bool writeOperatingPoint(const QString& runDirectory, const OperatingPoint& point, QString* error) {
    const QString path = QDir(runDirectory).filePath(operatingPointFileName());
    return writeFileAtomically(path, QJsonDocument(point.toJson()).toJson(), error);
}

DecisionReport decide(const ScoredSplit& validation, const ScoredSplit& test,
                      const DecisionPolicy& policy, int positiveClass,
                      const QString& positiveClassName) {
    checkLogits(validation.logits, validation.labels);
    checkLogits(test.logits, test.labels);
    DecisionReport report;
    report.policy = policy;
    report.positiveClass = positiveClass;
    report.positiveClassName = positiveClassName;
    if (policy.temperatureScaling)
        report.temperature = fitTemperature(validation.logits, validation.labels);

    const std::vector<int> validationLabels = binaryLabels(validation.labels, positiveClass);
    const std::vector<int> testLabels = binaryLabels(test.labels, positiveClass);
    const std::vector<double> validationRaw =
        positiveProbabilities(validation.logits, positiveClass);
    const std::vector<double> testRaw = positiveProbabilities(test.logits, positiveClass);
    const std::vector<double> validationScaled =
        positiveProbabilities(validation.logits, positiveClass, report.temperature);
    const std::vector<double> testScaled =
        positiveProbabilities(test.logits, positiveClass, report.temperature);
    report.validationBefore = calibrationOf(validationLabels, validationRaw);
    report.validationAfter = calibrationOf(validationLabels, validationScaled);
    report.testBefore = calibrationOf(testLabels, testRaw);
    report.testAfter = calibrationOf(testLabels, testScaled);

    // The threshold is on the probability that is deployed: the scaled one when scaling is on.
    report.validation = chooseThreshold(validationLabels, validationScaled, policy);
    report.test = figuresAt(testLabels, testScaled, report.threshold());
    if (!validation.groups.empty())
        report.validationPatients =
            patientFigures(validation.groups, validationLabels, validationScaled,
                           report.threshold(), policy.aggregation);
    if (!test.groups.empty())
        report.testPatients = patientFigures(test.groups, testLabels, testScaled,
                                             report.threshold(), policy.aggregation);
    return report;
}

} // namespace tc::train
