// The application window, offscreen: menus, docks, views, geometry persistence, the title's
// modified mark, closing with unsaved changes, autosave and crash recovery, opening by drop,
// the theme, and the README / docs screenshots.

#include "core/graph/ComponentRegistry.h"
#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/CanvasView.h"
#include "ui/editor/Autosaver.h"
#include "ui/editor/Document.h"
#include "ui/editor/ExampleSetup.h"
#include "ui/editor/RecoveryStore.h"
#include "ui/MainWindow.h"

#include <memory>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>
#include <QtTest>
#include <QUndoStack>

using tc::ui::MainWindow;
namespace component = tc::graph::component;

namespace {

const QString kExample =
    QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/breast-cancer.tcproj");

/// Prompts that record what was asked and answer as told, so no test blocks on a dialog.
struct Prompts {
    MainWindow::SaveChoice answer = MainWindow::SaveChoice::Discard;
    bool recover = true;
    QStringList saveQuestions;
    QStringList recoveryQuestions;

    void install(MainWindow& window) {
        window.setSavePrompt([this](const QString& name) {
            saveQuestions << name;
            return answer;
        });
        window.setRecoveryPrompt([this](const tc::ui::RecoveryCandidate& candidate) {
            recoveryQuestions << candidate.name;
            return recover;
        });
        window.setSavePathPrompt([](const QString&) { return QString(); });
    }
};

QStringList menuTitles(const QMenu* menu) {
    QStringList titles;
    for (QAction* action : menu->actions()) {
        if (!action->isSeparator())
            titles << action->text().remove(QLatin1Char('&'));
    }
    return titles;
}

QMenu* topMenu(MainWindow& window, const QString& title) {
    for (QAction* action : window.menuBar()->actions()) {
        if (action->text().remove(QLatin1Char('&')) == title)
            return action->menu();
    }
    return nullptr;
}

void clearRecoveryFolder() {
    QDir(tc::ui::RecoveryStore::defaultDirectory()).removeRecursively();
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void hasMenusAndDocks();
    void menusHaveTheStandardShortcuts();
    void restoresGeometry();
    void addViewAddsTabs();
    void titleShowsTheModifiedMark();
    void closingWithChangesAsks_data();
    void closingWithChangesAsks();
    void openingAFileWithChangesAsks();
    void openingABadFileKeepsTheDocument();
    void openExampleSetsItUpInAWritableFolder();
    void dropOpensProjectFile();
    void autosaveWritesAndCleansUp();
    void recoversAfterACrash();
    void discardedRecoveryIsDeleted();
    void runningSessionsAreNotOrphans();
    void themeMenuSwitchesPalette();
    void saveScreenshots();

private:
    QTemporaryDir m_directory;
};

void TestMainWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TorchCanvasTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QSettings().clear();
    QVERIFY(m_directory.isValid());
}

void TestMainWindow::init() {
    clearRecoveryFolder();
}

void TestMainWindow::hasMenusAndDocks() {
    MainWindow window;
    QStringList titles;
    for (QAction* action : window.menuBar()->actions())
        titles << action->text().remove(QLatin1Char('&'));
    QCOMPARE(titles, (QStringList{QStringLiteral("File"), QStringLiteral("Edit"),
                                  QStringLiteral("View"), QStringLiteral("Data"),
                                  QStringLiteral("Train"), QStringLiteral("Help")}));
    QCOMPARE(window.dockWidgetArea(window.paletteDock()), Qt::LeftDockWidgetArea);
    QCOMPARE(window.dockWidgetArea(window.inspectorDock()), Qt::RightDockWidgetArea);
    QCOMPARE(window.dockWidgetArea(window.problemsDock()), Qt::BottomDockWidgetArea);
    QVERIFY(window.centralWidget() != nullptr);
    QCOMPARE(window.centralWidget(), window.views());
    QCOMPARE(window.views()->widget(0), window.canvasView());
    QCOMPARE(window.views()->tabText(0), QStringLiteral("Model"));

    QCOMPARE(menuTitles(topMenu(window, QStringLiteral("File"))),
             (QStringList{QStringLiteral("New"), QStringLiteral("Open…"),
                          QStringLiteral("Open Recent"), QStringLiteral("Save"),
                          QStringLiteral("Save As…"), QStringLiteral("Export Model…"),
                          QStringLiteral("Close"), QStringLiteral("Quit")}));
    const QStringList edit = menuTitles(topMenu(window, QStringLiteral("Edit")));
    for (const QString& entry :
         {QStringLiteral("Cut"), QStringLiteral("Copy"), QStringLiteral("Paste"),
          QStringLiteral("Duplicate"), QStringLiteral("Delete"), QStringLiteral("Select All")})
        QVERIFY2(edit.contains(entry), qPrintable(entry));
    QVERIFY(edit.first().startsWith(QStringLiteral("Undo")));
    const QStringList view = menuTitles(topMenu(window, QStringLiteral("View")));
    for (const QString& entry :
         {QStringLiteral("Zoom In"), QStringLiteral("Zoom Out"), QStringLiteral("Fit to View"),
          QStringLiteral("Auto-layout"), QStringLiteral("Theme")})
        QVERIFY2(view.contains(entry), qPrintable(entry));
    QVERIFY(window.mainToolBar()->actions().size() > 8);
    QVERIFY(window.trainMenu());
}

