#include "core/graph/Graph.h"

#include "core/graph/ComponentRegistry.h"
#include "core/graph/Validation.h"

#include <algorithm>
#include <cmath>
#include <QHash>
#include <QJsonArray>
#include <QJsonValue>
#include <QSet>
#include <set>

namespace tc::graph {

namespace {

const QString kNodes = QStringLiteral("nodes");
const QString kLinks = QStringLiteral("links");

bool fail(QString* error, const QString& message) {
    if (error)
        *error = message;
    return false;
}

/// A whole number within [minimum, maximum] from a JSON value. JSON has one number type, so
/// 3.0 counts as 3, while 3.5, "3" or 1e300 do not.
bool readInteger(const QJsonValue& value, int minimum, int maximum, int* result) {
    if (!value.isDouble())
        return false;
    const double number = value.toDouble();
    if (!std::isfinite(number) || std::trunc(number) != number || number < minimum ||
        number > maximum)
        return false;
    *result = static_cast<int>(number);
    return true;
}

bool readPortRef(const QJsonValue& value, const QString& where, PortRef* ref, QString* error) {
    if (!value.isObject())
        return fail(error,
                    where + QStringLiteral(" must be an object {\"node\": id, \"port\": n}"));
    const QJsonObject object = value.toObject();
    if (!readInteger(object.value(QStringLiteral("node")), 1, MaxId, &ref->node)) {
        return fail(error, where + QStringLiteral(".node must be a node id (a whole number from 1 "
                                                  "to %1)")
                                       .arg(MaxId));
    }
    if (!readInteger(object.value(QStringLiteral("port")), 0, MaxPorts - 1, &ref->port)) {
        return fail(
            error,
            where + QStringLiteral(".port must be a port index from 0 to %1").arg(MaxPorts - 1));
    }
    return true;
}

QJsonObject portRefToJson(const PortRef& ref) {
    return QJsonObject{{QStringLiteral("node"), ref.node}, {QStringLiteral("port"), ref.port}};
}

/// A value as it comes back from a project file (an int becomes a qlonglong, a list a
/// QVariantList…). Values no declared parameter claims are stored in this form, so that saving
/// and loading, or deleting and restoring a node, gives back exactly the same QVariant.
QVariant jsonNormalForm(const QVariant& value) {
    if (!value.isValid())
        return value;
    return QJsonValue::fromVariant(value).toVariant();
}

/// A type name from a file, as it appears in messages: one short line at most.
QString shortName(const QString& type) {
    constexpr int Longest = 60;
    return type.size() <= Longest ? type : type.left(Longest - 3) + QStringLiteral("...");
}

/// The number of input/output ports of a node type; MaxPorts for an unknown type, whose ports
/// are unknown but whose links are kept so that nothing of a newer file is lost.
int portCount(const QString& type, bool output) {
    const ComponentSpec* spec = ComponentRegistry::instance().find(type);
    if (!spec || (!output && spec->hasVariadicInput()))
        return MaxPorts;
    return static_cast<int>(output ? spec->outputs.size() : spec->inputs.size());
}

/// Structural checks of a link against a set of nodes and links; empty when it fits.
QString linkStructureProblem(const Link& link, const QMap<NodeId, Node>& nodes,
                             const QMap<LinkId, Link>& links) {
    if (link.id < 1 || link.id > MaxId)
        return QStringLiteral("link id %1 is out of range").arg(link.id);
    if (links.contains(link.id))
        return QStringLiteral("link id %1 is already in use").arg(link.id);
    const auto from = nodes.constFind(link.from.node);
    if (from == nodes.constEnd())
        return QStringLiteral("it starts at node #%1, which does not exist").arg(link.from.node);
    const auto to = nodes.constFind(link.to.node);
    if (to == nodes.constEnd())
        return QStringLiteral("it ends at node #%1, which does not exist").arg(link.to.node);
    if (link.from.node == link.to.node)
        return QStringLiteral("it links node #%1 to itself").arg(link.from.node);
    if (link.from.port < 0 || link.from.port >= portCount(from->type, true)) {
        return QStringLiteral("%1 #%2 has no output port %3")
            .arg(shortName(from->type), QString::number(from->id), QString::number(link.from.port));
    }
    if (link.to.port < 0 || link.to.port >= portCount(to->type, false)) {
        return QStringLiteral("%1 #%2 has no input port %3")
            .arg(shortName(to->type), QString::number(to->id), QString::number(link.to.port));
    }
    return {};
}

/// A key for "the same link": equal ends.
QPair<QPair<NodeId, int>, QPair<NodeId, int>> endpoints(const Link& link) {
    return {{link.from.node, link.from.port}, {link.to.node, link.to.port}};
}

using EndpointSet = QSet<QPair<QPair<NodeId, int>, QPair<NodeId, int>>>;

EndpointSet endpointSet(const QMap<LinkId, Link>& links) {
    EndpointSet result;
    for (const Link& link : links)
        result.insert(endpoints(link));
    return result;
}

QString nodeProblem(const Node& node, const QMap<NodeId, Node>& nodes) {
    if (node.id < 1 || node.id > MaxId)
        return QStringLiteral("node id %1 is out of range 1 to %2").arg(node.id).arg(MaxId);
    if (nodes.contains(node.id))
        return QStringLiteral("node id %1 is already in use").arg(node.id);
    if (node.type.isEmpty())
        return QStringLiteral("node #%1 has no component type").arg(node.id);
    if (!std::isfinite(node.position.x()) || !std::isfinite(node.position.y()))
        return QStringLiteral("node #%1 has a position that is not a finite number").arg(node.id);
    return {};
}

/// The kind of tensor a node's output port carries, from its inferred shape when known.
PortKind effectiveKind(PortKind declared, const Shape& shape) {
    if (shape.size() == 3)
        return PortKind::Image;
    if (shape.size() == 1)
        return PortKind::Vector;
    return declared;
}

} // namespace

Graph::Graph(QObject* parent)
    : QObject(parent) {}

Graph::~Graph() = default;

const Node* Graph::findNode(NodeId id) const {
    const auto found = m_nodes.constFind(id);
    return found == m_nodes.constEnd() ? nullptr : &*found;
}

const Link* Graph::findLink(LinkId id) const {
    const auto found = m_links.constFind(id);
    return found == m_links.constEnd() ? nullptr : &*found;
}

Node Graph::node(NodeId id) const {
    return m_nodes.value(id);
}

Link Graph::link(LinkId id) const {
    return m_links.value(id);
}

void Graph::indexLink(const Link& link) {
    m_outgoing.insert(link.from.node, link.id);
    m_incoming.insert(link.to.node, link.id);
}

void Graph::unindexLink(const Link& link) {
    m_outgoing.remove(link.from.node, link.id);
    m_incoming.remove(link.to.node, link.id);
}

QList<LinkId> Graph::inputLinks(NodeId id) const {
    QList<LinkId> result = m_incoming.values(id);
    std::sort(result.begin(), result.end());
    return result;
}

QList<LinkId> Graph::outputLinks(NodeId id) const {
    QList<LinkId> result = m_outgoing.values(id);
    std::sort(result.begin(), result.end());
    return result;
}

QList<LinkId> Graph::linksOf(NodeId id) const {
    QList<LinkId> result = m_incoming.values(id) + m_outgoing.values(id);
    std::sort(result.begin(), result.end());
    return result;
}

QList<LinkId> Graph::linksInto(const PortRef& input) const {
    QList<LinkId> result;
    for (LinkId id : inputLinks(input.node)) {
        if (m_links.value(id).to.port == input.port)
            result.append(id);
    }
    return result;
}

QList<NodeId> Graph::nodesOfType(const QString& type) const {
    QList<NodeId> result;
    for (const Node& node : m_nodes) {
        if (node.type == type)
            result.append(node.id);
    }
    return result;
}

QString Graph::nodeName(NodeId id) const {
    const Node* node = findNode(id);
    if (!node)
        return QStringLiteral("#%1").arg(id);
    return QStringLiteral("%1 (#%2)")
        .arg(ComponentRegistry::describe(node->type, node->parameters), QString::number(id));
}

QString Graph::canLink(const PortRef& from, const PortRef& to) const {
    const Node* source = findNode(from.node);
    const Node* target = findNode(to.node);
    if (!source)
        return QStringLiteral("there is no node #%1").arg(from.node);
    if (!target)
        return QStringLiteral("there is no node #%1").arg(to.node);
    if (from.node == to.node)
        return QStringLiteral("a component cannot be linked to itself");
    const ComponentRegistry& registry = ComponentRegistry::instance();
    const ComponentSpec* sourceSpec = registry.find(source->type);
    const ComponentSpec* targetSpec = registry.find(target->type);
    if (!sourceSpec)
        return QStringLiteral("%1 is an unknown component").arg(nodeName(from.node));
    if (!targetSpec)
        return QStringLiteral("%1 is an unknown component").arg(nodeName(to.node));
    if (from.port < 0 || from.port >= sourceSpec->outputs.size())
        return QStringLiteral("%1 has no output %2")
            .arg(nodeName(from.node), QString::number(from.port));
    const PortSpec* targetPort = targetSpec->inputPort(to.port);
    if (!targetPort)
        return QStringLiteral("%1 has no input %2")
            .arg(nodeName(to.node), QString::number(to.port));
    if (targetPort->variadic && to.port >= inputPortCount(to.node))
        return QStringLiteral("%1 has no input %2 yet; link into its free input")
            .arg(nodeName(to.node), QString::number(to.port));
    if (!linksInto(to).isEmpty()) {
        return QStringLiteral("input '%1' of %2 is already connected; remove that link first")
            .arg(targetSpec->inputPortName(to.port), nodeName(to.node));
    }
    if (targetPort->variadic) {
        // One output into two ports of one merge would add (or join) a tensor to itself:
        // allowed by the maths, but never what a user dragging a second link means.
        for (LinkId id : inputLinks(to.node)) {
            if (m_links.value(id).from == from)
                return QStringLiteral("%1 already feeds %2")
                    .arg(nodeName(from.node), nodeName(to.node));
        }
    }
    if (reaches(to.node, from.node))
        return QStringLiteral("this link would create a cycle");

    const PortKind wanted = targetPort->kind;
    if (wanted != PortKind::Any) {
        const Shape shape = validate(*this).shape(from.node);
        const PortKind offered = effectiveKind(sourceSpec->outputs[from.port].kind, shape);
        const QString what = shape.isEmpty() ? QString() : QLatin1Char(' ') + shapeToString(shape);
        if (wanted == PortKind::Vector && offered == PortKind::Image) {
            return QStringLiteral("%1 needs a vector [N], but %2 gives an image-like tensor%3; add "
                                  "Flatten or GlobalAvgPool between them")
                .arg(target->type, nodeName(from.node), what);
        }
        if (wanted == PortKind::Image && offered == PortKind::Vector) {
            return QStringLiteral("%1 needs an image-like input [C, H, W], but %2 gives a "
                                  "vector%3")
                .arg(target->type, nodeName(from.node), what);
        }
    }
    return {};
}

int Graph::inputPortCount(NodeId id) const {
    const Node* node = findNode(id);
    if (!node)
        return 0;
    int highestLinked = -1;
    for (auto it = m_incoming.constFind(id); it != m_incoming.constEnd() && it.key() == id; ++it)
        highestLinked = std::max(highestLinked, m_links.value(it.value()).to.port);
    const ComponentSpec* spec = ComponentRegistry::instance().find(node->type);
    if (!spec)
        return highestLinked + 1;
    const int fixed = static_cast<int>(spec->inputs.size());
    if (!spec->hasVariadicInput())
        return fixed;
    return std::min(MaxPorts, std::max(fixed, highestLinked + 2));
}

QList<LinkId> Graph::inputLinksByPort(NodeId id) const {
    QList<LinkId> links = inputLinks(id);
    std::stable_sort(links.begin(), links.end(), [this](LinkId a, LinkId b) {
        return m_links.value(a).to.port < m_links.value(b).to.port;
    });
    return links;
}

bool Graph::reaches(NodeId from, NodeId to) const {
    if (!containsNode(from) || !containsNode(to))
        return false;
    QSet<NodeId> seen{from};
    QList<NodeId> pending{from};
    while (!pending.isEmpty()) {
        const NodeId current = pending.takeLast();
        if (current == to)
            return true;
        for (auto it = m_outgoing.constFind(current);
             it != m_outgoing.constEnd() && it.key() == current; ++it) {
            const NodeId next = m_links.value(it.value()).to.node;
            if (!seen.contains(next)) {
                seen.insert(next);
                pending.append(next);
            }
        }
    }
    return false;
}

QList<NodeId> Graph::topologicalOrder(bool* acyclic) const {
    // Kahn's algorithm; the ready set is ordered so that ties resolve by id.
    QHash<NodeId, int> indegree;
    QHash<NodeId, QList<NodeId>> successors;
    for (NodeId id : m_nodes.keys())
        indegree.insert(id, 0);
    for (const Link& link : m_links) {
        ++indegree[link.to.node];
        successors[link.from.node].append(link.to.node);
    }
    std::set<NodeId> ready;
    for (auto it = indegree.constBegin(); it != indegree.constEnd(); ++it) {
        if (it.value() == 0)
            ready.insert(it.key());
    }
    QList<NodeId> order;
    order.reserve(m_nodes.size());
    while (!ready.empty()) {
        const NodeId id = *ready.begin();
        ready.erase(ready.begin());
        order.append(id);
        for (NodeId next : successors.value(id)) {
            if (--indegree[next] == 0)
                ready.insert(next);
        }
    }
    if (acyclic)
        *acyclic = order.size() == m_nodes.size();
    return order;
}

QVariantMap Graph::canonicalParameters(const QString& type, const QVariantMap& parameters) const {
    const ComponentSpec* spec = ComponentRegistry::instance().find(type);
    QVariantMap result;
    for (auto it = parameters.constBegin(); it != parameters.constEnd(); ++it) {
        const ParameterSpec* parameter = spec ? spec->parameter(it.key()) : nullptr;
        const QVariant canonical = parameter ? parameter->coerce(it.value()) : QVariant();
        result.insert(it.key(), canonical.isValid() ? canonical : jsonNormalForm(it.value()));
    }
    return result;
}

NodeId Graph::addNode(const QString& type, const QPointF& position, const QVariantMap& parameters) {
    if (m_nextNodeId > MaxId)
        return InvalidId;
    QVariantMap values;
    if (const ComponentSpec* spec = ComponentRegistry::instance().find(type))
        values = spec->defaultParameters();
    for (auto it = parameters.constBegin(); it != parameters.constEnd(); ++it)
        values.insert(it.key(), it.value());
    Node node{m_nextNodeId, type, canonicalParameters(type, values), position};
    if (!insertNode(node))
        return InvalidId;
    return node.id;
}

bool Graph::insertNode(const Node& node, QString* reason) {
    const QString problem = nodeProblem(node, m_nodes);
    if (!problem.isEmpty())
        return fail(reason, problem);
    Node stored = node;
    stored.parameters = canonicalParameters(node.type, node.parameters);
    m_nodes.insert(node.id, stored);
    m_nextNodeId = std::max(m_nextNodeId, node.id + 1);
    Q_EMIT nodeAdded(node.id);
    Q_EMIT changed();
    return true;
}

QJsonObject Graph::removeNode(NodeId id) {
    const auto found = m_nodes.constFind(id);
    if (found == m_nodes.constEnd())
        return {};
    QJsonArray links;
    const QList<LinkId> touching = linksOf(id);
    for (LinkId linkId : touching)
        links.append(linkToJson(m_links.value(linkId)));
    const QJsonObject fragment{{kNodes, QJsonArray{nodeToJson(*found)}}, {kLinks, links}};
    for (LinkId linkId : touching) {
        unindexLink(m_links.take(linkId));
        Q_EMIT linkRemoved(linkId);
    }
    m_nodes.remove(id);
    Q_EMIT nodeRemoved(id);
    Q_EMIT changed();
    return fragment;
}

LinkId Graph::addLink(const PortRef& from, const PortRef& to, QString* reason) {
    const QString problem = canLink(from, to);
    if (!problem.isEmpty()) {
        fail(reason, problem);
        return InvalidId;
    }
    if (m_nextLinkId > MaxId) {
        fail(reason, QStringLiteral("the graph has run out of link ids"));
        return InvalidId;
    }
    const Link link{m_nextLinkId, from, to};
    if (!insertLink(link, reason))
        return InvalidId;
    return link.id;
}

bool Graph::insertLink(const Link& link, QString* reason) {
    const QString problem = linkStructureProblem(link, m_nodes, m_links);
    if (!problem.isEmpty())
        return fail(reason, problem);
    for (LinkId id : m_outgoing.values(link.from.node)) {
        if (m_links.value(id).to == link.to)
            return fail(reason, QStringLiteral("it duplicates link %1").arg(id));
    }
    m_links.insert(link.id, link);
    indexLink(link);
    m_nextLinkId = std::max(m_nextLinkId, link.id + 1);
    Q_EMIT linkAdded(link.id);
    Q_EMIT changed();
    return true;
}

std::optional<Link> Graph::removeLink(LinkId id) {
    const auto found = m_links.constFind(id);
    if (found == m_links.constEnd())
        return std::nullopt;
    const Link link = *found;
    m_links.remove(id);
    unindexLink(link);
    Q_EMIT linkRemoved(id);
    Q_EMIT changed();
    return link;
}

QVariant Graph::setParameter(NodeId id, const QString& name, const QVariant& value) {
    const auto found = m_nodes.find(id);
    if (found == m_nodes.end())
        return {};
    const QVariant old = found->parameters.value(name);
    QVariant stored;
    if (value.isValid())
        stored = canonicalParameters(found->type, {{name, value}}).value(name);
    // Compare types too: 1 (int) and 1.0 (double) are equal QVariants but not the same value
    // for an undo that must restore exactly what was there.
    if (old.isValid() == stored.isValid() && old.typeId() == stored.typeId() && old == stored)
        return old;
    if (stored.isValid())
        found->parameters.insert(name, stored);
    else
        found->parameters.remove(name);
    Q_EMIT parameterChanged(id, name, stored);
    Q_EMIT changed();
    return old;
}

QVariantMap Graph::setParameters(NodeId id, const QVariantMap& parameters) {
    const auto found = m_nodes.find(id);
    if (found == m_nodes.end())
        return {};
    const QVariantMap old = found->parameters;
    found->parameters = canonicalParameters(found->type, parameters);
    Q_EMIT parametersReset(id);
    Q_EMIT changed();
    return old;
}

QPointF Graph::moveNode(NodeId id, const QPointF& position) {
    const auto found = m_nodes.find(id);
    if (found == m_nodes.end())
        return {};
    const QPointF old = found->position;
    if (!std::isfinite(position.x()) || !std::isfinite(position.y()) || position == old)
        return old;
    found->position = position;
    Q_EMIT nodeMoved(id, position);
    Q_EMIT changed();
    return old;
}

void Graph::clear() {
    if (m_nodes.isEmpty() && m_links.isEmpty())
        return;
    const QList<LinkId> links = m_links.keys();
    for (LinkId id : links) {
        unindexLink(m_links.take(id));
        Q_EMIT linkRemoved(id);
    }
    const QList<NodeId> nodes = m_nodes.keys();
    for (NodeId id : nodes) {
        m_nodes.remove(id);
        Q_EMIT nodeRemoved(id);
    }
    Q_EMIT changed();
}

void Graph::replaceWith(const Graph& other) {
    if (&other == this)
        return;
    clear();
    for (const Node& node : other.m_nodes) {
        m_nodes.insert(node.id, node);
        Q_EMIT nodeAdded(node.id);
    }
    for (const Link& link : other.m_links) {
        m_links.insert(link.id, link);
        indexLink(link);
        Q_EMIT linkAdded(link.id);
    }
    m_nextNodeId = std::max(m_nextNodeId, other.m_nextNodeId);
    m_nextLinkId = std::max(m_nextLinkId, other.m_nextLinkId);
    Q_EMIT changed();
}

QJsonObject Graph::nodeToJson(const Node& node) {
    QJsonObject parameters;
    for (auto it = node.parameters.constBegin(); it != node.parameters.constEnd(); ++it)
        parameters.insert(it.key(), QJsonValue::fromVariant(it.value()));
    return QJsonObject{
        {QStringLiteral("id"), node.id},
        {QStringLiteral("type"), node.type},
        {QStringLiteral("position"), QJsonObject{{QStringLiteral("x"), node.position.x()},
                                                 {QStringLiteral("y"), node.position.y()}}},
        {QStringLiteral("parameters"), parameters},
    };
}

QJsonObject Graph::linkToJson(const Link& link) {
    return QJsonObject{
        {QStringLiteral("id"), link.id},
        {QStringLiteral("from"), portRefToJson(link.from)},
        {QStringLiteral("to"), portRefToJson(link.to)},
    };
}

std::optional<Node> Graph::nodeFromJson(const QJsonValue& json, const QString& where,
                                        QString* error) {
    if (!json.isObject()) {
        fail(error, where + QStringLiteral(" must be an object"));
        return std::nullopt;
    }
    const QJsonObject object = json.toObject();
    Node node;
    if (!readInteger(object.value(QStringLiteral("id")), 1, MaxId, &node.id)) {
        fail(error, where + QStringLiteral(".id must be a whole number from 1 to %1").arg(MaxId));
        return std::nullopt;
    }
    const QJsonValue type = object.value(QStringLiteral("type"));
    if (!type.isString() || type.toString().trimmed().isEmpty()) {
        fail(error, where + QStringLiteral(".type must be a component name such as \"Dense\""));
        return std::nullopt;
    }
    node.type = type.toString();
    const QJsonValue position = object.value(QStringLiteral("position"));
    if (!position.isUndefined()) {
        const QJsonObject point = position.toObject();
        const QJsonValue x = point.value(QStringLiteral("x"));
        const QJsonValue y = point.value(QStringLiteral("y"));
        if (!position.isObject() || !x.isDouble() || !y.isDouble() ||
            !std::isfinite(x.toDouble()) || !std::isfinite(y.toDouble())) {
            fail(error, where + QStringLiteral(".position must be {\"x\": number, \"y\": number}"));
            return std::nullopt;
        }
        node.position = QPointF(x.toDouble(), y.toDouble());
    }
    const QJsonValue parameters = object.value(QStringLiteral("parameters"));
    if (!parameters.isUndefined() && !parameters.isObject()) {
        fail(error, where + QStringLiteral(".parameters must be an object"));
        return std::nullopt;
    }
    const ComponentSpec* spec = ComponentRegistry::instance().find(node.type);
    const QJsonObject values = parameters.toObject();
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        const QVariant raw = it.value().toVariant();
        const ParameterSpec* parameter = spec ? spec->parameter(it.key()) : nullptr;
        const QVariant canonical = parameter ? parameter->coerce(raw) : QVariant();
        // A value of the wrong type is kept as written: validation reports it and saving
        // writes it back, so the user's file is never silently changed.
        node.parameters.insert(it.key(), canonical.isValid() ? canonical : raw);
    }
    return node;
}

