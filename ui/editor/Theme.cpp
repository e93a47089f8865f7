#include "ui/editor/Theme.h"

#include <QApplication>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace tc::ui {

namespace {

constexpr auto kThemeKey = "view/theme";

/// The style the application started with, so that System can go back to it.
struct SystemLook {
    bool captured = false;
    QString styleName;
};

SystemLook& systemLook() {
    static SystemLook look;
    return look;
}

ThemeMode& current() {
    static ThemeMode mode = ThemeMode::System;
    return mode;
}

void captureSystemLook() {
    SystemLook& look = systemLook();
    if (look.captured)
        return;
    look.captured = true;
    look.styleName = QApplication::style() ? QApplication::style()->name() : QString();
}

} // namespace

ThemeMode Theme::storedMode() {
    const QString forced = qEnvironmentVariable("TORCHCANVAS_THEME").trimmed().toLower();
    if (!forced.isEmpty())
        return modeFromName(forced);
    return modeFromName(QSettings().value(QLatin1String(kThemeKey)).toString());
}

void Theme::storeMode(ThemeMode mode) {
    QSettings().setValue(QLatin1String(kThemeKey), modeName(mode));
}

void Theme::apply(ThemeMode mode) {
    captureSystemLook();
    current() = mode;
    const SystemLook& look = systemLook();
    switch (mode) {
    case ThemeMode::System:
        if (QStyle* style = QStyleFactory::create(look.styleName))
            QApplication::setStyle(style);
        // A palette with no role set resolves entirely against the platform's (or the
        // style's) palette, and keeps following it when the desktop switches light/dark.
        QApplication::setPalette(QPalette());
        break;
    case ThemeMode::Light:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(lightPalette());
        break;
    case ThemeMode::Dark:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
        break;
    }
}

ThemeMode Theme::currentMode() {
    return current();
}

bool Theme::isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() < 128;
}

QPalette Theme::lightPalette() {
    QPalette palette;
    const QColor window(0xf3, 0xf4, 0xf6);
    const QColor text(0x1f, 0x23, 0x29);
    const QColor disabledText(0x9a, 0xa0, 0xa8);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::AlternateBase, QColor(0xf7, 0xf8, 0xfa));
    palette.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xff));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x99));
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0xfa, 0xfb, 0xfc));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, Qt::white);
    palette.setColor(QPalette::Light, Qt::white);
    palette.setColor(QPalette::Midlight, QColor(0xe9, 0xeb, 0xee));
    palette.setColor(QPalette::Mid, QColor(0xc9, 0xcd, 0xd3));
    palette.setColor(QPalette::Dark, QColor(0xa8, 0xad, 0xb5));
    palette.setColor(QPalette::Shadow, QColor(0x6b, 0x70, 0x78));
    palette.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xe4));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x2f, 0x6f, 0xe4));
    palette.setColor(QPalette::LinkVisited, QColor(0x6a, 0x4f, 0xc9));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabledText);
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0xc9, 0xcd, 0xd3));
    return palette;
}

QPalette Theme::darkPalette() {
    QPalette palette;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor text(0xe3, 0xe5, 0xe8);
    const QColor disabledText(0x7b, 0x80, 0x88);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, QColor(0x1f, 0x20, 0x23));
    palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    palette.setColor(QPalette::ToolTipBase, QColor(0x36, 0x38, 0x3d));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, QColor(0x8b, 0x90, 0x98));
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3c));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4e));
    palette.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x42));
    palette.setColor(QPalette::Mid, QColor(0x24, 0x26, 0x29));
    palette.setColor(QPalette::Dark, QColor(0x1b, 0x1c, 0x1f));
    palette.setColor(QPalette::Shadow, QColor(0x0e, 0x0f, 0x10));
    palette.setColor(QPalette::Highlight, QColor(0x3d, 0x7c, 0xf0));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x6c, 0xa2, 0xf7));
    palette.setColor(QPalette::LinkVisited, QColor(0xa6, 0x8b, 0xf0));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabledText);
    palette.setColor(QPalette::Disabled, QPalette::Base, QColor(0x26, 0x28, 0x2b));
    palette.setColor(QPalette::Disabled, QPalette::Button, QColor(0x2f, 0x31, 0x35));
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x53));
    return palette;
}

QString Theme::modeName(ThemeMode mode) {
    switch (mode) {
    case ThemeMode::System:
        return QStringLiteral("system");
    case ThemeMode::Light:
        return QStringLiteral("light");
    case ThemeMode::Dark:
        return QStringLiteral("dark");
    }
    return QStringLiteral("system");
}

ThemeMode Theme::modeFromName(const QString& name) {
    if (name == QLatin1String("light"))
        return ThemeMode::Light;
    if (name == QLatin1String("dark"))
        return ThemeMode::Dark;
    return ThemeMode::System;
}

} // namespace tc::ui
