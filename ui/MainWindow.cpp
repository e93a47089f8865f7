#include "ui/MainWindow.h"

#include "core/graph/Project.h"
#include "core/nn/PrecisionPolicy.h"
#include "core/nn/WeightsAvailability.h"
#include "core/train/ProjectTraining.h"
#include "core/util/BuildInfo.h"
#include "core/util/Runtime.h"
#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/CanvasView.h"
#include "ui/canvas/NodeItem.h"
#include "ui/data/DataWizard.h"
#include "ui/editor/Autosaver.h"
#include "ui/editor/Document.h"
#include "ui/editor/EditorMime.h"
#include "ui/editor/ExampleSetup.h"
#include "ui/editor/IconLibrary.h"
#include "ui/editor/InspectorWidget.h"
#include "ui/editor/PaletteWidget.h"
#include "ui/editor/ProblemsWidget.h"
#include "ui/editor/WeightsDownload.h"
#include "ui/editor/WeightsDownloadBar.h"
#include "ui/export/ExportDialog.h"
#include "ui/export/ExportPlan.h"
#include "ui/training/TrainingSession.h"

#include <numeric>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QUndoGroup>
#include <QUndoStack>
#include <QUndoView>

namespace tc::ui {

namespace {
constexpr auto kGeometryKey = "mainWindow/geometry";
constexpr auto kStateKey = "mainWindow/state";
constexpr auto kRecentFilesKey = "recentFiles";
constexpr auto kLastDirectoryKey = "lastDirectory";
constexpr int kMaxRecentFiles = 8;
/// How long status-bar messages stay, in milliseconds.
constexpr int kStatusTimeout = 8000;
/// Each paste of the same clipboard content lands this much further down and right.
constexpr qreal kPasteOffset = 40;

QString fileFilter() {
    return QObject::tr("TorchCanvas projects (*%1)").arg(graph::Project::fileSuffix());
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_recoveryStore(std::make_unique<RecoveryStore>()) {
    setObjectName(QStringLiteral("MainWindow"));
    // documentChanged() carries a Document*: queued connections and QSignalSpy need it known.
    qRegisterMetaType<tc::ui::Document*>();
    setWindowIcon(QIcon(QStringLiteral(":/icons/torchcanvas.svg")));
    setAcceptDrops(true);
    setDocumentMode(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    // Palette and inspector run the full height; the problems list sits under the canvas.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    const ThemeMode theme = Theme::storedMode();
    if (theme != ThemeMode::System)
        Theme::apply(theme);

    m_undoGroup = new QUndoGroup(this);
    m_autosaver = new Autosaver(*m_recoveryStore, this);
    connect(m_autosaver, &Autosaver::failed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("Autosave failed: %1").arg(message), kStatusTimeout);
    });

    m_savePrompt = [this](const QString& name) {
        const auto answer = QMessageBox::warning(
            this, tr("Unsaved Changes"), tr("Save the changes to “%1” before closing?").arg(name),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Save)
            return SaveChoice::Save;
        if (answer == QMessageBox::Discard)
            return SaveChoice::Discard;
        return SaveChoice::Cancel;
    };
    m_recoveryPrompt = [this](const RecoveryCandidate& candidate) {
        QMessageBox box(QMessageBox::Question, tr("Recover Unsaved Work"),
                        tr("TorchCanvas did not close normally. Recover the unsaved changes to "
                           "“%1”, autosaved %2?")
                            .arg(candidate.name, QLocale().toString(candidate.savedAt.toLocalTime(),
                                                                    QLocale::ShortFormat)),
                        QMessageBox::NoButton, this);
        box.setInformativeText(tr("Discarding deletes the autosaved copy."));
        QPushButton* recover = box.addButton(tr("Recover"), QMessageBox::AcceptRole);
        box.addButton(tr("Discard"), QMessageBox::DestructiveRole);
        box.setDefaultButton(recover);
        box.exec();
        return box.clickedButton() == recover;
    };
    m_savePathPrompt = [this](const QString& suggestion) {
        return QFileDialog::getSaveFileName(this, tr("Save Project As"), suggestion, fileFilter());
    };

    createCanvas();
    createDocks();
    createActions();
    createToolBar();
    createStatusBar();

    setDocument(std::make_unique<Document>());
    m_training = new TrainingSession(this);
    restoreWindowState();
}

DataWizard* MainWindow::createDataWizard() {
    const graph::Project& project = m_document->project();
    const QString folder = m_document->filePath().isEmpty()
                               ? QDir::currentPath()
                               : QFileInfo(m_document->filePath()).absolutePath();
    return new DataWizard(project.dataset(), project.split(), project.preprocessing(), folder,
                          this);
}

void MainWindow::openDataWizard() {
    DataWizard* wizard = createDataWizard();
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &QDialog::accepted, this, [this, wizard] { applyDataWizard(*wizard); });
    wizard->open();
}

ExportDialog* MainWindow::createExportDialog() {
    auto* dialog = new ExportDialog(this);
    const ExportPlan plan = planExport(m_document->filePath(), m_training->currentRunDirectory());
    dialog->setSource(plan.source);
    dialog->setValidationImages(plan.validationImages);
    if (!plan.noCheckReason.isEmpty())
        statusBar()->showMessage(tr("No agreement check: %1").arg(plan.noCheckReason), 10000);
    if (!plan.outputPath.isEmpty())
        dialog->setOutputPath(plan.outputPath);
    return dialog;
}

void MainWindow::openExportDialog() {
    ExportDialog* dialog = createExportDialog();
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::applyDataWizard(const DataWizard& wizard) {
    const auto preprocessing = wizard.preprocessingSettings();
    m_document->bindDataset(wizard.datasetJson(), wizard.splitJson(), preprocessing.toJson(),
                            preprocessing.height, preprocessing.width);
    const std::vector<int> counts = wizard.classCounts();
    statusBar()->showMessage(tr("Data set bound: %n class(es), %1 images", nullptr,
                                static_cast<int>(wizard.classNames().size()))
                                 .arg(std::accumulate(counts.begin(), counts.end(), 0)),
                             kStatusTimeout);
}

MainWindow::~MainWindow() {
    // A run in progress reports to views that are about to go: end it first.
    delete m_training;
    m_training = nullptr;
    // The scene and panels observe the document: detach them before it goes. The recovery
    // file stays: closeEvent() removed it if the user decided about the unsaved work.
    m_autosaver->detach();
    m_scene->setDocument(nullptr);
    m_inspector->setDocument(nullptr);
    m_problems->setDocument(nullptr);
}

graph::Project& MainWindow::project() const {
    return m_document->project();
}

graph::Graph& MainWindow::graph() const {
    return m_document->graph();
}

QUndoStack* MainWindow::undoStack() const {
    return m_document->undoStack();
}

// ---- Construction ------------------------------------------------------------------------

void MainWindow::createCanvas() {
    m_scene = new CanvasScene(this);
    m_view = new CanvasView(m_scene, this);
    connect(m_scene, &CanvasScene::statusMessage, this,
            [this](const QString& message) { statusBar()->showMessage(message, kStatusTimeout); });
    connect(m_scene, &QGraphicsScene::selectionChanged, this, [this] {
        m_inspector->setNodes(m_scene->selectedNodeIds());
        updateEditActions();
    });
    connect(m_view, &CanvasView::zoomChanged, this, &MainWindow::updateZoomLabel);
    connect(m_view, &CanvasView::projectFilesDropped, this, [this](const QStringList& paths) {
        if (!paths.isEmpty())
            openProject(paths.constFirst());
    });
    connect(m_view, &CanvasView::contextMenuRequested, this,
            [this](const QPoint& globalPosition, const QPointF&) {
                showCanvasContextMenu(globalPosition);
            });

    m_views = new QTabWidget(this);
    m_views->setObjectName(QStringLiteral("views"));
    m_views->setDocumentMode(true);
    m_views->setMovable(false);
    m_views->addTab(m_view, IconLibrary::actionIcon(QStringLiteral("view-model")), tr("Model"));
    setCentralWidget(m_views);
}

void MainWindow::createDocks() {
    m_paletteDock = new QDockWidget(tr("Components"), this);
    m_paletteDock->setObjectName(QStringLiteral("paletteDock"));
    m_palette = new PaletteWidget(m_paletteDock);
    m_paletteDock->setWidget(m_palette);
    addDockWidget(Qt::LeftDockWidgetArea, m_paletteDock);
    connect(m_palette, &PaletteWidget::componentActivated, this, &MainWindow::addComponentAtCentre);

    m_inspectorDock = new QDockWidget(tr("Inspector"), this);
    m_inspectorDock->setObjectName(QStringLiteral("inspectorDock"));
    m_inspector = new InspectorWidget(m_inspectorDock);
    m_inspectorDock->setWidget(m_inspector);
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);

    m_historyDock = new QDockWidget(tr("History"), this);
    m_historyDock->setObjectName(QStringLiteral("historyDock"));
    m_undoView = new QUndoView(m_undoGroup, m_historyDock);
    m_undoView->setEmptyLabel(tr("<opened>"));
    m_undoView->setFrameShape(QFrame::NoFrame);
    m_historyDock->setWidget(m_undoView);
    addDockWidget(Qt::RightDockWidgetArea, m_historyDock);
    m_historyDock->hide();

    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problems = new ProblemsWidget(m_problemsDock);
    m_problemsDock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
    connect(m_problems, &ProblemsWidget::nodeActivated, this, [this](int node) {
        m_scene->selectNodes({node});
        if (const NodeItem* item = m_scene->nodeItem(node))
            m_view->centerOn(item->sceneBoundingRect().center());
        showView(m_view);
    });
    connect(m_problems, &ProblemsWidget::summaryChanged, this, [this] { updateValidationLabel(); });

    m_weights = new WeightsDownload(this);
    m_problems->addBanner(new WeightsDownloadBar(m_weights, m_problems));
    connect(m_problems, &ProblemsWidget::downloadWeightsRequested, this,
            &MainWindow::downloadWeights);
    connect(m_problems, &ProblemsWidget::importWeightsRequested, this, &MainWindow::importWeights);
    connect(m_weights, &WeightsDownload::weightsChanged, this, [this] {
        if (m_document)
            m_document->revalidate();
    });
    connect(m_weights, &WeightsDownload::started, m_problems,
            [this] { m_problems->setWeightsBusy(true); });
    connect(m_weights, &WeightsDownload::finished, this,
            [this](bool ok, bool, const QString& message) {
                m_problems->setWeightsBusy(false);
                statusBar()->showMessage(message, ok ? kStatusTimeout : 0);
            });
}

void MainWindow::downloadWeights(int nodeId) {
    if (!graph().containsNode(nodeId))
        return;
    const std::optional<nn::WeightVariant> missing =
        nn::missingPretrainedWeights(graph().node(nodeId), nn::WeightStore());
    if (!missing) {
        statusBar()->showMessage(tr("The weights are already in the weights folder."),
                                 kStatusTimeout);
        return;
    }
    m_problemsDock->show();
    if (!m_weights->download(m_weights->variantFor(missing->depth)))
        statusBar()->showMessage(tr("Wait for %1 to finish first.").arg(m_weights->currentFile()),
                                 kStatusTimeout);
}

void MainWindow::importWeights(int nodeId) {
    Q_UNUSED(nodeId) // the file says which depth it is for
    const QString file = m_weightsFilePrompt
                             ? m_weightsFilePrompt()
                             : QFileDialog::getOpenFileName(
                                   this, tr("Import Weights"), QString(),
                                   tr("Weights files (*.pth *.pt *.safetensors);;All files (*)"));
    if (file.isEmpty())
        return;
    m_problemsDock->show();
    if (!m_weights->importFile(file))
        statusBar()->showMessage(tr("Wait for %1 to finish first.").arg(m_weights->currentFile()),
                                 kStatusTimeout);
}

void MainWindow::createActions() {
    createFileActions();
    createEditActions();
    createViewActions();
    createDataAndTrainMenus();
    createHelpMenu();
}

QAction* MainWindow::makeAction(const QString& objectName, const QString& text,
                                const QString& iconName) {
    auto* action = new QAction(text, this);
    action->setObjectName(objectName);
    if (!iconName.isEmpty())
        action->setIcon(IconLibrary::actionIcon(iconName));
    return action;
}

void MainWindow::createFileActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_newAction =
        makeAction(QStringLiteral("actionNew"), tr("&New"), QStringLiteral("document-new"));
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setToolTip(tr("New project"));
    connect(m_newAction, &QAction::triggered, this, &MainWindow::newProject);
    file->addAction(m_newAction);

