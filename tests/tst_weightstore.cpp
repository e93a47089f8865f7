// The weights folder and downloads: everything is served by a small HTTP server on
// 127.0.0.1 inside this test (no network access needed or used), including the failures a
// user meets: wrong checksum, HTTP errors, refused connections, cut transfers, silence.

#include "core/nn/ResNet.h"
#include "core/nn/SafeTensors.h"
#include "core/nn/StateDict.h"
#include "core/nn/WeightDownloader.h"
#include "core/nn/WeightStore.h"
#include "tools/NnTestSupport.h"

#include <atomic>
#include <memory>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>
#include <thread>

using namespace tc::nn;

namespace {

/// A minimal HTTP/1.1 server for GET requests, living in the test's thread: routes map a
/// path to a status and body; a route can also cut its body short or never answer.
class LoopbackHttpServer : public QObject {
public:
    struct Route {
        int status = 200;
        QByteArray body;
        qint64 declaredLength = -1; ///< Content-Length to claim; -1: the body's size
        bool hang = false;          ///< accept, read the request, never answer
        /// How the body goes out: at once, a byte every 50 ms, or without end (no length).
        enum class Stream { Whole, Trickle, Endless } stream = Stream::Whole;
    };

    LoopbackHttpServer() {
        QObject::connect(&server_, &QTcpServer::newConnection, this, [this] { accept(); });
    }

