#pragma once

// Plain descriptions of the networks TorchCanvas builds (no LibTorch here, so ui/ and the CLI
// can use them): ResNet depths, pooling, trainability and inference precision.

#include <array>
#include <optional>
#include <QString>

namespace tc::nn {

/// The five torchvision ResNets.
enum class ResNetDepth {
    ResNet18 = 18,
    ResNet34 = 34,
    ResNet50 = 50,
    ResNet101 = 101,
    ResNet152 = 152
};

inline constexpr std::array<ResNetDepth, 5> kResNetDepths = {
    ResNetDepth::ResNet18, ResNetDepth::ResNet34, ResNetDepth::ResNet50, ResNetDepth::ResNet101,
    ResNetDepth::ResNet152};

/// Stages counted for trainability: the stem (conv1, bn1) and layer1…layer4.
inline constexpr int kResNetStageCount = 5;

/// 18 → ResNet18 …; std::nullopt for any other number.
std::optional<ResNetDepth> resNetDepthFromNumber(int number);
/// Accepts "50", "resnet50", "ResNet50" (any case); std::nullopt otherwise.
std::optional<ResNetDepth> parseResNetDepth(const QString& text);
/// "resnet50".
QString resNetName(ResNetDepth depth);
/// Channels of layer4's output: 512 for 18/34, 2048 for 50/101/152.
int resNetFeatureChannels(ResNetDepth depth);
/// Blocks in layer1…layer4, as in torchvision.
std::array<int, 4> resNetBlockCounts(ResNetDepth depth);
/// True for 50/101/152 (Bottleneck blocks), false for 18/34 (BasicBlock).
bool resNetUsesBottleneck(ResNetDepth depth);

/// What follows a backbone's last feature map.
enum class Pooling {
    Average, ///< global average: [N, C]
    Max,     ///< global max: [N, C]
    None     ///< the feature map itself: [N, C, H, W]
};
/// "avg"/"average", "max", "none" (any case).
std::optional<Pooling> parsePooling(const QString& text);
QString poolingName(Pooling pooling);

/// Which stages of a backbone learn. Stages are counted from the output end: "last 1"
/// is layer4, "last 2" layer3 and layer4, …, "last 5" (= all) includes the stem.
struct Trainability {
    enum class Mode { Frozen, LastStages, All };
    Mode mode = Mode::Frozen;
    int lastStages = 0; ///< used with Mode::LastStages, 1…kResNetStageCount

    /// Number of trainable stages, 0…kResNetStageCount.
    int trainableStages() const;
    bool isFrozen() const { return trainableStages() == 0; }

    static Trainability frozen() { return {Mode::Frozen, 0}; }
    static Trainability all() { return {Mode::All, kResNetStageCount}; }
    static Trainability last(int stages) { return {Mode::LastStages, stages}; }
};
/// "frozen", "all", "last 2", "last_2", "last2", "last-2" (any case); a count outside
/// 1…kResNetStageCount gives std::nullopt with the reason in `error` when given.
std::optional<Trainability> parseTrainability(const QString& text, QString* error = nullptr);
QString trainabilityName(const Trainability& trainability);

/// The activation that ends a Dense or Conv2D layer.
enum class Activation { None, Relu, LeakyRelu, Gelu, Sigmoid, Tanh, Softmax };
/// "none"/"linear", "relu", "leaky_relu" (or "leakyrelu"), "gelu", "sigmoid", "tanh",
/// "softmax" (any case).
std::optional<Activation> parseActivation(const QString& text);
QString activationName(Activation activation);

/// Arithmetic of a frozen backbone. Auto is resolved once per run from the CPU's features
/// (core/nn/PrecisionPolicy.h) and the resolved value is recorded with the run.
enum class Precision { Fp32, Bf16, Auto };
std::optional<Precision> parsePrecision(const QString& text);
QString precisionName(Precision precision);

} // namespace tc::nn
