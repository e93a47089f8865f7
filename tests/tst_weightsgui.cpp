// Pretrained weights in the window: the example project with an empty weights folder warns
// on the ResNet card and in the Problems panel, with Download and Import file… actions; the
// download runs in the background against a small HTTP server on 127.0.0.1 (progress, a
// wrong checksum refused, a cancel honoured, no network), and the warning goes once the file
// is there. Also: the once-per-project question before training a random frozen backbone,
// runs of a project in an unwritable folder, where a run's backbone came from (Statistics and
// Test views), the Test view's explanation of a model that predicts one class, and the move
// out of the old, doubled weights folder. TC_SCREENSHOT_DIR=folder writes the screenshots.

#include "core/nn/WeightsAvailability.h"
#include "core/nn/WeightStore.h"
#include "ui/canvas/CanvasScene.h"
#include "ui/canvas/NodeItem.h"
#include "ui/editor/Document.h"
#include "ui/editor/ProblemsWidget.h"
#include "ui/editor/WeightsDownload.h"
#include "ui/editor/WeightsDownloadBar.h"
#include "ui/evaluation/TestView.h"
#include "ui/MainWindow.h"
#include "ui/training/StatisticsView.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingSession.h"

#include <QAbstractButton>
#include <QCryptographicHash>
#include <QDockWidget>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>
#include <QtTest>
#include <QUndoStack>

using tc::ui::MainWindow;

namespace {

const QString kExample =
    QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/breast-cancer.tcproj");

/// GET requests on 127.0.0.1: a path maps to a body, sent whole, or only its first
/// `holdAfter` bytes with the connection then kept open (a transfer in progress).
class LoopbackHttpServer : public QObject {
public:
    struct Route {
        QByteArray body;
        qint64 holdAfter = -1;
    };

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString baseUrl() const {
        return QStringLiteral("http://127.0.0.1:%1/").arg(m_server.serverPort());
    }
    void route(const QString& path, const Route& route) { m_routes.insert(path, route); }

