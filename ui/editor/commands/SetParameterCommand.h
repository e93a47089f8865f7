#pragma once

#include "core/graph/Graph.h"

#include <QUndoCommand>

namespace tc::ui {

/// Sets one parameter of one node. Consecutive changes of the same parameter of the same node
/// (a spin box stepped with the arrow keys) merge into one undo step.
class SetParameterCommand : public QUndoCommand {
public:
    SetParameterCommand(graph::Graph& graph, graph::NodeId node, const QString& name,
                        const QVariant& value, QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    graph::Graph& m_graph;
    graph::NodeId m_nodeId;
    QString m_name;
    QVariant m_newValue;
    QVariant m_oldValue;
    bool m_done = false;
};

} // namespace tc::ui
