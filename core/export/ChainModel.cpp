#include "core/export/ChainModel.h"

#include "core/nn/ComponentFactory.h"
#include "core/nn/Layers.h"
#include "core/nn/ModuleRegistry.h"
#include "core/nn/ResNet.h"

namespace tc::exporting {

namespace {

void collectTensors(const torch::nn::Module& module, const std::string& prefix,
                    nn::StateDict& out) {
    for (const auto& item : module.named_parameters(/*recurse=*/false))
        out.insert(prefix + item.key(), item.value());
    for (const auto& item : module.named_buffers(/*recurse=*/false))
        out.insert(prefix + item.key(), item.value());
    for (const auto& child : module.named_children())
        collectTensors(*child.value(), prefix + child.key() + ".", out);
}

} // namespace

bool isBufferName(const QString& name) {
    return name.endsWith(QLatin1String("running_mean")) ||
           name.endsWith(QLatin1String("running_var")) ||
           name.endsWith(QLatin1String("num_batches_tracked"));
}

std::optional<ChainModel> ChainModel::make(const std::vector<ComponentSpec>& components,
                                           const std::vector<std::int64_t>& inputShape,
                                           QString* error) {
    auto fail = [&](const QString& reason) -> std::optional<ChainModel> {
        if (error)
            *error = reason;
        return std::nullopt;
    };
    if (components.empty())
        return fail(QStringLiteral("the model has no components"));
    TrainedModel naming;
    naming.components = components;
    ChainModel chain;
    for (int i = 0; i < int(components.size()); ++i) {
        // The shapes arriving at this component, from the images or earlier layers.
        const std::vector<int> inputs = naming.inputsOf(i);
        nn::InputShapes inputShapes;
        for (int input : inputs) {
            if (input < -1 || input >= i)
                return fail(QStringLiteral("component %1 reads component %2, which does not come "
                                           "before it")
                                .arg(i + 1)
                                .arg(input + 1));
            inputShapes.push_back(input < 0 ? inputShape : chain.m_layers[input].outputShape);
        }
        const std::vector<std::int64_t> shape = inputShapes.front();
        const ComponentSpec& component = components[i];
        const QString type = component.type;
        if (type.compare(QLatin1String("Input"), Qt::CaseInsensitive) == 0 ||
            type.compare(QLatin1String("Output"), Qt::CaseInsensitive) == 0)
            return fail(QStringLiteral("component %1 is an %2: the chain excludes Input and Output")
                            .arg(i + 1)
                            .arg(type));
        QVariantMap parameters = component.parameters;
        if (type.compare(QLatin1String("ResNet"), Qt::CaseInsensitive) == 0) {
            // Weights come from the model's tensors, never from the weights folder.
            for (auto it = parameters.begin(); it != parameters.end();) {
                if (it.key().compare(QLatin1String("pretrained"), Qt::CaseInsensitive) == 0)
                    it = parameters.erase(it);
                else
                    ++it;
            }
            parameters.insert(QStringLiteral("pretrained"), QStringLiteral("none"));
        }
        nn::BuiltComponent built = nn::buildComponent(type, parameters, inputShapes);
        if (!built.ok())
            return fail(QStringLiteral("component %1: %2").arg(i + 1).arg(built.error));
        const nn::ModuleFactory* factory = nn::ModuleRegistry::instance().find(type);
        ChainLayer layer;
        layer.type = type;
        layer.prefix = naming.tensorPrefix(i);
        layer.module = std::move(built.module);
        layer.inputShape = shape;
        layer.outputShape = built.outputShape;
        layer.inputs = inputs;
        layer.takesInputList = factory && factory->takesInputList;
        layer.module.ptr()->eval();
        chain.m_layers.push_back(std::move(layer));
    }
    return chain;
}

std::optional<ChainModel> ChainModel::initialise(const std::vector<ComponentSpec>& components,
                                                 const std::vector<std::int64_t>& inputShape,
                                                 QString* error) {
    return make(components, inputShape, error);
}

std::optional<ChainModel> ChainModel::build(const TrainedModel& model, QString* error) {
    auto fail = [&](const QString& reason) -> std::optional<ChainModel> {
        if (error)
            *error = reason;
        return std::nullopt;
    };
    std::optional<ChainModel> chain = make(model.components, model.inputShape(), error);
    if (!chain)
        return std::nullopt;
    const std::vector<std::int64_t> output = chain->outputShape();
    if (output.size() != 1 || output[0] != model.classNames.size())
        return fail(QStringLiteral("the model's output %1 does not hold one value for each of "
                                   "the %2 classes")
                        .arg(nn::shapeString(output))
                        .arg(model.classNames.size()));

    // Split the tensors by layer prefix and load each layer strictly.
    std::vector<nn::StateDict> perLayer(chain->m_layers.size());
    QStringList unexpected;
    for (const auto& item : model.tensors) {
        const QString name = QString::fromStdString(item.key());
        bool placed = false;
        for (size_t i = 0; i < chain->m_layers.size() && !placed; ++i) {
            const QString& prefix = chain->m_layers[i].prefix;
            if (name.startsWith(prefix)) {
                perLayer[i].insert(name.mid(prefix.size()).toStdString(), item.value());
                placed = true;
            }
        }
        if (!placed)
            unexpected << name;
    }
    if (!unexpected.isEmpty())
        return fail(QStringLiteral("tensors that belong to no component: %1")
                        .arg(unexpected.mid(0, 8).join(QStringLiteral(", "))));
    for (size_t i = 0; i < chain->m_layers.size(); ++i) {
        ChainLayer& layer = chain->m_layers[i];
        const nn::LoadReport report = nn::loadStateDict(*layer.module.ptr(), perLayer[i]);
        if (!report.ok())
            return fail(QStringLiteral("component %1 (%2, tensors '%3*'): %4")
                            .arg(i + 1)
                            .arg(layer.type, layer.prefix, report.summary()));
    }
    return chain;
}

bool ChainModel::computeBackboneAt(nn::Precision precision, QString* error) {
    m_backbone.reset();
    nn::ResNetImpl* resnet = m_layers.empty() ? nullptr : m_layers.front().as<nn::ResNetImpl>();
    if (precision == nn::Precision::Fp32 || !resnet || resnet->trainableStages() != 0 ||
        resnet->options().pooling == nn::Pooling::None)
        return true;
    nn::WeightsStatus status;
    status.state = nn::WeightsStatus::State::Pretrained; // the trained model's own tensors
    auto extractor = std::make_shared<nn::FeatureExtractor>(*resnet, resnet->options().pooling,
                                                            precision, status);
    if (!extractor->isValid()) {
        if (error)
            *error = extractor->errorString();
        return false;
    }
    m_backbone = std::move(extractor);
    return true;
}

nn::Precision ChainModel::backbonePrecision() const {
    return m_backbone ? m_backbone->precision() : nn::Precision::Fp32;
}

std::vector<std::int64_t> ChainModel::outputShape() const {
    return m_layers.empty() ? std::vector<std::int64_t>{} : m_layers.back().outputShape;
}

bool ChainModel::isChain() const {
    for (size_t i = 0; i < m_layers.size(); ++i) {
        if (m_layers[i].inputs != std::vector<int>{int(i) - 1})
            return false;
    }
    return true;
}

torch::Tensor ChainModel::logits(const torch::Tensor& images) {
    torch::NoGradGuard noGrad;
    if (!isChain())
        return graphLogits(images);
    torch::Tensor x = images;
    for (size_t i = 0; i < m_layers.size(); ++i) {
        ChainLayer& layer = m_layers[i];
        if (i == 0 && m_backbone) {
            x = m_backbone->extract(x);
            continue;
        }
        if (i + 1 == m_layers.size()) {
            if (auto* dense = layer.as<nn::DenseImpl>())
                return dense->forwardLogits(x);
        }
        x = layer.module.forward(x);
    }
    return x;
}

torch::Tensor ChainModel::graphLogits(const torch::Tensor& images) {
    // Each layer's value, in order; a layer reads the values of the layers it names.
    std::vector<torch::Tensor> values;
    values.reserve(m_layers.size());
    auto valueOf = [&](int index) -> const torch::Tensor& {
        return index < 0 ? images : values[index];
    };
    for (size_t i = 0; i < m_layers.size(); ++i) {
        ChainLayer& layer = m_layers[i];
        if (i == 0 && m_backbone) {
            values.push_back(m_backbone->extract(valueOf(layer.inputs.front())));
            continue;
        }
        if (layer.takesInputList) {
            std::vector<torch::Tensor> inputs;
            for (int input : layer.inputs)
                inputs.push_back(valueOf(input));
            values.push_back(layer.module.forward(std::move(inputs)));
            continue;
        }
        const torch::Tensor& x = valueOf(layer.inputs.front());
        if (i + 1 == m_layers.size()) {
            if (auto* dense = layer.as<nn::DenseImpl>()) {
                values.push_back(dense->forwardLogits(x));
                continue;
            }
        }
        values.push_back(layer.module.forward(x));
    }
    return values.back();
}

torch::Tensor ChainModel::probabilities(const torch::Tensor& images) {
    torch::NoGradGuard noGrad;
    return torch::softmax(logits(images), /*dim=*/1);
}

nn::StateDict ChainModel::namedTensors() const {
    nn::StateDict tensors;
    for (const ChainLayer& layer : m_layers)
        collectTensors(*layer.module.ptr(), layer.prefix.toStdString(), tensors);
    return tensors;
}

} // namespace tc::exporting
