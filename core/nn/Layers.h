#pragma once

// The registry's non-ResNet components as LibTorch modules. Core-internal (includes LibTorch).
// Shapes below leave out the batch dimension: [C, H, W] is an image-like input, [F] a vector.

#include "core/nn/Architecture.h"

#include <torch/torch.h>

namespace tc::nn {

/// Applies `activation` to logits. Softmax is over dimension 1 (the units).
torch::Tensor applyActivation(const torch::Tensor& input, Activation activation,
                              double negativeSlope = 0.01);

struct DenseOptions {
    int64_t inFeatures = 0; ///< product of the input's dimensions (it is flattened)
    int64_t units = 1;
    Activation activation = Activation::None;
    double dropout = 0.0;        ///< rate in [0, 1); 0 means no dropout
    bool batchNorm = false;      ///< BatchNorm1d between the linear map and the activation
    double negativeSlope = 0.01; ///< for leaky_relu
};

/// A fully connected layer: Flatten → [Dropout on the input] → Linear → [BatchNorm1d] →
/// activation. Dropout acts on the input so that it means the same for every activation
/// (dropping a softmax's probabilities would not). With softmax, training mode returns the
/// logits (the trainer applies a numerically stable log-softmax loss) and eval mode returns
/// probabilities; forwardLogits() gives the logits in either mode.
/// Children: linear, and when enabled norm and dropout.
class DenseImpl : public torch::nn::Module {
public:
    explicit DenseImpl(const DenseOptions& options);
    torch::Tensor forward(const torch::Tensor& input);
    /// Everything except a final softmax or sigmoid: what a loss on logits needs.
    torch::Tensor forwardLogits(const torch::Tensor& input);
    const DenseOptions& options() const { return options_; }

    torch::nn::Linear linear{nullptr};
    torch::nn::BatchNorm1d norm{nullptr};
    torch::nn::Dropout dropout{nullptr};

private:
    DenseOptions options_;
};
TORCH_MODULE(Dense);

struct Conv2DOptions {
    int64_t inChannels = 0;
    int64_t filters = 1;
    int64_t kernelSize = 3;
    int64_t stride = 1;
    int64_t padding = 1; ///< zeros on every side ("same" is kernelSize / 2, graph::WindowRule)
    bool bias = true;
    Activation activation = Activation::None;
    double negativeSlope = 0.01;
};

/// A 2-D convolution followed by an activation (softmax is not allowed here).
/// Children: conv.
class Conv2DImpl : public torch::nn::Module {
public:
    explicit Conv2DImpl(const Conv2DOptions& options);
    torch::Tensor forward(const torch::Tensor& input);
    const Conv2DOptions& options() const { return options_; }

    torch::nn::Conv2d conv{nullptr};

private:
    Conv2DOptions options_;
};
TORCH_MODULE(Conv2D);

struct MaxPool2DOptions {
    int64_t poolSize = 2;
    int64_t stride = 0; ///< 0 means poolSize, as in Keras
    bool samePadding = false;
    int64_t padding = 0; ///< -inf cells on every side, at most poolSize / 2 (not with "same")
};

/// Max pooling over [N, C, H, W]. With "same" padding the output is ceil(H / stride).
class MaxPool2DImpl : public torch::nn::Module {
public:
    explicit MaxPool2DImpl(const MaxPool2DOptions& options);
    torch::Tensor forward(const torch::Tensor& input);
    const MaxPool2DOptions& options() const { return options_; }

private:
    MaxPool2DOptions options_;
};
TORCH_MODULE(MaxPool2D);

/// [N, C, H, W] → [N, C], the mean over the spatial positions.
class GlobalAvgPoolImpl : public torch::nn::Module {
public:
    torch::Tensor forward(const torch::Tensor& input);
};
TORCH_MODULE(GlobalAvgPool);

/// Batch normalisation of [N, F] (BatchNorm1d) or [N, C, H, W] (BatchNorm2d), chosen by the
/// input's rank at construction. Children: norm1d or norm2d.
class BatchNormImpl : public torch::nn::Module {
public:
    /// `inputRank` is 1 for [F] inputs, 3 for [C, H, W]; `features` is F or C. `momentum` and
    /// `epsilon` as torch.nn.BatchNorm2d takes them (its defaults).
    BatchNormImpl(int64_t features, int inputRank, double momentum = 0.1, double epsilon = 1e-5);
    torch::Tensor forward(const torch::Tensor& input);

    torch::nn::BatchNorm1d norm1d{nullptr};
    torch::nn::BatchNorm2d norm2d{nullptr};
};
TORCH_MODULE(BatchNorm);

/// Dropout with rate `rate` in training mode, the identity in eval mode.
class DropoutImpl : public torch::nn::Module {
public:
    explicit DropoutImpl(double rate);
    torch::Tensor forward(const torch::Tensor& input);

    torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(Dropout);

/// [N, …] → [N, product of the rest].
class FlattenImpl : public torch::nn::Module {
public:
    torch::Tensor forward(const torch::Tensor& input);
};
TORCH_MODULE(Flatten);

} // namespace tc::nn
