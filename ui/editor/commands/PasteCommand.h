#pragma once

#include "core/graph/Graph.h"

#include <QJsonObject>
#include <QUndoCommand>

namespace tc::ui {

/// Inserts a copy of a fragment (`{"nodes": [...], "links": [...]}`, as copied to the
/// clipboard) with new ids, shifted by an offset. Also serves Duplicate. Never marked obsolete,
/// so that the caller may read nodeIds() after QUndoStack::push(); Document checks the
/// fragment first.
class PasteCommand : public QUndoCommand {
public:
    PasteCommand(graph::Graph& graph, const QJsonObject& fragment, const QPointF& offset,
                 const QString& text, QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

    /// The new nodes, after the first redo().
    QList<graph::NodeId> nodeIds() const { return m_nodeIds; }
    /// Why the fragment could not be pasted; empty on success.
    QString error() const { return m_error; }

private:
    graph::Graph& m_graph;
    QJsonObject m_source;
    QPointF m_offset;
    /// The pasted nodes and links with the ids the first redo() gave them.
    QJsonObject m_pasted;
    QList<graph::NodeId> m_nodeIds;
    QString m_error;
    bool m_done = false;
};

} // namespace tc::ui
