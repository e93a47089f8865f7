#pragma once

#include <QMainWindow>

class QDockWidget;
class QGraphicsView;
class QLabel;

namespace tc::ui {

/// The application window: canvas in the centre, palette / inspector / problems docks,
/// menus File, Edit, View, Train and Help, and a status bar. Geometry and dock layout are
/// restored from QSettings.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a project file; reports problems in a message box and the status bar.
    bool openProject(const QString& path);

    QDockWidget* paletteDock() const { return m_paletteDock; }
    QDockWidget* inspectorDock() const { return m_inspectorDock; }
    QDockWidget* problemsDock() const { return m_problemsDock; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createDocks();
    void restoreWindowState();
    void saveWindowState() const;
    void showAbout();

    QGraphicsView* m_canvas = nullptr;
    QDockWidget* m_paletteDock = nullptr;
    QDockWidget* m_inspectorDock = nullptr;
    QDockWidget* m_problemsDock = nullptr;
    QLabel* m_statusLabel = nullptr;
    QString m_projectPath;
};

} // namespace tc::ui
