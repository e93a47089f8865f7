#pragma once

// The tiny synthetic data set and project the CLI training tests train on.

#include "core/data/SyntheticHistology.h"
#include "core/graph/Graph.h"
#include "core/graph/Project.h"

#include <QDebug>
#include <QDir>
#include <QJsonObject>

namespace tc::testing {

/// Percentages of the patient-grouped split: train, validation, test.
struct SplitShares {
    int train = 60;
    int validation = 25;
    int test = 15;
};

/// The data sections the tiny projects share: `csv` grouped by BreaKHis patient, split by
/// `shares`, images resized to 64×64.
inline void setTinyDataSections(graph::Project& project, const QString& csv,
                                SplitShares shares = {}) {
    project.setDataset({{QStringLiteral("source"), csv},
                        {QStringLiteral("groups"),
                         QJsonObject{{QStringLiteral("mode"), QStringLiteral("breakhis")}}}});
    project.setSplit({{QStringLiteral("train"), shares.train},
                      {QStringLiteral("validation"), shares.validation},
                      {QStringLiteral("test"), shares.test}});
    project.setPreprocessing({{QStringLiteral("width"), 64}, {QStringLiteral("height"), 64}});
}

/// Synthetic BreaKHis-style PNGs (96×64, 8 patients) under `directory`; the CSV's path, or
/// an empty string (with a warning) when they cannot be written.
inline QString generateTinyDemo(const QString& directory, int benign = 20, int malignant = 28) {
    data::SyntheticHistologyOptions options;
    options.directory = directory;
    options.benign = benign;
    options.malignant = malignant;
    options.width = 96;
    options.height = 64;
    options.patients = 8;
    const auto generated = data::SyntheticHistology::generate(options);
    if (!generated.ok()) {
        qWarning() << generated.error;
        return {};
    }
    return generated.csvPath;
}

/// Input 64×64 → ResNet18 (ImageNet weights when present, frozen, average pooling) →
/// [Dense `hiddenUnits` ReLU] → Dense 2 softmax → Output, on `dataSource` split 60/25/15
/// by BreaKHis patient, fp32, batch 8. `training` is merged into the training section. The
/// path written, or an empty string.
inline QString writeTinyProject(const QString& path, const QString& dataSource, int hiddenUnits,
                                const QJsonObject& training) {
    graph::Project project;
    auto& graph = project.graph();
    const int input = graph.addNode(QStringLiteral("Input"), {},
                                    {{QStringLiteral("channels"), 3},
                                     {QStringLiteral("height"), 64},
                                     {QStringLiteral("width"), 64}});
    int last = graph.addNode(QStringLiteral("ResNet"), {},
                             {{QStringLiteral("variant"), QStringLiteral("18")},
                              {QStringLiteral("pretrained"), QStringLiteral("imagenet")},
                              {QStringLiteral("trainable"), QStringLiteral("frozen")},
                              {QStringLiteral("pooling"), QStringLiteral("avg")}});
    graph.addLink({input, 0}, {last, 0});
    if (hiddenUnits > 0) {
        const int hidden = graph.addNode(QStringLiteral("Dense"), {},
                                         {{QStringLiteral("units"), hiddenUnits},
                                          {QStringLiteral("activation"), QStringLiteral("relu")}});
        graph.addLink({last, 0}, {hidden, 0});
        last = hidden;
    }
    const int dense = graph.addNode(
        QStringLiteral("Dense"), {},
        {{QStringLiteral("units"), 2}, {QStringLiteral("activation"), QStringLiteral("softmax")}});
    const int output = graph.addNode(QStringLiteral("Output"));
    graph.addLink({last, 0}, {dense, 0});
    graph.addLink({dense, 0}, {output, 0});
    setTinyDataSections(project, dataSource);
    QJsonObject settings{{QStringLiteral("epochs"), 3},
                         {QStringLiteral("batchSize"), 8},
                         {QStringLiteral("precision"), QStringLiteral("fp32")}};
    for (auto it = training.begin(); it != training.end(); ++it)
        settings.insert(it.key(), it.value());
    project.setTraining(settings);
    QString error;
    if (!project.save(path, &error)) {
        qWarning() << error;
        return {};
    }
    return path;
}

} // namespace tc::testing