    m_openAction =
        makeAction(QStringLiteral("actionOpen"), tr("&Open…"), QStringLiteral("document-open"));
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setToolTip(tr("Open a project"));
    connect(m_openAction, &QAction::triggered, this, [this] {
        const QString directory = QSettings().value(QLatin1String(kLastDirectoryKey)).toString();
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open Project"), directory, fileFilter());
        if (!path.isEmpty())
            openProject(path);
    });
    file->addAction(m_openAction);

    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    file->addSeparator();

    m_saveAction =
        makeAction(QStringLiteral("actionSave"), tr("&Save"), QStringLiteral("document-save"));
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setToolTip(tr("Save the project"));
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::saveProject);
    file->addAction(m_saveAction);

    m_saveAsAction = makeAction(QStringLiteral("actionSaveAs"), tr("Save &As…"));
    // QKeySequence::SaveAs is empty on some Linux desktops; this is what they all use.
    m_saveAsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    connect(m_saveAsAction, &QAction::triggered, this, [this] { saveProjectAs(); });
    file->addAction(m_saveAsAction);
    file->addSeparator();

    m_exportAction = makeAction(QStringLiteral("actionExport"), tr("&Export Model…"));
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportAction->setToolTip(
        tr("Export the trained model as TorchScript, ONNX or safetensors, with a model card"));
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::openExportDialog);
    file->addAction(m_exportAction);
    file->addSeparator();

    m_closeAction = makeAction(QStringLiteral("actionClose"), tr("&Close"));
    m_closeAction->setShortcut(QKeySequence::Close);
    connect(m_closeAction, &QAction::triggered, this, &MainWindow::closeProject);
    file->addAction(m_closeAction);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    quit->setObjectName(QStringLiteral("actionQuit"));
    quit->setMenuRole(QAction::QuitRole);
}

