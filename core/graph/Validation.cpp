#include "core/graph/Validation.h"

#include "core/graph/ComponentRegistry.h"

#include <algorithm>
#include <functional>
#include <QHash>
#include <QSet>

namespace tc::graph {

namespace {

/// Strongly connected components with more than one node: exactly the nodes that lie on a
/// cycle (self links cannot exist). Tarjan's algorithm with an explicit stack, because a
/// hostile file may hold a chain long enough to overflow the call stack.
QList<QList<NodeId>> cyclicComponents(const Graph& graph) {
    QHash<NodeId, QList<NodeId>> successors;
    for (LinkId id : graph.linkIds()) {
        const Link* link = graph.findLink(id);
        successors[link->from.node].append(link->to.node);
    }

    QHash<NodeId, int> index;
    QHash<NodeId, int> lowLink;
    QSet<NodeId> onStack;
    QList<NodeId> stack;
    QList<QList<NodeId>> result;
    int counter = 0;

    struct Frame {
        NodeId node;
        int next; // index of the next successor to visit
    };
    for (NodeId root : graph.nodeIds()) {
        if (index.contains(root))
            continue;
        QList<Frame> frames{{root, 0}};
        index[root] = lowLink[root] = counter++;
        stack.append(root);
        onStack.insert(root);
        while (!frames.isEmpty()) {
            Frame& frame = frames.last();
            const QList<NodeId> next = successors.value(frame.node);
            if (frame.next < next.size()) {
                const NodeId successor = next[frame.next++];
                if (!index.contains(successor)) {
                    index[successor] = lowLink[successor] = counter++;
                    stack.append(successor);
                    onStack.insert(successor);
                    frames.append({successor, 0});
                } else if (onStack.contains(successor)) {
                    lowLink[frame.node] = std::min(lowLink[frame.node], index[successor]);
                }
                continue;
            }
            const NodeId node = frame.node;
            frames.removeLast();
            if (!frames.isEmpty())
                lowLink[frames.last().node] = std::min(lowLink[frames.last().node], lowLink[node]);
            if (lowLink[node] == index[node]) {
                QList<NodeId> component;
                NodeId member = InvalidId;
                do {
                    member = stack.takeLast();
                    onStack.remove(member);
                    component.append(member);
                } while (member != node);
                if (component.size() > 1) {
                    std::sort(component.begin(), component.end());
                    result.append(component);
                }
            }
        }
    }
    return result;
}

/// Union-find over the undirected links: the weakly connected components.
class Components {
public:
    explicit Components(const Graph& graph) {
        for (NodeId id : graph.nodeIds())
            m_parent.insert(id, id);
        for (LinkId id : graph.linkIds()) {
            const Link* link = graph.findLink(id);
            unite(link->from.node, link->to.node);
        }
    }
    NodeId root(NodeId node) {
        NodeId current = node;
        while (m_parent.value(current) != current)
            current = m_parent.value(current);
        // Path compression keeps later look-ups flat.
        while (m_parent.value(node) != current) {
            const NodeId next = m_parent.value(node);
            m_parent[node] = current;
            node = next;
        }
        return current;
    }

private:
    void unite(NodeId a, NodeId b) {
        const NodeId rootA = root(a);
        const NodeId rootB = root(b);
        if (rootA != rootB)
            m_parent[std::max(rootA, rootB)] = std::min(rootA, rootB);
    }
    QHash<NodeId, NodeId> m_parent;
};

/// "#2, #3, #4", shortened for long lists: a message is one line, and a hostile file's
/// 50 000-node cycle must not produce gigabytes of text.
QString idList(const QList<NodeId>& ids) {
    constexpr int Shown = 8;
    QStringList parts;
    for (int i = 0; i < ids.size() && i < Shown; ++i)
        parts.append(QLatin1Char('#') + QString::number(ids[i]));
    QString text = parts.join(QStringLiteral(", "));
    if (ids.size() > Shown)
        text += QStringLiteral(" and %1 more").arg(ids.size() - Shown);
    return text;
}

/// Names from a file (component types, parameter keys) as they appear in messages.
QString shortened(const QString& text) {
    constexpr int Longest = 60;
    return text.size() <= Longest ? text : text.left(Longest - 3) + QStringLiteral("...");
}

/// A path for a message: long ones keep their start and their end, where the file name is.
QString shortenedPath(const QString& path) {
    constexpr int Head = 60;
    constexpr int Tail = 100;
    if (path.size() <= Head + Tail + 3)
        return path;
    return path.left(Head) + QStringLiteral("...") + path.right(Tail);
}

using Report = std::function<void(Severity, NodeId, const QString&, PortSide, int)>;

/// "one", "none", "3": how many links a message counts.
QString linkCount(int links) {
    if (links == 0)
        return QStringLiteral("none");
    if (links == 1)
        return QStringLiteral("only one");
    return QString::number(links);
}

/// Every input port of a node: a fixed port needs exactly one link; a variadic row (a merge
/// component) needs its minimum number of links, one per port.
void checkInputLinks(const Graph& graph, NodeId id, const ComponentSpec& spec,
                     const Report& report) {
    const int ports = graph.inputPortCount(id);
    int variadicLinks = 0;
    int firstVariadic = -1;
    for (int port = 0; port < ports; ++port) {
        const PortSpec* portSpec = spec.inputPort(port);
        const int links = static_cast<int>(graph.linksInto({id, port}).size());
        const QString portName = spec.inputPortName(port);
        if (portSpec->variadic) {
            if (firstVariadic < 0)
                firstVariadic = port;
            variadicLinks += links;
        } else if (links == 0) {
            report(Severity::Error, id, QStringLiteral("input '%1' is not connected").arg(portName),
                   PortSide::Input, port);
        }
        if (links > 1) {
            report(
                Severity::Error, id,
                QStringLiteral("input '%1' has %2 links; it accepts one").arg(portName).arg(links),
                PortSide::Input, port);
        }
    }
    if (firstVariadic >= 0) {
        const int minimum = spec.inputs.last().minimumLinks;
        if (variadicLinks < minimum) {
            report(Severity::Error, id,
                   QStringLiteral("%1 needs at least %2 inputs, but %3 %4 connected")
                       .arg(spec.name)
                       .arg(minimum)
                       .arg(linkCount(variadicLinks),
                            variadicLinks == 1 ? QStringLiteral("is") : QStringLiteral("are")),
                   PortSide::Input, firstVariadic);
        }
    }
}

/// The shapes arriving at a node's connected inputs, in port order. False when they are not
/// all known: a port without exactly one link, a variadic row below its minimum (reported by
/// checkInputLinks()) or an upstream node without a shape (reported there).
bool connectedInputShapes(const Graph& graph, NodeId id, const ComponentSpec& spec,
                          const QMap<NodeId, Shape>& shapes, QList<Shape>* result) {
    const int ports = graph.inputPortCount(id);
    int variadicLinks = 0;
    for (int port = 0; port < ports; ++port) {
        const PortSpec* portSpec = spec.inputPort(port);
        const QList<LinkId> links = graph.linksInto({id, port});
        if (links.size() > 1 || (links.isEmpty() && !portSpec->variadic))
            return false;
        if (links.isEmpty())
            continue; // a gap in a variadic row, or its free port
        ++variadicLinks;
        const Shape shape = shapes.value(graph.findLink(links.first())->from.node);
        if (shape.isEmpty())
            return false;
        result->append(shape);
    }
    return !spec.hasVariadicInput() || variadicLinks >= spec.inputs.last().minimumLinks;
}

} // namespace

QString severityName(Severity severity) {
    return severity == Severity::Error ? QStringLiteral("error") : QStringLiteral("warning");
}

int Validation::errorCount() const {
    return static_cast<int>(std::count_if(problems.begin(), problems.end(), [](const Problem& p) {
        return p.severity == Severity::Error;
    }));
}

int Validation::warningCount() const {
    return static_cast<int>(problems.size()) - errorCount();
}

QList<Problem> Validation::problemsFor(NodeId node) const {
    QList<Problem> result;
    for (const Problem& problem : problems) {
        if (problem.node == node)
            result.append(problem);
    }
    return result;
}

namespace {

/// Collects the problems of one validate() run.
class Checker {
public:
    Checker(const Graph& graph, const ShapeContext& context)
        : m_graph(graph)
        , m_context(context)
        , m_registry(ComponentRegistry::instance())
        , m_inputs(graph.nodesOfType(component::Input))
        , m_outputs(graph.nodesOfType(component::Output)) {}

