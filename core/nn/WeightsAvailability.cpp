#include "core/nn/WeightsAvailability.h"

#include "core/graph/ComponentRegistry.h"

#include <algorithm>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace tc::nn {

namespace {

/// A ResNet node's parameter, or the component's default when the node does not set it.
QVariant resNetParameter(const graph::Node& node, const QString& name) {
    if (node.parameters.contains(name))
        return node.parameters.value(name);
    const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(node.type);
    return spec ? spec->defaultParameters().value(name) : QVariant();
}

std::optional<ResNetDepth> depthOf(const graph::Node& node) {
    if (node.type != graph::component::ResNet)
        return std::nullopt;
    return resNetDepthFromNumber(
        resNetParameter(node, QStringLiteral("variant")).toString().toInt());
}

bool wantsPretrained(const graph::Node& node) {
    return resNetParameter(node, QStringLiteral("pretrained")).toString() ==
           QLatin1String("imagenet");
}

} // namespace

std::optional<WeightVariant> missingPretrainedWeights(const graph::Node& node,
                                                      const WeightStore& store) {
    const std::optional<ResNetDepth> depth = depthOf(node);
    if (!depth || !wantsPretrained(node))
        return std::nullopt;
    if (!store.findWeights(*depth).isEmpty())
        return std::nullopt;
    return defaultWeightVariant(*depth);
}

QString missingWeightsMessage(const WeightVariant& variant, const WeightStore& store) {
    return QStringLiteral("pretrained ImageNet weights are missing (%1 is not in %2): training "
                          "would start from a RANDOM backbone. Download them (%3) or import "
                          "the file.")
        .arg(variant.fileName, QDir::toNativeSeparators(store.directory()),
             downloadSizeText(variant));
}

QList<graph::Problem> missingWeightsProblems(const graph::Graph& graph, const WeightStore& store) {
    QList<graph::Problem> problems;
    QList<graph::NodeId> ids = graph.nodeIds();
    std::sort(ids.begin(), ids.end());
    for (graph::NodeId id : ids) {
        const graph::Node node = graph.node(id);
        if (const std::optional<WeightVariant> variant = missingPretrainedWeights(node, store)) {
            graph::Problem problem;
            problem.severity = graph::Severity::Warning;
            problem.node = id;
            problem.message = missingWeightsMessage(*variant, store);
            problems << problem;
        }
    }
    return problems;
}

QString downloadSizeText(const WeightVariant& variant) {
    // The table's descriptions end with the size ("ImageNet-1k, 76.1% top-1, 98 MB"): the
    // one place it is written down.
    return variant.description.section(QStringLiteral(", "), -1).trimmed();
}

QString weightsOrigin(const WeightsStatus& status) {
    const QFileInfo file(status.file);
    switch (status.state) {
    case WeightsStatus::State::Pretrained:
        if (findWeightVariant(file.fileName()))
            return QStringLiteral("ImageNet (torchvision %1)").arg(file.completeBaseName());
        return QStringLiteral("Pretrained (imported %1)").arg(file.completeBaseName());
    case WeightsStatus::State::RandomRequested:
        return QStringLiteral("RANDOM — not pretrained (none requested)");
    case WeightsStatus::State::RandomNoWeights:
        return QStringLiteral("RANDOM — not pretrained (no weights file was found)");
    case WeightsStatus::State::RandomLoadFailed:
        return QStringLiteral("RANDOM — not pretrained (%1 could not be used)")
            .arg(file.fileName());
    }
    return {};
}

QString randomFrozenBackbone(const graph::Graph& graph, const WeightStore& store) {
    QList<graph::NodeId> ids = graph.nodeIds();
    std::sort(ids.begin(), ids.end());
    for (graph::NodeId id : ids) {
        const graph::Node node = graph.node(id);
        const std::optional<ResNetDepth> depth = depthOf(node);
        if (!depth)
            continue;
        const bool frozen = resNetParameter(node, QStringLiteral("trainable")).toString() ==
                            QLatin1String("frozen");
        const bool random = !wantsPretrained(node) || missingPretrainedWeights(node, store);
        if (frozen && random)
            return QStringLiteral("ResNet%1 (#%2)").arg(int(*depth)).arg(id);
    }
    return {};
}

QString legacyWeightsDirectory() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/TorchCanvas/TorchCanvas/weights");
}

QString migrateLegacyWeights(const QString& legacy, const QString& target) {
    const QDir from(legacy);
    if (legacy.isEmpty() || !from.exists() || QFileInfo(legacy) == QFileInfo(target))
        return {};
    const QFileInfoList files = from.entryInfoList(QDir::Files | QDir::Hidden, QDir::Name);
    if (files.isEmpty()) {
        from.rmdir(legacy);
        return {};
    }
    if (!QDir().mkpath(target))
        return QStringLiteral("Cannot create the weights folder %1 to move the weights of %2 "
                              "into it.")
            .arg(QDir::toNativeSeparators(target), QDir::toNativeSeparators(legacy));
    int moved = 0;
    QStringList kept;
    QStringList failed;
    for (const QFileInfo& file : files) {
        const QString destination = QDir(target).filePath(file.fileName());
        if (QFileInfo::exists(destination)) {
            kept << file.fileName();
            continue;
        }
        // rename() within one file system; across file systems copy, then remove.
        if (QFile::rename(file.absoluteFilePath(), destination) ||
            (QFile::copy(file.absoluteFilePath(), destination) &&
             QFile::remove(file.absoluteFilePath())))
            ++moved;
        else
            failed << file.fileName();
    }
    if (moved == 0 && failed.isEmpty())
        return {}; // only duplicates left behind: said when they were first left
    if (kept.isEmpty() && failed.isEmpty()) {
        from.rmdir(legacy);
        QDir().rmdir(QFileInfo(legacy).absolutePath()); // …/TorchCanvas/TorchCanvas if empty
    }
    QString message = QStringLiteral("Moved %1 weight file(s) from the old folder %2 to %3.")
                          .arg(moved)
                          .arg(QDir::toNativeSeparators(legacy), QDir::toNativeSeparators(target));
    if (!kept.isEmpty())
        message += QStringLiteral(" Left %1 in the old folder: the new one already has it.")
                       .arg(kept.join(QStringLiteral(", ")));
    if (!failed.isEmpty())
        message += QStringLiteral(" Could not move %1: move it by hand.")
                       .arg(failed.join(QStringLiteral(", ")));
    return message;
}

} // namespace tc::nn
