#pragma once

// Exporting a trained model and checking the export. No LibTorch in this header: the CLI
// (`torchcanvas export`) and the GUI's Export dialog use it directly.

#include "core/export/Predictor.h"

#include <functional>
#include <optional>
#include <QStringList>

namespace tc::exporting {

enum class ExportFormat { TorchScript, Onnx, SafeTensors };

/// "torchscript", "onnx", "safetensors" (any case); std::nullopt otherwise.
std::optional<ExportFormat> parseExportFormat(const QString& text);
/// "torchscript", "onnx", "safetensors".
QString exportFormatId(ExportFormat format);
/// What users read: "TorchScript", "TorchScript with preprocessing", "ONNX", "safetensors".
QString exportFormatName(ExportFormat format, bool withPreprocessing = false);
/// The usual file suffix, without the dot: "pt", "onnx", "safetensors".
QString exportSuffix(ExportFormat format);

struct ExportOptions {
    ExportFormat format = ExportFormat::TorchScript;
    QString output; ///< the file to write
    /// TorchScript only: the deployable form (uint8 RGB pixels in, preprocessing inside).
    bool withPreprocessing = false;
    /// TorchScript only: add gradcam(), the Grad-CAM heatmap as Explainer computes it, for
    /// models that start with a ResNet.
    bool withExplanations = false;
    /// Also write the model card, companionPath(output, "md").
    bool modelCard = true;
};

struct ExportResult {
    QStringList files; ///< every file written, the model first
    QString summary;   ///< one line: "ONNX (opset 13) of ResNet18 → Dense 2 softmax: model.onnx"
    QString error;     ///< empty on success

    bool ok() const { return error.isEmpty(); }
};

/// Stage messages while exporting ("Reading the checkpoint", "Writing model.onnx", …).
using ExportStatus = std::function<void(const QString& message)>;

/// Reads the trained model at `source` — a run folder, a checkpoint, a project (its latest
/// run), or a TorchScript/safetensors file exported by TorchCanvas — and writes it in
/// `options.format`. Files are replaced atomically; on failure nothing half-written stays.
/// Never throws.
ExportResult exportModel(const QString& source, const ExportOptions& options,
                         const ExportStatus& status = {});

/// How two models agree on the same images.
struct Agreement {
    int images = 0;    ///< images asked for
    int compared = 0;  ///< classified by both models
    int identical = 0; ///< same predicted label
    /// Largest |p_reference − p_candidate| over every class of every compared image.
    double maxProbabilityDifference = 0.0;
    /// What the difference may be: nn::probabilityTolerance() of the less precise model (a
    /// bf16-trained run against its fp32 export: the bf16 figure).
    double tolerance = 0.0;
    /// Images whose labels differ although the reference was within `tolerance` of a tie:
    /// expected at bf16; a label change elsewhere is a disagreement.
    int borderlineChanges = 0;
    /// Images that failed in either model, "path: reason" (at most the first 20).
    QStringList failures;
    bool cancelled = false;

    /// identical / compared (1 when nothing was compared).
    double identicalShare() const { return compared > 0 ? double(identical) / compared : 1.0; }
    /// Every probability within the tolerance and every changed label a borderline case.
    bool withinTolerance() const {
        return maxProbabilityDifference <= tolerance && identical + borderlineChanges == compared;
    }
};

/// Classifies `images` with both models (each with its own preprocessing) and compares.
/// `progress(done, total)` counts both passes (total = 2 × images); returning false cancels.
/// std::nullopt with a message naming the file when either model cannot be opened.
std::optional<Agreement> compareModels(const QString& reference, const QString& candidate,
                                       const QStringList& images,
                                       const Predictor::Progress& progress, QString* error);

} // namespace tc::exporting
