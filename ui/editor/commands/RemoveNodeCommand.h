#pragma once

#include "core/graph/Graph.h"

#include <QJsonObject>
#include <QSet>
#include <QUndoCommand>

namespace tc::ui {

/// Removes one node: a composite command whose children (RemoveLinkCommand) first remove the
/// node's links, after which the node itself goes. Undo restores the node from its JSON form
/// (Graph::removeNode()'s fragment, the same form as save and copy/paste) and then lets the
/// children put the links back.
class RemoveNodeCommand : public QUndoCommand {
public:
    /// `handledLinks` (optional) holds links that sibling commands already remove; they are
    /// skipped, and this node's links are added to it, so that removing two linked nodes in
    /// one macro removes the link between them exactly once.
    RemoveNodeCommand(graph::Graph& graph, graph::NodeId node,
                      QSet<graph::LinkId>* handledLinks = nullptr, QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

private:
    graph::Graph& m_graph;
    graph::NodeId m_nodeId;
    QJsonObject m_fragment;
};

} // namespace tc::ui
