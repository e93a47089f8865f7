#include "core/nn/ModelBuilder.h"

#include "core/graph/ComponentRegistry.h"
#include "core/graph/Graph.h"
#include "core/nn/FeatureExtractor.h"
#include "core/nn/Layers.h"
#include "core/nn/ModuleRegistry.h"
#include "core/nn/ResNet.h"

#include <QHash>
#include <QSet>
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

/// The trainable part of a graph that is not a chain: its nodes in topological order, each
/// computed from the values of the nodes linked into it. Value 0 is the head's input (the
/// trunk's features, or the images); forward() returns the value of the node linked to
/// Output, a Dense layer's without its final softmax (logits), as HeadImpl does.
class GraphHeadImpl : public torch::nn::Module {
public:
    struct Step {
        torch::nn::AnyModule module;
        std::vector<int> inputs; ///< value indices, in input-port order
        bool takesInputList = false;
        bool logits = false; ///< the Dense layer linked to Output
    };

    /// Adds a step; its value gets the next index (1, 2, …). Returns that index.
    int append(const QString& name, Step step) {
        register_module(name.toStdString(), step.module.ptr());
        m_steps.push_back(std::move(step));
        return static_cast<int>(m_steps.size());
    }
    void setResult(int value) { m_result = value; }

    torch::Tensor forward(torch::Tensor x) {
        std::vector<torch::Tensor> values;
        values.reserve(m_steps.size() + 1);
        values.push_back(std::move(x));
        for (Step& step : m_steps) {
            if (step.takesInputList) {
                std::vector<torch::Tensor> inputs;
                inputs.reserve(step.inputs.size());
                for (int index : step.inputs)
                    inputs.push_back(values[index]);
                values.push_back(step.module.forward(std::move(inputs)));
                continue;
            }
            const torch::Tensor& input = values[step.inputs.front()];
            if (step.logits) {
                if (auto dense = std::dynamic_pointer_cast<DenseImpl>(step.module.ptr())) {
                    values.push_back(dense->forwardLogits(input));
                    continue;
                }
            }
            values.push_back(step.module.forward(input));
        }
        return values[m_result];
    }

private:
    std::vector<Step> m_steps;
    int m_result = 0;
};
TORCH_MODULE(GraphHead);

QString describe(const tc::graph::Node& node) {
    const QVariantMap& p = node.parameters;
    if (node.type == tc::graph::component::Dense)
        return QStringLiteral("Dense %1 %2")
            .arg(p.value(QStringLiteral("units")).toInt())
            .arg(p.value(QStringLiteral("activation"), QStringLiteral("none")).toString());
    if (node.type == tc::graph::component::ResNet)
        return QStringLiteral("ResNet%1").arg(p.value(QStringLiteral("variant"), 50).toString());
    return node.type;
}

/// The chain from the Input node to the Output node, walking back along single input links;
/// nullopt when some node on the way has more or fewer than one (a graph with a merge).
std::optional<QList<tc::graph::NodeId>> chainOf(const tc::graph::Graph& graph,
                                                tc::graph::NodeId output, QString* cycle) {
    QList<tc::graph::NodeId> chain;
    tc::graph::NodeId current = output;
    while (true) {
        chain.prepend(current);
        if (chain.size() > graph.nodeCount()) {
            *cycle = QStringLiteral("the model contains a cycle");
            return std::nullopt;
        }
        const tc::graph::Node* node = graph.findNode(current);
        if (node->type == tc::graph::component::Input)
            return chain;
        const QList<tc::graph::LinkId> inputs = graph.inputLinks(current);
        if (inputs.size() != 1)
            return std::nullopt;
        current = graph.findLink(inputs.front())->from.node;
    }
}

/// Everything Output depends on, in topological order (Output included).
std::optional<QList<tc::graph::NodeId>> modelNodes(const tc::graph::Graph& graph,
                                                   tc::graph::NodeId output, QString* error) {
    QSet<tc::graph::NodeId> needed{output};
    QList<tc::graph::NodeId> pending{output};
    while (!pending.isEmpty()) {
        const tc::graph::NodeId current = pending.takeLast();
        for (tc::graph::LinkId link : graph.inputLinks(current)) {
            const tc::graph::NodeId source = graph.findLink(link)->from.node;
            if (!needed.contains(source)) {
                needed.insert(source);
                pending.append(source);
            }
        }
    }
    bool acyclic = true;
    QList<tc::graph::NodeId> order;
    for (tc::graph::NodeId id : graph.topologicalOrder(&acyclic)) {
        if (needed.contains(id))
            order.append(id);
    }
    if (!acyclic || order.size() != needed.size()) {
        *error = QStringLiteral("the model contains a cycle");
        return std::nullopt;
    }
    return order;
}

