// torchcanvas validate FILE [--json] [--classes N]: loads a project, infers every node's
// output shape and lists the problems. Exit 0 when the graph is valid (warnings allowed),
// 1 when it is not or the file cannot be loaded, 2 for a bad command line.

#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/graph/ComponentRegistry.h"
#include "core/graph/Graph.h"
#include "core/graph/JsonText.h"
#include "core/graph/Project.h"
#include "core/graph/Validation.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTextStream>

namespace tc::cli {

namespace {

const QString kCommand = QStringLiteral("validate");

/// Model order (inputs before the layers that read them), then whatever a cycle kept out.
QList<graph::NodeId> displayOrder(const graph::Graph& graph) {
    QList<graph::NodeId> order = graph.topologicalOrder();
    const QSet<graph::NodeId> listed(order.begin(), order.end());
    for (graph::NodeId id : graph.nodeIds()) {
        if (!listed.contains(id))
            order.append(id);
    }
    return order;
}

QString nodeLabel(const graph::Graph& graph, graph::NodeId id) {
    const graph::Node* node = graph.findNode(id);
    return graph::ComponentRegistry::describe(node->type, node->parameters);
}

QString portSideName(graph::PortSide side) {
    switch (side) {
    case graph::PortSide::Input:
        return QStringLiteral("input");
    case graph::PortSide::Output:
        return QStringLiteral("output");
    case graph::PortSide::None:
        break;
    }
    return {};
}

QJsonValue shapeJson(const graph::Shape& shape) {
    if (shape.isEmpty())
        return QJsonValue::Null;
    QJsonArray array;
    for (int value : shape)
        array.append(value);
    return array;
}

int printJson(const QString& file, const graph::Project& project,
              const graph::Validation& validation) {
    const graph::Graph& graph = project.graph();
    QJsonArray nodes;
    for (graph::NodeId id : displayOrder(graph)) {
        nodes.append(QJsonObject{{QStringLiteral("id"), id},
                                 {QStringLiteral("type"), graph.findNode(id)->type},
                                 {QStringLiteral("label"), nodeLabel(graph, id)},
                                 {QStringLiteral("shape"), shapeJson(validation.shape(id))}});
    }
    QJsonArray problems;
    for (const QString& warning : project.loadWarnings()) {
        problems.append(QJsonObject{{QStringLiteral("severity"), QStringLiteral("warning")},
                                    {QStringLiteral("node"), QJsonValue::Null},
                                    {QStringLiteral("port"), QJsonValue::Null},
                                    {QStringLiteral("message"), warning}});
    }
    for (const graph::Problem& problem : validation.problems) {
        QJsonValue port = QJsonValue::Null;
        if (problem.portSide != graph::PortSide::None) {
            port = QJsonObject{{QStringLiteral("side"), portSideName(problem.portSide)},
                               {QStringLiteral("index"), problem.port}};
        }
        problems.append(QJsonObject{
            {QStringLiteral("severity"), graph::severityName(problem.severity)},
            {QStringLiteral("node"),
             problem.node == graph::InvalidId ? QJsonValue::Null : QJsonValue(problem.node)},
            {QStringLiteral("port"), port},
            {QStringLiteral("message"), problem.message}});
    }
    const QJsonObject report{
        {QStringLiteral("file"), file},
        {QStringLiteral("name"), project.name()},
        {QStringLiteral("valid"), validation.isValid()},
        {QStringLiteral("errors"), validation.errorCount()},
        {QStringLiteral("warnings"),
         validation.warningCount() + static_cast<int>(project.loadWarnings().size())},
        {QStringLiteral("nodes"), nodes},
        {QStringLiteral("problems"), problems},
    };
    out() << QString::fromUtf8(graph::JsonText::write(report));
    out().flush();
    return validation.isValid() ? ExitOk : ExitFailure;
}

int printText(const QString& file, const graph::Project& project,
              const graph::Validation& validation) {
    const graph::Graph& graph = project.graph();
    const QList<graph::NodeId> order = displayOrder(graph);
    QTextStream& stream = out();
    stream << "Project: "
           << (project.name().isEmpty() ? QStringLiteral("(unnamed)") : project.name()) << " ("
           << file << ")\n";

    int labelWidth = 0;
    int idWidth = 0;
    for (graph::NodeId id : order) {
        labelWidth = std::max(labelWidth, static_cast<int>(nodeLabel(graph, id).size()));
        idWidth = std::max(idWidth, static_cast<int>(QString::number(id).size()) + 1);
    }
    stream << "Nodes, in model order, with their output shapes:\n";
    if (order.isEmpty())
        stream << "  (none)\n";
    for (graph::NodeId id : order) {
        stream << "  " << QString(QLatin1Char('#') + QString::number(id)).leftJustified(idWidth)
               << "  " << nodeLabel(graph, id).leftJustified(labelWidth) << "  "
               << graph::shapeToString(validation.shape(id)) << '\n';
    }

    const int warnings =
        validation.warningCount() + static_cast<int>(project.loadWarnings().size());
    if (validation.problems.isEmpty() && project.loadWarnings().isEmpty()) {
        stream << "No problems.\n";
    } else {
        stream << "Problems:\n";
        for (const QString& warning : project.loadWarnings())
            stream << "  warning  " << warning << '\n';
        for (const graph::Problem& problem : validation.problems) {
            stream << "  " << graph::severityName(problem.severity).leftJustified(7) << "  ";
            if (problem.node != graph::InvalidId)
                stream << nodeLabel(graph, problem.node) << " (#" << problem.node << "): ";
            stream << problem.message << '\n';
        }
    }
    const int errors = validation.errorCount();
    stream << (validation.isValid() ? "Valid" : "Invalid") << ": " << errors
           << (errors == 1 ? " error, " : " errors, ") << warnings
           << (warnings == 1 ? " warning.\n" : " warnings.\n");
    stream.flush();
    return validation.isValid() ? ExitOk : ExitFailure;
}

} // namespace

int runValidate(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Check a project's model graph: print every node with its inferred output "
                       "shape and every problem. Exits 0 when the graph is valid (warnings "
                       "allowed), 1 when it is not or cannot be loaded, 2 for a bad command "
                       "line."));
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A .tcproj project."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Print the result as JSON."));
    const QCommandLineOption classesOption(
        QStringLiteral("classes"),
        QStringLiteral("Check Output against this class count (default: the project's "
                       "\"dataset\".\"classes\" list, if any)."),
        QStringLiteral("N"));
    parser.addOption(jsonOption);
    parser.addOption(classesOption);
    if (const auto exit = parse(parser, kCommand, arguments))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return fail(kCommand, QStringLiteral("missing FILE (see 'torchcanvas validate --help')"),
                    ExitUsage);
    if (positional.size() > 1)
        return fail(kCommand,
                    QStringLiteral("expected one FILE, got %1 (see 'torchcanvas validate --help')")
                        .arg(positional.size()),
                    ExitUsage);
    int classCount = -1;
    if (parser.isSet(classesOption)) {
        bool ok = false;
        classCount = parser.value(classesOption).toInt(&ok);
        if (!ok || classCount < 2 || classCount > 1'000'000)
            return fail(kCommand,
                        QStringLiteral("--classes must be a whole number of at least 2, not '%1'")
                            .arg(parser.value(classesOption)),
                        ExitUsage);
    }

    const QString file = positional.constFirst();
    graph::Project project;
    QString error;
    if (!project.load(file, &error)) {
        if (parser.isSet(jsonOption)) {
            const QJsonObject report{{QStringLiteral("file"), file},
                                     {QStringLiteral("valid"), false},
                                     {QStringLiteral("error"), error}};
            out() << QString::fromUtf8(graph::JsonText::write(report));
            out().flush();
        }
        return fail(kCommand, error);
    }
    const graph::Validation validation = project.validate(classCount);
    return parser.isSet(jsonOption) ? printJson(file, project, validation)
                                    : printText(file, project, validation);
}

} // namespace tc::cli
