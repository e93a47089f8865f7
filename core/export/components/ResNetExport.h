#pragma once

// Core-internal: ResNet's TorchScript in two parts, for the explainable export's features()
// (the stem and the four stages) and head() (the pooling, then the layers after it).

#include "core/export/ScriptWriter.h"
#include "core/nn/ResNet.h"

namespace tc::exporting::components {

/// x becomes layer4's output.
void writeResNetFeatures(ScriptWriter& writer, const nn::ResNetImpl& resnet, const QString& prefix);
/// x becomes the pooled features (nothing for pooling "none").
void writeResNetPooling(ScriptWriter& writer, const nn::ResNetImpl& resnet);

} // namespace tc::exporting::components
