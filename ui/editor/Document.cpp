#include "ui/editor/Document.h"

#include "core/graph/ComponentRegistry.h"
#include "core/nn/WeightsAvailability.h"
#include "ui/editor/AutoLayout.h"
#include "ui/editor/commands/AddLinkCommand.h"
#include "ui/editor/commands/AddNodeCommand.h"
#include "ui/editor/commands/MoveNodesCommand.h"
#include "ui/editor/commands/PasteCommand.h"
#include "ui/editor/commands/RemoveLinkCommand.h"
#include "ui/editor/commands/RemoveNodeCommand.h"
#include "ui/editor/commands/SetParameterCommand.h"
#include "ui/editor/commands/SetSettingsCommand.h"

#include <QFileInfo>
#include <QUndoStack>

namespace tc::ui {

Document::Document(QObject* parent)
    : Document(std::make_unique<graph::Project>(), parent) {}

Document::Document(std::unique_ptr<graph::Project> project, QObject* parent)
    : QObject(parent)
    , m_project(std::move(project))
    , m_undoStack(new QUndoStack(this))
    , m_filePath(m_project->filePath()) {
    connect(&m_project->graph(), &graph::Graph::changed, this, &Document::revalidate);
    connect(m_undoStack, &QUndoStack::cleanChanged, this,
            [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    revalidate();
}

Document::~Document() {
    // The undo commands refer to the graph: delete them while it still exists.
    m_undoStack->disconnect(this);
    m_undoStack->clear();
}

std::unique_ptr<Document> Document::open(const QString& path, QString* error,
                                         QStringList* warnings) {
    auto project = std::make_unique<graph::Project>();
    if (!project->load(path, error))
        return nullptr;
    if (warnings)
        *warnings = project->loadWarnings();
    return std::make_unique<Document>(std::move(project));
}

void Document::setKnownClassCount(int count) {
    if (count == m_knownClassCount)
        return;
    m_knownClassCount = count;
    revalidate();
}

QString Document::displayName() const {
    return m_filePath.isEmpty() ? tr("Untitled") : QFileInfo(m_filePath).fileName();
}

bool Document::isModified() const {
    return !m_undoStack->isClean();
}

bool Document::save(const QString& path, QString* error) {
    if (!m_project->save(path, error))
        return false;
    m_undoStack->setClean();
    const QString saved = m_project->filePath();
    if (saved != m_filePath) {
        m_filePath = saved;
        Q_EMIT filePathChanged(m_filePath);
    }
    // The data set's presence is checked relative to the file: re-check after a Save As.
    revalidate();
    return true;
}

void Document::markUnsaved() {
    m_undoStack->resetClean();
}

graph::NodeId Document::addNode(const QString& type, const QPointF& position,
                                const QVariantMap& parameters) {
    auto* command = new AddNodeCommand(graph(), type, position, parameters);
    m_undoStack->push(command); // never obsolete, so `command` is still alive
    return command->nodeId();
}

graph::LinkId Document::addLink(const graph::PortRef& from, const graph::PortRef& to,
                                QString* reason) {
    const QString problem = graph().canLink(from, to);
    if (!problem.isEmpty()) {
        if (reason)
            *reason = problem;
        return graph::InvalidId;
    }
    auto* command = new AddLinkCommand(graph(), from, to);
    m_undoStack->push(command);
    return command->linkId();
}

void Document::remove(const QList<graph::NodeId>& nodes, const QList<graph::LinkId>& links,
                      const QString& text) {
    QList<graph::NodeId> removedNodes;
    for (graph::NodeId id : nodes) {
        if (graph().containsNode(id) && !removedNodes.contains(id))
            removedNodes.append(id);
    }
    // Links that go anyway with one of the nodes are left to that node's command.
    QSet<graph::LinkId> handled;
    QList<graph::LinkId> removedLinks;
    for (graph::LinkId id : links) {
        const graph::Link link = graph().link(id);
        if (link.id == graph::InvalidId || handled.contains(id) ||
            removedNodes.contains(link.from.node) || removedNodes.contains(link.to.node))
            continue;
        handled.insert(id);
        removedLinks.append(id);
    }
    if (removedNodes.isEmpty() && removedLinks.isEmpty())
        return;

    QString name = text;
    if (name.isEmpty()) {
        if (removedNodes.size() == 1 && removedLinks.isEmpty())
            name = tr("Remove %1").arg(graph().node(removedNodes.constFirst()).type);
        else if (removedNodes.isEmpty() && removedLinks.size() == 1)
            name = tr("Remove link");
        else
            name = tr("Remove %1 items").arg(removedNodes.size() + removedLinks.size());
    }
    auto* macro = new QUndoCommand(name);
    for (graph::LinkId id : std::as_const(removedLinks))
        new RemoveLinkCommand(graph(), id, macro);
    for (graph::NodeId id : std::as_const(removedNodes))
        new RemoveNodeCommand(graph(), id, &handled, macro);
    m_undoStack->push(macro);
}

void Document::setParameter(graph::NodeId node, const QString& name, const QVariant& value) {
    if (!graph().containsNode(node))
        return;
    const QVariant current = graph().node(node).parameters.value(name);
    if (current == value && current.typeId() == value.typeId())
        return;
    m_undoStack->push(new SetParameterCommand(graph(), node, name, value));
}

void Document::moveNodes(const QHash<graph::NodeId, QPointF>& positions) {
    QHash<graph::NodeId, QPointF> moved;
    for (auto it = positions.constBegin(); it != positions.constEnd(); ++it) {
        const graph::Node* node = graph().findNode(it.key());
        if (node && node->position != it.value())
            moved.insert(it.key(), it.value());
    }
    if (moved.isEmpty())
        return;
    const QString text = moved.size() == 1
                             ? tr("Move %1").arg(graph().node(moved.begin().key()).type)
                             : tr("Move %1 components").arg(moved.size());
    m_undoStack->push(new MoveNodesCommand(graph(), moved, text));
}

QList<graph::NodeId> Document::paste(const QJsonObject& fragment, const QPointF& offset,
                                     const QString& text, QString* error) {
    // A dry run on a scratch graph: a malformed fragment must not leave an empty step on the
    // undo stack.
    graph::Graph scratch;
    QString problem;
    if (scratch.paste(fragment, offset, &problem).isEmpty()) {
        if (error)
            *error = problem.isEmpty() ? tr("there is nothing to paste") : problem;
        return {};
    }
    auto* command =
        new PasteCommand(graph(), fragment, offset, text.isEmpty() ? tr("Paste") : text);
    m_undoStack->push(command);
    if (error)
        *error = command->error();
    return command->nodeIds();
}

void Document::autoLayout() {
    const QHash<graph::NodeId, QPointF> positions = autoLayoutPositions(graph());
    bool changes = false;
    for (auto it = positions.constBegin(); it != positions.constEnd(); ++it)
        changes = changes || graph().node(it.key()).position != it.value();
    if (!changes)
        return;
    m_undoStack->push(new MoveNodesCommand(graph(), positions, tr("Auto-layout"),
                                           MoveNodesCommand::Merge::Never));
}

QJsonObject Document::section(ProjectSection which) const {
    switch (which) {
    case ProjectSection::Dataset:
        return m_project->dataset();
    case ProjectSection::Split:
        return m_project->split();
    case ProjectSection::Preprocessing:
        return m_project->preprocessing();
    case ProjectSection::Training:
        return m_project->training();
    }
    return {};
}

void Document::setSection(ProjectSection which, const QJsonObject& value, const QString& text) {
    if (section(which) == value)
        return;
    QString name = text;
    if (name.isEmpty()) {
        switch (which) {
        case ProjectSection::Dataset:
            name = tr("Change data set");
            break;
        case ProjectSection::Split:
            name = tr("Change split");
            break;
        case ProjectSection::Preprocessing:
            name = tr("Change preprocessing");
            break;
        case ProjectSection::Training:
            name = tr("Change training settings");
            break;
        }
    }
    m_undoStack->push(new SetSettingsCommand(*this, which, value, name));
}

void Document::bindDataset(const QJsonObject& dataset, const QJsonObject& split,
                           const QJsonObject& preprocessing, int imageHeight, int imageWidth) {
    m_undoStack->beginMacro(tr("Bind Data Set"));
    setSection(ProjectSection::Dataset, dataset);
    setSection(ProjectSection::Split, split);
    setSection(ProjectSection::Preprocessing, preprocessing);
    for (const graph::NodeId input : graph().nodesOfType(graph::component::Input)) {
        setParameter(input, QStringLiteral("channels"), 3);
        setParameter(input, QStringLiteral("height"), imageHeight);
        setParameter(input, QStringLiteral("width"), imageWidth);
    }
    m_undoStack->endMacro();
}

void Document::applySection(ProjectSection which, const QJsonObject& value) {
    switch (which) {
    case ProjectSection::Dataset:
        m_project->setDataset(value);
        break;
    case ProjectSection::Split:
        m_project->setSplit(value);
        break;
    case ProjectSection::Preprocessing:
        m_project->setPreprocessing(value);
        break;
    case ProjectSection::Training:
        m_project->setTraining(value);
        break;
    }
    Q_EMIT sectionChanged(which);
    revalidate();
}

void Document::revalidate() {
    m_validation = m_project->validate(m_knownClassCount);
    // Weights are files on this machine, not part of the project: the editor checks them
    // here, without LibTorch (core's validate() is about the project alone).
    const QList<graph::Problem> weights =
        nn::missingWeightsProblems(m_project->graph(), nn::WeightStore());
    if (!weights.isEmpty()) {
        m_validation.problems += weights;
        std::stable_sort(m_validation.problems.begin(), m_validation.problems.end(),
                         [](const graph::Problem& a, const graph::Problem& b) {
                             if (a.node != b.node)
                                 return a.node < b.node;
                             return a.severity == graph::Severity::Error &&
                                    b.severity != graph::Severity::Error;
                         });
    }
    Q_EMIT validationChanged();
}

} // namespace tc::ui