    LoopbackHttpServer() {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

private:
    void serve(QTcpSocket* socket) {
        QByteArray& request = m_pending[socket];
        request += socket->readAll();
        if (!request.contains("\r\n\r\n"))
            return;
        const QList<QByteArray> words = request.left(request.indexOf("\r\n")).split(' ');
        const QString path = words.size() >= 2 ? QString::fromLatin1(words.at(1)) : QString();
        m_pending.remove(socket);
        if (!m_routes.contains(path)) {
            socket->write(
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            socket->disconnectFromHost();
            return;
        }
        const Route route = m_routes.value(path);
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                      "Content-Length: " +
                      QByteArray::number(route.body.size()) + "\r\nConnection: close\r\n\r\n");
        if (route.holdAfter >= 0)
            return drip(socket, route.body.left(route.holdAfter));
        socket->write(route.body);
        socket->disconnectFromHost();
    }

    /// `part` in 64 KiB pieces every 200 ms (Qt reports a reply's progress at most every
    /// 100 ms or so, and not at all for what arrives in its first moments), then silence:
    /// the rest never comes, the client has to cancel.
    void drip(QTcpSocket* socket, const QByteArray& part) {
        auto* timer = new QTimer(socket);
        auto sent = std::make_shared<qint64>(0);
        connect(timer, &QTimer::timeout, socket, [socket, part, sent, timer] {
            constexpr qint64 kPiece = 64 << 10;
            socket->write(part.mid(*sent, kPiece));
            *sent += kPiece;
            if (*sent >= part.size())
                timer->stop();
        });
        timer->start(200);
    }

    QTcpServer m_server;
    QMap<QString, Route> m_routes;
    QHash<QTcpSocket*, QByteArray> m_pending;
};

QByteArray randomBytes(int size, quint32 seed) {
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (char& byte : bytes)
        byte = static_cast<char>(generator.bounded(256));
    return bytes;
}

QString sha256Prefix(const QByteArray& bytes) {
    return QString::fromLatin1(
        QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().left(8));
}

/// A ResNet50 variant whose file is `fileName` (the table's is 98 MB and torchvision's).
tc::nn::WeightVariant servedVariant(const QString& fileName) {
    tc::nn::WeightVariant variant = tc::nn::defaultWeightVariant(tc::nn::ResNetDepth::ResNet50);
    variant.fileName = fileName;
    variant.description = QStringLiteral("a test file, 2 MB");
    return variant;
}

void saveScreenshot(QWidget& widget, const QString& name) {
    const QString directory = qEnvironmentVariable("TC_SCREENSHOT_DIR");
    const QPixmap shot = widget.grab();
    QVERIFY(!shot.isNull());
    if (!directory.isEmpty()) {
        QDir().mkpath(directory);
        QVERIFY(shot.save(QDir(directory).filePath(name)));
    }
}

bool hasWeightsProblem(const tc::ui::Document& document, int node) {
    for (const tc::graph::Problem& problem : document.validation().problems) {
        if (problem.node == node && problem.message.contains(QStringLiteral("weights are missing")))
            return true;
    }
    return false;
}

QStringList filesIn(const QString& folder) {
    return QDir(folder).entryList(QDir::Files | QDir::Hidden);
}

} // namespace

class TestWeightsGui : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void missingWeightsWarnOnCardAndProblems();
    void cancelStopsTheTransferAndLeavesNothing();
    void wrongChecksumIsRefused();
    void withoutNetworkTheManualRouteIsShown();
    void importOfABadFileNamesIt();
    void downloadRemovesTheWarning();
    void randomFrozenBackboneAskedOncePerProject();
    void runsOfAnUnwritableProjectFolderGoToTheUserFolder();
    void runHeaderShowsWhereTheBackboneCameFrom();
    void collapsedPredictionsAreExplained();
    void legacyWeightsFolderIsMovedOnce();

private:
    /// The example project in a window, with the test's download server and answers.
    std::unique_ptr<MainWindow> openExample();
    int resNetNode(const MainWindow& window) const;

    LoopbackHttpServer m_server;
    QByteArray m_payload;
    QString m_goodName;
    QString m_heldName;
    QTemporaryDir m_scratch;
    QString m_weights; ///< this test function's weights folder (TORCHCANVAS_WEIGHTS_DIR)
    QString m_example; ///< the example project, copied into the scratch folder
    int m_folders = 0;
};

void TestWeightsGui::initTestCase() {
    QCoreApplication::setOrganizationName(QStringLiteral("TorchCanvasTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_weightsgui"));
    QVERIFY(m_scratch.isValid());
    m_example =
        m_scratch.filePath(QStringLiteral("project/resources/examples/breast-cancer.tcproj"));
    QVERIFY(m_server.listen());
    m_payload = randomBytes(3 << 20, 7);
    m_goodName = QStringLiteral("resnet50-%1.pth").arg(sha256Prefix(m_payload));
    m_server.route(QLatin1Char('/') + m_goodName, {m_payload, -1});
    // The same bytes under a name whose checksum they do not have.
    m_server.route(QStringLiteral("/resnet50-deadbeef.pth"), {m_payload, -1});
    const QByteArray other = randomBytes(2 << 20, 8);
    m_heldName = QStringLiteral("resnet50-%1.pth").arg(sha256Prefix(other));
    m_server.route(QLatin1Char('/') + m_heldName, {other, 512 << 10});
}

void TestWeightsGui::init() {
    m_weights = m_scratch.filePath(QStringLiteral("weights-%1").arg(++m_folders));
    qputenv("TORCHCANVAS_WEIGHTS_DIR", QFile::encodeName(m_weights));
}