    Validation run() {
        checkDefinitions();
        checkInputAndOutput();
        checkCycles();
        inferShapes();
        checkIslands();
        checkDataset();
        applyComponentRules();
        std::stable_sort(m_result.problems.begin(), m_result.problems.end(),
                         [](const Problem& a, const Problem& b) {
                             if (a.node != b.node)
                                 return a.node < b.node;
                             return a.severity == Severity::Error &&
                                    b.severity == Severity::Warning;
                         });
        return m_result;
    }

private:
    void report(Severity severity, NodeId node, const QString& message,
                PortSide side = PortSide::None, int port = -1) {
        m_result.problems.append(Problem{severity, node, side, port, message});
    }

    /// Each node's type, parameters and links. A node whose own definition is broken gets no
    /// shape (nor do the nodes downstream of it), so that one mistake does not cascade into a
    /// screenful of follow-up errors.
    void checkDefinitions() {
        const Report reportLink = [this](Severity severity, NodeId node, const QString& message,
                                         PortSide side, int port) {
            report(severity, node, message, side, port);
        };
        for (NodeId id : m_graph.nodeIds()) {
            const Node* node = m_graph.findNode(id);
            const ComponentSpec* spec = m_registry.find(node->type);
            if (!spec) {
                report(Severity::Error, id,
                       QStringLiteral("unknown component '%1'; this version cannot build it")
                           .arg(shortened(node->type)));
                m_broken.insert(id);
                continue;
            }
            for (const ParameterSpec& parameter : spec->parameters) {
                const auto found = node->parameters.constFind(parameter.name);
                if (found == node->parameters.constEnd())
                    continue; // the default applies
                const QString message = parameter.check(*found);
                if (!message.isEmpty()) {
                    report(Severity::Error, id, message);
                    m_broken.insert(id);
                }
            }
            for (auto it = node->parameters.constBegin(); it != node->parameters.constEnd(); ++it) {
                if (!spec->parameter(it.key())) {
                    report(Severity::Warning, id,
                           QStringLiteral("unknown parameter '%1' is ignored")
                               .arg(shortened(it.key())));
                }
            }
            checkInputLinks(m_graph, id, *spec, reportLink);
        }
    }