    bool listen() { return server_.listen(QHostAddress::LocalHost, 0); }
    QString baseUrl() const {
        return QStringLiteral("http://127.0.0.1:%1/").arg(server_.serverPort());
    }
    void route(const QString& path, const Route& route) { routes_.insert(path, route); }
    /// Requests for one path: another test's late or retried request cannot change it.
    int requests(const QString& path) const { return requests_.value(path); }

private:
    void accept() {
        while (QTcpSocket* socket = server_.nextPendingConnection()) {
            socket->setParent(this);
            QObject::connect(socket, &QTcpSocket::readyRead, this,
                             [this, socket] { serve(socket); });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void serve(QTcpSocket* socket) {
        QByteArray& request = pending_[socket];
        request += socket->readAll();
        if (!request.contains("\r\n\r\n"))
            return;
        const QList<QByteArray> words = request.left(request.indexOf("\r\n")).split(' ');
        const QString path = words.size() >= 2 ? QString::fromLatin1(words.at(1)) : QString();
        ++requests_[path];
        pending_.remove(socket);
        const Route route =
            routes_.value(path, Route{404, QByteArrayLiteral("not found"), -1, false});
        if (route.hang)
            return;
        const QByteArray reason = route.status == 200   ? "OK"
                                  : route.status == 404 ? "Not Found"
                                                        : "Error";
        const qint64 length = route.declaredLength >= 0 ? route.declaredLength : route.body.size();
        const QByteArray lengthHeader =
            route.stream == Route::Stream::Endless
                ? QByteArray()
                : "Content-Length: " + QByteArray::number(length) + "\r\n";
        socket->write("HTTP/1.1 " + QByteArray::number(route.status) + ' ' + reason +
                      "\r\nContent-Type: application/octet-stream\r\n" + lengthHeader +
                      "Connection: close\r\n\r\n");
        if (route.stream == Route::Stream::Trickle)
            return trickle(socket, route.body);
        if (route.stream == Route::Stream::Endless)
            return pour(socket);
        socket->write(route.body);
        socket->disconnectFromHost();
    }

    /// One byte every 50 ms: never silent long enough for an inactivity timeout.
    void trickle(QTcpSocket* socket, const QByteArray& body) {
        auto* timer = new QTimer(socket);
        auto sent = std::make_shared<int>(0);
        QObject::connect(timer, &QTimer::timeout, socket, [socket, body, sent] {
            if (*sent < body.size())
                socket->write(body.mid((*sent)++, 1));
        });
        timer->start(50);
    }

    /// 64 KiB more whenever the last chunk left, until the client hangs up.
    void pour(QTcpSocket* socket) {
        const QByteArray chunk(64 << 10, 'x');
        QObject::connect(socket, &QTcpSocket::bytesWritten, socket, [socket, chunk] {
            if (socket->bytesToWrite() < chunk.size())
                socket->write(chunk);
        });
        socket->write(chunk);
    }

    QTcpServer server_;
    QMap<QString, Route> routes_;
    QHash<QTcpSocket*, QByteArray> pending_;
    QHash<QString, int> requests_;
};

QByteArray randomBytes(int size) {
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(1234);
    for (char& byte : bytes)
        byte = static_cast<char>(generator.bounded(256));
    return bytes;
}

QString sha256Prefix(const QByteArray& bytes) {
    return QString::fromLatin1(
        QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().left(8));
}

/// A port nothing listens on (taken from the OS, then released).
quint16 closedPort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

struct CliResult {
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs the torchcanvas binary while this thread's event loop keeps serving HTTP.
CliResult
runCli(const QStringList& arguments,
       const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
    QProcess process;
    process.setProcessEnvironment(environment);
    QEventLoop loop;
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(120'000, &loop, &QEventLoop::quit);
    process.start(QStringLiteral(TORCHCANVAS_BINARY), arguments);
    loop.exec();
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished();
    }
    CliResult result;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

/// A ResNet18 state dict (random weights) written as .safetensors.
QString writeResNet18(const QString& path) {
    ResNetOptions options;
    options.depth = ResNetDepth::ResNet18;
    ResNet model(options);
    StateDict tensors;
    for (const auto& item : model->named_parameters())
        tensors.insert(item.key(), item.value().detach());
    for (const auto& item : model->named_buffers())
        tensors.insert(item.key(), item.value().detach());
    QString error;
    return writeSafeTensors(path, tensors, {}, &error) ? path : error;
}

} // namespace

class TestWeightStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void variantsTable();
    void downloadSucceedsWithProgress();
    void downloadFailures_data();
    void downloadFailures();
    void connectionRefused();
    void silentServerTimesOutOrCancels();
    void slowAndEndlessServersAreStopped();
    void fetchReusesAVerifiedFile();
    void downloadFromWorkerThread();
    void importAndFind();
    void cliFetchFailuresExplainImport();
    void cliListAndImport();
    void cliUsageErrors();

private:
    LoopbackHttpServer server_;
    QByteArray payload_;
    QString payloadName_;
};

void TestWeightStore::initTestCase() {
    QVERIFY(server_.listen());
    payload_ = randomBytes(3 << 20);
    payloadName_ = QStringLiteral("resnet18-%1.pth").arg(sha256Prefix(payload_));
    server_.route(QLatin1Char('/') + payloadName_, {200, payload_, -1, false});
    server_.route(QStringLiteral("/error.pth"),
                  {500, QByteArrayLiteral("internal error"), -1, false});
    server_.route(QStringLiteral("/cut.pth"), {200, payload_.left(1000), 100000, false});
    server_.route(QStringLiteral("/hang.pth"), {200, {}, -1, true});
    using Stream = LoopbackHttpServer::Route::Stream;
    server_.route(QStringLiteral("/trickle.pth"),
                  {200, payload_.left(4000), -1, false, Stream::Trickle});
    server_.route(QStringLiteral("/endless.pth"), {200, {}, -1, false, Stream::Endless});
    server_.route(QStringLiteral("/huge.pth"), {200, payload_.left(10), qint64(1) << 40, false});
    // A real variant's name with content that is not torchvision's file.
    server_.route(QStringLiteral("/resnet18-f37072fd.pth"), {200, payload_.left(5000), -1, false});
}

void TestWeightStore::variantsTable() {
    QCOMPARE(weightVariants().size(), 8);
    const WeightVariant resnet50 = *findWeightVariant(QStringLiteral("resnet50"));
    QCOMPARE(resnet50.fileName, QStringLiteral("resnet50-0676ba61.pth"));
    QCOMPARE(resnet50.sha256Prefix(), QStringLiteral("0676ba61"));
    QCOMPARE(resnet50.url({}),
             QStringLiteral("https://download.pytorch.org/models/resnet50-0676ba61.pth"));
    QCOMPARE(findWeightVariant(QStringLiteral("ResNet50_Weights.IMAGENET1K_V2"))->fileName,
             QStringLiteral("resnet50-11ad3fa6.pth"));
    QCOMPARE(defaultWeightVariant(ResNetDepth::ResNet152).fileName,
             QStringLiteral("resnet152-394f9c45.pth"));
    QVERIFY(!findWeightVariant(QStringLiteral("vgg16")));
    for (const WeightVariant& variant : weightVariants())
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{8}$"))
                    .match(variant.sha256Prefix())
                    .hasMatch());
}

void TestWeightStore::downloadSucceedsWithProgress() {
    const QString folder = tc::test::freshDirectory(QStringLiteral("weightstore-download"));
    const QString destination = folder + QLatin1Char('/') + payloadName_;
    WeightDownloader::Options options;
    qint64 lastReceived = -1;
    qint64 lastTotal = -1;
    int calls = 0;
    options.progress = [&](qint64 received, qint64 total) {
        QVERIFY(received >= lastReceived);
        lastReceived = received;
        lastTotal = total;
        ++calls;
    };
    const WeightDownloader::Result result = WeightDownloader::download(
        QUrl(server_.baseUrl() + payloadName_), destination, sha256Prefix(payload_), options);
    QVERIFY2(result.ok, qPrintable(result.error));
    QVERIFY(!result.reused);
    QFile file(destination);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll() == payload_);
    QVERIFY(calls >= 1);
    QCOMPARE(lastReceived, payload_.size());
    QCOMPARE(lastTotal, payload_.size());
    QCOMPARE(QDir(folder).entryList(QDir::Files).size(), 1); // no temporary files left
}

void TestWeightStore::downloadFailures_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("message");
    QTest::newRow("checksum mismatch") << payloadName_ << "deadbeef"
                                       << "checksum mismatch";
    QTest::newRow("404") << "missing.pth"
                         << ""
                         << "the server answered HTTP 404 Not Found";
    QTest::newRow("500") << "error.pth"
                         << ""
                         << "the server answered HTTP 500";
    QTest::newRow("cut short") << "cut.pth"
                               << ""
                               << "could not download";
}

