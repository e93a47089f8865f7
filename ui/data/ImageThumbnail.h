#pragma once

#include <functional>
#include <QImage>
#include <QString>
#include <QStringList>
#include <utility>
#include <vector>

namespace tc::data {
struct RgbImage;
}

namespace tc::ui {

/// A deep copy of a core RGB image as a QImage (Format_RGB888).
QImage toQImage(const tc::data::RgbImage& image);

/// Decodes `path` the way training does (OpenCV: every format a data set may hold, PNG,
/// JPEG, TIFF, BMP, WebP) and scales it to fit a `maxSide` × `maxSide` box, keeping its
/// aspect ratio (or, with `square`, cropping its centre to a square). Safe on any thread
/// (QImage, not QPixmap). On failure returns a null image and sets `error` to a sentence
/// naming the file.
QImage loadThumbnail(const QString& path, int maxSide, bool square = false,
                     QString* error = nullptr);

class TaskRunner;

/// Thumbnails (index into `paths`, image; a null image when it cannot be decoded).
using ThumbnailBatch = std::vector<std::pair<int, QImage>>;

/// Decodes the square thumbnails of `paths` on `runner`'s thread (cancelling what it ran
/// before) and hands them to `deliver` on the runner's thread, `batchSize` at a time, so that
/// a long list fills in progressively without flooding the event loop.
void loadThumbnailsInBatches(TaskRunner& runner, const QStringList& paths, int side, int batchSize,
                             std::function<void(const ThumbnailBatch&)> deliver);

} // namespace tc::ui