void TestMainWindow::menusHaveTheStandardShortcuts() {
    MainWindow window;
    const QList<std::pair<QString, QKeySequence>> expected = {
        {QStringLiteral("actionNew"), QKeySequence::New},
        {QStringLiteral("actionOpen"), QKeySequence::Open},
        {QStringLiteral("actionSave"), QKeySequence::Save},
        {QStringLiteral("actionSaveAs"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)},
        {QStringLiteral("actionClose"), QKeySequence::Close},
        {QStringLiteral("actionUndo"), QKeySequence::Undo},
        {QStringLiteral("actionRedo"), QKeySequence::Redo},
        {QStringLiteral("actionCut"), QKeySequence::Cut},
        {QStringLiteral("actionCopy"), QKeySequence::Copy},
        {QStringLiteral("actionPaste"), QKeySequence::Paste},
        {QStringLiteral("actionDelete"), QKeySequence::Delete},
        {QStringLiteral("actionSelectAll"), QKeySequence::SelectAll},
        {QStringLiteral("actionZoomIn"), QKeySequence::ZoomIn},
        {QStringLiteral("actionZoomOut"), QKeySequence::ZoomOut},
    };
    for (const auto& [name, key] : expected) {
        auto* action = window.findChild<QAction*>(name);
        QVERIFY2(action, qPrintable(name));
        QVERIFY2(action->shortcuts().contains(key), qPrintable(name));
    }
}

void TestMainWindow::restoresGeometry() {
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resize(913, 611);
        QTRY_COMPARE(window.size(), QSize(913, 611));
        window.close();
    }
    MainWindow reopened;
    QCOMPARE(reopened.size(), QSize(913, 611));
    QSettings().remove(QStringLiteral("mainWindow/geometry"));
}

void TestMainWindow::addViewAddsTabs() {
    MainWindow window;
    // The window comes with Model, Statistics and Test; more views go after them.
    QCOMPARE(window.views()->count(), 3);
    QCOMPARE(window.views()->tabText(1), QStringLiteral("Statistics"));
    QCOMPARE(window.views()->tabText(2), QStringLiteral("Test"));
    auto* statistics = new QLabel(QStringLiteral("more statistics"));
    auto* test = new QLabel(QStringLiteral("more tests"));
    QCOMPARE(window.addView(statistics, QIcon(), QStringLiteral("Statistics 2")), 3);
    QCOMPARE(window.addView(test, QIcon(), QStringLiteral("Test 2")), 4);
    QCOMPARE(window.views()->count(), 5);
    window.showView(test);
    QCOMPARE(window.views()->currentWidget(), test);
    // Opening or creating a project brings the model back to the front.
    Prompts prompts;
    prompts.install(window);
    QVERIFY(window.newProject());
    QCOMPARE(window.views()->currentWidget(), window.canvasView());
}

