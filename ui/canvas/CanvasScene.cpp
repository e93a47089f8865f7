#include "ui/canvas/CanvasScene.h"

#include "ui/canvas/interaction/NewLinkInteraction.h"
#include "ui/canvas/interaction/RubberBandInteraction.h"
#include "ui/canvas/LinkItem.h"
#include "ui/canvas/NodeItem.h"
#include "ui/canvas/PortItem.h"
#include "ui/editor/Document.h"

#include <algorithm>
#include <cmath>
#include <QApplication>
#include <QGraphicsSceneMouseEvent>
#include <QKeyEvent>
#include <QPainter>

namespace tc::ui {

namespace {

/// Grid lines closer than this on screen (pixels) would be noise: they are skipped.
constexpr qreal kMinimumGridSpacing = 8;

} // namespace

CanvasScene::CanvasScene(QObject* parent)
    : QGraphicsScene(parent)
    , m_colors(CanvasColors::fromPalette(QApplication::palette())) {
    setObjectName(QStringLiteral("canvasScene"));
    // Large and fixed: the view pans freely and the scroll range does not jump as cards move.
    setSceneRect(-20000, -20000, 40000, 40000);
    setItemIndexMethod(QGraphicsScene::NoIndex); // few items, moved often
}

CanvasScene::~CanvasScene() {
    m_interaction.reset();
    clearItems();
}

void CanvasScene::setDocument(Document* document) {
    cancelInteraction();
    if (m_document) {
        m_document->disconnect(this);
        m_document->graph().disconnect(this);
    }
    clearItems();
    m_document = document;
    if (!document) {
        update();
        return;
    }
    graph::Graph& graph = document->graph();
    connect(&graph, &graph::Graph::nodeAdded, this, &CanvasScene::addNodeItem);
    connect(&graph, &graph::Graph::nodeRemoved, this, &CanvasScene::removeNodeItem);
    connect(&graph, &graph::Graph::linkAdded, this, &CanvasScene::addLinkItem);
    connect(&graph, &graph::Graph::linkRemoved, this, &CanvasScene::removeLinkItem);
    connect(&graph, &graph::Graph::parameterChanged, this, [this](int node) { updateNode(node); });
    connect(&graph, &graph::Graph::parametersReset, this, &CanvasScene::updateNode);
    connect(&graph, &graph::Graph::nodeMoved, this, [this](int id, const QPointF& position) {
        if (NodeItem* item = m_nodes.value(id))
            item->setModelPosition(position);
    });
    connect(document, &Document::validationChanged, this, &CanvasScene::applyValidation);
    for (graph::NodeId id : graph.nodeIds())
        addNodeItem(id);
    for (graph::LinkId id : graph.linkIds())
        addLinkItem(id);
    applyValidation();
    update();
}

Document* CanvasScene::document() const {
    return m_document;
}

void CanvasScene::clearItems() {
    // Links first: they refer to the ports of the cards.
    const QList<LinkItem*> links = m_links.values();
    m_links.clear();
    qDeleteAll(links);
    const QList<NodeItem*> nodes = m_nodes.values();
    m_nodes.clear();
    qDeleteAll(nodes);
}

QList<NodeItem*> CanvasScene::nodeItems() const {
    QList<NodeItem*> items;
    for (graph::NodeId id : m_document ? m_document->graph().nodeIds() : QList<graph::NodeId>()) {
        if (NodeItem* item = m_nodes.value(id))
            items.append(item);
    }
    return items;
}

QList<LinkItem*> CanvasScene::linkItems() const {
    return m_links.values();
}

QList<graph::NodeId> CanvasScene::selectedNodeIds() const {
    QList<graph::NodeId> ids;
    for (QGraphicsItem* item : selectedItems()) {
        if (item->type() == NodeItem::Type)
            ids.append(static_cast<NodeItem*>(item)->nodeId());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

QList<graph::LinkId> CanvasScene::selectedLinkIds() const {
    QList<graph::LinkId> ids;
    for (QGraphicsItem* item : selectedItems()) {
        if (item->type() == LinkItem::Type)
            ids.append(static_cast<LinkItem*>(item)->linkId());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

void CanvasScene::selectNodes(const QList<graph::NodeId>& ids) {
    // One selectionChanged() for the whole change, not one per item.
    QSignalBlocker blocker(this);
    clearSelection();
    for (graph::NodeId id : ids) {
        if (NodeItem* item = m_nodes.value(id))
            item->setSelected(true);
    }
    blocker.unblock();
    Q_EMIT selectionChanged();
}

void CanvasScene::setColors(const CanvasColors& colors) {
    m_colors = colors;
    update();
}

QPointF CanvasScene::snap(const QPointF& position) const {
    if (!m_snapToGrid)
        return position;
    return {std::round(position.x() / GridSize) * GridSize,
            std::round(position.y() / GridSize) * GridSize};
}

PortItem* CanvasScene::portAt(const QPointF& scenePosition) const {
    const qreal r = PortItem::HitRadius;
    PortItem* best = nullptr;
    qreal bestDistance = r * r;
    const QList<QGraphicsItem*> candidates =
        items(QRectF(scenePosition - QPointF(r, r), QSizeF(2 * r, 2 * r)));
    for (QGraphicsItem* item : candidates) {
        if (item->type() != PortItem::Type)
            continue;
        const QPointF d = item->scenePos() - scenePosition;
        const qreal distance = d.x() * d.x() + d.y() * d.y();
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = static_cast<PortItem*>(item);
        }
    }
    return best;
}

QRectF CanvasScene::contentsRect() const {
    QRectF rect;
    for (NodeItem* item : std::as_const(m_nodes))
        rect = rect.united(item->sceneBoundingRect());
    return rect;
}

void CanvasScene::cancelInteraction() {
    if (!m_interaction)
        return;
    m_interaction->cancel();
    m_interaction.reset();
}

void CanvasScene::showStatus(const QString& message) {
    Q_EMIT statusMessage(message);
}

void CanvasScene::addNodeItem(graph::NodeId id) {
    if (!m_document || m_nodes.contains(id))
        return;
    auto* item = new NodeItem(m_document->graph().node(id));
    addItem(item);
    m_nodes.insert(id, item);
}

void CanvasScene::removeNodeItem(graph::NodeId id) {
    NodeItem* item = m_nodes.take(id);
    if (!item)
        return;
    // The graph removed the node's links (and signalled it) before the node, but be safe
    // against a link item that still points at this card.
    const QList<LinkItem*> links = m_links.values();
    for (LinkItem* link : links) {
        if ((link->fromPort() && link->fromPort()->node() == item) ||
            (link->toPort() && link->toPort()->node() == item))
            removeLinkItem(link->linkId());
    }
    // A drag in progress may refer to the card's ports.
    cancelInteraction();
    delete item;
}

void CanvasScene::addLinkItem(graph::LinkId id) {
    if (!m_document || m_links.contains(id))
        return;
    const graph::Link link = m_document->graph().link(id);
    NodeItem* from = m_nodes.value(link.from.node);
    NodeItem* to = m_nodes.value(link.to.node);
    // A variadic input row grows with its links: the port may be new.
    if (to)
        to->setInputPortCount(m_document->graph().inputPortCount(link.to.node));
    PortItem* fromPort = from ? from->outputPort(link.from.port) : nullptr;
    PortItem* toPort = to ? to->inputPort(link.to.port) : nullptr;
    // Links of unknown components have no port items to attach to; validation reports them.
    if (!fromPort || !toPort)
        return;
    auto* item = new LinkItem(id, fromPort, toPort);
    addItem(item);
    m_links.insert(id, item);
}

void CanvasScene::removeLinkItem(graph::LinkId id) {
    LinkItem* item = m_links.take(id);
    if (!item)
        return;
    PortItem* from = item->fromPort();
    PortItem* to = item->toPort();
    delete item;
    // A port stays "connected" while another link still uses it.
    auto stillUsed = [this](PortItem* port) {
        for (LinkItem* link : std::as_const(m_links)) {
            if (link->fromPort() == port || link->toPort() == port)
                return true;
        }
        return false;
    };
    if (from)
        from->setConnected(stillUsed(from));
    if (to) {
        to->setConnected(stillUsed(to));
        // A variadic row shrinks when its last link goes: `to` itself may be deleted, so no
        // drag may hold on to it.
        NodeItem* node = to->node();
        const int count = m_document ? m_document->graph().inputPortCount(node->nodeId())
                                     : static_cast<int>(node->inputPorts().size());
        if (count < node->inputPorts().size())
            cancelInteraction();
        node->setInputPortCount(count);
    }
}

void CanvasScene::updateNode(graph::NodeId id) {
    if (NodeItem* item = m_nodes.value(id); item && m_document)
        item->setNode(m_document->graph().node(id));
}

void CanvasScene::applyValidation() {
    if (!m_document)
        return;
    const graph::Validation& validation = m_document->validation();
    const int classCount = m_document->project().shapeContext().classCount > 0
                               ? m_document->project().shapeContext().classCount
                               : m_document->knownClassCount();
    for (auto it = m_nodes.constBegin(); it != m_nodes.constEnd(); ++it)
        it.value()->setValidation(validation.shape(it.key()), validation.problemsFor(it.key()),
                                  classCount);
    const graph::Graph& graph = m_document->graph();
    // An input port shows what arrives through its link, like the output it comes from.
    for (NodeItem* node : std::as_const(m_nodes)) {
        for (PortItem* port : node->inputPorts())
            port->setShape({});
    }
    for (auto it = m_links.constBegin(); it != m_links.constEnd(); ++it) {
        const graph::Link link = graph.link(it.key());
        it.value()->toPort()->setShape(validation.shape(link.from.node));
        bool problem = false;
        for (const graph::Problem& p : validation.problemsFor(link.to.node)) {
            problem = problem || (p.severity == graph::Severity::Error &&
                                  p.portSide == graph::PortSide::Input && p.port == link.to.port);
        }
        it.value()->setHasProblem(problem);
    }
}

void CanvasScene::commitMoves() {
    if (!m_document)
        return;
    QHash<graph::NodeId, QPointF> moved;
    for (auto it = m_nodes.constBegin(); it != m_nodes.constEnd(); ++it) {
        const QPointF position = it.value()->pos();
        if (m_document->graph().node(it.key()).position != position)
            moved.insert(it.key(), position);
    }
    if (!moved.isEmpty())
        m_document->moveNodes(moved);
}

void CanvasScene::mousePressEvent(QGraphicsSceneMouseEvent* event) {
    if (m_interaction) { // a second button during a drag: ignore it
        event->accept();
        return;
    }
    if (event->button() == Qt::LeftButton && m_document) {
        if (PortItem* port = portAt(event->scenePos())) {
            m_interaction = std::make_unique<NewLinkInteraction>(*this, port);
            event->accept();
            return;
        }
        if (!itemAt(event->scenePos(), QTransform())) {
            const bool additive = event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier);
            m_interaction =
                std::make_unique<RubberBandInteraction>(*this, event->scenePos(), additive);
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
}

void CanvasScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
    if (m_interaction) {
        m_interaction->mouseMove(event);
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void CanvasScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
    if (m_interaction) {
        // Moved out first: the interaction may edit the document, which may call back here.
        std::unique_ptr<Interaction> interaction = std::move(m_interaction);
        interaction->mouseRelease(event);
        event->accept();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    if (event->button() == Qt::LeftButton)
        commitMoves();
}

void CanvasScene::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Escape) {
        if (m_interaction) {
            cancelInteraction();
            showStatus(tr("Cancelled"));
        } else {
            clearSelection();
        }
        event->accept();
        return;
    }
    const QHash<int, QPointF> steps = {{Qt::Key_Left, QPointF(-GridSize, 0)},
                                       {Qt::Key_Right, QPointF(GridSize, 0)},
                                       {Qt::Key_Up, QPointF(0, -GridSize)},
                                       {Qt::Key_Down, QPointF(0, GridSize)}};
    if (steps.contains(event->key()) && m_document && !m_interaction) {
        // Arrow keys nudge the selected cards by one grid step (Shift: five); repeated nudges
        // of the same cards merge into one undo step like a drag.
        const QList<graph::NodeId> selected = selectedNodeIds();
        if (!selected.isEmpty()) {
            const qreal factor = event->modifiers() & Qt::ShiftModifier ? 5 : 1;
            QHash<graph::NodeId, QPointF> positions;
            for (graph::NodeId id : selected)
                positions.insert(id, m_document->graph().node(id).position +
                                         steps.value(event->key()) * factor);
            m_document->moveNodes(positions);
            event->accept();
            return;
        }
    }
    QGraphicsScene::keyPressEvent(event);
}

void CanvasScene::drawBackground(QPainter* painter, const QRectF& rect) {
    painter->fillRect(rect, m_colors.background);
    const qreal zoom = painter->transform().m11();
    const qreal major = GridSize * 5;
    auto drawGrid = [&](qreal spacing, const QColor& colour) {
        if (spacing * zoom < kMinimumGridSpacing)
            return;
        QPen pen(colour, 1);
        pen.setCosmetic(true);
        painter->setPen(pen);
        QVector<QLineF> lines;
        const qreal left = std::floor(rect.left() / spacing) * spacing;
        const qreal top = std::floor(rect.top() / spacing) * spacing;
        for (qreal x = left; x <= rect.right(); x += spacing)
            lines.append(QLineF(x, rect.top(), x, rect.bottom()));
        for (qreal y = top; y <= rect.bottom(); y += spacing)
            lines.append(QLineF(rect.left(), y, rect.right(), y));
        painter->drawLines(lines);
    };
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    drawGrid(GridSize, m_colors.gridMinor);
    drawGrid(major, m_colors.gridMajor);
    painter->restore();
}

} // namespace tc::ui
