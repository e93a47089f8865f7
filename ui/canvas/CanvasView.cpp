#include "ui/canvas/CanvasView.h"

#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/NodeItem.h"
#include "ui/editor/Document.h"
#include "ui/editor/EditorMime.h"

#include <algorithm>
#include <cmath>
#include <QMimeData>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

namespace tc::ui {

namespace {

/// One wheel notch (120 eighths of a degree) zooms by this factor.
constexpr qreal kWheelStep = 1.15;
constexpr qreal kButtonStep = 1.25;
/// Room around the graph when fitting it, in view pixels.
constexpr int kFitMargin = 40;

QStringList projectFiles(const QMimeData* data) {
    QStringList paths;
    if (!data || !data->hasUrls())
        return paths;
    for (const QUrl& url : data->urls()) {
        if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".tcproj")))
            paths.append(url.toLocalFile());
    }
    return paths;
}

} // namespace

CanvasView::CanvasView(CanvasScene* scene, QWidget* parent)
    : QGraphicsView(scene, parent)
    , m_scene(scene) {
    setObjectName(QStringLiteral("canvas"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                   QPainter::SmoothPixmapTransform);
    // The background grid depends on the zoom, and cards are few: repainting the whole
    // viewport is simpler than tracking regions and never leaves trails.
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
    setTransformationAnchor(QGraphicsView::NoAnchor);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setDragMode(QGraphicsView::NoDrag);
    setFrameShape(QFrame::NoFrame);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    centerOn(0, 0);
}

qreal CanvasView::zoom() const {
    return transform().m11();
}

void CanvasView::setZoom(qreal value, const QPoint& anchor) {
    const qreal clamped = std::clamp(value, MinimumZoom, MaximumZoom);
    if (qFuzzyCompare(clamped, zoom()))
        return;
    // Keep the scene point under the anchor in place: zoom "into" what the cursor points at.
    const QPointF fixed = mapToScene(anchor);
    setTransform(QTransform::fromScale(clamped, clamped));
    const QPointF offset = QPointF(anchor - viewport()->rect().center()) / clamped;
    centerOn(fixed - offset);
    Q_EMIT zoomChanged(clamped);
}

void CanvasView::zoomIn() {
    setZoom(zoom() * kButtonStep, viewport()->rect().center());
}

void CanvasView::zoomOut() {
    setZoom(zoom() / kButtonStep, viewport()->rect().center());
}

void CanvasView::resetZoom() {
    setZoom(1.0, viewport()->rect().center());
}

void CanvasView::fitToContents() {
    const QRectF contents = m_scene->contentsRect();
    if (contents.isNull()) {
        resetTransform();
        centerOn(0, 0);
        Q_EMIT zoomChanged(1.0);
        return;
    }
    const QRectF available =
        QRectF(viewport()->rect()).adjusted(kFitMargin, kFitMargin, -kFitMargin, -kFitMargin);
    qreal scale =
        std::min(available.width() / contents.width(), available.height() / contents.height());
    scale = std::clamp(scale, MinimumZoom, MaximumFitZoom);
    setTransform(QTransform::fromScale(scale, scale));
    centerOn(contents.center());
    Q_EMIT zoomChanged(scale);
}

QPointF CanvasView::visibleCentre() const {
    return mapToScene(viewport()->rect().center());
}

void CanvasView::wheelEvent(QWheelEvent* event) {
    const qreal steps = event->angleDelta().y() / 120.0;
    if (steps == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    setZoom(zoom() * std::pow(kWheelStep, steps), event->position().toPoint());
    event->accept();
}

void CanvasView::mousePressEvent(QMouseEvent* event) {
    const bool pan =
        event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld);
    if (pan) {
        m_panning = true;
        m_lastPanPosition = event->position().toPoint();
        updateCursor();
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void CanvasView::mouseMoveEvent(QMouseEvent* event) {
    if (m_panning) {
        const QPoint position = event->position().toPoint();
        const QPoint delta = position - m_lastPanPosition;
        m_lastPanPosition = position;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void CanvasView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_panning && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        m_panning = false;
        updateCursor();
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void CanvasView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && !m_scene->isInteracting()) {
        m_spaceHeld = true;
        updateCursor();
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void CanvasView::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        updateCursor();
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void CanvasView::focusOutEvent(QFocusEvent* event) {
    // A key release delivered elsewhere must not leave the view stuck in pan mode.
    m_spaceHeld = false;
    m_panning = false;
    updateCursor();
    QGraphicsView::focusOutEvent(event);
}

void CanvasView::updateCursor() {
    if (m_panning)
        viewport()->setCursor(Qt::ClosedHandCursor);
    else if (m_spaceHeld)
        viewport()->setCursor(Qt::OpenHandCursor);
    else
        viewport()->unsetCursor();
}

bool CanvasView::acceptsDrag(const QMimeData* data) const {
    return (m_scene->document() && readComponentMimeData(data)) || !projectFiles(data).isEmpty();
}

void CanvasView::dragEnterEvent(QDragEnterEvent* event) {
    // Handled here rather than by the scene: a drop is an edit of the document, and the
    // scene's item-level drag handling has nothing to offer for it.
    if (acceptsDrag(event->mimeData())) {
        event->setDropAction(Qt::CopyAction);
        event->accept();
        m_dropHover = true;
        viewport()->update();
        return;
    }
    event->ignore();
}

void CanvasView::dragMoveEvent(QDragMoveEvent* event) {
    if (acceptsDrag(event->mimeData())) {
        event->setDropAction(Qt::CopyAction);
        event->accept();
        return;
    }
    event->ignore();
}

void CanvasView::dragLeaveEvent(QDragLeaveEvent* event) {
    m_dropHover = false;
    viewport()->update();
    event->accept();
}

void CanvasView::dropEvent(QDropEvent* event) {
    m_dropHover = false;
    viewport()->update();
    const QMimeData* data = event->mimeData();
    if (const std::optional<ComponentDrag> drag = readComponentMimeData(data)) {
        Document* document = m_scene->document();
        if (!document) {
            event->ignore();
            return;
        }
        // The card is centred on the drop point, then snapped.
        const QPointF point = mapToScene(event->position().toPoint());
        const QPointF topLeft =
            m_scene->snap(point - QPointF(NodeItem::Width / 2, NodeItem::Height / 2));
        const graph::NodeId id = document->addNode(drag->type, topLeft, drag->parameters);
        m_scene->selectNodes({id});
        setFocus(Qt::OtherFocusReason);
        event->setDropAction(Qt::CopyAction);
        event->accept();
        return;
    }
    const QStringList paths = projectFiles(data);
    if (!paths.isEmpty()) {
        event->acceptProposedAction();
        Q_EMIT projectFilesDropped(paths);
        return;
    }
    event->ignore();
}

void CanvasView::contextMenuEvent(QContextMenuEvent* event) {
    const QPointF scenePosition = mapToScene(event->pos());
    // Right-clicking an unselected card acts on that card alone, as in file managers.
    if (QGraphicsItem* item = m_scene->itemAt(scenePosition, transform())) {
        QGraphicsItem* top = item;
        while (top->parentItem())
            top = top->parentItem();
        if (!top->isSelected() && (top->flags() & QGraphicsItem::ItemIsSelectable)) {
            m_scene->clearSelection();
            top->setSelected(true);
        }
    }
    Q_EMIT contextMenuRequested(event->globalPos(), scenePosition);
    event->accept();
}

void CanvasView::drawForeground(QPainter* painter, const QRectF& rect) {
    QGraphicsView::drawForeground(painter, rect);
    const Document* document = m_scene->document();
    const bool empty = !document || document->graph().isEmpty();
    if (!empty && !m_dropHover)
        return;
    // Drawn in viewport coordinates: a hint, not part of the scene.
    painter->save();
    painter->resetTransform();
    const CanvasColors& colors = m_scene->colors();
    const QRectF area = viewport()->rect();
    if (m_dropHover) {
        QPen pen(colors.accent, 2, Qt::DashLine);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(area.adjusted(6, 6, -6, -6), 10, 10);
    }
    if (empty && !m_dropHover) {
        QFont title = font();
        title.setPointSizeF(title.pointSizeF() * 1.35);
        title.setWeight(QFont::DemiBold);
        painter->setFont(title);
        painter->setPen(colors.secondaryText);
        const QRectF titleRect(area.left(), area.center().y() - 40, area.width(), 32);
        painter->drawText(titleRect, Qt::AlignCenter, tr("Drag components here from the palette"));
        painter->setFont(font());
        painter->setPen(colors.faintText);
        painter->drawText(QRectF(area.left(), titleRect.bottom() + 4, area.width(), 48),
                          Qt::AlignHCenter | Qt::AlignTop,
                          tr("Wire an output to an input to link them \u00b7 wheel to zoom \u00b7 "
                             "middle button or Space + drag to pan\nor open an example: "
                             "File \u203a Open"));
    }
    painter->restore();
}

void CanvasView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange)
        m_scene->setColors(CanvasColors::fromPalette(palette()));
    if (event->type() == QEvent::FontChange)
        m_scene->setFont(font());
    QGraphicsView::changeEvent(event);
}

} // namespace tc::ui
