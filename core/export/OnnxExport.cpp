#include "core/export/OnnxExport.h"

#include "core/export/ChainModel.h"
#include "core/graph/ComponentRegistry.h"
#include "core/nn/Layers.h"
#include "core/nn/ResNet.h"
#include "core/util/BuildInfo.h"

#include <cmath>
#include <onnx/onnx_pb.h>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSet>

namespace tc::exporting {

namespace {

/// ONNX IR version 7 is the one opset 13 came with; older readers accept it.
constexpr std::int64_t kIrVersion = 7;

class ExportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Builds the GraphProto node by node. Tensors become initializers on first use, under
/// TrainedModel's names.
class GraphWriter {
public:
    GraphWriter(const TrainedModel& model, onnx::GraphProto* graph)
        : m_model(model)
        , m_graph(graph) {}

    /// Adds the initializer `name` (a TrainedModel tensor) once and returns its name.
    std::string tensor(const QString& name) {
        const std::string key = name.toStdString();
        if (m_initialised.contains(name))
            return key;
        const torch::Tensor* value = m_model.tensors.find(key);
        if (!value)
            throw ExportError(QStringLiteral("tensor '%1' is missing").arg(name).toStdString());
        addInitializer(key, value->to(torch::kFloat32).contiguous());
        m_initialised.insert(name);
        return key;
    }

    /// A float32 constant (scalar when `shape` is empty).
    std::string constant(const std::string& name, const std::vector<float>& values,
                         const std::vector<std::int64_t>& shape) {
        torch::Tensor value = torch::tensor(values, torch::kFloat32).reshape(shape);
        addInitializer(name, value);
        return name;
    }

    /// Adds a node with one output and returns the output's name.
    std::string node(const char* op, const std::vector<std::string>& inputs, const QString& hint) {
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

    void attribute(const char* name, std::int64_t value) {
        onnx::AttributeProto* a = m_last->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(value);
    }
    void attribute(const char* name, float value) {
        onnx::AttributeProto* a = m_last->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(value);
    }
    void attribute(const char* name, const std::vector<std::int64_t>& values) {
        onnx::AttributeProto* a = m_last->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (const std::int64_t value : values)
            a->add_ints(value);
    }

    void renameLastOutput(const std::string& name) {
        m_last->set_output(0, name);
        m_last->set_name(name);
    }

private:
    void addInitializer(const std::string& name, const torch::Tensor& value) {
        onnx::TensorProto* proto = m_graph->add_initializer();
        proto->set_name(name);
        proto->set_data_type(onnx::TensorProto::FLOAT);
        for (const std::int64_t size : value.sizes())
            proto->add_dims(size);
        // raw_data is little-endian, as x86 and ARM hold floats.
        proto->set_raw_data(value.data_ptr(), static_cast<size_t>(value.numel()) * sizeof(float));
    }

    const TrainedModel& m_model;
    onnx::GraphProto* m_graph;
    onnx::NodeProto* m_last = nullptr;
    QSet<QString> m_initialised;
    int m_counter = 0;
};

/// Translates the chain layer by layer.
class ChainTranslator {
public:
    ChainTranslator(const TrainedModel& model, GraphWriter& writer)
        : m_model(model)
        , m_w(writer) {}

    std::string translate(const ChainModel& chain, std::string x) {
        const auto& layers = chain.layers();
        if (chain.isChain()) {
            for (size_t i = 0; i < layers.size(); ++i)
                x = layer(layers[i], x, i + 1 == layers.size());
            return x;
        }
        // A graph: each layer's output name, for the layers that read it (-1: the images).
        std::vector<std::string> values;
        auto valueOf = [&](int index) {
            return index < 0 ? x : values[index];
        };
        for (size_t i = 0; i < layers.size(); ++i) {
            const ChainLayer& current = layers[i];
            if (current.takesInputList) {
                std::vector<std::string> inputs;
                for (int input : current.inputs)
                    inputs.push_back(valueOf(input));
                values.push_back(merge(current, inputs));
            } else {
                values.push_back(
                    layer(current, valueOf(current.inputs.front()), i + 1 == layers.size()));
            }
        }
        return values.back();
    }

private:
    static QString hint(const QString& name) {
        return name.endsWith(QLatin1Char('.')) ? name.chopped(1) : name;
    }