void TestWeightStore::downloadFailures() {
    QFETCH(QString, path);
    QFETCH(QString, prefix);
    QFETCH(QString, message);
    const QString folder = tc::test::freshDirectory(QStringLiteral("weightstore-failures"));
    const QString destination = folder + QStringLiteral("/weights.pth");
    const WeightDownloader::Result result =
        WeightDownloader::download(QUrl(server_.baseUrl() + path), destination, prefix, {});
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(message), qPrintable(result.error));
    QVERIFY2(result.error.contains(QStringLiteral("'torchcanvas weights import FILE'")),
             qPrintable(result.error));
    QVERIFY(result.error.contains(server_.baseUrl() + path));
    // Atomic: nothing is left behind, not even a partial file.
    QVERIFY(QDir(folder).entryList(QDir::Files).isEmpty());
}

void TestWeightStore::connectionRefused() {
    const QString folder = tc::test::freshDirectory(QStringLiteral("weightstore-refused"));
    const WeightDownloader::Result result = WeightDownloader::download(
        QUrl(QStringLiteral("http://127.0.0.1:%1/x.pth").arg(closedPort())),
        folder + QStringLiteral("/x.pth"), {}, {});
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(result.error));
    QVERIFY(QDir(folder).entryList(QDir::Files).isEmpty());
}