/// "ResNet18 (frozen, …) → Dense 128 relu ‖ Dense 64 relu → Concatenate → Dense 2 softmax":
/// the nodes grouped by their depth (the longest path from the input), parallel ones joined.
QString describeGraph(const QList<tc::graph::NodeId>& order,
                      const QHash<tc::graph::NodeId, int>& depth,
                      const QHash<tc::graph::NodeId, QString>& parts) {
    QMap<int, QStringList> levels;
    for (tc::graph::NodeId id : order) {
        if (parts.contains(id))
            levels[depth.value(id)].append(parts.value(id));
    }
    QStringList text;
    for (const QStringList& level : levels)
        text.append(level.join(QStringLiteral(" \u2016 ")));
    return text.join(QStringLiteral(" \u2192 "));
}

} // namespace

namespace {

using tc::graph::NodeId;

/// Makes a frozen ResNet the classifier's trunk (run by a FeatureExtractor with pooling, by
/// LibTorch without). Returns the part of the description, or an error in `built`.
QString makeTrunk(const tc::graph::Node& node, const BuiltComponent& component,
                  const std::shared_ptr<ResNetImpl>& resnet, const ModelBuildOptions& options,
                  BuiltModel& built) {
    const Pooling pooling = resnet->options().pooling;
    const WeightsStatus status = component.weights.value_or(WeightsStatus{});
    TrunkIdentity identity;
    identity.architecture = resNetName(resnet->options().depth);
    identity.pooling = poolingName(pooling);
    if (status.isPretrained())
        identity.weightsFile = status.file;
    else
        identity.seed = options.seed;
    identity.width = options.width;
    identity.height = options.height;
    QString part;
    if (pooling == Pooling::None) {
        built.classifier.trunk = torch::nn::AnyModule(FrozenFeatureMap(ResNet(resnet)));
        part = describe(node) + QStringLiteral(" (frozen, LibTorch fp32)");
    } else {
        auto extractor =
            std::make_unique<FeatureExtractor>(*resnet, pooling, options.precision, status);
        if (!extractor->isValid()) {
            built.error = QStringLiteral("component #%1 (ResNet): %2")
                              .arg(node.id)
                              .arg(extractor->errorString());
            return {};
        }
        identity.precision = precisionName(extractor->precision());
        built.precision = extractor->precision();
        part = describe(node) + QStringLiteral(" (frozen, %1)").arg(extractor->engineDescription());
        built.classifier.trunk =
            torch::nn::AnyModule(FrozenBackbone(ResNet(resnet), std::move(extractor)));
    }
    built.trunk = identity;
    built.classifier.trunkKey = identity.toString();
    return part;
}

/// The last layer's width against the data set's class count; empty when they agree.
QString checkClasses(const std::vector<std::int64_t>& shape, int classes) {
    std::int64_t values = 1;
    for (const std::int64_t size : shape)
        values *= size;
    if (shape.size() != 1 || values != classes)
        return QStringLiteral("the last layer produces %1 values per image but the data has %2 "
                              "classes")
            .arg(values)
            .arg(classes);
    return {};
}

BuiltModel buildChain(const tc::graph::Graph& graph, const QList<NodeId>& chain,
                      const ModelBuildOptions& options) {
    BuiltModel built;
    auto fail = [&](const QString& message) {
        built.error = message;
        built.classifier = {};
        return built;
    };

    torch::manual_seed(options.seed);
    std::vector<std::int64_t> shape{options.channels, options.height, options.width};
    HeadImpl* head = nullptr;
    Head headModule;
    QStringList parts;
    bool trunkPossible = true;
    for (const NodeId id : chain) {
        const tc::graph::Node* node = graph.findNode(id);
        if (node->type == tc::graph::component::Input || node->type == tc::graph::component::Output)
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
            const QString part = makeTrunk(*node, component, resnet, options, built);
            if (!built.ok())
                return fail(built.error);
            parts << part;
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
    const QString classProblem = checkClasses(shape, options.classes);
    if (!classProblem.isEmpty())
        return fail(classProblem);
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

/// A graph with merges or branches: the nodes Output depends on, in topological order, run by
/// a GraphHead. A frozen ResNet that is the Input's only consumer is the cached trunk, however
/// many branches its features feed.
BuiltModel buildGraph(const tc::graph::Graph& graph, NodeId output,
                      const ModelBuildOptions& options) {
    BuiltModel built;
    auto fail = [&](const QString& message) {
        built.error = message;
        built.classifier = {};
        return built;
    };
    QString error;
    const std::optional<QList<NodeId>> order = modelNodes(graph, output, &error);
    if (!order)
        return fail(error);
    const QList<NodeId> inputs = graph.nodesOfType(tc::graph::component::Input);
    if (inputs.size() != 1 || !order->contains(inputs.front()))
        return fail(QStringLiteral("the model needs exactly one Input component, linked to the "
                                   "Output"));
    const NodeId input = inputs.front();

    torch::manual_seed(options.seed);
    GraphHead headModule;
    QHash<NodeId, int> valueOf; // node → value index in the head
    QHash<NodeId, std::vector<std::int64_t>> shapeOf;
    QHash<NodeId, int> depth; // longest path from Input, for the description
    QHash<NodeId, QString> parts;
    valueOf.insert(input, 0);
    shapeOf.insert(input, {options.channels, options.height, options.width});
    depth.insert(input, 0);
    bool trainable = false;

    // The trunk: a frozen ResNet right after Input, and the only node Input feeds.
    QList<NodeId> inputConsumers;
    for (tc::graph::LinkId link : graph.outputLinks(input)) {
        const NodeId target = graph.findLink(link)->to.node;
        if (order->contains(target) && !inputConsumers.contains(target))
            inputConsumers.append(target);
    }
    NodeId trunk = tc::graph::InvalidId;

    for (const NodeId id : *order) {
        const tc::graph::Node* node = graph.findNode(id);
        if (id == input || node->type == tc::graph::component::Output)
            continue;
        const tc::graph::ComponentSpec* spec =
            tc::graph::ComponentRegistry::instance().find(node->type);
        const bool variadic = spec && spec->hasVariadicInput();
        const QList<tc::graph::LinkId> links = graph.inputLinksByPort(id);
        if (links.isEmpty() || (!variadic && links.size() != 1))
            return fail(QStringLiteral("component #%1 (%2) must have exactly one input link")
                            .arg(id)
                            .arg(node->type));
        InputShapes inputShapes;
        std::vector<int> inputValues;
        int level = 0;
        for (tc::graph::LinkId link : links) {
            const NodeId source = graph.findLink(link)->from.node;
            if (!valueOf.contains(source))
                return fail(QStringLiteral("component #%1 (%2) is fed by #%3, which is not part "
                                           "of the model")
                                .arg(id)
                                .arg(node->type)
                                .arg(source));
            inputShapes.push_back(shapeOf.value(source));
            inputValues.push_back(valueOf.value(source));
            level = std::max(level, depth.value(source) + 1);
        }
        depth.insert(id, level);
        BuiltComponent component =
            buildComponent(node->type, node->parameters, inputShapes, options.weights);
        if (!component.ok())
            return fail(
                QStringLiteral("component #%1 (%2): %3").arg(id).arg(node->type, component.error));
        if (component.weights)
            built.weights = component.weights;
        shapeOf.insert(id, component.outputShape);

        auto resnet = std::dynamic_pointer_cast<ResNetImpl>(component.module.ptr());
        const bool frozenResNet = resnet && resnet->trainableStages() == 0;
        if (frozenResNet && inputConsumers == QList<NodeId>{id}) {
            parts.insert(id, makeTrunk(*node, component, resnet, options, built));
            if (!built.ok())
                return fail(built.error);
            trunk = id;
            valueOf.insert(id, 0); // the head's input is the trunk's features
            continue;
        }
        const QList<tc::graph::LinkId> outputLinks = graph.outputLinks(id);
        bool feedsOutput = false;
        for (tc::graph::LinkId link : outputLinks)
            feedsOutput = feedsOutput || graph.findLink(link)->to.node == output;
        const ModuleFactory* factory = ModuleRegistry::instance().find(node->type);
        GraphHeadImpl::Step step;
        step.module = std::move(component.module);
        step.inputs = inputValues;
        step.takesInputList = factory && factory->takesInputList;
        step.logits = feedsOutput;
        valueOf.insert(id,
                       headModule->append(QStringLiteral("%1_%2").arg(node->type.toLower()).arg(id),
                                          std::move(step)));
        trainable = true;
        parts.insert(id, describe(*node) + (resnet ? QStringLiteral(" (trainable)") : QString()));
    }
    if (!trainable)
        return fail(QStringLiteral("the model has no trainable component after the backbone: "
                                   "add a Dense layer"));
    const QList<tc::graph::LinkId> outputInputs = graph.inputLinks(output);
    if (outputInputs.size() != 1)
        return fail(
            QStringLiteral("component #%1 (Output) must have exactly one input link").arg(output));
    const NodeId last = graph.findLink(outputInputs.front())->from.node;
    if (last == trunk || last == input)
        return fail(QStringLiteral("the model has no trainable component after the backbone: "
                                   "add a Dense layer"));
    const QString classProblem = checkClasses(shapeOf.value(last), options.classes);
    if (!classProblem.isEmpty())
        return fail(classProblem);
    headModule->setResult(valueOf.value(last));
    built.classifier.head = torch::nn::AnyModule(headModule);
    built.classifier.classes = options.classes;
    built.description = describeGraph(*order, depth, parts);
    return built;
}

} // namespace

BuiltModel buildModel(const tc::graph::Graph& graph, const ModelBuildOptions& options) {
    BuiltModel built;
    const QList<NodeId> outputs = graph.nodesOfType(tc::graph::component::Output);
    if (outputs.size() != 1) {
        built.error = QStringLiteral("the model needs exactly one Output component");
        return built;
    }
    // A chain keeps the chain builder (and so its module names, initialisation order and
    // exported forms) exactly; anything with a branch or a merge is run as a graph.
    QString cycle;
    const std::optional<QList<NodeId>> chain = chainOf(graph, outputs.front(), &cycle);
    if (!cycle.isEmpty()) {
        built.error = cycle;
        return built;
    }
    if (chain)
        return buildChain(graph, *chain, options);
    return buildGraph(graph, outputs.front(), options);
}

} // namespace tc::nn
