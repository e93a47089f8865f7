#pragma once

#include "core/graph/Graph.h"
#include "core/graph/Validation.h"

#include <QGraphicsItem>
#include <QList>

namespace tc::ui {

struct CanvasColors;
class LinkItem;
class PortItem;

/// A node drawn as a card: category strip, component icon, name, key parameters
/// ("128 · ReLU"), node id (with "no weights" for a backbone whose pretrained weights are
/// missing), inferred output shape, input ports on the left and output ports on the right,
/// and a problem badge whose tooltip holds the messages.
///
/// The item is a view of one graph::Node: the scene pushes the node's data, shape and
/// problems into it. Dragging moves the item (snapped to the grid) ahead of the model; the
/// scene turns the finished drag into one undoable move of the model.
class NodeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 1 };
    static constexpr qreal Width = 192;
    static constexpr qreal Height = 96;

    explicit NodeItem(const graph::Node& node);
    ~NodeItem() override;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    graph::NodeId nodeId() const { return m_node.id; }
    const graph::Node& node() const { return m_node; }

    /// New parameters (or a whole node) from the model.
    void setNode(const graph::Node& node);
    /// Moves the item to the model's position, without snapping it.
    void setModelPosition(const QPointF& position);
    /// The validation results for this node.
    void setValidation(const graph::Shape& shape, const QList<graph::Problem>& problems,
                       int classCount);

    QString title() const { return m_node.type; }
    /// The key-parameter line, e.g. "128 · ReLU".
    QString subtitle() const { return m_subtitle; }
    /// The shape shown on the card: "[2048]", or "?" when unknown.
    QString shapeText() const;
    bool hasErrors() const;
    bool hasWarnings() const;

    const QList<PortItem*>& inputPorts() const { return m_inputs; }
    const QList<PortItem*>& outputPorts() const { return m_outputs; }
    PortItem* inputPort(int index) const { return m_inputs.value(index); }
    PortItem* outputPort(int index) const { return m_outputs.value(index); }

    void addLink(LinkItem* link);
    void removeLink(LinkItem* link);
    /// A variadic input row (Add, Concatenate) shows `count` ports, the model's
    /// Graph::inputPortCount(): ports are added or removed at the end (never one with a link:
    /// the model always counts past the highest linked port) and all inputs are spaced again.
    /// No change for components with fixed inputs.
    void setInputPortCount(int count);

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    void createPorts();
    void placePorts();
    void updateTexts();

    // paint()'s steps, back to front.
    void drawShadow(QPainter* painter, const CanvasColors& colors) const;
    void drawSelectionHalo(QPainter* painter, const CanvasColors& colors) const;
    /// The card, its category strip and its border (coloured by selection, problems, hover).
    void drawCard(QPainter* painter, const CanvasColors& colors, bool errors, bool warnings) const;
    /// Icon, name (leaving room for a `badge`), key parameters and the divider below them.
    /// Returns the divider's y.
    qreal drawHeader(QPainter* painter, const CanvasColors& colors, const QFont& base,
                     bool badge) const;
    /// The row under the divider: the node id (or its missing weights) and the output shape.
    void drawIdAndShape(QPainter* painter, const CanvasColors& colors, const QFont& base,
                        qreal rowTop) const;
    void drawProblemBadge(QPainter* painter, const CanvasColors& colors, const QFont& base,
                          bool errors) const;

    graph::Node m_node;
    graph::Shape m_shape;
    QList<graph::Problem> m_problems;
    int m_classCount = -1;
    QString m_subtitle;
    QString m_category;
    QList<PortItem*> m_inputs;
    QList<PortItem*> m_outputs;
    QList<LinkItem*> m_links;
    bool m_hovered = false;
    /// A ResNet asking for ImageNet weights that the weights folder lacks.
    bool m_weightsMissing = false;
    /// Set while the model positions the item: no snapping then.
    bool m_fromModel = false;
};

} // namespace tc::ui