    /// Exactly one Input and one Output.
    void checkInputAndOutput() {
        const auto checkOne = [this](const QList<NodeId>& nodes, const QString& type) {
            if (nodes.isEmpty())
                report(Severity::Error, InvalidId, QStringLiteral("the model has no %1").arg(type));
            if (nodes.size() > 1) {
                for (NodeId id : nodes) {
                    report(Severity::Error, id,
                           QStringLiteral("more than one %1 (%2); a model has exactly one")
                               .arg(type, idList(nodes)));
                }
            }
        };
        checkOne(m_inputs, component::Input);
        checkOne(m_outputs, component::Output);
    }

    void checkCycles() {
        for (const QList<NodeId>& cycle : cyclicComponents(m_graph)) {
            for (NodeId id : cycle) {
                report(Severity::Error, id,
                       QStringLiteral("is part of a cycle (%1); links must flow one way, from "
                                      "Input to Output")
                           .arg(idList(cycle)));
            }
        }
    }

    /// Shapes, in dependency order; nodes on or behind a cycle are not in the order and keep
    /// an unknown shape.
    void inferShapes() {
        for (NodeId id : m_graph.nodeIds())
            m_result.shapes.insert(id, Shape());
        for (NodeId id : m_graph.topologicalOrder()) {
            if (m_broken.contains(id))
                continue;
            const Node* node = m_graph.findNode(id);
            const ComponentSpec* spec = m_registry.find(node->type);
            QList<Shape> inputShapes;
            if (!connectedInputShapes(m_graph, id, *spec, m_result.shapes, &inputShapes))
                continue; // reported above, or an upstream problem reported there
            const QVariantMap parameters = spec->effectiveParameters(node->parameters);
            QString error;
            const Shape output =
                inferOutputShape(node->type, parameters, inputShapes, m_context, &error);
            if (output.isEmpty()) {
                report(Severity::Error, id, error,
                       spec->inputs.isEmpty() ? PortSide::None : PortSide::Input,
                       spec->inputs.isEmpty() ? -1 : 0);
            }
            m_result.shapes.insert(id, output);
        }
    }

