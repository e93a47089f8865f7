#include "core/train/Trainer.h"

#include "core/nn/SyncBatchNorm.h"
#include "core/train/DistributedTraining.h"
#include "core/train/FeatureStore.h"
#include "core/train/GradientReducer.h"
#include "core/train/PositiveClass.h"
#include "core/train/RunFiles.h"
#include "core/util/Runtime.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <string_view>
#include <sys/resource.h>
#include <torch/torch.h>

namespace tc::train {

namespace {

/// Batch size used to compute cached features. The seed job runs as fast at 32 as at 64
/// (52.9 s vs 52.6 s) with 110 MB less peak memory (1281 vs 1394 MiB): the backbone's
/// activation buffers grow with the batch. Results do not depend on it.
constexpr int kFeatureBatchSize = 32;
/// How many unloadable images the messages name before summarising.
constexpr int kFailuresNamed = 5;

qint64 peakResidentBytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<qint64>(usage.ru_maxrss) * 1024; // kilobytes on Linux
}

double learningRateOf(torch::optim::Optimizer& optimizer) {
    return optimizer.param_groups().front().options().get_lr();
}

void setLearningRate(torch::optim::Optimizer& optimizer, double rate) {
    for (auto& group : optimizer.param_groups())
        group.options().set_lr(rate);
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainingSettings& s,
                                                       std::vector<torch::Tensor> parameters) {
    switch (s.optimizer) {
    case Optimizer::Adam:
        return std::make_unique<torch::optim::Adam>(
            parameters, torch::optim::AdamOptions(s.learningRate).weight_decay(s.weightDecay));
    case Optimizer::AdamW:
        return std::make_unique<torch::optim::AdamW>(
            parameters, torch::optim::AdamWOptions(s.learningRate).weight_decay(s.weightDecay));
    case Optimizer::Sgd:
        return std::make_unique<torch::optim::SGD>(parameters,
                                                   torch::optim::SGDOptions(s.learningRate)
                                                       .momentum(s.momentum)
                                                       .nesterov(s.nesterov && s.momentum > 0.0)
                                                       .weight_decay(s.weightDecay));
    case Optimizer::RmsProp:
        return std::make_unique<torch::optim::RMSprop>(parameters,
                                                       torch::optim::RMSpropOptions(s.learningRate)
                                                           .momentum(s.momentum)
                                                           .weight_decay(s.weightDecay));
    }
    throw std::logic_error("unknown optimizer");
}

/// "learningRate 0.001 → 0.01" for each setting that differs, leaving out those a resume
/// may change freely: the epoch count, the precision, the feature cache switches and the
/// decision policy (applied after training).
QStringList changedSettings(const QJsonObject& before, const QJsonObject& now) {
    static const QStringList kFree{
        QStringLiteral("epochs"), QStringLiteral("precision"), QStringLiteral("featureCache"),
        QStringLiteral("featureCacheOnDisk"), QStringLiteral("decision")};
    auto text = [](const QJsonValue& value) {
        if (value.isObject())
            return QString::fromUtf8(
                QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        return value.isUndefined() ? QStringLiteral("(unset)") : value.toVariant().toString();
    };
    QStringList keys = before.keys() + now.keys();
    keys.removeDuplicates();
    keys.sort();
    QStringList changes;
    for (const QString& key : keys) {
        if (!kFree.contains(key) && before.value(key) != now.value(key))
            changes << QStringLiteral("%1 %2 \u2192 %3")
                           .arg(key, text(before.value(key)), text(now.value(key)));
    }
    return changes;
}

/// A split held either as cached trunk features or as image samples to stream.
struct SplitData {
    std::vector<data::BatchSample> samples;
    torch::Tensor features;                ///< [N, …] float32 when cached
    torch::Tensor labels;                  ///< int64 [N] when cached
    std::vector<std::int64_t> sampleOfRow; ///< cached row → index into samples
    bool cached() const { return features.defined(); }
    std::int64_t size() const {
        return cached() ? features.size(0) : static_cast<std::int64_t>(samples.size());
    }
};

/// Outputs of one evaluation pass.
struct Evaluation {
    SplitResult result;
    std::vector<SamplePrediction> predictions;
    std::vector<int> labels;
    std::vector<int> predicted;
    std::vector<float> positiveScores;
};

/// Where an epoch's training batches come from: a permutation of the cached features, or a
/// loader over the images.
struct TrainingBatches {
    torch::Tensor order;
    std::unique_ptr<data::Batcher> batcher;
};

/// What fetching a training batch gave.
enum class BatchFetch {
    Ready, ///< inputs and labels are set
    Skip,  ///< nothing to train on in this step (no image of the batch could be loaded)
    End,   ///< the loader has no more batches
};

/// One epoch's training figures so far.
struct EpochTally {
    double lossSum = 0.0;
    std::int64_t correct = 0;
    std::int64_t seen = 0;
    std::vector<int> labels;
    std::vector<int> predicted;
};

/// The feature cache being filled: the on-disk store (if any) and the images done so far.
struct FeatureProgress {
    FeatureStore* store = nullptr;
    bool storeWritable = false; ///< false after the first failed write: memory only from then
    qint64 done = 0;
    qint64 total = 0;
};

/// An evaluation pass in progress: what has been scored so far. With `keepPredictions`
/// every image's probabilities, logits and group are kept too.
struct EvaluationTally {
    bool keepPredictions = false;
    Evaluation evaluation;
    double lossSum = 0.0;
    std::int64_t seen = 0;
};

/// True for PyTorch's refusal to normalise a training batch of one image where a batch norm
/// sees one value per channel ([1, F] features, or a [1, C, 1, 1] map); a batch of one with a
/// larger map trains as it always did.
bool batchNormRefusedOneImage(const c10::Error& failure, std::int64_t batchSize) {
    return batchSize == 1 &&
           std::string_view(failure.what()).find("more than 1 value per channel") !=
               std::string_view::npos;
}

QString failureSummary(const std::vector<QString>& messages) {
    QStringList named;
    for (size_t i = 0; i < messages.size() && i < size_t(kFailuresNamed); ++i)
        named << messages[i];
    QString text = QStringLiteral("%1 image(s) could not be loaded and were left out: %2")
                       .arg(messages.size())
                       .arg(named.join(QStringLiteral("; ")));
    if (messages.size() > size_t(kFailuresNamed))
        text += QStringLiteral("; …");
    return text;
}

} // namespace

class Trainer::Impl {
public:
    explicit Impl(TrainerInputs inputs)
        : in(std::move(inputs))
        , files(in.runDirectory) {
        files.setReadOnly(distributed() && !in.group->isLeader());
    }

    FinishedEvent run(TrainingObserver& observer, TrainingControl& control);

