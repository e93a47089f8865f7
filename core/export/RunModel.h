#pragma once

// Core-internal (LibTorch) header: the trained model of a training run.

#include "core/export/TrainedModel.h"

#include <optional>

namespace tc::exporting {

/// The model of the run in `runFolder` at checkpoint `checkpointName` (checkpoint-best.pt or
/// checkpoint-last.pt): the project's component chain (report.json's "project"), the trained
/// tensors from the checkpoint, the backbone's tensors from the weights file it was trained
/// with when it was frozen, classes and preprocessing from the checkpoint, report.json as
/// metadata, and the operating point of <runFolder>/operating-point.json when there is one.
/// Messages name the file at fault.
std::optional<TrainedModel> trainedModelFromRun(const QString& runFolder,
                                                const QString& checkpointName, QString* error);

/// The checkpoint a run is exported from by default: checkpoint-best.pt when there is one,
/// else checkpoint-last.pt; empty when the folder has neither.
QString defaultCheckpointOf(const QString& runFolder);

/// The most recent run folder of the project at `projectPath` (by report.json or checkpoint
/// time); empty with a reason in `error` when it has none.
QString latestRunOf(const QString& projectPath, QString* error);

} // namespace tc::exporting