    /// Everything not connected (ignoring direction) to the model's Output, or to its Input
    /// when there is no Output, is left out of the built model; so is an unused output port.
    void checkIslands() {
        Components components(m_graph);
        NodeId anchor = InvalidId;
        if (!m_outputs.isEmpty())
            anchor = m_outputs.first();
        else if (!m_inputs.isEmpty())
            anchor = m_inputs.first();
        const NodeId mainRoot = anchor == InvalidId ? InvalidId : components.root(anchor);
        for (NodeId id : m_graph.nodeIds()) {
            const bool inMain = mainRoot == InvalidId || components.root(id) == mainRoot;
            if (!inMain) {
                report(Severity::Warning, id,
                       QStringLiteral("is not connected to the rest of the model and is ignored"));
                continue;
            }
            const ComponentSpec* spec = m_registry.find(m_graph.findNode(id)->type);
            if (!spec)
                continue;
            for (int port = 0; port < spec->outputs.size(); ++port) {
                bool used = false;
                for (LinkId linkId : m_graph.outputLinks(id))
                    used = used || m_graph.findLink(linkId)->from.port == port;
                if (!used) {
                    report(Severity::Warning, id,
                           QStringLiteral("output '%1' is not connected to anything")
                               .arg(spec->outputs[port].name),
                           PortSide::Output, port);
                }
            }
        }
    }

    /// Facts from the project's settings.
    void checkDataset() {
        if (m_context.dataset != ShapeContext::Dataset::Missing)
            return;
        const QString message =
            QStringLiteral("the data set '%1' does not exist (yet); training needs it")
                .arg(shortenedPath(m_context.datasetPath));
        if (m_inputs.isEmpty())
            report(Severity::Warning, InvalidId, message);
        for (NodeId id : m_inputs)
            report(Severity::Warning, id, message);
    }

    /// Each component's own rules (ComponentSpec::nodeRule) on its valid nodes.
    void applyComponentRules() {
        for (NodeId id : m_graph.nodeIds()) {
            if (m_broken.contains(id))
                continue;
            const Node* node = m_graph.findNode(id);
            const ComponentSpec* spec = m_registry.find(node->type);
            if (!spec->nodeRule)
                continue;
            NodeRuleInput input;
            input.parameters = spec->effectiveParameters(node->parameters);
            input.output = m_result.shapes.value(id);
            for (LinkId linkId : m_graph.outputLinks(id))
                input.successorTypes.append(
                    m_graph.findNode(m_graph.findLink(linkId)->to.node)->type);
            input.context = m_context;
            for (const NodeFinding& finding : spec->nodeRule(input))
                report(finding.error ? Severity::Error : Severity::Warning, id, finding.message);
        }
    }

    const Graph& m_graph;
    const ShapeContext& m_context;
    const ComponentRegistry& m_registry;
    const QList<NodeId> m_inputs;
    const QList<NodeId> m_outputs;
    Validation m_result;
    QSet<NodeId> m_broken;
};

} // namespace

Validation validate(const Graph& graph, const ShapeContext& context) {
    return Checker(graph, context).run();
}

} // namespace tc::graph
