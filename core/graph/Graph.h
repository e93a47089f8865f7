#pragma once

#include <optional>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMultiHash>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>

class QJsonValue;

namespace tc::graph {

/// Node and link ids are positive integers, unique within a graph and never reused by it (the
/// next id only grows), so that an undo command can refer to a node by id across deletions.
using NodeId = int;
using LinkId = int;
inline constexpr int InvalidId = -1;
/// Largest id a graph hands out or accepts from a file; keeps `id + 1` far from overflow.
inline constexpr int MaxId = 1'000'000'000;
/// Port indices of unknown components (whose port count is unknown) are accepted below this.
inline constexpr int MaxPorts = 64;

/// One end of a link: a node and the index of one of its output ports (the `from` end) or
/// input ports (the `to` end).
struct PortRef {
    NodeId node = InvalidId;
    int port = 0;

    friend bool operator==(const PortRef& a, const PortRef& b) {
        return a.node == b.node && a.port == b.port;
    }
    friend bool operator!=(const PortRef& a, const PortRef& b) { return !(a == b); }
};

/// A component placed on the canvas. `type` names an entry of the ComponentRegistry (or an
/// unknown type read from a file: it is kept and reported by validation, not dropped).
struct Node {
    NodeId id = InvalidId;
    QString type;
    QVariantMap parameters;
    QPointF position;

    friend bool operator==(const Node& a, const Node& b) {
        return a.id == b.id && a.type == b.type && a.parameters == b.parameters &&
               a.position == b.position;
    }
    friend bool operator!=(const Node& a, const Node& b) { return !(a == b); }
};

/// A directed connection from an output port to an input port.
struct Link {
    LinkId id = InvalidId;
    PortRef from;
    PortRef to;

    friend bool operator==(const Link& a, const Link& b) {
        return a.id == b.id && a.from == b.from && a.to == b.to;
    }
    friend bool operator!=(const Link& a, const Link& b) { return !(a == b); }
};

/// The model graph the user wires on the canvas: the single source of truth. Scene items
/// observe its signals; undo commands call its edit operations, each of which returns what is
/// needed to reverse it exactly:
///
///   | edit                        | undo                                  |
///   |-----------------------------|---------------------------------------|
///   | addNode() → id              | removeNode(id)                        |
///   | removeNode(id) → fragment   | restore(fragment)                     |
///   | addLink() → id              | removeLink(id)                        |
///   | removeLink(id) → link       | insertLink(link)                      |
///   | setParameter() → old value  | setParameter(name, old value)         |
///   | setParameters() → old map   | setParameters(old map)                |
///   | moveNode() → old position   | moveNode(old position)                |
///   | paste() → ids               | removeNode(each id)                   |
///
/// Redo of an addNode()/paste() uses insertNode()/restore() with the ids the first run got.
///
/// One JSON form of a node (nodeToJson) and of a set of nodes with links (a "fragment",
/// `{"nodes": [...], "links": [...]}`, the same shape as the project file's "graph") serves
/// saving, copy/paste and undo of deletion.
///
/// The graph checks structure only (ids, that link ends exist); whether the model makes sense
/// (shapes, cycles, missing links, parameter ranges) is validate()'s job, so that a half-wired
/// or hand-edited graph can still be loaded, shown and fixed.
class Graph : public QObject {
    Q_OBJECT

public:
    explicit Graph(QObject* parent = nullptr);
    ~Graph() override;

    // ---- Reading -------------------------------------------------------------------------

