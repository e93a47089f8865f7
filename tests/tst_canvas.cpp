// The canvas the way a user works it, offscreen: palette drags dropped onto the view, links
// drawn by mouse drags between ports, cards dragged, rubber-band selection, zoom and pan,
// undo and redo of everything, save and reopen.

#include "core/graph/ComponentRegistry.h"
#include "core/graph/Project.h"
#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/CanvasView.h"
#include "ui/canvas/LinkItem.h"
#include "ui/canvas/NodeItem.h"
#include "ui/canvas/PortItem.h"
#include "ui/editor/Document.h"
#include "ui/editor/InspectorWidget.h"
#include "ui/editor/PaletteWidget.h"
#include "ui/editor/ProblemsWidget.h"
#include "ui/MainWindow.h"

#include <memory>
#include <QComboBox>
#include <QLabel>
#include <QMimeData>
#include <QSpinBox>
#include <QStatusBar>
#include <QTreeWidget>
#include <QtTest>
#include <QUndoStack>

using tc::graph::Graph;
using tc::graph::InvalidId;
using tc::graph::LinkId;
using tc::graph::NodeId;
using tc::graph::PortRef;
using tc::ui::CanvasScene;
using tc::ui::CanvasView;
using tc::ui::MainWindow;
using tc::ui::NodeItem;
using tc::ui::PortItem;
namespace component = tc::graph::component;

namespace {

/// A window big enough for the flagship graph at half zoom, with no prompt that could block.
std::unique_ptr<MainWindow> makeWindow() {
    auto window = std::make_unique<MainWindow>();
    window->setSavePrompt([](const QString&) { return MainWindow::SaveChoice::Discard; });
    window->setRecoveryPrompt([](const tc::ui::RecoveryCandidate&) { return false; });
    window->setSavePathPrompt([](const QString&) { return QString(); });
    window->resize(1600, 1000);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return nullptr;
    CanvasView* view = window->canvasView();
    view->setZoom(0.5, view->viewport()->rect().center());
    view->centerOn(QPointF(640, 40));
    return window;
}

/// Drops a palette entry's drag data on the canvas at a viewport position, as a drag from
/// the palette ends. Returns whether the view accepted the drop.
bool dropComponent(MainWindow& window, const QString& type, const QPoint& at) {
    const std::unique_ptr<QMimeData> data(window.paletteWidget()->mimeDataFor(type));
    if (!data)
        return false;
    QWidget* viewport = window.canvasView()->viewport();
    QDragEnterEvent enter(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &enter);
    if (!enter.isAccepted())
        return false;
    QDragMoveEvent move(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
    QDropEvent drop(QPointF(at), Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &drop);
    return drop.isAccepted();
}

QPoint toView(const CanvasView* view, const QPointF& scenePoint) {
    return view->mapFromScene(scenePoint);
}

/// A left-button drag in the canvas between two scene points, with intermediate moves.
void dragInCanvas(CanvasView* view, const QPointF& from, const QPointF& to,
                  Qt::KeyboardModifiers modifiers = {}) {
    QWidget* viewport = view->viewport();
    const QPoint a = toView(view, from);
    const QPoint b = toView(view, to);
    QTest::mousePress(viewport, Qt::LeftButton, modifiers, a);
    QTest::mouseMove(viewport, a + (b - a) / 3);
    QTest::mouseMove(viewport, a + 2 * (b - a) / 3);
    QTest::mouseMove(viewport, b);
    QTest::mouseRelease(viewport, Qt::LeftButton, modifiers, b);
}

/// Draws a link by mouse from an output port to an input port.
void wire(MainWindow& window, NodeId from, NodeId to, int toPort = 0) {
    CanvasScene* scene = window.canvasScene();
    dragInCanvas(window.canvasView(), scene->nodeItem(from)->outputPort(0)->scenePos(),
                 scene->nodeItem(to)->inputPort(toPort)->scenePos());
}

/// Where a card's body (not a port) can be grabbed.
QPointF cardGrip(const NodeItem* item) {
    return item->scenePos() + QPointF(NodeItem::Width / 2, 22);
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

class TestCanvas : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void buildsTheFlagshipGraphByMouse();
    void rejectedLinks_data();
    void rejectedLinks();
    void linkDragDimsPortsThatCannotAccept();
    void dragFromInputLinksBackwards();
    void draggingCardsMovesTheModelAndMerges();
    void rubberBandSelects();
    void arrowKeysNudgeTheSelection();
    void deleteSelectionWithLinksAndUndo();
    void copyPasteAndDuplicate();
    void autoLayoutFromTheMenu();
    void zoomsAroundTheCursor();
    void pansWithMiddleButtonAndSpace();
    void fitShowsTheWholeGraph();
    void problemsAreMarkedOnCards();
    void problemsListSelectsItsNode();
    void paletteSearchFilters();
    void exampleProjectShowsShapes();
    void canvasFollowsThePalette();
    void linkIntoVariadicPortWithUndo();
    void twoBranchExampleShowsItsBranches();

private:
    QTemporaryDir m_directory;
};

void TestCanvas::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TorchCanvasTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_canvas"));
    QSettings().clear();
    QVERIFY(m_directory.isValid());
}

void TestCanvas::buildsTheFlagshipGraphByMouse() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    CanvasView* view = window->canvasView();
    CanvasScene* scene = window->canvasScene();
    tc::ui::Document* document = window->document();

