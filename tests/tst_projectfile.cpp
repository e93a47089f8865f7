// The .tcproj project file: the example project, round trips, relative paths, versions and
// migration, and clear messages for every kind of bad file.

#include "core/graph/Project.h"
#include "tst_graphhelpers.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <unistd.h>

using namespace tc::graph;
using namespace tc::graph::testing;

namespace {

const QString kExample =
    QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/breast-cancer.tcproj");

QByteArray readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QJsonObject parseObject(const char* json) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s", qPrintable(error.errorString()));
    return document.object();
}

/// The flagship project in the pre-release version 0 layout (see ProjectMigration.h): the same
/// project as the example file.
const char* kVersion0Example = R"json({
  "format": "torchcanvas-project",
  "version": 0,
  "name": "Breast cancer histology (BreaKHis 400X)",
  "nodes": [
    {"id": 1, "component": "Input", "x": 0, "y": 0,
     "params": {"channels": 3, "height": 224, "width": 224}},
    {"id": 2, "component": "ResNet", "x": 240, "y": 0,
     "params": {"depth": 50, "pretrained": "imagenet", "trainable": "frozen",
                "trainableStages": 1, "pooling": "avg"}},
    {"id": 3, "component": "Dense", "x": 480, "y": 0,
     "params": {"neurons": 128, "activation": "relu", "dropout": 0, "batchNorm": false}},
    {"id": 4, "component": "Dense", "x": 720, "y": 0,
     "params": {"neurons": 64, "activation": "relu", "dropout": 0, "batchNorm": false}},
    {"id": 5, "component": "Dense", "x": 960, "y": 0,
     "params": {"neurons": 2, "activation": "softmax", "dropout": 0, "batchNorm": false}},
    {"id": 6, "component": "Output", "x": 1200, "y": 0, "params": {}}
  ],
  "connections": [
    {"from": 1, "fromPort": 0, "to": 2, "toPort": 0},
    {"from": 2, "to": 3},
    {"from": 3, "fromPort": 0, "to": 4, "toPort": 0},
    {"from": 4, "fromPort": 0, "to": 5, "toPort": 0},
    {"from": 5, "fromPort": 0, "to": 6, "toPort": 0}
  ],
  "dataset": {"csv": "../../demo-data/dataset.csv", "imageColumn": "images",
              "labelColumn": "labels", "groups": {"mode": "breakhis"}},
  "split": {"train": 70, "validation": 20, "test": 10, "stratify": true, "grouped": true,
            "seed": 42},
  "preprocessing": {"width": 224, "height": 224, "resize": "stretch", "normalization": "imagenet",
                    "augmentation": {"horizontalFlip": false, "verticalFlip": false,
                                     "rotate90": false, "cropScale": 0.0, "brightness": 0.0,
                                     "contrast": 0.0, "stainJitter": 0.0}},
  "training": {"optimizer": "adam", "learningRate": 0.001, "weightDecay": 0.0, "batchSize": 32,
               "epochs": 10, "schedule": "constant", "classWeights": "balanced",
               "labelSmoothing": 0.0,
               "earlyStopping": {"enabled": false, "metric": "val_accuracy", "patience": 5},
               "precision": "auto", "seed": 42}
})json";

} // namespace

class TestProjectFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exampleProject();
    void exampleSectionsFollowTheSchema();
    void exampleIsWrittenCanonically();
    void saveLoadSaveIsByteIdentical_data();
    void saveLoadSaveIsByteIdentical();
    void datasetPathIsRelativeToTheFile();
    void saveIsAtomicAndReportsErrors();
    void syntaxErrorsGiveLineAndColumn_data();
    void syntaxErrorsGiveLineAndColumn();
    void malformedProjects_data();
    void malformedProjects();
    void newerVersionIsRefused();
    void unknownComponentsAndParametersAreKeptAndReported();
    void migratesVersion0();
    void migrationProblems_data();
    void migrationProblems();
    void failedLoadLeavesProjectUntouched();
    void loadReplacesTheGraphInPlace();
    void fileErrors();
    void shapeContextFromSettings();
    void byteOrderMarkAndUnknownKeys();
    void byteOrderMarksInsideStringsSurvive();
    void movedFromProjectIsEmpty();
    void resetKeepsTheGraphObject();
    void placeholdersInUserTextAreNotExpanded();
    void twoBranchExample();
    void dagProjectsSaveLoadAndMigrate();
};