std::unique_ptr<MainWindow> TestWeightsGui::openExample() {
    // A copy, away from any demo data a developer generated: a run started here fails at
    // once for want of images instead of training a ResNet50.
    if (!QFileInfo::exists(m_example)) {
        QDir().mkpath(QFileInfo(m_example).absolutePath());
        if (!QFile::copy(kExample, m_example))
            return nullptr;
    }
    auto window = std::make_unique<MainWindow>();
    window->setSavePrompt([](const QString&) { return MainWindow::SaveChoice::Discard; });
    window->resize(1400, 900);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()) || !window->openProject(m_example))
        return nullptr;
    window->weightsDownload()->setBaseUrl(m_server.baseUrl());
    return window;
}

int TestWeightsGui::resNetNode(const MainWindow& window) const {
    const auto nodes = window.document()->graph().nodesOfType(QStringLiteral("ResNet"));
    return nodes.size() == 1 ? nodes.front() : -1;
}

void TestWeightsGui::missingWeightsWarnOnCardAndProblems() {
    auto window = openExample();
    QVERIFY(window);
    const int node = resNetNode(*window);
    QVERIFY(node >= 0);
    QVERIFY(!QFileInfo::exists(m_weights)); // an empty (not even created) weights folder

    // The Problems panel: a warning row for the backbone, naming the file and the folder,
    // with both actions; training stays possible (it is a warning, not an error).
    const tc::ui::Document& document = *window->document();
    QVERIFY(hasWeightsProblem(document, node));
    QVERIFY(document.validation().isValid());
    const QList<QAbstractButton*> actions = window->problems()->weightsActions(node);
    QCOMPARE(actions.size(), 2);
    QCOMPARE(actions.at(0)->text(), QStringLiteral("Download (98 MB)"));
    QCOMPARE(actions.at(1)->text(), QStringLiteral("Import file…"));
    QString rowText;
    for (int row = 0; row < window->problems()->list()->topLevelItemCount(); ++row) {
        if (window->problems()->list()->itemWidget(window->problems()->list()->topLevelItem(row),
                                                   2))
            rowText = window->problems()->list()->topLevelItem(row)->text(1);
    }
    QVERIFY2(rowText.contains(QStringLiteral("resnet50-0676ba61.pth")), qPrintable(rowText));
    QVERIFY(rowText.contains(QDir::toNativeSeparators(m_weights)));
    QVERIFY(rowText.contains(QStringLiteral("RANDOM backbone")));
    QVERIFY(window->problems()->summary().contains(QStringLiteral("warning")));

    // The card: marked as having a warning, whose text its tooltip holds.
    const tc::ui::NodeItem* card = window->canvasScene()->nodeItem(node);
    QVERIFY(card);
    QVERIFY(card->hasWarnings());
    QVERIFY(card->toolTip().contains(QStringLiteral("weights are missing")));

    // Only a backbone that asks for ImageNet weights is warned about.
    window->document()->setParameter(node, QStringLiteral("pretrained"), QStringLiteral("none"));
    QVERIFY(!hasWeightsProblem(document, node));
    QVERIFY(window->problems()->weightsActions(node).isEmpty());
    window->document()->undoStack()->undo();
    QVERIFY(hasWeightsProblem(document, node));

    window->canvasScene()->selectNodes({node});
    QCoreApplication::processEvents();
    saveScreenshot(*window, QStringLiteral("weights-warning.png"));
}