    // Drop the components left to right, 240 scene units apart, as a user would.
    const QStringList types = {component::Input, component::ResNet, component::Dense,
                               component::Dense, component::Dense,  component::Output};
    QList<NodeId> ids;
    for (int i = 0; i < types.size(); ++i) {
        const QPointF centre(i * 240 + NodeItem::Width / 2, NodeItem::Height / 2);
        const QPoint at = toView(view, centre);
        QVERIFY2(dropComponent(*window, types[i], at), qPrintable(types[i]));
        QCOMPARE(document->graph().nodeCount(), i + 1);
        const NodeId id = document->graph().nodeIds().constLast();
        ids.append(id);
        // The card is centred on the drop point and snapped to the grid.
        const QPointF expected =
            scene->snap(view->mapToScene(at) - QPointF(NodeItem::Width / 2, NodeItem::Height / 2));
        QCOMPARE(document->graph().node(id).position, expected);
        QCOMPARE(scene->nodeItem(id)->pos(), expected);
        // The new card is selected, so the inspector shows it.
        QCOMPARE(scene->selectedNodeIds(), QList<NodeId>{id});
        QCOMPARE(window->inspector()->currentNode(), id);

        if (i == 3 || i == 4) { // the second and third Dense: set them up in the inspector
            auto* units =
                qobject_cast<QSpinBox*>(window->inspector()->editor(QStringLiteral("units")));
            QVERIFY(units);
            units->setValue(i == 3 ? 64 : 2);
        }
        if (i == 4) {
            auto* activation =
                qobject_cast<QComboBox*>(window->inspector()->editor(QStringLiteral("activation")));
            QVERIFY(activation);
            const int softmax = activation->findData(QStringLiteral("softmax"));
            activation->setCurrentIndex(softmax);
            Q_EMIT activation->activated(softmax);
        }
    }

    for (int i = 0; i + 1 < ids.size(); ++i)
        wire(*window, ids[i], ids[i + 1]);
    QCOMPARE(document->graph().linkCount(), 5);
    for (int i = 0; i + 1 < ids.size(); ++i) {
        const QList<tc::graph::LinkId> into = document->graph().linksInto({ids[i + 1], 0});
        QCOMPARE(into.size(), 1);
        QCOMPARE(document->graph().link(into.first()).from, (tc::graph::PortRef{ids[i], 0}));
    }
    QVERIFY(window->statusBar()->currentMessage().startsWith(QStringLiteral("Linked")));

    // The model and the cards agree on the inferred shapes.
    const tc::graph::Validation& validation = document->validation();
    QVERIFY2(validation.errorCount() == 0,
             qPrintable(validation.problems.isEmpty() ? QString()
                                                      : validation.problems.first().message));
    const QStringList shapes = {QStringLiteral("[3, 224, 224]"), QStringLiteral("[2048]"),
                                QStringLiteral("[128]"),         QStringLiteral("[64]"),
                                QStringLiteral("[2]"),           QStringLiteral("[2]")};
    for (int i = 0; i < ids.size(); ++i) {
        QCOMPARE(tc::graph::shapeToString(validation.shape(ids[i])), shapes[i]);
        QCOMPARE(scene->nodeItem(ids[i])->shapeText(), shapes[i]);
    }
    QCOMPARE(scene->nodeItem(ids[1])->subtitle(), QStringLiteral("ResNet50 · frozen · avg"));
    QCOMPARE(scene->nodeItem(ids[2])->subtitle(), QStringLiteral("128 · ReLU"));
    QCOMPARE(scene->nodeItem(ids[4])->subtitle(), QStringLiteral("2 · Softmax"));
    QCOMPARE(scene->linkItems().size(), 5);
    QVERIFY(window->isWindowModified());

    // Undo everything: an empty canvas. Redo everything: the same graph.
    const QJsonObject built = document->graph().toJson();
    undoAll(document->undoStack());
    QVERIFY(document->graph().isEmpty());
    QVERIFY(scene->nodeItems().isEmpty());
    QVERIFY(scene->linkItems().isEmpty());
    QVERIFY(!window->isWindowModified());
    redoAll(document->undoStack());
    QCOMPARE(document->graph().toJson(), built);
    QCOMPARE(scene->nodeItems().size(), 6);
    QCOMPARE(scene->linkItems().size(), 5);
    QCOMPARE(scene->nodeItem(ids[1])->shapeText(), QStringLiteral("[2048]"));