std::optional<Link> Graph::linkFromJson(const QJsonValue& json, const QString& where,
                                        QString* error) {
    if (!json.isObject()) {
        fail(error, where + QStringLiteral(" must be an object"));
        return std::nullopt;
    }
    const QJsonObject object = json.toObject();
    Link link;
    if (!readInteger(object.value(QStringLiteral("id")), 1, MaxId, &link.id)) {
        fail(error, where + QStringLiteral(".id must be a whole number from 1 to %1").arg(MaxId));
        return std::nullopt;
    }
    if (!readPortRef(object.value(QStringLiteral("from")), where + QStringLiteral(".from"),
                     &link.from, error) ||
        !readPortRef(object.value(QStringLiteral("to")), where + QStringLiteral(".to"), &link.to,
                     error))
        return std::nullopt;
    return link;
}

QJsonObject Graph::toJson() const {
    return fragment(m_nodes.keys());
}

QJsonObject Graph::fragment(const QList<NodeId>& nodes) const {
    QList<NodeId> ids = nodes;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const QSet<NodeId> selected(ids.begin(), ids.end());
    QJsonArray nodeArray;
    for (NodeId id : ids) {
        if (const Node* node = findNode(id))
            nodeArray.append(nodeToJson(*node));
    }
    QJsonArray linkArray;
    for (const Link& link : m_links) {
        if (selected.contains(link.from.node) && selected.contains(link.to.node))
            linkArray.append(linkToJson(link));
    }
    return QJsonObject{{kNodes, nodeArray}, {kLinks, linkArray}};
}

