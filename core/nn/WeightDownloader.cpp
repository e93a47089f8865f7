#include "core/nn/WeightDownloader.h"

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
        return failWith(
            QStringLiteral("cannot write %1: %2").arg(destination, output.errorString()));

    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(options.inactivityTimeoutMs);
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QStringLiteral("TorchCanvas/" TORCHCANVAS_VERSION));

    QCryptographicHash hash(QCryptographicHash::Sha256);
    QString writeError;
    bool cancelled = false;
    QNetworkReply* reply = manager.get(request);
    QEventLoop loop;

    auto drain = [&] {
        // Stream to disk as data arrives: a 230 MB file never sits in memory. Error pages
        // (HTTP 4xx/5xx) are read but not kept. An aborted reply is closed: nothing to read.
        if (!reply->isOpen())
            return;
        const QByteArray chunk = reply->readAll();
        if (chunk.isEmpty() || !writeError.isEmpty())
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status >= 300)
            return;
        hash.addData(chunk);
        if (output.write(chunk) != chunk.size()) {
            writeError = output.errorString();
            reply->abort();
        }
    };
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, drain);
    QObject::connect(reply, &QNetworkReply::downloadProgress, &loop,
                     [&](qint64 received, qint64 total) {
                         if (options.progress)
                             options.progress(received, total);
                     });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer cancelPoll;
    if (options.cancelled) {
        QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
            if (options.cancelled()) {
                cancelled = true;
                reply->abort();
            }
        });
        cancelPoll.start(100);
    }
    if (!reply->isFinished())
        loop.exec();
    cancelPoll.stop();
    drain();

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString statusText =
        reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    const QNetworkReply::NetworkError networkError = reply->error();
    const QString networkErrorText = reply->errorString();
    reply->deleteLater();

    if (cancelled)
        return failWith(QStringLiteral("cancelled"));
    if (!writeError.isEmpty())
        return failWith(QStringLiteral("cannot write %1: %2").arg(destination, writeError));
    if (status >= 400)
        return failWith(
            QStringLiteral("the server answered HTTP %1 %2").arg(status).arg(statusText).trimmed());
    if (networkError == QNetworkReply::OperationCanceledError)
        return failWith(QStringLiteral("no data arrived for %1 s (timed out)")
                            .arg(options.inactivityTimeoutMs / 1000.0));
    if (networkError != QNetworkReply::NoError)
        return failWith(networkErrorText);
    if (status != 200)
        return failWith(QStringLiteral("unexpected HTTP status %1").arg(status));

    const QString sha256 = QString::fromLatin1(hash.result().toHex());
    if (!expectedSha256Prefix.isEmpty() &&
        !sha256.startsWith(expectedSha256Prefix, Qt::CaseInsensitive)) {
        output.cancelWriting();
        return failWith(QStringLiteral("checksum mismatch: the downloaded file's SHA-256 is %1, "
                                       "but its name says it starts with %2 (a damaged or "
                                       "different file; nothing was saved)")
                            .arg(sha256, expectedSha256Prefix));
    }
    if (!output.commit())
        return failWith(
            QStringLiteral("cannot write %1: %2").arg(destination, output.errorString()));
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