void TestMainWindow::titleShowsTheModifiedMark() {
    MainWindow window;
    Prompts prompts;
    prompts.install(window);
    QSignalSpy changed(&window, &MainWindow::documentChanged);
    QCOMPARE(window.windowTitle(), QStringLiteral("Untitled[*] — TorchCanvas"));
    QVERIFY(!window.isWindowModified());
    window.document()->addNode(component::Dense, {0, 0});
    QVERIFY(window.isWindowModified());
    window.undoStack()->undo();
    QVERIFY(!window.isWindowModified());
    window.undoStack()->redo();
    const QString path = m_directory.filePath(QStringLiteral("title.tcproj"));
    QVERIFY(window.saveProjectAs(path));
    QCOMPARE(window.windowTitle(), QStringLiteral("title.tcproj[*] — TorchCanvas"));
    QVERIFY(!window.isWindowModified());
    QVERIFY(window.openProject(kExample));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.last().at(0).value<tc::ui::Document*>(), window.document());
    QCOMPARE(window.windowTitle(), QStringLiteral("breast-cancer.tcproj[*] — TorchCanvas"));
    QVERIFY(prompts.saveQuestions.isEmpty()); // nothing was unsaved
}

void TestMainWindow::closingWithChangesAsks_data() {
    QTest::addColumn<int>("answer");
    QTest::addColumn<bool>("closes");
    QTest::addColumn<bool>("savedToFile");
    QTest::newRow("cancel") << static_cast<int>(MainWindow::SaveChoice::Cancel) << false << false;
    QTest::newRow("discard") << static_cast<int>(MainWindow::SaveChoice::Discard) << true << false;
    QTest::newRow("save") << static_cast<int>(MainWindow::SaveChoice::Save) << true << true;
}

void TestMainWindow::closingWithChangesAsks() {
    QFETCH(int, answer);
    QFETCH(bool, closes);
    QFETCH(bool, savedToFile);
    const QString path = m_directory.filePath(QStringLiteral("close.tcproj"));
    MainWindow window;
    Prompts prompts;
    prompts.answer = static_cast<MainWindow::SaveChoice>(answer);
    prompts.install(window);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.document()->addNode(component::Input, {0, 0});
    QVERIFY(window.saveProjectAs(path));
    window.document()->addNode(component::ResNet, {240, 0});
    window.autosaver()->saveNow();
    QVERIFY(!window.recoveryStore().currentFile().isEmpty());

    QCOMPARE(window.close(), closes);
    QCOMPARE(prompts.saveQuestions, QStringList{QStringLiteral("close.tcproj")});
    QCOMPARE(window.isVisible(), !closes);
    tc::graph::Project reloaded;
    QString error;
    QVERIFY2(reloaded.load(path, &error), qPrintable(error));
    QCOMPARE(reloaded.graph().nodeCount(), savedToFile ? 2 : 1);
    // Closing (saved or discarded) leaves nothing to recover; cancelling keeps the autosave.
    QCOMPARE(QFileInfo::exists(window.recoveryStore().currentFile()), !closes);
    if (!closes) {
        prompts.answer = MainWindow::SaveChoice::Discard;
        QVERIFY(window.close());
    }
}

void TestMainWindow::openingAFileWithChangesAsks() {
    MainWindow window;
    Prompts prompts;
    prompts.answer = MainWindow::SaveChoice::Cancel;
    prompts.install(window);
    window.document()->addNode(component::Dense, {0, 0});
    QVERIFY(!window.openProject(kExample));
    QCOMPARE(window.graph().nodeCount(), 1); // still the unsaved work
    prompts.answer = MainWindow::SaveChoice::Discard;
    QVERIFY(window.openProject(kExample));
    QCOMPARE(window.graph().nodeCount(), 6);
    QCOMPARE(prompts.saveQuestions.size(), 2);
}

void TestMainWindow::openingABadFileKeepsTheDocument() {
    MainWindow window;
    Prompts prompts;
    prompts.install(window);
    QVERIFY(window.openProject(kExample));
    const QString broken = m_directory.filePath(QStringLiteral("broken.tcproj"));
    {
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\n  \"format\": \"torchcanvas-project\",\n  \"version\": 1,\n  oops\n}\n");
    }
    QVERIFY(!window.openProject(broken));
    QCOMPARE(window.graph().nodeCount(), 6);
    const QString message = window.statusBar()->currentMessage();
    QVERIFY2(message.contains(QStringLiteral("broken.tcproj")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("line 4")), qPrintable(message));
    QVERIFY(!window.openProject(m_directory.filePath(QStringLiteral("missing.tcproj"))));
    QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("missing.tcproj")));
    // The error boxes are window-modal but do not block; close them.
    for (QWidget* box : window.findChildren<QWidget*>(QStringLiteral("errorBox")))
        box->close();
}

