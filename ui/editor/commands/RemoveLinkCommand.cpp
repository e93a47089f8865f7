#include "ui/editor/commands/RemoveLinkCommand.h"

namespace tc::ui {

RemoveLinkCommand::RemoveLinkCommand(graph::Graph& graph, graph::LinkId link, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_graph(graph)
    , m_linkId(link) {
    setText(QObject::tr("Remove link"));
}

void RemoveLinkCommand::redo() {
    m_removed = m_graph.removeLink(m_linkId);
}

void RemoveLinkCommand::undo() {
    if (m_removed)
        m_graph.insertLink(*m_removed);
}

} // namespace tc::ui
