#pragma once

#include <QJsonObject>
#include <QString>

namespace tc::graph {

/// Brings the JSON of an older project file up to the current format, one version step at a
/// time, so that each step stays small and testable.
///
/// Version 0, the pre-release layout, differs from version 1 in that:
///   - the graph lives at the top level: "nodes" and "connections" instead of
///     "graph": {"nodes", "links"};
///   - a node is {"id", "component", "x", "y", "params"} instead of
///     {"id", "type", "position": {"x", "y"}, "parameters"};
///   - a connection is {"from": node, "fromPort": n, "to": node, "toPort": n} with an optional
///     "id" (connections without one are numbered after the largest id in the file);
///   - Dense's "units" was called "neurons", and ResNet's "variant" was the integer "depth";
///   - the data set's path was "csv" instead of "source".
/// Malformed parts are carried over as they are, for the version-1 reader to report.
class ProjectMigration {
public:
    /// Rewrites `root`, a project of version `fromVersion` (0 ≤ fromVersion < current), into
    /// the current format and sets its "version". Returns false with `*error` when a step
    /// cannot make sense of the file.
    static bool migrate(QJsonObject& root, int fromVersion, QString* error);

private:
    static bool fromVersion0(QJsonObject& root, QString* error);
};

} // namespace tc::graph
