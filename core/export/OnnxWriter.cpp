#include "core/export/OnnxWriter.h"

#include <cmath>

namespace tc::exporting {

OnnxWriter::OnnxWriter(const TrainedModel& model, onnx::GraphProto* graph)
    : m_model(model)
    , m_graph(graph) {}

std::string OnnxWriter::tensor(const QString& name) {
    const std::string key = name.toStdString();
    if (m_initialised.contains(name))
        return key;
    const torch::Tensor* value = m_model.tensors.find(key);
    if (!value)
        throw OnnxExportError(QStringLiteral("tensor '%1' is missing").arg(name).toStdString());
    addInitializer(key, value->to(torch::kFloat32).contiguous());
    m_initialised.insert(name);
    return key;
}

std::string OnnxWriter::constant(const std::string& name, const std::vector<float>& values,
                                 const std::vector<std::int64_t>& shape) {
    torch::Tensor value = torch::tensor(values, torch::kFloat32).reshape(shape);
    addInitializer(name, value);
    return name;
}

std::string OnnxWriter::node(const char* op, const std::vector<std::string>& inputs,
                             const QString& hint) {
    onnx::NodeProto* node = m_graph->add_node();
    node->set_op_type(op);
    const std::string output = QString(hint + QLatin1Char('/') + QLatin1String(op) +
                                       QLatin1Char('_') + QString::number(m_counter++))
                                   .toStdString();
    node->set_name(output);
    for (const std::string& input : inputs)
        node->add_input(input);
    node->add_output(output);
    m_last = node;
    return output;
}

void OnnxWriter::attribute(const char* name, std::int64_t value) {
    onnx::AttributeProto* a = m_last->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
}

void OnnxWriter::attribute(const char* name, float value) {
    onnx::AttributeProto* a = m_last->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
}

void OnnxWriter::attribute(const char* name, const std::vector<std::int64_t>& values) {
    onnx::AttributeProto* a = m_last->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (const std::int64_t value : values)
        a->add_ints(value);
}

void OnnxWriter::renameLastOutput(const std::string& name) {
    m_last->set_output(0, name);
    m_last->set_name(name);
}

void OnnxWriter::addInitializer(const std::string& name, const torch::Tensor& value) {
    onnx::TensorProto* proto = m_graph->add_initializer();
    proto->set_name(name);
    proto->set_data_type(onnx::TensorProto::FLOAT);
    for (const std::int64_t size : value.sizes())
        proto->add_dims(size);
    // raw_data is little-endian, as x86 and ARM hold floats.
    proto->set_raw_data(value.data_ptr(), static_cast<size_t>(value.numel()) * sizeof(float));
}

QString OnnxWriter::hint(const QString& name) {
    return name.endsWith(QLatin1Char('.')) ? name.chopped(1) : name;
}

std::string OnnxWriter::conv(const std::string& x, const torch::nn::Conv2dImpl& module,
                             const QString& name) {
    const auto& options = module.options;
    const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&options.padding());
    if (!padding || !c10::get_if<torch::enumtype::kZeros>(&options.padding_mode()))
        throw OnnxExportError("a convolution with an unsupported padding mode");
    std::vector<std::string> inputs{x, tensor(name + QStringLiteral(".weight"))};
    if (options.bias())
        inputs.push_back(tensor(name + QStringLiteral(".bias")));
    const std::string y = node("Conv", inputs, name);
    const auto kernel = *options.kernel_size();
    const auto stride = *options.stride();
    const auto pad = **padding;
    const auto dilation = *options.dilation();
    attribute("kernel_shape", std::vector<std::int64_t>{kernel[0], kernel[1]});
    attribute("strides", std::vector<std::int64_t>{stride[0], stride[1]});
    attribute("pads", std::vector<std::int64_t>{pad[0], pad[1], pad[0], pad[1]});
    attribute("dilations", std::vector<std::int64_t>{dilation[0], dilation[1]});
    attribute("group", std::int64_t(options.groups()));
    return y;
}

std::string OnnxWriter::batchNorm(const std::string& x, const torch::nn::BatchNormOptions& options,
                                  const QString& name) {
    if (!options.affine() || !options.track_running_stats())
        throw OnnxExportError("a batch norm without affine parameters or running statistics");
    const std::string y =
        node("BatchNormalization",
             {x, tensor(name + QStringLiteral(".weight")), tensor(name + QStringLiteral(".bias")),
              tensor(name + QStringLiteral(".running_mean")),
              tensor(name + QStringLiteral(".running_var"))},
             name);
    attribute("epsilon", float(options.eps()));
    attribute("momentum", float(1.0 - options.momentum().value_or(0.1)));
    return y;
}

std::string OnnxWriter::activation(const std::string& x, nn::Activation activation, double slope,
                                   const QString& name) {
    switch (activation) {
    case nn::Activation::None:
        return x;
    case nn::Activation::Relu:
        return node("Relu", {x}, name);
    case nn::Activation::LeakyRelu: {
        const std::string y = node("LeakyRelu", {x}, name);
        attribute("alpha", float(slope));
        return y;
    }
    case nn::Activation::Sigmoid:
        return node("Sigmoid", {x}, name);
    case nn::Activation::Tanh:
        return node("Tanh", {x}, name);
    case nn::Activation::Softmax: {
        const std::string y = node("Softmax", {x}, name);
        attribute("axis", std::int64_t(1));
        return y;
    }
    case nn::Activation::Gelu: {
        // GELU(x) = x · ½ · (1 + erf(x / √2)); ONNX has no Gelu op before opset 20.
        const std::string base = hint(name).toStdString();
        const std::string root2 = constant(base + "/sqrt2", {float(std::sqrt(2.0))}, {});
        const std::string one = constant(base + "/one", {1.0f}, {});
        const std::string half = constant(base + "/half", {0.5f}, {});
        const std::string scaled = node("Div", {x, root2}, name);
        const std::string erf = node("Erf", {scaled}, name);
        const std::string plusOne = node("Add", {erf, one}, name);
        const std::string product = node("Mul", {x, plusOne}, name);
        return node("Mul", {product, half}, name);
    }
    }
    return x;
}

std::string OnnxWriter::flatten(const std::string& x, const QString& name) {
    const std::string y = node("Flatten", {x}, name);
    attribute("axis", std::int64_t(1));
    return y;
}

} // namespace tc::exporting