void TestProjectFile::exampleProject() {
    Project project;
    QString error;
    QVERIFY2(project.load(kExample, &error), qPrintable(error));
    QVERIFY2(project.loadWarnings().isEmpty(), qPrintable(project.loadWarnings().join('\n')));
    QCOMPARE(project.name(), QStringLiteral("Breast cancer histology (BreaKHis 400X)"));
    QCOMPARE(project.filePath(), QFileInfo(kExample).absoluteFilePath());

    // Input → ResNet50 pretrained, frozen, avg pooling → Dense 128 ReLU → Dense 64 ReLU →
    // Dense 2 Softmax → Output, laid out left to right.
    const Graph& graph = project.graph();
    const QList<NodeId> order = graph.topologicalOrder();
    QCOMPARE(order.size(), 6);
    QCOMPARE(graph.linkCount(), 5);
    QStringList labels;
    for (NodeId id : order)
        labels.append(
            ComponentRegistry::describe(graph.findNode(id)->type, graph.findNode(id)->parameters));
    QCOMPARE(labels, (QStringList{"Input 3\u00d7224\u00d7224", "ResNet50", "Dense 128 ReLU",
                                  "Dense 64 ReLU", "Dense 2 Softmax", "Output"}));
    const Node* resnet = graph.findNode(order[1]);
    QCOMPARE(resnet->parameters.value("pretrained").toString(), QStringLiteral("imagenet"));
    QCOMPARE(resnet->parameters.value("trainable").toString(), QStringLiteral("frozen"));
    QCOMPARE(resnet->parameters.value("pooling").toString(), QStringLiteral("avg"));
    for (int i = 1; i < order.size(); ++i) {
        QVERIFY(graph.findNode(order[i])->position.x() >
                graph.findNode(order[i - 1])->position.x());
        QCOMPARE(graph.findNode(order[i])->position.y(), graph.findNode(order[0])->position.y());
    }
    for (int i = 0; i + 1 < order.size(); ++i)
        QCOMPARE(graph.linksInto({order[i + 1], 0}).size(), 1);

    QCOMPARE(project.datasetSource(),
             QDir::cleanPath(QStringLiteral(TORCHCANVAS_SOURCE_DIR "/demo-data/dataset.csv")));

    const Validation validation = project.validate();
    QCOMPARE(validation.errorCount(), 0);
    QCOMPARE(validation.shape(order[1]), (Shape{2048}));
    QCOMPARE(validation.shape(order[4]), (Shape{2}));
    // The demo data set is generated later ('torchcanvas demo-data demo-data'); until then its
    // absence is a warning, never an error.
    const bool demoDataExists = QFileInfo::exists(project.datasetSource());
    QCOMPARE(validation.warningCount(), demoDataExists ? 0 : 1);
    if (!demoDataExists) {
        QCOMPARE(validation.problems.first().node, order[0]);
        QVERIFY(validation.problems.first().message.contains(QStringLiteral("does not exist")));
    }
}

void TestProjectFile::exampleSectionsFollowTheSchema() {
    Project project;
    QString error;
    QVERIFY2(project.load(kExample, &error), qPrintable(error));
    QJsonObject dataset = parseObject(R"({"source": "../../demo-data/dataset.csv",
        "imageColumn": "images", "labelColumn": "labels", "groups": {"mode": "breakhis"}})");
    dataset.insert("source", QDir::cleanPath(TORCHCANVAS_SOURCE_DIR "/demo-data/dataset.csv"));
    QCOMPARE(project.dataset(), dataset);
    QCOMPARE(project.split(), parseObject(R"({"train": 70, "validation": 20, "test": 10,
        "stratify": true, "grouped": true, "seed": 42})"));
    QCOMPARE(project.preprocessing(), parseObject(R"({"width": 224, "height": 224,
        "resize": "stretch", "normalization": "imagenet", "augmentation": {
        "horizontalFlip": false, "verticalFlip": false, "rotate90": false, "cropScale": 0.0,
        "brightness": 0.0, "contrast": 0.0, "stainJitter": 0.0}})"));
    QCOMPARE(project.training(), parseObject(R"({"optimizer": "adam", "learningRate": 0.001,
        "weightDecay": 0.0, "batchSize": 32, "epochs": 10, "schedule": "constant",
        "classWeights": "balanced", "labelSmoothing": 0.0, "earlyStopping": {"enabled": false,
        "metric": "val_accuracy", "patience": 5}, "precision": "auto", "seed": 42})"));
}

void TestProjectFile::exampleIsWrittenCanonically() {
    Project project;
    QString error;
    QVERIFY2(project.load(kExample, &error), qPrintable(error));
    const QByteArray canonical = project.toJson(kExample);
    const QByteArray onDisk = readFile(kExample);
    if (canonical != onDisk) {
        const QString written =
            QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR "/breast-cancer.canonical.tcproj");
        writeFile(written, canonical);
        QFAIL(qPrintable(QStringLiteral("the example is not in the form save() writes; compare "
                                        "with %1")
                             .arg(written)));
    }
    // The file starts with what identifies it.
    QVERIFY(
        onDisk.startsWith("{\n    \"format\": \"torchcanvas-project\",\n    \"version\": 1,\n"));
}

void TestProjectFile::saveLoadSaveIsByteIdentical_data() {
    QTest::addColumn<QString>("kind");
    QTest::newRow("example") << "example";
    QTest::newRow("edited in code") << "edited";
    QTest::newRow("migrated from version 0") << "version0";
}

