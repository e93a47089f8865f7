#include "core/train/TrainingSettings.h"

#include <array>
#include <QJsonValue>
#include <utility>

namespace tc::train {

namespace {

template <typename Enum, size_t N> using NameTable = std::array<std::pair<Enum, const char*>, N>;

constexpr NameTable<Optimizer, 4> kOptimizers{{{Optimizer::Adam, "adam"},
                                               {Optimizer::AdamW, "adamw"},
                                               {Optimizer::Sgd, "sgd"},
                                               {Optimizer::RmsProp, "rmsprop"}}};
constexpr NameTable<Schedule, 4> kSchedules{{{Schedule::Constant, "constant"},
                                             {Schedule::Step, "step"},
                                             {Schedule::Cosine, "cosine"},
                                             {Schedule::ReduceOnPlateau, "plateau"}}};
constexpr NameTable<ClassWeighting, 2> kWeightings{
    {{ClassWeighting::None, "none"}, {ClassWeighting::Balanced, "balanced"}}};
constexpr NameTable<Precision, 3> kPrecisions{
    {{Precision::Auto, "auto"}, {Precision::Fp32, "fp32"}, {Precision::Bf16, "bf16"}}};
constexpr NameTable<WatchedMetric, 4> kMetrics{
    {{WatchedMetric::ValidationAccuracy, "val_accuracy"},
     {WatchedMetric::ValidationBalancedAccuracy, "val_balanced_accuracy"},
     {WatchedMetric::ValidationLoss, "val_loss"},
     {WatchedMetric::ValidationAuc, "val_auc"}}};

template <typename Enum, size_t N> QString nameOf(const NameTable<Enum, N>& table, Enum value) {
    for (const auto& [entry, name] : table) {
        if (entry == value)
            return QString::fromLatin1(name);
    }
    return {};
}

template <typename Enum, size_t N>
std::optional<Enum> valueOf(const NameTable<Enum, N>& table, const QString& name) {
    for (const auto& [entry, entryName] : table) {
        if (name == QLatin1String(entryName))
            return entry;
    }
    return std::nullopt;
}

template <typename Enum, size_t N> QString choices(const NameTable<Enum, N>& table) {
    QStringList names;
    for (const auto& entry : table)
        names << QString::fromLatin1(entry.second);
    return names.join(QStringLiteral(", "));
}

/// Reads keys of one JSON object, remembering the first error.
class Reader {
public:
    Reader(const QJsonObject& json, QString prefix)
        : m_json(json)
        , m_prefix(std::move(prefix)) {}