void TestMainWindow::openExampleSetsItUpInAWritableFolder() {
    // What Help › Open Example… does after the folder prompt, as an installed copy needs it:
    // data generated behind a progress dialog, the built-in project copied next to it, opened.
    MainWindow window;
    Prompts prompts;
    prompts.install(window);
    const QString folder = m_directory.filePath(QStringLiteral("my examples/TorchCanvas Example"));
    window.openExampleIn(folder);
    tc::ui::ExampleSetup* setup = window.exampleSetup();
    QVERIFY(setup);
    tc::data::SyntheticHistologyOptions small = setup->options();
    small.benign = 6;
    small.malignant = 8;
    small.width = 96;
    small.height = 64;
    small.patients = 4;
    // The first start used the full set: cancel it, which leaves no project behind.
    QSignalSpy failed(setup, &tc::ui::ExampleSetup::failed);
    QVERIFY(setup->isRunning());
    QVERIFY(setup->progressDialog());
    auto* cancel = setup->progressDialog()->findChild<QPushButton*>();
    QVERIFY(cancel);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.at(0).at(0).toString().isEmpty());
    QVERIFY(!setup->isRunning());
    QVERIFY(!QFileInfo::exists(tc::ui::ExampleSetup::projectPathIn(folder)));

    setup->setOptions(small);
    QSignalSpy ready(setup, &tc::ui::ExampleSetup::ready);
    window.openExampleIn(folder);
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 60000);
    const QString project = tc::ui::ExampleSetup::projectPathIn(folder);
    QCOMPARE(ready.at(0).at(0).toString(), project);
    QCOMPARE(window.document()->filePath(), project);
    QCOMPARE(window.graph().nodeCount(), 6);
    QCOMPARE(window.project().datasetSource(),
             QDir(folder).filePath(QStringLiteral("dataset.csv")));
    QVERIFY(QFileInfo::exists(window.project().datasetSource()));
    QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("Example set up in")),
             qPrintable(window.statusBar()->currentMessage()));

    // A second time, the set-up is reused as it is.
    QVERIFY(window.closeProject());
    window.openExampleIn(folder);
    QCOMPARE(ready.size(), 2);
    QCOMPARE(window.document()->filePath(), project);

    // A folder that cannot be made: one message naming it, the document untouched.
    QFile blocker(m_directory.filePath(QStringLiteral("a file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    window.openExampleIn(m_directory.filePath(QStringLiteral("a file/example")));
    QCOMPARE(failed.size(), 2);
    QVERIFY2(failed.at(1).at(0).toString().contains(QStringLiteral("a file/example")),
             qPrintable(failed.at(1).at(0).toString()));
    QCOMPARE(window.document()->filePath(), project);
    for (QWidget* box : window.findChildren<QWidget*>(QStringLiteral("errorBox")))
        box->close();
}

void TestMainWindow::dropOpensProjectFile() {
    MainWindow window;
    Prompts prompts;
    prompts.install(window);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(kExample)});
    // On the canvas…
    QWidget* viewport = window.canvasView()->viewport();
    const QPoint at = viewport->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &drop);
    QCOMPARE(window.graph().nodeCount(), 6);
    // …and anywhere else on the window.
    QVERIFY(window.newProject());
    QDragEnterEvent enterWindow(QPoint(5, 5), Qt::CopyAction, &data, Qt::LeftButton,
                                Qt::NoModifier);
    QApplication::sendEvent(&window, &enterWindow);
    QVERIFY(enterWindow.isAccepted());
    QDropEvent dropWindow(QPointF(5, 5), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &dropWindow);
    QCOMPARE(window.graph().nodeCount(), 6);
    // Other files are refused.
    QMimeData other;
    other.setUrls({QUrl::fromLocalFile(QStringLiteral("/tmp/picture.png"))});
    QDragEnterEvent refused(at, Qt::CopyAction, &other, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &refused);
    QVERIFY(!refused.isAccepted());
}

