#pragma once

#include "core/graph/Graph.h"

#include <QPointer>
#include <QWidget>

class QAbstractButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace tc::ui {

class Document;

/// The problems dock's content: every validation problem of the document, errors first, one
/// row each with its component and message. Clicking a row asks for its node to be selected
/// (nodeActivated); an empty list says the model is ready. A row about missing pretrained
/// weights carries Download and Import file… buttons.
class ProblemsWidget : public QWidget {
    Q_OBJECT

public:
    explicit ProblemsWidget(QWidget* parent = nullptr);

    void setDocument(Document* document);
    QTreeWidget* list() const { return m_list; }
    /// "2 errors, 1 warning", or "No problems".
    QString summary() const;
    /// Shows `banner` (e.g. the weights download bar) above the list.
    void addBanner(QWidget* banner);
    /// The action buttons of a node's missing-weights row ("Download (98 MB)", "Import
    /// file…"); empty when the node has no such row.
    QList<QAbstractButton*> weightsActions(int nodeId) const;
    /// While a download or import runs, the rows' actions are disabled.
    void setWeightsBusy(bool busy);

Q_SIGNALS:
    void nodeActivated(int nodeId);
    /// summary() changed.
    void summaryChanged(const QString& summary);
    /// The user asked to download, or to import, the missing weights of a ResNet node.
    void downloadWeightsRequested(int nodeId);
    void importWeightsRequested(int nodeId);

private:
    void refresh();
    QWidget* weightsButtons(int nodeId, const QString& size);

    QPointer<Document> m_document;
    QTreeWidget* m_list = nullptr;
    QString m_summary;
    bool m_weightsBusy = false;
};

} // namespace tc::ui
