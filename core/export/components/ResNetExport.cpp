// ResNet's ONNX and TorchScript forms (described in core/graph/components/ResNet.cpp, built in
// core/nn/components/ResNetModule.cpp), under torchvision's tensor names.

#include "core/export/components/ResNetExport.h"

#include "core/export/components/Registrations.h"
#include "core/export/ExportMappings.h"
#include "core/export/OnnxWriter.h"
#include "core/graph/ComponentRegistry.h"

namespace tc::exporting::components {

namespace {

// ---- ONNX ----------------------------------------------------------------------------------

std::string onnxBlock(OnnxWriter& w, const std::string& x, torch::nn::Module& module,
                      const QString& name) {
    std::string y;
    torch::nn::Sequential downsample{nullptr};
    if (auto* basic = dynamic_cast<nn::BasicBlockImpl*>(&module)) {
        y = w.conv(x, *basic->conv1, name + QStringLiteral("conv1"));
        y = w.node("Relu", {w.batchNorm(y, basic->bn1->options, name + QStringLiteral("bn1"))},
                   name);
        y = w.conv(y, *basic->conv2, name + QStringLiteral("conv2"));
        y = w.batchNorm(y, basic->bn2->options, name + QStringLiteral("bn2"));
        downsample = basic->downsample;
    } else if (auto* bottleneck = dynamic_cast<nn::BottleneckImpl*>(&module)) {
        y = w.conv(x, *bottleneck->conv1, name + QStringLiteral("conv1"));
        y = w.node("Relu", {w.batchNorm(y, bottleneck->bn1->options, name + QStringLiteral("bn1"))},
                   name);
        y = w.conv(y, *bottleneck->conv2, name + QStringLiteral("conv2"));
        y = w.node("Relu", {w.batchNorm(y, bottleneck->bn2->options, name + QStringLiteral("bn2"))},
                   name);
        y = w.conv(y, *bottleneck->conv3, name + QStringLiteral("conv3"));
        y = w.batchNorm(y, bottleneck->bn3->options, name + QStringLiteral("bn3"));
        downsample = bottleneck->downsample;
    } else {
        throw OnnxExportError("an unknown ResNet block");
    }
    std::string shortcut = x;
    if (downsample) {
        auto* convolution = downsample[0]->as<torch::nn::Conv2d>();
        auto* norm = downsample[1]->as<torch::nn::BatchNorm2d>();
        if (!convolution || !norm)
            throw OnnxExportError("an unknown ResNet shortcut");
        shortcut = w.conv(x, *convolution, name + QStringLiteral("downsample.0"));
        shortcut = w.batchNorm(shortcut, norm->options, name + QStringLiteral("downsample.1"));
    }
    return w.node("Relu", {w.node("Add", {y, shortcut}, name)}, name);
}

std::string onnxResNet(OnnxWriter& w, const ChainLayer& layer,
                       const std::vector<std::string>& inputs, bool) {
    auto* model = layer.as<nn::ResNetImpl>();
    if (!model)
        throw OnnxExportError("a ResNet layer without its module");
    const QString& prefix = layer.prefix;
    std::string x = w.conv(inputs.front(), *model->conv1, prefix + QStringLiteral("conv1"));
    x = w.node("Relu", {w.batchNorm(x, model->bn1->options, prefix + QStringLiteral("bn1"))},
               prefix);
    x = w.node("MaxPool", {x}, prefix + QStringLiteral("maxpool"));
    w.attribute("kernel_shape", std::vector<std::int64_t>{3, 3});
    w.attribute("strides", std::vector<std::int64_t>{2, 2});
    w.attribute("pads", std::vector<std::int64_t>{1, 1, 1, 1});
    const std::pair<const char*, torch::nn::Sequential> stages[] = {{"layer1", model->layer1},
                                                                    {"layer2", model->layer2},
                                                                    {"layer3", model->layer3},
                                                                    {"layer4", model->layer4}};
    for (const auto& [stageName, stage] : stages) {
        for (const auto& child : stage->named_children())
            x = onnxBlock(w, x, *child.value(),
                          prefix + QLatin1String(stageName) + QLatin1Char('.') +
                              QString::fromStdString(child.key()) + QLatin1Char('.'));
    }
    switch (model->options().pooling) {
    case nn::Pooling::Average:
        return w.flatten(w.node("GlobalAveragePool", {x}, prefix + QStringLiteral("avgpool")),
                         prefix + QStringLiteral("avgpool"));
    case nn::Pooling::Max:
        return w.flatten(w.node("GlobalMaxPool", {x}, prefix + QStringLiteral("maxpool")),
                         prefix + QStringLiteral("maxpool"));
    case nn::Pooling::None:
        break;
    }
    return x;
}

// ---- TorchScript ---------------------------------------------------------------------------

void writeShortcut(ScriptWriter& w, torch::nn::Sequential downsample, const QString& block) {
    if (!downsample) {
        w.line(QStringLiteral("s = x"));
        return;
    }
    auto* convolution = downsample[0]->as<torch::nn::Conv2d>();
    auto* norm = downsample[1]->as<torch::nn::BatchNorm2d>();
    if (!convolution || !norm)
        throw std::runtime_error("an unknown ResNet shortcut");
    w.line(QStringLiteral("s = ") +
           w.conv(QStringLiteral("x"), *convolution, block + QStringLiteral("downsample.0")));
    w.line(QStringLiteral("s = ") +
           w.batchNorm(QStringLiteral("s"), norm->options, block + QStringLiteral("downsample.1")));
}

/// y = bn<k>(conv<k>(input)), followed by a ReLU except for a block's last convolution.
void writeConvNorm(ScriptWriter& w, const QString& input, const torch::nn::Conv2dImpl& convolution,
                   const torch::nn::BatchNorm2dImpl& norm, const QString& block, int k, bool relu) {
    const QString index = QString::number(k);
    w.line(QStringLiteral("y = ") +
           w.conv(input, convolution, block + QStringLiteral("conv") + index));
    const QString normed =
        w.batchNorm(QStringLiteral("y"), norm.options, block + QStringLiteral("bn") + index);
    w.line(QStringLiteral("y = ") +
           (relu ? QStringLiteral("torch.relu(") + normed + QLatin1Char(')') : normed));
}

void writeBasicBlock(ScriptWriter& w, const nn::BasicBlockImpl& b, const QString& block) {
    writeConvNorm(w, QStringLiteral("x"), *b.conv1, *b.bn1, block, 1, true);
    writeConvNorm(w, QStringLiteral("y"), *b.conv2, *b.bn2, block, 2, false);
    writeShortcut(w, b.downsample, block);
    w.line(QStringLiteral("x = torch.relu(y + s)"));
}

void writeBottleneck(ScriptWriter& w, const nn::BottleneckImpl& b, const QString& block) {
    writeConvNorm(w, QStringLiteral("x"), *b.conv1, *b.bn1, block, 1, true);
    writeConvNorm(w, QStringLiteral("y"), *b.conv2, *b.bn2, block, 2, true);
    writeConvNorm(w, QStringLiteral("y"), *b.conv3, *b.bn3, block, 3, false);
    writeShortcut(w, b.downsample, block);
    w.line(QStringLiteral("x = torch.relu(y + s)"));
}

void scriptResNet(ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool) {
    auto* resnet = layer.as<nn::ResNetImpl>();
    if (!resnet)
        throw std::runtime_error("a ResNet layer without its module");
    writeResNetFeatures(w, *resnet, layer.prefix);
    writeResNetPooling(w, *resnet);
}

} // namespace

void writeResNetFeatures(ScriptWriter& w, const nn::ResNetImpl& resnet, const QString& prefix) {
    w.line(QStringLiteral("# %1 (torchvision names)").arg(prefix.chopped(1)));
    w.line(QStringLiteral("x = ") +
           w.conv(QStringLiteral("x"), *resnet.conv1, prefix + QStringLiteral("conv1")));
    w.line(QStringLiteral("x = ") +
           w.batchNorm(QStringLiteral("x"), resnet.bn1->options, prefix + QStringLiteral("bn1")));
    w.line(QStringLiteral("x = torch.relu(x)"));
    w.line(QStringLiteral("x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], False)"));
    const std::pair<const char*, torch::nn::Sequential> stages[] = {{"layer1", resnet.layer1},
                                                                    {"layer2", resnet.layer2},
                                                                    {"layer3", resnet.layer3},
                                                                    {"layer4", resnet.layer4}};
    for (const auto& [stageName, stage] : stages) {
        for (const auto& child : stage->named_children()) {
            const QString block = prefix + QLatin1String(stageName) + QLatin1Char('.') +
                                  QString::fromStdString(child.key()) + QLatin1Char('.');
            if (auto* basic = dynamic_cast<nn::BasicBlockImpl*>(child.value().get()))
                writeBasicBlock(w, *basic, block);
            else if (auto* bottleneck = dynamic_cast<nn::BottleneckImpl*>(child.value().get()))
                writeBottleneck(w, *bottleneck, block);
            else
                throw std::runtime_error("an unknown ResNet block");
        }
    }
}

void writeResNetPooling(ScriptWriter& w, const nn::ResNetImpl& resnet) {
    switch (resnet.options().pooling) {
    case nn::Pooling::Average:
        w.line(QStringLiteral("x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)"));
        break;
    case nn::Pooling::Max:
        w.line(QStringLiteral("x = torch.amax(x, [2, 3])"));
        break;
    case nn::Pooling::None:
        break;
    }
}

void registerResNetExport(ExportMappings& mappings) {
    mappings.add(graph::component::ResNet, ExportMapping{onnxResNet, scriptResNet});
}

} // namespace tc::exporting::components