    std::string conv(const std::string& x, const torch::nn::Conv2dImpl& module,
                     const QString& name) {
        const auto& options = module.options;
        const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&options.padding());
        if (!padding || !c10::get_if<torch::enumtype::kZeros>(&options.padding_mode()))
            throw ExportError("a convolution with an unsupported padding mode");
        std::vector<std::string> inputs{x, m_w.tensor(name + QStringLiteral(".weight"))};
        if (options.bias())
            inputs.push_back(m_w.tensor(name + QStringLiteral(".bias")));
        const std::string y = m_w.node("Conv", inputs, name);
        const auto kernel = *options.kernel_size();
        const auto stride = *options.stride();
        const auto pad = **padding;
        const auto dilation = *options.dilation();
        m_w.attribute("kernel_shape", std::vector<std::int64_t>{kernel[0], kernel[1]});
        m_w.attribute("strides", std::vector<std::int64_t>{stride[0], stride[1]});
        m_w.attribute("pads", std::vector<std::int64_t>{pad[0], pad[1], pad[0], pad[1]});
        m_w.attribute("dilations", std::vector<std::int64_t>{dilation[0], dilation[1]});
        m_w.attribute("group", std::int64_t(options.groups()));
        return y;
    }

    template <typename Norm>
    std::string batchNorm(const std::string& x, const Norm& module, const QString& name) {
        const auto& options = module.options;
        if (!options.affine() || !options.track_running_stats())
            throw ExportError("a batch norm without affine parameters or running statistics");
        const std::string y = m_w.node("BatchNormalization",
                                       {x, m_w.tensor(name + QStringLiteral(".weight")),
                                        m_w.tensor(name + QStringLiteral(".bias")),
                                        m_w.tensor(name + QStringLiteral(".running_mean")),
                                        m_w.tensor(name + QStringLiteral(".running_var"))},
                                       name);
        m_w.attribute("epsilon", float(options.eps()));
        m_w.attribute("momentum", float(1.0 - options.momentum().value_or(0.1)));
        return y;
    }

    std::string activation(const std::string& x, nn::Activation activation, double slope,
                           const QString& name) {
        switch (activation) {
        case nn::Activation::None:
            return x;
        case nn::Activation::Relu:
            return m_w.node("Relu", {x}, name);
        case nn::Activation::LeakyRelu: {
            const std::string y = m_w.node("LeakyRelu", {x}, name);
            m_w.attribute("alpha", float(slope));
            return y;
        }
        case nn::Activation::Sigmoid:
            return m_w.node("Sigmoid", {x}, name);
        case nn::Activation::Tanh:
            return m_w.node("Tanh", {x}, name);
        case nn::Activation::Softmax: {
            const std::string y = m_w.node("Softmax", {x}, name);
            m_w.attribute("axis", std::int64_t(1));
            return y;
        }
        case nn::Activation::Gelu: {
            // GELU(x) = x · ½ · (1 + erf(x / √2)); ONNX has no Gelu op before opset 20.
            const std::string base = hint(name).toStdString();
            const std::string root2 = m_w.constant(base + "/sqrt2", {float(std::sqrt(2.0))}, {});
            const std::string one = m_w.constant(base + "/one", {1.0f}, {});
            const std::string half = m_w.constant(base + "/half", {0.5f}, {});
            const std::string scaled = m_w.node("Div", {x, root2}, name);
            const std::string erf = m_w.node("Erf", {scaled}, name);
            const std::string plusOne = m_w.node("Add", {erf, one}, name);
            const std::string product = m_w.node("Mul", {x, plusOne}, name);
            return m_w.node("Mul", {product, half}, name);
        }
        }
        return x;
    }

    std::string flatten(const std::string& x, const QString& name) {
        const std::string y = m_w.node("Flatten", {x}, name);
        m_w.attribute("axis", std::int64_t(1));
        return y;
    }

    std::string block(const std::string& x, torch::nn::Module& module, const QString& name) {
        std::string y;
        torch::nn::Sequential downsample{nullptr};
        if (auto* basic = dynamic_cast<nn::BasicBlockImpl*>(&module)) {
            y = conv(x, *basic->conv1, name + QStringLiteral("conv1"));
            y = m_w.node("Relu", {batchNorm(y, *basic->bn1, name + QStringLiteral("bn1"))}, name);
            y = conv(y, *basic->conv2, name + QStringLiteral("conv2"));
            y = batchNorm(y, *basic->bn2, name + QStringLiteral("bn2"));
            downsample = basic->downsample;
        } else if (auto* bottleneck = dynamic_cast<nn::BottleneckImpl*>(&module)) {
            y = conv(x, *bottleneck->conv1, name + QStringLiteral("conv1"));
            y = m_w.node("Relu", {batchNorm(y, *bottleneck->bn1, name + QStringLiteral("bn1"))},
                         name);
            y = conv(y, *bottleneck->conv2, name + QStringLiteral("conv2"));
            y = m_w.node("Relu", {batchNorm(y, *bottleneck->bn2, name + QStringLiteral("bn2"))},
                         name);
            y = conv(y, *bottleneck->conv3, name + QStringLiteral("conv3"));
            y = batchNorm(y, *bottleneck->bn3, name + QStringLiteral("bn3"));
            downsample = bottleneck->downsample;
        } else {
            throw ExportError("an unknown ResNet block");
        }
        std::string shortcut = x;
        if (downsample) {
            auto* convolution = downsample[0]->as<torch::nn::Conv2d>();
            auto* norm = downsample[1]->as<torch::nn::BatchNorm2d>();
            if (!convolution || !norm)
                throw ExportError("an unknown ResNet shortcut");
            shortcut = conv(x, *convolution, name + QStringLiteral("downsample.0"));
            shortcut = batchNorm(shortcut, *norm, name + QStringLiteral("downsample.1"));
        }
        return m_w.node("Relu", {m_w.node("Add", {y, shortcut}, name)}, name);
    }

