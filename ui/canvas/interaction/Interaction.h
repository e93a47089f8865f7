#pragma once

class QGraphicsSceneMouseEvent;

namespace tc::ui {

class CanvasScene;

/// One mouse mode of the canvas (drawing a new link, rubber-band selection), started by the
/// scene on a mouse press and fed the following moves until the release ends it. Keeping
/// each mode in its own small object keeps CanvasScene's mouse handlers to a dispatch.
class Interaction {
public:
    explicit Interaction(CanvasScene& scene)
        : m_scene(scene) {}
    virtual ~Interaction() = default;
    Interaction(const Interaction&) = delete;
    Interaction& operator=(const Interaction&) = delete;

    virtual void mouseMove(QGraphicsSceneMouseEvent* event) = 0;
    /// Finishes the interaction; the scene deletes it afterwards.
    virtual void mouseRelease(QGraphicsSceneMouseEvent* event) = 0;
    /// Abandons the interaction (Escape, the document going away); the scene deletes it
    /// afterwards. Must leave the scene as it was before the press.
    virtual void cancel() = 0;

protected:
    CanvasScene& scene() const { return m_scene; }

private:
    CanvasScene& m_scene;
};

} // namespace tc::ui