    // Save, close, reopen: the same graph.
    const QString path = m_directory.filePath(QStringLiteral("flagship.tcproj"));
    QVERIFY(window->saveProjectAs(path));
    QVERIFY(!window->isWindowModified());
    QCOMPARE(window->windowTitle(), QStringLiteral("flagship.tcproj[*] — TorchCanvas"));
    QVERIFY(window->closeProject());
    QVERIFY(window->graph().isEmpty());
    QVERIFY(scene->nodeItems().isEmpty());
    QVERIFY(window->openProject(path));
    QCOMPARE(window->graph().toJson(), built);
    QCOMPARE(scene->nodeItems().size(), 6);
    QVERIFY(!window->isWindowModified());
    QCOMPARE(window->recentFiles().value(0), QFileInfo(path).absoluteFilePath());
}

void TestCanvas::rejectedLinks_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("reason");
    QTest::newRow("cycle") << QStringLiteral("cycle")
                           << QStringLiteral("this link would create a cycle");
    QTest::newRow("type mismatch")
        << QStringLiteral("mismatch") << QStringLiteral("Conv2D needs an image-like input");
    QTest::newRow("occupied single input")
        << QStringLiteral("occupied")
        << QStringLiteral("is already connected; remove that link first");
}

void TestCanvas::rejectedLinks() {
    QFETCH(QString, kind);
    QFETCH(QString, reason);
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    NodeId from = InvalidId;
    NodeId to = InvalidId;
    if (kind == QLatin1String("cycle")) {
        const NodeId a = document->addNode(component::Dense, {0, 0});
        const NodeId b = document->addNode(component::Dense, {240, 0});
        const NodeId c = document->addNode(component::Dense, {480, 0});
        QVERIFY(document->addLink({a, 0}, {b, 0}) != InvalidId);
        QVERIFY(document->addLink({b, 0}, {c, 0}) != InvalidId);
        from = c;
        to = a;
    } else if (kind == QLatin1String("mismatch")) {
        from = document->addNode(component::Dense, {0, 0});
        to = document->addNode(component::Conv2D, {240, 0});
    } else {
        const NodeId first = document->addNode(component::Input, {0, 0});
        from = document->addNode(component::Input, {0, 140});
        to = document->addNode(component::ResNet, {240, 0});
        QVERIFY(document->addLink({first, 0}, {to, 0}) != InvalidId);
    }
    const int links = document->graph().linkCount();
    const int steps = document->undoStack()->count();

    CanvasView* view = window->canvasView();
    CanvasScene* scene = window->canvasScene();
    PortItem* source = scene->nodeItem(from)->outputPort(0);
    PortItem* target = scene->nodeItem(to)->inputPort(0);
    QWidget* viewport = view->viewport();
    const QPoint a = toView(view, source->scenePos());
    const QPoint b = toView(view, target->scenePos());
    QTest::mousePress(viewport, Qt::LeftButton, {}, a);
    QTest::mouseMove(viewport, (a + b) / 2);
    QCOMPARE(target->state(), PortItem::State::Dimmed);
    QTest::mouseMove(viewport, b);
    QCOMPARE(target->state(), PortItem::State::Rejected);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, b);

    QCOMPARE(document->graph().linkCount(), links);
    QCOMPARE(document->undoStack()->count(), steps);
    const QString message = window->statusBar()->currentMessage();
    QVERIFY2(message.startsWith(QStringLiteral("Cannot link")), qPrintable(message));
    QVERIFY2(message.contains(reason), qPrintable(message));
    QCOMPARE(target->state(), PortItem::State::Normal);
}

