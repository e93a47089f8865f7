#include "core/nn/WeightDownloader.h"

#include "core/util/FileErrors.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSaveFile>
#include <QTimer>

namespace tc::nn {

namespace {

QString byHandAdvice(const QUrl& url) {
    return QStringLiteral("To install it by hand, download %1 with a browser (or copy it from "
                          "another machine) and run 'torchcanvas weights import FILE'.")
        .arg(url.toString());
}

/// SHA-256 of a whole file, hex; empty when it cannot be read.
QString sha256OfFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return {};
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace

namespace {

/// Qt's own buffer for the reply: data waits there only until drain() writes it out.
constexpr qint64 kReadBufferBytes = 1 << 20;

/// One GET streamed into `output`, watched by the deadline, the stall timer and the size
/// cap. run() returns once the reply finished or was aborted; `failure` then says why
/// TorchCanvas stopped it (empty when it did not).
class Transfer {
public:
    Transfer(const QUrl& url, QSaveFile& output, const WeightDownloader::Options& options)
        : m_output(output)
        , m_options(options)
        , m_hash(QCryptographicHash::Sha256) {
        QNetworkRequest request(url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::NoLessSafeRedirectPolicy);
        request.setTransferTimeout(options.inactivityTimeoutMs);
        request.setHeader(QNetworkRequest::UserAgentHeader,
                          QStringLiteral("TorchCanvas/" TORCHCANVAS_VERSION));
        m_reply = m_manager.get(request);
        m_reply->setReadBufferSize(kReadBufferBytes);
    }

    void run() {
        QObject::connect(m_reply, &QNetworkReply::readyRead, &m_loop, [this] { drain(); });
        QObject::connect(m_reply, &QNetworkReply::metaDataChanged, &m_loop,
                         [this] { checkAnnouncedSize(); });
        QObject::connect(m_reply, &QNetworkReply::downloadProgress, &m_loop,
                         [this](qint64 received, qint64 total) {
                             if (m_options.progress)
                                 m_options.progress(received, total);
                         });
        QObject::connect(m_reply, &QNetworkReply::finished, &m_loop, &QEventLoop::quit);
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &m_loop, [this] {
            if (m_options.cancelled && m_options.cancelled())
                stop(QStringLiteral("cancelled"));
        });
        poll.start(100);
        QTimer stall;
        QObject::connect(&stall, &QTimer::timeout, &m_loop, [this] { checkProgress(); });
        stall.start(m_options.stallWindowMs);
        QTimer deadline;
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, &m_loop, [this] {
            stop(QStringLiteral("it took longer than the %1 s allowed")
                     .arg(m_options.deadlineMs / 1000.0));
        });
        deadline.start(m_options.deadlineMs);
        if (!m_reply->isFinished())
            m_loop.exec();
        drain();
    }

    QNetworkReply* reply() const { return m_reply; }
    const QString& failure() const { return m_failure; }
    QString sha256() { return QString::fromLatin1(m_hash.result().toHex()); }

private:
    void stop(const QString& reason) {
        if (m_failure.isEmpty())
            m_failure = reason;
        m_reply->abort();
    }

    void checkAnnouncedSize() {
        const qint64 announced = m_reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
        if (announced > m_options.maxBytes)
            stop(QStringLiteral("the server announces %1 bytes, more than the %2 allowed for a "
                                "weights file")
                     .arg(announced)
                     .arg(m_options.maxBytes));
    }

    void checkProgress() {
        if (m_received - m_receivedAtLastCheck < m_options.stallMinimumBytes)
            stop(QStringLiteral("the transfer stalled: %1 bytes arrived in the last %2 s")
                     .arg(m_received - m_receivedAtLastCheck)
                     .arg(m_options.stallWindowMs / 1000.0));
        m_receivedAtLastCheck = m_received;
    }

