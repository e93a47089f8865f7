#pragma once

// Core-internal (LibTorch) header.

#include "core/export/TrainedModel.h"

#include <optional>

namespace tc::exporting {

/// `path` with its last suffix replaced: companionPath("a/model.safetensors", "json") is
/// "a/model.json". Where the JSON config and the model card of an export go.
QString companionPath(const QString& path, const QString& suffix);

/// Writes the model's tensors to `path` (.safetensors) under TrainedModel's names
/// (torchvision's for the backbone: "backbone.conv1.weight", …; "head.<i>.linear.weight",
/// …), with TrainedModel::configJson() both in the file's "__metadata__" (key
/// "torchcanvas", so the file is self-contained) and as a JSON file next to it
/// (companionPath(path, "json")). `written` receives the paths of the files written.
bool writeSafeTensorsModel(const TrainedModel& model, const QString& path, QStringList* written,
                           QString* error);

/// Reads what writeSafeTensorsModel() wrote: the configuration from the file's metadata, or
/// else from the JSON next to it. Messages name the file.
std::optional<TrainedModel> readSafeTensorsModel(const QString& path, QString* error);

} // namespace tc::exporting