    void number(const char* key, double& target, double min, double max) {
        const QJsonValue value = m_json.value(QLatin1String(key));
        if (value.isUndefined())
            return;
        if (!value.isDouble())
            return setError(key, QStringLiteral("must be a number"));
        if (value.toDouble() < min || value.toDouble() > max)
            return setError(key, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        target = value.toDouble();
    }

    template <typename Integer>
    void integer(const char* key, Integer& target, double min, double max) {
        double number = static_cast<double>(target);
        this->number(key, number, min, max);
        const QJsonValue value = m_json.value(QLatin1String(key));
        if (value.isDouble() &&
            value.toDouble() != static_cast<double>(static_cast<qint64>(value.toDouble())))
            return setError(key, QStringLiteral("must be a whole number"));
        target = static_cast<Integer>(number);
    }

    void boolean(const char* key, bool& target) {
        const QJsonValue value = m_json.value(QLatin1String(key));
        if (value.isUndefined())
            return;
        if (!value.isBool())
            return setError(key, QStringLiteral("must be true or false"));
        target = value.toBool();
    }

    template <typename Enum, size_t N>
    void choice(const char* key, Enum& target, const NameTable<Enum, N>& table) {
        const QJsonValue value = m_json.value(QLatin1String(key));
        if (value.isUndefined())
            return;
        const auto parsed = valueOf(table, value.toString());
        if (!value.isString() || !parsed)
            return setError(key, QStringLiteral("must be one of: %1").arg(choices(table)));
        target = *parsed;
    }

    const QString& error() const { return m_error; }

private:
    void setError(const char* key, const QString& message) {
        if (m_error.isEmpty())
            m_error = QStringLiteral("training setting '%1%2' %3")
                          .arg(m_prefix, QLatin1String(key), message);
    }

    const QJsonObject m_json;
    QString m_prefix;
    QString m_error;
};

} // namespace

QString toString(Optimizer value) {
    return nameOf(kOptimizers, value);
}
QString toString(Schedule value) {
    return nameOf(kSchedules, value);
}
QString toString(Precision value) {
    return nameOf(kPrecisions, value);
}
QString toString(WatchedMetric value) {
    return nameOf(kMetrics, value);
}

std::optional<Precision> parsePrecision(const QString& text) {
    return valueOf(kPrecisions, text);
}

bool higherIsBetter(WatchedMetric metric) {
    return metric != WatchedMetric::ValidationLoss;
}

QJsonObject TrainingSettings::toJson() const {
    return QJsonObject{
        {QStringLiteral("optimizer"), toString(optimizer)},
        {QStringLiteral("learningRate"), learningRate},
        {QStringLiteral("weightDecay"), weightDecay},
        {QStringLiteral("momentum"), momentum},
        {QStringLiteral("nesterov"), nesterov},
        {QStringLiteral("batchSize"), batchSize},
        {QStringLiteral("epochs"), epochs},
        {QStringLiteral("schedule"), toString(schedule)},
        {QStringLiteral("stepSize"), stepSize},
        {QStringLiteral("gamma"), gamma},
        {QStringLiteral("plateauPatience"), plateauPatience},
        {QStringLiteral("minLearningRate"), minLearningRate},
        {QStringLiteral("classWeights"), nameOf(kWeightings, classWeights)},
        {QStringLiteral("labelSmoothing"), labelSmoothing},
        {QStringLiteral("earlyStopping"),
         QJsonObject{{QStringLiteral("enabled"), earlyStopping},
                     {QStringLiteral("metric"), toString(watchedMetric)},
                     {QStringLiteral("patience"), earlyStoppingPatience}}},
        {QStringLiteral("precision"), toString(precision)},
        {QStringLiteral("featureCache"), featureCache},
        {QStringLiteral("featureCacheOnDisk"), featureCacheOnDisk},
        {QStringLiteral("seed"), static_cast<double>(seed)},
        {QStringLiteral("decision"), decision.toJson()},
    };
}

std::optional<TrainingSettings> TrainingSettings::fromJson(const QJsonObject& json,
                                                           QString* error) {
    TrainingSettings s;
    Reader reader(json, QString());
    reader.choice("optimizer", s.optimizer, kOptimizers);
    reader.number("learningRate", s.learningRate, 1e-9, 10.0);
    reader.number("weightDecay", s.weightDecay, 0.0, 1.0);
    reader.number("momentum", s.momentum, 0.0, 0.9999);
    reader.boolean("nesterov", s.nesterov);
    reader.integer("batchSize", s.batchSize, 1, 4096);
    reader.integer("epochs", s.epochs, 1, 100000);
    reader.choice("schedule", s.schedule, kSchedules);
    reader.integer("stepSize", s.stepSize, 1, 100000);
    reader.number("gamma", s.gamma, 1e-6, 1.0);
    reader.integer("plateauPatience", s.plateauPatience, 0, 100000);
    reader.number("minLearningRate", s.minLearningRate, 0.0, 10.0);
    reader.choice("classWeights", s.classWeights, kWeightings);
    reader.number("labelSmoothing", s.labelSmoothing, 0.0, 0.99);
    reader.choice("precision", s.precision, kPrecisions);
    reader.boolean("featureCache", s.featureCache);
    reader.boolean("featureCacheOnDisk", s.featureCacheOnDisk);
    reader.integer("seed", s.seed, 0, 9007199254740991.0); // exact in a JSON double
    QString nestedError;
    const QJsonValue early = json.value(QStringLiteral("earlyStopping"));
    if (!early.isUndefined()) {
        if (!early.isObject()) {
            nestedError = QStringLiteral("training setting 'earlyStopping' must be an object");
        } else {
            Reader nested(early.toObject(), QStringLiteral("earlyStopping."));
            nested.boolean("enabled", s.earlyStopping);
            nested.choice("metric", s.watchedMetric, kMetrics);
            nested.integer("patience", s.earlyStoppingPatience, 0, 100000);
            nestedError = nested.error();
        }
    }
    const QJsonValue decision = json.value(QStringLiteral("decision"));
    if (!decision.isUndefined() && nestedError.isEmpty()) {
        QString decisionError;
        std::optional<DecisionPolicy> policy;
        if (decision.isObject())
            policy = DecisionPolicy::fromJson(decision.toObject(), &decisionError);
        else
            decisionError = QStringLiteral("must be an object");
        if (policy)
            s.decision = *policy;
        else
            nestedError = QStringLiteral("training setting 'decision': ") + decisionError;
    }
    const QString firstError = reader.error().isEmpty() ? nestedError : reader.error();
    if (!firstError.isEmpty()) {
        if (error)
            *error = firstError;
        return std::nullopt;
    }
    return s;
}

} // namespace tc::train
