#pragma once

#include "core/graph/Graph.h"

#include <QUndoCommand>

namespace tc::ui {

/// Adds one node to the model. The first redo() lets the graph choose the id; later redos
/// insert the very same node again, so that commands further up the stack that refer to the
/// id stay valid.
class AddNodeCommand : public QUndoCommand {
public:
    AddNodeCommand(graph::Graph& graph, const QString& type, const QPointF& position,
                   const QVariantMap& parameters, QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

    /// InvalidId until the first redo().
    graph::NodeId nodeId() const { return m_node.id; }

private:
    graph::Graph& m_graph;
    graph::Node m_node;
    bool m_done = false;
};

} // namespace tc::ui
