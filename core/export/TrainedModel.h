#pragma once

// Core-internal (LibTorch) header: the plain description every export format is written
// from. ui/ reaches export through Exporter.h and Predictor.h.

#include "core/data/DataSettings.h"
#include "core/nn/Architecture.h"
#include "core/nn/StateDict.h"
#include "core/train/Decision.h"

#include <optional>
#include <QJsonObject>
#include <QStringList>
#include <QVariantMap>
#include <vector>

namespace tc::exporting {

/// One component of the model, as in the project graph: a registry type name ("ResNet",
/// "Dense", "Concatenate", …), its parameters and where its inputs come from.
struct ComponentSpec {
    QString type;
    QVariantMap parameters;
    /// The components feeding this one, by index into TrainedModel::components (always
    /// earlier ones: the list is in topological order), in input-port order; -1 is the model's
    /// input (the images). Empty means "the previous component" (the images for the first):
    /// a chain has no inputs anywhere, and its configuration is written as before graphs.
    std::vector<int> inputs;
};

/// A trained model described without any LibTorch module: the chain of components (Input and
/// Output excluded), every parameter and buffer by name, the class names, the preprocessing
/// the model was trained with and what is known about its training.
///
/// Tensor names: a ResNet that starts the chain is the "backbone" and keeps torchvision's
/// names under that prefix ("backbone.conv1.weight", "backbone.layer1.0.downsample.1.running_var";
/// no fc.*). Every other component i (counted from 0 after the backbone, or from the first
/// component when there is none) uses "head.<i>." followed by its module's own child names:
/// Dense "linear.weight", "norm.running_mean"; Conv2D "conv.weight"; BatchNorm
/// "norm1d.weight" or "norm2d.weight". Components without tensors have no names.
///
/// Every exporter (TorchScript, ONNX, safetensors, model card) reads only this, so export is
/// independent of how the model object was built and trained.
struct TrainedModel {
    std::vector<ComponentSpec> components;
    nn::StateDict tensors;
    QStringList classNames;
    data::PreprocessingSettings preprocessing;
    /// What is known about training: the run's report.json (data set fingerprint, split,
    /// metrics, training settings), plus "source" (the file the model was read from) and
    /// "checkpoint" (best or last) where known. May be empty.
    QJsonObject metadata;
    /// The precision a frozen backbone was trained with (the run's record). `predict` on a
    /// run computes with it; exported files always compute in fp32.
    nn::Precision backbonePrecision = nn::Precision::Fp32;
    /// The run's decision (<run>/operating-point.json): threshold, temperature, positive
    /// class. Absent for runs trained before operating points and for models that never had
    /// one; then the label is the most probable class.
    std::optional<train::OperatingPoint> operatingPoint;

    /// The temperature the exported probabilities divide the logits by: the operating
    /// point's, or 1.
    double temperature() const { return operatingPoint ? operatingPoint->temperature : 1.0; }

    /// [3, height, width] of one preprocessed image.
    std::vector<std::int64_t> inputShape() const;
    /// True when the chain starts with a ResNet (its tensors are under "backbone.").
    bool hasBackbone() const;
    /// True when no component names its inputs: every one reads the one before.
    bool isChain() const;
    /// The inputs of component `index` resolved: its own list, or {index − 1}.
    std::vector<int> inputsOf(int index) const;
    /// "backbone." or "head.<i>." for component `index`.
    QString tensorPrefix(int index) const;
    /// "ResNet18 → Dense 128 relu → Dense 2 softmax".
    QString architectureSummary() const;
    /// Number of elements of every parameter (buffers excluded).
    std::int64_t parameterCount() const;

    /// The JSON config written next to exported weights and inside exported models:
    /// format/version, the component chain, classes, preprocessing, input shape, the tensor
    /// names with their shapes, the TorchCanvas version, the metadata and "decision": the
    /// operating point (OperatingPoint::toJson(): threshold, temperature, positiveClass,
    /// positiveClassIndex, chosenBy, chosenOn, targetMet), or the string kNoOperatingPoint.
    QJsonObject configJson() const;
    /// Reads what configJson() wrote (the tensors are not part of it). Names the problem in
    /// `error` (prefixed by nothing: callers name the file).
    static std::optional<TrainedModel> fromConfigJson(const QJsonObject& json, QString* error);
};

/// "format" of configJson().
inline constexpr auto kModelConfigFormat = "torchcanvas-model";
inline constexpr int kModelConfigVersion = 1;
/// "decision" of a model without an operating point.
inline constexpr auto kNoOperatingPoint =
    "no operating point: the label is the most probable class";

/// ImageNet's per-channel mean and std as the image pipeline uses them; mean 0 and std 1 when
/// the preprocessing does not normalise.
struct Normalisation {
    float mean[3];
    float std[3];
};
Normalisation normalisationOf(const data::PreprocessingSettings& settings);

} // namespace tc::exporting
