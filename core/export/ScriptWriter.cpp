#include "core/export/ScriptWriter.h"

#include "core/export/TorchScriptExport.h"

#include <cmath>
#include <stdexcept>

namespace tc::exporting {

QString scriptLiteral(double value) {
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("float('inf')") : QStringLiteral("float('-inf')");
    QString text = QString::number(value, 'g', 17);
    if (!text.contains(QLatin1Char('.')) && !text.contains(QLatin1Char('e')))
        text += QStringLiteral(".0");
    return text;
}

QString scriptIntList(at::IntArrayRef values) {
    QStringList parts;
    for (const std::int64_t value : values)
        parts << QString::number(value);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

void ScriptWriter::line(const QString& text) {
    m_lines << QStringLiteral("    ") + text;
}

void ScriptWriter::comment(const ChainLayer& layer) {
    line(QStringLiteral("# %1: %2").arg(layer.prefix.chopped(1), layer.type));
}

QString ScriptWriter::tensor(const QString& name) {
    return QStringLiteral("self.") + scriptAttributeName(name);
}

QString ScriptWriter::conv(const QString& input, const torch::nn::Conv2dImpl& module,
                           const QString& name) const {
    const auto& options = module.options;
    const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&options.padding());
    if (!padding)
        throw std::runtime_error("a convolution with 'same'/'valid' padding mode");
    if (!c10::get_if<torch::enumtype::kZeros>(&options.padding_mode()))
        throw std::runtime_error("a convolution that does not pad with zeros");
    return QStringLiteral("torch.conv2d(%1, %2, %3, %4, %5, %6, %7)")
        .arg(input, tensor(name + QStringLiteral(".weight")),
             options.bias() ? tensor(name + QStringLiteral(".bias")) : QStringLiteral("None"),
             scriptIntList(*options.stride()), scriptIntList(**padding),
             scriptIntList(*options.dilation()), QString::number(options.groups()));
}

QString ScriptWriter::batchNorm(const QString& input, const torch::nn::BatchNormOptions& options,
                                const QString& name) const {
    if (!options.affine() || !options.track_running_stats())
        throw std::runtime_error("a batch norm without affine parameters or running stats");
    return QStringLiteral("torch.batch_norm(%1, %2, %3, %4, %5, False, %6, %7, True)")
        .arg(input, tensor(name + QStringLiteral(".weight")),
             tensor(name + QStringLiteral(".bias")), tensor(name + QStringLiteral(".running_mean")),
             tensor(name + QStringLiteral(".running_var")),
             scriptLiteral(options.momentum().value_or(0.1)), scriptLiteral(options.eps()));
}

void ScriptWriter::activation(nn::Activation activation, double negativeSlope) {
    switch (activation) {
    case nn::Activation::None:
        return;
    case nn::Activation::Relu:
        line(QStringLiteral("x = torch.relu(x)"));
        return;
    case nn::Activation::LeakyRelu:
        line(QStringLiteral("x = torch.leaky_relu(x, %1)").arg(scriptLiteral(negativeSlope)));
        return;
    case nn::Activation::Gelu:
        line(QStringLiteral("x = torch.gelu(x)"));
        return;
    case nn::Activation::Sigmoid:
        line(QStringLiteral("x = torch.sigmoid(x)"));
        return;
    case nn::Activation::Tanh:
        line(QStringLiteral("x = torch.tanh(x)"));
        return;
    case nn::Activation::Softmax:
        line(QStringLiteral("x = torch.softmax(x, 1)"));
        return;
    }
}

} // namespace tc::exporting