void TestCanvas::linkDragDimsPortsThatCannotAccept() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId dense = document->addNode(component::Dense, {0, 0});
    const NodeId next = document->addNode(component::Dense, {240, 0});
    const NodeId conv = document->addNode(component::Conv2D, {240, 140});
    CanvasView* view = window->canvasView();
    CanvasScene* scene = window->canvasScene();
    QWidget* viewport = view->viewport();
    const QPoint start = toView(view, scene->nodeItem(dense)->outputPort(0)->scenePos());
    QTest::mousePress(viewport, Qt::LeftButton, {}, start);
    QTest::mouseMove(viewport, start + QPoint(40, 60));
    QVERIFY(scene->isInteracting());
    QCOMPARE(scene->nodeItem(next)->inputPort(0)->state(), PortItem::State::Candidate);
    QCOMPARE(scene->nodeItem(conv)->inputPort(0)->state(), PortItem::State::Dimmed);
    QCOMPARE(scene->nodeItem(dense)->inputPort(0)->state(), PortItem::State::Dimmed); // cycle
    QCOMPARE(scene->nodeItem(next)->outputPort(0)->state(), PortItem::State::Dimmed);
    // A preview curve follows the cursor.
    int previews = 0;
    for (QGraphicsItem* item : scene->items()) {
        if (item->type() == tc::ui::LinkItem::Type &&
            static_cast<tc::ui::LinkItem*>(item)->linkId() == InvalidId)
            ++previews;
    }
    QCOMPARE(previews, 1);
    // Released on empty canvas: nothing happens, everything is back to normal.
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, start + QPoint(40, 60));
    QVERIFY(!scene->isInteracting());
    QCOMPARE(document->graph().linkCount(), 0);
    QCOMPARE(scene->nodeItem(conv)->inputPort(0)->state(), PortItem::State::Normal);
    QCOMPARE(scene->items().size(), 3 + 3 * 2); // three cards with two ports each
}

void TestCanvas::dragFromInputLinksBackwards() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId input = document->addNode(component::Input, {0, 0});
    const NodeId resnet = document->addNode(component::ResNet, {240, 0});
    CanvasScene* scene = window->canvasScene();
    dragInCanvas(window->canvasView(), scene->nodeItem(resnet)->inputPort(0)->scenePos(),
                 scene->nodeItem(input)->outputPort(0)->scenePos());
    QCOMPARE(document->graph().linkCount(), 1);
    const tc::graph::Link link = document->graph().link(document->graph().linkIds().first());
    QCOMPARE(link.from, (tc::graph::PortRef{input, 0}));
    QCOMPARE(link.to, (tc::graph::PortRef{resnet, 0}));
}

void TestCanvas::draggingCardsMovesTheModelAndMerges() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId a = document->addNode(component::Dense, {0, 0});
    const NodeId b = document->addNode(component::Dense, {240, 0});
    QVERIFY(document->addLink({a, 0}, {b, 0}) != InvalidId);
    CanvasScene* scene = window->canvasScene();
    CanvasView* view = window->canvasView();
    const int steps = document->undoStack()->count();

    const QPointF grip = cardGrip(scene->nodeItem(b));
    dragInCanvas(view, grip, grip + QPointF(93, 47));
    // Snapped to the grid, in the model too.
    const QPointF moved = document->graph().node(b).position;
    QCOMPARE(moved, scene->snap(QPointF(240 + 93, 47)));
    QCOMPARE(scene->nodeItem(b)->pos(), moved);
    QCOMPARE(document->undoStack()->count(), steps + 1);
    // The link followed the card.
    tc::ui::LinkItem* link = scene->linkItems().first();
    QVERIFY(link->boundingRect().contains(scene->nodeItem(b)->inputPort(0)->scenePos()));

    // A second drag of the same card merges into the same undo step.
    const QPointF grip2 = cardGrip(scene->nodeItem(b));
    dragInCanvas(view, grip2, grip2 + QPointF(0, 100));
    QCOMPARE(document->undoStack()->count(), steps + 1);
    QVERIFY(document->graph().node(b).position.y() > moved.y());
    document->undoStack()->undo();
    QCOMPARE(document->graph().node(b).position, QPointF(240, 0));
    QCOMPARE(scene->nodeItem(b)->pos(), QPointF(240, 0));

    // Several selected cards move together, as one step.
    scene->selectNodes({a, b});
    const QPointF grip3 = cardGrip(scene->nodeItem(a));
    dragInCanvas(view, grip3, grip3 + QPointF(0, 200));
    QCOMPARE(document->graph().node(a).position, QPointF(0, 200));
    QCOMPARE(document->graph().node(b).position, QPointF(240, 200));
    QCOMPARE(document->undoStack()->undoText(), QStringLiteral("Move 2 components"));
}

void TestCanvas::rubberBandSelects() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId a = document->addNode(component::Dense, {0, 0});
    const NodeId b = document->addNode(component::Dense, {240, 0});
    const NodeId c = document->addNode(component::Dense, {480, 300});
    CanvasScene* scene = window->canvasScene();
    dragInCanvas(window->canvasView(), QPointF(-60, -60), QPointF(300, 40));
    QCOMPARE(scene->selectedNodeIds(), (QList<NodeId>{a, b}));
    // With Ctrl the band adds to the selection.
    dragInCanvas(window->canvasView(), QPointF(460, 280), QPointF(500, 320), Qt::ControlModifier);
    QCOMPARE(scene->selectedNodeIds(), (QList<NodeId>{a, b, c}));
    // A click on empty canvas clears it.
    dragInCanvas(window->canvasView(), QPointF(-200, 400), QPointF(-200, 400));
    QVERIFY(scene->selectedNodeIds().isEmpty());
}

