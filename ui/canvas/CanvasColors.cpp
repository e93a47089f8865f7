#include "ui/canvas/CanvasColors.h"

#include "ui/editor/Theme.h"

namespace tc::ui {

namespace {

/// `a` moved towards `b` by `amount` (0…1).
QColor mix(const QColor& a, const QColor& b, qreal amount) {
    return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * amount,
                            a.greenF() + (b.greenF() - a.greenF()) * amount,
                            a.blueF() + (b.blueF() - a.blueF()) * amount);
}

} // namespace

CanvasColors CanvasColors::fromPalette(const QPalette& palette) {
    CanvasColors c;
    c.dark = Theme::isDark(palette);
    const QColor window = palette.color(QPalette::Window);
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    c.accent = palette.color(QPalette::Highlight);
    c.text = text;
    if (c.dark) {
        // A canvas a little darker than the window, so that the cards (lighter) stand out.
        c.background = mix(base, window, 0.35);
        c.gridMinor = mix(c.background, text, 0.045);
        c.gridMajor = mix(c.background, text, 0.09);
        c.card = mix(window, text, 0.06);
        c.cardBorder = mix(window, text, 0.17);
        c.cardShadow = QColor(0, 0, 0, 110);
        c.divider = mix(c.card, text, 0.10);
        c.secondaryText = mix(c.card, text, 0.68);
        c.faintText = mix(c.card, text, 0.42);
        c.link = mix(c.background, text, 0.50);
        c.pill = mix(c.card, text, 0.10);
        c.pillText = mix(c.card, text, 0.85);
        c.error = QColor(0xf0, 0x5d, 0x52);
        c.warning = QColor(0xe8, 0xae, 0x2e);
        c.accept = QColor(0x3f, 0xbf, 0x78);
    } else {
        c.background = mix(window, base, 0.25);
        c.gridMinor = mix(c.background, text, 0.045);
        c.gridMajor = mix(c.background, text, 0.085);
        c.card = base;
        c.cardBorder = mix(base, text, 0.17);
        c.cardShadow = QColor(16, 24, 40, 38);
        c.divider = mix(base, text, 0.08);
        c.secondaryText = mix(base, text, 0.66);
        c.faintText = mix(base, text, 0.42);
        c.link = mix(c.background, text, 0.45);
        c.pill = mix(base, c.accent, 0.09);
        c.pillText = mix(base, text, 0.85);
        c.error = QColor(0xd6, 0x45, 0x3d);
        c.warning = QColor(0xd9, 0x93, 0x0d);
        c.accept = QColor(0x23, 0x9b, 0x58);
    }
    c.linkHover = c.accent;
    c.portImage = QColor(0xe0, 0x8a, 0x3a);
    c.portVector = c.dark ? QColor(0x5b, 0x9c, 0xf8) : QColor(0x2f, 0x7b, 0xe8);
    c.portAny = mix(c.card, text, 0.5);
    return c;
}

} // namespace tc::ui
