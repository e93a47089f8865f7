#include "ui/canvas/interaction/RubberBandInteraction.h"

#include "ui/canvas/CanvasScene.h"

#include <QGraphicsRectItem>
#include <QGraphicsSceneMouseEvent>
#include <QPen>

namespace tc::ui {

RubberBandInteraction::RubberBandInteraction(CanvasScene& scene, const QPointF& origin,
                                             bool additive)
    : Interaction(scene)
    , m_origin(origin)
    , m_additive(additive) {
    if (additive)
        m_initialSelection = scene.selectedItems();
    else
        scene.clearSelection();
}

RubberBandInteraction::~RubberBandInteraction() {
    finish();
}

void RubberBandInteraction::mouseMove(QGraphicsSceneMouseEvent* event) {
    const QRectF area = QRectF(m_origin, event->scenePos()).normalized();
    if (!m_band) {
        const CanvasColors& colors = scene().colors();
        m_band = new QGraphicsRectItem;
        QPen pen(colors.accent, 1);
        pen.setCosmetic(true);
        m_band->setPen(pen);
        QColor fill = colors.accent;
        fill.setAlphaF(0.12);
        m_band->setBrush(fill);
        m_band->setZValue(10);
        scene().addItem(m_band);
    }
    m_band->setRect(area);
    select(area);
}

void RubberBandInteraction::select(const QRectF& area) {
    QPainterPath path;
    path.addRect(area);
    scene().setSelectionArea(path, Qt::ReplaceSelection, Qt::IntersectsItemShape);
    for (QGraphicsItem* item : std::as_const(m_initialSelection))
        item->setSelected(true);
}

void RubberBandInteraction::mouseRelease(QGraphicsSceneMouseEvent*) {
    finish();
}

void RubberBandInteraction::cancel() {
    finish();
}

void RubberBandInteraction::finish() {
    if (!m_band)
        return;
    scene().removeItem(m_band);
    delete m_band;
    m_band = nullptr;
}

} // namespace tc::ui
