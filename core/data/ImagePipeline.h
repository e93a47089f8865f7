#pragma once

#include "core/data/DataSettings.h"
#include "core/data/ImageInspector.h"

#include <cstdint>
#include <optional>
#include <QByteArray>
#include <QString>
#include <vector>

namespace tc::data {

/// A plain 8-bit RGB image (row-major, 3 bytes per pixel, no padding), for previews: the
/// Data Wizard turns it into a QImage; core has no QtGui.
struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels; ///< width * height * 3 bytes, R G B
};

/// Memory layout of the float output of ImagePipeline::load().
enum class PixelLayout {
    Planar,      ///< C×H×W (NCHW batches)
    Interleaved, ///< H×W×C (NHWC, i.e. channels-last batches)
};

/// The OpenCV image pipeline: decode → resize (→ crop) → [augment] → RGB float → normalise.
///
/// The exact OpenCV calls are documented in docs/DATA.md so that a Python user can reproduce
/// a batch with cv2 bit for bit (a test checks it). Thread-safe: one pipeline may serve many
/// worker threads; it keeps only immutable tables.
class ImagePipeline {
public:
    explicit ImagePipeline(PreprocessingSettings settings);

    const PreprocessingSettings& settings() const { return m_settings; }

    /// Floats one image takes: 3 × height × width.
    std::size_t floatsPerImage() const;

    /// Loads `path` into `destination` (floatsPerImage() floats) in `layout`. When
    /// `augmentationSeed` is given, the random augmentation of the settings is drawn from it
    /// (the same seed always gives the same image). Returns false with `error` set to
    /// "'<path>' <reason>" when the file cannot be used; `destination` is then undefined.
    bool load(const QString& path, float* destination, PixelLayout layout,
              std::optional<std::uint64_t> augmentationSeed, QString* error) const;

    /// As load(), from the bytes of an image file (named `name` in messages).
    bool loadBytes(const QByteArray& bytes, const QString& name, float* destination,
                   PixelLayout layout, std::optional<std::uint64_t> augmentationSeed,
                   QString* error) const;

    /// The image as the network sees it, before normalisation: resized, cropped and (with a
    /// seed) augmented, as 8-bit RGB. Colour augmentation is rounded to 8 bits here.
    std::optional<RgbImage> preview(const QString& path,
                                    std::optional<std::uint64_t> augmentationSeed,
                                    QString* error) const;

    /// The augmentation seed of one sample in one epoch: every sample gets its own stream,
    /// so results do not depend on batch composition or thread timing.
    static std::uint64_t sampleSeed(std::uint64_t seed, std::uint64_t epoch,
                                    std::uint64_t sampleIndex);

    /// Fully decodes an image file's bytes (the ImageCheck::Decode check). On failure returns
    /// an inspection whose problem says why.
    static ImageInspection decodeCheck(const QByteArray& bytes);

    /// The JPEG reduced-decoding factor (1, 2, 4 or 8) used for an image of `width` ×
    /// `height`: the largest factor whose reduced image is still at least as large as what
    /// the resize step needs. Other formats always decode at full size.
    int jpegReduction(int width, int height) const;

private:
    PreprocessingSettings m_settings;
    float m_lut8[3][256]; ///< normalised value of each 8-bit level, per RGB channel
    float m_mean[3];
    float m_std[3];
};

} // namespace tc::data
