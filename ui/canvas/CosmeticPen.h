#pragma once

#include <QPaintDevice>
#include <QPainter>
#include <QPen>

namespace tc::ui {

/// A pen whose width does not change with the canvas zoom (crisp lines at every zoom level),
/// given in logical pixels: cosmetic pens are measured in device pixels, which would make
/// them half as thick on a 2× screen.
inline QPen cosmeticPen(const QColor& colour, qreal width, const QPainter* painter,
                        Qt::PenStyle style = Qt::SolidLine) {
    const qreal ratio = painter && painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    QPen pen(colour, width * ratio, style, Qt::RoundCap, Qt::RoundJoin);
    pen.setCosmetic(true);
    return pen;
}

} // namespace tc::ui
