#pragma once

#include "core/data/Diagnostic.h"

#include <QByteArray>
#include <QString>

namespace tc::data {

/// The image formats TorchCanvas decodes (through OpenCV).
enum class ImageFormat { Unknown, Png, Jpeg, Tiff, Bmp, WebP };

/// "PNG", "JPEG", …; "unknown" for Unknown.
QString formatName(ImageFormat format);

/// What an image file's header says, read without decoding the pixels.
struct ImageInfo {
    ImageFormat format = ImageFormat::Unknown;
    int width = 0;
    int height = 0;
    int channels =
        0; ///< as stored: 1 gray, 2 gray+alpha, 3 colour (palettes too), 4 with alpha/CMYK
    int bitDepth = 0; ///< bits per channel as stored (1, 2, 4, 8 or 16)
};

/// The verdict on one image file.
struct ImageInspection {
    bool ok() const { return problem.isEmpty(); }

    ImageInfo info;
    /// When !ok(): MissingFile, NotAnImage, UnsupportedFormat or UnreadableImage.
    DiagnosticCode code = DiagnosticCode::UnreadableImage;
    /// When !ok(): what follows the quoted path in a message, e.g. "is truncated: the PNG
    /// ends inside its IDAT chunk".
    QString problem;
};

/// Reads image headers and structure — without decoding pixels — to tell what a file is and
/// whether it is complete.
///
/// Cheap (a few microseconds per file on top of reading it), so a data set of thousands of
/// images is checked in well under a second. It recognises PNG, JPEG, TIFF, BMP and WebP by
/// content (not by extension), reads size, channels and bit depth, and finds truncation by
/// walking the format's structure: PNG chunks up to IEND, JPEG markers and entropy-coded data
/// up to EOI, TIFF strip and tile extents, the BMP pixel array, the WebP RIFF length. It names
/// the usual formats it does not read (GIF, JPEG 2000, HEIF, …) instead of calling them "not an
/// image". A corrupt stream of the right length passes; decoding (ImagePipeline) catches that.
class ImageInspector {
public:
    /// Largest image accepted, in pixels: a hostile header cannot make a decoder allocate
    /// gigabytes. 100 megapixels is ~20× a whole-slide tile and far beyond a training image.
    static constexpr qint64 kMaxPixels = 100'000'000;
    /// Largest image file read (1 GiB).
    static constexpr qint64 kMaxFileBytes = qint64(1) << 30;

    /// Inspects a whole file held in memory.
    static ImageInspection inspect(const QByteArray& bytes);

    /// Checks that `path` is a regular file, without opening it (one stat): MissingFile, or
    /// NotAnImage for a folder, a FIFO, a device or a socket (reading those would block or
    /// never end).
    static ImageInspection checkPath(const QString& path);

    /// Reads a whole image file, without inspecting it. Fails (as checkPath(), or
    /// UnreadableImage) when the file is no regular file, cannot be read or exceeds
    /// kMaxFileBytes; never blocks on a FIFO and never reads more than kMaxFileBytes + 1.
    static ImageInspection readFile(const QString& path, QByteArray& bytes);

    /// Reads the file and inspects it. On success and when `contents` is given, the bytes
    /// are handed back so that a decoder need not read the file again.
    static ImageInspection inspectFile(const QString& path, QByteArray* contents = nullptr);
};

} // namespace tc::data
