#pragma once

#include "core/graph/Graph.h"

#include <QGraphicsItem>
#include <QPainterPath>

namespace tc::ui {

class PortItem;

/// A link drawn as a horizontal S-curve from an output port to an input port, below the
/// cards. Also serves as the live "rubber band" of a link being dragged (a preview with one
/// free end).
class LinkItem : public QGraphicsItem {
public:
    enum { Type = UserType + 3 };
    /// How a preview is drawn.
    enum class Preview { None, Neutral, Accept, Reject };

    /// A link of the model between two ports.
    LinkItem(graph::LinkId id, PortItem* from, PortItem* to);
    /// A preview from `anchor` (either side) to a free end point.
    explicit LinkItem(PortItem* anchor);
    ~LinkItem() override;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    graph::LinkId linkId() const { return m_id; }
    PortItem* fromPort() const { return m_from; }
    PortItem* toPort() const { return m_to; }

    /// Recomputes the curve from the ports' current scene positions.
    void updatePath();
    /// Preview only: the free end (scene coordinates) and its look.
    void setFreeEnd(const QPointF& scenePosition, Preview preview);
    void setHasProblem(bool problem);
    bool hasProblem() const { return m_problem; }
    /// Detaches from the port items (they are going away with their node).
    void detach();

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    graph::LinkId m_id = graph::InvalidId;
    PortItem* m_from = nullptr;
    PortItem* m_to = nullptr;
    PortItem* m_anchor = nullptr; ///< preview only
    QPointF m_freeEnd;
    Preview m_preview = Preview::None;
    QPainterPath m_path;
    bool m_problem = false;
    bool m_hovered = false;
};

} // namespace tc::ui
