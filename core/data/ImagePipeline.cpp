#include "core/data/ImagePipeline.h"

#include "core/data/Random.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <QFile>

namespace tc::data {

namespace {

// ImageNet statistics of RGB in [0, 1], as torchvision publishes them.
constexpr float kImageNetMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kImageNetStd[3] = {0.229f, 0.224f, 0.225f};

/// Ruifrok & Johnston's haematoxylin / eosin / DAB optical-density vectors (rows: H, E, D),
/// as scikit-image uses them for H&E colour work.
constexpr double kRgbFromHed[3][3] = {{0.65, 0.70, 0.29}, {0.07, 0.99, 0.11}, {0.27, 0.57, 0.78}};

/// The size the resize step produces: the target itself (stretch), or the smallest size with
/// the image's aspect ratio that covers the target (shorter-side-crop). Integer arithmetic
/// with round-half-up, so Python computes the very same numbers:
///   wider than the target: h' = H, w' = max(W, (w·H + h/2) div h), and symmetrically.
cv::Size resizedSize(int width, int height, const PreprocessingSettings& settings) {
    const qint64 w = width, h = height, W = settings.width, H = settings.height;
    if (settings.resize == PreprocessingSettings::Resize::Stretch)
        return {int(W), int(H)};
    if (w * H >= h * W)
        return {int(std::max(W, (w * H + h / 2) / h)), int(H)};
    return {int(W), int(std::max(H, (h * W + w / 2) / w))};
}

/// INTER_AREA when shrinking in both directions (it averages, so no aliasing), otherwise
/// INTER_LINEAR (INTER_AREA's upscaling is a bilinear variant that Python users rarely pick).
int interpolationFor(cv::Size from, cv::Size to) {
    return to.width <= from.width && to.height <= from.height ? cv::INTER_AREA : cv::INTER_LINEAR;
}

/// Random draws for one sample. All values are always drawn, in this order, so that turning
/// one transform on or off leaves the draws of the others unchanged.
struct AugmentationDraw {
    int quarterTurns = 0; ///< counter-clockwise
    bool flipHorizontal = false;
    bool flipVertical = false;
    bool crop = false;
    double cropArea = 1.0; ///< fraction of the area kept
    double cropX = 0.5;    ///< position of the crop, [0, 1) of the free range
    double cropY = 0.5;
    float brightness = 1.0f;
    float contrast = 1.0f;
    bool stain = false;
    double stainScale[3] = {1, 1, 1};
    double stainShift[3] = {0, 0, 0};

