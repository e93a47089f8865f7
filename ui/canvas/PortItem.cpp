#include "ui/canvas/PortItem.h"

#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/NodeItem.h"

#include <QPainter>

namespace tc::ui {

PortItem::PortItem(NodeItem* node, graph::PortSide side, int index, const graph::PortSpec& spec)
    : QGraphicsItem(node)
    , m_node(node)
    , m_side(side)
    , m_index(index)
    , m_spec(spec) {
    setAcceptHoverEvents(true);
    setCursor(Qt::CrossCursor);
    setZValue(1);
    updateToolTip();
}

QRectF PortItem::boundingRect() const {
    return {-HitRadius, -HitRadius, 2 * HitRadius, 2 * HitRadius};
}

QPainterPath PortItem::shape() const {
    QPainterPath path;
    path.addEllipse(boundingRect());
    return path;
}

graph::PortRef PortItem::ref() const {
    return graph::PortRef{m_node->nodeId(), m_index};
}

void PortItem::setState(State state) {
    if (state == m_state)
        return;
    m_state = state;
    update();
}

void PortItem::setConnected(bool connected) {
    if (connected == m_connected)
        return;
    m_connected = connected;
    update();
}

void PortItem::setShape(const graph::Shape& shape) {
    if (shape == m_shape)
        return;
    m_shape = shape;
    updateToolTip();
    update();
}

void PortItem::setHasProblem(bool problem) {
    if (problem == m_problem)
        return;
    m_problem = problem;
    update();
}

void PortItem::updateToolTip() {
    const QString side =
        m_side == graph::PortSide::Input ? QObject::tr("Input") : QObject::tr("Output");
    QString tip = QStringLiteral("<b>%1 “%2”</b><br>%3")
                      .arg(side, m_spec.name.toHtmlEscaped(), m_spec.description.toHtmlEscaped());
    if (!m_shape.isEmpty())
        tip += QStringLiteral("<br>%1 <code>%2</code>")
                   .arg(QObject::tr("Shape:"), graph::shapeToString(m_shape));
    tip += QStringLiteral("<br><i>%1</i>")
               .arg(m_side == graph::PortSide::Output ? QObject::tr("Drag to an input to link.")
                                                      : QObject::tr("Drag to an output to link."));
    setToolTip(tip);
}

void PortItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event) {
    m_hovered = true;
    update();
    QGraphicsItem::hoverEnterEvent(event);
}

void PortItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event) {
    m_hovered = false;
    update();
    QGraphicsItem::hoverLeaveEvent(event);
}

void PortItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const auto* canvas = static_cast<CanvasScene*>(scene());
    if (!canvas)
        return;
    const CanvasColors& colors = canvas->colors();

    // The colour says what flows: the inferred shape where known, else the declared kind.
    QColor kind = colors.portAny;
    if (m_shape.size() == 1 || (m_shape.isEmpty() && m_spec.kind == graph::PortKind::Vector))
        kind = colors.portVector;
    else if (m_shape.size() == 3 || (m_shape.isEmpty() && m_spec.kind == graph::PortKind::Image))
        kind = colors.portImage;
    if (m_problem)
        kind = colors.error;

    qreal radius = Radius;
    qreal opacity = 1.0;
    QColor ring = kind;
    switch (m_state) {
    case State::Normal:
        if (m_hovered)
            radius += 1.5;
        break;
    case State::Dimmed:
        opacity = 0.25;
        break;
    case State::Candidate:
        radius += 1;
        ring = colors.accept;
        break;
    case State::Target:
        radius += 2.5;
        ring = colors.accept;
        break;
    case State::Rejected:
        radius += 2.5;
        ring = colors.error;
        break;
    }

    painter->setRenderHint(QPainter::Antialiasing);
    painter->setOpacity(opacity);
    if (m_state == State::Candidate || m_state == State::Target) {
        // A soft halo: where the link can go is visible from afar.
        QColor halo = colors.accept;
        halo.setAlphaF(m_state == State::Target ? 0.35 : 0.18);
        painter->setPen(Qt::NoPen);
        painter->setBrush(halo);
        painter->drawEllipse(QPointF(0, 0), radius + 4, radius + 4);
    }
    QPen pen(ring, 2.0);
    pen.setCosmetic(false);
    painter->setPen(pen);
    painter->setBrush(m_connected || m_state == State::Target ? ring : colors.card);
    painter->drawEllipse(QPointF(0, 0), radius, radius);
}

} // namespace tc::ui
