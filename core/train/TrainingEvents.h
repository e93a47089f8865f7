#pragma once

#include "core/nn/WeightStore.h"
#include "core/train/Decision.h"
#include "core/train/Metrics.h"

#include <optional>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::train {

/// What the trainer is doing. Each change is announced with a PhaseEvent.
enum class Phase {
    Loading,         ///< reading the data set, building the model, loading weights
    CachingFeatures, ///< computing frozen-backbone features once per image (k of N)
    Training,
    Validating,
    Testing, ///< the final, single evaluation on the test split
};

enum class FinishReason { Completed, Stopped, EarlyStopped, Failed };

struct PhaseEvent {
    Phase phase = Phase::Loading;
    int epoch = 0;      ///< 1-based; 0 outside epochs
    qint64 current = 0; ///< progress inside the phase (e.g. images cached)
    qint64 total = 0;   ///< 0 when unknown
    QString message;    ///< human-readable detail, e.g. why the feature cache is bypassed
};

struct BatchEvent {
    int epoch = 0; ///< 1-based
    int epochs = 0;
    int batch = 0; ///< 1-based within the epoch
    int batchesPerEpoch = 0;
    qint64 step = 0;       ///< batches since the run started (1-based)
    double loss = 0.0;     ///< running mean over the epoch so far
    double accuracy = 0.0; ///< running accuracy over the epoch so far
    double batchLoss = 0.0;
    double learningRate = 0.0;
    double imagesPerSecond = 0.0;
    double elapsedSeconds = 0.0;
    double etaSeconds = -1.0; ///< -1 when not yet known
};

/// Loss and metrics of one pass over one split.
struct SplitResult {
    double loss = 0.0;
    ClassificationMetrics metrics;
};

struct EpochEvent {
    int epoch = 0; ///< 1-based
    int epochs = 0;
    SplitResult train;
    std::optional<SplitResult> validation; ///< absent when the validation split is empty
    double learningRate = 0.0;
    double seconds = 0.0;
    bool best = false; ///< this epoch improved the watched metric (checkpoint-best written)
};

/// One image of the test split as the final model saw it.
struct SamplePrediction {
    QString path;
    int label = -1;
    std::vector<float> probabilities; ///< softmax of the logits (no temperature)
    std::vector<float> logits;        ///< the head's raw outputs
    QString group;                    ///< the patient (group) id; empty when not grouped
};

struct FinishedEvent {
    FinishReason reason = FinishReason::Completed;
    int epochsCompleted = 0;
    int bestEpoch = 0;
    std::optional<SplitResult> test;
    std::vector<SamplePrediction> testPredictions; ///< per image, for the Test view
    /// The validation split through the same (best-epoch) weights: operating points are
    /// chosen on it. Empty without a validation split.
    std::vector<SamplePrediction> validationPredictions;
    /// The operating point chosen on validation and reported on test (two-class runs with
    /// both splits); also in report.json ("decision") and operating-point.json.
    std::optional<DecisionReport> decision;
    QString checkpoint; ///< the last checkpoint written, empty if none
    QString message;
    /// Results that must not be trusted silently: a split that lost a class (the best epoch
    /// was chosen on the others), an empty or unloadable test split. Also in report.json.
    QStringList warnings;
    /// True when a warning means the run's results are wrong rather than incomplete (a
    /// split lost a class, no test image could be read): `train` then exits non-zero.
    bool warningsAreErrors = false;
    double seconds = 0.0;
};

/// Sent once the data and the model are ready, before the first epoch.
struct RunStartedEvent {
    QStringList classNames;
    qint64 trainImages = 0;
    qint64 validationImages = 0;
    qint64 testImages = 0;
    QString model;   ///< e.g. "ResNet50 (frozen, …) → Dense 128 relu → …"
    QString weights; ///< the backbone's weights, said plainly (pretrained or random and why)
    /// The same as a value (see nn::weightsOrigin()); absent for a model without a backbone.
    std::optional<nn::WeightsStatus> weightsStatus;
    /// "bf16 (auto: AVX512-BF16 on an AMD CPU: …)": the arithmetic used, and why.
    QString precision;
    quint64 seed = 0;     ///< of the initialisation, the shuffling and the augmentation
    QStringList warnings; ///< rows excluded from the data set, split remarks…
};

struct ErrorEvent {
    QString message;
};

/// Receives the trainer's events, on the trainer's thread. Implementations must be quick:
/// the GUI adapter only copies the value and posts it to the GUI thread.
class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onStarted(const RunStartedEvent&) {}
    virtual void onPhase(const PhaseEvent&) {}
    virtual void onBatch(const BatchEvent&) {}
    virtual void onEpoch(const EpochEvent&) {}
    virtual void onFinished(const FinishedEvent&) {}
    virtual void onError(const ErrorEvent&) {}
};

QString toString(Phase phase);
QString toString(FinishReason reason);

} // namespace tc::train

Q_DECLARE_METATYPE(tc::train::PhaseEvent)
Q_DECLARE_METATYPE(tc::train::BatchEvent)
Q_DECLARE_METATYPE(tc::train::EpochEvent)
Q_DECLARE_METATYPE(tc::train::FinishedEvent)
Q_DECLARE_METATYPE(tc::train::ErrorEvent)
Q_DECLARE_METATYPE(tc::train::RunStartedEvent)