namespace {

/// A fragment's nodes and links read and checked for form (not yet against a graph).
struct ParsedFragment {
    QList<Node> nodes;
    QList<Link> links;
};

std::optional<ParsedFragment> parseFragment(const QJsonObject& json, const QString& where,
                                            QString* error) {
    const QString prefix = where.isEmpty() ? QString() : where + QLatin1Char('.');
    const QJsonValue nodes = json.value(kNodes);
    const QJsonValue links = json.value(kLinks);
    if (!nodes.isArray()) {
        fail(error, prefix + QStringLiteral("nodes must be an array"));
        return std::nullopt;
    }
    if (!links.isArray()) {
        fail(error, prefix + QStringLiteral("links must be an array"));
        return std::nullopt;
    }
    ParsedFragment parsed;
    const QJsonArray nodeArray = nodes.toArray();
    for (int i = 0; i < nodeArray.size(); ++i) {
        const auto node = Graph::nodeFromJson(nodeArray.at(i),
                                              prefix + QStringLiteral("nodes[%1]").arg(i), error);
        if (!node)
            return std::nullopt;
        parsed.nodes.append(*node);
    }
    const QJsonArray linkArray = links.toArray();
    for (int i = 0; i < linkArray.size(); ++i) {
        const auto link = Graph::linkFromJson(linkArray.at(i),
                                              prefix + QStringLiteral("links[%1]").arg(i), error);
        if (!link)
            return std::nullopt;
        parsed.links.append(*link);
    }
    return parsed;
}

} // namespace

