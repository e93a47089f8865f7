#pragma once

// torchvision-compatible ResNet 18/34/50/101/152 as LibTorch modules. Core-internal: this
// header includes LibTorch; ui/ talks to networks through FeatureExtractor and the builder.

#include "core/nn/Architecture.h"
#include "core/nn/WeightStore.h"

#include <torch/torch.h>

namespace tc::nn {

/// How a ResNet is built. The defaults give torchvision's `resnet50()`.
struct ResNetOptions {
    ResNetDepth depth = ResNetDepth::ResNet50;
    /// With the top, forward() returns [N, numClasses] logits from `fc`; without it, the
    /// pooled backbone features ([N, C] or [N, C, H, W] with Pooling::None).
    bool includeTop = true;
    int64_t numClasses = 1000;
    /// Pooling after layer4 when there is no top (with a top it is always average).
    Pooling pooling = Pooling::Average;
};

/// torchvision's BasicBlock (ResNet 18/34): two 3×3 convolutions and a shortcut.
/// Children: conv1, bn1, conv2, bn2 and, where the shape changes, downsample (0: 1×1 conv,
/// 1: batch norm).
class BasicBlockImpl : public torch::nn::Module {
public:
    static constexpr int64_t kExpansion = 1;
    BasicBlockImpl(int64_t inPlanes, int64_t planes, int64_t stride);
    torch::Tensor forward(const torch::Tensor& input);

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
    torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

/// torchvision's Bottleneck (ResNet 50/101/152, "v1.5": the stride sits on the 3×3 conv).
/// Children: conv1 (1×1), bn1, conv2 (3×3), bn2, conv3 (1×1), bn3, and downsample.
class BottleneckImpl : public torch::nn::Module {
public:
    static constexpr int64_t kExpansion = 4;
    BottleneckImpl(int64_t inPlanes, int64_t planes, int64_t stride);
    torch::Tensor forward(const torch::Tensor& input);

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
    torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

/// torchvision's ResNet with the same parameter and buffer names (`conv1.weight`,
/// `bn1.running_mean`, `layer3.5.conv2.weight`, `layer1.0.downsample.0.weight`, `fc.bias`…),
/// so that a torchvision state dict loads into it one to one and the same input gives the
/// same output. Initialised like torchvision (Kaiming-normal convolutions, unit batch norms).
///
/// Trainability is per stage (stem, layer1…layer4, counted from the output end): frozen
/// stages have requires_grad false and stay in eval mode even when the model is put in
/// training mode, so their batch-norm statistics never move.
class ResNetImpl : public torch::nn::Module {
public:
    explicit ResNetImpl(const ResNetOptions& options = {});

    /// The logits with a top; otherwise the pooled features (see ResNetOptions).
    torch::Tensor forward(const torch::Tensor& input);
    /// layer4's output, [N, C, H/32, W/32], before any pooling.
    torch::Tensor forwardFeatures(const torch::Tensor& input);

    const ResNetOptions& options() const { return options_; }
    /// Channels of the backbone's output: 512 (18/34) or 2048 (50/101/152).
    int64_t featureChannels() const;

    /// Makes the last `stages` stages trainable (0: frozen … kResNetStageCount: all) and
    /// the others frozen. `fc`, when present, is trainable unless everything is frozen.
    void setTrainableStages(int stages);
    void setTrainable(const Trainability& trainability);
    int trainableStages() const { return trainableStages_; }

    /// Puts trainable stages in training mode and keeps frozen ones in eval mode.
    void train(bool on = true) override;

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
    torch::nn::Linear fc{nullptr};

private:
    torch::nn::Sequential makeLayer(int64_t planes, int64_t blocks, int64_t stride);
    /// The modules of stage `index` (0: stem, 1…4: layer1…layer4).
    std::vector<std::shared_ptr<torch::nn::Module>> stageModules(int index);
    void applyTrainability();

    ResNetOptions options_;
    int64_t inPlanes_ = 64;
    int trainableStages_ = kResNetStageCount;
};
TORCH_MODULE(ResNet);

/// Loads a torchvision-named state dict file (.pth or .safetensors) into `model`, strictly:
/// any missing, unexpected or wrong-shaped tensor leaves the model untouched and the
/// status lists them. `fc.*` in the file is ignored when the model has no top.
WeightsStatus loadResNetWeights(ResNetImpl& model, const QString& file);

/// Gives a new model its weights: with `pretrained`, `file` when given, else the store's
/// file for this depth; without, or when none is there, it stays randomly initialised and
/// the status says so (with how to get the weights).
WeightsStatus initialiseResNetWeights(ResNetImpl& model, bool pretrained, const QString& file = {},
                                      const WeightStore& store = WeightStore());

} // namespace tc::nn