void TestProjectFile::saveLoadSaveIsByteIdentical() {
    QFETCH(QString, kind);
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    Project project;
    QString error;
    if (kind == QLatin1String("example")) {
        QVERIFY2(project.load(kExample, &error), qPrintable(error));
    } else if (kind == QLatin1String("version0")) {
        QVERIFY2(project.loadFromData(kVersion0Example, directory.filePath("old.tcproj"), &error),
                 qPrintable(error));
    } else {
        // Awkward values: fractions, exponents, unicode, an unknown component and parameter,
        // an invalid parameter kept as written, negative and fractional positions.
        project.setName(QStringLiteral("Ünïcødé \"quoted\" \\ name\n2nd line"));
        Graph& graph = project.graph();
        const QList<NodeId> ids = buildFlagship(graph);
        graph.setParameter(ids[1], QStringLiteral("trainable"), QStringLiteral("last_stages"));
        graph.setParameter(ids[1], QStringLiteral("trainableStages"), 2);
        graph.setParameter(ids[2], QStringLiteral("dropout"), 0.1);
        graph.setParameter(ids[3], QStringLiteral("units"), QStringLiteral("sixty-four"));
        graph.setParameter(ids[3], QStringLiteral("note"), QVariantList{1, 2.5, "x"});
        graph.moveNode(ids[4], QPointF(-17.25, 1.0 / 3.0));
        graph.addNode(QStringLiteral("Mystery"), QPointF(1e7, -1e-7), {{"depth", 3}});
        project.setDataset(QJsonObject{{"source", directory.filePath("data/set.csv")},
                                       {"classes", QJsonArray{"benign", "malignant"}}});
        project.setTraining(QJsonObject{{"learningRate", 1e-5}, {"epochs", 3}});
        project.setPreprocessing(QJsonObject{{"cropScale", 0.08}, {"width", 256.0}});
    }
    const QString first = directory.filePath(QStringLiteral("first.tcproj"));
    const QString second = directory.filePath(QStringLiteral("second.tcproj"));
    QVERIFY2(project.save(first, &error), qPrintable(error));
    Project reloaded;
    QVERIFY2(reloaded.load(first, &error), qPrintable(error));
    QVERIFY2(reloaded.loadWarnings().isEmpty(), qPrintable(reloaded.loadWarnings().join('\n')));
    QVERIFY2(reloaded.save(second, &error), qPrintable(error));
    QCOMPARE(readFile(second), readFile(first));
    // And the model itself survived: same graph state, value types included.
    QCOMPARE(state(reloaded.graph()), state(project.graph()));
    QCOMPARE(reloaded.name(), project.name());
    QCOMPARE(reloaded.dataset(), project.dataset());
    QCOMPARE(reloaded.training(), project.training());
}

void TestProjectFile::datasetPathIsRelativeToTheFile() {
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QString projectA = root.filePath(QStringLiteral("a/project.tcproj"));
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("a/data")));
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("a/sub")));
    QVERIFY(writeFile(root.filePath(QStringLiteral("a/data/set.csv")), "images,labels\n"));

    Project project;
    buildFlagship(project.graph());
    project.setDatasetSource(root.filePath(QStringLiteral("a/data/set.csv")));
    QString error;
    QVERIFY2(project.save(projectA, &error), qPrintable(error));
    QVERIFY(readFile(projectA).contains("\"source\": \"data/set.csv\""));
    QCOMPARE(project.shapeContext().dataset, ShapeContext::Dataset::Present);

    // Saved elsewhere, the stored path changes, the data set it means does not.
    const QString nested = root.filePath(QStringLiteral("a/sub/copy.tcproj"));
    QVERIFY2(project.save(nested, &error), qPrintable(error));
    QVERIFY(readFile(nested).contains("\"source\": \"../data/set.csv\""));
    QCOMPARE(project.datasetSource(), QDir::cleanPath(root.filePath("a/data/set.csv")));

    // A moved project folder takes its data set along.
    QVERIFY(QDir(root.path()).rename(QStringLiteral("a"), QStringLiteral("moved")));
    Project moved;
    QVERIFY2(moved.load(root.filePath(QStringLiteral("moved/project.tcproj")), &error),
             qPrintable(error));
    QCOMPARE(moved.datasetSource(), QDir::cleanPath(root.filePath("moved/data/set.csv")));
    QCOMPARE(moved.shapeContext().dataset, ShapeContext::Dataset::Present);

    // An absolute path written by hand is honoured.
    QByteArray text = readFile(root.filePath(QStringLiteral("moved/project.tcproj")));
    text.replace("\"data/set.csv\"", "\"/somewhere/else.csv\"");
    Project absolute;
    QVERIFY2(absolute.loadFromData(text, root.filePath("moved/project.tcproj"), &error),
             qPrintable(error));
    QCOMPARE(absolute.datasetSource(), QStringLiteral("/somewhere/else.csv"));
    QCOMPARE(absolute.shapeContext().dataset, ShapeContext::Dataset::Missing);

    // Before the first save, a relative path means the working directory.
    Project unsaved;
    unsaved.setDatasetSource(QStringLiteral("data.csv"));
    QCOMPARE(unsaved.datasetSource(), QDir::cleanPath(QDir::current().filePath("data.csv")));
    unsaved.setDatasetSource(QString());
    QVERIFY(!unsaved.dataset().contains(QStringLiteral("source")));
    QCOMPARE(unsaved.shapeContext().dataset, ShapeContext::Dataset::Unknown);
}

