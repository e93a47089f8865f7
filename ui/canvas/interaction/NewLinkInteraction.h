#pragma once

#include "ui/canvas/interaction/Interaction.h"

#include <QHash>
#include <QPointer>
#include <QString>

namespace tc::ui {

class LinkItem;
class PortItem;

/// Dragging from a port to a port of the other side creates a link. While dragging, a
/// preview curve follows the cursor, ports that can take the link light up and all others
/// are dimmed; releasing on a port that cannot take it puts the reason (from
/// Graph::canLink()) in the status bar. Starting from an input drags backwards to an output.
class NewLinkInteraction : public Interaction {
public:
    NewLinkInteraction(CanvasScene& scene, PortItem* start);
    ~NewLinkInteraction() override;

    void mouseMove(QGraphicsSceneMouseEvent* event) override;
    void mouseRelease(QGraphicsSceneMouseEvent* event) override;
    void cancel() override;

private:
    /// The port under the cursor on the opposite side; nullptr when none.
    PortItem* targetAt(const QPointF& scenePosition) const;
    /// Why `target` cannot complete the link (empty: it can).
    QString reasonFor(PortItem* target) const;
    void finish();

    PortItem* m_start;
    LinkItem* m_preview = nullptr;
    /// For every port of the opposite side: empty when it accepts, else why not.
    QHash<PortItem*, QString> m_reasons;
    PortItem* m_target = nullptr;
};

} // namespace tc::ui
