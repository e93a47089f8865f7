#pragma once

#include <QImage>
#include <QString>

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

} // namespace tc::ui