void TestWeightsGui::cancelStopsTheTransferAndLeavesNothing() {
    auto window = openExample();
    QVERIFY(window);
    const int node = resNetNode(*window);
    tc::ui::WeightsDownload* download = window->weightsDownload();
    download->setVariantChooser([this](tc::nn::ResNetDepth) { return servedVariant(m_heldName); });
    QSignalSpy started(download, &tc::ui::WeightsDownload::started);
    QSignalSpy progress(download, &tc::ui::WeightsDownload::progress);
    QSignalSpy finished(download, &tc::ui::WeightsDownload::finished);

    window->problems()->weightsActions(node).at(0)->click();
    QCOMPARE(started.count(), 1);
    QVERIFY(download->isBusy());
    QVERIFY(!window->problems()->weightsActions(node).at(0)->isEnabled()); // one at a time
    // The server sends 512 KiB of 2 MiB, then nothing: progress shows the part (Qt reports
    // it in steps, so any part of it), the window stays responsive (this loop runs on its
    // thread), and nothing is finished.
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() > 0, 20'000);
    QTRY_VERIFY_WITH_TIMEOUT(progress.last().at(0).toLongLong() >= 384 << 10, 20'000);
    const qint64 received = progress.last().at(0).toLongLong();
    QVERIFY(received <= 512 << 10);
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(2 << 20));
    QVERIFY(finished.isEmpty());
    auto* bar = window->findChild<tc::ui::WeightsDownloadBar*>();
    QVERIFY(bar && bar->isVisible());
    QCOMPARE(bar->progressBar()->value(), int(1000.0 * double(received) / double(2 << 20)));
    const QString shown = bar->textLabel()->text();
    QVERIFY2(
        shown.contains(
            QStringLiteral("%1 of 2.1 MB").arg(QString::number(double(received) / 1e6, 'f', 1))),
        qPrintable(shown));
    QVERIFY(shown.contains(QStringLiteral("MB/s")));
    // The part is written to a temporary file (on Linux an unnamed one), never under the
    // final name.
    QVERIFY(QFileInfo(m_weights).isDir());
    QVERIFY(!QFileInfo::exists(QDir(m_weights).filePath(m_heldName)));
    saveScreenshot(*window, QStringLiteral("weights-download.png"));

    bar->cancelButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10'000);
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(finished.first().at(1).toBool(), true);
    QVERIFY2(finished.first().at(2).toString().contains(QStringLiteral("cancelled")),
             qPrintable(finished.first().at(2).toString()));
    QVERIFY(!download->isBusy());
    QVERIFY(window->problems()->weightsActions(node).at(0)->isEnabled());
    QCOMPARE(filesIn(m_weights), QStringList()); // the partial file is gone
    QVERIFY(hasWeightsProblem(*window->document(), node));
}

void TestWeightsGui::wrongChecksumIsRefused() {
    auto window = openExample();
    QVERIFY(window);
    const int node = resNetNode(*window);
    tc::ui::WeightsDownload* download = window->weightsDownload();
    download->setVariantChooser(
        [](tc::nn::ResNetDepth) { return servedVariant(QStringLiteral("resnet50-deadbeef.pth")); });
    QSignalSpy finished(download, &tc::ui::WeightsDownload::finished);
    window->problems()->weightsActions(node).at(0)->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20'000);
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(finished.first().at(1).toBool(), false);
    const QString message = finished.first().at(2).toString();
    QVERIFY2(message.contains(QStringLiteral("checksum mismatch")), qPrintable(message));
    QVERIFY(message.contains(sha256Prefix(m_payload)));
    QCOMPARE(filesIn(m_weights), QStringList()); // nothing was kept
    QVERIFY(hasWeightsProblem(*window->document(), node));
    auto* bar = window->findChild<tc::ui::WeightsDownloadBar*>();
    QVERIFY(bar->isVisible());
    QVERIFY(bar->textLabel()->text().contains(QStringLiteral("checksum mismatch")));
}

void TestWeightsGui::withoutNetworkTheManualRouteIsShown() {
    auto window = openExample();
    QVERIFY(window);
    QTcpServer probe; // a port nothing listens on
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    tc::ui::WeightsDownload* download = window->weightsDownload();
    download->setBaseUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port));
    QSignalSpy finished(download, &tc::ui::WeightsDownload::finished);
    window->downloadWeights(resNetNode(*window));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20'000);
    const QString message = finished.first().at(2).toString();
    QCOMPARE(finished.first().at(0).toBool(), false);
    // Which file, from where, and the two manual routes.
    QVERIFY2(message.contains(QStringLiteral("resnet50-0676ba61.pth")), qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("torchcanvas weights import FILE")));
    QVERIFY(message.contains(QStringLiteral("Import file…")));
    QCOMPARE(window->statusBar()->currentMessage(), message);
}

