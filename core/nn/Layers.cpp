#include "core/nn/Layers.h"

#include "core/nn/SyncBatchNorm.h"

namespace tc::nn {

torch::Tensor applyActivation(const torch::Tensor& input, Activation activation,
                              double negativeSlope) {
    switch (activation) {
    case Activation::None:
        return input;
    case Activation::Relu:
        return torch::relu(input);
    case Activation::LeakyRelu:
        return torch::leaky_relu(input, negativeSlope);
    case Activation::Gelu:
        return torch::gelu(input);
    case Activation::Sigmoid:
        return torch::sigmoid(input);
    case Activation::Tanh:
        return torch::tanh(input);
    case Activation::Softmax:
        return torch::softmax(input, /*dim=*/1);
    }
    return input;
}

DenseImpl::DenseImpl(const DenseOptions& options)
    : options_(options) {
    TORCH_CHECK(options_.inFeatures > 0 && options_.units > 0,
                "Dense needs positive input features and units");
    TORCH_CHECK(options_.dropout >= 0.0 && options_.dropout < 1.0,
                "Dense dropout must be in [0, 1)");
    if (options_.dropout > 0.0)
        dropout = register_module("dropout", torch::nn::Dropout(options_.dropout));
    linear = register_module("linear", torch::nn::Linear(options_.inFeatures, options_.units));
    if (options_.batchNorm)
        norm = register_module("norm", torch::nn::BatchNorm1d(options_.units));
}

torch::Tensor DenseImpl::forwardLogits(const torch::Tensor& input) {
    torch::Tensor x = input.dim() > 2 ? input.flatten(1) : input;
    if (dropout)
        x = dropout(x);
    x = linear(x);
    if (norm)
        x = batchNorm(*norm, x);
    if (options_.activation == Activation::Softmax || options_.activation == Activation::Sigmoid)
        return x;
    return applyActivation(x, options_.activation, options_.negativeSlope);
}

torch::Tensor DenseImpl::forward(const torch::Tensor& input) {
    torch::Tensor logits = forwardLogits(input);
    switch (options_.activation) {
    case Activation::Softmax:
        // Training returns logits so that the loss can use log_softmax (stable); only
        // inference needs the probabilities.
        return is_training() ? logits : torch::softmax(logits, /*dim=*/1);
    case Activation::Sigmoid:
        return torch::sigmoid(logits);
    default:
        return logits;
    }
}

Conv2DImpl::Conv2DImpl(const Conv2DOptions& options)
    : options_(options) {
    TORCH_CHECK(options_.inChannels > 0 && options_.filters > 0 && options_.kernelSize > 0 &&
                    options_.stride > 0 && options_.padding >= 0,
                "Conv2D needs positive channels, filters, kernel size and stride");
    TORCH_CHECK(options_.activation != Activation::Softmax, "Conv2D cannot end in softmax");
    conv = register_module(
        "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(options_.inChannels, options_.filters,
                                                           options_.kernelSize)
                                      .stride(options_.stride)
                                      .padding(options_.padding)
                                      .bias(options_.bias)));
}

torch::Tensor Conv2DImpl::forward(const torch::Tensor& input) {
    return applyActivation(conv(input), options_.activation, options_.negativeSlope);
}

MaxPool2DImpl::MaxPool2DImpl(const MaxPool2DOptions& options)
    : options_(options) {
    TORCH_CHECK(options_.poolSize > 0 && options_.stride >= 0 && options_.padding >= 0 &&
                    options_.padding * 2 <= options_.poolSize,
                "MaxPool2D needs a positive pool size and at most half of it as padding");
    if (options_.stride == 0)
        options_.stride = options_.poolSize;
}

torch::Tensor MaxPool2DImpl::forward(const torch::Tensor& input) {
    if (!options_.samePadding)
        return torch::max_pool2d(input, options_.poolSize, options_.stride, options_.padding);
    // Keras' "same": output ceil(size / stride), padding split with the extra cell at the
    // end; -inf padding never wins a maximum.
    const int64_t k = options_.poolSize;
    const int64_t s = options_.stride;
    auto padFor = [&](int64_t size) {
        const int64_t out = (size + s - 1) / s;
        return std::max<int64_t>((out - 1) * s + k - size, 0);
    };
    const int64_t padH = padFor(input.size(2));
    const int64_t padW = padFor(input.size(3));
    const torch::Tensor padded =
        torch::constant_pad_nd(input, {padW / 2, padW - padW / 2, padH / 2, padH - padH / 2},
                               -std::numeric_limits<double>::infinity());
    return torch::max_pool2d(padded, k, s);
}

torch::Tensor GlobalAvgPoolImpl::forward(const torch::Tensor& input) {
    return input.mean({2, 3});
}

BatchNormImpl::BatchNormImpl(int64_t features, int inputRank, double momentum, double epsilon) {
    TORCH_CHECK(features > 0, "BatchNorm needs a positive feature count");
    TORCH_CHECK(inputRank == 1 || inputRank == 3,
                "BatchNorm takes a vector [F] or an image-like [C, H, W] input");
    if (inputRank == 1)
        norm1d = register_module(
            "norm1d", torch::nn::BatchNorm1d(
                          torch::nn::BatchNorm1dOptions(features).momentum(momentum).eps(epsilon)));
    else
        norm2d = register_module(
            "norm2d", torch::nn::BatchNorm2d(
                          torch::nn::BatchNorm2dOptions(features).momentum(momentum).eps(epsilon)));
}

torch::Tensor BatchNormImpl::forward(const torch::Tensor& input) {
    return norm1d ? batchNorm(*norm1d, input) : batchNorm(*norm2d, input);
}

DropoutImpl::DropoutImpl(double rate) {
    TORCH_CHECK(rate >= 0.0 && rate < 1.0, "Dropout rate must be in [0, 1)");
    dropout = register_module("dropout", torch::nn::Dropout(rate));
}

torch::Tensor DropoutImpl::forward(const torch::Tensor& input) {
    return dropout(input);
}

torch::Tensor FlattenImpl::forward(const torch::Tensor& input) {
    return input.flatten(1);
}

} // namespace tc::nn
