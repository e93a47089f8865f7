#include "core/nn/FoldedResNet.h"

#include "core/nn/ResNet.h"

namespace tc::nn {

namespace {

FoldedConv fold(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& norm) {
    torch::NoGradGuard noGrad;
    // Fold in double: the scale can be large where a channel's variance is tiny.
    const torch::Tensor scale =
        norm->weight.to(torch::kFloat64) /
        torch::sqrt(norm->running_var.to(torch::kFloat64) + norm->options.eps());
    FoldedConv folded;
    folded.weight = (conv->weight.to(torch::kFloat64) * scale.view({-1, 1, 1, 1}))
                        .to(torch::kFloat32)
                        .contiguous();
    folded.bias = (norm->bias.to(torch::kFloat64) - norm->running_mean.to(torch::kFloat64) * scale)
                      .to(torch::kFloat32)
                      .contiguous();
    folded.stride = (*conv->options.stride())[0];
    folded.padding = (*c10::get<torch::ExpandingArray<2>>(conv->options.padding()))[0];
    return folded;
}

template <typename Block> FoldedBlock foldBlock(Block& block) {
    FoldedBlock folded;
    folded.convs.push_back(fold(block.conv1, block.bn1));
    folded.convs.push_back(fold(block.conv2, block.bn2));
    if constexpr (std::is_same_v<Block, BottleneckImpl>)
        folded.convs.push_back(fold(block.conv3, block.bn3));
    if (block.downsample) {
        const auto conv =
            std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(block.downsample->ptr(0));
        const auto norm =
            std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(block.downsample->ptr(1));
        folded.downsample = fold(torch::nn::Conv2d(conv), torch::nn::BatchNorm2d(norm));
    }
    return folded;
}

} // namespace

FoldedResNet foldResNet(ResNetImpl& model) {
    FoldedResNet folded;
    folded.depth = model.options().depth;
    folded.channels = model.featureChannels();
    folded.stem = fold(model.conv1, model.bn1);
    for (const auto& layer : {model.layer1, model.layer2, model.layer3, model.layer4}) {
        for (const auto& child : layer->children()) {
            if (auto* bottleneck = child->as<BottleneckImpl>())
                folded.blocks.push_back(foldBlock(*bottleneck));
            else if (auto* basic = child->as<BasicBlockImpl>())
                folded.blocks.push_back(foldBlock(*basic));
        }
    }
    return folded;
}

namespace {

class LibTorchEngine final : public BackboneEngine {
public:
    LibTorchEngine(const FoldedResNet& folded, bool bf16, Pooling pooling)
        : type_(bf16 ? torch::kBFloat16 : torch::kFloat32)
        , pooling_(pooling) {
        stem_ = prepare(folded.stem);
        for (const FoldedBlock& block : folded.blocks) {
            Block prepared;
            for (const FoldedConv& conv : block.convs)
                prepared.convs.push_back(prepare(conv));
            if (block.downsample)
                prepared.downsample = prepare(*block.downsample);
            blocks_.push_back(std::move(prepared));
        }
    }

    torch::Tensor run(const torch::Tensor& images) override {
        torch::NoGradGuard noGrad;
        torch::Tensor x = images.to(type_).contiguous(at::MemoryFormat::ChannelsLast);
        x = apply(stem_, x).relu_();
        x = torch::max_pool2d(x, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
        for (const Block& block : blocks_) {
            torch::Tensor y = x;
            for (std::size_t i = 0; i + 1 < block.convs.size(); ++i)
                y = apply(block.convs[i], y).relu_();
            y = apply(block.convs.back(), y);
            y += block.downsample ? apply(*block.downsample, x) : x;
            x = y.relu_();
        }
        torch::Tensor pooled = pooling_ == Pooling::Max ? torch::amax(x, {2, 3}) : x.mean({2, 3});
        return pooled.to(torch::kFloat32).contiguous();
    }

    QString description() const override {
        return QStringLiteral("LibTorch, %1, channels-last, batch norm folded")
            .arg(type_ == torch::kBFloat16 ? QStringLiteral("bf16") : QStringLiteral("fp32"));
    }

private:
    struct Conv {
        torch::Tensor weight, bias;
        std::int64_t stride, padding;
    };
    struct Block {
        std::vector<Conv> convs;
        std::optional<Conv> downsample;
    };

    Conv prepare(const FoldedConv& conv) const {
        return {conv.weight.to(type_).contiguous(at::MemoryFormat::ChannelsLast),
                conv.bias.to(type_), conv.stride, conv.padding};
    }
    static torch::Tensor apply(const Conv& conv, const torch::Tensor& x) {
        return torch::conv2d(x, conv.weight, conv.bias, conv.stride, conv.padding);
    }

    torch::ScalarType type_;
    Pooling pooling_;
    Conv stem_;
    std::vector<Block> blocks_;
};

} // namespace

std::unique_ptr<BackboneEngine> makeLibTorchEngine(const FoldedResNet& folded, bool bf16,
                                                   Pooling pooling) {
    return std::make_unique<LibTorchEngine>(folded, bf16, pooling);
}

} // namespace tc::nn
