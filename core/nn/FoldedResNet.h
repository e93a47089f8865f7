#pragma once

// Inference-only forms of a frozen ResNet backbone, used by FeatureExtractor. Core-internal.

#include "core/nn/Architecture.h"

#include <memory>
#include <QString>
#include <torch/torch.h>
#include <vector>

namespace tc::nn {

class ResNetImpl;

/// A convolution with its batch norm folded in: y = conv(x, weight) + bias, where
/// weight = W·γ/√(σ²+ε) per output channel and bias = β − μ·γ/√(σ²+ε). Exact up to fp32
/// rounding for a model in eval mode.
struct FoldedConv {
    torch::Tensor weight; ///< [out, in, k, k] float32, contiguous
    torch::Tensor bias;   ///< [out] float32
    std::int64_t stride = 1;
    std::int64_t padding = 0;
};

/// One residual block: convs[0…] each followed by ReLU except the last, whose output is
/// added to the shortcut (downsample(x) or x) before a final ReLU.
struct FoldedBlock {
    std::vector<FoldedConv> convs;
    std::optional<FoldedConv> downsample;
};

/// A whole backbone as folded convolutions: stem (conv + ReLU, then 3×3/2 max pool) and the
/// blocks of layer1…layer4 in order.
struct FoldedResNet {
    ResNetDepth depth = ResNetDepth::ResNet50;
    FoldedConv stem;
    std::vector<FoldedBlock> blocks;
    std::int64_t channels = 0;
};

/// Folds `model`'s batch norms (using their running statistics) into its convolutions.
FoldedResNet foldResNet(ResNetImpl& model);

/// A backend that runs a FoldedResNet on float NCHW batches and returns pooled features.
class BackboneEngine {
public:
    virtual ~BackboneEngine() = default;
    /// images: [N, 3, H, W] float32 (any strides); returns [N, C] float32.
    virtual torch::Tensor run(const torch::Tensor& images) = 0;
    /// "oneDNN, fp32, nhwc, Winograd 3×3" …
    virtual QString description() const = 0;
};

/// The LibTorch engine: ATen convolutions in channels-last, fp32 or bf16, in-place ReLU and
/// residual additions. Works everywhere LibTorch does.
std::unique_ptr<BackboneEngine> makeLibTorchEngine(const FoldedResNet& folded, bool bf16,
                                                   Pooling pooling);

/// The oneDNN engine: every convolution a oneDNN primitive with its ReLU and residual sum
/// fused as post-ops, weights reordered once, activations in one layout end to end and
/// buffers reused across layers. Returns nullptr when TorchCanvas was built without the
/// oneDNN headers.
std::unique_ptr<BackboneEngine> makeOneDnnEngine(const FoldedResNet& folded, bool bf16,
                                                 Pooling pooling);

/// True when makeOneDnnEngine() is available in this build.
bool oneDnnEngineAvailable();

} // namespace tc::nn
