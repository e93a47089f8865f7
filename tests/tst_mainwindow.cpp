// The application shell, offscreen: menus, docks, geometry persistence, a screenshot.

#include "ui/MainWindow.h"

#include <QDockWidget>
#include <QMenuBar>
#include <QSettings>
#include <QtTest>

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void hasMenusAndDocks();
    void restoresGeometry();
    void saveScreenshot();
};

void TestMainWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TorchCanvasTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QSettings().clear();
}

void TestMainWindow::hasMenusAndDocks() {
    tc::ui::MainWindow window;
    QStringList titles;
    for (QAction* action : window.menuBar()->actions())
        titles << action->text().remove(QLatin1Char('&'));
    QCOMPARE(titles,
             (QStringList{QStringLiteral("File"), QStringLiteral("Edit"), QStringLiteral("View"),
                          QStringLiteral("Train"), QStringLiteral("Help")}));
    QCOMPARE(window.dockWidgetArea(window.paletteDock()), Qt::LeftDockWidgetArea);
    QCOMPARE(window.dockWidgetArea(window.inspectorDock()), Qt::RightDockWidgetArea);
    QCOMPARE(window.dockWidgetArea(window.problemsDock()), Qt::BottomDockWidgetArea);
    QVERIFY(window.centralWidget() != nullptr);
}

void TestMainWindow::restoresGeometry() {
    {
        tc::ui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resize(913, 611);
        QTRY_COMPARE(window.size(), QSize(913, 611));
        window.close();
    }
    tc::ui::MainWindow reopened;
    QCOMPARE(reopened.size(), QSize(913, 611));
}

void TestMainWindow::saveScreenshot() {
    tc::ui::MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString path = QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR "/mainwindow.png");
    QVERIFY(window.grab().save(path));
    QVERIFY(QFileInfo(path).size() > 0);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
