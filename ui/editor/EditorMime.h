#pragma once

#include <optional>
#include <QJsonObject>
#include <QString>
#include <QVariantMap>

class QMimeData;

namespace tc::ui {

/// What a palette entry carries when it is dragged onto the canvas.
struct ComponentDrag {
    QString type;           ///< a ComponentRegistry name
    QVariantMap parameters; ///< laid over the component's defaults; usually empty
};

/// The MIME type of a palette drag: JSON `{"type": "Dense", "parameters": {...}}`.
QString componentMimeType();
/// The MIME type of copied canvas items: a graph fragment `{"nodes": [...], "links": [...]}`.
QString fragmentMimeType();

/// The drag data of a palette entry. The palette builds its drags with this, and tests that
/// simulate a drop use it too, so both go through the same bytes.
QMimeData* createComponentMimeData(const ComponentDrag& drag);
/// Reads createComponentMimeData()'s form; nothing for other or malformed data.
std::optional<ComponentDrag> readComponentMimeData(const QMimeData* data);

/// Clipboard data for a fragment: the fragment MIME type plus the same JSON as text.
QMimeData* createFragmentMimeData(const QJsonObject& fragment);
/// Nothing when the data holds no fragment.
std::optional<QJsonObject> readFragmentMimeData(const QMimeData* data);

} // namespace tc::ui
