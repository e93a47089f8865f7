#pragma once

// Core-internal (LibTorch) header: the graph → LibTorch model builder.

#include "core/nn/Architecture.h"
#include "core/nn/ClassifierModel.h"
#include "core/nn/ComponentFactory.h"
#include "core/nn/TrunkIdentity.h"
#include "core/nn/WeightStore.h"

#include <optional>
#include <QString>
#include <QStringList>

namespace tc::graph {
class Graph;
}

namespace tc::nn {

struct ModelBuildOptions {
    int classes = 0; ///< from the data set; the last layer must produce this many values
    int channels = 3;
    int height = 224;
    int width = 224;
    Precision precision = Precision::Auto; ///< of a frozen backbone
    ComponentContext weights;
    /// Seeds the random initialisation (of the head, and of a backbone without weights), so
    /// that a run is repeatable and a resumed run rebuilds the same starting point.
    quint64 seed = 42;
};

/// A graph built into a trainable classifier.
struct BuiltModel {
    ClassifierModel classifier;
    /// The backbone's weights, when the graph has a ResNet: pretrained, or random and why.
    std::optional<WeightsStatus> weights;
    /// What the frozen trunk computes, when there is one; classifier.trunkKey is its
    /// toString().
    std::optional<TrunkIdentity> trunk;
    /// The arithmetic of the frozen backbone with Auto resolved; fp32 without one (trainable
    /// layers always train in fp32). Runs record it, and readers rebuild with it.
    Precision precision = Precision::Fp32;
    /// "ResNet50 (frozen, oneDNN bf16 …) → Dense 128 relu → Dense 64 relu → Dense 2 softmax"
    QString description;
    QString error;

    bool ok() const { return error.isEmpty(); }
};

/// Builds the chain of components from the Input node to the Output node. A leading frozen
/// ResNet with pooling becomes the classifier's trunk, run by a FeatureExtractor (batch norm
/// folded, channels-last, bf16 where faster); everything after it is the trainable head,
/// which returns logits (a final softmax is left to the loss in training and to
/// softmax(logits) in inference). With a trainable backbone the whole chain is the head.
/// Errors (an invalid graph, a component that cannot be built) come back in
/// BuiltModel::error; nothing throws.
BuiltModel buildModel(const tc::graph::Graph& graph, const ModelBuildOptions& options);

} // namespace tc::nn
