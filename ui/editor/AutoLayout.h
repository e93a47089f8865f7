#pragma once

#include "core/graph/Graph.h"

#include <QHash>
#include <QPointF>

namespace tc::ui {

/// Distances between the top-left corners of neighbouring cards.
struct LayoutSpacing {
    qreal column = 240; ///< one layer to the next, left to right
    qreal row = 140;    ///< one card to the next within a layer, top to bottom
    qreal grid = 20;    ///< positions are multiples of this
};

/// Positions for a left-to-right layered layout: every node goes one column to the right of
/// the furthest of its predecessors (longest path); within a column each card sits at the mean
/// height of its predecessors where it can (a chain is one straight row), cards are kept a row
/// apart, and sources stack centred. Nodes on a cycle go after the others. The layout's
/// top-left corner stays where the graph's is, so the view does not jump. Deterministic: ties
/// resolve by node id.
QHash<graph::NodeId, QPointF> autoLayoutPositions(const graph::Graph& graph,
                                                  const LayoutSpacing& spacing = {});

} // namespace tc::ui
