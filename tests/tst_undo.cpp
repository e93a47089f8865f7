// Every edit of the editor's Document is one undo command that changes the model: add,
// remove with links, link, unlink, parameter change (also through the inspector), move with
// merging, paste, auto-layout and settings; "modified" follows the undo stack's clean state.

#include "core/graph/ComponentRegistry.h"
#include "ui/editor/AutoLayout.h"
#include "ui/editor/Document.h"
#include "ui/editor/InspectorWidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSpinBox>
#include <QtTest>
#include <QUndoStack>

using tc::graph::Graph;
using tc::graph::InvalidId;
using tc::graph::LinkId;
using tc::graph::NodeId;
using tc::graph::PortRef;
using tc::ui::Document;
namespace component = tc::graph::component;

namespace {

/// Input → ResNet → Dense(128) → Output, added through the document (four undo steps for
/// the nodes, three for the links).
struct Chain {
    NodeId input = InvalidId;
    NodeId resnet = InvalidId;
    NodeId dense = InvalidId;
    NodeId output = InvalidId;
};

Chain buildChain(Document& document) {
    Chain chain;
    chain.input = document.addNode(component::Input, {0, 0});
    chain.resnet = document.addNode(component::ResNet, {240, 0});
    chain.dense = document.addNode(component::Dense, {480, 0}, {{QStringLiteral("units"), 2}});
    chain.output = document.addNode(component::Output, {720, 0});
    document.addLink({chain.input, 0}, {chain.resnet, 0});
    document.addLink({chain.resnet, 0}, {chain.dense, 0});
    document.addLink({chain.dense, 0}, {chain.output, 0});
    return chain;
}

void undoAll(QUndoStack* stack) {
    while (stack->canUndo())
        stack->undo();
}

void redoAll(QUndoStack* stack) {
    while (stack->canRedo())
        stack->redo();
}

} // namespace

class TestUndo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void addNodeUndoRedoKeepsTheId();
    void removeNodeIsCompositeAndRestoresLinks();
    void removeLinkedNodesTogether();
    void linkAndUnlink();
    void rejectedLinkPushesNothing_data();
    void rejectedLinkPushesNothing();
    void parameterChangesMerge();
    void parameterChangeThroughInspector();
    void inspectorFollowsUndo();
    void movesMergeOnlyForTheSameNodes();
    void moveBackToStartIsObsolete();
    void pasteUndoRedo();
    void malformedPastePushesNothing();
    void autoLayoutIsOneUndoableStep();
    void autoLayoutPlacesLayersLeftToRight();
    void modifiedFollowsCleanState();
    void settingsSectionIsUndoable();
    void bindingADatasetIsOneUndoStep();
    void everythingUndoneAndRedone();
};

void TestUndo::addNodeUndoRedoKeepsTheId() {
    Document document;
    const NodeId id = document.addNode(component::Dense, {20, 40});
    QVERIFY(id != InvalidId);
    const tc::graph::Node added = document.graph().node(id);
    QCOMPARE(added.parameters.value(QStringLiteral("units")).toInt(), 128); // defaults filled
    QCOMPARE(document.undoStack()->count(), 1);
    document.undoStack()->undo();
    QVERIFY(document.graph().isEmpty());
    document.undoStack()->redo();
    QCOMPARE(document.graph().nodeIds(), QList<NodeId>{id});
    QCOMPARE(document.graph().node(id), added);
}

void TestUndo::removeNodeIsCompositeAndRestoresLinks() {
    Document document;
    const Chain chain = buildChain(document);
    const QJsonObject before = document.graph().toJson();
    const int steps = document.undoStack()->count();

    document.remove({chain.resnet}, {});
    QCOMPARE(document.undoStack()->count(), steps + 1);
    QCOMPARE(document.graph().nodeCount(), 3);
    QCOMPARE(document.graph().linkCount(), 1); // only dense → output is left
    // The macro holds one node command, whose children removed the node's two links.
    const QUndoCommand* macro = document.undoStack()->command(steps);
    QCOMPARE(macro->childCount(), 1);
    QCOMPARE(macro->child(0)->childCount(), 2);

    document.undoStack()->undo();
    QCOMPARE(document.graph().toJson(), before);
    document.undoStack()->redo();
    QCOMPARE(document.graph().nodeCount(), 3);
    QVERIFY(!document.graph().containsNode(chain.resnet));
}