void MainWindow::createEditActions() {
    // Undo and redo follow whichever document is active through the undo group.
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    m_undoAction = m_undoGroup->createUndoAction(this, tr("&Undo"));
    m_undoAction->setObjectName(QStringLiteral("actionUndo"));
    m_undoAction->setIcon(IconLibrary::actionIcon(QStringLiteral("edit-undo")));
    m_undoAction->setShortcut(QKeySequence::Undo);
    edit->addAction(m_undoAction);
    m_redoAction = m_undoGroup->createRedoAction(this, tr("&Redo"));
    m_redoAction->setObjectName(QStringLiteral("actionRedo"));
    m_redoAction->setIcon(IconLibrary::actionIcon(QStringLiteral("edit-redo")));
    m_redoAction->setShortcuts({QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addAction(m_redoAction);
    edit->addSeparator();

    m_cutAction = makeAction(QStringLiteral("actionCut"), tr("Cu&t"), QStringLiteral("edit-cut"));
    m_cutAction->setShortcut(QKeySequence::Cut);
    connect(m_cutAction, &QAction::triggered, this, &MainWindow::cutSelection);
    edit->addAction(m_cutAction);
    m_copyAction =
        makeAction(QStringLiteral("actionCopy"), tr("&Copy"), QStringLiteral("edit-copy"));
    m_copyAction->setShortcut(QKeySequence::Copy);
    connect(m_copyAction, &QAction::triggered, this, &MainWindow::copySelection);
    edit->addAction(m_copyAction);
    m_pasteAction =
        makeAction(QStringLiteral("actionPaste"), tr("&Paste"), QStringLiteral("edit-paste"));
    m_pasteAction->setShortcut(QKeySequence::Paste);
    connect(m_pasteAction, &QAction::triggered, this, &MainWindow::pasteClipboard);
    edit->addAction(m_pasteAction);
    m_duplicateAction = makeAction(QStringLiteral("actionDuplicate"), tr("D&uplicate"),
                                   QStringLiteral("edit-duplicate"));
    m_duplicateAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    connect(m_duplicateAction, &QAction::triggered, this, &MainWindow::duplicateSelection);
    edit->addAction(m_duplicateAction);
    m_deleteAction =
        makeAction(QStringLiteral("actionDelete"), tr("&Delete"), QStringLiteral("edit-delete"));
    m_deleteAction->setShortcuts({QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)});
    m_deleteAction->setToolTip(tr("Delete the selected components and links"));
    connect(m_deleteAction, &QAction::triggered, this, &MainWindow::deleteSelection);
    edit->addAction(m_deleteAction);
    edit->addSeparator();
    m_selectAllAction = makeAction(QStringLiteral("actionSelectAll"), tr("Select &All"),
                                   QStringLiteral("edit-select-all"));
    m_selectAllAction->setShortcut(QKeySequence::SelectAll);
    connect(m_selectAllAction, &QAction::triggered, this, &MainWindow::selectAll);
    edit->addAction(m_selectAllAction);
    connect(QGuiApplication::clipboard(), &QClipboard::dataChanged, this,
            &MainWindow::updateEditActions);
}

void MainWindow::createViewActions() {
    QMenu* view = menuBar()->addMenu(tr("&View"));
    m_zoomInAction =
        makeAction(QStringLiteral("actionZoomIn"), tr("Zoom &In"), QStringLiteral("zoom-in"));
    m_zoomInAction->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    connect(m_zoomInAction, &QAction::triggered, m_view, &CanvasView::zoomIn);
    view->addAction(m_zoomInAction);
    m_zoomOutAction =
        makeAction(QStringLiteral("actionZoomOut"), tr("Zoom &Out"), QStringLiteral("zoom-out"));
    m_zoomOutAction->setShortcut(QKeySequence::ZoomOut);
    connect(m_zoomOutAction, &QAction::triggered, m_view, &CanvasView::zoomOut);
    view->addAction(m_zoomOutAction);
    m_zoomResetAction = makeAction(QStringLiteral("actionZoomReset"), tr("&Actual Size"));
    m_zoomResetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(m_zoomResetAction, &QAction::triggered, m_view, &CanvasView::resetZoom);
    view->addAction(m_zoomResetAction);
    m_fitAction =
        makeAction(QStringLiteral("actionFit"), tr("&Fit to View"), QStringLiteral("zoom-fit"));
    m_fitAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    connect(m_fitAction, &QAction::triggered, m_view, &CanvasView::fitToContents);
    view->addAction(m_fitAction);
    view->addSeparator();
    m_autoLayoutAction = makeAction(QStringLiteral("actionAutoLayout"), tr("Auto-&layout"),
                                    QStringLiteral("auto-layout"));
    m_autoLayoutAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_autoLayoutAction->setToolTip(tr("Arrange the graph left to right (undoable)"));
    connect(m_autoLayoutAction, &QAction::triggered, this, &MainWindow::autoLayout);
    view->addAction(m_autoLayoutAction);
    m_snapAction = makeAction(QStringLiteral("actionSnap"), tr("&Snap to Grid"));
    m_snapAction->setCheckable(true);
    m_snapAction->setChecked(QSettings().value(QStringLiteral("view/snapToGrid"), true).toBool());
    m_scene->setSnapToGrid(m_snapAction->isChecked());
    connect(m_snapAction, &QAction::toggled, this, [this](bool on) {
        m_scene->setSnapToGrid(on);
        QSettings().setValue(QStringLiteral("view/snapToGrid"), on);
    });
    view->addAction(m_snapAction);
    view->addSeparator();

    createThemeMenu(view);
    view->addSeparator();
    view->addAction(m_paletteDock->toggleViewAction());
    view->addAction(m_inspectorDock->toggleViewAction());
    view->addAction(m_problemsDock->toggleViewAction());
    view->addAction(m_historyDock->toggleViewAction());
}

void MainWindow::createThemeMenu(QMenu* view) {
    QMenu* theme = view->addMenu(tr("&Theme"));
    theme->setObjectName(QStringLiteral("themeMenu"));
    m_themeGroup = new QActionGroup(this);
    const std::pair<ThemeMode, QString> themes[] = {
        {ThemeMode::System, tr("Follow &System")},
        {ThemeMode::Light, tr("&Light")},
        {ThemeMode::Dark, tr("&Dark")},
    };
    for (const auto& [mode, text] : themes) {
        QAction* action = theme->addAction(text);
        action->setObjectName(QStringLiteral("actionTheme") + Theme::modeName(mode));
        action->setCheckable(true);
        action->setChecked(mode == Theme::currentMode());
        action->setData(static_cast<int>(mode));
        m_themeGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, mode = mode] { setThemeMode(mode); });
    }
}

