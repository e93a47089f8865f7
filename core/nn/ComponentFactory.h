#pragma once

// Builds the LibTorch module of one registry component from its type name and parameters.
// The graph → model builder calls this once per node, in topological order. Core-internal.

#include "core/nn/WeightStore.h"

#include <optional>
#include <QStringList>
#include <QVariantMap>
#include <torch/torch.h>
#include <vector>

namespace tc::nn {

/// Where a pretrained ResNet finds its weights.
struct ComponentContext {
    QString weightsDirectory; ///< empty: WeightStore::defaultDirectory()
    QString weightsFile;      ///< a specific file for a pretrained ResNet (overrides the store)
};

struct BuiltComponent {
    /// The module, callable as module.forward(tensor); empty when `error` is set. Register
    /// it in a parent with register_module(name, module.ptr()).
    torch::nn::AnyModule module;
    /// Shape of one output sample (no batch dimension), e.g. {2048} or {64, 56, 56}.
    std::vector<std::int64_t> outputShape;
    /// Set for ResNet: pretrained or randomly initialised, and why.
    std::optional<WeightsStatus> weights;
    QString error;

    bool ok() const { return error.isEmpty(); }
};

/// Builds `type` ("ResNet", "Dense", "Conv2D", "MaxPool2D", "GlobalAvgPool", "BatchNorm",
/// "Dropout", "Flatten"; "Input" and "Output" give an identity) for one input sample of
/// shape `inputShape` (no batch dimension). Parameter names are matched ignoring case and
/// underscores ("batch_norm" = "batchNorm"); missing ones take these defaults:
///   ResNet:    variant 50 (18|34|50|101|152 or "resnet50"), pretrained "imagenet"
///              ("imagenet"|"none" or a bool), trainable "frozen" ("frozen"|"last N"|"all"),
///              pooling "avg" ("avg"|"max"|"none"); never a top (include_top is false).
///   Dense:     units (required), activation "none", dropout 0, batch_norm false
///   Conv2D:    filters (required), kernel_size 3, stride 1, padding "same"|"valid",
///              activation "none", use_bias true
///   MaxPool2D: pool_size 2, stride = pool_size, padding "valid"|"same"
///   Dropout:   rate 0.5
///   Input:     channels, height, width (else `inputShape`)
/// Unknown parameters are ignored (the registry validates them). Errors never throw: they
/// come back in BuiltComponent::error, naming the parameter.
BuiltComponent buildComponent(const QString& type, const QVariantMap& parameters,
                              const std::vector<std::int64_t>& inputShape,
                              const ComponentContext& context = {});

/// The component types buildComponent() knows.
QStringList buildableComponentTypes();

/// ResNet's output shape for one [3, height, width] input, as torchvision computes it.
std::vector<std::int64_t> resNetOutputShape(ResNetDepth depth, Pooling pooling, std::int64_t height,
                                            std::int64_t width);

} // namespace tc::nn