void TestMainWindow::autosaveWritesAndCleansUp() {
    MainWindow window;
    Prompts prompts;
    prompts.install(window);
    tc::ui::Autosaver* autosaver = window.autosaver();
    autosaver->setInterval(0);
    QSignalSpy autosaved(autosaver, &tc::ui::Autosaver::autosaved);
    QVERIFY(!autosaver->isPending());
    window.document()->addNode(component::Dense, {0, 0});
    QVERIFY(autosaver->isPending());
    QTRY_COMPARE(autosaved.count(), 1);
    const QString file = autosaved.last().at(0).toString();
    QVERIFY(QFileInfo::exists(file));
    QVERIFY(file.startsWith(tc::ui::RecoveryStore::defaultDirectory()));
    tc::graph::Project copy;
    QString error;
    QVERIFY2(copy.load(file, &error), qPrintable(error));
    QCOMPARE(copy.graph().toJson(), window.graph().toJson());
    // Undoing back to the clean state removes it.
    window.undoStack()->undo();
    QVERIFY(!QFileInfo::exists(file));
    window.undoStack()->redo();
    QTRY_COMPARE(autosaved.count(), 2);
    QVERIFY(window.saveProjectAs(m_directory.filePath(QStringLiteral("autosave.tcproj"))));
    QVERIFY(!QFileInfo::exists(autosaved.last().at(0).toString()));
}

void TestMainWindow::recoversAfterACrash() {
    QJsonObject lost;
    {
        // A session that "crashes": it autosaves, then goes away without cleaning up (its
        // lock is released as a dead process's would be).
        tc::ui::RecoveryStore store;
        std::unique_ptr<tc::ui::Document> document = tc::ui::Document::open(kExample, nullptr);
        QVERIFY(document);
        document->setParameter(3, QStringLiteral("units"), 256);
        lost = document->graph().toJson();
        QString error;
        QVERIFY2(store.write(*document, &error), qPrintable(error));
    }
    MainWindow window;
    Prompts prompts;
    prompts.recover = true;
    prompts.install(window);
    QVERIFY(window.offerRecovery());
    QCOMPARE(prompts.recoveryQuestions, QStringList{QStringLiteral("breast-cancer.tcproj")});
    QCOMPARE(window.graph().toJson(), lost);
    QVERIFY(window.isWindowModified()); // not saved yet
    QCOMPARE(window.document()->filePath(), QFileInfo(kExample).absoluteFilePath());
    // The orphan is gone; the recovered work is this session's recovery file now.
    QCOMPARE(tc::ui::RecoveryStore().orphans().size(), 0);
    QVERIFY(QFileInfo::exists(window.recoveryStore().currentFile()));
    QVERIFY(!window.offerRecovery());
    QCOMPARE(prompts.recoveryQuestions.size(), 1);
    prompts.answer = MainWindow::SaveChoice::Discard;
    QVERIFY(window.close());
}

void TestMainWindow::discardedRecoveryIsDeleted() {
    {
        tc::ui::RecoveryStore store;
        tc::ui::Document document;
        document.addNode(component::Dense, {0, 0});
        QVERIFY(store.write(document));
    }
    QCOMPARE(tc::ui::RecoveryStore().orphans().size(), 1);
    MainWindow window;
    Prompts prompts;
    prompts.recover = false;
    prompts.install(window);
    QVERIFY(!window.offerRecovery());
    QCOMPARE(prompts.recoveryQuestions, QStringList{QStringLiteral("Untitled")});
    QVERIFY(window.graph().isEmpty());
    QCOMPARE(tc::ui::RecoveryStore().orphans().size(), 0);
}

void TestMainWindow::runningSessionsAreNotOrphans() {
    tc::ui::RecoveryStore running;
    tc::ui::Document document;
    document.addNode(component::Dense, {0, 0});
    QVERIFY(running.write(document));
    // Another window started meanwhile must not offer this live session's work.
    QCOMPARE(tc::ui::RecoveryStore().orphans().size(), 0);
    running.discard();
    QVERIFY(!QFileInfo::exists(running.currentFile()));
}

