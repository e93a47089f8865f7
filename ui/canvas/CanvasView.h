#pragma once

#include <QGraphicsView>

namespace tc::ui {

class CanvasScene;

/// The widget showing the canvas: zoom around the cursor with the wheel, pan with the middle
/// button or Space + drag, fit the graph to the view, and accept drops of palette entries
/// (which add a node at the drop point) and of project files (which it hands on).
class CanvasView : public QGraphicsView {
    Q_OBJECT

public:
    static constexpr qreal MinimumZoom = 0.2;
    static constexpr qreal MaximumZoom = 3.0;
    /// Fit never zooms in beyond this: a small graph should not look blown up.
    static constexpr qreal MaximumFitZoom = 1.0;

    explicit CanvasView(CanvasScene* scene, QWidget* parent = nullptr);

    CanvasScene* canvasScene() const { return m_scene; }

    qreal zoom() const;
    /// Sets the zoom (clamped), keeping the scene point under `anchor` (viewport
    /// coordinates) where it is.
    void setZoom(qreal zoom, const QPoint& anchor);
    void zoomIn();
    void zoomOut();
    void resetZoom();
    /// Shows the whole graph, centred, zoomed to fit (at most MaximumFitZoom).
    void fitToContents();
    /// The scene point at the centre of the viewport.
    QPointF visibleCentre() const;
    /// True while the user pans with Space or the middle button.
    bool isPanning() const { return m_panning; }

Q_SIGNALS:
    void zoomChanged(qreal zoom);
    /// Project files (.tcproj) were dropped on the canvas.
    void projectFilesDropped(const QStringList& paths);
    void contextMenuRequested(const QPoint& globalPosition, const QPointF& scenePosition);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void drawForeground(QPainter* painter, const QRectF& rect) override;
    void changeEvent(QEvent* event) override;

private:
    bool acceptsDrag(const QMimeData* data) const;
    void updateCursor();

    CanvasScene* m_scene;
    bool m_spaceHeld = false;
    bool m_panning = false;
    QPoint m_lastPanPosition;
    bool m_dropHover = false;
};

} // namespace tc::ui
