#pragma once

#include "ui/canvas/interaction/Interaction.h"

#include <QList>
#include <QPointF>

class QGraphicsItem;
class QGraphicsRectItem;

namespace tc::ui {

/// Dragging on empty canvas draws a selection rectangle; every card and link it touches is
/// selected. With Ctrl or Shift held the rectangle adds to the existing selection. A click
/// without a drag clears the selection (or keeps it, with a modifier).
class RubberBandInteraction : public Interaction {
public:
    RubberBandInteraction(CanvasScene& scene, const QPointF& origin, bool additive);
    ~RubberBandInteraction() override;

    void mouseMove(QGraphicsSceneMouseEvent* event) override;
    void mouseRelease(QGraphicsSceneMouseEvent* event) override;
    void cancel() override;

private:
    void select(const QRectF& area);
    void finish();

    QPointF m_origin;
    bool m_additive;
    QList<QGraphicsItem*> m_initialSelection;
    QGraphicsRectItem* m_band = nullptr;
};

} // namespace tc::ui