void TestMainWindow::themeMenuSwitchesPalette() {
    MainWindow window;
    auto* dark = window.findChild<QAction*>(QStringLiteral("actionThemedark"));
    auto* light = window.findChild<QAction*>(QStringLiteral("actionThemelight"));
    auto* system = window.findChild<QAction*>(QStringLiteral("actionThemesystem"));
    QVERIFY(dark && light && system);
    dark->trigger();
    QVERIFY(dark->isChecked());
    QVERIFY(tc::ui::Theme::isDark(QApplication::palette()));
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
    QVERIFY(window.canvasScene()->colors().dark);
    QCOMPARE(tc::ui::Theme::storedMode(), tc::ui::ThemeMode::Dark);
    system->trigger();
    QVERIFY(!tc::ui::Theme::isDark(QApplication::palette()));
    QVERIFY(!window.canvasScene()->colors().dark);
    QCOMPARE(tc::ui::Theme::storedMode(), tc::ui::ThemeMode::System);
}

void TestMainWindow::saveScreenshots() {
    // The docs' screenshots: the example project in the editor, light and dark, and the
    // README's main window. Written under the build tree (build/tests/output) and copied to
    // docs/images by hand after looking at them. The project is copied next to a data set
    // file at the place it names, so that the editor shows the state a user sees after
    // generating the demo data.
    QTemporaryDir workspace;
    QVERIFY(workspace.isValid());
    QVERIFY(QDir(workspace.path()).mkpath(QStringLiteral("resources/examples")));
    QVERIFY(QDir(workspace.path()).mkpath(QStringLiteral("demo-data")));
    const QString project =
        workspace.filePath(QStringLiteral("resources/examples/breast-cancer.tcproj"));
    QVERIFY(QFile::copy(kExample, project));
    {
        QFile csv(workspace.filePath(QStringLiteral("demo-data/dataset.csv")));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("images,labels\n");
    }
    // With ResNet50's weights installed (a placeholder: only its presence is checked), as
    // on a machine that followed the first-run download; tst_weightsgui shows the warning.
    const QByteArray weightsFolder = qgetenv("TORCHCANVAS_WEIGHTS_DIR");
    const QString weights = workspace.filePath(QStringLiteral("weights"));
    QVERIFY(QDir().mkpath(weights));
    {
        QFile placeholder(weights + QStringLiteral("/resnet50-0676ba61.pth"));
        QVERIFY(placeholder.open(QIODevice::WriteOnly));
    }
    qputenv("TORCHCANVAS_WEIGHTS_DIR", QFile::encodeName(weights));
    auto restoreWeights = qScopeGuard([&] { qputenv("TORCHCANVAS_WEIGHTS_DIR", weightsFolder); });
    const QList<std::pair<tc::ui::ThemeMode, QString>> shots = {
        {tc::ui::ThemeMode::Light, QStringLiteral("editor")},
        {tc::ui::ThemeMode::Dark, QStringLiteral("editor-dark")},
    };
    for (const auto& [theme, name] : shots) {
        QSettings().remove(QStringLiteral("mainWindow/state")); // first-run dock sizes
        MainWindow window;
        Prompts prompts;
        prompts.install(window);
        window.setThemeMode(theme);
        window.resize(1680, 1050);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openProject(project));
        QCOMPARE(window.document()->validation().problems.size(), 0);
        // Show the inspector with the backbone, as a user looking at the model would.
        window.canvasScene()->selectNodes({2});
        QCoreApplication::processEvents();
        window.canvasView()->fitToContents();
        window.statusBar()->clearMessage();
        const QString directory = QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR "/");
        QVERIFY(window.grab().save(directory + name + QStringLiteral(".png")));
        // The canvas alone at 100 %, to judge the cards at their designed size.
        tc::ui::CanvasView* view = window.canvasView();
        view->resetZoom();
        view->centerOn(QPointF(360, 48));
        QVERIFY(view->grab().save(directory + name + QStringLiteral("-canvas.png")));
        if (theme == tc::ui::ThemeMode::Light) {
            window.canvasView()->fitToContents();
            QVERIFY(window.grab().save(directory + QStringLiteral("mainwindow.png")));
        }
    }
    MainWindow reset;
    reset.setThemeMode(tc::ui::ThemeMode::System);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
