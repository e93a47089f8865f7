#include "core/export/RunModel.h"

#include "core/graph/ComponentRegistry.h"
#include "core/graph/Graph.h"
#include "core/graph/Project.h"
#include "core/nn/ModelBuilder.h"
#include "core/nn/TrunkIdentity.h"
#include "core/train/Decision.h"
#include "core/train/RunFiles.h"
#include "core/train/TrainingSettings.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QSet>

namespace tc::exporting {

namespace {

QJsonObject readJsonFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.read(64 << 20)).object();
}

/// The components from the Input node to the Output node (both excluded), as ModelBuilder
/// walks them.
std::optional<QList<graph::NodeId>> chainOf(const graph::Graph& graph) {
    const QList<graph::NodeId> outputs = graph.nodesOfType(QStringLiteral("Output"));
    if (outputs.size() != 1)
        return std::nullopt;
    QList<graph::NodeId> chain;
    graph::NodeId current = outputs.front();
    while (chain.size() <= graph.nodeCount()) {
        const graph::Node* node = graph.findNode(current);
        if (!node)
            return std::nullopt;
        if (node->type == QLatin1String("Input"))
            return chain;
        if (node->type != QLatin1String("Output"))
            chain.prepend(current);
        const QList<graph::LinkId> inputs = graph.inputLinks(current);
        if (inputs.size() != 1)
            return std::nullopt;
        current = graph.findLink(inputs.front())->from.node;
    }
    return std::nullopt; // a cycle
}

/// A graph's components (Input and Output excluded) in topological order: the nodes the Output
/// depends on, each with the indices of the components feeding it (-1: the Input node), in
/// input-port order. As ModelBuilder builds a graph that is not a chain.
std::optional<std::vector<std::pair<graph::NodeId, std::vector<int>>>>
graphComponentsOf(const graph::Graph& graph) {
    const QList<graph::NodeId> outputs = graph.nodesOfType(graph::component::Output);
    if (outputs.size() != 1)
        return std::nullopt;
    QSet<graph::NodeId> needed{outputs.front()};
    QList<graph::NodeId> pending{outputs.front()};
    while (!pending.isEmpty()) {
        const graph::NodeId current = pending.takeLast();
        for (graph::LinkId link : graph.inputLinks(current)) {
            const graph::NodeId source = graph.findLink(link)->from.node;
            if (!needed.contains(source)) {
                needed.insert(source);
                pending.append(source);
            }
        }
    }
    bool acyclic = true;
    const QList<graph::NodeId> order = graph.topologicalOrder(&acyclic);
    if (!acyclic)
        return std::nullopt;
    std::vector<std::pair<graph::NodeId, std::vector<int>>> result;
    QHash<graph::NodeId, int> indexOf;
    for (graph::NodeId id : order) {
        if (!needed.contains(id))
            continue;
        const graph::Node* node = graph.findNode(id);
        if (node->type == graph::component::Input) {
            indexOf.insert(id, -1);
            continue;
        }
        if (node->type == graph::component::Output)
            continue;
        std::vector<int> inputs;
        for (graph::LinkId link : graph.inputLinksByPort(id)) {
            const auto source = indexOf.constFind(graph.findLink(link)->from.node);
            if (source == indexOf.constEnd())
                return std::nullopt;
            inputs.push_back(source.value());
        }
        indexOf.insert(id, int(result.size()));
        result.emplace_back(id, std::move(inputs));
    }
    return result;
}

void collectTensors(const torch::nn::Module& module, const std::string& prefix,
                    nn::StateDict& out) {
    for (const auto& item : module.named_parameters(/*recurse=*/false))
        out.insert(prefix + item.key(), item.value().detach().clone());
    for (const auto& item : module.named_buffers(/*recurse=*/false))
        out.insert(prefix + item.key(), item.value().detach().clone());
    for (const auto& child : module.named_children())
        collectTensors(*child.value(), prefix + child.key() + ".", out);
}

} // namespace

QString defaultCheckpointOf(const QString& runFolder) {
    const QDir folder(runFolder);
    for (const char* name : {"checkpoint-best.pt", "checkpoint-last.pt"}) {
        if (QFileInfo(folder.filePath(QLatin1String(name))).isFile())
            return QLatin1String(name);
    }
    return {};
}

