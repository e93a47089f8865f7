#pragma once

#include <QPalette>
#include <QString>

namespace tc::ui {

/// The user's colour scheme choice (View > Theme).
enum class ThemeMode { System, Light, Dark };

/// Light and dark appearance for the whole application. Qt 6.4 has no
/// QStyleHints::colorScheme(), so "dark" is read from the palette itself (a dark window
/// colour); the canvas derives its colours from the palette, so it follows whatever is active.
class Theme {
public:
    /// The mode to start with: the environment variable TORCHCANVAS_THEME ("system",
    /// "light" or "dark": for screenshots and tests) wins over the QSettings key "view/theme".
    static ThemeMode storedMode();
    static void storeMode(ThemeMode mode);
    /// Applies a mode to the running QApplication. System restores the style and palette
    /// the application started with; Light and Dark use the Fusion style with a light or a
    /// dark palette.
    static void apply(ThemeMode mode);
    /// The mode last applied (System before any call).
    static ThemeMode currentMode();

    /// True when the palette's window colour is dark.
    static bool isDark(const QPalette& palette);
    static QPalette lightPalette();
    static QPalette darkPalette();

    /// "system", "light", "dark".
    static QString modeName(ThemeMode mode);
    /// System for an unknown name.
    static ThemeMode modeFromName(const QString& name);
};

} // namespace tc::ui
