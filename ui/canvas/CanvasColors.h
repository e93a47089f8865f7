#pragma once

#include <QColor>
#include <QPalette>

namespace tc::ui {

/// Every colour the canvas paints with, derived from the widget palette: light or dark is
/// decided by the palette's window colour, the accent is its highlight. Items never pick
/// colours themselves, so a theme switch is one setColors() on the scene.
struct CanvasColors {
    bool dark = false;
    QColor background;
    QColor gridMinor;
    QColor gridMajor;
    QColor card;
    QColor cardBorder;
    QColor cardShadow;
    QColor divider;
    QColor text;
    QColor secondaryText;
    QColor faintText;
    QColor accent;
    QColor link;
    QColor linkHover;
    QColor pill;
    QColor pillText;
    QColor error;
    QColor warning;
    QColor accept;
    QColor portImage;
    QColor portVector;
    QColor portAny;

    static CanvasColors fromPalette(const QPalette& palette);
};

} // namespace tc::ui
