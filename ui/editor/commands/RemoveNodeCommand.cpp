#include "ui/editor/commands/RemoveNodeCommand.h"

#include "ui/editor/commands/RemoveLinkCommand.h"

namespace tc::ui {

RemoveNodeCommand::RemoveNodeCommand(graph::Graph& graph, graph::NodeId node,
                                     QSet<graph::LinkId>* handledLinks, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_graph(graph)
    , m_nodeId(node) {
    setText(QObject::tr("Remove %1").arg(graph.node(node).type));
    for (graph::LinkId link : graph.linksOf(node)) {
        if (handledLinks) {
            if (handledLinks->contains(link))
                continue;
            handledLinks->insert(link);
        }
        new RemoveLinkCommand(graph, link, this);
    }
}

void RemoveNodeCommand::redo() {
    QUndoCommand::redo(); // the links first: the node then leaves no dangling link behind
    m_fragment = m_graph.removeNode(m_nodeId);
}

void RemoveNodeCommand::undo() {
    if (!m_fragment.isEmpty())
        m_graph.restore(m_fragment);
    QUndoCommand::undo();
}

} // namespace tc::ui