void TestProjectFile::saveIsAtomicAndReportsErrors() {
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString path = directory.filePath(QStringLiteral("model.tcproj"));
    QVERIFY(writeFile(path, "old contents"));
    Project project;
    buildFlagship(project.graph());
    QString error;
    QVERIFY2(project.save(path, &error), qPrintable(error));
    QCOMPARE(readFile(path), project.toJson(path));
    // No temporary file left behind.
    QCOMPARE(QDir(directory.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("model.tcproj")});
    QCOMPARE(project.filePath(), path);

    QVERIFY(!project.save(directory.path(), &error));
    QVERIFY2(error.startsWith(directory.path() + QStringLiteral(": cannot be written: ")),
             qPrintable(error));
    const QString inMissingFolder = directory.filePath(QStringLiteral("missing/model.tcproj"));
    QVERIFY(!project.save(inMissingFolder, &error));
    QVERIFY2(error.startsWith(inMissingFolder + QStringLiteral(": cannot be written: ")),
             qPrintable(error));
    QVERIFY(!QFileInfo::exists(inMissingFolder));
    QCOMPARE(project.filePath(), path); // failures do not move the project
    QVERIFY(!project.save(QString(), &error));
    QCOMPARE(error, QStringLiteral("no file name given"));
}

// Positions are where Qt's parser stopped (QJsonParseError::offset), which is at or just past
// the offending token; columns count characters, not UTF-8 bytes.
void TestProjectFile::syntaxErrorsGiveLineAndColumn_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message"); // after "<file>: "

    QTest::newRow("missing comma")
        << QByteArray("{\n    \"format\": \"torchcanvas-project\"\n    \"version\": 1\n}\n")
        << "line 3, column 6: JSON syntax error: unterminated object";
    QTest::newRow("trailing comma")
        << QByteArray("{\n  \"a\": 1,\n}")
        << "line 3, column 2: JSON syntax error: object is missing after a comma";
    QTest::newRow("bad literal") << QByteArray("{\n  \"version\": tru\n}")
                                 << "line 3, column 1: JSON syntax error: illegal value";
    QTest::newRow("unterminated string") << QByteArray("{\n  \"name\": \"abc\n}")
                                         << "line 3, column 2: JSON syntax error: "
                                            "unterminated string";
    QTest::newRow("garbage after the document")
        << QByteArray("{}\n\n  x")
        << "line 3, column 3: JSON syntax error: garbage at the end of "
           "the document";
    QTest::newRow("columns count characters")
        << QByteArray("{\"name\": \"\xc3\xa9\xc3\xa9\xc3\xa9\" x}")
        << "line 1, column 17: JSON syntax error: unterminated object";
    // A byte order mark inside the text (not at its start) is no JSON whitespace; the column
    // counts it as one character, as an editor shows it.
    QTest::newRow("byte order mark between tokens")
        << QByteArray("{\"name\": \"\xEF\xBB\xBF\",\n  \xEF\xBB\xBF\"a\": 1}")
        << "line 2, column 3: JSON syntax error: unterminated object";
    QTest::newRow("truncated") << QByteArray("{\n  \"graph\": {\"nodes\": [")
                               << "line 2, column 23: JSON syntax error: unterminated array";
}

void TestProjectFile::syntaxErrorsGiveLineAndColumn() {
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    Project project;
    QString error;
    QVERIFY(!project.loadFromData(text, QStringLiteral("/p/broken.tcproj"), &error));
    QCOMPARE(error, QStringLiteral("/p/broken.tcproj: ") + message);
}