void TestUndo::removeLinkedNodesTogether() {
    Document document;
    const Chain chain = buildChain(document);
    const QJsonObject before = document.graph().toJson();
    // Two linked nodes and a link that goes with one of them anyway.
    const LinkId between = document.graph().linksInto({chain.dense, 0}).constFirst();
    document.remove({chain.resnet, chain.dense}, {between}, QStringLiteral("Delete"));
    QCOMPARE(document.undoStack()->undoText(), QStringLiteral("Delete"));
    QCOMPARE(document.graph().nodeCount(), 2);
    QCOMPARE(document.graph().linkCount(), 0);
    document.undoStack()->undo();
    QCOMPARE(document.graph().toJson(), before);
    document.undoStack()->redo();
    document.undoStack()->undo();
    QCOMPARE(document.graph().toJson(), before);
}

void TestUndo::linkAndUnlink() {
    Document document;
    const NodeId a = document.addNode(component::Dense, {0, 0});
    const NodeId b = document.addNode(component::Dense, {240, 0});
    QString reason;
    const LinkId link = document.addLink({a, 0}, {b, 0}, &reason);
    QVERIFY2(link != InvalidId, qPrintable(reason));
    document.undoStack()->undo();
    QCOMPARE(document.graph().linkCount(), 0);
    document.undoStack()->redo();
    QCOMPARE(document.graph().link(link).from, (PortRef{a, 0}));

    document.remove({}, {link});
    QCOMPARE(document.graph().linkCount(), 0);
    QCOMPARE(document.undoStack()->undoText(), QStringLiteral("Remove link"));
    document.undoStack()->undo();
    QCOMPARE(document.graph().link(link).to, (PortRef{b, 0}));
}

void TestUndo::rejectedLinkPushesNothing_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("cycle") << QStringLiteral("cycle") << QStringLiteral("would create a cycle");
    QTest::newRow("type mismatch")
        << QStringLiteral("mismatch") << QStringLiteral("needs an image-like input");
    QTest::newRow("occupied input")
        << QStringLiteral("occupied") << QStringLiteral("is already connected");
    QTest::newRow("self") << QStringLiteral("self") << QStringLiteral("cannot be linked to itself");
}

void TestUndo::rejectedLinkPushesNothing() {
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    Document document;
    PortRef from;
    PortRef to;
    if (kind == QLatin1String("cycle")) {
        const NodeId a = document.addNode(component::Dense, {0, 0});
        const NodeId b = document.addNode(component::Dense, {240, 0});
        QVERIFY(document.addLink({a, 0}, {b, 0}) != InvalidId);
        from = {b, 0};
        to = {a, 0};
    } else if (kind == QLatin1String("mismatch")) {
        const NodeId dense = document.addNode(component::Dense, {0, 0});
        const NodeId conv = document.addNode(component::Conv2D, {240, 0});
        from = {dense, 0};
        to = {conv, 0};
    } else if (kind == QLatin1String("occupied")) {
        const NodeId first = document.addNode(component::Input, {0, 0});
        const NodeId second = document.addNode(component::Input, {0, 140});
        const NodeId resnet = document.addNode(component::ResNet, {240, 0});
        QVERIFY(document.addLink({first, 0}, {resnet, 0}) != InvalidId);
        from = {second, 0};
        to = {resnet, 0};
    } else {
        const NodeId a = document.addNode(component::Dense, {0, 0});
        from = {a, 0};
        to = {a, 0};
    }
    const int steps = document.undoStack()->count();
    const int links = document.graph().linkCount();
    QString reason;
    QCOMPARE(document.addLink(from, to, &reason), InvalidId);
    QVERIFY2(reason.contains(expected), qPrintable(reason));
    QCOMPARE(document.undoStack()->count(), steps);
    QCOMPARE(document.graph().linkCount(), links);
}

void TestUndo::parameterChangesMerge() {
    Document document;
    const NodeId dense = document.addNode(component::Dense, {0, 0});
    const NodeId other = document.addNode(component::Dense, {240, 0});
    const int steps = document.undoStack()->count();
    document.setParameter(dense, QStringLiteral("units"), 64);
    document.setParameter(dense, QStringLiteral("units"), 32);
    QCOMPARE(document.undoStack()->count(), steps + 1); // merged
    document.setParameter(dense, QStringLiteral("activation"), QStringLiteral("softmax"));
    document.setParameter(other, QStringLiteral("units"), 7);
    QCOMPARE(document.undoStack()->count(), steps + 3); // other parameter, other node: new steps
    QCOMPARE(document.undoStack()->text(steps), QStringLiteral("Change units"));

    document.undoStack()->undo();
    document.undoStack()->undo();
    QCOMPARE(document.graph().node(dense).parameters.value(QStringLiteral("activation")),
             QVariant(QStringLiteral("relu")));
    document.undoStack()->undo();
    QCOMPARE(document.graph().node(dense).parameters.value(QStringLiteral("units")), QVariant(128));
    document.undoStack()->redo();
    QCOMPARE(document.graph().node(dense).parameters.value(QStringLiteral("units")), QVariant(32));

    // Setting the value it already has is not an edit.
    const int now = document.undoStack()->index();
    document.setParameter(dense, QStringLiteral("units"), 32);
    QCOMPARE(document.undoStack()->index(), now);
}