    std::string resnet(const std::string& input, nn::ResNetImpl& model, const QString& prefix) {
        std::string x = conv(input, *model.conv1, prefix + QStringLiteral("conv1"));
        x = m_w.node("Relu", {batchNorm(x, *model.bn1, prefix + QStringLiteral("bn1"))}, prefix);
        x = m_w.node("MaxPool", {x}, prefix + QStringLiteral("maxpool"));
        m_w.attribute("kernel_shape", std::vector<std::int64_t>{3, 3});
        m_w.attribute("strides", std::vector<std::int64_t>{2, 2});
        m_w.attribute("pads", std::vector<std::int64_t>{1, 1, 1, 1});
        const std::pair<const char*, torch::nn::Sequential> stages[] = {{"layer1", model.layer1},
                                                                        {"layer2", model.layer2},
                                                                        {"layer3", model.layer3},
                                                                        {"layer4", model.layer4}};
        for (const auto& [stageName, stage] : stages) {
            for (const auto& child : stage->named_children())
                x = block(x, *child.value(),
                          prefix + QLatin1String(stageName) + QLatin1Char('.') +
                              QString::fromStdString(child.key()) + QLatin1Char('.'));
        }
        switch (model.options().pooling) {
        case nn::Pooling::Average:
            return flatten(m_w.node("GlobalAveragePool", {x}, prefix + QStringLiteral("avgpool")),
                           prefix + QStringLiteral("avgpool"));
        case nn::Pooling::Max:
            return flatten(m_w.node("GlobalMaxPool", {x}, prefix + QStringLiteral("maxpool")),
                           prefix + QStringLiteral("maxpool"));
        case nn::Pooling::None:
            break;
        }
        return x;
    }

    /// The merge components (core/graph/components/Add.cpp, Concatenate.cpp).
    std::string merge(const ChainLayer& layer, const std::vector<std::string>& inputs) {
        const QString name = hint(layer.prefix);
        if (layer.type == graph::component::Add) {
            // Pairwise, left to right, as the LibTorch module adds.
            std::string sum = inputs.front();
            for (size_t i = 1; i < inputs.size(); ++i)
                sum = m_w.node("Add", {sum, inputs[i]}, name);
            return sum;
        }
        if (layer.type == graph::component::Concatenate) {
            const std::string joined = m_w.node("Concat", inputs, name);
            m_w.attribute("axis", std::int64_t(1));
            return joined;
        }
        throw ExportError(QStringLiteral("component type '%1' cannot be exported to ONNX")
                              .arg(layer.type)
                              .toStdString());
    }

