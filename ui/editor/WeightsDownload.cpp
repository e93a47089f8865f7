#include "ui/editor/WeightsDownload.h"

#include "core/nn/WeightDownloader.h"
#include "core/nn/WeightsAvailability.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

namespace tc::ui {

WeightsDownload::WeightsDownload(QObject* parent)
    : QObject(parent) {}

WeightsDownload::~WeightsDownload() {
    if (m_cancel)
        m_cancel->store(true);
}

QString WeightsDownload::directory() const {
    return nn::WeightStore::defaultDirectory();
}

nn::WeightVariant WeightsDownload::variantFor(nn::ResNetDepth depth) const {
    return m_chooser ? m_chooser(depth) : nn::defaultWeightVariant(depth);
}

bool WeightsDownload::download(const nn::WeightVariant& variant) {
    if (m_busy)
        return false;
    m_busy = true;
    m_currentFile = variant.fileName;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    Q_EMIT started(tr("Downloading %1 (%2)").arg(variant.fileName, nn::downloadSizeText(variant)));

    const nn::WeightStore store(directory());
    const QString baseUrl = m_baseUrl;
    auto cancel = m_cancel;
    m_runner.start([this, variant, store, baseUrl, cancel](const TaskContext& context) {
        // The newest numbers wait here; at most one delivery is queued at a time, so a fast
        // transfer cannot flood the GUI thread and the last numbers are never dropped.
        struct Latest {
            std::atomic<qint64> received{0};
            std::atomic<qint64> total{-1};
            std::atomic<qint64> elapsedMs{0};
            std::atomic<bool> queued{false};
        };
        auto latest = std::make_shared<Latest>();
        QElapsedTimer clock;
        clock.start();
        nn::WeightDownloader::Options options;
        options.baseUrl = baseUrl;
        options.cancelled = [cancel] {
            return cancel->load();
        };
        options.progress = [&context, &clock, latest, this](qint64 received, qint64 total) {
            latest->received = received;
            latest->total = total;
            latest->elapsedMs = clock.elapsed();
            if (latest->queued.exchange(true))
                return;
            context.post([this, latest] {
                latest->queued = false;
                const qint64 received = latest->received;
                const qint64 elapsed = latest->elapsedMs;
                const double speed =
                    elapsed > 0 ? double(received) * 1000.0 / double(elapsed) : 0.0;
                Q_EMIT progress(received, latest->total, speed);
            });
        };
        const nn::WeightDownloader::Result result =
            nn::WeightDownloader::fetch(variant, store, options);
        const bool cancelled = !result.ok && cancel->load();
        QString message;
        if (result.ok)
            message = result.reused
                          ? tr("%1 is already in %2 (SHA-256 checked).")
                                .arg(variant.fileName, QDir::toNativeSeparators(store.directory()))
                          : tr("Saved %1 in %2 (SHA-256 checked).")
                                .arg(variant.fileName, QDir::toNativeSeparators(store.directory()));
        else if (cancelled)
            message = tr("Download of %1 cancelled; nothing was kept.").arg(variant.fileName);
        else
            message = result.error +
                      tr(" Or use Import file… in the Problems panel once you have the file.");
        context.post(
            [this, ok = result.ok, cancelled, message] { finish(ok, cancelled, message); });
    });
    return true;
}

bool WeightsDownload::importFile(const QString& file) {
    if (m_busy)
        return false;
    m_busy = true;
    m_currentFile = QFileInfo(file).fileName();
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    Q_EMIT started(tr("Checking and importing %1").arg(QDir::toNativeSeparators(file)));
    const nn::WeightStore store(directory());
    m_runner.start([this, file, store](const TaskContext& context) {
        const nn::WeightStore::ImportResult result = store.importFile(file);
        context.post([this, result] { finish(result.ok, false, result.message); });
    });
    return true;
}

void WeightsDownload::cancel() {
    if (m_busy && m_cancel)
        m_cancel->store(true);
}

void WeightsDownload::finish(bool ok, bool cancelled, const QString& message) {
    m_busy = false;
    m_lastMessage = message;
    Q_EMIT finished(ok, cancelled, message);
    if (ok)
        Q_EMIT weightsChanged();
}

} // namespace tc::ui
