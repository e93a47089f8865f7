#pragma once

// Whether a model's backbones will get the pretrained weights they ask for, said before any
// LibTorch runs: the editor's warnings, the download actions and the "random backbone"
// confirmation read these. No LibTorch in this header or its implementation.

#include "core/graph/Graph.h"
#include "core/graph/Validation.h"
#include "core/nn/WeightStore.h"

#include <optional>
#include <QList>
#include <QString>

namespace tc::nn {

/// The weight file a ResNet node asks for (pretrained "imagenet") that `store` does not
/// hold; std::nullopt for any other node, a node that wants no weights, or when a file for
/// its depth is present (torchvision's or an imported one, as ResNet's loader looks).
std::optional<WeightVariant> missingPretrainedWeights(const graph::Node& node,
                                                      const WeightStore& store);

/// The warning for a node whose weights are missing, attached to the node; the sentence
/// names the file and the folder. One Problem per such node of `graph`, sorted by node id.
QList<graph::Problem> missingWeightsProblems(const graph::Graph& graph, const WeightStore& store);
/// The sentence of missingWeightsProblems() for `variant`.
QString missingWeightsMessage(const WeightVariant& variant, const WeightStore& store);

/// The size of `variant`'s download as its description states it ("98 MB").
QString downloadSizeText(const WeightVariant& variant);

/// Where a run's backbone came from, in a few words: "ImageNet (torchvision
/// resnet50-0676ba61)", "ImageNet (imported resnet50-1a2b3c4d)" or "RANDOM — not
/// pretrained".
QString weightsOrigin(const WeightsStatus& status);

/// A frozen ResNet that will train from random weights (none requested, or none present):
/// its features carry no information and only the head learns. The first such node, as
/// "ResNet50 (#3)"; empty when there is none.
QString randomFrozenBackbone(const graph::Graph& graph, const WeightStore& store);

/// The weights folder of TorchCanvas up to 0.x, <data>/TorchCanvas/TorchCanvas/weights (the
/// organisation and application names doubled by QStandardPaths::AppDataLocation).
QString legacyWeightsDirectory();

/// Moves the weight files of `legacy` into `target` when `target` lacks them, then removes
/// `legacy` if it is empty. Returns what happened in one sentence, or an empty string when
/// there was nothing to move (so a second call says nothing: it happens once).
QString migrateLegacyWeights(const QString& legacy = legacyWeightsDirectory(),
                             const QString& target = WeightStore::defaultDirectory());

} // namespace tc::nn