bool Graph::restore(const QJsonObject& fragment, QString* error) {
    const auto parsed = parseFragment(fragment, QString(), error);
    if (!parsed)
        return false;
    // Check everything against a copy first: all or nothing.
    QMap<NodeId, Node> nodes = m_nodes;
    QMap<LinkId, Link> links = m_links;
    EndpointSet existing = endpointSet(m_links);
    for (const Node& node : parsed->nodes) {
        const QString problem = nodeProblem(node, nodes);
        if (!problem.isEmpty())
            return fail(error, problem);
        nodes.insert(node.id, node);
    }
    for (const Link& link : parsed->links) {
        QString problem = linkStructureProblem(link, nodes, links);
        if (problem.isEmpty() && existing.contains(endpoints(link)))
            problem = QStringLiteral("it duplicates another link");
        if (!problem.isEmpty())
            return fail(error, QStringLiteral("link %1: %2").arg(link.id).arg(problem));
        links.insert(link.id, link);
        existing.insert(endpoints(link));
    }
    for (const Node& node : parsed->nodes) {
        m_nodes.insert(node.id, node);
        m_nextNodeId = std::max(m_nextNodeId, node.id + 1);
        Q_EMIT nodeAdded(node.id);
    }
    for (const Link& link : parsed->links) {
        m_links.insert(link.id, link);
        indexLink(link);
        m_nextLinkId = std::max(m_nextLinkId, link.id + 1);
        Q_EMIT linkAdded(link.id);
    }
    if (!parsed->nodes.isEmpty() || !parsed->links.isEmpty())
        Q_EMIT changed();
    return true;
}

