#pragma once

// Core-internal (LibTorch) header.

#include "core/export/TrainedModel.h"

#include <optional>
#include <torch/script.h>

namespace tc::exporting {

/// The two TorchScript forms.
///
/// Bare: forward(x) takes normalised images, float32 [N, 3, H, W] exactly as the app's image
/// pipeline produces them, and returns class probabilities [N, classes].
///
/// Deployable (withPreprocessing): forward(image) takes 8-bit RGB pixels, uint8 [H, W, 3] or
/// [N, H, W, 3] of any size (as decoded by cv2/PIL and converted to RGB), and returns
/// probabilities [N, classes]. It resizes (and crops) like the app: cv::resize's INTER_AREA
/// when shrinking in both directions, else INTER_LINEAR, reproduced in integer/float32
/// arithmetic to the same 8-bit values, then normalises. Methods preprocess(image) and
/// classify(x) expose the two halves. What cannot be reproduced: the app decodes large JPEGs
/// at reduced size (libjpeg DCT scaling) and keeps 16 bits of 16-bit PNG/TIFF images; the
/// model only sees the pixels it is given.
///
/// Both carry attributes class_names (List[str]), input_shape (List[int], [3, H, W]), mean and
/// std (List[float]), preprocessing (str, JSON), with_preprocessing (bool) and
/// torchcanvas_version (str), and the extra file "torchcanvas.json" (TrainedModel::configJson()
/// plus "form"). Tensors are attributes named after TrainedModel's names with '.' replaced by
/// '_' ("backbone_layer1_0_conv1_weight"); torchcanvas.json maps them back.
///
/// With an operating point (TrainedModel::operatingPoint), the probabilities are
/// softmax(logits / temperature) and the module also carries temperature (float),
/// decision_threshold (float), decision_positive_class_index (int), decision_positive_class
/// (str), decision_chosen_by (str, the policy as JSON) and decision (str, one sentence);
/// torchcanvas.json's "decision" holds the operating point. Without one, none of these
/// attributes exist and "decision" says so.
///
/// withExplanations (a model that starts with a ResNet): also features(x) (layer4's output),
/// head(a) (logits from it) and gradcam(input, class_index) → [N, H, W] Grad-CAM maps in
/// [0, 1] at the network's input size, computed as Explainer does; input is what forward()
/// takes, class_index -1 the most probable class. torchcanvas.json's "explanations" is true.
struct TorchScriptOptions {
    bool withPreprocessing = false;
    bool withExplanations = false;
};

/// Name of the extra file inside exported TorchScript archives.
inline constexpr auto kTorchScriptMetadataFile = "torchcanvas.json";

/// The module, built programmatically: tensors registered as parameters/buffers, forward()
/// generated as TorchScript source from the component chain (eval semantics: batch norms use
/// their running statistics, dropout is off, the final softmax gives probabilities).
std::optional<torch::jit::Module>
makeScriptModule(const TrainedModel& model, const TorchScriptOptions& options, QString* error);

/// The generated TorchScript source (for documentation and tests).
std::optional<QString> scriptSource(const TrainedModel& model, const TorchScriptOptions& options,
                                    QString* error);

/// torchcanvas.json's content for `model` in the given form.
QJsonObject scriptMetadata(const TrainedModel& model, const TorchScriptOptions& options);

/// Writes the module to `path` (atomically: a temporary file renamed over the target).
bool writeTorchScript(const TrainedModel& model, const QString& path,
                      const TorchScriptOptions& options, QString* error);

/// The reason in a LibTorch / TorchScript error: its first non-empty line, without the
/// backtrace and source context.
QString scriptErrorLine(const std::exception& failure);

/// The attribute name of a tensor: '.' → '_'.
QString scriptAttributeName(const QString& tensorName);

} // namespace tc::exporting
