#include "ui/canvas/LinkItem.h"

#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/CosmeticPen.h"
#include "ui/canvas/NodeItem.h"
#include "ui/canvas/PortItem.h"

#include <algorithm>
#include <cmath>
#include <QPainter>
#include <QPainterPathStroker>

namespace tc::ui {

namespace {

/// Width of the invisible band that catches clicks on a link.
constexpr qreal kHitWidth = 12;

QPainterPath curve(const QPointF& from, const QPointF& to) {
    // Horizontal tangents at both ends, pulled further out when the target lies to the left,
    // so that a backwards link loops around instead of cutting through the cards.
    const qreal dx = to.x() - from.x();
    const qreal pull = std::max(std::abs(dx) * 0.5, 60.0);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(pull, 0), to - QPointF(pull, 0), to);
    return path;
}

} // namespace

LinkItem::LinkItem(graph::LinkId id, PortItem* from, PortItem* to)
    : m_id(id)
    , m_from(from)
    , m_to(to) {
    setFlags(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(0);
    m_from->node()->addLink(this);
    m_to->node()->addLink(this);
    m_from->setConnected(true);
    m_to->setConnected(true);
    updatePath();
}

LinkItem::LinkItem(PortItem* anchor)
    : m_anchor(anchor)
    , m_freeEnd(anchor->scenePos())
    , m_preview(Preview::Neutral) {
    setZValue(3); // above the cards while dragging
    setAcceptedMouseButtons(Qt::NoButton);
    updatePath();
}

LinkItem::~LinkItem() {
    detach();
}

void LinkItem::detach() {
    if (m_from)
        m_from->node()->removeLink(this);
    if (m_to)
        m_to->node()->removeLink(this);
    m_from = nullptr;
    m_to = nullptr;
    m_anchor = nullptr;
}

QRectF LinkItem::boundingRect() const {
    return m_path.boundingRect().adjusted(-kHitWidth, -kHitWidth, kHitWidth, kHitWidth);
}

QPainterPath LinkItem::shape() const {
    QPainterPathStroker stroker;
    stroker.setWidth(kHitWidth);
    return stroker.createStroke(m_path);
}

void LinkItem::updatePath() {
    QPointF start;
    QPointF end;
    if (m_anchor) {
        // A preview may start from an input (dragging backwards): keep the curve's direction
        // output → input either way.
        if (m_anchor->side() == graph::PortSide::Output) {
            start = m_anchor->scenePos();
            end = m_freeEnd;
        } else {
            start = m_freeEnd;
            end = m_anchor->scenePos();
        }
    } else if (m_from && m_to) {
        start = m_from->scenePos();
        end = m_to->scenePos();
    } else {
        return;
    }
    prepareGeometryChange();
    m_path = curve(start, end);
}

void LinkItem::setFreeEnd(const QPointF& scenePosition, Preview preview) {
    m_freeEnd = scenePosition;
    m_preview = preview;
    updatePath();
    update();
}

void LinkItem::setHasProblem(bool problem) {
    if (problem == m_problem)
        return;
    m_problem = problem;
    update();
}

QVariant LinkItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemSelectedHasChanged)
        setZValue(isSelected() ? 0.5 : 0);
    return QGraphicsItem::itemChange(change, value);
}

void LinkItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event) {
    m_hovered = true;
    update();
    QGraphicsItem::hoverEnterEvent(event);
}

void LinkItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event) {
    m_hovered = false;
    update();
    QGraphicsItem::hoverLeaveEvent(event);
}

void LinkItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const auto* canvas = static_cast<CanvasScene*>(scene());
    if (!canvas)
        return;
    const CanvasColors& colors = canvas->colors();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setBrush(Qt::NoBrush);

    QColor colour = colors.link;
    qreal width = 2.0;
    Qt::PenStyle style = Qt::SolidLine;
    switch (m_preview) {
    case Preview::None: {
        const bool endSelected =
            (m_from && m_from->node()->isSelected()) || (m_to && m_to->node()->isSelected());
        if (m_problem)
            colour = colors.error;
        if (endSelected)
            colour = colors.accent;
        if (m_hovered)
            colour = colors.linkHover;
        if (isSelected()) {
            colour = colors.accent;
            width = 3.0;
            // A wide translucent band under the line marks a selected link clearly.
            QColor halo = colors.accent;
            halo.setAlphaF(0.25);
            painter->setPen(cosmeticPen(halo, 9.0, painter));
            painter->drawPath(m_path);
        }
        if (m_problem && !isSelected())
            style = Qt::DashLine;
        break;
    }
    case Preview::Neutral:
        colour = colors.accent;
        style = Qt::DashLine;
        break;
    case Preview::Accept:
        colour = colors.accept;
        width = 2.5;
        break;
    case Preview::Reject:
        colour = colors.error;
        style = Qt::DashLine;
        break;
    }
    // Cosmetic: the line stays crisp and equally thick at every zoom level.
    painter->setPen(cosmeticPen(colour, width, painter, style));
    painter->drawPath(m_path);
}

} // namespace tc::ui
