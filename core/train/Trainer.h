#pragma once

// Core-internal (LibTorch) header: the GUI reaches the trainer through ProjectTraining.h.

#include "core/data/Batcher.h"
#include "core/data/DataSettings.h"
#include "core/nn/ClassifierModel.h"
#include "core/train/Distributed.h"
#include "core/train/TrainingControl.h"
#include "core/train/TrainingEvents.h"
#include "core/train/TrainingSettings.h"

#include <memory>
#include <QJsonObject>
#include <QStringList>
#include <vector>

namespace tc::train {

/// Everything one training run needs, already resolved: the model, the samples of each split
/// (class indices into classNames), preprocessing and settings.
struct TrainerInputs {
    ClassifierModel model;
    std::vector<data::BatchSample> train;
    std::vector<data::BatchSample> validation;
    std::vector<data::BatchSample> test;
    QStringList classNames;
    data::PreprocessingSettings preprocessing;
    TrainingSettings settings;
    /// Where metrics.csv, batches.csv, report.json and the checkpoints go; empty: nowhere.
    QString runDirectory;
    /// Continue from runDirectory/checkpoint-last.pt with the same trajectory as an
    /// uninterrupted run.
    bool resume = false;
    /// The frozen backbone's precision as decided for this run (precisionRecord()): saved in
    /// every checkpoint so that readers and a resumed run compute with it.
    QJsonObject precision;
    /// A resume refuses a checkpoint whose training settings differ (other than the epoch
    /// count, the precision and the feature cache switches) unless this is set; the changes
    /// are then recorded in report.json ("resumedWithChangedSettings").
    bool allowChangedSettings = false;
    /// What a resume compares with the checkpoint: the model as the builder describes it
    /// ("ResNet50 → Dense 128 ReLU → …") and the data set's fingerprint. Empty: not compared.
    QString architecture;
    QString dataFingerprint;
    /// Merged into report.json (configuration, data fingerprint, weights status…).
    QJsonObject reportExtras;
    /// Image-decoding threads for the loaders (-1: one per core).
    int loaderWorkers = -1;
    /// Root of the on-disk feature cache (FeatureStore): frozen-backbone features computed in
    /// earlier runs are read from it and new ones added. Empty: features live in memory only.
    QString featureStoreRoot;
    /// Data-parallel training: the process group this rank belongs to; null (or a group of
    /// one) trains alone. Each rank takes its share of every batch of settings.batchSize (the
    /// global batch), gradients and metrics are summed over the ranks and rank 0 alone writes
    /// the run folder, so that N ranks follow the trajectory of one process.
    std::shared_ptr<ProcessGroup> group;
    /// Where the trainable head computes. The frozen trunk keeps its own engine (CPU).
    torch::Device device{torch::kCPU};
};

/// Trains a ClassifierModel: feature caching for a frozen trunk, epochs with the chosen
/// optimizer, schedule, class weights and label smoothing, validation metrics, early
/// stopping, checkpoints every epoch and for the best epoch, and one final evaluation on the
/// test split. Plain C++: it runs on the calling thread, reports through a TrainingObserver
/// and honours the TrainingControl at every batch.
class Trainer {
public:
    explicit Trainer(TrainerInputs inputs);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    /// Runs the job. Never throws: a failure becomes onError() then onFinished(Failed), and
    /// the files written so far are kept.
    FinishedEvent run(TrainingObserver& observer, TrainingControl& control);

    /// The epochs completed so far (after a resume: including the earlier ones).
    const std::vector<EpochEvent>& history() const;

    static QString lastCheckpointName() { return QStringLiteral("checkpoint-last.pt"); }
    static QString bestCheckpointName() { return QStringLiteral("checkpoint-best.pt"); }

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace tc::train