    bool colour() const { return brightness != 1.0f || contrast != 1.0f || stain; }
};

AugmentationDraw drawAugmentation(const AugmentationSettings& a, std::uint64_t seed, bool square) {
    Random random(seed);
    AugmentationDraw d;
    const std::uint64_t turns = random.below(4);
    const bool horizontal = random.below(2) == 1;
    const bool vertical = random.below(2) == 1;
    const double area = random.uniform();
    const double x = random.uniform();
    const double y = random.uniform();
    const double brightness = random.uniform();
    const double contrast = random.uniform();
    double stain[6];
    for (double& value : stain)
        value = random.uniform();

    if (a.rotate90)
        d.quarterTurns = square ? int(turns) : int(turns % 2) * 2;
    d.flipHorizontal = a.horizontalFlip && horizontal;
    d.flipVertical = a.verticalFlip && vertical;
    if (a.cropScale > 0) {
        d.crop = true;
        d.cropArea = 1.0 - a.cropScale * area;
        d.cropX = x;
        d.cropY = y;
    }
    d.brightness = float(1.0 + a.brightness * (2 * brightness - 1));
    d.contrast = float(1.0 + a.contrast * (2 * contrast - 1));
    if (a.stainJitter > 0) {
        d.stain = true;
        for (int i = 0; i < 3; ++i) {
            d.stainScale[i] = 1.0 + a.stainJitter * (2 * stain[i] - 1);
            d.stainShift[i] = a.stainJitter * (2 * stain[3 + i] - 1);
        }
    }
    return d;
}

/// The decoding flags: colour (3 channels, BGR; gray is replicated, alpha dropped) keeping
/// 16-bit depth; JPEGs may be decoded at 1/2, 1/4 or 1/8 scale by libjpeg's DCT scaling.
int decodeFlags(int reduction) {
    switch (reduction) {
    case 2:
        return cv::IMREAD_REDUCED_COLOR_2;
    case 4:
        return cv::IMREAD_REDUCED_COLOR_4;
    case 8:
        return cv::IMREAD_REDUCED_COLOR_8;
    default:
        return cv::IMREAD_COLOR | cv::IMREAD_ANYDEPTH;
    }
}

/// Decodes to BGR CV_8UC3 or CV_16UC3; empty with `problem` set on failure.
cv::Mat decode(const QByteArray& bytes, int reduction, QString& problem) {
    cv::Mat image;
    try {
        const cv::Mat buffer(1, int(bytes.size()), CV_8U, const_cast<char*>(bytes.constData()));
        image = cv::imdecode(buffer, decodeFlags(reduction));
    } catch (const cv::Exception& e) {
        problem = QStringLiteral("is corrupt: OpenCV could not decode it (%1)")
                      .arg(QString::fromStdString(e.msg).simplified());
        return {};
    }
    if (image.empty()) {
        problem = QStringLiteral("is corrupt: OpenCV could not decode its pixels");
        return {};
    }
    if (image.depth() != CV_8U && image.depth() != CV_16U) {
        problem = QStringLiteral("has a pixel depth TorchCanvas does not read");
        return {};
    }
    return image;
}

/// Resize (→ centre crop) without augmentation: the documented deterministic path.
cv::Mat resizeDeterministic(const cv::Mat& image, const PreprocessingSettings& settings) {
    const cv::Size scaled = resizedSize(image.cols, image.rows, settings);
    cv::Mat resized;
    if (scaled == image.size())
        resized = image;
    else
        cv::resize(image, resized, scaled, 0, 0, interpolationFor(image.size(), scaled));
    if (scaled.width == settings.width && scaled.height == settings.height)
        return resized;
    const int x = (scaled.width - settings.width) / 2;
    const int y = (scaled.height - settings.height) / 2;
    return resized(cv::Rect(x, y, settings.width, settings.height));
}

/// A random region of the decoded image (aspect of the source for stretch, of the target
/// for shorter-side-crop), resized straight to the target: one resampling, not two.
cv::Mat resizeRandomCrop(const cv::Mat& image, const PreprocessingSettings& settings,
                         const AugmentationDraw& draw) {
    const double w = image.cols, h = image.rows;
    double baseWidth = w, baseHeight = h;
    if (settings.resize == PreprocessingSettings::Resize::ShorterSideCrop) {
        const double targetAspect = double(settings.width) / settings.height;
        if (w / h >= targetAspect)
            baseWidth = h * targetAspect;
        else
            baseHeight = w / targetAspect;
    }
    const double side = std::sqrt(draw.cropArea);
    const int cropWidth = std::clamp(int(std::lround(baseWidth * side)), 1, image.cols);
    const int cropHeight = std::clamp(int(std::lround(baseHeight * side)), 1, image.rows);
    const int x = std::min(int(draw.cropX * (image.cols - cropWidth + 1)), image.cols - cropWidth);
    const int y =
        std::min(int(draw.cropY * (image.rows - cropHeight + 1)), image.rows - cropHeight);
    const cv::Mat region = image(cv::Rect(x, y, cropWidth, cropHeight));
    const cv::Size target(settings.width, settings.height);
    cv::Mat resized;
    cv::resize(region, resized, target, 0, 0, interpolationFor(region.size(), target));
    return resized;
}

void applyGeometry(cv::Mat& image, const AugmentationDraw& draw) {
    // Separate outputs: OpenCV's transpose (inside rotate) is not in-place for every shape.
    cv::Mat turned;
    if (draw.quarterTurns == 1)
        cv::rotate(image, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
    else if (draw.quarterTurns == 2)
        cv::rotate(image, turned, cv::ROTATE_180);
    else if (draw.quarterTurns == 3)
        cv::rotate(image, turned, cv::ROTATE_90_CLOCKWISE);
    else
        turned = image;
    const int flipCode = draw.flipHorizontal && draw.flipVertical ? -1
                         : draw.flipHorizontal                    ? 1
                                                                  : 0;
    if (draw.flipHorizontal || draw.flipVertical) {
        cv::Mat flipped;
        cv::flip(turned, flipped, flipCode);
        image = flipped;
    } else {
        image = turned;
    }
}

/// BGR 8/16-bit → RGB floats in [0, 1], interleaved.
std::vector<float> toRgbFloats(const cv::Mat& image) {
    const int width = image.cols, height = image.rows;
    std::vector<float> rgb(size_t(width) * height * 3);
    const float scale = image.depth() == CV_8U ? 255.0f : 65535.0f;
    for (int y = 0; y < height; ++y) {
        float* out = rgb.data() + size_t(y) * width * 3;
        if (image.depth() == CV_8U) {
            const std::uint8_t* in = image.ptr<std::uint8_t>(y);
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < 3; ++c)
                    out[x * 3 + c] = float(in[x * 3 + 2 - c]) / scale;
        } else {
            const std::uint16_t* in = image.ptr<std::uint16_t>(y);
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < 3; ++c)
                    out[x * 3 + c] = float(in[x * 3 + 2 - c]) / scale;
        }
    }
    return rgb;
}

/// Colour augmentation on RGB floats: H&E stain jitter in optical-density space (Tellez et
/// al., 2018), then brightness, then contrast around the mean luminance; clamped to [0, 1].
void applyColour(std::vector<float>& rgb, const AugmentationDraw& draw) {
    const size_t pixels = rgb.size() / 3;
    if (draw.stain) {
        // Normalised stain vectors and their inverse: OD = C · M, C = OD · M⁻¹.
        double m[3][3];
        for (int r = 0; r < 3; ++r) {
            const double norm = std::sqrt(kRgbFromHed[r][0] * kRgbFromHed[r][0] +
                                          kRgbFromHed[r][1] * kRgbFromHed[r][1] +
                                          kRgbFromHed[r][2] * kRgbFromHed[r][2]);
            for (int c = 0; c < 3; ++c)
                m[r][c] = kRgbFromHed[r][c] / norm;
        }
        const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        double inv[3][3];
        inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
        inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
        inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
        inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
        inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
        inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
        inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
        inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
        inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
        // The whole per-pixel map folds into one affine map of optical densities:
        // OD' = (OD · M⁻¹ · diag(scale) + shift) · M.
        float a[3][3];
        float b[3];
        for (int i = 0; i < 3; ++i) {
            for (int j = 0; j < 3; ++j) {
                double sum = 0;
                for (int k = 0; k < 3; ++k)
                    sum += inv[i][k] * draw.stainScale[k] * m[k][j];
                a[i][j] = float(sum);
            }
        }
        for (int j = 0; j < 3; ++j) {
            double sum = 0;
            for (int k = 0; k < 3; ++k)
                sum += draw.stainShift[k] * m[k][j];
            b[j] = float(sum);
        }
        constexpr float kFloor = 1.0f / 255.0f; // keeps log() finite on black pixels
        for (size_t p = 0; p < pixels; ++p) {
            float* px = rgb.data() + p * 3;
            float od[3];
            for (int c = 0; c < 3; ++c)
                od[c] = -std::log(std::max(px[c], kFloor));
            for (int c = 0; c < 3; ++c) {
                const float value = od[0] * a[0][c] + od[1] * a[1][c] + od[2] * a[2][c] + b[c];
                px[c] = std::exp(-std::max(value, 0.0f));
            }
        }
    }
    if (draw.brightness != 1.0f)
        for (float& value : rgb)
            value *= draw.brightness;
    if (draw.contrast != 1.0f) {
        double sum = 0;
        for (size_t p = 0; p < pixels; ++p)
            sum += 0.299 * rgb[p * 3] + 0.587 * rgb[p * 3 + 1] + 0.114 * rgb[p * 3 + 2];
        const float mean = pixels ? float(sum / double(pixels)) : 0.0f;
        for (float& value : rgb)
            value = mean + draw.contrast * (value - mean);
    }
    for (float& value : rgb)
        value = std::clamp(value, 0.0f, 1.0f);
}

} // namespace