void MainWindow::createDataAndTrainMenus() {
    QMenu* data = menuBar()->addMenu(tr("&Data"));
    data->setObjectName(QStringLiteral("dataMenu"));
    QAction* importData = data->addAction(IconLibrary::actionIcon(QStringLiteral("data-wizard")),
                                          tr("&Import Data…"), this, &MainWindow::openDataWizard);
    importData->setObjectName(QStringLiteral("actionImportData"));
    importData->setShortcut(Qt::CTRL | Qt::Key_I);

    // TrainingSession fills this menu.
    m_trainMenu = menuBar()->addMenu(tr("&Train"));
    m_trainMenu->setObjectName(QStringLiteral("trainMenu"));
}

void MainWindow::createHelpMenu() {
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* example = help->addAction(tr("Open &Example…"), this, [this] {
        // Propose <Documents>/TorchCanvas Example; a folder chosen by the user gets it inside,
        // unless it already is (or holds) a set-up example.
        const QString proposed = ExampleSetup::proposedDirectory();
        const QString chosen = QFileDialog::getExistingDirectory(
            this,
            tr("Choose a folder for the example (data and project go in \"%1\" inside it)")
                .arg(QFileInfo(proposed).fileName()),
            QFileInfo(proposed).absolutePath());
        if (chosen.isEmpty())
            return;
        openExampleIn(QFileInfo::exists(ExampleSetup::projectPathIn(chosen))
                          ? chosen
                          : QDir(chosen).filePath(QFileInfo(proposed).fileName()));
    });
    example->setObjectName(QStringLiteral("actionOpenExample"));
    example->setStatusTip(tr("Set up the breast-cancer histology example (synthetic data) in a "
                             "folder of yours and open it"));
    help->addSeparator();
    QAction* about = help->addAction(IconLibrary::actionIcon(QStringLiteral("help-about")),
                                     tr("&About TorchCanvas"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)
        ->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::createToolBar() {
    m_toolBar = addToolBar(tr("Main"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setMovable(false);
    m_toolBar->setIconSize(QSize(20, 20));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_toolBar->addAction(m_newAction);
    m_toolBar->addAction(m_openAction);
    m_toolBar->addAction(m_saveAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_undoAction);
    m_toolBar->addAction(m_redoAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_cutAction);
    m_toolBar->addAction(m_copyAction);
    m_toolBar->addAction(m_pasteAction);
    m_toolBar->addAction(m_deleteAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_zoomOutAction);
    m_toolBar->addAction(m_zoomInAction);
    m_toolBar->addAction(m_fitAction);
    m_toolBar->addAction(m_autoLayoutAction);
    // Tooltips with their shortcut: the toolbar is where people discover them.
    for (QAction* action : m_toolBar->actions()) {
        if (action->isSeparator() || action->shortcut().isEmpty())
            continue;
        const QString text = action->toolTip().isEmpty() ? action->text().remove(QLatin1Char('&'))
                                                         : action->toolTip();
        action->setToolTip(QStringLiteral("%1 (%2)").arg(
            text, action->shortcut().toString(QKeySequence::NativeText)));
    }
}

void MainWindow::createStatusBar() {
    m_validationLabel = new QLabel(this);
    m_validationLabel->setObjectName(QStringLiteral("validationLabel"));
    m_zoomLabel = new QLabel(this);
    m_zoomLabel->setObjectName(QStringLiteral("zoomLabel"));
    m_zoomLabel->setMinimumWidth(
        m_zoomLabel->fontMetrics().horizontalAdvance(QStringLiteral("000%")) + 8);
    m_zoomLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setText(tr("LibTorch threads: %1").arg(tc::runtime::configuredThreadCount()));
    statusBar()->addPermanentWidget(m_validationLabel);
    statusBar()->addPermanentWidget(m_zoomLabel);
    statusBar()->addPermanentWidget(m_statusLabel);
    updateZoomLabel(m_view->zoom());
    statusBar()->showMessage(tr("Ready"));
}

void MainWindow::showAbout() {
    const BuildInfo info = buildInfo();
    const tc::nn::PrecisionDecision precision = tc::nn::autoPrecision();
    QMessageBox::about(this, tr("About TorchCanvas"),
                       tr("<h3>TorchCanvas %1</h3>"
                          "<p>A visual model builder for image classification.</p>"
                          "<table>"
                          "<tr><td>LibTorch</td><td>%2</td></tr>"
                          "<tr><td>Qt</td><td>%3</td></tr>"
                          "<tr><td>OpenCV</td><td>%4</td></tr>"
                          "<tr><td>Compute threads</td><td>%5</td></tr>"
                          "<tr><td>Precision (auto)</td><td>%6</td></tr>"
                          "<tr><td>CPU</td><td>%7</td></tr>"
                          "</table>"
                          "<p>For research use. Not a diagnostic device.</p>")
                           .arg(info.torchCanvas, info.libTorch, info.qt, info.openCv)
                           .arg(tc::runtime::configuredThreadCount())
                           .arg(tr("%1: %2").arg(tc::nn::precisionName(precision.precision),
                                                 precision.reason.toHtmlEscaped()),
                                precision.cpu.toHtmlEscaped()));
}

void MainWindow::restoreWindowState() {
    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1440, 880);
    if (!restoreState(settings.value(kStateKey).toByteArray())) {
        m_sizeDocksWhenShown = true; // once the window has its real size (showEvent)
        sizeDocksForFirstRun();
    }
}

void MainWindow::sizeDocksForFirstRun() {
    // A palette and an inspector wide enough for their content, and a short problems list,
    // leaving most of the window to the canvas. Before the first show the layout does not
    // know the window's width yet and squeezes the palette, so this runs again then.
    resizeDocks({m_paletteDock, m_inspectorDock}, {230, 290}, Qt::Horizontal);
    resizeDocks({m_problemsDock}, {110}, Qt::Vertical);
}

void MainWindow::saveWindowState() const {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
}

// ---- The document -------------------------------------------------------------------------

void MainWindow::setDocument(std::unique_ptr<Document> document) {
    Document* next = document.get();
    m_scene->setDocument(next);
    m_inspector->setDocument(next);
    m_problems->setDocument(next);
    m_undoGroup->addStack(next->undoStack());
    m_undoGroup->setActiveStack(next->undoStack());
    m_autosaver->setDocument(next);
    connect(next, &Document::modifiedChanged, this, &MainWindow::updateTitle);
    connect(next, &Document::filePathChanged, this, &MainWindow::updateTitle);
    connect(next, &Document::validationChanged, this, &MainWindow::updateValidationLabel);
    connect(next->undoStack(), &QUndoStack::indexChanged, this, &MainWindow::updateEditActions);
    // The old document goes only now that nothing observes it any more.
    m_document = std::move(document);
    m_pasteCount = 0;
    updateTitle();
    updateEditActions();
    updateValidationLabel();
    showView(m_view);
    m_view->fitToContents();
    // The viewport has its final size only once the window is laid out.
    QTimer::singleShot(0, m_view, &CanvasView::fitToContents);
    Q_EMIT documentChanged(next);
}

bool MainWindow::maybeSave() {
    if (!m_document->isModified())
        return true;
    switch (m_savePrompt(m_document->displayName())) {
    case SaveChoice::Save:
        return saveProject();
    case SaveChoice::Discard:
        return true;
    case SaveChoice::Cancel:
        return false;
    }
    return false;
}

void MainWindow::reportError(const QString& title, const QString& message) {
    statusBar()->showMessage(message, kStatusTimeout);
    // Window-modal but not blocking: the caller carries on, and tests do not hang on it.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("errorBox"));
    box->open();
}

bool MainWindow::openProject(const QString& path) {
    if (!maybeSave())
        return false;
    QString error;
    QStringList warnings;
    std::unique_ptr<Document> document = Document::open(path, &error, &warnings);
    if (!document) {
        reportError(tr("Cannot Open Project"), error);
        return false;
    }
    setDocument(std::move(document));
    addRecentFile(m_document->filePath());
    QSettings().setValue(QLatin1String(kLastDirectoryKey),
                         QFileInfo(m_document->filePath()).absolutePath());
    if (warnings.isEmpty()) {
        statusBar()->showMessage(
            tr("Opened %1").arg(QDir::toNativeSeparators(m_document->filePath())), kStatusTimeout);
    } else {
        statusBar()->showMessage(tr("Opened %1 with warnings: %2")
                                     .arg(QDir::toNativeSeparators(m_document->filePath()),
                                          warnings.join(QStringLiteral("; "))),
                                 kStatusTimeout);
    }
    return true;
}

bool MainWindow::newProject() {
    if (!maybeSave())
        return false;
    setDocument(std::make_unique<Document>());
    statusBar()->showMessage(tr("New project"), kStatusTimeout);
    return true;
}

void MainWindow::openExampleIn(const QString& directory) {
    if (!m_exampleSetup) {
        m_exampleSetup = new ExampleSetup(this);
        connect(m_exampleSetup, &ExampleSetup::ready, this, [this](const QString& project) {
            if (openProject(project))
                statusBar()->showMessage(
                    tr("Example set up in %1 (synthetic data, not patient data)")
                        .arg(QDir::toNativeSeparators(QFileInfo(project).absolutePath())),
                    kStatusTimeout);
        });
        connect(m_exampleSetup, &ExampleSetup::failed, this, [this](const QString& message) {
            if (message.isEmpty()) {
                statusBar()->showMessage(tr("Example set-up cancelled"), kStatusTimeout);
                return;
            }
            reportError(tr("Cannot Set Up the Example"), message);
        });
    }
    if (m_exampleSetup->isRunning())
        return;
    m_exampleSetup->start(directory);
}

bool MainWindow::closeProject() {
    if (!maybeSave())
        return false;
    setDocument(std::make_unique<Document>());
    statusBar()->showMessage(tr("Project closed"), kStatusTimeout);
    return true;
}

bool MainWindow::saveProject() {
    if (m_document->filePath().isEmpty())
        return saveProjectAs();
    QString error;
    if (!m_document->save(m_document->filePath(), &error)) {
        reportError(tr("Cannot Save Project"), error);
        return false;
    }
    addRecentFile(m_document->filePath());
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(m_document->filePath())),
                             kStatusTimeout);
    return true;
}

bool MainWindow::saveProjectAs(const QString& requested) {
    QString path = requested;
    if (path.isEmpty()) {
        QString suggestion = m_document->filePath();
        if (suggestion.isEmpty()) {
            const QString directory =
                QSettings().value(QLatin1String(kLastDirectoryKey), QDir::homePath()).toString();
            suggestion =
                directory + QLatin1Char('/') + tr("untitled") + graph::Project::fileSuffix();
        }
        path = m_savePathPrompt(suggestion);
        if (path.isEmpty())
            return false;
    }
    if (QFileInfo(path).suffix().isEmpty())
        path += graph::Project::fileSuffix();
    QString error;
    if (!m_document->save(path, &error)) {
        reportError(tr("Cannot Save Project"), error);
        return false;
    }
    addRecentFile(m_document->filePath());
    QSettings().setValue(QLatin1String(kLastDirectoryKey),
                         QFileInfo(m_document->filePath()).absolutePath());
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(m_document->filePath())),
                             kStatusTimeout);
    return true;
}