    std::string layer(const ChainLayer& layer, std::string x, bool last) {
        const QString& p = layer.prefix;
        if (layer.type == graph::component::Gelu) // core/graph/components/Gelu.cpp
            return activation(x, nn::Activation::Gelu, 0, hint(p));
        if (auto* model = layer.as<nn::ResNetImpl>())
            return resnet(x, *model, p);
        if (auto* dense = layer.as<nn::DenseImpl>()) {
            const nn::DenseOptions& options = dense->options();
            if (layer.inputShape.size() > 1)
                x = flatten(x, p + QStringLiteral("flatten"));
            x = m_w.node("Gemm",
                         {x, m_w.tensor(p + QStringLiteral("linear.weight")),
                          m_w.tensor(p + QStringLiteral("linear.bias"))},
                         p + QStringLiteral("linear"));
            m_w.attribute("transB", std::int64_t(1));
            if (dense->norm)
                x = batchNorm(x, *dense->norm, p + QStringLiteral("norm"));
            const bool squashing = options.activation == nn::Activation::Softmax ||
                                   options.activation == nn::Activation::Sigmoid;
            if (last && squashing)
                return x; // logits: the model's Softmax follows
            return activation(x, options.activation, options.negativeSlope, hint(p));
        }
        if (auto* convolution = layer.as<nn::Conv2DImpl>()) {
            x = conv(x, *convolution->conv, p + QStringLiteral("conv"));
            return activation(x, convolution->options().activation,
                              convolution->options().negativeSlope, hint(p));
        }
        if (auto* pool = layer.as<nn::MaxPool2DImpl>()) {
            const nn::MaxPool2DOptions& options = pool->options();
            std::vector<std::int64_t> pads(4, options.padding);
            if (options.samePadding) {
                // The input size is fixed by the model, so Keras' "same" padding is too.
                auto padFor = [&](std::int64_t size) {
                    const std::int64_t out = (size + options.stride - 1) / options.stride;
                    return std::max<std::int64_t>(
                        (out - 1) * options.stride + options.poolSize - size, 0);
                };
                const std::int64_t padH = padFor(layer.inputShape[1]);
                const std::int64_t padW = padFor(layer.inputShape[2]);
                pads = {padH / 2, padW / 2, padH - padH / 2, padW - padW / 2};
            }
            x = m_w.node("MaxPool", {x}, hint(p));
            m_w.attribute("kernel_shape",
                          std::vector<std::int64_t>{options.poolSize, options.poolSize});
            m_w.attribute("strides", std::vector<std::int64_t>{options.stride, options.stride});
            m_w.attribute("pads", pads);
            return x;
        }
        if (layer.as<nn::GlobalAvgPoolImpl>())
            return flatten(m_w.node("GlobalAveragePool", {x}, hint(p)), hint(p));
        if (auto* norm = layer.as<nn::BatchNormImpl>()) {
            if (norm->norm1d)
                return batchNorm(x, *norm->norm1d, p + QStringLiteral("norm1d"));
            return batchNorm(x, *norm->norm2d, p + QStringLiteral("norm2d"));
        }
        if (layer.as<nn::DropoutImpl>())
            return x; // the identity in inference
        if (layer.as<nn::FlattenImpl>())
            return flatten(x, hint(p));
        throw ExportError(QStringLiteral("component type '%1' cannot be exported to ONNX")
                              .arg(layer.type)
                              .toStdString());
    }

    const TrainedModel& m_model;
    GraphWriter& m_w;
};

void setFloatTensorType(onnx::ValueInfoProto* value, const std::string& name,
                        const std::vector<std::int64_t>& sampleShape) {
    value->set_name(name);
    onnx::TypeProto_Tensor* type = value->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* shape = type->mutable_shape();
    shape->add_dim()->set_dim_param("batch");
    for (const std::int64_t size : sampleShape)
        shape->add_dim()->set_dim_value(size);
}

constexpr auto kChecksumKey = "torchcanvas_graph_sha256";

/// SHA-256 of the graph's serialisation (deterministic: GraphProto has no map fields).
QString graphChecksum(const onnx::GraphProto& graph) {
    std::string bytes;
    graph.SerializeToString(&bytes);
    return QString::fromLatin1(
        QCryptographicHash::hash(QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size())),
                                 QCryptographicHash::Sha256)
            .toHex());
}

QString jsonArray(const QJsonArray& array) {
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

void addMetadata(onnx::ModelProto& proto, const QString& key, const QString& value) {
    onnx::StringStringEntryProto* entry = proto.add_metadata_props();
    entry->set_key(key.toStdString());
    entry->set_value(value.toStdString());
}

/// "decision" (one sentence) and, with an operating point, "decision.threshold",
/// "decision.temperature", "decision.positiveClass", "decision.positiveClassIndex",
/// "decision.chosenBy" (the policy as JSON) and "decision.chosenOn".
void addDecisionMetadata(onnx::ModelProto& proto, const TrainedModel& model) {
    const auto& point = model.operatingPoint;
    if (!point) {
        addMetadata(proto, QStringLiteral("decision"), QLatin1String(kNoOperatingPoint));
        return;
    }
    const auto number = [](double value) {
        return QString::number(value, 'g', 17);
    };
    addMetadata(proto, QStringLiteral("decision"), point->describe());
    addMetadata(proto, QStringLiteral("decision.threshold"), number(point->threshold));
    addMetadata(proto, QStringLiteral("decision.temperature"), number(point->temperature));
    addMetadata(proto, QStringLiteral("decision.positiveClass"),
                model.classNames.value(point->positiveClass));
    addMetadata(proto, QStringLiteral("decision.positiveClassIndex"),
                QString::number(point->positiveClass));
    addMetadata(
        proto, QStringLiteral("decision.chosenBy"),
        QString::fromUtf8(QJsonDocument(point->policy.toJson()).toJson(QJsonDocument::Compact)));
    addMetadata(proto, QStringLiteral("decision.chosenOn"), point->chosenOn);
}

} // namespace