void TestUndo::parameterChangeThroughInspector() {
    Document document;
    const NodeId dense = document.addNode(component::Dense, {0, 0});
    tc::ui::InspectorWidget inspector;
    inspector.setDocument(&document);
    inspector.setNodes({dense});
    auto* units = qobject_cast<QSpinBox*>(inspector.editor(QStringLiteral("units")));
    QVERIFY(units);
    QCOMPARE(units->minimum(), 1); // the registry's range
    QCOMPARE(units->maximum(), 65536);
    QCOMPARE(units->value(), 128);

    const int steps = document.undoStack()->count();
    units->setValue(64);
    QCOMPARE(document.graph().node(dense).parameters.value(QStringLiteral("units")), QVariant(64));
    QCOMPARE(document.undoStack()->count(), steps + 1);

    auto* batchNorm = qobject_cast<QCheckBox*>(inspector.editor(QStringLiteral("batchNorm")));
    QVERIFY(batchNorm);
    batchNorm->click();
    QCOMPARE(document.graph().node(dense).parameters.value(QStringLiteral("batchNorm")),
             QVariant(true));

    auto* activation = qobject_cast<QComboBox*>(inspector.editor(QStringLiteral("activation")));
    QVERIFY(activation);
    QCOMPARE(activation->currentText(), QStringLiteral("ReLU"));
    const int softmax = activation->findData(QStringLiteral("softmax"));
    QVERIFY(softmax >= 0);
    activation->setCurrentIndex(softmax);
    Q_EMIT activation->activated(softmax); // what a user's pick emits
    QCOMPARE(document.graph().node(dense).parameters.value(QStringLiteral("activation")),
             QVariant(QStringLiteral("softmax")));
    QCOMPARE(document.undoStack()->count(), steps + 3);

    undoAll(document.undoStack());
    redoAll(document.undoStack());
    QCOMPARE(document.graph().node(dense).parameters.value(QStringLiteral("units")), QVariant(64));
}

void TestUndo::inspectorFollowsUndo() {
    Document document;
    const NodeId resnet = document.addNode(component::ResNet, {0, 0});
    tc::ui::InspectorWidget inspector;
    inspector.setDocument(&document);
    inspector.setNodes({resnet});
    QWidget* stages = inspector.editor(QStringLiteral("trainableStages"));
    QVERIFY(stages);
    QVERIFY(!stages->isEnabled()); // only meaningful with trainable = last_stages

    document.setParameter(resnet, QStringLiteral("trainable"), QStringLiteral("last_stages"));
    auto* trainable = qobject_cast<QComboBox*>(inspector.editor(QStringLiteral("trainable")));
    QCOMPARE(trainable->currentData().toString(), QStringLiteral("last_stages"));
    QVERIFY(stages->isEnabled());
    const int steps = document.undoStack()->count();
    document.undoStack()->undo();
    // The editor shows the model's value again, and updating it pushed nothing.
    QCOMPARE(trainable->currentData().toString(), QStringLiteral("frozen"));
    QVERIFY(!stages->isEnabled());
    QCOMPARE(document.undoStack()->count(), steps);

    document.remove({resnet}, {});
    QCOMPARE(inspector.currentNode(), InvalidId);
    QVERIFY(!inspector.editor(QStringLiteral("trainable")));
}

void TestUndo::movesMergeOnlyForTheSameNodes() {
    Document document;
    const NodeId a = document.addNode(component::Dense, {0, 0});
    const NodeId b = document.addNode(component::Dense, {240, 0});
    const int steps = document.undoStack()->count();
    document.moveNodes({{a, QPointF(20, 20)}});
    document.moveNodes({{a, QPointF(40, 60)}});
    QCOMPARE(document.undoStack()->count(), steps + 1);
    document.moveNodes({{a, QPointF(60, 60)}, {b, QPointF(300, 20)}});
    QCOMPARE(document.undoStack()->count(), steps + 2);
    document.undoStack()->undo();
    QCOMPARE(document.graph().node(a).position, QPointF(40, 60));
    QCOMPARE(document.graph().node(b).position, QPointF(240, 0));
    document.undoStack()->undo();
    QCOMPARE(document.graph().node(a).position, QPointF(0, 0));
}

