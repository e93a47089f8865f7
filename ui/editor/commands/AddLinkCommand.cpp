#include "ui/editor/commands/AddLinkCommand.h"

namespace tc::ui {

AddLinkCommand::AddLinkCommand(graph::Graph& graph, const graph::PortRef& from,
                               const graph::PortRef& to, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_graph(graph) {
    m_link.from = from;
    m_link.to = to;
    setText(QObject::tr("Link %1 to %2").arg(graph.node(from.node).type, graph.node(to.node).type));
}

void AddLinkCommand::redo() {
    if (!m_done) {
        m_link.id = m_graph.addLink(m_link.from, m_link.to);
        m_done = true;
        return;
    }
    if (m_link.id != graph::InvalidId)
        m_graph.insertLink(m_link);
}

void AddLinkCommand::undo() {
    if (m_link.id != graph::InvalidId)
        m_graph.removeLink(m_link.id);
}

} // namespace tc::ui
