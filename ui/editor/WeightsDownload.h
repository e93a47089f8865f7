#pragma once

#include "core/nn/WeightStore.h"
#include "ui/data/TaskRunner.h"

#include <atomic>
#include <functional>
#include <memory>
#include <QObject>
#include <QString>

namespace tc::ui {

/// Gets pretrained weights into the weights folder from the window: downloads a torchvision
/// file (WeightDownloader::fetch, the route of `torchcanvas weights fetch`: streamed to disk,
/// SHA-256 checked, written atomically) or imports a file the user has (WeightStore::
/// importFile, as `weights import`). One job at a time, on a thread of its own, so the
/// window never waits; progress, the end and its message come back as signals on the GUI
/// thread. cancel() stops a download: the transfer is aborted and its partial file removed.
class WeightsDownload : public QObject {
    Q_OBJECT

public:
    /// The file to fetch for a depth; the default is the depth's default variant. Tests
    /// substitute a small file served from 127.0.0.1.
    using VariantChooser = std::function<nn::WeightVariant(nn::ResNetDepth depth)>;

    explicit WeightsDownload(QObject* parent = nullptr);
    ~WeightsDownload() override;

    /// The weights folder: WeightStore::defaultDirectory(), which the editor's checks read
    /// too (TORCHCANVAS_WEIGHTS_DIR in tests).
    QString directory() const;
    /// The download folder URL; empty means defaultWeightsBaseUrl().
    void setBaseUrl(const QString& baseUrl) { m_baseUrl = baseUrl; }
    void setVariantChooser(VariantChooser chooser) { m_chooser = std::move(chooser); }
    nn::WeightVariant variantFor(nn::ResNetDepth depth) const;

    /// Starts downloading `variant`; false (and nothing started) while another job runs.
    bool download(const nn::WeightVariant& variant);
    /// Starts importing `file`; false while another job runs.
    bool importFile(const QString& file);
    /// Stops the running download (an import finishes: it only copies a checked file).
    void cancel();
    bool isBusy() const { return m_busy; }
    /// The file being downloaded or imported.
    QString currentFile() const { return m_currentFile; }
    /// The last finished job's message.
    QString lastMessage() const { return m_lastMessage; }

Q_SIGNALS:
    /// A job started; `description` says what ("Downloading resnet50-0676ba61.pth (98 MB)").
    void started(const QString& description);
    /// Bytes so far, bytes expected (-1 unknown) and the average speed. Coalesced: at most
    /// one emission per turn of the GUI event loop, always ending with the newest numbers.
    void progress(qint64 received, qint64 total, double bytesPerSecond);
    /// The job ended; `message` says what happened, or why it failed and what to do then.
    void finished(bool ok, bool cancelled, const QString& message);
    /// A weights file was added to the folder: what depends on it should look again.
    void weightsChanged();

private:
    void finish(bool ok, bool cancelled, const QString& message);

    QString m_baseUrl;
    VariantChooser m_chooser;
    bool m_busy = false;
    QString m_currentFile;
    QString m_lastMessage;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    /// Last; destroyed first, so that no job's thread outlives what it reports to.
    TaskRunner m_runner;
};

} // namespace tc::ui
