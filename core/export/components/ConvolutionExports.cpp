// The ONNX and TorchScript forms of Conv2D, MaxPool2D and GlobalAvgPool (described in
// core/graph/components/, built in core/nn/components/ConvolutionModules.cpp).

#include "core/export/components/Registrations.h"
#include "core/export/ExportMappings.h"
#include "core/export/OnnxWriter.h"
#include "core/export/ScriptWriter.h"
#include "core/graph/ComponentRegistry.h"

#include <algorithm>

namespace tc::exporting::components {

namespace {

ExportMapping conv2d() {
    return {
        [](OnnxWriter& w, const ChainLayer& layer, const std::vector<std::string>& inputs, bool) {
            const auto& convolution = layerModule<nn::Conv2DImpl>(layer);
            const std::string x =
                w.conv(inputs.front(), *convolution.conv, layer.prefix + QStringLiteral("conv"));
            return w.activation(x, convolution.options().activation,
                                convolution.options().negativeSlope,
                                OnnxWriter::hint(layer.prefix));
        },
        [](ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool) {
            const auto& convolution = layerModule<nn::Conv2DImpl>(layer);
            w.comment(layer);
            w.line(QStringLiteral("x = ") + w.conv(QStringLiteral("x"), *convolution.conv,
                                                   layer.prefix + QStringLiteral("conv")));
            w.activation(convolution.options().activation, convolution.options().negativeSlope);
        }};
}

std::string onnxMaxPool(OnnxWriter& w, const ChainLayer& layer,
                        const std::vector<std::string>& inputs, bool) {
    const nn::MaxPool2DOptions& options = layerModule<nn::MaxPool2DImpl>(layer).options();
    std::vector<std::int64_t> pads(4, options.padding);
    if (options.samePadding) {
        // The input size is fixed by the model, so Keras' "same" padding is too.
        auto padFor = [&](std::int64_t size) {
            const std::int64_t out = (size + options.stride - 1) / options.stride;
            return std::max<std::int64_t>((out - 1) * options.stride + options.poolSize - size, 0);
        };
        const std::int64_t padH = padFor(layer.inputShape[1]);
        const std::int64_t padW = padFor(layer.inputShape[2]);
        pads = {padH / 2, padW / 2, padH - padH / 2, padW - padW / 2};
    }
    const std::string x = w.node("MaxPool", {inputs.front()}, OnnxWriter::hint(layer.prefix));
    w.attribute("kernel_shape", std::vector<std::int64_t>{options.poolSize, options.poolSize});
    w.attribute("strides", std::vector<std::int64_t>{options.stride, options.stride});
    w.attribute("pads", pads);
    return x;
}

void scriptMaxPool(ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool) {
    const nn::MaxPool2DOptions& options = layerModule<nn::MaxPool2DImpl>(layer).options();
    const QString k = QString::number(options.poolSize);
    const QString s = QString::number(options.stride);
    w.comment(layer);
    if (options.samePadding) {
        // Keras' "same": output ceil(size / stride), the extra cell at the end.
        for (const char* axis : {"h", "w"}) {
            const QString dim = QLatin1String(axis) == QLatin1String("h") ? QStringLiteral("2")
                                                                          : QStringLiteral("3");
            w.line(QStringLiteral("pad_%1 = max(((x.size(%2) + %3 - 1) // %3 - 1) * %3 + %4 "
                                  "- x.size(%2), 0)")
                       .arg(QLatin1String(axis), dim, s, k));
        }
        w.line(QStringLiteral("x = torch.constant_pad_nd(x, [pad_w // 2, pad_w - pad_w // 2, "
                              "pad_h // 2, pad_h - pad_h // 2], float('-inf'))"));
    }
    w.line(QStringLiteral("x = torch.max_pool2d(x, [%1, %1], [%2, %2], [%3, %3], [1, 1], False)")
               .arg(k, s, QString::number(options.padding)));
}

ExportMapping globalAvgPool() {
    return {
        [](OnnxWriter& w, const ChainLayer& layer, const std::vector<std::string>& inputs, bool) {
            const QString name = OnnxWriter::hint(layer.prefix);
            return w.flatten(w.node("GlobalAveragePool", {inputs.front()}, name), name);
        },
        [](ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool) {
            w.comment(layer);
            w.line(QStringLiteral("x = torch.mean(x, [2, 3])"));
        }};
}

} // namespace

void registerConvolutionExports(ExportMappings& mappings) {
    mappings.add(graph::component::Conv2D, conv2d());
    mappings.add(graph::component::MaxPool2D, ExportMapping{onnxMaxPool, scriptMaxPool});
    mappings.add(graph::component::GlobalAvgPool, globalAvgPool());
}

} // namespace tc::exporting::components
