#pragma once

#include "core/train/Decision.h"

#include <optional>
#include <QJsonObject>
#include <QString>

namespace tc::train {

enum class Optimizer { Adam, AdamW, Sgd, RmsProp };
enum class Schedule { Constant, Step, Cosine, ReduceOnPlateau };
enum class ClassWeighting { None, Balanced };
enum class Precision { Auto, Fp32, Bf16 };

/// Which validation metric early stopping and "best checkpoint" watch.
enum class WatchedMetric {
    ValidationAccuracy,
    ValidationBalancedAccuracy,
    ValidationLoss,
    ValidationAuc
};

/// The "training" section of a project file: everything the trainer needs besides the graph
/// and the data. Defaults are the seed job's (Adam 1e-3, batch 32, 10 epochs).
struct TrainingSettings {
    Optimizer optimizer = Optimizer::Adam;
    double learningRate = 1e-3;
    double weightDecay = 0.0;
    double momentum = 0.9; ///< SGD and RMSprop
    bool nesterov = false; ///< SGD
    int batchSize = 32;
    int epochs = 10;

    Schedule schedule = Schedule::Constant;
    int stepSize = 5;        ///< Step: epochs between decays
    double gamma = 0.1;      ///< Step and ReduceOnPlateau: decay factor
    int plateauPatience = 2; ///< ReduceOnPlateau: epochs without improvement
    double minLearningRate = 1e-6;

    ClassWeighting classWeights = ClassWeighting::Balanced;
    double labelSmoothing = 0.0;

    bool earlyStopping = false;
    WatchedMetric watchedMetric = WatchedMetric::ValidationAccuracy;
    int earlyStoppingPatience = 5;

    Precision precision = Precision::Auto;
    bool featureCache = true; ///< reuse frozen-backbone features across epochs
    /// Also keep them on disk (the user's cache folder) and reuse them in later runs on the
    /// same images, backbone and preprocessing.
    bool featureCacheOnDisk = true;
    quint64 seed = 42;
    /// How the run chooses its operating point after training (threshold rule and target on
    /// the validation split, temperature scaling, patient aggregation). Not a training
    /// setting in the strict sense: a resume may change it freely.
    DecisionPolicy decision;

    QJsonObject toJson() const;
    /// Parses a "training" section. Missing keys keep their defaults; a key with a wrong type
    /// or an out-of-range value is an error (returned in `error`, naming the key).
    static std::optional<TrainingSettings> fromJson(const QJsonObject& json, QString* error);
};

QString toString(Optimizer value);
QString toString(Schedule value);
QString toString(Precision value);
QString toString(WatchedMetric value);
std::optional<Precision> parsePrecision(const QString& text);

/// True when the metric improves upward (accuracy) rather than downward (loss).
bool higherIsBetter(WatchedMetric metric);

} // namespace tc::train
