#include "core/nn/ResNet.h"

#include "core/nn/StateDict.h"
#include "core/nn/SyncBatchNorm.h"

namespace tc::nn {

namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, /*kernel_size=*/3).stride(stride).padding(1).bias(false));
}

torch::nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride) {
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, /*kernel_size=*/1).stride(stride).bias(false));
}

/// torchvision adds a projection shortcut exactly where the block changes the shape.
torch::nn::Sequential makeDownsample(int64_t in, int64_t out, int64_t stride) {
    if (stride == 1 && in == out)
        return torch::nn::Sequential{nullptr};
    return torch::nn::Sequential(conv1x1(in, out, stride), torch::nn::BatchNorm2d(out));
}

/// The projection shortcut (1×1 conv, batch norm) through batchNorm(): synchronised across
/// processes where a SyncBatchNormScope asks for it.
torch::Tensor shortcut(torch::nn::Sequential& downsample, const torch::Tensor& input) {
    auto* convolution = downsample[0]->as<torch::nn::Conv2dImpl>();
    auto* norm = downsample[1]->as<torch::nn::BatchNorm2dImpl>();
    return batchNorm(*norm, convolution->forward(input));
}

} // namespace

BasicBlockImpl::BasicBlockImpl(int64_t inPlanes, int64_t planes, int64_t stride)
    : conv1(register_module("conv1", conv3x3(inPlanes, planes, stride)))
    , conv2(register_module("conv2", conv3x3(planes, planes, 1)))
    , bn1(register_module("bn1", torch::nn::BatchNorm2d(planes)))
    , bn2(register_module("bn2", torch::nn::BatchNorm2d(planes))) {
    downsample = makeDownsample(inPlanes, planes * kExpansion, stride);
    if (downsample)
        register_module("downsample", downsample);
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& input) {
    torch::Tensor out = torch::relu(batchNorm(*bn1, conv1(input)));
    out = batchNorm(*bn2, conv2(out));
    out += downsample ? shortcut(downsample, input) : input;
    return torch::relu_(out);
}

BottleneckImpl::BottleneckImpl(int64_t inPlanes, int64_t planes, int64_t stride)
    : conv1(register_module("conv1", conv1x1(inPlanes, planes, 1)))
    , conv2(register_module("conv2", conv3x3(planes, planes, stride)))
    , conv3(register_module("conv3", conv1x1(planes, planes * kExpansion, 1)))
    , bn1(register_module("bn1", torch::nn::BatchNorm2d(planes)))
    , bn2(register_module("bn2", torch::nn::BatchNorm2d(planes)))
    , bn3(register_module("bn3", torch::nn::BatchNorm2d(planes * kExpansion))) {
    downsample = makeDownsample(inPlanes, planes * kExpansion, stride);
    if (downsample)
        register_module("downsample", downsample);
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& input) {
    torch::Tensor out = torch::relu(batchNorm(*bn1, conv1(input)));
    out = torch::relu(batchNorm(*bn2, conv2(out)));
    out = batchNorm(*bn3, conv3(out));
    out += downsample ? shortcut(downsample, input) : input;
    return torch::relu_(out);
}

ResNetImpl::ResNetImpl(const ResNetOptions& options)
    : options_(options) {
    conv1 = register_module(
        "conv1",
        torch::nn::Conv2d(
            torch::nn::Conv2dOptions(3, 64, /*kernel_size=*/7).stride(2).padding(3).bias(false)));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
    const std::array<int, 4> blocks = resNetBlockCounts(options_.depth);
    layer1 = register_module("layer1", makeLayer(64, blocks[0], 1));
    layer2 = register_module("layer2", makeLayer(128, blocks[1], 2));
    layer3 = register_module("layer3", makeLayer(256, blocks[2], 2));
    layer4 = register_module("layer4", makeLayer(512, blocks[3], 2));
    if (options_.includeTop)
        fc = register_module("fc", torch::nn::Linear(featureChannels(), options_.numClasses));

    // torchvision's initialisation; Linear keeps LibTorch's default, which is PyTorch's.
    torch::NoGradGuard noGrad;
    for (const auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            torch::nn::init::kaiming_normal_(conv->weight, /*a=*/0, torch::kFanOut, torch::kReLU);
        } else if (auto* norm = module->as<torch::nn::BatchNorm2d>()) {
            torch::nn::init::ones_(norm->weight);
            torch::nn::init::zeros_(norm->bias);
        }
    }
}

