#pragma once

#include "core/export/Explainer.h"
#include "ui/data/TaskRunner.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <QImage>
#include <QObject>
#include <QString>

namespace tc::ui {

/// The model that heatmaps are computed with, shared by everything in a view that explains
/// images (the heatmap viewer, heatmap thumbnails). It is opened lazily, on the first request,
/// on whichever worker thread asks first, and used by one request at a time. Thread-safe.
class ExplainerSource {
public:
    /// A run folder, checkpoint, project, safetensors or TorchScript export (what
    /// Explainer::open() accepts); empty: no model, heatmaps are unavailable.
    void setPath(const QString& path);
    QString path() const;

    /// What one request produced.
    struct Result {
        tc::exporting::Explanation explanation;
        QStringList classNames;
        tc::data::PreprocessingSettings preprocessing;
        QString error; ///< why there is no explanation: one sentence naming the file
    };
    /// Opens the model if needed and explains `classIndex` (-1: predicted) of `imagePath`.
    /// Blocks (call it on a worker thread); returns early with an empty result when
    /// `canceled` is set before the work starts.
    Result explain(const QString& imagePath, int classIndex, const std::atomic<bool>& canceled);

private:
    /// Guards m_path only, so that the GUI thread never waits for a heatmap.
    mutable std::mutex m_pathMutex;
    QString m_path;
    /// Held by the request using the explainer (opening it included).
    std::mutex m_workMutex;
    QString m_openedPath; ///< what m_explainer (or m_openError) is about
    std::unique_ptr<tc::exporting::Explainer> m_explainer;
    QString m_openError; ///< why m_openedPath could not be opened, so that it is tried once
};

/// One heatmap, ready to show: the explanation and the image with it laid over.
struct Heatmap {
    tc::exporting::Explanation explanation;
    QStringList classNames;
    tc::data::PreprocessingSettings preprocessing;
    QImage image;   ///< the original image file, decoded
    QImage overlay; ///< the image with the heatmap at `alpha`
    double alpha = tc::exporting::kDefaultOverlayAlpha;
};

/// Asks an ExplainerSource for heatmaps on a worker thread, one request at a time: a new
/// request cancels the delivery of the one before, so a heatmap is never shown for an image
/// that is no longer asked about. Destroying the service (closing its view) cancels too.
class ExplanationService : public QObject {
    Q_OBJECT

public:
    explicit ExplanationService(std::shared_ptr<ExplainerSource> source, QObject* parent = nullptr);
    ~ExplanationService() override;

    bool hasSource() const { return m_source && !m_source->path().isEmpty(); }
    QString sourcePath() const { return m_source ? m_source->path() : QString(); }

    /// Starts explaining `imagePath` for `classIndex` (-1: the predicted class), overlaid at
    /// `alpha`; returns the request's id, which explained() or failed() will carry.
    quint64 request(const QString& imagePath, int classIndex, double alpha);
    /// Recomposes `heatmap`'s overlay at `alpha` in the background (overlayReady()).
    quint64 recompose(const Heatmap& heatmap, double alpha);
    /// Drops the current request: nothing it computes is delivered.
    void cancel();
    bool isBusy() const { return m_runner.isRunning(); }
    quint64 currentRequest() const { return m_current; }
    const Heatmap& lastHeatmap() const { return m_last; }
    /// Blocks until every worker thread has ended, then delivers what is queued (tests).
    void waitForIdle();

Q_SIGNALS:
    /// Request `id` is done; lastHeatmap() holds it.
    void explained(quint64 id, const QString& imagePath);
    /// Request `id` failed; `message` names the file.
    void failed(quint64 id, const QString& imagePath, const QString& message);

private:
    std::shared_ptr<ExplainerSource> m_source;
    quint64 m_next = 0;
    quint64 m_current = 0;
    Heatmap m_last;
    /// Last; destroyed first, so that no worker outlives what it reports to.
    TaskRunner m_runner;
};

/// Heatmap thumbnails of a list of images (the predicted class of each, overlaid at `alpha`,
/// centre-cropped squares), computed one after another on a worker thread and delivered as
/// each is ready. Starting again or cancelling drops the rest.
class HeatmapThumbnails : public QObject {
    Q_OBJECT

public:
    explicit HeatmapThumbnails(std::shared_ptr<ExplainerSource> source, QObject* parent = nullptr);
    ~HeatmapThumbnails() override;

    void start(const QStringList& paths, int size, double alpha);
    void cancel();
    bool isRunning() const { return m_runner.isRunning(); }

Q_SIGNALS:
    /// The heatmap thumbnail of paths[row].
    void ready(int row, const QImage& thumbnail);
    /// paths[row] could not be explained; `message` names the file.
    void failed(int row, const QString& message);
    /// Every image of the list has been tried.
    void finished();

private:
    std::shared_ptr<ExplainerSource> m_source;
    TaskRunner m_runner;
};

/// The overlay of `explanation` on `imagePath` at `alpha` as a QImage; null with `error`
/// naming the file when the image cannot be decoded.
QImage overlayQImage(const QString& imagePath, const tc::exporting::Explanation& explanation,
                     const tc::data::PreprocessingSettings& preprocessing, double alpha,
                     QString* error);

/// The viridis colour bar of the heatmaps, 0 on the left and 1 on the right.
QImage colourBarImage(int width, int height);

} // namespace tc::ui
