#include "ui/editor/commands/MoveNodesCommand.h"

#include "ui/editor/commands/CommandIds.h"

namespace tc::ui {

MoveNodesCommand::MoveNodesCommand(graph::Graph& graph,
                                   const QHash<graph::NodeId, QPointF>& positions,
                                   const QString& text, Merge merge, QUndoCommand* parent)
    : QUndoCommand(text, parent)
    , m_graph(graph)
    , m_newPositions(positions)
    , m_merge(merge) {
    for (auto it = positions.constBegin(); it != positions.constEnd(); ++it)
        m_oldPositions.insert(it.key(), graph.node(it.key()).position);
}

void MoveNodesCommand::redo() {
    for (auto it = m_newPositions.constBegin(); it != m_newPositions.constEnd(); ++it)
        m_graph.moveNode(it.key(), it.value());
}

void MoveNodesCommand::undo() {
    for (auto it = m_oldPositions.constBegin(); it != m_oldPositions.constEnd(); ++it)
        m_graph.moveNode(it.key(), it.value());
}

int MoveNodesCommand::id() const {
    return m_merge == Merge::Consecutive ? static_cast<int>(CommandId::MoveNodes) : -1;
}

bool MoveNodesCommand::mergeWith(const QUndoCommand* other) {
    const auto* next = static_cast<const MoveNodesCommand*>(other);
    if (next->m_merge != Merge::Consecutive || next->m_newPositions.size() != m_newPositions.size())
        return false;
    for (auto it = next->m_newPositions.constBegin(); it != next->m_newPositions.constEnd(); ++it) {
        if (!m_newPositions.contains(it.key()))
            return false;
    }
    m_newPositions = next->m_newPositions;
    setObsolete(m_newPositions == m_oldPositions); // dragged back to where it started
    return true;
}

} // namespace tc::ui