void TestCanvas::arrowKeysNudgeTheSelection() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId a = document->addNode(component::Dense, {0, 0});
    const NodeId b = document->addNode(component::Dense, {240, 0});
    window->canvasScene()->selectNodes({a});
    CanvasView* view = window->canvasView();
    view->setFocus();
    const int steps = document->undoStack()->count();
    QTest::keyClick(view, Qt::Key_Right);
    QTest::keyClick(view, Qt::Key_Down, Qt::ShiftModifier);
    QCOMPARE(document->graph().node(a).position,
             QPointF(CanvasScene::GridSize, 5 * CanvasScene::GridSize));
    QCOMPARE(document->graph().node(b).position, QPointF(240, 0));
    QCOMPARE(document->undoStack()->count(), steps + 1); // merged
    document->undoStack()->undo();
    QCOMPARE(window->canvasScene()->nodeItem(a)->pos(), QPointF(0, 0));
}

void TestCanvas::deleteSelectionWithLinksAndUndo() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId a = document->addNode(component::Input, {0, 0});
    const NodeId b = document->addNode(component::ResNet, {240, 0});
    const NodeId c = document->addNode(component::Dense, {480, 0});
    QVERIFY(document->addLink({a, 0}, {b, 0}) != InvalidId);
    const tc::graph::LinkId bc = document->addLink({b, 0}, {c, 0});
    const QJsonObject before = document->graph().toJson();
    auto* remove = window->findChild<QAction*>(QStringLiteral("actionDelete"));
    QVERIFY(remove);

    window->canvasScene()->selectNodes({b});
    QVERIFY(remove->isEnabled());
    remove->trigger();
    QCOMPARE(document->graph().nodeCount(), 2);
    QCOMPARE(document->graph().linkCount(), 0);
    QCOMPARE(window->canvasScene()->linkItems().size(), 0);
    // Both ports that lost their link look unconnected again: a new link is accepted.
    document->undoStack()->undo();
    QCOMPARE(document->graph().toJson(), before);
    QCOMPARE(window->canvasScene()->linkItems().size(), 2);

    // A link alone can be selected (by clicking it) and deleted.
    tc::ui::LinkItem* link = window->canvasScene()->linkItem(bc);
    QVERIFY(link);
    const QPointF middle = link->shape().boundingRect().center();
    QTest::mouseClick(window->canvasView()->viewport(), Qt::LeftButton, {},
                      toView(window->canvasView(), link->mapToScene(middle)));
    QCOMPARE(window->canvasScene()->selectedLinkIds(), QList<tc::graph::LinkId>{bc});
    remove->trigger();
    QCOMPARE(document->graph().linkCount(), 1);
    QCOMPARE(document->graph().nodeCount(), 3);
    QCOMPARE(document->undoStack()->undoText(), QStringLiteral("Remove link"));
    document->undoStack()->undo();
    QCOMPARE(document->graph().toJson(), before);
}

void TestCanvas::copyPasteAndDuplicate() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId a = document->addNode(component::Dense, {0, 0});
    const NodeId b = document->addNode(component::Dense, {240, 0}, {{QStringLiteral("units"), 7}});
    QVERIFY(document->addLink({a, 0}, {b, 0}) != InvalidId);
    CanvasScene* scene = window->canvasScene();
    scene->selectNodes({a, b});
    window->findChild<QAction*>(QStringLiteral("actionCopy"))->trigger();
    auto* paste = window->findChild<QAction*>(QStringLiteral("actionPaste"));
    QVERIFY(paste->isEnabled());
    paste->trigger();
    QCOMPARE(document->graph().nodeCount(), 4);
    QCOMPARE(document->graph().linkCount(), 2);
    const QList<NodeId> pasted = scene->selectedNodeIds();
    QCOMPARE(pasted.size(), 2);
    QCOMPARE(document->graph().node(pasted[1]).parameters.value(QStringLiteral("units")),
             QVariant(7));
    QCOMPARE(document->graph().node(pasted[0]).position, QPointF(40, 40));
    paste->trigger(); // a second paste lands further away
    QCOMPARE(document->graph().node(scene->selectedNodeIds().first()).position, QPointF(80, 80));
    document->undoStack()->undo();
    document->undoStack()->undo();
    QCOMPARE(document->graph().nodeCount(), 2);

    scene->selectNodes({b});
    window->findChild<QAction*>(QStringLiteral("actionDuplicate"))->trigger();
    QCOMPARE(document->graph().nodeCount(), 3);
    QCOMPARE(document->undoStack()->undoText(), QStringLiteral("Duplicate"));

    scene->selectNodes({a});
    window->findChild<QAction*>(QStringLiteral("actionCut"))->trigger();
    QVERIFY(!document->graph().containsNode(a));
    paste->trigger(); // a cut pastes back in place
    QCOMPARE(document->graph().node(scene->selectedNodeIds().first()).position, QPointF(0, 0));
}

