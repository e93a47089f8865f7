#include "ui/canvas/NodeItem.h"

#include "core/graph/ComponentRegistry.h"
#include "core/nn/WeightsAvailability.h"
#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/CosmeticPen.h"
#include "ui/canvas/LinkItem.h"
#include "ui/canvas/PortItem.h"
#include "ui/editor/ComponentPresentation.h"
#include "ui/editor/IconLibrary.h"

#include <algorithm>
#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QSvgRenderer>

namespace tc::ui {

namespace {

constexpr qreal kCornerRadius = 9;
constexpr qreal kPadding = 14;
constexpr qreal kIconSize = 26;
constexpr qreal kHeaderTop = 11;
constexpr qreal kStripWidth = 4;
constexpr qreal kBadgeRadius = 9;
/// Room around the card for the shadow, the selection halo and the badge.
constexpr qreal kMargin = 12;
/// Where the card's texts start and end.
constexpr qreal kContentLeft = kStripWidth + kPadding - 2;
constexpr qreal kContentRight = NodeItem::Width - kPadding;

QFont scaledFont(const QFont& base, qreal factor, QFont::Weight weight = QFont::Normal) {
    QFont font = base;
    if (font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * factor);
    else
        font.setPixelSize(qRound(font.pixelSize() * factor));
    font.setWeight(weight);
    return font;
}

} // namespace

NodeItem::NodeItem(const graph::Node& node)
    : m_node(node) {
    setFlags(ItemIsSelectable | ItemIsMovable | ItemSendsGeometryChanges);
    setAcceptHoverEvents(true);
    setZValue(1);
    createPorts();
    updateTexts();
    setModelPosition(node.position);
}

NodeItem::~NodeItem() = default;

void NodeItem::createPorts() {
    const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(m_node.type);
    if (!spec)
        return;
    setInputPortCount(static_cast<int>(spec->inputs.size()));
    for (int i = 0; i < spec->outputs.size(); ++i)
        m_outputs.append(new PortItem(this, graph::PortSide::Output, i, spec->outputs[i]));
    placePorts();
}

void NodeItem::setInputPortCount(int count) {
    const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(m_node.type);
    if (!spec)
        return;
    const int fixed = static_cast<int>(spec->inputs.size());
    count = spec->hasVariadicInput() ? std::clamp(count, fixed, graph::MaxPorts) : fixed;
    if (count == m_inputs.size())
        return;
    while (m_inputs.size() > count)
        delete m_inputs.takeLast();
    while (m_inputs.size() < count) {
        const int index = static_cast<int>(m_inputs.size());
        // A variadic row's ports are named "in 1", "in 2", … in their tooltips.
        graph::PortSpec port = *spec->inputPort(index);
        port.name = spec->inputPortName(index);
        m_inputs.append(new PortItem(this, graph::PortSide::Input, index, port));
    }
    placePorts();
}

void NodeItem::placePorts() {
    auto place = [](int index, int count) {
        return Height * (index + 1) / (count + 1);
    };
    for (int i = 0; i < m_inputs.size(); ++i)
        m_inputs[i]->setPos(0, place(i, static_cast<int>(m_inputs.size())));
    for (int i = 0; i < m_outputs.size(); ++i)
        m_outputs[i]->setPos(Width, place(i, static_cast<int>(m_outputs.size())));
    for (LinkItem* link : std::as_const(m_links))
        link->updatePath();
}

QRectF NodeItem::boundingRect() const {
    return QRectF(0, 0, Width, Height).adjusted(-kMargin, -kMargin, kMargin, kMargin);
}

QPainterPath NodeItem::shape() const {
    QPainterPath path;
    path.addRoundedRect(QRectF(0, 0, Width, Height), kCornerRadius, kCornerRadius);
    return path;
}

void NodeItem::setNode(const graph::Node& node) {
    m_node = node;
    updateTexts();
    update();
}

void NodeItem::setModelPosition(const QPointF& position) {
    m_fromModel = true;
    setPos(position);
    m_fromModel = false;
}

void NodeItem::setValidation(const graph::Shape& shape, const QList<graph::Problem>& problems,
                             int classCount) {
    m_shape = shape;
    m_problems = problems;
    m_classCount = classCount;
    for (PortItem* port : std::as_const(m_outputs))
        port->setShape(shape);
    for (PortItem* port : std::as_const(m_inputs)) {
        bool problem = false;
        for (const graph::Problem& p : problems) {
            problem = problem || (p.portSide == graph::PortSide::Input && p.port == port->index() &&
                                  p.severity == graph::Severity::Error);
        }
        port->setHasProblem(problem);
    }
    updateTexts();
    update();
}

QString NodeItem::shapeText() const {
    return graph::shapeToString(m_shape);
}

bool NodeItem::hasErrors() const {
    for (const graph::Problem& problem : m_problems) {
        if (problem.severity == graph::Severity::Error)
            return true;
    }
    return false;
}

bool NodeItem::hasWarnings() const {
    for (const graph::Problem& problem : m_problems) {
        if (problem.severity == graph::Severity::Warning)
            return true;
    }
    return false;
}

void NodeItem::addLink(LinkItem* link) {
    if (!m_links.contains(link))
        m_links.append(link);
}

void NodeItem::removeLink(LinkItem* link) {
    m_links.removeAll(link);
}

void NodeItem::updateTexts() {
    const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(m_node.type);
    m_category = spec ? spec->category : QString();
    m_subtitle = ComponentPresentation::keyParameters(m_node.type, m_node.parameters, m_classCount);
    m_weightsMissing = nn::missingPretrainedWeights(m_node, nn::WeightStore()).has_value();

    // The tooltip: problems first (that is why one hovers a marked card), then what it is.
    QString tip;
    for (const graph::Problem& problem : std::as_const(m_problems)) {
        const bool error = problem.severity == graph::Severity::Error;
        tip += QStringLiteral("<p style=\"margin:0 0 4px 0\"><b style=\"color:%1\">%2</b> %3</p>")
                   .arg(error ? QStringLiteral("#d6453d") : QStringLiteral("#c98a0b"),
                        error ? QObject::tr("Error:") : QObject::tr("Warning:"),
                        problem.message.toHtmlEscaped());
    }
    tip += QStringLiteral("<b>%1</b> (#%2) \u00b7 %3<br>%4 <code>%5</code>")
               .arg(m_node.type.toHtmlEscaped())
               .arg(m_node.id)
               .arg(m_subtitle.toHtmlEscaped(), QObject::tr("Output:"), shapeText());
    if (spec)
        tip += QStringLiteral("<br><span>%1</span>")
                   .arg(ComponentPresentation::firstSentence(spec->description).toHtmlEscaped());
    setToolTip(tip);
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemPositionChange && !m_fromModel) {
        if (auto* canvas = static_cast<CanvasScene*>(scene()))
            return canvas->snap(value.toPointF());
    }
    if (change == ItemPositionHasChanged) {
        for (LinkItem* link : std::as_const(m_links))
            link->updatePath();
    }
    if (change == ItemSelectedHasChanged) {
        setZValue(isSelected() ? 2 : 1);
        for (LinkItem* link : std::as_const(m_links))
            link->update();
    }
    return QGraphicsItem::itemChange(change, value);
}

void NodeItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event) {
    m_hovered = true;
    update();
    QGraphicsItem::hoverEnterEvent(event);
}

void NodeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event) {
    m_hovered = false;
    update();
    QGraphicsItem::hoverLeaveEvent(event);
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const auto* canvas = static_cast<CanvasScene*>(scene());
    if (!canvas)
        return;
    const CanvasColors& colors = canvas->colors();
    const bool errors = hasErrors();
    const bool warnings = !errors && hasWarnings();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);

    drawShadow(painter, colors);
    if (isSelected())
        drawSelectionHalo(painter, colors);
    drawCard(painter, colors, errors, warnings);
    // Header: icon and name. Then the key parameters across the whole width (they are the
    // longest text, "ResNet50 · frozen · avg"), a divider, and the id and output shape.
    const QFont base = canvas->font();
    const qreal dividerY = drawHeader(painter, colors, base, /*badge=*/errors || warnings);
    drawIdAndShape(painter, colors, base, /*rowTop=*/dividerY + 1);
    if (errors || warnings)
        drawProblemBadge(painter, colors, base, errors);
}

void NodeItem::drawShadow(QPainter* painter, const CanvasColors& colors) const {
    // Two soft offset layers are enough at this size and cost nothing, unlike a blur.
    const QRectF card(0, 0, Width, Height);
    painter->setPen(Qt::NoPen);
    QColor shadow = colors.cardShadow;
    painter->setBrush(shadow);
    painter->drawRoundedRect(card.translated(0, 2.5), kCornerRadius, kCornerRadius);
    shadow.setAlphaF(shadow.alphaF() * 0.45);
    painter->setBrush(shadow);
    painter->drawRoundedRect(card.adjusted(-1.5, -0.5, 1.5, 5.5), kCornerRadius + 2,
                             kCornerRadius + 2);
}

void NodeItem::drawSelectionHalo(QPainter* painter, const CanvasColors& colors) const {
    const QRectF card(0, 0, Width, Height);
    QColor halo = colors.accent;
    halo.setAlphaF(0.28);
    painter->setBrush(Qt::NoBrush);
    painter->setPen(QPen(halo, 6));
    painter->drawRoundedRect(card.adjusted(-2, -2, 2, 2), kCornerRadius + 2, kCornerRadius + 2);
}

void NodeItem::drawCard(QPainter* painter, const CanvasColors& colors, bool errors,
                        bool warnings) const {
    // Card and category strip.
    QPainterPath outline;
    outline.addRoundedRect(QRectF(0, 0, Width, Height), kCornerRadius, kCornerRadius);
    painter->setPen(Qt::NoPen);
    painter->setBrush(colors.card);
    painter->drawPath(outline);
    painter->save();
    painter->setClipPath(outline);
    painter->setBrush(ComponentPresentation::categoryColor(m_category));
    painter->drawRect(QRectF(0, 0, kStripWidth, Height));
    painter->restore();

    QColor border = colors.cardBorder;
    qreal borderWidth = 1.0;
    if (isSelected()) {
        border = colors.accent;
        borderWidth = 2.0;
    } else if (errors) {
        border = colors.error;
        borderWidth = 1.5;
    } else if (warnings) {
        border = colors.warning;
        borderWidth = 1.5;
    } else if (m_hovered) {
        border = colors.secondaryText;
    }
    painter->setPen(cosmeticPen(border, borderWidth, painter));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(outline);
}

