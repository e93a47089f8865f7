#include "ui/editor/EditorMime.h"

#include "core/graph/ComponentRegistry.h"

#include <QJsonDocument>
#include <QJsonValue>
#include <QMimeData>

namespace tc::ui {

namespace {

/// Drag data comes from other processes too: bound what is parsed.
constexpr qsizetype kMaxMimeBytes = 4 * 1024 * 1024;

std::optional<QJsonObject> readObject(const QMimeData* data, const QString& type) {
    if (!data || !data->hasFormat(type))
        return std::nullopt;
    const QByteArray bytes = data->data(type);
    if (bytes.size() > kMaxMimeBytes)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

} // namespace

QString componentMimeType() {
    return QStringLiteral("application/x-torchcanvas-component");
}

QString fragmentMimeType() {
    return QStringLiteral("application/x-torchcanvas-fragment");
}

QMimeData* createComponentMimeData(const ComponentDrag& drag) {
    const QJsonObject object{
        {QStringLiteral("type"), drag.type},
        {QStringLiteral("parameters"), QJsonObject::fromVariantMap(drag.parameters)},
    };
    auto* data = new QMimeData;
    data->setData(componentMimeType(), QJsonDocument(object).toJson(QJsonDocument::Compact));
    data->setText(drag.type);
    return data;
}

std::optional<ComponentDrag> readComponentMimeData(const QMimeData* data) {
    const std::optional<QJsonObject> object = readObject(data, componentMimeType());
    if (!object)
        return std::nullopt;
    ComponentDrag drag;
    drag.type = object->value(QStringLiteral("type")).toString();
    // Only known components can be dropped: an unknown name would make a node nobody can
    // configure.
    if (!graph::ComponentRegistry::instance().find(drag.type))
        return std::nullopt;
    drag.parameters = object->value(QStringLiteral("parameters")).toObject().toVariantMap();
    return drag;
}

QMimeData* createFragmentMimeData(const QJsonObject& fragment) {
    const QByteArray bytes = QJsonDocument(fragment).toJson(QJsonDocument::Indented);
    auto* data = new QMimeData;
    data->setData(fragmentMimeType(), bytes);
    data->setText(QString::fromUtf8(bytes));
    return data;
}

std::optional<QJsonObject> readFragmentMimeData(const QMimeData* data) {
    return readObject(data, fragmentMimeType());
}

} // namespace tc::ui
