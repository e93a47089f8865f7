#include "ui/evaluation/ExplanationService.h"

#include "core/util/Runtime.h"
#include "ui/data/ImageThumbnail.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace tc::ui {

using tc::exporting::Explanation;

namespace {
/// The original image is decoded at most this large for display.
constexpr int kMaxShownSide = 1024;
} // namespace

void ExplainerSource::setPath(const QString& path) {
    const std::lock_guard lock(m_pathMutex);
    m_path = path;
}

QString ExplainerSource::path() const {
    const std::lock_guard lock(m_pathMutex);
    return m_path;
}

ExplainerSource::Result ExplainerSource::explain(const QString& imagePath, int classIndex,
                                                 const std::atomic<bool>& canceled) {
    Result result;
    const QString path = this->path();
    const std::lock_guard lock(m_workMutex);
    if (canceled)
        return result;
    if (path.isEmpty()) {
        result.error = QCoreApplication::translate(
            "ExplainerSource", "Heatmaps need a trained model: no run folder is known for "
                               "these results.");
        return result;
    }
    if (path != m_openedPath) {
        // Building the model's modules takes a moment: once per model, then kept.
        m_explainer.reset();
        m_openError.clear();
        m_openedPath = path;
        m_explainer = tc::exporting::Explainer::open(path, &m_openError);
        if (!m_explainer && m_openError.isEmpty())
            m_openError =
                QCoreApplication::translate("ExplainerSource", "%1: the model cannot be explained")
                    .arg(path);
    }
    if (!m_explainer) {
        result.error = m_openError;
        return result;
    }
    if (canceled)
        return result;
    result.classNames = m_explainer->classNames();
    result.preprocessing = m_explainer->preprocessing();
    result.explanation = m_explainer->explain(imagePath, classIndex);
    if (!result.explanation.ok())
        result.error = result.explanation.error;
    return result;
}

QImage overlayQImage(const QString& imagePath, const Explanation& explanation,
                     const tc::data::PreprocessingSettings& preprocessing, double alpha,
                     QString* error) {
    const std::optional<tc::data::RgbImage> overlay =
        tc::exporting::overlayImage(imagePath, explanation, preprocessing, alpha, error);
    return overlay ? toQImage(*overlay) : QImage();
}

QImage colourBarImage(int width, int height) {
    // The same colouring as the overlays (heatmapImage), so the legend cannot drift from them.
    Explanation ramp;
    ramp.width = std::max(2, width);
    ramp.height = 1;
    ramp.map.resize(size_t(ramp.width));
    for (int x = 0; x < ramp.width; ++x)
        ramp.map[size_t(x)] = float(x) / float(ramp.width - 1);
    const QImage row = toQImage(tc::exporting::heatmapImage(ramp));
    return row.scaled(std::max(2, width), std::max(1, height), Qt::IgnoreAspectRatio,
                      Qt::FastTransformation);
}

ExplanationService::ExplanationService(std::shared_ptr<ExplainerSource> source, QObject* parent)
    : QObject(parent)
    , m_source(std::move(source)) {}

ExplanationService::~ExplanationService() {
    m_runner.cancel();
}

quint64 ExplanationService::request(const QString& imagePath, int classIndex, double alpha) {
    const quint64 id = ++m_next;
    m_current = id;
    const std::shared_ptr<ExplainerSource> source = m_source;
    m_runner.start([this, id, source, imagePath, classIndex, alpha](const TaskContext& context) {
        tc::runtime::configureCurrentThread();
        ExplainerSource::Result result;
        if (source)
            result = source->explain(imagePath, classIndex, context.cancelFlag());
        else
            result.error = tr("Heatmaps need a trained model.");
        if (context.isCanceled())
            return;
        Heatmap heatmap;
        QString error = result.error;
        if (error.isEmpty()) {
            heatmap.explanation = std::move(result.explanation);
            heatmap.classNames = result.classNames;
            heatmap.preprocessing = result.preprocessing;
            heatmap.alpha = alpha;
            heatmap.image = loadThumbnail(imagePath, kMaxShownSide, false, &error);
            if (error.isEmpty())
                heatmap.overlay = overlayQImage(imagePath, heatmap.explanation,
                                                heatmap.preprocessing, alpha, &error);
        }
        context.post([this, id, imagePath, heatmap = std::move(heatmap), error]() {
            if (!error.isEmpty()) {
                Q_EMIT failed(id, imagePath, error);
                return;
            }
            m_last = heatmap;
            Q_EMIT explained(id, imagePath);
        });
    });
    return id;
}

quint64 ExplanationService::recompose(const Heatmap& heatmap, double alpha) {
    const quint64 id = ++m_next;
    m_current = id;
    m_runner.start([this, id, heatmap, alpha](const TaskContext& context) {
        QString error;
        Heatmap recomposed = heatmap;
        recomposed.alpha = alpha;
        recomposed.overlay = overlayQImage(heatmap.explanation.image, heatmap.explanation,
                                           heatmap.preprocessing, alpha, &error);
        if (context.isCanceled())
            return;
        const QString path = heatmap.explanation.image;
        context.post([this, id, path, recomposed = std::move(recomposed), error]() {
            if (!error.isEmpty()) {
                Q_EMIT failed(id, path, error);
                return;
            }
            m_last = recomposed;
            Q_EMIT explained(id, path);
        });
    });
    return id;
}

void ExplanationService::cancel() {
    m_runner.cancel();
}

HeatmapThumbnails::HeatmapThumbnails(std::shared_ptr<ExplainerSource> source, QObject* parent)
    : QObject(parent)
    , m_source(std::move(source)) {
    connect(&m_runner, &TaskRunner::finished, this, &HeatmapThumbnails::finished);
}

HeatmapThumbnails::~HeatmapThumbnails() {
    m_runner.cancel();
}

void HeatmapThumbnails::start(const QStringList& paths, int size, double alpha) {
    const std::shared_ptr<ExplainerSource> source = m_source;
    m_runner.start([this, source, paths, size, alpha](const TaskContext& context) {
        tc::runtime::configureCurrentThread();
        for (int row = 0; row < paths.size(); ++row) {
            if (context.isCanceled())
                return;
            const QString& path = paths.at(row);
            ExplainerSource::Result result = source->explain(path, -1, context.cancelFlag());
            QString error = result.error;
            QImage thumbnail;
            if (error.isEmpty()) {
                const QImage overlay =
                    overlayQImage(path, result.explanation, result.preprocessing, alpha, &error);
                if (!overlay.isNull()) {
                    // Centre-cropped square, as the plain thumbnails.
                    const int side = std::min(overlay.width(), overlay.height());
                    thumbnail =
                        overlay
                            .copy((overlay.width() - side) / 2, (overlay.height() - side) / 2, side,
                                  side)
                            .scaled(size, size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
                }
            }
            context.post([this, row, thumbnail, error]() {
                if (error.isEmpty())
                    Q_EMIT ready(row, thumbnail);
                else
                    Q_EMIT failed(row, error);
            });
        }
    });
}

void HeatmapThumbnails::cancel() {
    m_runner.cancel();
}

void ExplanationService::waitForIdle() {
    m_runner.waitForThreads();
    QCoreApplication::sendPostedEvents();
}

} // namespace tc::ui
