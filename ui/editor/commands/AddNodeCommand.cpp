#include "ui/editor/commands/AddNodeCommand.h"

#include "core/graph/ComponentRegistry.h"

namespace tc::ui {

AddNodeCommand::AddNodeCommand(graph::Graph& graph, const QString& type, const QPointF& position,
                               const QVariantMap& parameters, QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_graph(graph) {
    m_node.type = type;
    m_node.position = position;
    m_node.parameters = parameters;
    setText(QObject::tr("Add %1").arg(type));
}

void AddNodeCommand::redo() {
    if (!m_done) {
        const graph::NodeId id = m_graph.addNode(m_node.type, m_node.position, m_node.parameters);
        // Keep the node as the graph stored it (defaults filled in, values coerced) so that a
        // redo recreates exactly that.
        m_node = m_graph.node(id);
        m_done = true;
        return;
    }
    m_graph.insertNode(m_node);
}

void AddNodeCommand::undo() {
    m_graph.removeNode(m_node.id);
}

} // namespace tc::ui