QList<NodeId> Graph::paste(const QJsonObject& fragment, const QPointF& offset, QString* error) {
    const auto parsed = parseFragment(fragment, QString(), error);
    if (!parsed)
        return {};
    if (qint64(m_nextNodeId) + parsed->nodes.size() > MaxId ||
        qint64(m_nextLinkId) + parsed->links.size() > MaxId) {
        fail(error, QStringLiteral("the graph has run out of ids"));
        return {};
    }
    QHash<NodeId, NodeId> newIds;
    QList<Node> nodes;
    for (Node node : parsed->nodes) {
        if (newIds.contains(node.id)) {
            fail(error, QStringLiteral("node id %1 appears twice").arg(node.id));
            return {};
        }
        newIds.insert(node.id, m_nextNodeId + static_cast<int>(nodes.size()));
        node.id = newIds.value(node.id);
        node.position += offset;
        if (!std::isfinite(node.position.x()) || !std::isfinite(node.position.y()))
            node.position = offset;
        nodes.append(node);
    }
    QList<NodeId> result;
    for (const Node& node : nodes) {
        m_nodes.insert(node.id, node);
        m_nextNodeId = node.id + 1;
        result.append(node.id);
        Q_EMIT nodeAdded(node.id);
    }
    EndpointSet existing;
    for (Link link : parsed->links) {
        if (!newIds.contains(link.from.node) || !newIds.contains(link.to.node))
            continue; // it led outside the copied selection
        link.id = m_nextLinkId;
        link.from.node = newIds.value(link.from.node);
        link.to.node = newIds.value(link.to.node);
        if (!linkStructureProblem(link, m_nodes, m_links).isEmpty() ||
            existing.contains(endpoints(link)))
            continue;
        existing.insert(endpoints(link));
        m_links.insert(link.id, link);
        indexLink(link);
        ++m_nextLinkId;
        Q_EMIT linkAdded(link.id);
    }
    if (!result.isEmpty())
        Q_EMIT changed();
    return result;
}

