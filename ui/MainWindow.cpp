#include "ui/MainWindow.h"

#include "core/util/BuildInfo.h"
#include "core/util/Runtime.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <QTreeWidget>

namespace tc::ui {

namespace {
constexpr auto kGeometryKey = "mainWindow/geometry";
constexpr auto kStateKey = "mainWindow/state";
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent) {
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(QStringLiteral("TorchCanvas"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/torchcanvas.svg")));

    m_canvas = new QGraphicsView(new QGraphicsScene(this), this);
    m_canvas->setObjectName(QStringLiteral("canvas"));
    m_canvas->setRenderHint(QPainter::Antialiasing);
    setCentralWidget(m_canvas);

    createDocks();
    createActions();

    m_statusLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_statusLabel);
    m_statusLabel->setText(tr("LibTorch threads: %1").arg(tc::runtime::configuredThreadCount()));
    statusBar()->showMessage(tr("Ready"));

    restoreWindowState();
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks() {
    m_paletteDock = new QDockWidget(tr("Components"), this);
    m_paletteDock->setObjectName(QStringLiteral("paletteDock"));
    auto* palette = new QTreeWidget(m_paletteDock);
    palette->setHeaderHidden(true);
    m_paletteDock->setWidget(palette);
    addDockWidget(Qt::LeftDockWidgetArea, m_paletteDock);

    m_inspectorDock = new QDockWidget(tr("Inspector"), this);
    m_inspectorDock->setObjectName(QStringLiteral("inspectorDock"));
    m_inspectorDock->setWidget(new QLabel(tr("Select a component to edit it."), m_inspectorDock));
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);

    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(new QListWidget(m_problemsDock));
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New"), QKeySequence::New, this, [] {});
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Project"), QString(),
                                                          tr("TorchCanvas projects (*.tcproj)"));
        if (!path.isEmpty())
            openProject(path);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(tr("&Undo"), QKeySequence::Undo)->setEnabled(false);
    edit->addAction(tr("&Redo"), QKeySequence::Redo)->setEnabled(false);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_paletteDock->toggleViewAction());
    view->addAction(m_inspectorDock->toggleViewAction());
    view->addAction(m_problemsDock->toggleViewAction());

    QMenu* train = menuBar()->addMenu(tr("&Train"));
    train->addAction(tr("&Start Training"))->setEnabled(false);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About TorchCanvas"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

bool MainWindow::openProject(const QString& path) {
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable()) {
        const QString message = tr("Cannot open %1: the file does not exist or is not readable.")
                                    .arg(QDir::toNativeSeparators(path));
        statusBar()->showMessage(message);
        return false;
    }
    m_projectPath = info.absoluteFilePath();
    setWindowTitle(QStringLiteral("%1 — TorchCanvas").arg(info.fileName()));
    statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(m_projectPath)));
    return true;
}

void MainWindow::showAbout() {
    const BuildInfo info = buildInfo();
    QMessageBox::about(this, tr("About TorchCanvas"),
                       tr("<h3>TorchCanvas %1</h3>"
                          "<p>A visual model builder for image classification.</p>"
                          "<table>"
                          "<tr><td>LibTorch</td><td>%2</td></tr>"
                          "<tr><td>Qt</td><td>%3</td></tr>"
                          "<tr><td>OpenCV</td><td>%4</td></tr>"
                          "<tr><td>Compute threads</td><td>%5</td></tr>"
                          "<tr><td>bf16 on this CPU</td><td>%6</td></tr>"
                          "</table>"
                          "<p>For research use. Not a diagnostic device.</p>")
                           .arg(info.torchCanvas, info.libTorch, info.qt, info.openCv)
                           .arg(tc::runtime::configuredThreadCount())
                           .arg(tc::runtime::cpuSupportsBf16() ? tr("yes") : tr("no")));
}

void MainWindow::restoreWindowState() {
    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1280, 800);
    restoreState(settings.value(kStateKey).toByteArray());
}

void MainWindow::saveWindowState() const {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveWindowState();
    event->accept();
}

} // namespace tc::ui
