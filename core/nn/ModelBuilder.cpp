#include "core/nn/ModelBuilder.h"

#include "core/graph/Graph.h"
#include "core/nn/FeatureExtractor.h"
#include "core/nn/Layers.h"
#include "core/nn/ResNet.h"

#include <torch/torch.h>

namespace tc::nn {

namespace {

/// A frozen ResNet run by a FeatureExtractor: images → pooled features, no gradients.
class FrozenBackboneImpl : public torch::nn::Module {
public:
    FrozenBackboneImpl(ResNet resnet, std::unique_ptr<FeatureExtractor> extractor)
        : m_extractor(std::move(extractor)) {
        // Registered so that the backbone's tensors can be saved with the model.
        register_module("resnet", std::move(resnet));
    }
    torch::Tensor forward(const torch::Tensor& images) { return m_extractor->extract(images); }
    const FeatureExtractor& extractor() const { return *m_extractor; }

private:
    std::unique_ptr<FeatureExtractor> m_extractor;
};
TORCH_MODULE(FrozenBackbone);

/// A frozen ResNet without pooling (a feature map), run in eval mode by LibTorch.
class FrozenFeatureMapImpl : public torch::nn::Module {
public:
    explicit FrozenFeatureMapImpl(ResNet resnet)
        : m_resnet(register_module("resnet", std::move(resnet))) {
        m_resnet->eval();
    }
    torch::Tensor forward(const torch::Tensor& images) {
        torch::NoGradGuard noGrad;
        return m_resnet->forward(images);
    }

private:
    ResNet m_resnet;
};
TORCH_MODULE(FrozenFeatureMap);

/// The trainable part: the remaining components in order. forward() returns logits: a
/// Dense layer that ends the chain contributes its pre-activation output.
class HeadImpl : public torch::nn::Module {
public:
    void append(const QString& name, torch::nn::AnyModule module) {
        register_module(name.toStdString(), module.ptr());
        m_modules.push_back(std::move(module));
    }
    torch::Tensor forward(torch::Tensor x) {
        for (size_t i = 0; i < m_modules.size(); ++i) {
            const bool last = i + 1 == m_modules.size();
            if (last) {
                if (auto dense = std::dynamic_pointer_cast<DenseImpl>(m_modules[i].ptr()))
                    return dense->forwardLogits(x);
            }
            x = m_modules[i].forward(x);
        }
        return x;
    }

private:
    std::vector<torch::nn::AnyModule> m_modules;
};
TORCH_MODULE(Head);

QString describe(const tc::graph::Node& node) {
    const QVariantMap& p = node.parameters;
    if (node.type == QLatin1String("Dense"))
        return QStringLiteral("Dense %1 %2")
            .arg(p.value(QStringLiteral("units")).toInt())
            .arg(p.value(QStringLiteral("activation"), QStringLiteral("none")).toString());
    if (node.type == QLatin1String("ResNet"))
        return QStringLiteral("ResNet%1").arg(p.value(QStringLiteral("variant"), 50).toString());
    return node.type;
}

} // namespace

BuiltModel buildModel(const tc::graph::Graph& graph, const ModelBuildOptions& options) {
    BuiltModel built;
    auto fail = [&](const QString& message) {
        built.error = message;
        built.classifier = {};
        return built;
    };

    // The chain: walk back from the Output node along single input links to the Input node.
    const QList<tc::graph::NodeId> outputs = graph.nodesOfType(QStringLiteral("Output"));
    if (outputs.size() != 1)
        return fail(QStringLiteral("the model needs exactly one Output component"));
    QList<tc::graph::NodeId> chain;
    tc::graph::NodeId current = outputs.front();
    while (true) {
        chain.prepend(current);
        if (chain.size() > graph.nodeCount())
            return fail(QStringLiteral("the model contains a cycle"));
        const tc::graph::Node* node = graph.findNode(current);
        if (node->type == QLatin1String("Input"))
            break;
        const QList<tc::graph::LinkId> inputs = graph.inputLinks(current);
        if (inputs.size() != 1)
            return fail(QStringLiteral("component #%1 (%2) must have exactly one input link")
                            .arg(current)
                            .arg(node->type));
        current = graph.findLink(inputs.front())->from.node;
    }

    torch::manual_seed(options.seed);
    std::vector<std::int64_t> shape{options.channels, options.height, options.width};
    HeadImpl* head = nullptr;
    Head headModule;
    QStringList parts;
    bool trunkPossible = true;
    for (const tc::graph::NodeId id : chain) {
        const tc::graph::Node* node = graph.findNode(id);
        if (node->type == QLatin1String("Input") || node->type == QLatin1String("Output"))
            continue;
        BuiltComponent component =
            buildComponent(node->type, node->parameters, shape, options.weights);
        if (!component.ok())
            return fail(
                QStringLiteral("component #%1 (%2): %3").arg(id).arg(node->type, component.error));
        if (component.weights)
            built.weights = component.weights;

        auto resnet = std::dynamic_pointer_cast<ResNetImpl>(component.module.ptr());
        const bool frozenResNet = resnet && resnet->trainableStages() == 0;
        if (trunkPossible && frozenResNet) {
            const Pooling pooling = resnet->options().pooling;
            const WeightsStatus status = component.weights.value_or(WeightsStatus{});
            QString trunkIdentity =
                QStringLiteral("%1/%2/%3/%4x%5")
                    .arg(resNetName(resnet->options().depth), poolingName(pooling))
                    .arg(status.isPretrained() ? QStringLiteral("weights:") + status.file
                                               : QStringLiteral("random:seed=%1").arg(options.seed))
                    .arg(options.width)
                    .arg(options.height);
            if (pooling == Pooling::None) {
                built.classifier.trunk = torch::nn::AnyModule(FrozenFeatureMap(ResNet(resnet)));
                parts << describe(*node) + QStringLiteral(" (frozen, LibTorch fp32)");
            } else {
                auto extractor =
                    std::make_unique<FeatureExtractor>(*resnet, pooling, options.precision, status);
                if (!extractor->isValid())
                    return fail(QStringLiteral("component #%1 (ResNet): %2")
                                    .arg(id)
                                    .arg(extractor->errorString()));
                trunkIdentity += QLatin1Char('/') + precisionName(extractor->precision());
                built.precision = extractor->precision();
                parts << describe(*node) +
                             QStringLiteral(" (frozen, %1)").arg(extractor->engineDescription());
                built.classifier.trunk =
                    torch::nn::AnyModule(FrozenBackbone(ResNet(resnet), std::move(extractor)));
            }
            built.classifier.trunkKey = trunkIdentity;
            trunkPossible = false;
        } else {
            // Only a backbone at the very start can be cached; anything else is trained.
            trunkPossible = false;
            if (!head) {
                head = headModule.get();
            }
            head->append(QStringLiteral("%1_%2").arg(node->type.toLower()).arg(id),
                         std::move(component.module));
            parts << describe(*node) + (resnet ? QStringLiteral(" (trainable)") : QString());
        }
        shape = component.outputShape;
    }
    if (!head)
        return fail(QStringLiteral("the model has no trainable component after the backbone: "
                                   "add a Dense layer"));
    std::int64_t values = 1;
    for (const std::int64_t size : shape)
        values *= size;
    if (shape.size() != 1 || values != options.classes)
        return fail(QStringLiteral("the last layer produces %1 values per image but the data "
                                   "has %2 classes")
                        .arg(values)
                        .arg(options.classes));
    built.classifier.head = torch::nn::AnyModule(headModule);
    built.classifier.classes = options.classes;
    // A deep chain is summarised: the description is one line in the console and the report.
    constexpr int kShownAtEachEnd = 4;
    if (parts.size() > 3 * kShownAtEachEnd) {
        const qsizetype hidden = parts.size() - 2 * kShownAtEachEnd;
        parts = parts.mid(0, kShownAtEachEnd) +
                QStringList{QStringLiteral("… %1 more …").arg(hidden)} +
                parts.mid(parts.size() - kShownAtEachEnd);
    }
    built.description = parts.join(QStringLiteral(" → "));
    return built;
}

} // namespace tc::nn
