#pragma once

#include "core/graph/Graph.h"
#include "core/graph/ShapeInference.h"

#include <QList>
#include <QMap>
#include <QString>

namespace tc::graph {

enum class Severity {
    Error,   ///< the model cannot be built or trained as wired
    Warning, ///< it can, but probably not as meant (an unused branch, a missing data set)
};

/// Which side of a node a problem's port index refers to.
enum class PortSide { None, Input, Output };

/// One finding of validate(), attached to a node (and port) where there is one, so that the
/// canvas can mark it and the problems list can select it.
struct Problem {
    Severity severity = Severity::Error;
    NodeId node = InvalidId; ///< InvalidId: about the whole graph (no Output, …)
    PortSide portSide = PortSide::None;
    int port = -1;
    QString message; ///< a sentence for the user; does not repeat the node's name

    friend bool operator==(const Problem& a, const Problem& b) {
        return a.severity == b.severity && a.node == b.node && a.portSide == b.portSide &&
               a.port == b.port && a.message == b.message;
    }
};

/// "error" or "warning".
QString severityName(Severity severity);

/// The result of validate(): every node's inferred output shape and every problem.
struct Validation {
    /// Output shape per node; an empty Shape where it cannot be inferred.
    QMap<NodeId, Shape> shapes;
    /// Sorted by node id (graph-wide problems first), errors before warnings.
    QList<Problem> problems;

    /// No errors (warnings allowed): the model can be built.
    bool isValid() const { return errorCount() == 0; }
    int errorCount() const;
    int warningCount() const;
    Shape shape(NodeId node) const { return shapes.value(node); }
    QList<Problem> problemsFor(NodeId node) const;
};

/// Infers every node's output shape and checks the graph. Errors: unknown components,
/// parameters out of range or of the wrong type, unconnected inputs, two links into one input,
/// cycles, no Input or Output, more than one of either, shape mismatches (a vector into
/// Conv2D, Output's width against the data set's class count), softmax anywhere but the layer
/// feeding Output. Warnings: unknown parameters, islands not connected to the model, unused
/// outputs, an activation other than none/softmax before Output, a missing data set, an Input
/// size that differs from the preprocessing. Never fails; any graph can be validated.
Validation validate(const Graph& graph, const ShapeContext& context = {});

} // namespace tc::graph
