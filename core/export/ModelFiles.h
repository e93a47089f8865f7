#pragma once

// What a model path is. No LibTorch here: the CLI and the GUI use it directly.

#include <optional>
#include <QString>

namespace tc::exporting {

/// The files TorchCanvas can run or export from.
enum class ModelFileKind {
    RunFolder,   ///< a training run's folder (checkpoint-best.pt / checkpoint-last.pt, report.json)
    Checkpoint,  ///< a trainer checkpoint (checkpoint-*.pt) inside a run folder
    Project,     ///< a .tcproj project: its latest run
    TorchScript, ///< a TorchScript model exported by TorchCanvas
    Onnx,        ///< an ONNX model exported by TorchCanvas
    SafeTensors, ///< safetensors weights exported by TorchCanvas (with their configuration)
};

struct ModelFileInfo {
    ModelFileKind kind = ModelFileKind::TorchScript;
    QString path;
    /// TorchScript only: the deployable form (uint8 pixels in).
    bool withPreprocessing = false;
};

/// "TorchScript", "TorchScript with preprocessing", "ONNX", "safetensors", "checkpoint",
/// "run folder", "project".
QString modelFileKindName(const ModelFileInfo& info);

/// Recognises `path` by its content, never its extension alone: a zip archive is checked
/// entry by entry (CRC-32) before anything else reads it, so a truncated or corrupted file
/// is reported as such. Anything else — an empty file, a PyTorch state dict, another
/// program's TorchScript or ONNX model, an image — gets one sentence naming the file and
/// what it is (or is not) in `error`.
std::optional<ModelFileInfo> identifyModelFile(const QString& path, QString* error);

} // namespace tc::exporting