void TestUndo::moveBackToStartIsObsolete() {
    Document document;
    const NodeId a = document.addNode(component::Dense, {0, 0});
    const int steps = document.undoStack()->count();
    document.moveNodes({{a, QPointF(100, 0)}});
    document.moveNodes({{a, QPointF(0, 0)}});
    QCOMPARE(document.undoStack()->count(), steps); // nothing left to undo
    QCOMPARE(document.graph().node(a).position, QPointF(0, 0));
}

void TestUndo::pasteUndoRedo() {
    Document document;
    const Chain chain = buildChain(document);
    const QJsonObject fragment = document.graph().fragment({chain.resnet, chain.dense});
    QString error;
    const QList<NodeId> pasted = document.paste(fragment, {40, 40}, {}, &error);
    QVERIFY2(pasted.size() == 2, qPrintable(error));
    QCOMPARE(document.graph().nodeCount(), 6);
    QCOMPARE(document.graph().linkCount(), 4); // the link between the two copies
    QCOMPARE(document.graph().node(pasted[0]).position, QPointF(280, 40));
    QCOMPARE(document.undoStack()->undoText(), QStringLiteral("Paste"));
    const QJsonObject after = document.graph().toJson();
    document.undoStack()->undo();
    QCOMPARE(document.graph().nodeCount(), 4);
    document.undoStack()->redo();
    QCOMPARE(document.graph().toJson(), after); // same ids again
}

void TestUndo::malformedPastePushesNothing() {
    Document document;
    QString error;
    const QJsonObject malformed{{QStringLiteral("nodes"), QStringLiteral("not a list")}};
    QVERIFY(document.paste(malformed, {}, {}, &error).isEmpty());
    QVERIFY(!error.isEmpty());
    QCOMPARE(document.undoStack()->count(), 0);
}

void TestUndo::autoLayoutIsOneUndoableStep() {
    Document document;
    const Chain chain = buildChain(document);
    document.moveNodes({{chain.input, QPointF(600, 300)}, {chain.output, QPointF(-200, 120)}});
    const QJsonObject scattered = document.graph().toJson();
    const int steps = document.undoStack()->count();
    document.autoLayout();
    QCOMPARE(document.undoStack()->count(), steps + 1); // not merged into the move
    QCOMPARE(document.undoStack()->undoText(), QStringLiteral("Auto-layout"));
    const Graph& graph = document.graph();
    QVERIFY(graph.node(chain.input).position.x() < graph.node(chain.resnet).position.x());
    QVERIFY(graph.node(chain.resnet).position.x() < graph.node(chain.dense).position.x());
    QVERIFY(graph.node(chain.dense).position.x() < graph.node(chain.output).position.x());
    QCOMPARE(graph.node(chain.input).position.y(), graph.node(chain.output).position.y());
    document.autoLayout(); // already laid out: nothing to do
    QCOMPARE(document.undoStack()->count(), steps + 1);
    document.undoStack()->undo();
    QCOMPARE(document.graph().toJson(), scattered);
}

void TestUndo::autoLayoutPlacesLayersLeftToRight() {
    // A diamond: input → a, input → b, a → sum?  Dense has one input, so use two branches
    // that end in two outputs: layers 0, 1, 2 with two cards in layers 1 and 2.
    Graph graph;
    const NodeId input = graph.addNode(component::Input, {500, 500});
    const NodeId a = graph.addNode(component::Flatten, {0, 0});
    const NodeId b = graph.addNode(component::GlobalAvgPool, {0, 0});
    const NodeId c = graph.addNode(component::Dense, {0, 0});
    graph.addLink({input, 0}, {a, 0});
    graph.addLink({input, 0}, {b, 0});
    graph.addLink({b, 0}, {c, 0});
    const tc::ui::LayoutSpacing spacing;
    const QHash<NodeId, QPointF> positions = tc::ui::autoLayoutPositions(graph, spacing);
    QCOMPARE(positions.size(), 4);
    // Anchored at the graph's top-left corner (0, 0 here).
    QCOMPARE(positions.value(input).x(), 0.0);
    QCOMPARE(positions.value(a).x(), spacing.column);
    QCOMPARE(positions.value(b).x(), spacing.column);
    QCOMPARE(positions.value(c).x(), 2 * spacing.column);
    QCOMPARE(std::abs(positions.value(a).y() - positions.value(b).y()), spacing.row);
    // c follows its predecessor b's row.
    QCOMPARE(positions.value(c).y(), positions.value(b).y());
    for (const QPointF& point : positions) {
        QCOMPARE(std::fmod(point.x(), spacing.grid), 0.0);
        QCOMPARE(std::fmod(point.y(), spacing.grid), 0.0);
    }
}

