#pragma once

#include "core/graph/Graph.h"

#include <QUndoCommand>

namespace tc::ui {

/// Links an output port to an input port. The caller checks Graph::canLink() first (Document
/// does, and reports the reason); a rejected link makes the command a no-op.
class AddLinkCommand : public QUndoCommand {
public:
    AddLinkCommand(graph::Graph& graph, const graph::PortRef& from, const graph::PortRef& to,
                   QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

    /// InvalidId until the first redo(), or when the graph refused the link.
    graph::LinkId linkId() const { return m_link.id; }

private:
    graph::Graph& m_graph;
    graph::Link m_link;
    bool m_done = false;
};

} // namespace tc::ui
