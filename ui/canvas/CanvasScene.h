#pragma once

#include "core/graph/Graph.h"
#include "ui/canvas/CanvasColors.h"

#include <memory>
#include <QGraphicsScene>
#include <QHash>
#include <QPointer>

namespace tc::ui {

class Document;
class Interaction;
class LinkItem;
class NodeItem;
class PortItem;

/// The canvas as a view of a Document's graph: one NodeItem per node and one LinkItem per
/// link, created, updated and deleted only in response to the graph's signals (and the
/// document's validation). User gestures become Document edits (undo commands), never
/// direct item changes that the model does not know about; the one exception, a node drag,
/// moves items ahead of the model and is turned into one move command on release.
///
/// Mouse modes other than selecting and moving cards are Interaction objects: pressing on
/// a port starts a NewLinkInteraction, pressing on empty canvas a RubberBandInteraction.
class CanvasScene : public QGraphicsScene {
    Q_OBJECT

public:
    /// Card positions snap to multiples of this.
    static constexpr qreal GridSize = 20;

    explicit CanvasScene(QObject* parent = nullptr);
    ~CanvasScene() override;

    /// Shows a document (nullptr: nothing). Items are rebuilt from its graph.
    void setDocument(Document* document);
    Document* document() const;

    NodeItem* nodeItem(graph::NodeId id) const { return m_nodes.value(id); }
    LinkItem* linkItem(graph::LinkId id) const { return m_links.value(id); }
    QList<NodeItem*> nodeItems() const;
    QList<LinkItem*> linkItems() const;

    /// Ascending ids of the selected cards / links.
    QList<graph::NodeId> selectedNodeIds() const;
    QList<graph::LinkId> selectedLinkIds() const;
    /// Replaces the selection with these nodes.
    void selectNodes(const QList<graph::NodeId>& ids);

    const CanvasColors& colors() const { return m_colors; }
    void setColors(const CanvasColors& colors);

    bool snapToGrid() const { return m_snapToGrid; }
    void setSnapToGrid(bool snap) { m_snapToGrid = snap; }
    /// The nearest grid point (or `position` itself with snapping off).
    QPointF snap(const QPointF& position) const;

    /// The port whose catch area contains `scenePosition`, the nearest when several do.
    PortItem* portAt(const QPointF& scenePosition) const;
    /// The bounding rectangle of all cards; null when there are none.
    QRectF contentsRect() const;
    /// True while a mouse mode (link drag, rubber band) is in progress.
    bool isInteracting() const { return m_interaction != nullptr; }
    /// Abandons the current mouse mode, if any.
    void cancelInteraction();

    /// Puts a message in the window's status bar (through statusMessage()).
    void showStatus(const QString& message);

Q_SIGNALS:
    void statusMessage(const QString& message);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void drawBackground(QPainter* painter, const QRectF& rect) override;

private:
    void clearItems();
    void addNodeItem(graph::NodeId id);
    void removeNodeItem(graph::NodeId id);
    void addLinkItem(graph::LinkId id);
    void removeLinkItem(graph::LinkId id);
    void updateNode(graph::NodeId id);
    void applyValidation();
    /// After a drag: the cards that moved become one Document::moveNodes().
    void commitMoves();

    QPointer<Document> m_document;
    QHash<graph::NodeId, NodeItem*> m_nodes;
    QHash<graph::LinkId, LinkItem*> m_links;
    std::unique_ptr<Interaction> m_interaction;
    CanvasColors m_colors;
    bool m_snapToGrid = true;
};

} // namespace tc::ui
