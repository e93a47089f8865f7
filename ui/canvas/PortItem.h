#pragma once

#include "core/graph/ComponentRegistry.h"
#include "core/graph/Graph.h"
#include "core/graph/Validation.h"

#include <QGraphicsItem>

namespace tc::ui {

class NodeItem;

/// One input or output port of a node card: a small circle on the card's left (inputs) or
/// right (outputs) edge. Coloured by what flows through it (image-like, vector, any); filled
/// when connected. During a link drag it shows whether it can accept the link.
class PortItem : public QGraphicsItem {
public:
    enum { Type = UserType + 2 };
    /// Appearance during a link drag.
    enum class State {
        Normal,
        Dimmed,    ///< cannot take the link being dragged
        Candidate, ///< can take it
        Target,    ///< can take it and is under the cursor
        Rejected,  ///< under the cursor but cannot take it
    };
    static constexpr qreal Radius = 5.5;
    /// Half the side of the square that catches the mouse: larger than the circle.
    static constexpr qreal HitRadius = 11;

    PortItem(NodeItem* node, graph::PortSide side, int index, const graph::PortSpec& spec);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    NodeItem* node() const { return m_node; }
    graph::PortSide side() const { return m_side; }
    int index() const { return m_index; }
    graph::PortRef ref() const;
    const graph::PortSpec& spec() const { return m_spec; }

    State state() const { return m_state; }
    void setState(State state);
    void setConnected(bool connected);
    /// What currently flows through the port (an output's inferred shape), for its colour
    /// and tooltip; empty when unknown.
    void setShape(const graph::Shape& shape);
    void setHasProblem(bool problem);

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    void updateToolTip();

    NodeItem* m_node;
    graph::PortSide m_side;
    int m_index;
    graph::PortSpec m_spec;
    graph::Shape m_shape;
    State m_state = State::Normal;
    bool m_connected = false;
    bool m_hovered = false;
    bool m_problem = false;
};

} // namespace tc::ui
