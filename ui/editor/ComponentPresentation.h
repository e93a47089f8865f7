#pragma once

#include <QColor>
#include <QString>
#include <QVariantMap>

namespace tc::ui {

/// How components read on screen: the one place that turns registry names and parameter
/// values into the short texts of cards, palette entries and inspector choices, so that the
/// canvas and the inspector never disagree.
class ComponentPresentation {
public:
    /// The key parameters of a node for its card, joined by " · ": "128 · ReLU",
    /// "ResNet50 · frozen · avg", "32 · 3×3 · ReLU". Invalid values show as "?". `classCount`
    /// (when known) lets Output say "2 classes".
    static QString keyParameters(const QString& type, const QVariantMap& parameters,
                                 int classCount = -1);
    /// A human label for one choice of a Choice parameter: activation "relu" → "ReLU",
    /// pooling "avg" → "Average"; the value itself when there is none.
    static QString choiceLabel(const QString& parameter, const QString& value);
    /// The colour of a palette category, matching the component icons' tiles.
    static QColor categoryColor(const QString& category);
    /// The first sentence of a description, for one-line places (palette entries).
    static QString firstSentence(const QString& text);
};

} // namespace tc::ui