void TestProjectFile::malformedProjects_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message"); // after "<file>: "

    const QByteArray head = R"({"format": "torchcanvas-project", "version": 1, )";
    QTest::newRow("empty") << QByteArray() << "the file is empty";
    QTest::newRow("whitespace") << QByteArray(" \n\t ") << "the file is empty";
    QTest::newRow("array") << QByteArray("[1, 2]")
                           << "not a TorchCanvas project (the top level is not a JSON object)";
    QTest::newRow("no format") << QByteArray(R"({"version": 1})")
                               << "not a TorchCanvas project (\"format\" must be "
                                  "\"torchcanvas-project\")";
    QTest::newRow("other format") << QByteArray(R"({"format": "keras", "version": 1})")
                                  << "not a TorchCanvas project (\"format\" must be "
                                     "\"torchcanvas-project\")";
    QTest::newRow("no version") << QByteArray(R"({"format": "torchcanvas-project"})")
                                << "\"version\" must be a whole number";
    QTest::newRow("string version")
        << QByteArray(R"({"format": "torchcanvas-project", "version": "1"})")
        << "\"version\" must be a whole number";
    QTest::newRow("fractional version")
        << QByteArray(R"({"format": "torchcanvas-project", "version": 1.5})")
        << "\"version\" must be a whole number";
    QTest::newRow("negative version")
        << QByteArray(R"({"format": "torchcanvas-project", "version": -1})")
        << "\"version\" must be a whole number";
    QTest::newRow("no graph") << head + "\"name\": \"x\"}"
                              << "\"graph\" must be an object with \"nodes\" and \"links\"";
    QTest::newRow("graph array") << head + "\"graph\": []}"
                                 << "\"graph\" must be an object with \"nodes\" and \"links\"";
    QTest::newRow("no nodes") << head + "\"graph\": {\"links\": []}}"
                              << "graph.nodes must be an array";
    QTest::newRow("node without id")
        << head + R"("graph": {"nodes": [{"type": "Dense"}], "links": []}})"
        << "graph.nodes[0].id must be a whole number from 1 to 1000000000";
    QTest::newRow("node id too large")
        << head + R"("graph": {"nodes": [{"id": 4e9, "type": "Dense"}], "links": []}})"
        << "graph.nodes[0].id must be a whole number from 1 to 1000000000";
    QTest::newRow("duplicate node id")
        << head +
               R"("graph": {"nodes": [{"id": 1, "type": "Dense"}, {"id": 1, "type": "Input"}], "links": []}})"
        << "graph.nodes[1]: node id 1 is used twice";
    QTest::newRow("link without ends")
        << head + R"("graph": {"nodes": [], "links": [{"id": 1}]}})"
        << "graph.links[0].from must be an object {\"node\": id, \"port\": n}";
    QTest::newRow("name not a string")
        << head + R"("name": 5, "graph": {"nodes": [], "links": []}})"
        << "\"name\" must be a string";
    QTest::newRow("dataset not an object")
        << head + R"("graph": {"nodes": [], "links": []}, "dataset": "data.csv"})"
        << "\"dataset\" must be an object";
    QTest::newRow("training not an object")
        << head + R"("graph": {"nodes": [], "links": []}, "training": null})"
        << "\"training\" must be an object";
    QTest::newRow("deep nesting") << QByteArray(100'000, '[')
                                  << "line 1, column 1026: JSON syntax error: too deeply nested "
                                     "document";
}

void TestProjectFile::malformedProjects() {
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    Project project;
    QString error;
    QVERIFY(!project.loadFromData(text, QStringLiteral("bad.tcproj"), &error));
    QCOMPARE(error, QStringLiteral("bad.tcproj: ") + message);
}

void TestProjectFile::newerVersionIsRefused() {
    QByteArray text = readFile(kExample);
    text.replace("\"version\": 1,", "\"version\": 2,");
    Project project;
    QString error;
    QVERIFY(!project.loadFromData(text, QStringLiteral("future.tcproj"), &error));
    QCOMPARE(error, QStringLiteral("future.tcproj: was saved by a newer TorchCanvas (project "
                                   "format version 2); this version reads up to version 1. "
                                   "Update TorchCanvas to open it"));
    QVERIFY(project.graph().isEmpty());
}

void TestProjectFile::unknownComponentsAndParametersAreKeptAndReported() {
    QByteArray text = readFile(kExample);
    text.replace("\"type\": \"Output\"", "\"type\": \"SoftOutput\"");
    text.replace("\"units\": 64}", "\"units\": 64, \"colour\": \"red\"}");
    Project project;
    QString error;
    QVERIFY2(project.loadFromData(text, kExample, &error), qPrintable(error));
    const Validation validation = project.validate();
    QVERIFY(validation.problems.contains(
        Problem{Severity::Error, 6, PortSide::None, -1,
                QStringLiteral("unknown component 'SoftOutput'; this version cannot build it")}));
    QVERIFY(validation.problems.contains(
        Problem{Severity::Warning, 4, PortSide::None, -1,
                QStringLiteral("unknown parameter 'colour' is ignored")}));
    QVERIFY(validation.problems.contains(Problem{Severity::Error, InvalidId, PortSide::None, -1,
                                                 QStringLiteral("the model has no Output")}));
    // Nothing the user wrote is lost when saving.
    const QByteArray saved = project.toJson(kExample);
    QVERIFY(saved.contains("\"type\": \"SoftOutput\""));
    QVERIFY(saved.contains("\"colour\": \"red\""));
    Project reloaded;
    QVERIFY2(reloaded.loadFromData(saved, kExample, &error), qPrintable(error));
    QCOMPARE(reloaded.toJson(kExample), saved);
}

void TestProjectFile::migratesVersion0() {
    Project project;
    QString error;
    QVERIFY2(project.loadFromData(kVersion0Example, kExample, &error), qPrintable(error));
    QCOMPARE(project.loadWarnings(),
             QStringList{kExample + QStringLiteral(": migrated from project format version 0 to "
                                                   "1; saving writes version 1")});
    // The migrated project is exactly the version 1 example.
    QCOMPARE(project.toJson(kExample), readFile(kExample));
    Project example;
    QVERIFY(example.load(kExample, &error));
    QCOMPARE(state(project.graph()), state(example.graph()));
    QCOMPARE(project.graph().findNode(2)->parameters.value("variant"), QVariant("50"));
    QCOMPARE(project.datasetSource(), example.datasetSource());
}

void TestProjectFile::migrationProblems_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    const QByteArray head = R"({"format": "torchcanvas-project", "version": 0, )";
    QTest::newRow("version 0 with a graph")
        << head + R"("graph": {"nodes": [], "links": []}})"
        << "cannot migrate from version 0: a version 0 file has \"nodes\" and \"connections\" at "
           "the top level, not \"graph\"";
    QTest::newRow("nodes not an array") << head + R"("nodes": 3, "connections": []})"
                                        << "graph.nodes must be an array";
    QTest::newRow("no nodes") << head + R"("connections": []})"
                              << "graph.nodes must be an array";
    QTest::newRow("node without component") << head + R"("nodes": [{"id": 1}]})"
                                            << "graph.nodes[0].type must be a component name "
                                               "such as \"Dense\"";
    QTest::newRow("bad position") << head +
                                         R"("nodes": [{"id": 1, "component": "Dense", "x": "a"}]})"
                                  << "graph.nodes[0].position must be {\"x\": number, \"y\": "
                                     "number}";
    QTest::newRow("connection not an object") << head + R"("nodes": [], "connections": [7]})"
                                              << "graph.links[0] must be an object";
}