QString latestRunOf(const QString& projectPath, QString* error) {
    // Runs live in <project folder>/runs/<project>-<date-time> (the editor) or
    // ./runs/<project>-<date-time> (`torchcanvas train` without --out).
    const QFileInfo project(projectPath);
    const QString base = project.completeBaseName();
    const QString absolute = project.absoluteFilePath();
    QString latest;
    QDateTime latestTime;
    for (const QString& runs : {project.absoluteDir().filePath(QStringLiteral("runs")),
                                QDir::current().absoluteFilePath(QStringLiteral("runs"))}) {
        const QFileInfoList folders =
            QDir(runs).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo& folder : folders) {
            const QString checkpoint = defaultCheckpointOf(folder.absoluteFilePath());
            if (checkpoint.isEmpty())
                continue;
            const QString reported =
                readJsonFile(
                    QDir(folder.absoluteFilePath()).filePath(QStringLiteral("report.json")))
                    .value(QStringLiteral("project"))
                    .toString();
            if (reported != absolute && !folder.fileName().startsWith(base + QLatin1Char('-')))
                continue;
            const QDateTime time =
                QFileInfo(QDir(folder.absoluteFilePath()).filePath(checkpoint)).lastModified();
            if (latest.isEmpty() || time > latestTime) {
                latest = folder.absoluteFilePath();
                latestTime = time;
            }
        }
    }
    if (latest.isEmpty() && error)
        *error = QStringLiteral("%1: the project has no training run with a checkpoint (looked "
                                "in %2 and %3); train it first or name the run folder")
                     .arg(projectPath, project.absoluteDir().filePath(QStringLiteral("runs")),
                          QDir::current().absoluteFilePath(QStringLiteral("runs")));
    return latest;
}

