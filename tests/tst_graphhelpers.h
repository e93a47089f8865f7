#pragma once

// Small builders shared by the graph, shape inference and project tests.

#include "core/graph/ComponentRegistry.h"
#include "core/graph/Graph.h"
#include "core/graph/JsonText.h"

#include <QJsonDocument>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QVariantMap>

namespace tc::graph::testing {

/// A node to create: component type and parameters laid over the defaults.
struct NodeSpec {
    QString type;
    QVariantMap parameters;
};

/// Builds a graph from nodes (ids 1, 2, … in list order) and links given as (from index,
/// to index) pairs into port 0. Links go through insertLink(), which checks structure only, so
/// that cycles and doubly-connected inputs can be built on purpose.
inline QList<NodeId> build(Graph& graph, const QList<NodeSpec>& nodes,
                           const QList<QPair<int, int>>& links) {
    QList<NodeId> ids;
    for (int i = 0; i < nodes.size(); ++i)
        ids.append(graph.addNode(nodes[i].type, QPointF(240.0 * i, 0), nodes[i].parameters));
    for (const auto& [from, to] : links) {
        Link link{graph.nextLinkId(), {ids.value(from), 0}, {ids.value(to), 0}};
        QString reason;
        if (!graph.insertLink(link, &reason))
            qWarning("test graph: link %d -> %d rejected: %s", from, to, qPrintable(reason));
    }
    return ids;
}

/// Input → ResNet50 (ImageNet, frozen, avg) → Dense 128 ReLU → Dense 64 ReLU →
/// Dense 2 Softmax → Output.
inline QList<NodeId> buildFlagship(Graph& graph) {
    return build(
        graph,
        {{component::Input, {}},
         {component::ResNet,
          {{QStringLiteral("variant"), QStringLiteral("50")},
           {QStringLiteral("pretrained"), QStringLiteral("imagenet")},
           {QStringLiteral("trainable"), QStringLiteral("frozen")},
           {QStringLiteral("pooling"), QStringLiteral("avg")}}},
         {component::Dense,
          {{QStringLiteral("units"), 128}, {QStringLiteral("activation"), QStringLiteral("relu")}}},
         {component::Dense,
          {{QStringLiteral("units"), 64}, {QStringLiteral("activation"), QStringLiteral("relu")}}},
         {component::Dense,
          {{QStringLiteral("units"), 2},
           {QStringLiteral("activation"), QStringLiteral("softmax")}}},
         {component::Output, {}}},
        {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}});
}

/// A link to create by node index (in build order), into input port `toPort`.
struct LinkSpec {
    int from = 0;
    int to = 0;
    int toPort = 0;
};

/// Like build(), with links into any input port (merge components take several).
inline QList<NodeId> buildDag(Graph& graph, const QList<NodeSpec>& nodes,
                              const QList<LinkSpec>& links) {
    const QList<NodeId> ids = build(graph, nodes, {});
    for (const LinkSpec& spec : links) {
        Link link{graph.nextLinkId(), {ids.value(spec.from), 0}, {ids.value(spec.to), spec.toPort}};
        QString reason;
        if (!graph.insertLink(link, &reason))
            qWarning("test graph: link %d -> %d:%d rejected: %s", spec.from, spec.to, spec.toPort,
                     qPrintable(reason));
    }
    return ids;
}

/// resources/examples/two-branch.tcproj's model: Input → ResNet18 (ImageNet, frozen, avg) →
/// Dense 128 ReLU and Dense 64 ReLU side by side → Concatenate → Dense 2 Softmax → Output.
inline QList<NodeId> buildTwoBranch(Graph& graph, const QString& variant = QStringLiteral("18")) {
    return buildDag(
        graph,
        {{component::Input, {}},
         {component::ResNet, {{QStringLiteral("variant"), variant}}},
         {component::Dense,
          {{QStringLiteral("units"), 128}, {QStringLiteral("activation"), QStringLiteral("relu")}}},
         {component::Dense,
          {{QStringLiteral("units"), 64}, {QStringLiteral("activation"), QStringLiteral("relu")}}},
         {component::Concatenate, {}},
         {component::Dense,
          {{QStringLiteral("units"), 2},
           {QStringLiteral("activation"), QStringLiteral("softmax")}}},
         {component::Output, {}}},
        {{0, 1}, {1, 2}, {1, 3}, {2, 4, 0}, {3, 4, 1}, {4, 5}, {5, 6}});
}

/// The complete observable state of a graph, for exact comparisons: nodes with parameter
/// value types, links, and the next ids.
inline QByteArray state(const Graph& graph) {
    QByteArray text = JsonText::write(graph.toJson());
    for (NodeId id : graph.nodeIds()) {
        const Node* node = graph.findNode(id);
        for (auto it = node->parameters.constBegin(); it != node->parameters.constEnd(); ++it)
            text += QByteArray::number(id) + ':' + it.key().toUtf8() + ':' +
                    it.value().metaType().name() + '\n';
    }
    return text;
}

} // namespace tc::graph::testing

Q_DECLARE_METATYPE(tc::graph::testing::NodeSpec)