void TestProjectFile::migrationProblems() {
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    Project project;
    QString error;
    QVERIFY(!project.loadFromData(text, QStringLiteral("old.tcproj"), &error));
    QCOMPARE(error, QStringLiteral("old.tcproj: ") + message);
}

void TestProjectFile::failedLoadLeavesProjectUntouched() {
    Project project;
    QString error;
    QVERIFY(project.load(kExample, &error));
    const QByteArray before = project.toJson(kExample);
    QSignalSpy changed(&project.graph(), &Graph::changed);
    QByteArray broken = readFile(kExample);
    broken.replace("\"id\": 2,", "\"id\": 1,"); // duplicate node id
    QVERIFY(!project.loadFromData(broken, QStringLiteral("/x/other.tcproj"), &error));
    QCOMPARE(error, QStringLiteral("/x/other.tcproj: graph.nodes[1]: node id 1 is used twice"));
    QCOMPARE(project.toJson(kExample), before);
    QCOMPARE(project.filePath(), QFileInfo(kExample).absoluteFilePath());
    QCOMPARE(changed.count(), 0);
}

void TestProjectFile::loadReplacesTheGraphInPlace() {
    Project project;
    Graph* graph = &project.graph();
    graph->addNode(component::Dropout);
    graph->addNode(component::Dropout);
    QSignalSpy removed(graph, &Graph::nodeRemoved);
    QSignalSpy added(graph, &Graph::nodeAdded);
    QString error;
    QVERIFY(project.load(kExample, &error));
    QCOMPARE(&project.graph(), graph);
    QCOMPARE(removed.count(), 2);
    QCOMPARE(added.count(), 6);
    QCOMPARE(graph->nodeCount(), 6);
}

void TestProjectFile::fileErrors() {
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    Project project;
    QString error;
    const QString missing = directory.filePath(QStringLiteral("missing.tcproj"));
    QVERIFY(!project.load(missing, &error));
    QCOMPARE(error, missing + QStringLiteral(": no such file"));
    QVERIFY(!project.load(directory.path(), &error));
    QCOMPARE(error, directory.path() + QStringLiteral(": is a folder, not a project file"));

    const QString huge = directory.filePath(QStringLiteral("huge.tcproj"));
    {
        QFile file(huge);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(Project::MaxFileSize + 1)); // sparse: no real disk use
    }
    QVERIFY(!project.load(huge, &error));
    QCOMPARE(error, huge + QStringLiteral(": is 32 MiB, too large for a project file (at most 32 "
                                          "MiB)"));

    const QString empty = directory.filePath(QStringLiteral("empty.tcproj"));
    QVERIFY(writeFile(empty, QByteArray()));
    QVERIFY(!project.load(empty, &error));
    QCOMPARE(error, empty + QStringLiteral(": the file is empty"));

    const QString locked = directory.filePath(QStringLiteral("locked.tcproj"));
    QVERIFY(writeFile(locked, readFile(kExample)));
    QFile::setPermissions(locked, QFileDevice::Permissions());
    if (::geteuid() != 0) { // root reads anything
        QVERIFY(!project.load(locked, &error));
        QVERIFY2(error.startsWith(locked + QStringLiteral(": cannot be read (")),
                 qPrintable(error));
    }
    QVERIFY(project.graph().isEmpty());
}

void TestProjectFile::shapeContextFromSettings() {
    QTemporaryDir directory;
    Project project;
    QCOMPARE(project.shapeContext().classCount, -1);
    QCOMPARE(project.shapeContext().imageHeight, -1);
    project.setDataset(QJsonObject{{"source", directory.filePath("absent.csv")},
                                   {"classes", QJsonArray{"a", "b", "c"}}});
    project.setPreprocessing(QJsonObject{{"width", 320}, {"height", 256.0}});
    const ShapeContext context = project.shapeContext();
    QCOMPARE(context.classCount, 3);
    QCOMPARE(context.imageWidth, 320);
    QCOMPARE(context.imageHeight, 256);
    QCOMPARE(context.dataset, ShapeContext::Dataset::Missing);
    QCOMPARE(context.datasetPath, QDir::toNativeSeparators(directory.filePath("absent.csv")));

    buildFlagship(project.graph());
    Validation validation = project.validate();
    QVERIFY(validation.problems.contains(
        Problem{Severity::Error, 6, PortSide::Input, 0,
                QStringLiteral("the data set has 3 classes but Output receives 2 values; give "
                               "the last layer 3 units")}));
    validation = project.validate(/*classCount=*/2); // what the caller knows wins
    QCOMPARE(validation.errorCount(), 0);
    QCOMPARE(validation.shape(1), (Shape{3, 256, 320}));

    project.setPreprocessing(QJsonObject{{"width", "wide"}, {"height", -4}});
    QCOMPARE(project.shapeContext().imageWidth, -1);
    QCOMPARE(project.shapeContext().imageHeight, -1);
}

