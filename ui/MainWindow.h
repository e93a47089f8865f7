#pragma once

#include "ui/editor/RecoveryStore.h"
#include "ui/editor/Theme.h"

#include <functional>
#include <memory>
#include <QMainWindow>

class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QTabWidget;
class QToolBar;
class QUndoGroup;
class QUndoStack;
class QUndoView;

namespace tc::graph {
class Graph;
class Project;
} // namespace tc::graph

namespace tc::ui {

class ExampleSetup;

class Autosaver;
class CanvasScene;
class CanvasView;
class Document;
class InspectorWidget;
class PaletteWidget;
class ProblemsWidget;
class DataWizard;
class ExportDialog;
class TrainingSession;
class WeightsDownload;

/// The application window: the node-graph editor of one project.
///
/// Centre: a tab widget of views, the canvas being the "Model" tab; other modules add theirs
/// (Statistics, Test) with addView(). Docks: the component palette (left), the inspector
/// (right), the problems list (bottom) and the undo history (hidden at first). Menus File,
/// Edit, View, Train and Help, a toolbar and a status bar. Geometry, dock layout, theme and
/// recent files persist in QSettings.
///
/// The window owns one Document at a time (the project, its undo stack and validation) and
/// replaces it on New, Open and Close; documentChanged() tells integrations to reconnect.
/// Unsaved work is autosaved to a recovery file and offered back after a crash
/// (offerRecovery()). The questions the window asks (save changes? recover?) go through
/// replaceable prompts, so tests can answer them.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    /// The answer to "save the changes to X?".
    enum class SaveChoice { Save, Discard, Cancel };
    using SavePrompt = std::function<SaveChoice(const QString& documentName)>;
    /// True: recover the candidate; false: discard it.
    using RecoveryPrompt = std::function<bool(const RecoveryCandidate& candidate)>;
    /// Asks where to save; an empty string cancels. `suggestion` is a file path.
    using SavePathPrompt = std::function<QString(const QString& suggestion)>;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // ---- The document --------------------------------------------------------------------

    /// The open document; never null (an empty untitled one when nothing is open).
    Document* document() const { return m_document.get(); }
    graph::Project& project() const;
    graph::Graph& graph() const;
    QUndoStack* undoStack() const;

    /// Opens a project file (asking to save unsaved changes first). Problems are reported in
    /// a message box and the status bar; the current document stays open on failure.
    bool openProject(const QString& path);
    /// Replaces the document with a new empty one (asking to save first).
    bool newProject();
    /// Saves to the document's file, or asks for one when it is untitled.
    bool saveProject();
    /// Saves under a new name; asks for it when `path` is empty. ".tcproj" is appended when
    /// the name has no suffix.
    bool saveProjectAs(const QString& path = {});
    /// Closes the project (asking to save first), leaving an empty untitled document.
    bool closeProject();
    /// Offers the autosaves of crashed sessions, newest first; the first one accepted is
    /// opened (marked unsaved) and its file removed, declined ones are deleted. Returns true
    /// when a document was recovered. Call it once at start-up.
    bool offerRecovery();
    /// Help › Open Example… without the folder prompt: sets the example up in `directory`
    /// (data generated behind a progress dialog, see ExampleSetup) and opens it. Returns at
    /// once; the project opens when the set-up is ready.
    void openExampleIn(const QString& directory);
    ExampleSetup* exampleSetup() const { return m_exampleSetup; }

    void setSavePrompt(SavePrompt prompt) { m_savePrompt = std::move(prompt); }
    void setRecoveryPrompt(RecoveryPrompt prompt) { m_recoveryPrompt = std::move(prompt); }
    void setSavePathPrompt(SavePathPrompt prompt) { m_savePathPrompt = std::move(prompt); }
    /// Asks for a weights file to import; an empty string cancels.
    using WeightsFilePrompt = std::function<QString()>;
    void setWeightsFilePrompt(WeightsFilePrompt prompt) { m_weightsFilePrompt = std::move(prompt); }

    // ---- Pretrained weights --------------------------------------------------------------

    /// Downloads and imports weight files in the background (the Problems panel's bar).
    WeightsDownload* weightsDownload() const { return m_weights; }
    /// The actions of a backbone whose pretrained weights are missing (Problems panel row,
    /// card context menu): download its file, or import one the user has.
    void downloadWeights(int nodeId);
    void importWeights(int nodeId);

    /// Most recently opened or saved files first.
    QStringList recentFiles() const;
    Autosaver* autosaver() const { return m_autosaver; }
    RecoveryStore& recoveryStore() { return *m_recoveryStore; }

    // ---- Views and widgets ---------------------------------------------------------------

    /// Adds a tab next to "Model" (e.g. Statistics, Test); returns its index. The window
    /// takes ownership of `view`.
    int addView(QWidget* view, const QIcon& icon, const QString& title);
    /// Brings a view added with addView() (or the canvas) to the front.
    void showView(QWidget* view);
    QTabWidget* views() const { return m_views; }