    TrainerInputs in;
    RunFiles files;
    std::vector<EpochEvent> history;

private:
    void prepare(TrainingObserver& observer);
    bool cacheFeatures(TrainingObserver& observer, TrainingControl& control);
    /// One split's features, into split.features/labels/sampleOfRow: read from the store
    /// where it has them, computed (and stored) for the rest; false when stopped.
    bool cacheSplit(SplitData& split, FeatureProgress& progress, TrainingObserver& observer,
                    TrainingControl& control);
    /// Runs the trunk over `missing` (the samples at `missingIndex` of the split) into `rows`,
    /// storing each row under its content hash; false when stopped.
    bool computeFeatures(const std::vector<data::BatchSample>& missing,
                         const std::vector<size_t>& missingIndex,
                         const std::vector<QByteArray>& hashes, std::vector<torch::Tensor>& rows,
                         FeatureProgress& progress, TrainingObserver& observer,
                         TrainingControl& control);
    std::unique_ptr<FeatureStore> openFeatureStore() const;
    /// The epochs from m_startEpoch on, each trained, validated, recorded and checkpointed;
    /// sets finished.reason to Completed, Stopped or EarlyStopped.
    void trainEpochs(FinishedEvent& finished, TrainingObserver& observer, TrainingControl& control,
                     TrainingControl& evaluationControl);
    bool trainEpoch(int epoch, TrainingObserver& observer, TrainingControl& control,
                    SplitResult& result);
    /// The order (seed, epoch) of an epoch's batches; the same after a resume.
    TrainingBatches openTrainingBatches(int epoch) const;
    /// This rank's share of training batch `b`.
    BatchFetch fetchTrainingBatch(TrainingBatches& batches, int b, torch::Tensor* inputs,
                                  torch::Tensor* labels);
    /// Reports batch `b` (counted from 0) of `batches` to the observer and batches.csv.
    void reportBatch(TrainingObserver& observer, int epoch, int b, int batches,
                     const EpochTally& tally, double batchLoss, double elapsed);
    /// Seconds left: this epoch's remaining batches at its pace so far, plus the other
    /// epochs as long as the finished ones took on average.
    double remainingSeconds(int epoch, int b, int batches, double elapsed) const;
    /// Marks `event` best if the watched metric improved, steps the plateau schedule, then
    /// appends the epoch to the history and the run files, writes the checkpoints and
    /// reports it.
    void recordEpoch(EpochEvent& event, TrainingObserver& observer);
    /// With the best epoch's weights: the validation split's predictions, the test split's
    /// results and the operating point; a stop clears them and sets finished.reason.
    void testBestEpoch(FinishedEvent& finished, TrainingObserver& observer,
                       TrainingControl& evaluationControl);
    /// Writes the run's report.json; a failure is reported unless the run already failed.
    void writeRunReport(const FinishedEvent& finished, TrainingObserver& observer);
    /// One pass over `split`; with `keepPredictions` (always for the test split) every
    /// image's probabilities, logits and group are kept.
    Evaluation evaluate(SplitData& split, Phase phase, int epoch, TrainingObserver& observer,
                        TrainingControl& control, bool* stopped, bool keepPredictions = false);
    /// Adds one batch (its logits, labels and the split's sample index of each row) to
    /// `tally`.
    void scoreBatch(const SplitData& split, const torch::Tensor& logits,
                    const torch::Tensor& labels, const std::int64_t* sampleIndices,
                    EvaluationTally& tally) const;
    /// evaluate() in one process, on cached features; false when stopped.
    bool evaluateCached(SplitData& split, TrainingControl& control, EvaluationTally& tally);
    /// evaluate() in one process, loading the images; false when stopped.
    bool evaluateImages(SplitData& split, Phase phase, int epoch, TrainingObserver& observer,
                        TrainingControl& control, EvaluationTally& tally);
    /// evaluate() in a distributed run: each rank scores its contiguous share, the outputs
    /// are gathered in split order and every rank scores all of them.
    void evaluateSharded(SplitData& split, Phase phase, int epoch, TrainingObserver& observer,
                         EvaluationTally& tally);
    /// Chooses the operating point on the validation predictions and reports it on the test
    /// predictions (two classes, both splits), then writes operating-point.json.
    void decideOperatingPoint(FinishedEvent& finished, TrainingObserver& observer);
    torch::Tensor headInput(const torch::Tensor& images);
    torch::Tensor lossOf(const torch::Tensor& logits, const torch::Tensor& labels,
                         bool training) const;
    double plannedLearningRate(int epoch) const;
    std::optional<double> watchedValue(const EpochEvent& event) const;
    void updatePlateau(double value);
    CheckpointState checkpointState(int epoch) const;
    void writeCheckpoint(const QString& name, int epoch);
    void restore(const QString& name, bool full);
    /// Fills finished.warnings: a validation or test split without some class, an empty
    /// test split, a test split of which no image could be read.
    void checkSplits(FinishedEvent& finished) const;
    /// Throws "cannot resume: …" naming what differs between the checkpoint and this run.
    void checkResumable(const CheckpointState& state);
    void emitPhase(TrainingObserver& observer, Phase phase, int epoch, qint64 current = 0,
                   qint64 total = 0, const QString& message = {});

    SplitData m_train;
    SplitData m_validation;
    SplitData m_test;
    bool distributed() const { return in.group && in.group->worldSize() > 1; }
    int rank() const { return distributed() ? in.group->rank() : 0; }
    int worldSize() const { return distributed() ? in.group->worldSize() : 1; }
    /// One optimisation step of a distributed run on this rank's share of the global batch.
    /// Returns false (before changing anything) when some rank was asked to stop.
    bool distributedStep(const torch::Tensor& inputs, const torch::Tensor& labels, bool stop,
                         torch::Tensor* logits, double* globalLoss);

    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
    std::unique_ptr<GradientReducer> m_reducer;
    /// A distributed run agrees on stops at training steps only: evaluation, run by every
    /// rank over the whole split, is never cut short on one rank alone.
    TrainingControl m_uninterrupted;
    torch::Tensor m_classWeights;
    /// Images and convolution weights in channels-last (NHWC) order: what oneDNN's CPU
    /// convolutions run fastest on, forward and backward. True with a frozen trunk (its
    /// engine wants NHWC) and when the trainable part has convolutions of its own.
    bool m_channelsLast = false;
    bool m_useCache = false;
    QString m_cacheNote;
    /// Training batches of one image that a batch norm could not normalise (one value per
    /// channel: PyTorch refuses it); they are skipped and counted.
    int m_skippedSingleBatches = 0;

    int m_startEpoch = 1;
    int m_bestEpoch = 0;
    double m_bestValue = std::numeric_limits<double>::quiet_NaN();
    int m_epochsWithoutImprovement = 0;
    double m_plateauRate = 0.0;
    int m_plateauBadEpochs = 0;
    double m_plateauBest = std::numeric_limits<double>::quiet_NaN();
    qint64 m_step = 0;

