#include "ui/editor/AutoLayout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <QMap>

namespace tc::ui {

namespace {

qreal snap(qreal value, qreal grid) {
    return grid > 0 ? std::round(value / grid) * grid : value;
}

} // namespace

QHash<graph::NodeId, QPointF> autoLayoutPositions(const graph::Graph& graph,
                                                  const LayoutSpacing& spacing) {
    QHash<graph::NodeId, QPointF> positions;
    if (graph.isEmpty())
        return positions;

    bool acyclic = true;
    QList<graph::NodeId> order = graph.topologicalOrder(&acyclic);
    if (!acyclic) {
        // Nodes on or behind a cycle have no topological place; put them after the others.
        for (graph::NodeId id : graph.nodeIds()) {
            if (!order.contains(id))
                order.append(id);
        }
    }

    // Longest path from any source: a node's layer is one more than its furthest predecessor.
    QHash<graph::NodeId, int> layer;
    for (graph::NodeId id : std::as_const(order)) {
        int value = 0;
        for (graph::LinkId linkId : graph.inputLinks(id)) {
            const graph::NodeId from = graph.link(linkId).from.node;
            if (layer.contains(from))
                value = std::max(value, layer.value(from) + 1);
        }
        layer.insert(id, value);
    }
    QMap<int, QList<graph::NodeId>> layers;
    for (graph::NodeId id : std::as_const(order))
        layers[layer.value(id)].append(id);

    // Current top-left corner, to anchor the result.
    qreal left = std::numeric_limits<qreal>::max();
    qreal top = std::numeric_limits<qreal>::max();
    for (graph::NodeId id : graph.nodeIds()) {
        const QPointF position = graph.node(id).position;
        left = std::min(left, position.x());
        top = std::min(top, position.y());
    }

    // Heights relative to 0, then shifted so that the highest card sits at `top`. Each card
    // wants the mean height of its predecessors (straight links); cards of one layer are kept
    // a row apart by pushing later ones down, and the layer is then shifted back as a whole
    // so that on average the cards sit where they want to be.
    QHash<graph::NodeId, qreal> height;
    qreal highest = std::numeric_limits<qreal>::max();
    for (auto it = layers.begin(); it != layers.end(); ++it) {
        QList<graph::NodeId>& nodes = it.value();
        QHash<graph::NodeId, qreal> wanted;
        QHash<graph::NodeId, bool> anchored;
        for (graph::NodeId id : std::as_const(nodes)) {
            qreal sum = 0;
            int count = 0;
            for (graph::LinkId linkId : graph.inputLinks(id)) {
                const graph::NodeId from = graph.link(linkId).from.node;
                if (height.contains(from)) {
                    sum += height.value(from);
                    ++count;
                }
            }
            wanted.insert(id, count > 0 ? sum / count : 0);
            anchored.insert(id, count > 0);
        }
        // Cards with predecessors first, by wanted height; free ones (sources) after, by id.
        std::stable_sort(nodes.begin(), nodes.end(), [&](graph::NodeId a, graph::NodeId b) {
            if (anchored.value(a) != anchored.value(b))
                return anchored.value(a);
            if (wanted.value(a) != wanted.value(b))
                return wanted.value(a) < wanted.value(b);
            return a < b;
        });
        bool anyAnchored = false;
        for (graph::NodeId id : std::as_const(nodes))
            anyAnchored = anyAnchored || anchored.value(id);
        QList<qreal> placed;
        for (int i = 0; i < nodes.size(); ++i) {
            // Free cards of a layer without any predecessor stack centred on 0.
            const qreal want = anyAnchored ? (anchored.value(nodes[i]) ? wanted.value(nodes[i])
                                                                       : placed.value(i - 1, 0))
                                           : (i - (nodes.size() - 1) / 2.0) * spacing.row;
            placed.append(i == 0 ? want : std::max(want, placed[i - 1] + spacing.row));
        }
        qreal shift = 0;
        int anchoredCount = 0;
        for (int i = 0; i < nodes.size(); ++i) {
            if (anchored.value(nodes[i])) {
                shift += wanted.value(nodes[i]) - placed[i];
                ++anchoredCount;
            }
        }
        shift = anchoredCount > 0 ? shift / anchoredCount : 0;
        for (int i = 0; i < nodes.size(); ++i) {
            const qreal y = placed[i] + shift;
            height.insert(nodes[i], y);
            highest = std::min(highest, y);
        }
    }

    for (auto it = layers.constBegin(); it != layers.constEnd(); ++it) {
        for (graph::NodeId id : it.value()) {
            const qreal x = left + it.key() * spacing.column;
            const qreal y = top + height.value(id) - highest;
            positions.insert(id, QPointF(snap(x, spacing.grid), snap(y, spacing.grid)));
        }
    }
    return positions;
}

} // namespace tc::ui