void TestCanvas::autoLayoutFromTheMenu() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId a = document->addNode(component::Input, {400, 400});
    const NodeId b = document->addNode(component::ResNet, {0, 0});
    QVERIFY(document->addLink({a, 0}, {b, 0}) != InvalidId);
    window->findChild<QAction*>(QStringLiteral("actionAutoLayout"))->trigger();
    QVERIFY(document->graph().node(a).position.x() < document->graph().node(b).position.x());
    QCOMPARE(document->graph().node(a).position.y(), document->graph().node(b).position.y());
    QCOMPARE(window->canvasScene()->nodeItem(a)->pos(), document->graph().node(a).position);
    document->undoStack()->undo();
    QCOMPARE(document->graph().node(a).position, QPointF(400, 400));
    QCOMPARE(window->canvasScene()->nodeItem(a)->pos(), QPointF(400, 400));
}

void TestCanvas::zoomsAroundTheCursor() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    CanvasView* view = window->canvasView();
    const QPoint cursor = view->viewport()->rect().center() + QPoint(150, -80);
    const QPointF under = view->mapToScene(cursor);
    const qreal before = view->zoom();
    QWheelEvent wheel(QPointF(cursor), QPointF(view->viewport()->mapToGlobal(cursor)), QPoint(),
                      QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view->viewport(), &wheel);
    QVERIFY(view->zoom() > before * 1.1);
    const QPointF after = view->mapToScene(cursor);
    // Scroll positions are whole pixels: allow one pixel of rounding.
    QVERIFY2(QLineF(under, after).length() <= 1.5 / view->zoom(),
             qPrintable(QStringLiteral("%1,%2 vs %3,%4")
                            .arg(under.x())
                            .arg(under.y())
                            .arg(after.x())
                            .arg(after.y())));
    // Zoom is clamped.
    for (int i = 0; i < 40; ++i)
        view->zoomIn();
    QCOMPARE(view->zoom(), CanvasView::MaximumZoom);
    QCOMPARE(window->findChild<QLabel*>(QStringLiteral("zoomLabel"))->text(),
             QStringLiteral("300%"));
}

void TestCanvas::pansWithMiddleButtonAndSpace() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    document->addNode(component::Dense, {0, 0});
    CanvasView* view = window->canvasView();
    QWidget* viewport = view->viewport();
    const QPointF centre = view->visibleCentre();
    const QPoint start = viewport->rect().center() + QPoint(200, 200);
    QTest::mousePress(viewport, Qt::MiddleButton, {}, start);
    QTest::mouseMove(viewport, start + QPoint(-100, -50));
    QTest::mouseRelease(viewport, Qt::MiddleButton, {}, start + QPoint(-100, -50));
    const QPointF panned = view->visibleCentre() - centre;
    QVERIFY(std::abs(panned.x() - 100 / view->zoom()) <= 2 / view->zoom());
    QVERIFY(std::abs(panned.y() - 50 / view->zoom()) <= 2 / view->zoom());

    // Space + left drag pans too, and neither selects nor moves anything.
    view->setFocus();
    QTest::keyPress(view, Qt::Key_Space);
    const QPointF before = view->visibleCentre();
    QTest::mousePress(viewport, Qt::LeftButton, {}, start);
    QVERIFY(view->isPanning());
    QTest::mouseMove(viewport, start + QPoint(60, 0));
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, start + QPoint(60, 0));
    QTest::keyRelease(view, Qt::Key_Space);
    QVERIFY(view->visibleCentre().x() < before.x());
    QVERIFY(window->canvasScene()->selectedItems().isEmpty());
    QCOMPARE(document->undoStack()->count(), 1);
}

void TestCanvas::fitShowsTheWholeGraph() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    for (int i = 0; i < 8; ++i)
        document->addNode(component::Dense, {i * 240.0, (i % 3) * 300.0});
    CanvasView* view = window->canvasView();
    view->setZoom(3.0, view->viewport()->rect().center());
    window->findChild<QAction*>(QStringLiteral("actionFit"))->trigger();
    QVERIFY(view->zoom() <= CanvasView::MaximumFitZoom);
    const QRect visible = view->viewport()->rect();
    for (NodeItem* item : window->canvasScene()->nodeItems()) {
        const QRect card = view->mapFromScene(item->sceneBoundingRect()).boundingRect();
        QVERIFY(visible.contains(card));
    }
}

