#pragma once

// Core-internal header.

#include "core/export/TrainedModel.h"

namespace tc::exporting {

/// What the model card says about the exported file itself.
struct ModelCardContext {
    QString exportedFile; ///< file name of the export the card accompanies (may be empty)
    QString formatName; ///< "TorchScript", "TorchScript with preprocessing", "ONNX", "safetensors"
    QString exportedAt; ///< ISO 8601 UTC; empty: now
};

/// A model card in Markdown (after Mitchell et al., "Model Cards for Model Reporting"):
/// the model (architecture, backbone weights, parameters, classes, input/output), the data
/// set and its fingerprint, the split, the preprocessing, metrics per evaluated split with
/// 95 % Wilson confidence intervals (accuracy, per-class precision and recall) and the
/// confusion matrix, the training settings, intended use, limitations (research use, not a
/// diagnostic device), and how to load the exported file. Everything comes from `model`'s
/// metadata (the run's report.json); what is unknown is said to be unknown.
QString modelCardMarkdown(const TrainedModel& model, const ModelCardContext& context);

} // namespace tc::exporting