std::optional<QByteArray> onnxModelBytes(const TrainedModel& model, QString* error) {
    std::optional<ChainModel> chain = ChainModel::build(model, error);
    if (!chain)
        return std::nullopt;

    onnx::ModelProto proto;
    proto.set_ir_version(kIrVersion);
    proto.set_producer_name("TorchCanvas");
    proto.set_producer_version(buildInfo().torchCanvas.toStdString());
    proto.set_model_version(1);
    proto.set_doc_string(model.architectureSummary().toStdString());
    onnx::OperatorSetIdProto* opset = proto.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOnnxOpset);

    onnx::GraphProto* graph = proto.mutable_graph();
    graph->set_name("torchcanvas");
    setFloatTensorType(graph->add_input(), "input", model.inputShape());
    GraphWriter writer(model, graph);
    try {
        ChainTranslator translator(model, writer);
        std::string logits = translator.translate(*chain, "input");
        // The probabilities the operating point's threshold applies to.
        if (model.temperature() != 1.0)
            logits = writer.node(
                "Div", {logits, writer.constant("temperature", {float(model.temperature())}, {1})},
                QStringLiteral("output"));
        writer.node("Softmax", {logits}, QStringLiteral("output"));
        writer.attribute("axis", std::int64_t(1));
        writer.renameLastOutput("probabilities");
    } catch (const std::exception& failure) {
        if (error)
            *error = QString::fromUtf8(failure.what());
        return std::nullopt;
    }
    setFloatTensorType(graph->add_output(), "probabilities",
                       {static_cast<std::int64_t>(model.classNames.size())});

    const Normalisation normalisation = normalisationOf(model.preprocessing);
    QJsonArray input;
    for (const std::int64_t size : model.inputShape())
        input.append(static_cast<double>(size));
    addMetadata(
        proto, QStringLiteral("torchcanvas"),
        QString::fromUtf8(QJsonDocument(model.configJson()).toJson(QJsonDocument::Compact)));
    addMetadata(proto, QStringLiteral("class_names"),
                jsonArray(QJsonArray::fromStringList(model.classNames)));
    addMetadata(proto, QStringLiteral("input_shape"), jsonArray(input));
    addMetadata(proto, QStringLiteral("mean"),
                jsonArray({normalisation.mean[0], normalisation.mean[1], normalisation.mean[2]}));
    addMetadata(proto, QStringLiteral("std"),
                jsonArray({normalisation.std[0], normalisation.std[1], normalisation.std[2]}));
    addMetadata(proto, QStringLiteral("torchcanvas_version"), buildInfo().torchCanvas);
    addDecisionMetadata(proto, model);
    // A byte flipped in a weight still parses: the checksum lets readers notice.
    addMetadata(proto, QLatin1String(kChecksumKey), graphChecksum(*graph));

    std::string bytes;
    if (!proto.SerializeToString(&bytes)) {
        if (error)
            *error = QStringLiteral("the ONNX model is too large to serialise");
        return std::nullopt;
    }
    return QByteArray::fromStdString(bytes);
}

bool writeOnnx(const TrainedModel& model, const QString& path, QString* error) {
    const std::optional<QByteArray> bytes = onnxModelBytes(model, error);
    if (!bytes)
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(*bytes) != bytes->size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

std::optional<QMap<QString, QString>> readOnnxMetadata(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    onnx::ModelProto proto;
    if (bytes.isEmpty() || !proto.ParseFromArray(bytes.constData(), int(bytes.size())) ||
        !proto.has_graph()) {
        if (error)
            *error = QStringLiteral("%1: cannot be read as an ONNX model: damaged, truncated or "
                                    "not ONNX")
                         .arg(path);
        return std::nullopt;
    }
    QMap<QString, QString> metadata;
    for (const auto& entry : proto.metadata_props())
        metadata.insert(QString::fromStdString(entry.key()), QString::fromStdString(entry.value()));
    const QString checksum = metadata.value(QLatin1String(kChecksumKey));
    if (!checksum.isEmpty() && checksum != graphChecksum(proto.graph())) {
        if (error)
            *error = QStringLiteral("%1: the ONNX model is damaged (its graph does not match its "
                                    "checksum)")
                         .arg(path);
        return std::nullopt;
    }
    return metadata;
}

} // namespace tc::exporting
