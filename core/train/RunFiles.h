#pragma once

// Core-internal (LibTorch) header.

#include "core/data/DataSettings.h"
#include "core/nn/Architecture.h"
#include "core/nn/StateDict.h"
#include "core/train/TrainingEvents.h"
#include "core/train/TrainingSettings.h"

#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Optimizer;
}

namespace tc::train {

/// The trainer's bookkeeping saved with a checkpoint, besides the tensors.
struct CheckpointState {
    int epoch = 0; ///< epochs completed
    qint64 step = 0;
    int bestEpoch = 0;
    double bestValue = std::nan("");
    int epochsWithoutImprovement = 0;
    double plateauRate = 0.0;
    int plateauBadEpochs = 0;
    double plateauBest = std::nan("");
    QString trunkKey;
    /// The frozen backbone's arithmetic as decided for the run (precisionRecord()).
    QJsonObject precision;
    QStringList classNames;
    QJsonObject settings;
    QJsonObject preprocessing;
    QJsonArray history;      ///< one RunFiles::epochToJson() per completed epoch
    QString architecture;    ///< TrainerInputs::architecture
    QString dataFingerprint; ///< TrainerInputs::dataFingerprint
};

/// How a run's precision is recorded in report.json and its checkpoints:
/// {"used": "bf16", "requested": "auto", "reason": "…", "cpu": "AuthenticAMD: …"}. Without a
/// `reason`, Auto gives autoPrecision()'s.
QJsonObject precisionRecord(nn::Precision requested, nn::Precision used,
                            const QString& reason = {});
/// The precision a checkpoint's backbone was computed with: its record, else the trunk
/// key's suffix (checkpoints written before the record existed), else fp32.
nn::Precision recordedPrecision(const CheckpointState& state);
/// A checkpoint file's bookkeeping (CheckpointState as JSON, with "format" and "version")
/// and, when `tensors` is given, its tensors ("head.*", "optimizer.*", "rng"). A checkpoint is
/// a .safetensors file whose "__metadata__" holds the JSON under "torchcanvas-checkpoint":
/// data only, so reading one can never run code. A zip archive (TorchScript, torch.save) is
/// refused from its first bytes, before anything parses it. Names the file on failure.
std::optional<QJsonObject> readCheckpointJson(const QString& file, nn::StateDict* tensors,
                                              QString* error);
/// The bookkeeping in a readCheckpointJson() answer.
CheckpointState checkpointStateFromJson(const QJsonObject& json);

/// What report.json summarises.
struct RunReport {
    FinishedEvent finished;
    std::vector<EpochEvent> history;
    QStringList classNames;
    TrainingSettings settings;
    data::PreprocessingSettings preprocessing;
    std::array<std::int64_t, 3> splitSizes{}; ///< train, validation, test
    double cachingSeconds = 0.0;
    qint64 cachedImages = 0;
    double trainingSeconds = 0.0;
    qint64 trainedImages = 0;
    bool featureCache = false;
    QString featureCacheNote;
    QString featureStoreDirectory; ///< the on-disk cache used; empty: none
    qint64 featureStoreHits = 0;   ///< images whose features were read from it
    qint64 peakMemoryBytes = 0;
    QJsonObject extras;
};

/// The files of one run folder: metrics.csv (a row per epoch), batches.csv (a row per
/// batch), report.json, and checkpoints. Every file is replaced atomically, so a crash or a
/// kill leaves either the old or the new version, never half of one. With an empty folder
/// name nothing is written and every call succeeds.
class RunFiles {
public:
    explicit RunFiles(QString directory);
    ~RunFiles();

    bool enabled() const { return !m_directory.isEmpty(); }
    /// A follower rank of a data-parallel run reads the folder (a resume's checkpoint, the
    /// best epoch's weights) but writes nothing: rank 0 writes the run.
    void setReadOnly(bool readOnly) { m_readOnly = readOnly; }
    bool writes() const { return enabled() && !m_readOnly; }
    QString path(const QString& name) const;
    bool exists(const QString& name) const;

    /// Creates the folder. A fresh run (resume false) starts new logs.
    bool prepare(bool resume);
    void appendEpoch(const EpochEvent& event, const QStringList& classNames);
    void appendBatch(const BatchEvent& event);
    /// After a resume: drops log rows of epochs after `epoch` (an interrupted epoch).
    void truncateLogsAfter(int epoch);

    bool writeCheckpoint(const QString& name, const CheckpointState& state, torch::nn::Module& head,
                         torch::optim::Optimizer& optimizer, QString* error);
    /// Loads the head's tensors (and the optimizer's and the random generator's state when
    /// `optimizer` is given) and the bookkeeping. Names the file and the problem on failure.
    bool readCheckpoint(const QString& name, CheckpointState* state, torch::nn::Module& head,
                        torch::optim::Optimizer* optimizer, QString* error);
    bool writeReport(const RunReport& report, QString* error);

    static QJsonObject epochToJson(const EpochEvent& event, const QStringList& classNames);
    static EpochEvent epochFromJson(const QJsonObject& json);

private:
    void rewriteCsv(const QString& name, const QString& header, const QStringList& rows);
    void flushBatches();

    QString m_directory;
    bool m_readOnly = false;
    QString m_metricsHeader;
    QStringList m_metricsRows;
    QStringList m_batchRows;
    std::unique_ptr<QFile> m_batches;
};

} // namespace tc::train
