#pragma once

#include "core/graph/Graph.h"

#include <optional>
#include <QUndoCommand>

namespace tc::ui {

/// Removes one link; undo() puts it back with its own id.
class RemoveLinkCommand : public QUndoCommand {
public:
    RemoveLinkCommand(graph::Graph& graph, graph::LinkId link, QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

private:
    graph::Graph& m_graph;
    graph::LinkId m_linkId;
    /// What the last redo() removed; empty when the link was already gone.
    std::optional<graph::Link> m_removed;
};

} // namespace tc::ui