void TestProjectFile::byteOrderMarkAndUnknownKeys() {
    QByteArray text = readFile(kExample);
    text.replace("\"name\":", "\"plugins\": {\"z\": [1, 2]},\n    \"name\":");
    Project project;
    QString error;
    QVERIFY2(project.loadFromData("\xEF\xBB\xBF" + text, kExample, &error), qPrintable(error));
    const QByteArray saved = project.toJson(kExample);
    QVERIFY(saved.contains("\"plugins\": {\n        \"z\": [1, 2]\n    }"));
    QVERIFY(!saved.startsWith("\xEF\xBB\xBF"));
    // Known keys first in their fixed order, unknown ones after them.
    QVERIFY(saved.indexOf("\"training\"") < saved.indexOf("\"plugins\""));
}

void TestProjectFile::byteOrderMarksInsideStringsSurvive() {
    // Qt 6.4's parser drops a raw U+FEFF from a string and leaves a key that cannot be looked
    // up; its writer drops the character too. Both made save -> load -> save unstable (the
    // fuzz input tests/fuzz/corpus/project/crash-7cde97c7...).
    const QString mark(QChar(0xFEFF));
    QByteArray text = readFile(kExample);
    text.replace("\"seed\": 42,", "\"seed\": 42,\n        \"\xEF\xBB\xBFtest\": 10,");
    text.replace("\"name\":", "\"n\xEF\xBB\xBFote\": \"x\xEF\xBB\xBF\\ufeffy\",\n    \"name\":");
    Project project;
    QString error;
    QVERIFY2(project.loadFromData(text, kExample, &error), qPrintable(error));
    QCOMPARE(project.split().value(mark + QStringLiteral("test")).toInt(-1), 10);
    const QByteArray saved = project.toJson(kExample);
    QVERIFY2(saved.contains("\"\\ufefftest\": 10"), saved.constData());
    QVERIFY2(saved.contains("\"n\\ufeffote\": \"x\\ufeff\\ufeffy\""), saved.constData());
    Project reloaded;
    QVERIFY2(reloaded.loadFromData(saved, kExample, &error), qPrintable(error));
    QCOMPARE(reloaded.split().value(mark + QStringLiteral("test")).toInt(-1), 10);
    QCOMPARE(reloaded.toJson(kExample), saved);
}

void TestProjectFile::movedFromProjectIsEmpty() {
    Project project;
    QString error;
    QVERIFY(project.load(kExample, &error));
    Project taken(std::move(project));
    QCOMPARE(taken.graph().nodeCount(), 6);
    QVERIFY(project.graph().isEmpty()); // NOLINT(bugprone-use-after-move): documented state
    project = std::move(taken);
    QCOMPARE(project.graph().nodeCount(), 6);
}

void TestProjectFile::resetKeepsTheGraphObject() {
    Project project;
    QString error;
    QVERIFY(project.load(kExample, &error));
    const Graph* graph = &project.graph();
    QSignalSpy removed(graph, &Graph::nodeRemoved);
    project.reset();
    QCOMPARE(&project.graph(), graph);
    QCOMPARE(removed.count(), 6);
    QVERIFY(project.graph().isEmpty());
    QVERIFY(project.name().isEmpty());
    QVERIFY(project.filePath().isEmpty());
    QVERIFY(project.dataset().isEmpty());
    QVERIFY(project.training().isEmpty());
    QCOMPARE(project.toJson(QString()), QByteArray("{\n"
                                                   "    \"format\": \"torchcanvas-project\",\n"
                                                   "    \"version\": 1,\n"
                                                   "    \"name\": \"\",\n"
                                                   "    \"graph\": {\n"
                                                   "        \"nodes\": [],\n"
                                                   "        \"links\": []\n"
                                                   "    },\n"
                                                   "    \"dataset\": {},\n"
                                                   "    \"split\": {},\n"
                                                   "    \"preprocessing\": {},\n"
                                                   "    \"training\": {}\n"
                                                   "}\n"));
}

// A path or a name from the file containing "%1" must appear verbatim in messages.
void TestProjectFile::placeholdersInUserTextAreNotExpanded() {
    Project project;
    QString error;
    QVERIFY(!project.loadFromData("{\n x", QStringLiteral("/p/100%2 done %1.tcproj"), &error));
    QCOMPARE(error, QStringLiteral("/p/100%2 done %1.tcproj: line 2, column 3: JSON syntax error: "
                                   "unterminated object"));
    QVERIFY2(project.loadFromData(
                 R"({"format": "torchcanvas-project", "version": 1, "graph": {"nodes": [
            {"id": 1, "type": "X%1%2"}, {"id": 2, "type": "Dense"}], "links": [
            {"id": 1, "from": {"node": 2, "port": 0}, "to": {"node": 1, "port": 9}},
            {"id": 2, "from": {"node": 2, "port": 0}, "to": {"node": 9, "port": 0}}]}})",
                 QStringLiteral("/p/%2.tcproj"), &error),
             qPrintable(error));
    QCOMPARE(project.loadWarnings(),
             QStringList{QStringLiteral("/p/%2.tcproj: graph.links[1] (link 2) was dropped: it "
                                        "ends at node #9, which does not exist")});
    QVERIFY(project.validate().problems.contains(
        Problem{Severity::Error, 1, PortSide::None, -1,
                QStringLiteral("unknown component 'X%1%2'; this version cannot build it")}));
    QCOMPARE(project.graph().canLink({2, 0}, {1, 0}),
             QStringLiteral("X%1%2 (#1) is an unknown component"));
}

