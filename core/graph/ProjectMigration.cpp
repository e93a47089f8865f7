#include "core/graph/ProjectMigration.h"

#include "core/graph/Project.h"

#include <cmath>
#include <QJsonArray>
#include <QJsonValue>

namespace tc::graph {

namespace {

/// Renames `from` to `to` in an object, unless `to` is already there.
void renameKey(QJsonObject& object, const QString& from, const QString& to) {
    if (!object.contains(from) || object.contains(to))
        return;
    object.insert(to, object.value(from));
    object.remove(from);
}

} // namespace

bool ProjectMigration::migrate(QJsonObject& root, int fromVersion, QString* error) {
    if (fromVersion < 0 || fromVersion >= Project::FormatVersion) {
        if (error)
            *error = QStringLiteral("there is no migration from version %1").arg(fromVersion);
        return false;
    }
    // One step per version; a future version 2 adds `case 1: fromVersion1(...)` below.
    switch (fromVersion) {
    case 0:
        if (!fromVersion0(root, error))
            return false;
        Q_FALLTHROUGH();
    default:
        break;
    }
    root.insert(QStringLiteral("version"), Project::FormatVersion);
    return true;
}

bool ProjectMigration::fromVersion0(QJsonObject& root, QString* error) {
    if (root.contains(QStringLiteral("graph"))) {
        if (error)
            *error = QStringLiteral("a version 0 file has \"nodes\" and \"connections\" at the "
                                    "top level, not \"graph\"");
        return false;
    }
    QJsonArray nodes;
    for (const QJsonValue& value : root.value(QStringLiteral("nodes")).toArray()) {
        if (!value.isObject()) {
            nodes.append(value); // reported by the version 1 reader
            continue;
        }
        QJsonObject node = value.toObject();
        renameKey(node, QStringLiteral("component"), QStringLiteral("type"));
        renameKey(node, QStringLiteral("params"), QStringLiteral("parameters"));
        if (node.contains(QStringLiteral("x")) || node.contains(QStringLiteral("y"))) {
            node.insert(QStringLiteral("position"),
                        QJsonObject{{QStringLiteral("x"), node.value(QStringLiteral("x"))},
                                    {QStringLiteral("y"), node.value(QStringLiteral("y"))}});
            node.remove(QStringLiteral("x"));
            node.remove(QStringLiteral("y"));
        }
        QJsonObject parameters = node.value(QStringLiteral("parameters")).toObject();
        const QString type = node.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("Dense"))
            renameKey(parameters, QStringLiteral("neurons"), QStringLiteral("units"));
        if (type == QLatin1String("ResNet") && parameters.contains(QStringLiteral("depth"))) {
            const QJsonValue depth = parameters.value(QStringLiteral("depth"));
            parameters.remove(QStringLiteral("depth"));
            // The integer 50 becomes the choice "50"; anything else is kept for validation
            // to report.
            if (depth.isDouble() && std::trunc(depth.toDouble()) == depth.toDouble() &&
                std::fabs(depth.toDouble()) < 1e9)
                parameters.insert(QStringLiteral("variant"),
                                  QString::number(static_cast<qint64>(depth.toDouble())));
            else
                parameters.insert(QStringLiteral("variant"), depth);
        }
        if (node.contains(QStringLiteral("parameters")) || !parameters.isEmpty())
            node.insert(QStringLiteral("parameters"),
                        node.value(QStringLiteral("parameters")).isObject()
                            ? QJsonValue(parameters)
                            : node.value(QStringLiteral("parameters")));
        nodes.append(node);
    }

    const QJsonArray connections = root.value(QStringLiteral("connections")).toArray();
    double largestId = 0;
    for (const QJsonValue& value : connections)
        largestId = std::max(largestId, value.toObject().value(QStringLiteral("id")).toDouble());
    QJsonArray links;
    double nextId = std::floor(largestId) + 1;
    for (const QJsonValue& value : connections) {
        if (!value.isObject()) {
            links.append(value);
            continue;
        }
        const QJsonObject connection = value.toObject();
        QJsonObject link;
        link.insert(QStringLiteral("id"), connection.contains(QStringLiteral("id"))
                                              ? connection.value(QStringLiteral("id"))
                                              : QJsonValue(nextId++));
        link.insert(QStringLiteral("from"),
                    QJsonObject{{QStringLiteral("node"), connection.value(QStringLiteral("from"))},
                                {QStringLiteral("port"),
                                 connection.value(QStringLiteral("fromPort")).isUndefined()
                                     ? QJsonValue(0)
                                     : connection.value(QStringLiteral("fromPort"))}});
        link.insert(QStringLiteral("to"),
                    QJsonObject{{QStringLiteral("node"), connection.value(QStringLiteral("to"))},
                                {QStringLiteral("port"),
                                 connection.value(QStringLiteral("toPort")).isUndefined()
                                     ? QJsonValue(0)
                                     : connection.value(QStringLiteral("toPort"))}});
        links.append(link);
    }
    // A missing or non-array "nodes" stays wrong for the version 1 reader to name.
    const QJsonValue rawNodes = root.value(QStringLiteral("nodes"));
    const QJsonValue rawConnections = root.value(QStringLiteral("connections"));
    root.remove(QStringLiteral("nodes"));
    root.remove(QStringLiteral("connections"));
    root.insert(
        QStringLiteral("graph"),
        QJsonObject{{QStringLiteral("nodes"), rawNodes.isArray() ? QJsonValue(nodes) : rawNodes},
                    {QStringLiteral("links"), rawConnections.isUndefined()
                                                  ? QJsonValue(QJsonArray())
                                              : rawConnections.isArray() ? QJsonValue(links)
                                                                         : rawConnections}});

    QJsonValue dataset = root.value(QStringLiteral("dataset"));
    if (dataset.isObject()) {
        QJsonObject object = dataset.toObject();
        renameKey(object, QStringLiteral("csv"), QStringLiteral("source"));
        root.insert(QStringLiteral("dataset"), object);
    }
    return true;
}

} // namespace tc::graph
