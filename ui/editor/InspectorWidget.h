#pragma once

#include "core/graph/Graph.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class QLabel;
class QScrollArea;
class QVBoxLayout;

namespace tc::graph {
struct ParameterSpec;
}

namespace tc::ui {

class Document;

/// The inspector dock's content: the selected node's component (icon, name, description),
/// its inferred shapes and problems, and one editor per parameter chosen from the registry's
/// parameter type and range (spin box, check box, drop-down, text), each with its help text.
/// Edits go through Document::setParameter() (one undoable command each); changes coming
/// from the model (undo, redo) update the editors without pushing anything.
class InspectorWidget : public QWidget {
    Q_OBJECT

public:
    explicit InspectorWidget(QWidget* parent = nullptr);

    void setDocument(Document* document);
    /// The selected nodes: one is inspected; none or several show a short summary.
    void setNodes(const QList<graph::NodeId>& nodes);
    /// The inspected node; InvalidId when none.
    graph::NodeId currentNode() const { return m_node; }
    /// The editor of a parameter of the inspected node (object name "parameter.<name>");
    /// nullptr when there is none.
    QWidget* editor(const QString& parameter) const { return m_editors.value(parameter); }

private:
    void rebuild();
    void showPlaceholder(const QString& title, const QString& text);
    QWidget* createEditor(const graph::ParameterSpec& spec, const QVariant& value);
    void setEditorValue(const QString& parameter, const QVariant& value);
    void updateStatus();
    void updateDependentEditors();
    void commit(const QString& parameter, const QVariant& value);

    QPointer<Document> m_document;
    graph::NodeId m_node = graph::InvalidId;
    int m_selectionCount = 0;
    QScrollArea* m_scroll = nullptr;
    QWidget* m_content = nullptr;
    QLabel* m_subtitle = nullptr;
    QLabel* m_shapes = nullptr;
    QLabel* m_problems = nullptr;
    /// Editors are updated from the model with their signals blocked (setEditorValue()), so
    /// that an undo never pushes a command back.
    QHash<QString, QWidget*> m_editors;
};

} // namespace tc::ui
