#include "ui/editor/commands/PasteCommand.h"

namespace tc::ui {

PasteCommand::PasteCommand(graph::Graph& graph, const QJsonObject& fragment, const QPointF& offset,
                           const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent)
    , m_graph(graph)
    , m_source(fragment)
    , m_offset(offset) {}

void PasteCommand::redo() {
    if (!m_done) {
        m_done = true;
        m_nodeIds = m_graph.paste(m_source, m_offset, &m_error);
        if (m_nodeIds.isEmpty())
            return;
        m_pasted = m_graph.fragment(m_nodeIds);
        return;
    }
    if (!m_nodeIds.isEmpty())
        m_graph.restore(m_pasted);
}

void PasteCommand::undo() {
    // Removing the nodes removes the links among them too.
    for (graph::NodeId id : std::as_const(m_nodeIds))
        m_graph.removeNode(id);
}

} // namespace tc::ui
