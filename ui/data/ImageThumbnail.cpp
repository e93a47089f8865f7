#include "ui/data/ImageThumbnail.h"

#include "core/data/ImageInspector.h"
#include "core/data/ImagePipeline.h"
#include "ui/data/TaskRunner.h"

#include <algorithm>
#include <cmath>

namespace tc::ui {

QImage toQImage(const tc::data::RgbImage& image) {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() < size_t(image.width) * size_t(image.height) * 3)
        return {};
    // The wrapping QImage does not own the pixels: copy() detaches it from the vector.
    return QImage(image.pixels.data(), image.width, image.height, image.width * 3,
                  QImage::Format_RGB888)
        .copy();
}

QImage loadThumbnail(const QString& path, int maxSide, bool square, QString* error) {
    using tc::data::PreprocessingSettings;
    maxSide = std::clamp(maxSide, 8, PreprocessingSettings::kMaxSide);
    PreprocessingSettings settings;
    settings.normalization = PreprocessingSettings::Normalization::None;
    if (square) {
        settings.width = settings.height = maxSide;
        settings.resize = PreprocessingSettings::Resize::ShorterSideCrop;
    } else {
        // The header gives the aspect ratio without decoding the pixels.
        const tc::data::ImageInspection inspection = tc::data::ImageInspector::inspectFile(path);
        if (!inspection.ok()) {
            if (error)
                *error = QStringLiteral("'%1' %2").arg(path, inspection.problem);
            return {};
        }
        const double width = std::max(1, inspection.info.width);
        const double height = std::max(1, inspection.info.height);
        const double scale = std::min(1.0, maxSide / std::max(width, height));
        settings.width = std::max(1, int(std::lround(width * scale)));
        settings.height = std::max(1, int(std::lround(height * scale)));
        settings.resize = PreprocessingSettings::Resize::Stretch;
    }
    const tc::data::ImagePipeline pipeline(settings);
    const auto preview = pipeline.preview(path, std::nullopt, error);
    return preview ? toQImage(*preview) : QImage();
}

void loadThumbnailsInBatches(TaskRunner& runner, const QStringList& paths, int side, int batchSize,
                             std::function<void(const ThumbnailBatch&)> deliver) {
    runner.start([paths, side, batchSize, deliver](const TaskContext& context) {
        ThumbnailBatch batch;
        for (int i = 0; i < paths.size(); ++i) {
            if (context.isCanceled())
                return;
            batch.emplace_back(i, loadThumbnail(paths.at(i), side, /*square=*/true));
            if (int(batch.size()) == batchSize || i + 1 == paths.size()) {
                context.post([deliver, batch] { deliver(batch); });
                batch.clear();
            }
        }
    });
}

} // namespace tc::ui