ImagePipeline::ImagePipeline(PreprocessingSettings settings)
    : m_settings(std::move(settings)) {
    const bool imageNet =
        m_settings.normalization == PreprocessingSettings::Normalization::ImageNet;
    for (int c = 0; c < 3; ++c) {
        m_mean[c] = imageNet ? kImageNetMean[c] : 0.0f;
        m_std[c] = imageNet ? kImageNetStd[c] : 1.0f;
        // Same float operations, in the same order, as NumPy/torchvision on float32:
        // (x / 255 - mean) / std, each step rounded to float.
        for (int v = 0; v < 256; ++v)
            m_lut8[c][v] = (float(v) / 255.0f - m_mean[c]) / m_std[c];
    }
}

std::size_t ImagePipeline::floatsPerImage() const {
    return std::size_t(3) * std::size_t(m_settings.width) * std::size_t(m_settings.height);
}

std::uint64_t ImagePipeline::sampleSeed(std::uint64_t seed, std::uint64_t epoch,
                                        std::uint64_t sampleIndex) {
    return Random::derive(seed, epoch, sampleIndex, 0xa06e);
}

int ImagePipeline::jpegReduction(int width, int height) const {
    // The reduced image's shorter side must still cover the target's longer side, so the
    // resize step only ever shrinks, whatever the EXIF orientation or the resize mode.
    const qint64 shorter = std::min(width, height);
    const qint64 needed = std::max(m_settings.width, m_settings.height);
    for (int factor : {8, 4, 2})
        if ((shorter + factor - 1) / factor >= needed)
            return factor;
    return 1;
}