bool Graph::loadJson(const QJsonObject& json, const QString& where, QString* error,
                     QStringList* warnings) {
    const auto parsed = parseFragment(json, where, error);
    if (!parsed)
        return false;
    const QString prefix = where.isEmpty() ? QString() : where + QLatin1Char('.');
    QMap<NodeId, Node> nodes;
    QMap<LinkId, Link> links;
    for (int i = 0; i < parsed->nodes.size(); ++i) {
        const Node& node = parsed->nodes[i];
        if (nodes.contains(node.id)) {
            return fail(
                error,
                prefix + QStringLiteral("nodes[%1]: node id %2 is used twice").arg(i).arg(node.id));
        }
        nodes.insert(node.id, node);
    }
    QSet<LinkId> linkIds;
    EndpointSet existing;
    LinkId largestLinkId = 0;
    for (int i = 0; i < parsed->links.size(); ++i) {
        const Link& link = parsed->links[i];
        if (linkIds.contains(link.id)) {
            return fail(
                error,
                prefix + QStringLiteral("links[%1]: link id %2 is used twice").arg(i).arg(link.id));
        }
        linkIds.insert(link.id);
        largestLinkId = std::max(largestLinkId, link.id);
        QString problem = linkStructureProblem(link, nodes, links);
        if (problem.isEmpty() && existing.contains(endpoints(link)))
            problem = QStringLiteral("it duplicates an earlier link");
        if (!problem.isEmpty()) {
            if (warnings) {
                warnings->append(prefix + QStringLiteral("links[%1] (link %2) was dropped: %3")
                                              .arg(i)
                                              .arg(link.id)
                                              .arg(problem));
            }
            continue;
        }
        links.insert(link.id, link);
        existing.insert(endpoints(link));
    }

    clear();
    for (const Node& node : std::as_const(nodes)) {
        m_nodes.insert(node.id, node);
        m_nextNodeId = std::max(m_nextNodeId, node.id + 1);
        Q_EMIT nodeAdded(node.id);
    }
    for (const Link& link : std::as_const(links)) {
        m_links.insert(link.id, link);
        indexLink(link);
        Q_EMIT linkAdded(link.id);
    }
    // Ids of dropped links are not handed out either: a later file version may mean them.
    m_nextLinkId = std::max(m_nextLinkId, largestLinkId + 1);
    Q_EMIT changed();
    return true;
}

} // namespace tc::graph