void TestWeightStore::silentServerTimesOutOrCancels() {
    const QString folder = tc::test::freshDirectory(QStringLiteral("weightstore-silent"));
    WeightDownloader::Options options;
    options.inactivityTimeoutMs = 300;
    WeightDownloader::Result result =
        WeightDownloader::download(QUrl(server_.baseUrl() + QStringLiteral("hang.pth")),
                                   folder + QStringLiteral("/x.pth"), {}, options);
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(QStringLiteral("timed out")), qPrintable(result.error));

    std::atomic<bool> stop{true};
    options.inactivityTimeoutMs = 60'000;
    options.cancelled = [&stop] {
        return stop.load();
    };
    result = WeightDownloader::download(QUrl(server_.baseUrl() + QStringLiteral("hang.pth")),
                                        folder + QStringLiteral("/x.pth"), {}, options);
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(QStringLiteral("cancelled")), qPrintable(result.error));
    QVERIFY(QDir(folder).entryList(QDir::Files).isEmpty());
}

void TestWeightStore::slowAndEndlessServersAreStopped() {
    const QString folder = tc::test::freshDirectory(QStringLiteral("weightstore-slow"));
    const QString destination = folder + QStringLiteral("/x.pth");
    auto download = [&](const char* path, const WeightDownloader::Options& options) {
        return WeightDownloader::download(QUrl(server_.baseUrl() + QLatin1String(path)),
                                          destination, {}, options);
    };
    // A byte every 50 ms never trips the 60 s inactivity timeout; the stall check stops it.
    WeightDownloader::Options options;
    options.stallWindowMs = 400;
    options.stallMinimumBytes = 1024;
    WeightDownloader::Result result = download("trickle.pth", options);
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(QStringLiteral("the transfer stalled")),
             qPrintable(result.error));

    // Without a stall check, the overall deadline ends it.
    options.stallMinimumBytes = 0;
    options.deadlineMs = 500;
    result = download("trickle.pth", options);
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(QStringLiteral("took longer than the 0.5 s allowed")),
             qPrintable(result.error));

    // An endless body stops at the size cap, and so does an announced huge one.
    options = {};
    options.maxBytes = 1 << 20;
    result = download("endless.pth", options);
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(QStringLiteral("more than the 1048576 bytes allowed")),
             qPrintable(result.error));
    result = download("huge.pth", {});
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(QStringLiteral("the server announces 1099511627776 bytes")),
             qPrintable(result.error));
    QVERIFY(QDir(folder).entryList(QDir::Files).isEmpty()); // nothing half-written is left
}

void TestWeightStore::fetchReusesAVerifiedFile() {
    const WeightStore store(tc::test::freshDirectory(QStringLiteral("weightstore-fetch")));
    WeightVariant variant = defaultWeightVariant(ResNetDepth::ResNet18);
    variant.fileName = payloadName_; // a variant whose checksum this test can satisfy
    WeightDownloader::Options options;
    options.baseUrl = server_.baseUrl();
    const QString path = QLatin1Char('/') + payloadName_;
    const int before = server_.requests(path);
    WeightDownloader::Result result = WeightDownloader::fetch(variant, store, options);
    QVERIFY2(result.ok, qPrintable(result.error));
    QVERIFY(!result.reused);
    QCOMPARE(result.path, store.pathOf(variant));
    QCOMPARE(server_.requests(path), before + 1);
    result = WeightDownloader::fetch(variant, store, options);
    QVERIFY(result.ok && result.reused);
    QCOMPARE(server_.requests(path), before + 1);
    // A damaged copy is not reused: it is downloaded again.
    {
        QFile file(store.pathOf(variant));
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.write("garbage");
    }
    result = WeightDownloader::fetch(variant, store, options);
    QVERIFY(result.ok && !result.reused);
    QCOMPARE(server_.requests(path), before + 2);
}