    CanvasView* canvasView() const { return m_view; }
    CanvasScene* canvasScene() const { return m_scene; }
    PaletteWidget* paletteWidget() const { return m_palette; }
    InspectorWidget* inspector() const { return m_inspector; }
    ProblemsWidget* problems() const { return m_problems; }
    QDockWidget* paletteDock() const { return m_paletteDock; }
    QDockWidget* inspectorDock() const { return m_inspectorDock; }
    QDockWidget* problemsDock() const { return m_problemsDock; }
    QDockWidget* historyDock() const { return m_historyDock; }
    /// The Train menu, for the training integration to fill.
    QMenu* trainMenu() const { return m_trainMenu; }
    QToolBar* mainToolBar() const { return m_toolBar; }

    /// Applies and remembers a theme (View > Theme).
    void setThemeMode(ThemeMode mode);

    // ---- Editing (the Edit menu's actions) ------------------------------------------------

    void copySelection();
    void cutSelection();
    void pasteClipboard();
    void duplicateSelection();
    void deleteSelection();
    void selectAll();
    void autoLayout();
    /// Adds a component near the centre of the visible canvas (palette double-click).
    void addComponentAtCentre(const QString& type);

Q_SIGNALS:
    /// The window now shows another document (after New, Open, Close or recovery).
    void documentChanged(tc::ui::Document* document);

protected:
    void closeEvent(QCloseEvent* event) override;
    void sizeDocksForFirstRun();
    void showEvent(QShowEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

public:
    /// Training: actions, settings dock, Statistics and Test views, the controller.
    TrainingSession* training() const { return m_training; }
    /// A Data Wizard on the current project's data settings (not yet shown). When it is
    /// accepted, applyDataWizard() binds its result to the project.
    DataWizard* createDataWizard();
    /// Binds a finished wizard's data set, split and preprocessing to the project, and sizes
    /// the Input components to the preprocessing, as one undo step.
    void applyDataWizard(const DataWizard& wizard);
    /// File > Export…: an Export dialog (not yet shown) on the run trained last in this
    /// window, or else on the project's latest run, with the validation images of that run's
    /// split for the agreement check and a suggested file next to the project.
    ExportDialog* createExportDialog();

private:
    void openDataWizard();
    void openExportDialog();
    void createCanvas();
    void createDocks();
    void createActions();
    /// createActions()'s menus, in menu-bar order. The File, Edit and View actions are
    /// shared with the toolbar and the canvas's context menu.
    void createFileActions();
    void createEditActions();
    void createViewActions();
    void createThemeMenu(QMenu* view);
    void createDataAndTrainMenus();
    void createHelpMenu();
    /// A QAction owned by the window, with an object name (for tests) and an optional icon.
    QAction* makeAction(const QString& objectName, const QString& text,
                        const QString& iconName = {});
    void createToolBar();
    void createStatusBar();
    void restoreWindowState();
    void saveWindowState() const;
    void showAbout();

    void setDocument(std::unique_ptr<Document> document);
    /// Asks to save unsaved changes; false when the user cancelled (or saving failed).
    bool maybeSave();
    void reportError(const QString& title, const QString& message);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void updateTitle();
    void updateEditActions();
    void updateZoomLabel(qreal zoom);
    void updateValidationLabel();
    void showCanvasContextMenu(const QPoint& globalPosition);

    std::unique_ptr<Document> m_document;
    std::unique_ptr<RecoveryStore> m_recoveryStore;
    Autosaver* m_autosaver = nullptr;
    QUndoGroup* m_undoGroup = nullptr;

    QTabWidget* m_views = nullptr;
    CanvasScene* m_scene = nullptr;
    CanvasView* m_view = nullptr;
    PaletteWidget* m_palette = nullptr;
    InspectorWidget* m_inspector = nullptr;
    ProblemsWidget* m_problems = nullptr;
    QUndoView* m_undoView = nullptr;
    QDockWidget* m_paletteDock = nullptr;
    QDockWidget* m_inspectorDock = nullptr;
    QDockWidget* m_problemsDock = nullptr;
    QDockWidget* m_historyDock = nullptr;
    QToolBar* m_toolBar = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_trainMenu = nullptr;
    TrainingSession* m_training = nullptr;
    QActionGroup* m_themeGroup = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_validationLabel = nullptr;
    QLabel* m_zoomLabel = nullptr;

    QAction* m_newAction = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_saveAction = nullptr;
    QAction* m_saveAsAction = nullptr;
    QAction* m_closeAction = nullptr;
    QAction* m_exportAction = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_cutAction = nullptr;
    QAction* m_copyAction = nullptr;
    QAction* m_pasteAction = nullptr;
    QAction* m_duplicateAction = nullptr;
    QAction* m_deleteAction = nullptr;
    QAction* m_selectAllAction = nullptr;
    QAction* m_zoomInAction = nullptr;
    QAction* m_zoomOutAction = nullptr;
    QAction* m_zoomResetAction = nullptr;
    QAction* m_fitAction = nullptr;
    QAction* m_autoLayoutAction = nullptr;
    QAction* m_snapAction = nullptr;

    SavePrompt m_savePrompt;
    RecoveryPrompt m_recoveryPrompt;
    SavePathPrompt m_savePathPrompt;
    WeightsFilePrompt m_weightsFilePrompt;
    WeightsDownload* m_weights = nullptr;
    /// How many times the clipboard's fragment was pasted, to offset each copy further.
    int m_pasteCount = 0;
    bool m_fittedOnce = false;
    bool m_sizeDocksWhenShown = false;
    ExampleSetup* m_exampleSetup = nullptr;
};

} // namespace tc::ui