torch::nn::Sequential ResNetImpl::makeLayer(int64_t planes, int64_t blocks, int64_t stride) {
    torch::nn::Sequential layer;
    const bool bottleneck = resNetUsesBottleneck(options_.depth);
    const int64_t expansion = bottleneck ? BottleneckImpl::kExpansion : BasicBlockImpl::kExpansion;
    for (int64_t i = 0; i < blocks; ++i) {
        const int64_t blockStride = i == 0 ? stride : 1;
        if (bottleneck)
            layer->push_back(Bottleneck(inPlanes_, planes, blockStride));
        else
            layer->push_back(BasicBlock(inPlanes_, planes, blockStride));
        inPlanes_ = planes * expansion;
    }
    return layer;
}

int64_t ResNetImpl::featureChannels() const {
    return resNetFeatureChannels(options_.depth);
}

torch::Tensor ResNetImpl::forwardFeatures(const torch::Tensor& input) {
    torch::Tensor x = torch::relu(batchNorm(*bn1, conv1(input)));
    x = torch::max_pool2d(x, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
    x = layer1->forward(x);
    x = layer2->forward(x);
    x = layer3->forward(x);
    return layer4->forward(x);
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& input) {
    torch::Tensor x = forwardFeatures(input);
    if (options_.includeTop) {
        x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
        return fc(x);
    }
    switch (options_.pooling) {
    case Pooling::Average:
        return torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    case Pooling::Max:
        return torch::amax(x, {2, 3});
    case Pooling::None:
        break;
    }
    return x;
}

std::vector<std::shared_ptr<torch::nn::Module>> ResNetImpl::stageModules(int index) {
    switch (index) {
    case 0:
        return {conv1.ptr(), bn1.ptr()};
    case 1:
        return {layer1.ptr()};
    case 2:
        return {layer2.ptr()};
    case 3:
        return {layer3.ptr()};
    case 4:
        return {layer4.ptr()};
    default:
        return {};
    }
}

void ResNetImpl::setTrainableStages(int stages) {
    trainableStages_ = std::clamp(stages, 0, kResNetStageCount);
    applyTrainability();
}

void ResNetImpl::setTrainable(const Trainability& trainability) {
    setTrainableStages(trainability.trainableStages());
}

void ResNetImpl::applyTrainability() {
    const int firstTrainable = kResNetStageCount - trainableStages_;
    for (int stage = 0; stage < kResNetStageCount; ++stage) {
        const bool trainable = stage >= firstTrainable;
        for (const auto& module : stageModules(stage)) {
            for (auto& parameter : module->parameters())
                parameter.requires_grad_(trainable);
        }
    }
    if (fc) {
        for (auto& parameter : fc->parameters())
            parameter.requires_grad_(trainableStages_ > 0);
    }
    // Re-apply the mode so that newly frozen stages drop to eval mode at once.
    train(is_training());
}

void ResNetImpl::train(bool on) {
    torch::nn::Module::train(on);
    // A frozen stage must behave the same in every epoch: its batch norms keep using (and
    // never update) their running statistics, as in Keras' `trainable = False`.
    const int firstTrainable = kResNetStageCount - trainableStages_;
    for (int stage = 0; stage < firstTrainable; ++stage) {
        for (const auto& module : stageModules(stage))
            module->train(false);
    }
}

WeightsStatus loadResNetWeights(ResNetImpl& model, const QString& file) {
    WeightsStatus status;
    status.model = resNetName(model.options().depth);
    status.file = file;
    QString error;
    const std::optional<StateDict> tensors = readWeightsFile(file, &error);
    if (!tensors) {
        status.state = WeightsStatus::State::RandomLoadFailed;
        status.reason = error;
        return status;
    }
    LoadOptions options;
    if (!model.options().includeTop)
        options.ignoredPrefixes = {QStringLiteral("fc.")};
    const LoadReport report = loadStateDict(model, *tensors, options);
    if (!report.ok()) {
        status.state = WeightsStatus::State::RandomLoadFailed;
        status.reason =
            QStringLiteral("%1 does not match %2: %3").arg(file, status.model, report.summary());
        return status;
    }
    status.state = WeightsStatus::State::Pretrained;
    return status;
}

WeightsStatus initialiseResNetWeights(ResNetImpl& model, bool pretrained, const QString& file,
                                      const WeightStore& store) {
    const ResNetDepth depth = model.options().depth;
    if (!pretrained) {
        WeightsStatus status;
        status.model = resNetName(depth);
        status.state = WeightsStatus::State::RandomRequested;
        return status;
    }
    const QString path = file.isEmpty() ? store.findWeights(depth) : file;
    if (path.isEmpty()) {
        WeightsStatus status;
        status.model = resNetName(depth);
        status.state = WeightsStatus::State::RandomNoWeights;
        status.reason = QStringLiteral("no ImageNet weights for %1 in %2; run 'torchcanvas "
                                       "weights fetch %3' or 'torchcanvas weights import FILE'")
                            .arg(status.model, store.directory(), defaultWeightVariant(depth).id);
        return status;
    }
    return loadResNetWeights(model, path);
}

} // namespace tc::nn