bool MainWindow::offerRecovery() {
    const QList<RecoveryCandidate> candidates = m_recoveryStore->orphans();
    for (const RecoveryCandidate& candidate : candidates) {
        if (!m_recoveryPrompt(candidate)) {
            RecoveryStore::remove(candidate);
            continue;
        }
        QString error;
        std::unique_ptr<Document> document = RecoveryStore::recover(candidate, &error);
        if (!document) {
            reportError(tr("Cannot Recover"), error);
            RecoveryStore::remove(candidate);
            continue;
        }
        setDocument(std::move(document));
        RecoveryStore::remove(candidate);
        // The recovered work is unsaved: make it this session's recovery file right away.
        m_autosaver->saveNow();
        statusBar()->showMessage(tr("Recovered unsaved changes to %1").arg(candidate.name),
                                 kStatusTimeout);
        return true;
    }
    return false;
}

QStringList MainWindow::recentFiles() const {
    return QSettings().value(QLatin1String(kRecentFilesKey)).toStringList();
}

void MainWindow::addRecentFile(const QString& path) {
    if (path.isEmpty())
        return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    QSettings().setValue(QLatin1String(kRecentFilesKey), files);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    int number = 1;
    for (const QString& path : files) {
        const QString text = QStringLiteral("&%1 %2").arg(number++).arg(QFileInfo(path).fileName());
        QAction* action = m_recentMenu->addAction(text, this, [this, path] { openProject(path); });
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setStatusTip(QDir::toNativeSeparators(path));
        action->setEnabled(QFileInfo::exists(path));
    }
    if (files.isEmpty()) {
        m_recentMenu->addAction(tr("No Recent Projects"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("&Clear Menu"), this, [this] {
        QSettings().remove(QLatin1String(kRecentFilesKey));
        rebuildRecentMenu();
    });
}

void MainWindow::updateTitle() {
    // "[*]" is where Qt shows the modified mark; the mark itself comes from the undo stack.
    setWindowTitle(QStringLiteral("%1[*] \u2014 TorchCanvas").arg(m_document->displayName()));
    setWindowModified(m_document->isModified());
}

// ---- Views ----------------------------------------------------------------------------

int MainWindow::addView(QWidget* view, const QIcon& icon, const QString& title) {
    return m_views->addTab(view, icon, title);
}

void MainWindow::showView(QWidget* view) {
    const int index = m_views->indexOf(view);
    if (index >= 0)
        m_views->setCurrentIndex(index);
}

void MainWindow::setThemeMode(ThemeMode mode) {
    Theme::apply(mode);
    Theme::storeMode(mode);
    for (QAction* action : m_themeGroup->actions())
        action->setChecked(action->data().toInt() == static_cast<int>(mode));
    // Widgets that drew with the old palette (icons are re-rendered on their next paint).
    m_scene->setColors(CanvasColors::fromPalette(QApplication::palette()));
    update();
}

void MainWindow::updateZoomLabel(qreal zoom) {
    m_zoomLabel->setText(QStringLiteral("%1%").arg(qRound(zoom * 100)));
}

void MainWindow::updateValidationLabel() {
    if (!m_validationLabel)
        return;
    const graph::Validation& validation = m_document->validation();
    if (m_document->graph().isEmpty()) {
        m_validationLabel->setText(tr("Empty model"));
    } else if (validation.errorCount() > 0) {
        m_validationLabel->setText(
            tr("<span style=\"color:#d6453d\">\u25cf</span> %1").arg(m_problems->summary()));
    } else if (validation.warningCount() > 0) {
        m_validationLabel->setText(
            tr("<span style=\"color:#d9930d\">\u25b2</span> Ready to train \u00b7 %1")
                .arg(m_problems->summary()));
    } else {
        m_validationLabel->setText(
            tr("<span style=\"color:#2e9d5b\">\u2714</span> Ready to train"));
    }
    const int count = static_cast<int>(validation.problems.size());
    m_problemsDock->setWindowTitle(count > 0 ? tr("Problems (%1)").arg(count) : tr("Problems"));
}

void MainWindow::updateEditActions() {
    if (!m_cutAction || !m_document)
        return;
    const bool nodes = !m_scene->selectedNodeIds().isEmpty();
    const bool anything = nodes || !m_scene->selectedLinkIds().isEmpty();
    m_cutAction->setEnabled(nodes);
    m_copyAction->setEnabled(nodes);
    m_duplicateAction->setEnabled(nodes);
    m_deleteAction->setEnabled(anything);
    m_pasteAction->setEnabled(
        readFragmentMimeData(QGuiApplication::clipboard()->mimeData()).has_value());
    const bool empty = m_document->graph().isEmpty();
    m_selectAllAction->setEnabled(!empty);
    m_autoLayoutAction->setEnabled(!empty);
    m_fitAction->setEnabled(!empty);
}

// ---- Editing --------------------------------------------------------------------------

void MainWindow::copySelection() {
    const QList<graph::NodeId> nodes = m_scene->selectedNodeIds();
    if (nodes.isEmpty())
        return;
    QGuiApplication::clipboard()->setMimeData(
        createFragmentMimeData(m_document->graph().fragment(nodes)));
    m_pasteCount = 0;
    statusBar()->showMessage(nodes.size() == 1 ? tr("Copied 1 component")
                                               : tr("Copied %1 components").arg(nodes.size()),
                             kStatusTimeout);
}

void MainWindow::cutSelection() {
    const QList<graph::NodeId> nodes = m_scene->selectedNodeIds();
    if (nodes.isEmpty())
        return;
    copySelection();
    // Pasting a cut puts the nodes back where they were.
    m_pasteCount = -1;
    m_document->remove(nodes, {}, tr("Cut"));
}

void MainWindow::pasteClipboard() {
    const std::optional<QJsonObject> fragment =
        readFragmentMimeData(QGuiApplication::clipboard()->mimeData());
    if (!fragment) {
        statusBar()->showMessage(tr("The clipboard holds no components"), kStatusTimeout);
        return;
    }
    ++m_pasteCount;
    const qreal shift = kPasteOffset * m_pasteCount;
    QString error;
    const QList<graph::NodeId> ids =
        m_document->paste(*fragment, QPointF(shift, shift), tr("Paste"), &error);
    if (ids.isEmpty()) {
        statusBar()->showMessage(tr("Cannot paste: %1").arg(error), kStatusTimeout);
        return;
    }
    m_scene->selectNodes(ids);
}

void MainWindow::duplicateSelection() {
    const QList<graph::NodeId> nodes = m_scene->selectedNodeIds();
    if (nodes.isEmpty())
        return;
    const QList<graph::NodeId> ids = m_document->paste(
        m_document->graph().fragment(nodes), QPointF(kPasteOffset, kPasteOffset), tr("Duplicate"));
    m_scene->selectNodes(ids);
}

void MainWindow::deleteSelection() {
    const QList<graph::NodeId> nodes = m_scene->selectedNodeIds();
    const QList<graph::LinkId> links = m_scene->selectedLinkIds();
    if (nodes.isEmpty() && links.isEmpty())
        return;
    m_document->remove(nodes, links);
}

void MainWindow::selectAll() {
    QSignalBlocker blocker(m_scene);
    for (QGraphicsItem* item : m_scene->items()) {
        if (item->flags() & QGraphicsItem::ItemIsSelectable)
            item->setSelected(true);
    }
    blocker.unblock();
    Q_EMIT m_scene->selectionChanged();
}

void MainWindow::autoLayout() {
    m_document->autoLayout();
    m_view->fitToContents();
}

void MainWindow::addComponentAtCentre(const QString& type) {
    QPointF position =
        m_scene->snap(m_view->visibleCentre() - QPointF(NodeItem::Width / 2, NodeItem::Height / 2));
    // Do not stack a new card exactly on another one: step down until the place is free.
    for (int attempt = 0; attempt < 50; ++attempt) {
        bool taken = false;
        for (graph::NodeId id : m_document->graph().nodeIds())
            taken = taken || m_document->graph().node(id).position == position;
        if (!taken)
            break;
        position += QPointF(0, CanvasScene::GridSize * 6);
    }
    const graph::NodeId id = m_document->addNode(type, position);
    m_scene->selectNodes({id});
    showView(m_view);
    m_view->setFocus(Qt::OtherFocusReason);
}

void MainWindow::showCanvasContextMenu(const QPoint& globalPosition) {
    updateEditActions();
    QMenu menu(this);
    const QList<graph::NodeId> selected = m_scene->selectedNodeIds();
    if (selected.size() == 1 && graph().containsNode(selected.first())) {
        const graph::NodeId node = selected.first();
        if (const auto missing =
                nn::missingPretrainedWeights(graph().node(node), nn::WeightStore())) {
            QAction* download = menu.addAction(
                tr("Download ImageNet Weights (%1)").arg(nn::downloadSizeText(*missing)), this,
                [this, node] { downloadWeights(node); });
            download->setObjectName(QStringLiteral("actionDownloadWeights"));
            menu.addAction(tr("Import Weights File…"), this, [this, node] { importWeights(node); });
            menu.addSeparator();
        }
    }
    if (!m_scene->selectedNodeIds().isEmpty() || !m_scene->selectedLinkIds().isEmpty()) {
        menu.addAction(m_cutAction);
        menu.addAction(m_copyAction);
        menu.addAction(m_duplicateAction);
        menu.addAction(m_deleteAction);
        menu.addSeparator();
    }
    menu.addAction(m_pasteAction);
    menu.addAction(m_selectAllAction);
    menu.addSeparator();
    menu.addAction(m_autoLayoutAction);
    menu.addAction(m_fitAction);
    menu.exec(globalPosition);
}

// ---- Events ---------------------------------------------------------------------------

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    // Saved or deliberately discarded: nothing to recover from this session.
    m_autosaver->setDocument(nullptr);
    m_recoveryStore->discard();
    saveWindowState();
    event->accept();
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (m_sizeDocksWhenShown) {
        m_sizeDocksWhenShown = false;
        QTimer::singleShot(0, this, &MainWindow::sizeDocksForFirstRun);
    }
    if (!m_fittedOnce) {
        m_fittedOnce = true;
        QTimer::singleShot(0, m_view, &CanvasView::fitToContents);
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QMimeData* data = event->mimeData();
    if (data->hasUrls()) {
        for (const QUrl& url : data->urls()) {
            if (url.isLocalFile() && url.toLocalFile().endsWith(graph::Project::fileSuffix())) {
                event->acceptProposedAction();
                return;
            }
        }
    }
    event->ignore();
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile() && url.toLocalFile().endsWith(graph::Project::fileSuffix())) {
            event->acceptProposedAction();
            openProject(url.toLocalFile());
            return;
        }
    }
    event->ignore();
}

} // namespace tc::ui
