// The ONNX and TorchScript forms of Dense, Dropout, Flatten, BatchNorm and GELU (described in
// core/graph/components/, built in core/nn/components/LayerModules.cpp and GeluModule.cpp).

#include "core/export/components/Registrations.h"
#include "core/export/ExportMappings.h"
#include "core/export/OnnxWriter.h"
#include "core/export/ScriptWriter.h"
#include "core/graph/ComponentRegistry.h"

namespace tc::exporting::components {

namespace {

/// The chain's logits leave out a final softmax or sigmoid: the model's probabilities are
/// softmax(logits), as in training.
bool leftToTheModel(const nn::DenseOptions& options, bool last) {
    const bool squashing = options.activation == nn::Activation::Softmax ||
                           options.activation == nn::Activation::Sigmoid;
    return last && squashing;
}

std::string onnxDense(OnnxWriter& w, const ChainLayer& layer,
                      const std::vector<std::string>& inputs, bool last) {
    const auto& dense = layerModule<nn::DenseImpl>(layer);
    const nn::DenseOptions& options = dense.options();
    const QString& p = layer.prefix;
    std::string x = inputs.front();
    if (layer.inputShape.size() > 1)
        x = w.flatten(x, p + QStringLiteral("flatten"));
    x = w.node("Gemm",
               {x, w.tensor(p + QStringLiteral("linear.weight")),
                w.tensor(p + QStringLiteral("linear.bias"))},
               p + QStringLiteral("linear"));
    w.attribute("transB", std::int64_t(1));
    if (dense.norm)
        x = w.batchNorm(x, dense.norm->options, p + QStringLiteral("norm"));
    if (leftToTheModel(options, last))
        return x;
    return w.activation(x, options.activation, options.negativeSlope, OnnxWriter::hint(p));
}

void scriptDense(ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool last) {
    const auto& dense = layerModule<nn::DenseImpl>(layer);
    const nn::DenseOptions& options = dense.options();
    const QString& p = layer.prefix;
    w.comment(layer);
    if (layer.inputShape.size() > 1)
        w.line(QStringLiteral("x = torch.flatten(x, 1)"));
    w.line(QStringLiteral("x = torch.linear(x, %1, %2)")
               .arg(ScriptWriter::tensor(p + QStringLiteral("linear.weight")),
                    ScriptWriter::tensor(p + QStringLiteral("linear.bias"))));
    if (dense.norm)
        w.line(QStringLiteral("x = ") +
               w.batchNorm(QStringLiteral("x"), dense.norm->options, p + QStringLiteral("norm")));
    if (!leftToTheModel(options, last))
        w.activation(options.activation, options.negativeSlope);
}

/// Dropout is the identity in inference.
ExportMapping dropout() {
    return {[](OnnxWriter&, const ChainLayer&, const std::vector<std::string>& inputs, bool) {
                return inputs.front();
            },
            [](ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool) {
                w.comment(layer);
                w.line(QStringLiteral("pass  # dropout: the identity in inference"));
            }};
}

ExportMapping flatten() {
    return {[](OnnxWriter& w, const ChainLayer& layer, const std::vector<std::string>& inputs,
               bool) { return w.flatten(inputs.front(), OnnxWriter::hint(layer.prefix)); },
            [](ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool) {
                w.comment(layer);
                w.line(QStringLiteral("x = torch.flatten(x, 1)"));
            }};
}

/// norm1d for [N, F], norm2d for [N, C, H, W], under the module's child name.
ExportMapping batchNorm() {
    auto norm = [](const ChainLayer& layer) {
        const auto& module = layerModule<nn::BatchNormImpl>(layer);
        return module.norm1d ? std::make_pair(module.norm1d->options, QStringLiteral("norm1d"))
                             : std::make_pair(module.norm2d->options, QStringLiteral("norm2d"));
    };
    return {[norm](OnnxWriter& w, const ChainLayer& layer, const std::vector<std::string>& inputs,
                   bool) {
                const auto [options, child] = norm(layer);
                return w.batchNorm(inputs.front(), options, layer.prefix + child);
            },
            [norm](ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool) {
                const auto [options, child] = norm(layer);
                w.comment(layer);
                w.line(QStringLiteral("x = ") +
                       w.batchNorm(QStringLiteral("x"), options, layer.prefix + child));
            }};
}

/// The exact GELU (through the error function), as the module computes it.
ExportMapping gelu() {
    return {
        [](OnnxWriter& w, const ChainLayer& layer, const std::vector<std::string>& inputs, bool) {
            return w.activation(inputs.front(), nn::Activation::Gelu, 0,
                                OnnxWriter::hint(layer.prefix));
        },
        [](ScriptWriter& w, const ChainLayer& layer, const QStringList&, bool) {
            w.comment(layer);
            w.line(QStringLiteral("x = torch.gelu(x)"));
        }};
}

} // namespace

void registerLayerExports(ExportMappings& mappings) {
    mappings.add(graph::component::Dense, ExportMapping{onnxDense, scriptDense});
    mappings.add(graph::component::Dropout, dropout());
    mappings.add(graph::component::Flatten, flatten());
    mappings.add(graph::component::BatchNorm, batchNorm());
    mappings.add(graph::component::Gelu, gelu());
}

} // namespace tc::exporting::components