void TestWeightsGui::importOfABadFileNamesIt() {
    auto window = openExample();
    QVERIFY(window);
    const int node = resNetNode(*window);
    const QString bad = m_scratch.filePath(QStringLiteral("not-weights.pth"));
    {
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a state dict");
    }
    window->setWeightsFilePrompt([bad] { return bad; });
    QSignalSpy finished(window->weightsDownload(), &tc::ui::WeightsDownload::finished);
    window->problems()->weightsActions(node).at(1)->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20'000);
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY2(finished.first().at(2).toString().contains(bad),
             qPrintable(finished.first().at(2).toString()));
    QVERIFY(hasWeightsProblem(*window->document(), node));
}

void TestWeightsGui::downloadRemovesTheWarning() {
    auto window = openExample();
    QVERIFY(window);
    const int node = resNetNode(*window);
    tc::ui::WeightsDownload* download = window->weightsDownload();
    download->setVariantChooser([this](tc::nn::ResNetDepth depth) {
        return depth == tc::nn::ResNetDepth::ResNet50 ? servedVariant(m_goodName)
                                                      : tc::nn::defaultWeightVariant(depth);
    });
    QSignalSpy progress(download, &tc::ui::WeightsDownload::progress);
    QSignalSpy finished(download, &tc::ui::WeightsDownload::finished);
    QSignalSpy validated(window->document(), &tc::ui::Document::validationChanged);
    window->problems()->weightsActions(node).at(0)->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30'000);
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));
    QVERIFY(finished.first().at(2).toString().contains(QStringLiteral("SHA-256 checked")));
    // Progress came, monotonically, and ended at the whole file.
    QVERIFY(!progress.isEmpty());
    qint64 previous = -1;
    for (const QList<QVariant>& arguments : std::as_const(progress)) {
        QVERIFY(arguments.at(0).toLongLong() >= previous);
        previous = arguments.at(0).toLongLong();
        QCOMPARE(arguments.at(1).toLongLong(), qint64(m_payload.size()));
    }
    QCOMPARE(previous, qint64(m_payload.size()));
    // The file is in the folder, byte for byte, and the editor looked again.
    QFile saved(QDir(m_weights).filePath(m_goodName));
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll() == m_payload);
    QCOMPARE(tc::nn::WeightStore().findWeights(tc::nn::ResNetDepth::ResNet50), saved.fileName());
    QVERIFY(!validated.isEmpty());
    QVERIFY(!hasWeightsProblem(*window->document(), node));
    QVERIFY(window->problems()->weightsActions(node).isEmpty());
    QVERIFY(!window->canvasScene()->nodeItem(node)->toolTip().contains(
        QStringLiteral("weights are missing")));
}