    bool isEmpty() const { return m_nodes.isEmpty(); }
    int nodeCount() const { return static_cast<int>(m_nodes.size()); }
    int linkCount() const { return static_cast<int>(m_links.size()); }
    /// Ascending.
    QList<NodeId> nodeIds() const { return m_nodes.keys(); }
    /// Ascending.
    QList<LinkId> linkIds() const { return m_links.keys(); }
    bool containsNode(NodeId id) const { return m_nodes.contains(id); }
    bool containsLink(LinkId id) const { return m_links.contains(id); }
    /// nullptr when there is no such node. Invalidated by the next edit.
    const Node* findNode(NodeId id) const;
    /// nullptr when there is no such link. Invalidated by the next edit.
    const Link* findLink(LinkId id) const;
    /// A copy; a Node with id InvalidId when there is none.
    Node node(NodeId id) const;
    /// A copy; a Link with id InvalidId when there is none.
    Link link(LinkId id) const;
    /// Links arriving at the node, ascending.
    QList<LinkId> inputLinks(NodeId id) const;
    /// Links leaving the node, ascending.
    QList<LinkId> outputLinks(NodeId id) const;
    /// inputLinks() and outputLinks(), ascending.
    QList<LinkId> linksOf(NodeId id) const;
    /// Links arriving at one input port.
    QList<LinkId> linksInto(const PortRef& input) const;
    /// The input ports a node has now: its component's inputs and, for a variadic row (Add,
    /// Concatenate), one free port after the highest connected one, so that the row grows as
    /// links arrive. 0 for a missing node; for an unknown component, its highest linked port + 1.
    int inputPortCount(NodeId id) const;
    /// The links into a node in input-port order (ties by link id): the order in which a
    /// merge component receives its inputs.
    QList<LinkId> inputLinksByPort(NodeId id) const;
    /// Nodes of one component type, ascending.
    QList<NodeId> nodesOfType(const QString& type) const;
    /// The id the next addNode()/addLink() will use.
    NodeId nextNodeId() const { return m_nextNodeId; }
    LinkId nextLinkId() const { return m_nextLinkId; }

    // ---- Structure -----------------------------------------------------------------------

    /// Empty when a link from output port `from` to input port `to` may be added; otherwise a
    /// sentence for the user, e.g. "Dense (#3) input 1 is already connected" or "this link
    /// would create a cycle". Rejects: missing nodes, self links, ports out of range, an
    /// occupied input, an identical link, a cycle, and a kind or shape mismatch (a vector
    /// into an image input such as Conv2D).
    QString canLink(const PortRef& from, const PortRef& to) const;
    /// True when a directed path leads from `from` to `to` (a node reaches itself).
    bool reaches(NodeId from, NodeId to) const;
    /// Every node such that each link goes from an earlier to a later node; among ready nodes
    /// the smaller id comes first, so the order is deterministic. With a cycle, the nodes on
    /// or behind it are missing from the list and `*acyclic` (if given) is set to false.
    QList<NodeId> topologicalOrder(bool* acyclic = nullptr) const;

    // ---- Edits ---------------------------------------------------------------------------

    /// Adds a node with a new id. For a known component, `parameters` are laid over its
    /// defaults and coerced to their canonical types. Returns InvalidId only when the id space
    /// is exhausted.
    NodeId addNode(const QString& type, const QPointF& position = {},
                   const QVariantMap& parameters = {});
    /// Adds `node` with its own id (redo, restore, loading), parameters in canonical form as
    /// in setParameter(). Fails with a reason when the id is out of range or taken, the type
    /// is empty or the position is not finite.
    bool insertNode(const Node& node, QString* reason = nullptr);
    /// Removes the node and every link touching it (linkRemoved for each, then nodeRemoved).
    /// Returns the fragment restore() needs to bring all of it back; empty when absent.
    QJsonObject removeNode(NodeId id);
    /// Adds a link with a new id when canLink() allows it; otherwise returns InvalidId and
    /// sets `*reason`.
    LinkId addLink(const PortRef& from, const PortRef& to, QString* reason = nullptr);
    /// Adds `link` with its own id (redo, restore, loading). Checks structure only: the id,
    /// that both nodes exist, the ports exist, it is not a self link or a duplicate. An
    /// occupied input or a cycle is accepted here and reported by validation.
    bool insertLink(const Link& link, QString* reason = nullptr);
    /// Removes a link; returns it (for insertLink) or nothing when absent.
    std::optional<Link> removeLink(LinkId id);
    /// Sets one parameter: coerced to its declared type when possible, otherwise kept in the
    /// form a JSON round trip gives (an int becomes a qlonglong) for validation to report. An
    /// invalid QVariant removes the parameter. Returns the previous value (invalid when there was
    /// none), so that setParameter(id, name, old) undoes it. No signal when nothing changes.
    QVariant setParameter(NodeId id, const QString& name, const QVariant& value);
    /// Replaces all parameters; returns the previous map.
    QVariantMap setParameters(NodeId id, const QVariantMap& parameters);
    /// Returns the previous position. Non-finite positions are ignored.
    QPointF moveNode(NodeId id, const QPointF& position);
    /// Removes everything (signals for each link and node). Ids are not reset.
    void clear();
    /// Replaces everything with a copy of `other`'s nodes and links, same ids (signals as for
    /// clear(), then nodeAdded and linkAdded for each). The next ids only grow.
    void replaceWith(const Graph& other);