void TestCanvas::problemsAreMarkedOnCards() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId dense = document->addNode(component::Dense, {0, 0});
    NodeItem* item = window->canvasScene()->nodeItem(dense);
    const QList<tc::graph::Problem> problems = document->validation().problemsFor(dense);
    QVERIFY(!problems.isEmpty()); // its input is not connected
    QVERIFY(item->hasErrors());
    QCOMPARE(item->shapeText(), QStringLiteral("?"));
    QVERIFY(item->toolTip().contains(problems.first().message.toHtmlEscaped()));
    // Fixing it clears the mark.
    const NodeId input = document->addNode(component::Input, {-240, 0});
    document->addLink({input, 0}, {dense, 0});
    QVERIFY(!item->hasErrors());
    QCOMPARE(item->shapeText(), QStringLiteral("[128]"));
    document->undoStack()->undo();
    QVERIFY(item->hasErrors());
}

void TestCanvas::problemsListSelectsItsNode() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId dense = document->addNode(component::Dense, {0, 0});
    QTreeWidget* list = window->problems()->list();
    QTreeWidgetItem* row = nullptr;
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        if (list->topLevelItem(i)->text(0).contains(QStringLiteral("(#%1)").arg(dense)))
            row = list->topLevelItem(i);
    }
    QVERIFY(row);
    QVERIFY(window->canvasScene()->selectedNodeIds().isEmpty());
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(row).center());
    QCOMPARE(window->canvasScene()->selectedNodeIds(), QList<NodeId>{dense});
    QCOMPARE(window->inspector()->currentNode(), dense);
}

void TestCanvas::paletteSearchFilters() {
    // The search matches names, categories and descriptions, case-insensitively.
    auto expected = [](const QString& text) {
        int count = 0;
        for (const tc::graph::ComponentSpec& spec :
             tc::graph::ComponentRegistry::instance().components()) {
            const QString haystack = spec.name + QLatin1Char('\n') + spec.category +
                                     QLatin1Char('\n') + spec.description;
            count += haystack.contains(text, Qt::CaseInsensitive) ? 1 : 0;
        }
        return count;
    };
    tc::ui::PaletteWidget palette;
    const int all = static_cast<int>(tc::graph::ComponentRegistry::instance().components().size());
    QCOMPARE(palette.visibleComponentCount(), all);
    palette.setFilterText(QStringLiteral("maxpool"));
    QCOMPARE(palette.visibleComponentCount(), 1);
    palette.setFilterText(QStringLiteral("POOL"));
    QCOMPARE(palette.visibleComponentCount(), expected(QStringLiteral("pool")));
    QVERIFY(palette.visibleComponentCount() >= 2);        // MaxPool2D, GlobalAvgPool, ...
    palette.setFilterText(QStringLiteral("Convolution")); // a category
    QCOMPARE(palette.visibleComponentCount(), expected(QStringLiteral("Convolution")));
    palette.setFilterText(QStringLiteral("no such thing"));
    QCOMPARE(palette.visibleComponentCount(), 0);
    palette.setFilterText(QString());
    QCOMPARE(palette.visibleComponentCount(), all);

    QVERIFY(palette.model()->indexOf(component::Dense).isValid());
    const std::unique_ptr<QMimeData> data(palette.mimeDataFor(component::Dense));
    QVERIFY(data->hasFormat(QStringLiteral("application/x-torchcanvas-component")));
    QVERIFY(!palette.mimeDataFor(QStringLiteral("NoSuchComponent")));
    // Category rows are not draggable.
    QVERIFY(!(palette.model()->flags(palette.model()->index(0, 0)) & Qt::ItemIsDragEnabled));
}

void TestCanvas::exampleProjectShowsShapes() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    QVERIFY(window->openProject(
        QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/breast-cancer.tcproj")));
    CanvasScene* scene = window->canvasScene();
    QCOMPARE(scene->nodeItems().size(), 6);
    QCOMPARE(scene->linkItems().size(), 5);
    qreal previousX = -1e9;
    for (NodeItem* item : scene->nodeItems()) {
        QVERIFY2(item->shapeText() != QLatin1String("?"), qPrintable(item->title()));
        QVERIFY(!item->hasErrors());
        QVERIFY(item->pos().x() > previousX); // laid out left to right
        previousX = item->pos().x();
    }
    QCOMPARE(scene->nodeItems().at(1)->shapeText(), QStringLiteral("[2048]"));
    // Opening fits the graph into the view.
    QTRY_VERIFY(window->canvasView()->viewport()->rect().contains(
        window->canvasView()->mapFromScene(scene->contentsRect()).boundingRect()));
}

void TestCanvas::canvasFollowsThePalette() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    window->setThemeMode(tc::ui::ThemeMode::Dark);
    QVERIFY(tc::ui::Theme::isDark(QApplication::palette()));
    QVERIFY(window->canvasScene()->colors().dark);
    QVERIFY(window->canvasScene()->colors().background.lightness() < 80);
    window->setThemeMode(tc::ui::ThemeMode::Light);
    QVERIFY(!window->canvasScene()->colors().dark);
    QVERIFY(window->canvasScene()->colors().background.lightness() > 180);
    QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("light"));
}