void TestWeightsGui::randomFrozenBackboneAskedOncePerProject() {
    auto window = openExample();
    QVERIFY(window);
    tc::ui::TrainingSession* session = window->training();
    session->setRunsDirectory(m_scratch.filePath(QStringLiteral("runs-random")));
    QStringList questions;
    bool answer = false;
    session->setRandomBackbonePrompt([&](const QString& question) {
        questions << question;
        return answer;
    });
    auto waitIdle = [session] {
        QTRY_VERIFY_WITH_TIMEOUT(!session->controller()->isActive(), 60'000);
    };

    // Declined: no run, and asked again next time.
    QString error;
    QVERIFY(!session->startTraining(&error));
    QVERIFY2(error.contains(QStringLiteral("no pretrained weights")), qPrintable(error));
    QCOMPARE(questions.size(), 1);
    QVERIFY(questions.first().contains(QStringLiteral("ResNet50 (#")));
    QVERIFY(questions.first().contains(QStringLiteral("frozen")));
    QVERIFY(!session->startTraining());
    QCOMPARE(questions.size(), 2);
    QVERIFY(session->currentRunDirectory().isEmpty());

    // Accepted once: the run starts, and the project does not ask again.
    answer = true;
    QVERIFY(session->startTraining(&error));
    QCOMPARE(questions.size(), 3);
    waitIdle();
    QVERIFY(session->startTraining(&error));
    QCOMPARE(questions.size(), 3);
    waitIdle();

    // Another project (the example opened again) asks again.
    QVERIFY(window->openProject(m_example));
    QVERIFY(session->startTraining(&error));
    QCOMPARE(questions.size(), 4);
    waitIdle();

    // A backbone that trains all its weights is not asked about, nor one with weights.
    questions.clear();
    QVERIFY(window->openProject(m_example));
    const int node = resNetNode(*window);
    window->document()->setParameter(node, QStringLiteral("trainable"), QStringLiteral("all"));
    QVERIFY(session->startTraining(&error));
    waitIdle();
    QVERIFY(window->openProject(m_example));
    QDir().mkpath(m_weights);
    QFile placeholder(QDir(m_weights).filePath(QStringLiteral("resnet50-0676ba61.pth")));
    QVERIFY(placeholder.open(QIODevice::WriteOnly));
    placeholder.close();
    window->document()->revalidate();
    QVERIFY(session->startTraining(&error));
    waitIdle();
    QCOMPARE(questions, QStringList());
}

void TestWeightsGui::runsOfAnUnwritableProjectFolderGoToTheUserFolder() {
    // A project whose "runs" cannot be created beside it (a file of that name stands in for
    // a read-only folder: this test may run as root, who can write anywhere).
    const QString folder = m_scratch.filePath(QStringLiteral("readonly-project"));
    QVERIFY(QDir().mkpath(folder + QStringLiteral("/resources/examples")));
    const QString project = folder + QStringLiteral("/resources/examples/breast-cancer.tcproj");
    QVERIFY(QFile::copy(kExample, project));
    {
        QFile blocker(folder + QStringLiteral("/resources/examples/runs"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
    }
    auto window = std::make_unique<MainWindow>();
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY(window->openProject(project));
    tc::ui::TrainingSession* session = window->training();
    session->setRandomBackbonePrompt([](const QString&) { return true; });
    QString error;
    QVERIFY2(session->startTraining(&error), qPrintable(error));
    const QString perUser = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                                .filePath(QStringLiteral("runs"));
    QVERIFY2(session->currentRunDirectory().startsWith(perUser),
             qPrintable(session->currentRunDirectory()));
    QVERIFY(QFileInfo(session->currentRunDirectory()).isDir());
    const QString status = window->statusBar()->currentMessage();
    QVERIFY2(status.contains(session->currentRunDirectory()), qPrintable(status));
    QVERIFY(status.contains(QStringLiteral("is not writable")));
    QTRY_VERIFY_WITH_TIMEOUT(!session->controller()->isActive(), 60'000);
    QDir(session->currentRunDirectory()).removeRecursively();
}

void TestWeightsGui::runHeaderShowsWhereTheBackboneCameFrom() {
    auto window = openExample();
    QVERIFY(window);
    tc::ui::TrainingSession* session = window->training();
    tc::ui::StatisticsView* statistics = session->statistics();
    QLabel* info = statistics->runInfoLabel();
    QVERIFY(info->isHidden());

    tc::train::RunStartedEvent event;
    event.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
    event.trainImages = 120;
    tc::nn::WeightsStatus pretrained;
    pretrained.state = tc::nn::WeightsStatus::State::Pretrained;
    pretrained.model = QStringLiteral("resnet50");
    pretrained.file = QDir(m_weights).filePath(QStringLiteral("resnet50-0676ba61.pth"));
    event.weightsStatus = pretrained;
    event.weights = pretrained.summary();
    Q_EMIT session->controller()->runStarted(event);
    QVERIFY(!info->isHidden());
    QVERIFY2(info->text().contains(QStringLiteral("ImageNet (torchvision resnet50-0676ba61)")),
             qPrintable(info->text()));
    QVERIFY(!info->text().contains(QStringLiteral("\u26a0")));

    tc::nn::WeightsStatus random;
    random.state = tc::nn::WeightsStatus::State::RandomNoWeights;
    random.model = QStringLiteral("resnet50");
    event.weightsStatus = random;
    event.weights = random.summary();
    Q_EMIT session->controller()->runStarted(event);
    statistics->clearPreviousRuns(); // the pretrained one above
    // What such a run looks like: the head learns to say "benign" to everything.
    for (int epoch = 1; epoch <= 4; ++epoch) {
        tc::train::EpochEvent epochEvent;
        epochEvent.epoch = epoch;
        epochEvent.epochs = 10;
        epochEvent.train.loss = 0.75 - 0.02 * epoch;
        epochEvent.train.metrics = tc::train::metricsFromConfusion({{48 + epoch, 2}, {60, 4}});
        tc::train::SplitResult validation;
        validation.loss = 0.72;
        validation.metrics = tc::train::metricsFromConfusion({{21, 0}, {29, 0}});
        epochEvent.validation = validation;
        Q_EMIT session->controller()->epochEnded(epochEvent);
    }
    QVERIFY2(info->text().contains(QStringLiteral("RANDOM — not pretrained")),
             qPrintable(info->text()));
    QVERIFY(info->text().contains(QStringLiteral("\u26a0"))); // shown as a warning
    window->showView(statistics);
    QCoreApplication::processEvents();
    saveScreenshot(*statistics, QStringLiteral("statistics-weights.png"));

    // The origin of every imported or torchvision file, and of each random case.
    random.state = tc::nn::WeightsStatus::State::RandomRequested;
    QCOMPARE(tc::nn::weightsOrigin(random),
             QStringLiteral("RANDOM — not pretrained (none requested)"));
    pretrained.file = QStringLiteral("/w/resnet50-1a2b3c4d.safetensors");
    QCOMPARE(tc::nn::weightsOrigin(pretrained),
             QStringLiteral("Pretrained (imported resnet50-1a2b3c4d)"));
}

void TestWeightsGui::collapsedPredictionsAreExplained() {
    tc::ui::TestView view;
    view.resize(1100, 800);
    tc::ui::EvaluationResults results;
    results.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
    // 4 benign, 6 malignant, every one predicted benign.
    for (int i = 0; i < 10; ++i)
        results.images.push_back(
            {QStringLiteral("/nowhere/%1.png").arg(i), i < 4 ? 0 : 1, {0.7f, 0.3f}, {}, {}});
    results.weightsOrigin = QStringLiteral("RANDOM — not pretrained (no weights file was found)");
    results.randomWeights = true;
    QVERIFY(view.setResults(results));
    // Independently: recall 4/4 for benign and 0/6 for malignant.
    QCOMPARE(view.metrics().balancedAccuracy, (4.0 / 4.0 + 0.0 / 6.0) / 2.0);
    QLabel* notice = view.trustNotice();
    QVERIFY(!notice->isHidden());
    QVERIFY2(notice->text().contains(QStringLiteral(
                 "Balanced accuracy 50 %: the model predicts one class (benign) for every image")),
             qPrintable(notice->text()));
    QVERIFY(notice->text().contains(QStringLiteral("RANDOM — not pretrained")));
    QVERIFY(notice->text().contains(QStringLiteral("was not pretrained")));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    saveScreenshot(view, QStringLiteral("testview-one-class.png"));

    // A model that predicts both classes, from a pretrained backbone: only the origin.
    results.images[5].probabilities = {0.2f, 0.8f};
    results.weightsOrigin = QStringLiteral("ImageNet (torchvision resnet50-0676ba61)");
    results.randomWeights = false;
    QVERIFY(view.setResults(results));
    QVERIFY(notice->text().contains(QStringLiteral("ImageNet (torchvision resnet50-0676ba61)")));
    QVERIFY(!notice->text().contains(QStringLiteral("one class")));
    QVERIFY(!notice->text().contains(QStringLiteral("\u26a0")));

    // Results that say nothing about weights and do not collapse: no notice at all.
    results.weightsOrigin.clear();
    QVERIFY(view.setResults(results));
    QVERIFY(notice->isHidden());
}

void TestWeightsGui::legacyWeightsFolderIsMovedOnce() {
    const QByteArray home = qgetenv("XDG_DATA_HOME");
    const QByteArray override = qgetenv("TORCHCANVAS_WEIGHTS_DIR");
    const QString data = m_scratch.filePath(QStringLiteral("xdg-data"));
    qputenv("XDG_DATA_HOME", QFile::encodeName(data));
    qunsetenv("TORCHCANVAS_WEIGHTS_DIR");
    auto restore = qScopeGuard([&] {
        qputenv("XDG_DATA_HOME", home);
        qputenv("TORCHCANVAS_WEIGHTS_DIR", override);
    });
    // The conventional per-application folder, not <data>/TorchCanvas/TorchCanvas.
    QCOMPARE(tc::nn::WeightStore::defaultDirectory(),
             data + QStringLiteral("/TorchCanvas/weights"));
    QCOMPARE(tc::nn::legacyWeightsDirectory(),
             data + QStringLiteral("/TorchCanvas/TorchCanvas/weights"));

    auto write = [](const QString& path, const QByteArray& bytes) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
    };
    const QString legacy = tc::nn::legacyWeightsDirectory();
    const QString target = tc::nn::WeightStore::defaultDirectory();
    QVERIFY(write(legacy + QStringLiteral("/resnet18-f37072fd.pth"), "old resnet18"));
    QVERIFY(write(legacy + QStringLiteral("/resnet50-0676ba61.pth"), "old resnet50"));
    QVERIFY(write(target + QStringLiteral("/resnet50-0676ba61.pth"), "new resnet50"));

    const QString message = tc::nn::migrateLegacyWeights();
    QVERIFY2(message.contains(QStringLiteral("Moved 1 weight file(s)")), qPrintable(message));
    QVERIFY(message.contains(legacy) && message.contains(target));
    QVERIFY(message.contains(QStringLiteral("Left resnet50-0676ba61.pth")));
    QFile moved(target + QStringLiteral("/resnet18-f37072fd.pth"));
    QVERIFY(moved.open(QIODevice::ReadOnly));
    QCOMPARE(moved.readAll(), QByteArray("old resnet18"));
    QVERIFY(!QFileInfo::exists(legacy + QStringLiteral("/resnet18-f37072fd.pth")));
    QFile kept(target + QStringLiteral("/resnet50-0676ba61.pth"));
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), QByteArray("new resnet50")); // never overwritten
    // Once: a second start says nothing and moves nothing.
    QCOMPARE(tc::nn::migrateLegacyWeights(), QString());
    QVERIFY(QFileInfo::exists(legacy + QStringLiteral("/resnet50-0676ba61.pth")));

    // With nothing left behind, the old folder goes too.
    QVERIFY(QFile::remove(legacy + QStringLiteral("/resnet50-0676ba61.pth")));
    QVERIFY(write(legacy + QStringLiteral("/resnet34-b627a593.pth"), "old resnet34"));
    QVERIFY(tc::nn::migrateLegacyWeights().contains(QStringLiteral("Moved 1")));
    QVERIFY(!QFileInfo::exists(legacy));
    QVERIFY(QFileInfo::exists(target + QStringLiteral("/resnet34-b627a593.pth")));
    QCOMPARE(tc::nn::migrateLegacyWeights(), QString());
}

QTEST_MAIN(TestWeightsGui)
#include "tst_weightsgui.moc"