void TestProjectFile::twoBranchExample() {
    const QString path =
        QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/two-branch.tcproj");
    Project project;
    QString error;
    QVERIFY2(project.load(path, &error), qPrintable(error));
    QVERIFY2(project.loadWarnings().isEmpty(), qPrintable(project.loadWarnings().join('\n')));
    // The file is in the form save() writes.
    QCOMPARE(project.toJson(path), readFile(path));
    // The same model as the test helper builds: ResNet18 → two Dense paths → Concatenate →
    // Dense 2 → Output.
    Graph expected;
    buildTwoBranch(expected);
    QCOMPARE(project.graph().nodeCount(), expected.nodeCount());
    QCOMPARE(project.graph().linkCount(), expected.linkCount());
    for (LinkId id : expected.linkIds()) {
        QCOMPARE(project.graph().link(id).from, expected.link(id).from);
        QCOMPARE(project.graph().link(id).to, expected.link(id).to);
    }
    const Validation validation = project.validate();
    QCOMPARE(validation.errorCount(), 0);
    QCOMPARE(validation.shape(5), (Shape{192}));
}

void TestProjectFile::dagProjectsSaveLoadAndMigrate() {
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    // Save and load: a DAG with a gap in a variadic row and an Add beside the Concatenate.
    Project project;
    Graph& graph = project.graph();
    const QList<NodeId> ids = buildTwoBranch(graph);
    const NodeId add = graph.addNode(component::Add);
    QVERIFY(graph.insertLink(Link{graph.nextLinkId(), {ids[2], 0}, {add, 0}}));
    QVERIFY(graph.insertLink(Link{graph.nextLinkId(), {ids[2], 0}, {add, 3}}));
    QString error;
    const QString first = directory.filePath(QStringLiteral("dag.tcproj"));
    QVERIFY2(project.save(first, &error), qPrintable(error));
    Project reloaded;
    QVERIFY2(reloaded.load(first, &error), qPrintable(error));
    QVERIFY2(reloaded.loadWarnings().isEmpty(), qPrintable(reloaded.loadWarnings().join('\n')));
    QCOMPARE(state(reloaded.graph()), state(graph));
    QCOMPARE(reloaded.graph().inputPortCount(add), 5);
    QCOMPARE(reloaded.toJson(first), readFile(first));

    // Migration: a version 0 file with a branch and a Concatenate fed through "toPort".
    const char* version0 = R"json({
      "format": "torchcanvas-project", "version": 0, "name": "branches",
      "nodes": [
        {"id": 1, "component": "Input", "x": 0, "y": 0, "params": {}},
        {"id": 2, "component": "ResNet", "x": 240, "y": 0, "params": {"depth": 18}},
        {"id": 3, "component": "Dense", "x": 480, "y": -120, "params": {"neurons": 128}},
        {"id": 4, "component": "Dense", "x": 480, "y": 120, "params": {"neurons": 64}},
        {"id": 5, "component": "Concatenate", "x": 720, "y": 0, "params": {}},
        {"id": 6, "component": "Dense", "x": 960, "y": 0,
         "params": {"neurons": 2, "activation": "softmax"}},
        {"id": 7, "component": "Output", "x": 1200, "y": 0, "params": {}}
      ],
      "connections": [
        {"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 2, "to": 4},
        {"from": 3, "to": 5, "toPort": 0}, {"from": 4, "to": 5, "toPort": 1},
        {"from": 5, "to": 6}, {"from": 6, "to": 7}
      ]
    })json";
    Project migrated;
    QVERIFY2(migrated.loadFromData(version0, directory.filePath("old.tcproj"), &error),
             qPrintable(error));
    const Graph& graph0 = migrated.graph();
    QCOMPARE(graph0.linkCount(), 7);
    QCOMPARE(graph0.inputPortCount(5), 3);
    QList<NodeId> sources;
    for (LinkId id : graph0.inputLinksByPort(5))
        sources.append(graph0.link(id).from.node);
    QCOMPARE(sources, (QList<NodeId>{3, 4}));
    QCOMPARE(graph0.outputLinks(2).size(), 2);
    ShapeContext context;
    context.classCount = 2;
    const Validation validation = validate(graph0, context);
    QCOMPARE(validation.errorCount(), 0);
    QCOMPARE(validation.shape(5), (Shape{192}));
}

QTEST_GUILESS_MAIN(TestProjectFile)
#include "tst_projectfile.moc"
