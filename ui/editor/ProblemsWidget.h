#pragma once

#include "core/graph/Graph.h"

#include <QPointer>
#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace tc::ui {

class Document;

/// The problems dock's content: every validation problem of the document, errors first, one
/// row each with its component and message. Clicking a row asks for its node to be selected
/// (nodeActivated); an empty list says the model is ready.
class ProblemsWidget : public QWidget {
    Q_OBJECT

public:
    explicit ProblemsWidget(QWidget* parent = nullptr);

    void setDocument(Document* document);
    QTreeWidget* list() const { return m_list; }
    /// "2 errors, 1 warning", or "No problems".
    QString summary() const;

Q_SIGNALS:
    void nodeActivated(int nodeId);
    /// summary() changed.
    void summaryChanged(const QString& summary);

private:
    void refresh();

    QPointer<Document> m_document;
    QTreeWidget* m_list = nullptr;
    QString m_summary;
};

} // namespace tc::ui
