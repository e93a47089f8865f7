#pragma once

// Core-internal (LibTorch) header: never include it from ui/.

#include <QString>
#include <torch/nn/modules/container/any.h>
#include <torch/types.h>

// Below both core/nn (the model builder makes it) and core/train (the trainer trains it), so
// that neither layer includes the other for it.
namespace tc::nn {

/// What the trainer trains: an optional frozen trunk, run without gradients and therefore
/// cacheable per image, followed by the trainable head that ends in logits.
///
/// With a frozen backbone (the flagship: ResNet50 frozen → Dense layers) the trunk is the
/// backbone and the head the Dense layers; with a trainable backbone the trunk is empty and
/// the head is the whole network.
struct ClassifierModel {
    /// images [N, 3, H, W] → features [N, …]; empty when nothing is frozen. Always in eval
    /// mode; precision and memory format are the trunk's own business.
    torch::nn::AnyModule trunk;
    /// features (or images) → logits [N, classes]. Training applies log-softmax in the loss;
    /// probabilities for metrics and prediction are softmax(logits).
    torch::nn::AnyModule head;
    /// Identity of the trunk's computation (architecture, weights, precision): part of the
    /// feature-cache key. Empty when there is no trunk.
    QString trunkKey;
    int classes = 0;

    bool hasTrunk() const { return !trunk.is_empty(); }
};

} // namespace tc::nn

namespace tc::train {
/// The trainer's name for it.
using ClassifierModel = tc::nn::ClassifierModel;
} // namespace tc::train
