#pragma once

#include <QIcon>
#include <QString>

class QSvgRenderer;

namespace tc::ui {

/// The application's SVG icons, drawn as vectors at whatever size and device pixel ratio they
/// are shown (crisp on high-DPI screens).
class IconLibrary {
public:
    /// ":/icons/actions/<name>.svg", with "currentColor" painted in the current application
    /// palette's text colour (the disabled text colour for disabled icons), so one SVG serves
    /// light and dark themes and follows a theme switch.
    static QIcon actionIcon(const QString& name);
    /// The icon of a component type (its ComponentSpec::iconPath()), or a question mark for
    /// an unknown type.
    static QIcon componentIcon(const QString& type);
    /// A shared renderer of the component icon, for painting inside the canvas. Never null.
    static QSvgRenderer* componentRenderer(const QString& type);
    /// The resource path of a component's icon (falls back to the unknown icon).
    static QString componentIconPath(const QString& type);
};

} // namespace tc::ui