std::optional<TrainedModel> trainedModelFromRun(const QString& runFolder,
                                                const QString& checkpointName, QString* error) {
    const QDir folder(runFolder);
    const QString checkpointPath = folder.filePath(checkpointName);
    auto fail = [&](const QString& reason) -> std::optional<TrainedModel> {
        if (error)
            *error = reason;
        return std::nullopt;
    };
    if (checkpointName.isEmpty() || !QFileInfo(checkpointPath).isFile())
        return fail(
            QStringLiteral("%1: no checkpoint-best.pt or checkpoint-last.pt").arg(runFolder));

    QString reason;
    const std::optional<QJsonObject> state =
        train::readCheckpointJson(checkpointPath, nullptr, &reason);
    if (!state)
        return fail(reason);
    const QJsonObject report = readJsonFile(folder.filePath(QStringLiteral("report.json")));

    // The project the run trained: report.json names it; the editor also keeps a snapshot.
    QString projectPath = report.value(QStringLiteral("project")).toString();
    if (projectPath.isEmpty() || !QFileInfo::exists(projectPath))
        projectPath = folder.filePath(QStringLiteral("project.tcproj"));
    if (!QFileInfo::exists(projectPath))
        return fail(QStringLiteral("%1: the project this run trained (%2) is gone, so its model "
                                   "cannot be rebuilt")
                        .arg(runFolder, report.value(QStringLiteral("project")).toString()));
    graph::Project project;
    if (!project.load(projectPath, &reason))
        return fail(reason);

    TrainedModel model;
    for (const QJsonValue& value : state->value(QStringLiteral("classes")).toArray())
        model.classNames << value.toString();
    const auto preprocessing = data::PreprocessingSettings::fromJson(
        state->value(QStringLiteral("preprocessing")).toObject(), &reason);
    if (!preprocessing)
        return fail(QStringLiteral("%1: %2").arg(checkpointPath, reason));
    model.preprocessing = *preprocessing;
    const auto settings = train::TrainingSettings::fromJson(
        state->value(QStringLiteral("settings")).toObject(), &reason);
    if (!settings)
        return fail(QStringLiteral("%1: %2").arg(checkpointPath, reason));

    // Rebuild the model exactly as training did (same graph, size, classes, seed), with the
    // very weights file a frozen backbone was trained on, then load the trained tensors.
    const QString trainedKey = state->value(QStringLiteral("trunkKey")).toString();
    std::optional<nn::TrunkIdentity> trunk;
    if (!trainedKey.isEmpty()) {
        trunk = nn::TrunkIdentity::parse(trainedKey);
        if (!trunk)
            return fail(
                QStringLiteral("%1: unknown backbone key '%2'").arg(checkpointPath, trainedKey));
    }
    nn::ModelBuildOptions options;
    options.classes = int(model.classNames.size());
    options.height = model.preprocessing.height;
    options.width = model.preprocessing.width;
    options.precision = nn::Precision::Fp32;
    options.seed = settings->seed;
    if (trunk && !trunk->weightsFile.isEmpty()) {
        if (!QFileInfo(trunk->weightsFile).isFile())
            return fail(QStringLiteral("%1: the backbone was trained on the weights %2, which are "
                                       "no longer there")
                            .arg(checkpointPath, trunk->weightsFile));
        options.weights.weightsFile = trunk->weightsFile;
    }
    nn::BuiltModel built = nn::buildModel(project.graph(), options);
    if (!built.ok())
        return fail(QStringLiteral("%1: %2").arg(projectPath, built.error));
    if (trunk) {
        if (!built.trunk || built.trunk->computation() != trunk->computation())
            return fail(QStringLiteral("%1: the project's backbone (%2) is not the one this run "
                                       "trained (%3); was the project changed?")
                            .arg(checkpointPath, built.classifier.trunkKey, trainedKey));
    } else if (built.classifier.hasTrunk()) {
        return fail(QStringLiteral("%1: the project now has a frozen backbone, the run trained "
                                   "it; was the project changed?")
                        .arg(checkpointPath));
    }
    train::RunFiles files(runFolder);
    train::CheckpointState loaded;
    if (!files.readCheckpoint(checkpointName, &loaded, *built.classifier.head.ptr(), nullptr,
                              &reason))
        return fail(reason);

    // A chain is written as before graphs; a graph's components name their inputs.
    std::optional<QList<graph::NodeId>> chain = chainOf(project.graph());
    if (chain) {
        for (const graph::NodeId id : *chain) {
            const graph::Node* node = project.graph().findNode(id);
            model.components.push_back({node->type, node->parameters, {}});
        }
    } else {
        const auto components = graphComponentsOf(project.graph());
        if (!components)
            return fail(QStringLiteral("%1: the model is not a graph from Input to Output")
                            .arg(projectPath));
        chain.emplace();
        for (const auto& [id, inputs] : *components) {
            const graph::Node* node = project.graph().findNode(id);
            model.components.push_back({node->type, node->parameters, inputs});
            chain->append(id);
        }
    }
    // The frozen backbone registers its ResNet as "resnet"; head children are named
    // "<type>_<node id>" (ModelBuilder), which places them in the chain.
    if (built.classifier.hasTrunk()) {
        for (const auto& child : built.classifier.trunk.ptr()->named_children()) {
            if (child.key() == "resnet")
                collectTensors(*child.value(), "backbone.", model.tensors);
        }
    }
    for (const auto& child : built.classifier.head.ptr()->named_children()) {
        const QString name = QString::fromStdString(child.key());
        const int index = int(chain->indexOf(name.section(QLatin1Char('_'), -1).toInt()));
        if (index < 0)
            return fail(QStringLiteral("%1: the trained layer '%2' is not in the project's "
                                       "model")
                            .arg(checkpointPath, name));
        collectTensors(*child.value(), model.tensorPrefix(index).toStdString(), model.tensors);
    }

    model.metadata = report;
    model.backbonePrecision = train::recordedPrecision(train::checkpointStateFromJson(*state));
    model.metadata.insert(QStringLiteral("checkpoint"),
                          QStringLiteral("%1 (epoch %2)")
                              .arg(checkpointName)
                              .arg(state->value(QStringLiteral("epoch")).toInt()));
    model.metadata.insert(QStringLiteral("source"), checkpointPath);
    if (report.isEmpty()) {
        model.metadata.insert(QStringLiteral("project"), projectPath);
        model.metadata.insert(QStringLiteral("configuration"),
                              QJsonObject{{QStringLiteral("training"), settings->toJson()}});
    }
    if (!model.metadata.contains(QStringLiteral("weights")) && built.weights)
        model.metadata.insert(QStringLiteral("weights"), built.weights->summary());

    // The decision the run chose travels with its model. A damaged file is an error: a
    // silently dropped threshold would change every decision made from this model.
    model.operatingPoint = train::readOperatingPoint(runFolder, &reason);
    if (!model.operatingPoint && !reason.isEmpty())
        return fail(reason);
    if (model.operatingPoint && model.operatingPoint->positiveClass >= model.classNames.size())
        return fail(QStringLiteral("%1: the positive class %2 is not one of the run's %3 classes")
                        .arg(QDir(runFolder).filePath(train::operatingPointFileName()))
                        .arg(model.operatingPoint->positiveClass)
                        .arg(model.classNames.size()));
    return model;
}

} // namespace tc::exporting
