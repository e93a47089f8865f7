#pragma once

#include "core/graph/Graph.h"

#include <QHash>
#include <QPointF>
#include <QUndoCommand>

namespace tc::ui {

/// Moves a set of nodes. A drag of the same nodes that follows a drag of them merges into one
/// undo step (`Merge::Consecutive`); an auto-layout never merges.
class MoveNodesCommand : public QUndoCommand {
public:
    enum class Merge { Consecutive, Never };

    /// `positions`: the new top-left corner of each node. Their current positions in the
    /// graph are taken as the positions to return to.
    MoveNodesCommand(graph::Graph& graph, const QHash<graph::NodeId, QPointF>& positions,
                     const QString& text, Merge merge = Merge::Consecutive,
                     QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    graph::Graph& m_graph;
    QHash<graph::NodeId, QPointF> m_newPositions;
    QHash<graph::NodeId, QPointF> m_oldPositions;
    Merge m_merge;
};

} // namespace tc::ui