void TestCanvas::linkIntoVariadicPortWithUndo() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    tc::ui::Document* document = window->document();
    const NodeId a = document->addNode(component::Dense, {0, 0});
    const NodeId b = document->addNode(component::Dense, {0, 240});
    const NodeId join = document->addNode(component::Concatenate, {480, 120});
    const Graph& graph = document->graph();
    CanvasScene* scene = window->canvasScene();
    NodeItem* card = scene->nodeItem(join);
    QCOMPARE(card->inputPorts().size(), 1);
    const int steps = document->undoStack()->count();

    // By mouse: into the free port, and then into the one that appeared below it.
    wire(*window, a, join, 0);
    QCOMPARE(graph.linkCount(), 1);
    QCOMPARE(card->inputPorts().size(), 2);
    wire(*window, b, join, 1);
    QCOMPARE(graph.linkCount(), 2);
    QCOMPARE(card->inputPorts().size(), 3);
    QCOMPARE(document->undoStack()->count(), steps + 2);
    const QList<LinkId> links = graph.inputLinksByPort(join);
    QCOMPARE(graph.link(links[0]).from, (PortRef{a, 0}));
    QCOMPARE(graph.link(links[1]).from, (PortRef{b, 0}));
    QCOMPARE(graph.link(links[1]).to, (PortRef{join, 1}));
    // The ports are spaced evenly down the card's left edge.
    QVERIFY(card->inputPort(0)->pos().y() < card->inputPort(1)->pos().y());
    QVERIFY(card->inputPort(1)->pos().y() < card->inputPort(2)->pos().y());
    QCOMPARE(scene->linkItems().size(), 2);

    QUndoStack* stack = document->undoStack();
    stack->undo();
    QCOMPARE(graph.linkCount(), 1);
    QCOMPARE(card->inputPorts().size(), 2);
    QCOMPARE(scene->linkItems().size(), 1);
    stack->undo();
    QCOMPARE(graph.linkCount(), 0);
    QCOMPARE(card->inputPorts().size(), 1);
    QCOMPARE(scene->linkItems().size(), 0);
    stack->redo();
    stack->redo();
    QCOMPARE(graph.linkCount(), 2);
    QCOMPARE(card->inputPorts().size(), 3);
    QCOMPARE(scene->linkItems().size(), 2);
    // Redo restores the same links, ids and ports included.
    QCOMPARE(graph.inputLinksByPort(join), links);
    QCOMPARE(graph.link(links[1]).to, (PortRef{join, 1}));
    QList<LinkId> shown;
    for (const tc::ui::LinkItem* item : scene->linkItems())
        shown.append(item->linkId());
    std::sort(shown.begin(), shown.end());
    QCOMPARE(shown, links);
}

void TestCanvas::twoBranchExampleShowsItsBranches() {
    const std::unique_ptr<MainWindow> window = makeWindow();
    QVERIFY(window);
    QVERIFY(window->openProject(
        QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/two-branch.tcproj")));
    CanvasScene* scene = window->canvasScene();
    QCOMPARE(scene->nodeItems().size(), 7);
    QCOMPARE(scene->linkItems().size(), 7);
    for (NodeItem* item : scene->nodeItems()) {
        QVERIFY2(item->shapeText() != QLatin1String("?"), qPrintable(item->title()));
        QVERIFY2(!item->hasErrors(), qPrintable(item->title()));
    }
    NodeItem* join = scene->nodeItem(5);
    QCOMPARE(join->title(), QStringLiteral("Concatenate"));
    QCOMPARE(join->shapeText(), QStringLiteral("[192]"));
    QCOMPARE(join->inputPorts().size(), 3); // two links and the free port
    // The branches sit above and below the backbone's row.
    QVERIFY(scene->nodeItem(3)->pos().y() < scene->nodeItem(2)->pos().y());
    QVERIFY(scene->nodeItem(4)->pos().y() > scene->nodeItem(2)->pos().y());
    const QString directory = qEnvironmentVariable("TC_SCREENSHOT_DIR");
    if (!directory.isEmpty()) {
        window->canvasView()->fitToContents();
        QCoreApplication::processEvents();
        QVERIFY(window->canvasView()->grab().save(
            QDir(directory).filePath(QStringLiteral("two-branch.png"))));
    }
}

QTEST_MAIN(TestCanvas)
#include "tst_canvas.moc"