void TestUndo::modifiedFollowsCleanState() {
    Document document;
    QSignalSpy modified(&document, &Document::modifiedChanged);
    QVERIFY(!document.isModified());
    const NodeId id = document.addNode(component::Dense, {0, 0});
    QVERIFY(document.isModified());
    QCOMPARE(modified.count(), 1);
    QCOMPARE(modified.last().at(0).toBool(), true);
    document.undoStack()->undo();
    QVERIFY(!document.isModified()); // back at the clean state
    document.undoStack()->redo();

    QTemporaryDir directory;
    QString error;
    const QString path = directory.filePath(QStringLiteral("model.tcproj"));
    QVERIFY2(document.save(path, &error), qPrintable(error));
    QVERIFY(!document.isModified());
    QCOMPARE(document.filePath(), QFileInfo(path).absoluteFilePath());
    QCOMPARE(document.displayName(), QStringLiteral("model.tcproj"));
    document.setParameter(id, QStringLiteral("units"), 3);
    QVERIFY(document.isModified());
    document.undoStack()->undo();
    QVERIFY(!document.isModified());
    document.undoStack()->undo(); // before the save point: modified again
    QVERIFY(document.isModified());

    Document recovered;
    recovered.markUnsaved(); // a recovered document is modified until saved
    QVERIFY(recovered.isModified());
}

void TestUndo::settingsSectionIsUndoable() {
    Document document;
    QSignalSpy sections(&document, &Document::sectionChanged);
    QSignalSpy validation(&document, &Document::validationChanged);
    const QJsonObject split{{QStringLiteral("train"), 80}, {QStringLiteral("test"), 20}};
    document.setSection(tc::ui::ProjectSection::Split, split);
    QCOMPARE(document.project().split(), split);
    QVERIFY(document.isModified());
    QCOMPARE(sections.count(), 1);
    QVERIFY(validation.count() >= 1);
    document.undoStack()->undo();
    QCOMPARE(document.project().split(), QJsonObject());
    QVERIFY(!document.isModified());
}

void TestUndo::bindingADatasetIsOneUndoStep() {
    Document document;
    const Chain chain = buildChain(document);
    const QJsonObject graphBefore = document.graph().toJson();
    const int steps = document.undoStack()->count();
    const QJsonObject dataset{{QStringLiteral("path"), QStringLiteral("labels.csv")}};
    const QJsonObject split{{QStringLiteral("train"), 70}, {QStringLiteral("test"), 30}};
    const QJsonObject preprocessing{{QStringLiteral("height"), 200},
                                    {QStringLiteral("width"), 300}};
    document.bindDataset(dataset, split, preprocessing, 200, 300);

    QCOMPARE(document.undoStack()->count(), steps + 1);
    QCOMPARE(document.undoStack()->undoText(), QStringLiteral("Bind Data Set"));
    QCOMPARE(document.project().dataset(), dataset);
    QCOMPARE(document.project().split(), split);
    QCOMPARE(document.project().preprocessing(), preprocessing);
    const QVariantMap input = document.graph().findNode(chain.input)->parameters;
    QCOMPARE(input.value(QStringLiteral("channels")).toInt(), 3);
    QCOMPARE(input.value(QStringLiteral("height")).toInt(), 200);
    QCOMPARE(input.value(QStringLiteral("width")).toInt(), 300);
    QCOMPARE(document.validation().shapes.value(chain.input), (tc::graph::Shape{3, 200, 300}));

    document.undoStack()->undo();
    QCOMPARE(document.graph().toJson(), graphBefore);
    QCOMPARE(document.project().dataset(), QJsonObject());
    QCOMPARE(document.project().preprocessing(), QJsonObject());
    document.undoStack()->redo();
    QCOMPARE(document.project().split(), split);
    QCOMPARE(document.graph().findNode(chain.input)->parameters.value(QStringLiteral("width")),
             QVariant(300));
}

void TestUndo::everythingUndoneAndRedone() {
    Document document;
    buildChain(document);
    document.setParameter(document.graph().nodeIds().at(2), QStringLiteral("units"), 2);
    document.moveNodes({{document.graph().nodeIds().at(0), QPointF(-40, 80)}});
    document.autoLayout();
    const QJsonObject built = document.graph().toJson();
    undoAll(document.undoStack());
    QVERIFY(document.graph().isEmpty());
    redoAll(document.undoStack());
    QCOMPARE(document.graph().toJson(), built);
}

QTEST_MAIN(TestUndo)
#include "tst_undo.moc"
