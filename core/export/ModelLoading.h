#pragma once

// Core-internal (LibTorch) header: TrainedModel from any file TorchCanvas exports from.

#include "core/export/ModelFiles.h"
#include "core/export/TrainedModel.h"

#include <optional>

namespace tc::exporting {

/// The trained model behind `info`: a run folder or checkpoint (RunModel.h), a project's
/// latest run, a TorchCanvas safetensors export, or a TorchCanvas TorchScript export (its
/// tensors and torchcanvas.json give the whole description back, so a TorchScript file can
/// be re-exported to ONNX). ONNX files are not read back. Messages name the file.
std::optional<TrainedModel> loadTrainedModel(const ModelFileInfo& info, QString* error);

/// identifyModelFile() then loadTrainedModel().
std::optional<TrainedModel> loadTrainedModel(const QString& path, QString* error);

/// A TorchScript file exported by TorchCanvas back to its description.
std::optional<TrainedModel> readTorchScriptExport(const QString& path, QString* error);

} // namespace tc::exporting