ImageInspection ImagePipeline::decodeCheck(const QByteArray& bytes) {
    ImageInspection inspection = ImageInspector::inspect(bytes);
    if (!inspection.ok())
        return inspection;
    QString problem;
    if (decode(bytes, 1, problem).empty()) {
        inspection.code = DiagnosticCode::UnreadableImage;
        inspection.problem = problem;
    }
    return inspection;
}

bool ImagePipeline::load(const QString& path, float* destination, PixelLayout layout,
                         std::optional<std::uint64_t> augmentationSeed, QString* error) const {
    QByteArray bytes;
    const ImageInspection read = ImageInspector::readFile(path, bytes);
    if (!read.ok()) {
        if (error)
            *error = quotedPath(path) + QLatin1Char(' ') + read.problem;
        return false;
    }
    return loadBytes(bytes, path, destination, layout, augmentationSeed, error);
}

namespace {

/// Everything up to the colour stage: decode, geometry, and the sample's draws.
struct Prepared {
    cv::Mat image; ///< BGR, 8 or 16 bit, exactly width × height
    AugmentationDraw draw;
};

bool prepare(const ImagePipeline& pipeline, const QByteArray& bytes, const QString& name,
             std::optional<std::uint64_t> augmentationSeed, Prepared& prepared, QString* error) {
    const PreprocessingSettings& settings = pipeline.settings();
    const ImageInspection inspection = ImageInspector::inspect(bytes);
    if (!inspection.ok()) {
        if (error)
            *error = quotedPath(name) + QLatin1Char(' ') + inspection.problem;
        return false;
    }
    const bool augment = augmentationSeed.has_value() && settings.augmentation.enabled();
    if (augment)
        prepared.draw = drawAugmentation(settings.augmentation, *augmentationSeed,
                                         settings.width == settings.height);
    // A random crop needs more source pixels than the target: never reduce then.
    const int reduction =
        inspection.info.format == ImageFormat::Jpeg && !prepared.draw.crop
            ? pipeline.jpegReduction(inspection.info.width, inspection.info.height)
            : 1;
    QString problem;
    const cv::Mat decoded = decode(bytes, reduction, problem);
    if (decoded.empty()) {
        if (error)
            *error = quotedPath(name) + QLatin1Char(' ') + problem;
        return false;
    }
    prepared.image = prepared.draw.crop ? resizeRandomCrop(decoded, settings, prepared.draw)
                                        : resizeDeterministic(decoded, settings);
    if (augment)
        applyGeometry(prepared.image, prepared.draw);
    return true;
}

} // namespace