void TestWeightStore::downloadFromWorkerThread() {
    const QString folder = tc::test::freshDirectory(QStringLiteral("weightstore-thread"));
    std::atomic<bool> done{false};
    WeightDownloader::Result result;
    std::thread worker([&] {
        result = WeightDownloader::download(QUrl(server_.baseUrl() + payloadName_),
                                            folder + QLatin1Char('/') + payloadName_,
                                            sha256Prefix(payload_), {});
        done = true;
    });
    // The server lives in this thread: keep its event loop running while the worker waits.
    QTRY_VERIFY_WITH_TIMEOUT(done.load(), 60'000);
    worker.join();
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(QFileInfo(result.path).size(), payload_.size());
}

void TestWeightStore::importAndFind() {
    const QString scratch = tc::test::freshDirectory(QStringLiteral("weightstore-import-source"));
    const WeightStore store(tc::test::freshDirectory(QStringLiteral("weightstore-import")));
    QVERIFY(store.findWeights(ResNetDepth::ResNet18).isEmpty());

    const QString source =
        writeResNet18(scratch + QStringLiteral("/my-finetuned-resnet.safetensors"));
    QVERIFY2(QFileInfo(source).isFile(), qPrintable(source));
    WeightStore::ImportResult imported = store.importFile(source);
    QVERIFY2(imported.ok, qPrintable(imported.message));
    QVERIFY(imported.depth == ResNetDepth::ResNet18);
    QVERIFY2(
        QFileInfo(imported.path)
            .fileName()
            .contains(QRegularExpression(QStringLiteral("^resnet18-[0-9a-f]{8}\\.safetensors$"))),
        qPrintable(imported.path));
    QCOMPARE(store.findWeights(ResNetDepth::ResNet18), imported.path);
    QVERIFY(store.findWeights(ResNetDepth::ResNet50).isEmpty());
    imported = store.importFile(source);
    QVERIFY(imported.ok);
    QVERIFY2(imported.message.contains(QStringLiteral("already installed")),
             qPrintable(imported.message));

    // A known variant's file takes precedence over imported ones.
    QFile known(store.pathOf(defaultWeightVariant(ResNetDepth::ResNet18)));
    QVERIFY(known.open(QIODevice::WriteOnly));
    known.close();
    QCOMPARE(store.findWeights(ResNetDepth::ResNet18),
             store.pathOf(defaultWeightVariant(ResNetDepth::ResNet18)));
    const QList<StoredWeights> listed = store.list();
    QCOMPARE(listed.size(), 2);

    // Not weights, or not a ResNet: refused with the reason.
    QFile junk(scratch + QStringLiteral("/junk.pth"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("just some text");
    junk.close();
    imported = store.importFile(junk.fileName());
    QVERIFY(!imported.ok);
    QVERIFY2(imported.message.contains(QStringLiteral("not a weights file")),
             qPrintable(imported.message));
    StateDict tiny;
    tiny.insert("layer.weight", torch::ones({2, 2}));
    QString error;
    QVERIFY(writeSafeTensors(scratch + QStringLiteral("/tiny.safetensors"), tiny, {}, &error));
    imported = store.importFile(scratch + QStringLiteral("/tiny.safetensors"));
    QVERIFY(!imported.ok);
    QVERIFY2(
        imported.message.contains(QStringLiteral("do not have the names of a torchvision ResNet")),
        qPrintable(imported.message));
    QCOMPARE(store.list().size(), 2);
}

void TestWeightStore::cliFetchFailuresExplainImport() {
    const QString folder = tc::test::freshDirectory(QStringLiteral("weightstore-cli-fetch"));
    // The served file is not torchvision's: its checksum does not match the name's.
    CliResult result =
        runCli({QStringLiteral("weights"), QStringLiteral("fetch"), QStringLiteral("resnet18"),
                QStringLiteral("--dir"), folder, QStringLiteral("--base-url"), server_.baseUrl()});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("checksum mismatch")), qPrintable(result.err));
    QVERIFY(result.err.contains(QStringLiteral("'torchcanvas weights import FILE'")));
    QVERIFY(result.err.trimmed()
                .split(QLatin1Char('\n'))
                .last()
                .startsWith(QStringLiteral("torchcanvas weights: ")));
    QVERIFY(QDir(folder).entryList(QDir::Files).isEmpty());

    // Offline: the same message shape, through TORCHCANVAS_WEIGHTS_URL.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TORCHCANVAS_WEIGHTS_URL"),
                       QStringLiteral("http://127.0.0.1:%1/").arg(closedPort()));
    result = runCli({QStringLiteral("weights"), QStringLiteral("fetch"), QStringLiteral("resnet50"),
                     QStringLiteral("--dir"), folder, QStringLiteral("--quiet")},
                    environment);
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(result.err));
    QVERIFY(result.err.contains(QStringLiteral("resnet50-0676ba61.pth")));
    QVERIFY(result.err.contains(QStringLiteral("'torchcanvas weights import FILE'")));
    QCOMPARE(result.err.count(QLatin1Char('\n')), 1);
}

