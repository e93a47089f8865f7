#include "core/graph/Project.h"

#include "core/graph/Graph.h"
#include "core/graph/JsonText.h"
#include "core/graph/ProjectMigration.h"
#include "core/util/RegularFile.h"

#include <cmath>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

namespace tc::graph {

namespace {

const QString kFormat = QStringLiteral("format");
const QString kVersion = QStringLiteral("version");
const QString kName = QStringLiteral("name");
const QString kGraph = QStringLiteral("graph");
const QString kDataset = QStringLiteral("dataset");
const QString kSplit = QStringLiteral("split");
const QString kPreprocessing = QStringLiteral("preprocessing");
const QString kTraining = QStringLiteral("training");
const QString kSource = QStringLiteral("source");

/// Keys of the "dataset" section that hold paths (relative in the file, absolute in memory).
const QStringList& datasetPathKeys() {
    static const QStringList keys = {kSource};
    return keys;
}

/// The order keys are written in; the rest follow alphabetically.
QStringList keyOrder(const QString& path) {
    if (path.isEmpty())
        return {kFormat, kVersion, kName, kGraph, kDataset, kSplit, kPreprocessing, kTraining};
    if (path == kGraph)
        return {QStringLiteral("nodes"), QStringLiteral("links")};
    if (path == QLatin1String("graph.nodes[]"))
        return {QStringLiteral("id"), QStringLiteral("type"), QStringLiteral("position"),
                QStringLiteral("parameters")};
    if (path == QLatin1String("graph.links[]"))
        return {QStringLiteral("id"), QStringLiteral("from"), QStringLiteral("to")};
    if (path == QLatin1String("graph.nodes[].position"))
        return {QStringLiteral("x"), QStringLiteral("y")};
    if (path == QLatin1String("graph.links[].from") || path == QLatin1String("graph.links[].to"))
        return {QStringLiteral("node"), QStringLiteral("port")};
    return {};
}

// Messages that embed text from the user (a path, a name from the file) use the one-pass
// QString::arg(a, b, …): chained .arg() calls would also replace a "%2" inside that text.

bool fail(QString* error, const QString& message) {
    if (error)
        *error = message;
    return false;
}

QString displayPath(const QString& path) {
    return path.isEmpty() ? QStringLiteral("(unnamed project)") : QDir::toNativeSeparators(path);
}

/// Resolves relative path values against `directory`.
QJsonObject absolutePaths(QJsonObject dataset, const QString& directory) {
    if (directory.isEmpty())
        return dataset;
    for (const QString& key : datasetPathKeys()) {
        const QJsonValue value = dataset.value(key);
        if (!value.isString() || value.toString().isEmpty())
            continue;
        dataset.insert(key, QDir::cleanPath(QDir(directory).absoluteFilePath(value.toString())));
    }
    return dataset;
}

/// Expresses absolute path values relative to `directory`.
QJsonObject relativePaths(QJsonObject dataset, const QString& directory) {
    if (directory.isEmpty())
        return dataset;
    for (const QString& key : datasetPathKeys()) {
        const QJsonValue value = dataset.value(key);
        if (!value.isString() || value.toString().isEmpty() ||
            QDir::isRelativePath(value.toString()))
            continue;
        dataset.insert(key, QDir(directory).relativeFilePath(value.toString()));
    }
    return dataset;
}

/// A positive whole number from a settings section, or -1.
int positiveInteger(const QJsonObject& object, const QString& key) {
    const QJsonValue value = object.value(key);
    if (!value.isDouble())
        return -1;
    const double number = value.toDouble();
    if (std::trunc(number) != number || number < 1 || number > 1'000'000)
        return -1;
    return static_cast<int>(number);
}

} // namespace

QString Project::formatName() {
    return QStringLiteral("torchcanvas-project");
}

QString Project::fileSuffix() {
    return QStringLiteral(".tcproj");
}

Project::Project()
    : m_graph(std::make_unique<Graph>()) {}

Project::~Project() = default;

Project::Project(Project&& other)
    : m_graph(std::move(other.m_graph))
    , m_name(std::move(other.m_name))
    , m_filePath(std::move(other.m_filePath))
    , m_dataset(std::move(other.m_dataset))
    , m_split(std::move(other.m_split))
    , m_preprocessing(std::move(other.m_preprocessing))
    , m_training(std::move(other.m_training))
    , m_extra(std::move(other.m_extra))
    , m_loadWarnings(std::move(other.m_loadWarnings)) {
    other.m_graph = std::make_unique<Graph>();
}

Project& Project::operator=(Project&& other) {
    if (this != &other) {
        m_graph = std::move(other.m_graph);
        m_name = std::move(other.m_name);
        m_filePath = std::move(other.m_filePath);
        m_dataset = std::move(other.m_dataset);
        m_split = std::move(other.m_split);
        m_preprocessing = std::move(other.m_preprocessing);
        m_training = std::move(other.m_training);
        m_extra = std::move(other.m_extra);
        m_loadWarnings = std::move(other.m_loadWarnings);
        other.m_graph = std::make_unique<Graph>();
    }
    return *this;
}

void Project::reset() {
    m_graph->clear();
    m_name.clear();
    m_filePath.clear();
    m_dataset = {};
    m_split = {};
    m_preprocessing = {};
    m_training = {};
    m_extra = {};
    m_loadWarnings.clear();
}

QString Project::projectDirectory() const {
    return m_filePath.isEmpty() ? QString() : QFileInfo(m_filePath).absolutePath();
}

QString Project::anchorDirectory() const {
    // An unsaved project has no folder yet; paths the user gives are then taken relative to
    // the working directory, as a command line would.
    const QString directory = projectDirectory();
    return directory.isEmpty() ? QDir::currentPath() : directory;
}

void Project::setDataset(const QJsonObject& dataset) {
    m_dataset = absolutePaths(dataset, anchorDirectory());
}

QString Project::datasetSource() const {
    return m_dataset.value(kSource).toString();
}

void Project::setDatasetSource(const QString& path) {
    QJsonObject dataset = m_dataset;
    if (path.isEmpty())
        dataset.remove(kSource);
    else
        dataset.insert(kSource, path);
    m_dataset = absolutePaths(dataset, anchorDirectory());
}

ShapeContext Project::shapeContext() const {
    ShapeContext context;
    const QString source = datasetSource();
    if (!source.isEmpty()) {
        context.datasetPath = QDir::toNativeSeparators(source);
        context.dataset = QFileInfo::exists(source) ? ShapeContext::Dataset::Present
                                                    : ShapeContext::Dataset::Missing;
    }
    const QJsonValue classes = m_dataset.value(QStringLiteral("classes"));
    if (classes.isArray() && !classes.toArray().isEmpty())
        context.classCount = static_cast<int>(classes.toArray().size());
    context.imageWidth = positiveInteger(m_preprocessing, QStringLiteral("width"));
    context.imageHeight = positiveInteger(m_preprocessing, QStringLiteral("height"));
    return context;
}

Validation Project::validate(int classCount) const {
    ShapeContext context = shapeContext();
    if (classCount > 0)
        context.classCount = classCount;
    return graph::validate(*m_graph, context);
}

bool Project::load(const QString& path, QString* error) {
    const QString shown = displayPath(path);
    const QFileInfo info(path);
    if (!info.exists())
        return fail(error, QStringLiteral("%1: no such file").arg(shown));
    if (info.isDir())
        return fail(error, QStringLiteral("%1: is a folder, not a project file").arg(shown));
    if (info.isFile() && info.size() > MaxFileSize) {
        return fail(error, QStringLiteral("%1: is %2 MiB, too large for a project file (at most "
                                          "%3 MiB)")
                               .arg(shown, QString::number(info.size() / (1024 * 1024)),
                                    QString::number(MaxFileSize / (1024 * 1024))));
    }
    // Regular files only, read with a bound: a FIFO would block and /dev/zero never ends.
    QString why;
    const std::optional<QByteArray> data =
        util::readRegularFile(path, MaxFileSize, QStringLiteral("project files"), &why);
    if (!data)
        return fail(error, QStringLiteral("%1: %2").arg(shown, why));
    return loadFromData(*data, path, error);
}

bool Project::loadFromData(const QByteArray& rawData, const QString& path, QString* error) {
    const QString shown = displayPath(path);
    auto problem = [&](const QString& message) {
        return fail(error, QStringLiteral("%1: %2").arg(shown, message));
    };
    if (rawData.size() > MaxFileSize)
        return problem(QStringLiteral("too large for a project file"));
    QByteArray data = rawData;
    // A byte order mark some editors add; QJsonDocument would reject it.
    if (data.startsWith("\xEF\xBB\xBF"))
        data.remove(0, 3);
    if (data.trimmed().isEmpty())
        return problem(QStringLiteral("the file is empty"));

    QJsonParseError parseError;
    const QJsonDocument document = JsonText::parse(data, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const JsonText::Position at = JsonText::position(data, parseError.offset);
        return fail(error, QStringLiteral("%1: line %2, column %3: JSON syntax error: %4")
                               .arg(shown, QString::number(at.line), QString::number(at.column),
                                    parseError.errorString()));
    }
    if (!document.isObject())
        return problem(QStringLiteral("not a TorchCanvas project (the top level is not a JSON "
                                      "object)"));
    QJsonObject root = document.object();
    if (root.value(kFormat).toString() != formatName()) {
        return problem(QStringLiteral("not a TorchCanvas project (\"format\" must be \"%1\")")
                           .arg(formatName()));
    }
    const QJsonValue versionValue = root.value(kVersion);
    const double version = versionValue.toDouble(-1);
    if (!versionValue.isDouble() || std::trunc(version) != version || version < 0)
        return problem(QStringLiteral("\"version\" must be a whole number"));
    if (version > FormatVersion) {
        return problem(QStringLiteral("was saved by a newer TorchCanvas (project format version "
                                      "%1); this version reads up to version %2. Update "
                                      "TorchCanvas to open it")
                           .arg(version, 0, 'f', 0)
                           .arg(FormatVersion));
    }
    QStringList warnings;
    if (version < FormatVersion) {
        QString why;
        if (!ProjectMigration::migrate(root, static_cast<int>(version), &why))
            return problem(QStringLiteral("cannot migrate from version %1: %2")
                               .arg(version, 0, 'f', 0)
                               .arg(why));
        warnings.append(
            QStringLiteral("%1: migrated from project format version %2 to %3; "
                           "saving writes version %3")
                .arg(shown, QString::number(version, 'f', 0), QString::number(FormatVersion)));
    }

    const QJsonValue name = root.value(kName);
    if (!name.isUndefined() && !name.isString())
        return problem(QStringLiteral("\"name\" must be a string"));
    QJsonObject sections[4];
    const QString sectionKeys[4] = {kDataset, kSplit, kPreprocessing, kTraining};
    for (int i = 0; i < 4; ++i) {
        const QJsonValue value = root.value(sectionKeys[i]);
        if (!value.isUndefined() && !value.isObject())
            return problem(QStringLiteral("\"%1\" must be an object").arg(sectionKeys[i]));
        sections[i] = value.toObject();
    }
    const QJsonValue graphValue = root.value(kGraph);
    if (!graphValue.isObject())
        return problem(QStringLiteral("\"graph\" must be an object with \"nodes\" and "
                                      "\"links\""));

    const QJsonObject graphObject = graphValue.toObject();
    const qsizetype nodeCount = graphObject.value(QStringLiteral("nodes")).toArray().size();
    const qsizetype linkCount = graphObject.value(QStringLiteral("links")).toArray().size();
    if (nodeCount > MaxNodes || linkCount > MaxLinks) {
        return problem(QStringLiteral("the graph has %1 nodes and %2 links; TorchCanvas opens "
                                      "graphs of up to %3 nodes and %4 links")
                           .arg(nodeCount)
                           .arg(linkCount)
                           .arg(MaxNodes)
                           .arg(MaxLinks));
    }

    // Parse the graph into a scratch object first, so that a failure leaves this project
    // (and the observers of its graph) untouched.
    Graph scratch;
    QString graphError;
    QStringList graphWarnings;
    if (!scratch.loadJson(graphObject, kGraph, &graphError, &graphWarnings))
        return problem(graphError);
    for (const QString& warning : std::as_const(graphWarnings))
        warnings.append(QStringLiteral("%1: %2").arg(shown, warning));

    QJsonObject extra = root;
    for (const QString& key :
         {kFormat, kVersion, kName, kGraph, kDataset, kSplit, kPreprocessing, kTraining})
        extra.remove(key);

    m_graph->replaceWith(scratch);
    m_name = name.toString();
    m_filePath = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    m_dataset = absolutePaths(sections[0], projectDirectory());
    m_split = sections[1];
    m_preprocessing = sections[2];
    m_training = sections[3];
    m_extra = extra;
    m_loadWarnings = warnings;
    return true;
}

QByteArray Project::toJson(const QString& path) const {
    const QString directory = path.isEmpty() ? QString() : QFileInfo(path).absolutePath();
    QJsonObject root = m_extra;
    root.insert(kFormat, formatName());
    root.insert(kVersion, FormatVersion);
    root.insert(kName, m_name);
    root.insert(kGraph, m_graph->toJson());
    root.insert(kDataset, relativePaths(m_dataset, directory));
    root.insert(kSplit, m_split);
    root.insert(kPreprocessing, m_preprocessing);
    root.insert(kTraining, m_training);
    return JsonText::write(root, keyOrder);
}

bool Project::save(const QString& path, QString* error) {
    const QString shown = displayPath(path);
    if (path.isEmpty())
        return fail(error, QStringLiteral("no file name given"));
    const QByteArray bytes = toJson(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error,
                    QStringLiteral("%1: cannot be written: %2").arg(shown, file.errorString()));
    if (file.write(bytes) != bytes.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return fail(error, QStringLiteral("%1: cannot be written: %2").arg(shown, why));
    }
    if (!file.commit())
        return fail(error,
                    QStringLiteral("%1: cannot be written: %2").arg(shown, file.errorString()));
    // Paths in memory are absolute and stay valid; only the anchor for the next save moves.
    m_filePath = QFileInfo(path).absoluteFilePath();
    return true;
}

} // namespace tc::graph