    // ---- JSON ----------------------------------------------------------------------------

    /// `{"id": 3, "type": "Dense", "position": {"x": 480, "y": 0}, "parameters": {...}}`
    static QJsonObject nodeToJson(const Node& node);
    /// `{"id": 1, "from": {"node": 1, "port": 0}, "to": {"node": 2, "port": 0}}`
    static QJsonObject linkToJson(const Link& link);
    /// Reads nodeToJson()'s form. Known parameters are coerced to their declared types
    /// where possible; everything else is kept as written. `where` prefixes the message.
    static std::optional<Node> nodeFromJson(const QJsonValue& json, const QString& where,
                                            QString* error);
    static std::optional<Link> linkFromJson(const QJsonValue& json, const QString& where,
                                            QString* error);

    /// The whole graph as a fragment: `{"nodes": [...], "links": [...]}`, ascending ids.
    QJsonObject toJson() const;
    /// The given nodes and the links among them (copy).
    QJsonObject fragment(const QList<NodeId>& nodes) const;
    /// Inserts a fragment's nodes and links with their own ids (undo of removeNode, redo of
    /// paste). All or nothing: on any conflict nothing changes and `*error` says why.
    bool restore(const QJsonObject& fragment, QString* error = nullptr);
    /// Inserts a copy of a fragment with new ids, positions shifted by `offset`; links to nodes
    /// outside the fragment are dropped. Returns the new node ids in fragment order (empty
    /// and `*error` set when the fragment is malformed).
    QList<NodeId> paste(const QJsonObject& fragment, const QPointF& offset = {},
                        QString* error = nullptr);
    /// Replaces the whole graph with a project file's "graph" object. Malformed JSON (a node
    /// without an id, duplicate ids…) fails with `*error` naming the entry and leaves the graph
    /// untouched; links that refer to missing nodes or ports are dropped with a message in
    /// `*warnings`. `where` prefixes messages (e.g. "graph").
    bool loadJson(const QJsonObject& json, const QString& where, QString* error,
                  QStringList* warnings = nullptr);

Q_SIGNALS:
    // Plain int ids (NodeId/LinkId) so that QSignalSpy and queued connections need no
    // metatype registration.
    void nodeAdded(int nodeId);
    /// After the linkRemoved() of each of its links.
    void nodeRemoved(int nodeId);
    void linkAdded(int linkId);
    void linkRemoved(int linkId);
    /// `value` is invalid when the parameter was removed.
    void parameterChanged(int nodeId, const QString& name, const QVariant& value);
    /// setParameters() replaced the whole map.
    void parametersReset(int nodeId);
    void nodeMoved(int nodeId, const QPointF& position);
    /// After any edit above; a cue to re-run validation.
    void changed();

private:
    /// Structural checks shared by insertLink() and restore(); empty when fine.
    QVariantMap canonicalParameters(const QString& type, const QVariantMap& parameters) const;
    QString nodeName(NodeId id) const;

    void indexLink(const Link& link);
    void unindexLink(const Link& link);

    QMap<NodeId, Node> m_nodes;
    QMap<LinkId, Link> m_links;
    // Adjacency indexes, so that per-node queries stay cheap on large (or hostile) graphs.
    QMultiHash<NodeId, LinkId> m_incoming;
    QMultiHash<NodeId, LinkId> m_outgoing;
    NodeId m_nextNodeId = 1;
    LinkId m_nextLinkId = 1;
};

} // namespace tc::graph
