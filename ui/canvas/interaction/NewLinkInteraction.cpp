#include "ui/canvas/interaction/NewLinkInteraction.h"

#include "core/graph/ComponentRegistry.h"
#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/LinkItem.h"
#include "ui/canvas/NodeItem.h"
#include "ui/canvas/PortItem.h"
#include "ui/editor/Document.h"

#include <QGraphicsSceneMouseEvent>

namespace tc::ui {

namespace {

/// "Dense 128 ReLU (#3)": how a node is named in messages.
QString nodeLabel(const graph::Node& node) {
    return QStringLiteral("%1 (#%2)")
        .arg(graph::ComponentRegistry::describe(node.type, node.parameters))
        .arg(node.id);
}

} // namespace

NewLinkInteraction::NewLinkInteraction(CanvasScene& scene, PortItem* start)
    : Interaction(scene)
    , m_start(start) {
    m_preview = new LinkItem(start);
    scene.addItem(m_preview);

    // Decide once, at the start, which ports can take the link: the answer does not change
    // while the mouse moves, and dimming the others shows the user where to go.
    const graph::PortSide wanted =
        start->side() == graph::PortSide::Output ? graph::PortSide::Input : graph::PortSide::Output;
    for (NodeItem* node : scene.nodeItems()) {
        const QList<PortItem*>& same =
            start->side() == graph::PortSide::Output ? node->outputPorts() : node->inputPorts();
        for (PortItem* port : same) {
            if (port != start)
                port->setState(PortItem::State::Dimmed);
        }
        const QList<PortItem*>& other =
            wanted == graph::PortSide::Input ? node->inputPorts() : node->outputPorts();
        for (PortItem* port : other) {
            const QString reason = reasonFor(port);
            m_reasons.insert(port, reason);
            port->setState(reason.isEmpty() ? PortItem::State::Candidate : PortItem::State::Dimmed);
        }
    }
}

NewLinkInteraction::~NewLinkInteraction() {
    finish();
}

QString NewLinkInteraction::reasonFor(PortItem* target) const {
    Document* document = scene().document();
    if (!document)
        return QObject::tr("there is no document");
    const bool forward = m_start->side() == graph::PortSide::Output;
    const graph::PortRef from = forward ? m_start->ref() : target->ref();
    const graph::PortRef to = forward ? target->ref() : m_start->ref();
    return document->graph().canLink(from, to);
}

PortItem* NewLinkInteraction::targetAt(const QPointF& scenePosition) const {
    PortItem* port = scene().portAt(scenePosition);
    if (!port || !m_reasons.contains(port))
        return nullptr;
    return port;
}

void NewLinkInteraction::mouseMove(QGraphicsSceneMouseEvent* event) {
    PortItem* target = targetAt(event->scenePos());
    if (target != m_target) {
        if (m_target) {
            m_target->setState(m_reasons.value(m_target).isEmpty() ? PortItem::State::Candidate
                                                                   : PortItem::State::Dimmed);
        }
        m_target = target;
        if (m_target) {
            const QString reason = m_reasons.value(m_target);
            m_target->setState(reason.isEmpty() ? PortItem::State::Target
                                                : PortItem::State::Rejected);
        }
    }
    if (m_target) {
        const bool accepts = m_reasons.value(m_target).isEmpty();
        // Snap the free end onto the port: the user sees exactly what the drop will do.
        m_preview->setFreeEnd(m_target->scenePos(),
                              accepts ? LinkItem::Preview::Accept : LinkItem::Preview::Reject);
    } else {
        m_preview->setFreeEnd(event->scenePos(), LinkItem::Preview::Neutral);
    }
}

void NewLinkInteraction::mouseRelease(QGraphicsSceneMouseEvent* event) {
    PortItem* target = targetAt(event->scenePos());
    Document* document = scene().document();
    if (target && document) {
        const bool forward = m_start->side() == graph::PortSide::Output;
        const graph::PortRef from = forward ? m_start->ref() : target->ref();
        const graph::PortRef to = forward ? target->ref() : m_start->ref();
        const QString fromName = nodeLabel(document->graph().node(from.node));
        const QString toName = nodeLabel(document->graph().node(to.node));
        // Finish first: adding the link changes the ports' state and may re-create items.
        finish();
        QString reason;
        if (document->addLink(from, to, &reason) != graph::InvalidId)
            scene().showStatus(QObject::tr("Linked %1 to %2").arg(fromName, toName));
        else
            scene().showStatus(
                QObject::tr("Cannot link %1 to %2: %3").arg(fromName, toName, reason));
        return;
    }
    finish();
}

void NewLinkInteraction::cancel() {
    finish();
}

void NewLinkInteraction::finish() {
    if (!m_preview)
        return;
    for (auto it = m_reasons.constBegin(); it != m_reasons.constEnd(); ++it)
        it.key()->setState(PortItem::State::Normal);
    for (NodeItem* node : scene().nodeItems()) {
        for (PortItem* port : node->inputPorts())
            port->setState(PortItem::State::Normal);
        for (PortItem* port : node->outputPorts())
            port->setState(PortItem::State::Normal);
    }
    scene().removeItem(m_preview);
    delete m_preview;
    m_preview = nullptr;
    m_reasons.clear();
    m_target = nullptr;
}

} // namespace tc::ui
