#pragma once

#include "core/graph/ShapeInference.h"
#include "core/graph/Validation.h"

#include <memory>
#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace tc::graph {

class Graph;

/// A TorchCanvas project: the model graph and the settings sections, read from and written to
/// a `.tcproj` file.
///
/// File format (JSON, UTF-8), version 1:
///
///     {
///         "format": "torchcanvas-project",
///         "version": 1,
///         "name": "Breast cancer histology",
///         "graph": {"nodes": [<Graph::nodeToJson>...], "links": [<Graph::linkToJson>...]},
///         "dataset": {"source": "../data/dataset.csv", ...},
///         "split": {...}, "preprocessing": {...}, "training": {...}
///     }
///
/// The four settings sections belong to core/data and core/train: a Project keeps them as JSON
/// objects and writes back exactly what it was given, with one exception: "source" under
/// "dataset" is a path, stored relative to the project file's folder and exposed to callers as
/// an absolute path (so that a project folder can be moved or shared). Unknown top-level keys
/// are kept too. Keys are written in a fixed order and a file that was saved once loads and
/// saves again byte for byte.
///
/// Versions: a file with a newer version is refused with a message saying so; version 0 (the
/// pre-release layout, see ProjectMigration.h) is migrated on load and saved as version 1.
class Project {
public:
    /// The version save() writes and the newest load() reads.
    static constexpr int FormatVersion = 1;
    /// The value of the "format" key.
    static QString formatName();
    /// ".tcproj"
    static QString fileSuffix();
    /// Files larger than this are refused before parsing (a project is a few kilobytes).
    static constexpr qint64 MaxFileSize = 32 * 1024 * 1024;
    /// Graphs with more nodes or links are refused on load, before they are built: the
    /// flagship model has 6 nodes and a ResNet50 drawn layer by layer about 200. Loading,
    /// validation, building and checkpointing are linear in the graph's size (a 20,000-node
    /// chain validates in 2 s and trains one epoch, both checkpoints included, in 14 s;
    /// docs/BENCHMARKS.md, "Graph size"), so the limit only bounds memory (50,000 Dense
    /// layers: 1 GB while training).
    static constexpr int MaxNodes = 50'000;
    static constexpr int MaxLinks = 100'000;

    /// An empty, unsaved project with empty sections.
    Project();
    ~Project();
    /// A moved-from project is empty, with a new graph.
    Project(Project&& other);
    Project& operator=(Project&& other);
    Project(const Project&) = delete;
    Project& operator=(const Project&) = delete;

    /// Back to a new, unsaved, empty project (File > New), keeping the same graph object so that
    /// its observers stay connected; the graph emits its removal signals.
    void reset();

    /// The model graph. The same object for the project's lifetime: load() replaces its
    /// contents (with the usual signals), so observers stay connected.
    Graph& graph() { return *m_graph; }
    const Graph& graph() const { return *m_graph; }

    QString name() const { return m_name; }
    void setName(const QString& name) { m_name = name; }
    /// The file this project was last loaded from or saved to; empty when never saved.
    QString filePath() const { return m_filePath; }

    /// The "dataset" section; its "source" is an absolute path (when it was set).
    QJsonObject dataset() const { return m_dataset; }
    /// Relative "source" values are resolved against the project's folder (the working
    /// directory while the project has never been saved).
    void setDataset(const QJsonObject& dataset);
    /// Absolute path of the data set's CSV or folder; empty when none is set.
    QString datasetSource() const;
    void setDatasetSource(const QString& path);
    QJsonObject split() const { return m_split; }
    void setSplit(const QJsonObject& split) { m_split = split; }
    QJsonObject preprocessing() const { return m_preprocessing; }
    void setPreprocessing(const QJsonObject& preprocessing) { m_preprocessing = preprocessing; }
    QJsonObject training() const { return m_training; }
    void setTraining(const QJsonObject& training) { m_training = training; }

    /// What validation knows from the settings: the data set's presence on disk, its class
    /// count when the "dataset" section lists "classes" (an array of names), and the image
    /// size from "preprocessing" ("width", "height").
    ShapeContext shapeContext() const;
    /// validate(graph(), shapeContext()), optionally with a class count known by the caller
    /// (e.g. from the data set table).
    Validation validate(int classCount = -1) const;

    /// Replaces this project with the file's contents. On failure returns false, sets
    /// `*error` to one line naming the file (with line and column for a JSON syntax error)
    /// and leaves the project unchanged. Never crashes on malformed input.
    bool load(const QString& path, QString* error);
    /// load() from bytes already read; `path` names the file in messages and anchors relative
    /// paths (it need not exist).
    bool loadFromData(const QByteArray& data, const QString& path, QString* error);
    /// Non-fatal findings of the last successful load (links that were dropped because they
    /// refer to missing nodes, a migration that happened), each naming the file.
    QStringList loadWarnings() const { return m_loadWarnings; }

    /// Writes the project atomically (QSaveFile: a failure leaves the old file intact) and
    /// remembers `path` as filePath(). Paths are stored relative to `path`'s folder.
    bool save(const QString& path, QString* error);
    /// The exact bytes save(path) writes.
    QByteArray toJson(const QString& path) const;

private:
    QString projectDirectory() const;
    QString anchorDirectory() const;

    std::unique_ptr<Graph> m_graph;
    QString m_name;
    QString m_filePath;
    QJsonObject m_dataset;
    QJsonObject m_split;
    QJsonObject m_preprocessing;
    QJsonObject m_training;
    QJsonObject m_extra; ///< unknown top-level keys, kept for newer minor additions
    QStringList m_loadWarnings;
};

} // namespace tc::graph