void TestWeightStore::cliListAndImport() {
    const QString folder = tc::test::freshDirectory(QStringLiteral("weightstore-cli-list"));
    const QString scratch = tc::test::freshDirectory(QStringLiteral("weightstore-cli-source"));
    CliResult result = runCli(
        {QStringLiteral("weights"), QStringLiteral("list"), QStringLiteral("--dir"), folder});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.contains(QStringLiteral("Weights folder: ") + folder));
    QVERIFY2(result.out.contains(
                 QRegularExpression(QStringLiteral("resnet50 +missing +resnet50-0676ba61.pth"))),
             qPrintable(result.out));

    const QString source = writeResNet18(scratch + QStringLiteral("/r18.safetensors"));
    result = runCli({QStringLiteral("weights"), QStringLiteral("import"), source,
                     QStringLiteral("--dir"), folder});
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(QStringLiteral("imported resnet18 weights as")),
             qPrintable(result.out + result.err));

    result = runCli({QStringLiteral("weights"), QStringLiteral("list"), QStringLiteral("--dir"),
                     folder, QStringLiteral("--json")});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject listing = QJsonDocument::fromJson(result.out.toUtf8()).object();
    QCOMPARE(listing.value(QLatin1String("directory")).toString(), folder);
    QCOMPARE(listing.value(QLatin1String("variants")).toArray().size(), 8);
    const QJsonArray imported = listing.value(QLatin1String("imported")).toArray();
    QCOMPARE(imported.size(), 1);
    QCOMPARE(imported.at(0).toObject().value(QLatin1String("model")).toString(),
             QStringLiteral("resnet18"));

    result = runCli({QStringLiteral("weights"), QStringLiteral("import"),
                     scratch + QStringLiteral("/nothing.pth"), QStringLiteral("--dir"), folder});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("nothing.pth: no such file")),
             qPrintable(result.err));
}

void TestWeightStore::cliUsageErrors() {
    CliResult result = runCli({QStringLiteral("weights")});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains(QStringLiteral("list, fetch VARIANT or import FILE")));
    result = runCli({QStringLiteral("weights"), QStringLiteral("fetch"), QStringLiteral("vgg16")});
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(
                 QStringLiteral("unknown variant 'vgg16' (known: resnet18, resnet34, resnet50")),
             qPrintable(result.err));
    result = runCli({QStringLiteral("weights"), QStringLiteral("import")});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains(QStringLiteral("'import' takes exactly one argument")));
    result = runCli({QStringLiteral("weights"), QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.contains(QStringLiteral("fetch VARIANT")));
}

QTEST_GUILESS_MAIN(TestWeightStore)
#include "tst_weightstore.moc"