    /// Streams what arrived to disk. Error pages (HTTP 4xx/5xx) are read but not kept. An
    /// aborted reply is closed: nothing to read.
    void drain() {
        if (!m_reply->isOpen())
            return;
        const QByteArray chunk = m_reply->readAll();
        m_received += chunk.size();
        if (chunk.isEmpty() || !m_failure.isEmpty())
            return;
        if (m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() >= 300)
            return;
        if (m_received > m_options.maxBytes)
            return stop(QStringLiteral("the server sent more than the %1 bytes allowed for a "
                                       "weights file")
                            .arg(m_options.maxBytes));
        m_hash.addData(chunk);
        if (m_output.write(chunk) != chunk.size())
            stop(writeFailure(m_output.fileName(), m_output));
    }

    QSaveFile& m_output;
    const WeightDownloader::Options& m_options;
    QCryptographicHash m_hash;
    QNetworkAccessManager m_manager;
    QNetworkReply* m_reply = nullptr;
    QEventLoop m_loop;
    QString m_failure;
    qint64 m_received = 0;
    qint64 m_receivedAtLastCheck = 0;
};

} // namespace

WeightDownloader::Result WeightDownloader::download(const QUrl& url, const QString& destination,
                                                    const QString& expectedSha256Prefix,
                                                    const Options& options) {
    Result result;
    result.path = destination;
    auto failWith = [&](const QString& reason) {
        result.ok = false;
        result.error = QStringLiteral("could not download %1: %2. %3")
                           .arg(url.toString(), reason, byHandAdvice(url));
        return result;
    };
    if (!url.isValid() || url.scheme().isEmpty())
        return failWith(QStringLiteral("not a valid URL"));
    const QString folder = QFileInfo(destination).absolutePath();
    if (!QDir().mkpath(folder))
        return failWith(QStringLiteral("cannot create the folder %1").arg(folder));

    QSaveFile output(destination);
    if (!output.open(QIODevice::WriteOnly))
        return failWith(writeFailure(destination, output));

    Transfer transfer(url, output, options);
    transfer.run();
    QNetworkReply* reply = transfer.reply();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString statusText =
        reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();

    if (!transfer.failure().isEmpty())
        return failWith(transfer.failure());
    if (status >= 400)
        return failWith(
            QStringLiteral("the server answered HTTP %1 %2").arg(status).arg(statusText).trimmed());
    if (reply->error() == QNetworkReply::OperationCanceledError)
        return failWith(QStringLiteral("no data arrived for %1 s (timed out)")
                            .arg(options.inactivityTimeoutMs / 1000.0));
    if (reply->error() != QNetworkReply::NoError)
        return failWith(reply->errorString());
    if (status != 200)
        return failWith(QStringLiteral("unexpected HTTP status %1").arg(status));

    const QString sha256 = transfer.sha256();
    if (!expectedSha256Prefix.isEmpty() &&
        !sha256.startsWith(expectedSha256Prefix, Qt::CaseInsensitive)) {
        output.cancelWriting();
        return failWith(QStringLiteral("checksum mismatch: the downloaded file's SHA-256 is %1, "
                                       "but its name says it starts with %2 (a damaged or "
                                       "different file; nothing was saved)")
                            .arg(sha256, expectedSha256Prefix));
    }
    if (!output.commit())
        return failWith(writeFailure(destination, output));
    result.ok = true;
    return result;
}

WeightDownloader::Result WeightDownloader::fetch(const WeightVariant& variant,
                                                 const WeightStore& store, const Options& options) {
    const QString path = store.pathOf(variant);
    if (QFileInfo(path).isFile() && sha256OfFile(path).startsWith(variant.sha256Prefix())) {
        Result result;
        result.ok = true;
        result.reused = true;
        result.path = path;
        return result;
    }
    const QString baseUrl = options.baseUrl.isEmpty() ? defaultWeightsBaseUrl() : options.baseUrl;
    return download(QUrl(variant.url(baseUrl)), path, variant.sha256Prefix(), options);
}

} // namespace tc::nn
