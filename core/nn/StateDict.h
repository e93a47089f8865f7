#pragma once

// Named tensors in and out of modules, and weight files in the two formats TorchCanvas
// reads: PyTorch checkpoints (.pth, torch.save's zip) and .safetensors. Core-internal.

#include <optional>
#include <QMap>
#include <QString>
#include <QStringList>
#include <string>
#include <torch/torch.h>

namespace tc::nn {

/// Parameters and buffers by their dotted names ("layer1.0.conv1.weight"), in file order.
using StateDict = torch::OrderedDict<std::string, torch::Tensor>;

enum class WeightFileFormat {
    Unknown,
    TorchZip,    ///< torch.save since PyTorch 1.6 (a zip holding data.pkl and data/<key>)
    TorchLegacy, ///< torch.save before 1.6 (a bare pickle stream): not supported
    SafeTensors,
};

/// Recognises a weight file by its first bytes (not its extension).
WeightFileFormat detectWeightFileFormat(const QString& path);

/// readTorchCheckpoint (TorchCheckpoint.h) or readSafeTensors (SafeTensors.h), chosen by the
/// file's content, with a message naming the file for anything else.
std::optional<StateDict> readWeightsFile(const QString& path, QString* error);

/// How well a state dict matched a module.
struct LoadReport {
    QStringList missing;    ///< in the module, not in the file
    QStringList unexpected; ///< in the file, not in the module
    QStringList mismatched; ///< "name: file [64, 3, 7, 7], model [64, 3, 3, 3]"
    /// Values that would load silently wrong: "name: contains NaN or infinite values",
    /// "name: Bool values, the model holds Float".
    QStringList refused;
    QStringList ignored; ///< in the file under an ignored prefix (a topless backbone's fc.*)
    /// Only `*.num_batches_tracked` may be absent (timm's files leave that counter out,
    /// and inference never reads it); these keep their current value.
    QStringList defaulted;
    int copied = 0;

    bool ok() const {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty() &&
               refused.isEmpty();
    }
    /// One paragraph listing the problems by name, at most `maxNames` of each kind.
    QString summary(int maxNames = 8) const;
};

struct LoadOptions {
    /// Names starting with one of these are skipped (and listed in LoadReport::ignored).
    QStringList ignoredPrefixes;
    /// Check only; copy nothing.
    bool dryRun = false;
};

/// Copies `tensors` into `module`'s parameters and buffers, strictly: unless every module
/// tensor has a same-shaped counterpart of the same kind (floating point for floating
/// point, integer for integer; never Bool for numbers) holding only finite values, and the
/// file has no unknown names, nothing is copied and the report lists every problem by name. Values
/// are converted to each parameter's dtype (a half-precision file loads into fp32 parameters).
LoadReport loadStateDict(torch::nn::Module& module, const StateDict& tensors,
                         const LoadOptions& options = {});

/// "[64, 3, 7, 7]".
QString shapeString(at::IntArrayRef sizes);

} // namespace tc::nn