    double m_cachingSeconds = 0.0;
    qint64 m_cachedImages = 0;
    qint64 m_storeHits = 0;
    QString m_storeDirectory;
    double m_trainingSeconds = 0.0;
    qint64 m_trainedImages = 0;
    std::vector<QString> m_loadFailures;
    QElapsedTimer m_clock;
};

Trainer::Trainer(TrainerInputs inputs)
    : m_impl(std::make_unique<Impl>(std::move(inputs))) {}

Trainer::~Trainer() = default;

const std::vector<EpochEvent>& Trainer::history() const {
    return m_impl->history;
}

FinishedEvent Trainer::run(TrainingObserver& observer, TrainingControl& control) {
    return m_impl->run(observer, control);
}

void Trainer::Impl::emitPhase(TrainingObserver& observer, Phase phase, int epoch, qint64 current,
                              qint64 total, const QString& message) {
    observer.onPhase({phase, epoch, current, total, message});
}

FinishedEvent Trainer::Impl::run(TrainingObserver& observer, TrainingControl& control) {
    m_clock.start();
    FinishedEvent finished;
    TrainingControl& evaluationControl = distributed() ? m_uninterrupted : control;
    try {
        prepare(observer);
        if (!cacheFeatures(observer, control))
            finished.reason = FinishReason::Stopped;
        else
            trainEpochs(finished, observer, control, evaluationControl);

        // Every rank reads the best epoch's weights below: wait until rank 0 wrote them.
        if (distributed())
            in.group->barrier();
        finished.epochsCompleted = history.empty() ? 0 : history.back().epoch;
        finished.bestEpoch = m_bestEpoch;
        // The test split is evaluated once, at the end of a run that was not interrupted, with
        // the weights of the best epoch.
        if (finished.reason != FinishReason::Stopped && m_test.size() > 0)
            testBestEpoch(finished, observer, evaluationControl);
        checkSplits(finished);
        if (!m_loadFailures.empty()) {
            const QString note = failureSummary(m_loadFailures);
            finished.message =
                finished.message.isEmpty() ? note : finished.message + QStringLiteral("; ") + note;
        }
    } catch (const std::exception& error) {
        // c10::Error messages carry a C++ backtrace after the first line; keep the sentence.
        const QString message = QString::fromUtf8(error.what()).section(QLatin1Char('\n'), 0, 0);
        observer.onError({message});
        finished.reason = FinishReason::Failed;
        finished.message = message;
        finished.epochsCompleted = history.empty() ? 0 : history.back().epoch;
        finished.bestEpoch = m_bestEpoch;
    }
    finished.seconds = m_clock.nsecsElapsed() / 1e9;
    if (files.exists(lastCheckpointName()))
        finished.checkpoint = files.path(lastCheckpointName());

    writeRunReport(finished, observer);
    observer.onFinished(finished);
    return finished;
}

void Trainer::Impl::trainEpochs(FinishedEvent& finished, TrainingObserver& observer,
                                TrainingControl& control, TrainingControl& evaluationControl) {
    if (!in.resume || !files.enabled() || !files.exists(lastCheckpointName()))
        writeCheckpoint(lastCheckpointName(), m_startEpoch - 1);
    finished.reason = FinishReason::Completed;
    for (int epoch = m_startEpoch; epoch <= in.settings.epochs; ++epoch) {
        QElapsedTimer epochClock;
        epochClock.start();
        const double rate = plannedLearningRate(epoch);
        setLearningRate(*m_optimizer, rate);

        EpochEvent event;
        event.epoch = epoch;
        event.epochs = in.settings.epochs;
        event.learningRate = rate;
        if (!trainEpoch(epoch, observer, control, event.train)) {
            finished.reason = FinishReason::Stopped;
            return;
        }
        if (m_validation.size() > 0) {
            bool stopped = false;
            Evaluation evaluation = evaluate(m_validation, Phase::Validating, epoch, observer,
                                             evaluationControl, &stopped);
            if (stopped) {
                finished.reason = FinishReason::Stopped;
                return;
            }
            event.validation = evaluation.result;
        }
        event.seconds = epochClock.nsecsElapsed() / 1e9;
        recordEpoch(event, observer);

        if (in.settings.earlyStopping &&
            m_epochsWithoutImprovement > in.settings.earlyStoppingPatience) {
            finished.reason = FinishReason::EarlyStopped;
            finished.message = QStringLiteral("no improvement of %1 for %2 epoch(s)")
                                   .arg(toString(in.settings.watchedMetric))
                                   .arg(m_epochsWithoutImprovement);
            return;
        }
    }
}

void Trainer::Impl::recordEpoch(EpochEvent& event, TrainingObserver& observer) {
    const std::optional<double> watched = watchedValue(event);
    const bool higher = higherIsBetter(in.settings.watchedMetric);
    if (watched &&
        (std::isnan(m_bestValue) || (higher ? *watched > m_bestValue : *watched < m_bestValue))) {
        m_bestValue = *watched;
        m_bestEpoch = event.epoch;
        m_epochsWithoutImprovement = 0;
        event.best = true;
    } else {
        ++m_epochsWithoutImprovement;
    }
    if (in.settings.schedule == Schedule::ReduceOnPlateau && watched)
        updatePlateau(*watched);

    history.push_back(event);
    files.appendEpoch(event, in.classNames);
    if (event.best)
        writeCheckpoint(bestCheckpointName(), event.epoch);
    writeCheckpoint(lastCheckpointName(), event.epoch);
    observer.onEpoch(event);
}

void Trainer::Impl::testBestEpoch(FinishedEvent& finished, TrainingObserver& observer,
                                  TrainingControl& evaluationControl) {
    if (m_bestEpoch > 0 && m_bestEpoch != finished.epochsCompleted &&
        files.exists(bestCheckpointName()))
        restore(bestCheckpointName(), /*full=*/false);
    bool stopped = false;
    // The validation split again, through the same weights, image by image: the operating
    // point is chosen on it (never on the test split).
    if (m_validation.size() > 0) {
        Evaluation validation =
            evaluate(m_validation, Phase::Validating, finished.epochsCompleted, observer,
                     evaluationControl, &stopped, /*keepPredictions=*/true);
        if (!stopped)
            finished.validationPredictions = std::move(validation.predictions);
    }
    Evaluation evaluation;
    if (!stopped)
        evaluation = evaluate(m_test, Phase::Testing, finished.epochsCompleted, observer,
                              evaluationControl, &stopped);
    if (stopped) {
        finished.reason = FinishReason::Stopped;
        finished.validationPredictions.clear();
    } else {
        finished.test = evaluation.result;
        finished.testPredictions = std::move(evaluation.predictions);
        decideOperatingPoint(finished, observer);
    }
}

void Trainer::Impl::writeRunReport(const FinishedEvent& finished, TrainingObserver& observer) {
    RunReport report;
    report.finished = finished;
    report.history = history;
    report.classNames = in.classNames;
    report.settings = in.settings;
    report.preprocessing = in.preprocessing;
    report.splitSizes = {m_train.size(), m_validation.size(), m_test.size()};
    report.cachingSeconds = m_cachingSeconds;
    report.cachedImages = m_cachedImages;
    report.trainingSeconds = m_trainingSeconds;
    report.trainedImages = m_trainedImages;
    report.featureCache = m_useCache;
    report.featureCacheNote = m_cacheNote;
    report.featureStoreDirectory = m_storeDirectory;
    report.featureStoreHits = m_storeHits;
    report.peakMemoryBytes = peakResidentBytes();
    report.extras = in.reportExtras;
    QString reportError;
    if (!files.writeReport(report, &reportError) && finished.reason != FinishReason::Failed)
        observer.onError({reportError});
}

void Trainer::Impl::prepare(TrainingObserver& observer) {
    emitPhase(observer, Phase::Loading, 0, 0, 0, QStringLiteral("preparing the model"));
    if (in.model.head.is_empty())
        throw std::invalid_argument("the model has no trainable part");
    if (in.classNames.size() < 2 || in.model.classes != in.classNames.size())
        throw std::invalid_argument(
            QStringLiteral("the model predicts %1 class(es) but the data has %2")
                .arg(in.model.classes)
                .arg(in.classNames.size())
                .toStdString());
    if (in.train.empty())
        throw std::invalid_argument("the training split is empty");
    torch::manual_seed(in.settings.seed);
    if (in.model.hasTrunk())
        in.model.trunk.ptr()->eval();

    m_train.samples = in.train;
    m_validation.samples = in.validation;
    m_test.samples = in.test;

    // Class weights N / (C · n_c) over the training split: each class contributes equally to
    // the loss however imbalanced the data (e.g. 547 benign / 1146 malignant).
    if (in.settings.classWeights == ClassWeighting::Balanced) {
        std::vector<double> counts(size_t(in.model.classes), 0.0);
        for (const auto& sample : in.train)
            counts[size_t(sample.label)] += 1.0;
        std::vector<float> weights(counts.size(), 0.0f);
        for (size_t c = 0; c < counts.size(); ++c) {
            if (counts[c] > 0)
                weights[c] = static_cast<float>(in.train.size() / (counts.size() * counts[c]));
        }
        m_classWeights = torch::tensor(weights, torch::kFloat32);
    }

    auto head = in.model.head.ptr();
    head->to(in.device);
    m_channelsLast = in.model.hasTrunk();
    if (in.device.is_cpu()) {
        // The trainable convolutions' weights (a ResNet's trainable stages) become NHWC, as
        // torch's `model.to(memory_format=torch.channels_last)` does; their gradients and the
        // optimizer's state follow the weights' layout. Values and checkpoints are unchanged
        // (state files are written contiguous).
        torch::NoGradGuard noGrad;
        for (auto& parameter : head->parameters()) {
            if (parameter.dim() == 4) {
                parameter.set_data(parameter.contiguous(at::MemoryFormat::ChannelsLast));
                m_channelsLast = true;
            }
        }
    }
    if (m_classWeights.defined())
        m_classWeights = m_classWeights.to(in.device);
    std::vector<torch::Tensor> parameters;
    for (const auto& parameter : head->parameters()) {
        if (parameter.requires_grad())
            parameters.push_back(parameter);
    }
    if (parameters.empty())
        throw std::invalid_argument("the model has no trainable parameters");
    m_optimizer = makeOptimizer(in.settings, parameters);
    if (distributed())
        m_reducer = std::make_unique<GradientReducer>(parameters, in.group);
    m_plateauRate = in.settings.learningRate;

    const bool pixelAugmentation = in.preprocessing.augmentation.enabled();
    m_useCache = in.model.hasTrunk() && in.settings.featureCache && !pixelAugmentation;
    if (!in.model.hasTrunk())
        m_cacheNote = QStringLiteral("no frozen backbone: every epoch runs the whole network");
    else if (!in.settings.featureCache)
        m_cacheNote = QStringLiteral("feature cache turned off: the backbone runs every epoch");
    else if (pixelAugmentation)
        m_cacheNote = QStringLiteral(
            "augmentation changes pixels every epoch, so backbone features cannot be cached: "
            "the backbone runs every epoch");

    if (!files.prepare(in.resume)) {
        throw std::runtime_error(
            QStringLiteral("cannot write to the run folder %1").arg(in.runDirectory).toStdString());
    }
    if (in.resume) {
        if (!files.exists(lastCheckpointName()))
            throw std::runtime_error(QStringLiteral("cannot resume: %1 has no %2")
                                         .arg(in.runDirectory, lastCheckpointName())
                                         .toStdString());
        restore(lastCheckpointName(), /*full=*/true);
    }
    if (distributed())
        copyFromLeader(*in.group, *head);
}

std::unique_ptr<FeatureStore> Trainer::Impl::openFeatureStore() const {
    if (in.featureStoreRoot.isEmpty())
        return nullptr;
    // Everything that decides what the trunk computes for an image's bytes.
    std::vector<torch::Tensor> tensors;
    for (const auto& parameter : in.model.trunk.ptr()->parameters())
        tensors.push_back(parameter);
    for (const auto& buffer : in.model.trunk.ptr()->buffers())
        tensors.push_back(buffer);
    data::PreprocessingSettings preprocessing = in.preprocessing;
    preprocessing.augmentation = {}; // cached only without pixel augmentation
    const QString identity =
        QStringLiteral("TorchCanvas feature cache v1\ntrunk: %1\ntensors: %2\npreprocessing: %3")
            .arg(in.model.trunkKey, FeatureStore::tensorsHash(tensors),
                 QString::fromUtf8(
                     QJsonDocument(preprocessing.toJson()).toJson(QJsonDocument::Compact)));
    return std::make_unique<FeatureStore>(in.featureStoreRoot, identity);
}

bool Trainer::Impl::cacheFeatures(TrainingObserver& observer, TrainingControl& control) {
    if (!m_useCache) {
        if (!m_cacheNote.isEmpty())
            emitPhase(observer, Phase::Loading, 0, 0, 0, m_cacheNote);
        return true;
    }
    QElapsedTimer clock;
    clock.start();
    // A distributed run computes each split's features sharded (rank r takes its contiguous
    // share of the samples), then gathers them so that every rank holds all of them.
    FeatureProgress progress;
    for (const SplitData* split : {&m_train, &m_validation, &m_test}) {
        const auto [first, last] = data::shardRange(0, split->size(), rank(), worldSize());
        progress.total += last - first;
    }
    const std::unique_ptr<FeatureStore> store = openFeatureStore();
    progress.store = store.get();
    progress.storeWritable = store != nullptr;
    emitPhase(observer, Phase::CachingFeatures, 0, 0, progress.total,
              store ? QStringLiteral("computing backbone features once per image (reusing "
                                     "those on disk from earlier runs)")
                    : QStringLiteral("computing backbone features once per image"));
    torch::NoGradGuard noGrad;
    for (SplitData* split : {&m_train, &m_validation, &m_test}) {
        if (!cacheSplit(*split, progress, observer, control))
            return false;
    }
    m_cachingSeconds = clock.nsecsElapsed() / 1e9;
    m_cachedImages = progress.done;
    if (distributed()) {
        // The report's caching rate is the group's: all ranks' images in this wall time.
        torch::Tensor images =
            torch::full({1}, static_cast<std::int64_t>(progress.done), torch::kInt64);
        in.group->allReduceSum(images);
        m_cachedImages = images.item<std::int64_t>();
    }
    if (store) {
        m_storeDirectory = store->directory();
        m_cacheNote = QStringLiteral("%1 of %2 images' features read from the on-disk cache %3")
                          .arg(m_storeHits)
                          .arg(progress.total)
                          .arg(store->directory());
    }
    return true;
}

bool Trainer::Impl::cacheSplit(SplitData& split, FeatureProgress& progress,
                               TrainingObserver& observer, TrainingControl& control) {
    const size_t count = split.samples.size();
    if (count == 0) {
        split.features = torch::empty({0, 0});
        split.labels = torch::empty({0}, torch::kInt64);
        return true;
    }
    // Features per sample: from the disk cache, else computed below; undefined when the
    // image could not be loaded.
    std::vector<torch::Tensor> rows(count);
    std::vector<QByteArray> hashes(count);
    const auto [firstMine, endMine] = data::shardRange(0, std::int64_t(count), rank(), worldSize());
    const auto mine = size_t(endMine - firstMine);
    if (progress.store) {
        QStringList paths;
        for (size_t i = size_t(firstMine); i < size_t(endMine); ++i)
            paths << split.samples[i].path;
        const std::vector<QByteArray> mineHashes =
            FeatureStore::contentHashes(paths, runtime::configuredThreadCount());
        for (size_t k = 0; k < mine; ++k) {
            const size_t i = size_t(firstMine) + k;
            hashes[i] = mineHashes[k];
            if (auto features = progress.store->load(hashes[i])) {
                rows[i] = std::move(*features);
                ++m_storeHits;
            }
        }
    }
    std::vector<data::BatchSample> missing;
    std::vector<size_t> missingIndex;
    for (size_t i = size_t(firstMine); i < size_t(endMine); ++i) {
        if (!rows[i].defined()) {
            missing.push_back(split.samples[i]);
            missingIndex.push_back(i);
        }
    }
    progress.done += qint64(mine - missing.size());
    emitPhase(observer, Phase::CachingFeatures, 0, progress.done, progress.total);

    const bool stopped = !missing.empty() && !computeFeatures(missing, missingIndex, hashes, rows,
                                                              progress, observer, control);
    // Ranks agree on stopping here, where all of them arrive, however uneven their shares.
    if (distributed() ? anyRankStops(*in.group, stopped) : stopped)
        return false;
    if (distributed())
        gatherFeatureRows(*in.group, rows);

    // Rows in sample order, without the images that failed to load.
    std::vector<torch::Tensor> features;
    std::vector<std::int64_t> labels;
    for (size_t i = 0; i < count; ++i) {
        if (!rows[i].defined())
            continue;
        features.push_back(rows[i]);
        labels.push_back(split.samples[i].label);
        split.sampleOfRow.push_back(std::int64_t(i));
    }
    if (features.empty())
        throw std::runtime_error("no image of a split could be loaded");
    split.features = torch::stack(features);
    split.labels = torch::tensor(labels, torch::kInt64);
    return true;
}

bool Trainer::Impl::computeFeatures(const std::vector<data::BatchSample>& missing,
                                    const std::vector<size_t>& missingIndex,
                                    const std::vector<QByteArray>& hashes,
                                    std::vector<torch::Tensor>& rows, FeatureProgress& progress,
                                    TrainingObserver& observer, TrainingControl& control) {
    data::BatcherOptions options;
    options.batchSize = kFeatureBatchSize;
    options.channelsLast = true;
    options.workers = in.loaderWorkers;
    data::Batcher batcher(missing, in.preprocessing, options);
    while (auto batch = batcher.next()) {
        for (const auto& failure : batch->failures)
            m_loadFailures.push_back(failure.message);
        if (batch->images.size(0) > 0) {
            const torch::Tensor features =
                in.model.trunk.forward(batch->images).to(torch::kFloat32).contiguous();
            for (size_t r = 0; r < batch->sampleIndices.size(); ++r) {
                const size_t index = missingIndex[size_t(batch->sampleIndices[r])];
                rows[index] = features[std::int64_t(r)].clone();
                if (progress.storeWritable && !progress.store->store(hashes[index], rows[index])) {
                    progress.storeWritable = false;
                    emitPhase(observer, Phase::CachingFeatures, 0, progress.done, progress.total,
                              QStringLiteral("cannot write the feature cache in %1: features are "
                                             "kept in memory only")
                                  .arg(progress.store->directory()));
                }
            }
        }
        progress.done += static_cast<qint64>(batch->sampleIndices.size() + batch->failures.size());
        emitPhase(observer, Phase::CachingFeatures, 0, progress.done, progress.total);
        if (!control.checkpoint()) {
            batcher.stop();
            return false;
        }
    }
    return true;
}

torch::Tensor Trainer::Impl::headInput(const torch::Tensor& images) {
    if (!in.model.hasTrunk())
        return images;
    torch::NoGradGuard noGrad;
    return in.model.trunk.forward(images).to(torch::kFloat32);
}

torch::Tensor Trainer::Impl::lossOf(const torch::Tensor& logits, const torch::Tensor& labels,
                                    bool training) const {
    namespace F = torch::nn::functional;
    auto options = F::CrossEntropyFuncOptions();
    // Class weights and label smoothing shape the training objective; reported losses are
    // the plain cross-entropy, comparable between runs.
    if (training) {
        if (m_classWeights.defined())
            options.weight(m_classWeights);
        options.label_smoothing(in.settings.labelSmoothing);
    }
    return F::cross_entropy(logits, labels, options);
}

bool Trainer::Impl::trainEpoch(int epoch, TrainingObserver& observer, TrainingControl& control,
                               SplitResult& result) {
    emitPhase(observer, Phase::Training, epoch);
    in.model.head.ptr()->train(true);
    const int batchSize = in.settings.batchSize;
    const int batches = static_cast<int>((m_train.size() + batchSize - 1) / batchSize);
    TrainingBatches source = openTrainingBatches(epoch);

    QElapsedTimer clock;
    clock.start();
    EpochTally tally;
    for (int b = 0; b < batches; ++b) {
        // A distributed run carries the request to the step, where all ranks agree on it.
        const bool stop = !control.checkpoint();
        if (stop && !distributed())
            return false;
        torch::Tensor inputs;
        torch::Tensor labels;
        const BatchFetch fetched = fetchTrainingBatch(source, b, &inputs, &labels);
        if (fetched == BatchFetch::End)
            break;
        if (fetched == BatchFetch::Skip)
            continue;
        inputs = inputs.to(in.device);
        labels = labels.to(in.device);
        torch::Tensor logits;
        double batchLoss = 0.0;
        std::int64_t n = labels.size(0);
        if (distributed()) {
            if (!distributedStep(inputs, labels, stop, &logits, &batchLoss))
                return false;
        } else {
            m_optimizer->zero_grad();
            // A batch of one may be refused by a batch norm after the layers before it have
            // updated their running statistics: keep them to put back.
            std::vector<torch::Tensor> buffers;
            if (n == 1) {
                for (const torch::Tensor& buffer : in.model.head.ptr()->buffers())
                    buffers.push_back(buffer.clone());
            }
            try {
                logits = in.model.head.forward(inputs);
            } catch (const c10::Error& failure) {
                if (!batchNormRefusedOneImage(failure, n))
                    throw;
                torch::NoGradGuard noGrad;
                const auto current = in.model.head.ptr()->buffers();
                for (size_t i = 0; i < buffers.size(); ++i)
                    current[i].copy_(buffers[i]);
                ++m_skippedSingleBatches;
                continue;
            }
            const torch::Tensor loss = lossOf(logits, labels, /*training=*/true);
            loss.backward();
            m_optimizer->step();
            batchLoss = loss.item<double>();
        }
        const torch::Tensor predicted = logits.argmax(1).cpu();
        labels = labels.cpu();
        std::int64_t batchCorrect = predicted.eq(labels).sum().item<std::int64_t>();
        if (distributed()) {
            // The global batch's figures: every rank reports what one process would.
            torch::Tensor totals = torch::tensor(
                {static_cast<double>(n), static_cast<double>(batchCorrect)}, torch::kFloat64);
            in.group->allReduceSum(totals);
            n = static_cast<std::int64_t>(totals[0].item<double>());
            batchCorrect = static_cast<std::int64_t>(totals[1].item<double>());
        }
        tally.correct += batchCorrect;
        tally.lossSum += batchLoss * static_cast<double>(n);
        tally.seen += n;
        const auto* labelData = labels.data_ptr<std::int64_t>();
        const auto predictedContiguous = predicted.contiguous();
        const auto* predictedData = predictedContiguous.data_ptr<std::int64_t>();
        for (std::int64_t i = 0; i < labels.size(0); ++i) {
            tally.labels.push_back(static_cast<int>(labelData[i]));
            tally.predicted.push_back(static_cast<int>(predictedData[i]));
        }
        ++m_step;
        reportBatch(observer, epoch, b, batches, tally, batchLoss, clock.nsecsElapsed() / 1e9);
    }
    m_trainingSeconds += clock.nsecsElapsed() / 1e9;
    m_trainedImages += tally.seen;
    if (distributed())
        gatherPredictions(*in.group, tally.labels, tally.predicted, in.model.classes);
    result.loss = tally.seen > 0 ? tally.lossSum / static_cast<double>(tally.seen) : 0.0;
    result.metrics = computeMetrics(tally.labels, tally.predicted, in.model.classes);
    return true;
}

TrainingBatches Trainer::Impl::openTrainingBatches(int epoch) const {
    TrainingBatches batches;
    if (m_train.cached()) {
        // The order depends only on (seed, epoch): a resumed run sees the same batches.
        auto generator = at::detail::createCPUGenerator(in.settings.seed * 1000003ULL +
                                                        static_cast<std::uint64_t>(epoch));
        batches.order = torch::randperm(m_train.size(), generator, torch::kInt64);
        return batches;
    }
    data::BatcherOptions options;
    options.batchSize = in.settings.batchSize;
    options.shuffle = true;
    options.augment = true;
    options.seed = in.settings.seed;
    options.epoch = static_cast<std::uint64_t>(epoch);
    options.channelsLast = m_channelsLast;
    options.workers = in.loaderWorkers;
    options.shardRank = rank();
    options.shardCount = worldSize();
    batches.batcher = std::make_unique<data::Batcher>(m_train.samples, in.preprocessing, options);
    return batches;
}

BatchFetch Trainer::Impl::fetchTrainingBatch(TrainingBatches& batches, int b, torch::Tensor* inputs,
                                             torch::Tensor* labels) {
    if (m_train.cached()) {
        // This rank's share of the global batch (all of it in a single process).
        const std::int64_t batchSize = in.settings.batchSize;
        const auto [first, last] = data::shardRange(
            std::int64_t(b) * batchSize,
            std::min<std::int64_t>(m_train.size(), (b + 1) * batchSize), rank(), worldSize());
        const auto index = batches.order.slice(0, first, last);
        *inputs = m_train.features.index_select(0, index);
        *labels = m_train.labels.index_select(0, index);
    } else {
        auto batch = batches.batcher->next();
        if (!batch)
            return BatchFetch::End;
        for (const auto& failure : batch->failures)
            m_loadFailures.push_back(failure.message);
        // Every rank takes part in every step, with or without samples of its own.
        if (batch->images.size(0) == 0 && !distributed())
            return BatchFetch::Skip;
        *inputs = headInput(batch->images);
        *labels = batch->labels;
    }
    return BatchFetch::Ready;
}

void Trainer::Impl::reportBatch(TrainingObserver& observer, int epoch, int b, int batches,
                                const EpochTally& tally, double batchLoss, double elapsed) {
    BatchEvent event;
    event.epoch = epoch;
    event.epochs = in.settings.epochs;
    event.batch = b + 1;
    event.batchesPerEpoch = batches;
    event.step = m_step;
    event.loss = tally.lossSum / static_cast<double>(tally.seen);
    event.accuracy = static_cast<double>(tally.correct) / static_cast<double>(tally.seen);
    event.batchLoss = batchLoss;
    event.learningRate = learningRateOf(*m_optimizer);
    event.imagesPerSecond = elapsed > 0 ? tally.seen / elapsed : 0.0;
    event.elapsedSeconds = m_clock.nsecsElapsed() / 1e9;
    event.etaSeconds = remainingSeconds(epoch, b, batches, elapsed);
    files.appendBatch(event);
    observer.onBatch(event);
}

double Trainer::Impl::remainingSeconds(int epoch, int b, int batches, double elapsed) const {
    const double perBatch = elapsed / (b + 1);
    double eta = perBatch * (batches - b - 1);
    const int epochsLeft = in.settings.epochs - epoch;
    if (!history.empty()) {
        double mean = 0.0;
        for (const auto& done : history)
            mean += done.seconds;
        eta += epochsLeft * mean / static_cast<double>(history.size());
    } else {
        eta += epochsLeft * perBatch * batches;
    }
    return eta;
}

bool Trainer::Impl::distributedStep(const torch::Tensor& inputs, const torch::Tensor& labels,
                                    bool stop, torch::Tensor* logits, double* globalLoss) {
    // Each rank's loss is its share of the global batch's: the sum of its samples' weighted
    // losses over the global batch's total weight (the denominator of a weighted mean), so
    // that the ranks' losses, and the summed gradients, are exactly one process's.
    const torch::Tensor localWeight =
        m_classWeights.defined() ? m_classWeights.index_select(0, labels).sum().to(torch::kCPU)
                                 : torch::full({1}, double(labels.size(0)), torch::kFloat64);
    torch::Tensor agreed = torch::stack({localWeight.to(torch::kFloat64).reshape({}),
                                         torch::tensor(stop ? 1.0 : 0.0, torch::kFloat64)});
    in.group->allReduceSum(agreed);
    if (agreed[1].item<double>() > 0.0)
        return false;
    const double denominator = agreed[0].item<double>();

    namespace F = torch::nn::functional;
    auto options = F::CrossEntropyFuncOptions().reduction(torch::kSum);
    if (m_classWeights.defined())
        options.weight(m_classWeights);
    options.label_smoothing(in.settings.labelSmoothing);

    m_optimizer->zero_grad();
    m_reducer->prepare();
    torch::Tensor loss;
    {
        // Batch norms in training mode see the global batch, as in one process.
        const std::shared_ptr<ProcessGroup> group = in.group;
        const nn::SyncBatchNormScope syncBatchNorm(
            [group](torch::Tensor& tensor) { group->allReduceSum(tensor); });
        *logits = in.model.head.forward(inputs);
        loss = F::cross_entropy(*logits, labels, options) / (denominator > 0 ? denominator : 1.0);
        loss.backward();
    }
    m_reducer->finish();
    m_optimizer->step();

    torch::Tensor total = loss.detach().to(torch::kCPU, torch::kFloat64).reshape({1}).clone();
    in.group->allReduceSum(total);
    *globalLoss = total.item<double>();
    return true;
}

Evaluation Trainer::Impl::evaluate(SplitData& split, Phase phase, int epoch,
                                   TrainingObserver& observer, TrainingControl& control,
                                   bool* stopped, bool keepPredictions) {
    emitPhase(observer, phase, epoch, 0, split.size());
    torch::NoGradGuard noGrad;
    in.model.head.ptr()->train(false);

    EvaluationTally tally;
    tally.keepPredictions = keepPredictions || phase == Phase::Testing;
    if (distributed()) {
        evaluateSharded(split, phase, epoch, observer, tally);
    } else {
        const bool completed = split.cached()
                                   ? evaluateCached(split, control, tally)
                                   : evaluateImages(split, phase, epoch, observer, control, tally);
        if (!completed) {
            *stopped = true;
            return tally.evaluation;
        }
    }
    Evaluation& evaluation = tally.evaluation;
    evaluation.result.loss = tally.seen > 0 ? tally.lossSum / static_cast<double>(tally.seen) : 0.0;
    evaluation.result.metrics = computeMetrics(evaluation.labels, evaluation.predicted,
                                               in.model.classes, evaluation.positiveScores);
    return evaluation;
}

void Trainer::Impl::scoreBatch(const SplitData& split, const torch::Tensor& logits,
                               const torch::Tensor& labels, const std::int64_t* sampleIndices,
                               EvaluationTally& tally) const {
    const bool keepPredictions = tally.keepPredictions;
    Evaluation& evaluation = tally.evaluation;
    const torch::Tensor probabilities = torch::softmax(logits, 1).to(torch::kFloat32);
    const torch::Tensor loss = lossOf(logits, labels, /*training=*/false);
    const std::int64_t n = labels.size(0);
    tally.lossSum += loss.item<double>() * static_cast<double>(n);
    tally.seen += n;
    const auto predicted = probabilities.argmax(1).contiguous();
    const auto labelsContiguous = labels.contiguous();
    const auto probabilitiesContiguous = probabilities.contiguous();
    const torch::Tensor logitsContiguous =
        keepPredictions ? logits.to(torch::kFloat32).contiguous() : torch::Tensor();
    for (std::int64_t i = 0; i < n; ++i) {
        evaluation.labels.push_back(static_cast<int>(labelsContiguous[i].item<std::int64_t>()));
        evaluation.predicted.push_back(static_cast<int>(predicted[i].item<std::int64_t>()));
        if (in.model.classes == 2)
            evaluation.positiveScores.push_back(probabilitiesContiguous[i][1].item<float>());
        if (keepPredictions) {
            const data::BatchSample& sample = split.samples[size_t(sampleIndices[i])];
            SamplePrediction prediction;
            prediction.path = sample.path;
            prediction.group = sample.group;
            prediction.label = evaluation.labels.back();
            const float* row = probabilitiesContiguous[i].data_ptr<float>();
            prediction.probabilities.assign(row, row + in.model.classes);
            const float* logitRow = logitsContiguous[i].data_ptr<float>();
            prediction.logits.assign(logitRow, logitRow + in.model.classes);
            evaluation.predictions.push_back(std::move(prediction));
        }
    }
}

bool Trainer::Impl::evaluateCached(SplitData& split, TrainingControl& control,
                                   EvaluationTally& tally) {
    const std::int64_t count = split.size();
    const std::int64_t step = std::max(in.settings.batchSize, 256);
    for (std::int64_t start = 0; start < count; start += step) {
        if (!control.checkpoint())
            return false;
        const std::int64_t end = std::min(count, start + step);
        scoreBatch(split,
                   in.model.head.forward(split.features.slice(0, start, end).to(in.device)).cpu(),
                   split.labels.slice(0, start, end), split.sampleOfRow.data() + start, tally);
    }
    return true;
}

bool Trainer::Impl::evaluateImages(SplitData& split, Phase phase, int epoch,
                                   TrainingObserver& observer, TrainingControl& control,
                                   EvaluationTally& tally) {
    data::BatcherOptions options;
    options.batchSize = in.settings.batchSize;
    options.channelsLast = m_channelsLast;
    options.workers = in.loaderWorkers;
    data::Batcher batcher(split.samples, in.preprocessing, options);
    while (auto batch = batcher.next()) {
        if (!control.checkpoint()) {
            batcher.stop();
            return false;
        }
        for (const auto& failure : batch->failures)
            m_loadFailures.push_back(failure.message);
        if (batch->images.size(0) == 0)
            continue;
        scoreBatch(split, in.model.head.forward(headInput(batch->images).to(in.device)).cpu(),
                   batch->labels, batch->sampleIndices.data(), tally);
        emitPhase(observer, phase, epoch, tally.seen, split.size());
    }
    return true;
}

void Trainer::Impl::evaluateSharded(SplitData& split, Phase phase, int epoch,
                                    TrainingObserver& observer, EvaluationTally& tally) {
    const std::int64_t count = split.size();
    const auto [first, last] = data::shardRange(0, count, rank(), worldSize());
    torch::Tensor outputs = torch::zeros({count, in.model.classes}, torch::kFloat32);
    torch::Tensor present = torch::zeros({count}, torch::kInt64);
    auto keep = [&](const torch::Tensor& rows, std::int64_t offset,
                    const std::vector<std::int64_t>& at) {
        const torch::Tensor values = rows.to(torch::kFloat32).cpu();
        for (size_t r = 0; r < at.size(); ++r) {
            outputs[offset + at[r]].copy_(values[std::int64_t(r)]);
            present[offset + at[r]] = 1;
        }
    };
    if (split.cached()) {
        const std::int64_t step = std::max(in.settings.batchSize, 256);
        for (std::int64_t start = first; start < last; start += step) {
            const std::int64_t end = std::min(last, start + step);
            std::vector<std::int64_t> at(size_t(end - start));
            std::iota(at.begin(), at.end(), std::int64_t{0});
            keep(in.model.head.forward(split.features.slice(0, start, end).to(in.device)), start,
                 at);
        }
    } else {
        data::BatcherOptions options;
        options.batchSize = in.settings.batchSize;
        options.channelsLast = m_channelsLast;
        options.workers = in.loaderWorkers;
        data::Batcher batcher(std::vector<data::BatchSample>(split.samples.begin() + first,
                                                             split.samples.begin() + last),
                              in.preprocessing, options);
        std::int64_t scored = 0;
        while (auto batch = batcher.next()) {
            for (const auto& failure : batch->failures)
                m_loadFailures.push_back(failure.message);
            if (batch->images.size(0) > 0)
                keep(in.model.head.forward(headInput(batch->images).to(in.device)), first,
                     batch->sampleIndices);
            scored += std::int64_t(batch->sampleIndices.size() + batch->failures.size());
            emitPhase(observer, phase, epoch, scored, last - first);
        }
    }
    std::vector<torch::Tensor> gathered{outputs, present};
    in.group->allReduceSum(gathered);
    std::vector<std::int64_t> rows;
    for (std::int64_t i = 0; i < count; ++i) {
        if (present[i].item<std::int64_t>() > 0)
            rows.push_back(i);
    }
    const std::int64_t step = std::max(in.settings.batchSize, 256);
    for (size_t start = 0; start < rows.size(); start += size_t(step)) {
        const size_t end = std::min(rows.size(), start + size_t(step));
        const std::vector<std::int64_t> chunk(rows.begin() + std::ptrdiff_t(start),
                                              rows.begin() + std::ptrdiff_t(end));
        const torch::Tensor index = torch::tensor(chunk, torch::kInt64);
        std::vector<std::int64_t> samples = chunk;
        torch::Tensor labels;
        if (split.cached()) {
            labels = split.labels.index_select(0, index);
            for (std::int64_t& sample : samples)
                sample = split.sampleOfRow[size_t(sample)];
        } else {
            std::vector<std::int64_t> values;
            for (const std::int64_t sample : chunk)
                values.push_back(split.samples[size_t(sample)].label);
            labels = torch::tensor(values, torch::kInt64);
        }
        scoreBatch(split, outputs.index_select(0, index), labels, samples.data(), tally);
    }
}

void Trainer::Impl::decideOperatingPoint(FinishedEvent& finished, TrainingObserver& observer) {
    if (in.model.classes != 2 || finished.validationPredictions.empty() ||
        finished.testPredictions.empty())
        return;
    auto scored = [](const std::vector<SamplePrediction>& predictions) {
        ScoredSplit split;
        bool grouped = true;
        for (const SamplePrediction& prediction : predictions) {
            split.logits.push_back(prediction.logits);
            split.labels.push_back(prediction.label);
            split.groups.push_back(prediction.group);
            grouped = grouped && !prediction.group.isEmpty();
        }
        if (!grouped)
            split.groups.clear();
        return split;
    };
    const int positive = defaultPositiveClass(in.classNames);
    finished.decision =
        decide(scored(finished.validationPredictions), scored(finished.testPredictions),
               in.settings.decision, positive, in.classNames.at(positive));
    if (!files.writes())
        return;
    QString error;
    if (!writeOperatingPoint(in.runDirectory, finished.decision->operatingPoint(), &error))
        observer.onError({error});
}

double Trainer::Impl::plannedLearningRate(int epoch) const {
    const TrainingSettings& s = in.settings;
    const int e = epoch - 1; // epochs completed before this one
    switch (s.schedule) {
    case Schedule::Constant:
        return s.learningRate;
    case Schedule::Step:
        return s.learningRate * std::pow(s.gamma, e / std::max(1, s.stepSize));
    case Schedule::Cosine: {
        const double progress = s.epochs > 1 ? static_cast<double>(e) / (s.epochs - 1) : 0.0;
        return s.minLearningRate +
               (s.learningRate - s.minLearningRate) * (1.0 + std::cos(M_PI * progress)) / 2.0;
    }
    case Schedule::ReduceOnPlateau:
        return m_plateauRate;
    }
    return s.learningRate;
}

void Trainer::Impl::updatePlateau(double value) {
    const bool higher = higherIsBetter(in.settings.watchedMetric);
    if (std::isnan(m_plateauBest) || (higher ? value > m_plateauBest : value < m_plateauBest)) {
        m_plateauBest = value;
        m_plateauBadEpochs = 0;
        return;
    }
    if (++m_plateauBadEpochs > in.settings.plateauPatience) {
        m_plateauRate = std::max(in.settings.minLearningRate, m_plateauRate * in.settings.gamma);
        m_plateauBadEpochs = 0;
    }
}

std::optional<double> Trainer::Impl::watchedValue(const EpochEvent& event) const {
    // Without a validation split, the training loss is the only honest signal.
    if (!event.validation)
        return in.settings.watchedMetric == WatchedMetric::ValidationLoss
                   ? std::optional<double>(event.train.loss)
                   : std::optional<double>(event.train.metrics.accuracy);
    const SplitResult& v = *event.validation;
    switch (in.settings.watchedMetric) {
    case WatchedMetric::ValidationAccuracy:
        return v.metrics.accuracy;
    case WatchedMetric::ValidationBalancedAccuracy:
        return v.metrics.balancedAccuracy;
    case WatchedMetric::ValidationLoss:
        return v.loss;
    case WatchedMetric::ValidationAuc:
        return v.metrics.rocAuc;
    }
    return std::nullopt;
}

CheckpointState Trainer::Impl::checkpointState(int epoch) const {
    CheckpointState state;
    state.epoch = epoch;
    state.step = m_step;
    state.bestEpoch = m_bestEpoch;
    state.bestValue = m_bestValue;
    state.epochsWithoutImprovement = m_epochsWithoutImprovement;
    state.plateauRate = m_plateauRate;
    state.plateauBadEpochs = m_plateauBadEpochs;
    state.plateauBest = m_plateauBest;
    state.trunkKey = in.model.trunkKey;
    state.precision = in.precision;
    state.classNames = in.classNames;
    state.settings = in.settings.toJson();
    state.preprocessing = in.preprocessing.toJson();
    for (const auto& event : history)
        state.history.append(RunFiles::epochToJson(event, in.classNames));
    state.architecture = in.architecture;
    state.dataFingerprint = in.dataFingerprint;
    return state;
}

void Trainer::Impl::writeCheckpoint(const QString& name, int epoch) {
    if (!files.enabled())
        return;
    QString error;
    if (!files.writeCheckpoint(name, checkpointState(epoch), *in.model.head.ptr(), *m_optimizer,
                               &error))
        throw std::runtime_error(error.toStdString());
}

void Trainer::Impl::restore(const QString& name, bool full) {
    CheckpointState state;
    QString error;
    if (full) {
        // Compared before any tensor is loaded, so that the message names what changed.
        const std::optional<QJsonObject> json =
            readCheckpointJson(files.path(name), nullptr, &error);
        if (!json)
            throw std::runtime_error(error.toStdString());
        checkResumable(checkpointStateFromJson(*json));
    }
    if (!files.readCheckpoint(name, &state, *in.model.head.ptr(),
                              full ? m_optimizer.get() : nullptr, &error))
        throw std::runtime_error(error.toStdString());
    if (!full)
        return;
    m_startEpoch = state.epoch + 1;
    m_step = state.step;
    m_bestEpoch = state.bestEpoch;
    m_bestValue = state.bestValue;
    m_epochsWithoutImprovement = state.epochsWithoutImprovement;
    m_plateauRate = state.plateauRate;
    m_plateauBadEpochs = state.plateauBadEpochs;
    m_plateauBest = state.plateauBest;
    history.clear();
    for (const auto& value : state.history)
        history.push_back(RunFiles::epochFromJson(value.toObject()));
    files.truncateLogsAfter(state.epoch);
}

void Trainer::Impl::checkSplits(FinishedEvent& finished) const {
    auto missingClasses = [this](const ClassificationMetrics& metrics) {
        QStringList missing;
        for (int c = 0; c < in.classNames.size(); ++c) {
            if (c >= int(metrics.support.size()) || metrics.support[c] == 0)
                missing << in.classNames[c];
        }
        return missing;
    };
    if (!history.empty() && history.back().validation) {
        const QStringList missing = missingClasses(history.back().validation->metrics);
        if (!missing.isEmpty()) {
            finished.warnings << QStringLiteral("the validation split has no images of %1: the "
                                                "best epoch was chosen without them")
                                     .arg(missing.join(QStringLiteral(", ")));
            finished.warningsAreErrors = true;
        }
    }
    if (m_skippedSingleBatches > 0) {
        finished.warnings << QStringLiteral(
                                 "batch norm needs at least two images per batch, so the last "
                                 "training batch (one image) was skipped in %1 epoch(s); a batch "
                                 "size that leaves more than one image over avoids this")
                                 .arg(m_skippedSingleBatches);
    }
    if (finished.reason == FinishReason::Stopped)
        return; // not tested yet
    if (in.test.empty()) {
        finished.warnings << QStringLiteral("the test split is empty: the model was not tested");
    } else if (!finished.test || finished.test->metrics.samples == 0) {
        finished.warnings << QStringLiteral("none of the %1 test images could be read: the model "
                                            "was not tested")
                                 .arg(in.test.size());
        finished.warningsAreErrors = true;
    } else {
        const QStringList missing = missingClasses(finished.test->metrics);
        if (!missing.isEmpty())
            finished.warnings << QStringLiteral("the test split has no images of %1: its "
                                                "accuracy says nothing about them")
                                     .arg(missing.join(QStringLiteral(", ")));
    }
}

void Trainer::Impl::checkResumable(const CheckpointState& state) {
    auto refuse = [](const QString& reason) {
        throw std::runtime_error(QStringLiteral("cannot resume: %1").arg(reason).toStdString());
    };
    if (!state.architecture.isEmpty() && !in.architecture.isEmpty() &&
        state.architecture != in.architecture)
        refuse(QStringLiteral("the model changed since the checkpoint (it trained %1; the project "
                              "now has %2); train it as a new run")
                   .arg(state.architecture, in.architecture));
    if (state.trunkKey != in.model.trunkKey)
        refuse(QStringLiteral("the checkpoint was trained with another backbone (%1), this "
                              "project has %2")
                   .arg(state.trunkKey, in.model.trunkKey));
    if (state.classNames != in.classNames)
        refuse(QStringLiteral("the checkpoint's classes (%1) differ from the data's (%2)")
                   .arg(state.classNames.join(QStringLiteral(", ")),
                        in.classNames.join(QStringLiteral(", "))));
    if (!state.dataFingerprint.isEmpty() && !in.dataFingerprint.isEmpty() &&
        state.dataFingerprint != in.dataFingerprint)
        refuse(QStringLiteral("the data set changed since the checkpoint (fingerprint %1, now "
                              "%2); train it as a new run")
                   .arg(state.dataFingerprint, in.dataFingerprint));
    const QStringList changes = changedSettings(state.settings, in.settings.toJson());
    if (changes.isEmpty())
        return;
    if (!in.allowChangedSettings)
        refuse(QStringLiteral("the training settings changed since the checkpoint (%1); pass "
                              "--allow-changed-settings to continue with the new ones")
                   .arg(changes.join(QStringLiteral(", "))));
    QJsonArray recorded =
        in.reportExtras.value(QStringLiteral("resumedWithChangedSettings")).toArray();
    recorded.append(QJsonObject{{QStringLiteral("fromEpoch"), state.epoch + 1},
                                {QStringLiteral("changes"), QJsonArray::fromStringList(changes)}});
    in.reportExtras.insert(QStringLiteral("resumedWithChangedSettings"), recorded);
}

} // namespace tc::train