qreal NodeItem::drawHeader(QPainter* painter, const CanvasColors& colors, const QFont& base,
                           bool badge) const {
    const QRectF iconRect(kContentLeft, kHeaderTop, kIconSize, kIconSize);
    IconLibrary::componentRenderer(m_node.type)->render(painter, iconRect);

    const QFont titleFont = scaledFont(base, 1.15, QFont::DemiBold);
    const QFont subtitleFont = scaledFont(base, 0.95);

    const qreal titleLeft = iconRect.right() + 9;
    const qreal titleWidth = kContentRight - titleLeft - (badge ? 8 : 0);
    painter->setFont(titleFont);
    painter->setPen(colors.text);
    const QFontMetricsF titleMetrics(titleFont);
    painter->drawText(QRectF(titleLeft, iconRect.top(), titleWidth, iconRect.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      titleMetrics.elidedText(m_node.type, Qt::ElideRight, titleWidth));

    painter->setFont(subtitleFont);
    painter->setPen(colors.secondaryText);
    const QFontMetricsF subtitleMetrics(subtitleFont);
    const QRectF subtitleRect(kContentLeft + 1, iconRect.bottom() + 5,
                              kContentRight - kContentLeft - 1, subtitleMetrics.height());
    painter->drawText(subtitleRect, Qt::AlignLeft | Qt::AlignVCenter,
                      subtitleMetrics.elidedText(m_subtitle, Qt::ElideRight, subtitleRect.width()));

    painter->setPen(cosmeticPen(colors.divider, 1, painter));
    const qreal dividerY = subtitleRect.bottom() + 6;
    painter->drawLine(QPointF(kContentLeft, dividerY), QPointF(kContentRight, dividerY));
    return dividerY;
}

void NodeItem::drawIdAndShape(QPainter* painter, const CanvasColors& colors, const QFont& base,
                              qreal rowTop) const {
    const qreal left = kContentLeft;
    const qreal right = kContentRight;
    const qreal rowHeight = Height - rowTop - 2;
    const QFont smallFont = scaledFont(base, 0.85);
    painter->setFont(smallFont);
    const QFontMetricsF smallMetrics(smallFont);
    const QString shape = shapeText();
    const qreal pillWidth = smallMetrics.horizontalAdvance(shape) + 14;
    // A backbone that would train from random weights says so on the card itself.
    const QRectF idRect(left + 1, rowTop, right - pillWidth - 24 - left, rowHeight);
    painter->setPen(m_weightsMissing ? colors.warning : colors.faintText);
    painter->drawText(idRect, Qt::AlignLeft | Qt::AlignVCenter,
                      smallMetrics.elidedText(
                          m_weightsMissing ? QObject::tr("#%1 \u00b7 no weights").arg(m_node.id)
                                           : QStringLiteral("#%1").arg(m_node.id),
                          Qt::ElideRight, idRect.width()));

    const qreal pillHeight = smallMetrics.height() + 4;
    const QRectF pill(right - pillWidth, rowTop + (rowHeight - pillHeight) / 2, pillWidth,
                      pillHeight);
    painter->setPen(Qt::NoPen);
    QColor pillColour = colors.pill;
    QColor pillText = colors.pillText;
    if (m_shape.isEmpty()) {
        pillColour = colors.error;
        pillColour.setAlphaF(colors.dark ? 0.22 : 0.12);
        pillText = colors.error;
    }
    painter->setBrush(pillColour);
    painter->drawRoundedRect(pill, pillHeight / 2, pillHeight / 2);
    painter->setPen(pillText);
    painter->drawText(pill, Qt::AlignCenter, shape);
    painter->setPen(colors.faintText);
    painter->drawText(QRectF(pill.left() - 22, pill.top(), 18, pill.height()),
                      Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("\u2192"));
}

void NodeItem::drawProblemBadge(QPainter* painter, const CanvasColors& colors, const QFont& base,
                                bool errors) const {
    // Overlapping the top-right corner.
    const QPointF centre(Width - 3, 3);
    painter->setPen(QPen(colors.card, 2));
    painter->setBrush(errors ? colors.error : colors.warning);
    painter->drawEllipse(centre, kBadgeRadius, kBadgeRadius);
    QFont badgeFont = scaledFont(base, 0.85, QFont::Bold);
    painter->setFont(badgeFont);
    painter->setPen(Qt::white);
    painter->drawText(QRectF(centre.x() - kBadgeRadius, centre.y() - kBadgeRadius, 2 * kBadgeRadius,
                             2 * kBadgeRadius),
                      Qt::AlignCenter, QStringLiteral("!"));
}

} // namespace tc::ui