bool ImagePipeline::loadBytes(const QByteArray& bytes, const QString& name, float* destination,
                              PixelLayout layout, std::optional<std::uint64_t> augmentationSeed,
                              QString* error) const {
    Prepared prepared;
    if (!prepare(*this, bytes, name, augmentationSeed, prepared, error))
        return false;
    const cv::Mat& image = prepared.image;
    const int width = m_settings.width, height = m_settings.height;
    const size_t plane = size_t(width) * height;
    const bool planar = layout == PixelLayout::Planar;

    if (prepared.draw.colour()) {
        std::vector<float> rgb = toRgbFloats(image);
        applyColour(rgb, prepared.draw);
        for (size_t p = 0; p < plane; ++p)
            for (int c = 0; c < 3; ++c) {
                const float value = (rgb[p * 3 + c] - m_mean[c]) / m_std[c];
                destination[planar ? c * plane + p : p * 3 + c] = value;
            }
        return true;
    }
    // BGR → RGB happens here, by reading channel 2 - c: a pure permutation, identical to
    // cv::cvtColor(COLOR_BGR2RGB) before the conversion.
    for (int y = 0; y < height; ++y) {
        const size_t row = size_t(y) * width;
        if (image.depth() == CV_8U) {
            const std::uint8_t* in = image.ptr<std::uint8_t>(y);
            if (planar) {
                for (int c = 0; c < 3; ++c) {
                    const float* lut = m_lut8[c];
                    float* out = destination + c * plane + row;
                    for (int x = 0; x < width; ++x)
                        out[x] = lut[in[x * 3 + 2 - c]];
                }
            } else {
                float* out = destination + row * 3;
                for (int x = 0; x < width; ++x)
                    for (int c = 0; c < 3; ++c)
                        out[x * 3 + c] = m_lut8[c][in[x * 3 + 2 - c]];
            }
        } else {
            const std::uint16_t* in = image.ptr<std::uint16_t>(y);
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < 3; ++c) {
                    const float value =
                        (float(in[x * 3 + 2 - c]) / 65535.0f - m_mean[c]) / m_std[c];
                    destination[planar ? c * plane + row + x : (row + x) * 3 + c] = value;
                }
        }
    }
    return true;
}

std::optional<RgbImage> ImagePipeline::preview(const QString& path,
                                               std::optional<std::uint64_t> augmentationSeed,
                                               QString* error) const {
    QByteArray bytes;
    const ImageInspection read = ImageInspector::readFile(path, bytes);
    if (!read.ok()) {
        if (error)
            *error = quotedPath(path) + QLatin1Char(' ') + read.problem;
        return std::nullopt;
    }
    Prepared prepared;
    if (!prepare(*this, bytes, path, augmentationSeed, prepared, error))
        return std::nullopt;
    std::vector<float> rgb = toRgbFloats(prepared.image);
    if (prepared.draw.colour())
        applyColour(rgb, prepared.draw);
    RgbImage preview;
    preview.width = m_settings.width;
    preview.height = m_settings.height;
    preview.pixels.resize(rgb.size());
    for (size_t i = 0; i < rgb.size(); ++i)
        preview.pixels[i] = std::uint8_t(std::lround(std::clamp(rgb[i], 0.0f, 1.0f) * 255.0f));
    return preview;
}

} // namespace tc::data
