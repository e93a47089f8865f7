#include "core/data/SyntheticHistology.h"

#include "core/data/Diagnostic.h"
#include "core/data/Parallel.h"
#include "core/data/Random.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <png.h>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSaveFile>
#include <QSet>
#include <vector>
#include <zlib.h>

namespace tc::data {

namespace {

constexpr int kMinSide = 32;
constexpr int kMaxSide = 8192;
constexpr int kMaxImages = 1'000'000;
/// Reference image size the densities below are tuned for (BreaKHis 400X).
constexpr double kReferenceArea = 700.0 * 460.0;
/// Largest haematoxylin and eosin concentrations (optical density units) of the 8-bit maps.
constexpr double kMaxHaematoxylin = 1.6;
constexpr double kMaxEosin = 1.2;

const char* const kBenignSubtypes[] = {"A", "F", "PT", "TA"};
const char* const kMalignantSubtypes[] = {"DC", "LC", "MC", "PC"};

double lerp(double a, double b, double t) {
    return a + (b - a) * t;
}

/// Standard normal CDF inverse by bisection on erfc: slow but exact enough and fully
/// deterministic; called once per run.
double inverseNormal(double p) {
    double low = -10, high = 10;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (low + high);
        if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p)
            low = mid;
        else
            high = mid;
    }
    return 0.5 * (low + high);
}

/// Everything that makes one patient's slides look alike, drawn the same way for both
/// classes (nuisance, not signal).
struct PatientStyle {
    bool malignant = false;
    QString subtype;
    QString slide;
    double scoreOffset = 0;      ///< shared part of the latent score
    double haematoxylin[3] = {}; ///< OD per B, G, R at concentration 1
    double eosin[3] = {};
    double stroma = 0.35;      ///< eosin concentration of the stroma
    double textureCell = 24;   ///< pixels per cell of the low-frequency stroma texture
    double fibres = 1.0;       ///< fibre density multiplier
    double nucleusScale = 1.0; ///< patient-level nucleus size multiplier
};

struct ImagePlan {
    int patient = 0;
    int sequence = 0;
    QString relativePath; ///< data/train/<label>/<name>.png
};

void perturbedStain(Random& random, const double (&rgb)[3], double (&bgr)[3]) {
    double norm = 0;
    for (int c = 0; c < 3; ++c) {
        bgr[2 - c] = rgb[c] * random.uniform(0.85, 1.15);
        norm += bgr[2 - c] * bgr[2 - c];
    }
    const double scale = random.uniform(0.85, 1.2) / std::sqrt(norm);
    for (double& value : bgr)
        value *= scale;
}

/// One nucleus: an ellipse with a jittered, smoothed outline, filled into the haematoxylin map.
void drawNucleus(cv::Mat& haematoxylin, Random& random, cv::Point2d centre, double radius,
                 double irregularity, double roundness, int value, double nucleolusChance) {
    constexpr int kVertices = 12;
    double jitter[kVertices];
    for (double& j : jitter)
        j = random.normal() * irregularity;
    const double ratio = random.uniform(roundness, 1.0);
    const double angle = random.uniform(0, 3.141592653589793);
    const double ca = std::cos(angle), sa = std::sin(angle);
    std::vector<cv::Point> outline(kVertices);
    for (int k = 0; k < kVertices; ++k) {
        const double smooth = 0.5 * jitter[k] + 0.25 * jitter[(k + 1) % kVertices] +
                              0.25 * jitter[(k + kVertices - 1) % kVertices];
        const double r = radius * std::clamp(1.0 + smooth, 0.5, 1.6);
        const double t = 2 * 3.141592653589793 * k / kVertices;
        const double x = r * std::cos(t), y = r * ratio * std::sin(t);
        outline[size_t(k)] = cv::Point(int(std::lround(centre.x + x * ca - y * sa)),
                                       int(std::lround(centre.y + x * sa + y * ca)));
    }
    cv::fillPoly(haematoxylin, std::vector<std::vector<cv::Point>>{outline}, cv::Scalar(value));
    if (random.uniform() < nucleolusChance) {
        const int r = std::max(1, int(std::lround(radius * 0.22)));
        cv::circle(haematoxylin, cv::Point(int(centre.x), int(centre.y)), r,
                   cv::Scalar(std::min(255, value + 45)), cv::FILLED);
    }
}

/// Renders one image (BGR) whose class-dependent features are functions of `appearance`
/// (0 benign-looking … 1 malignant-looking) only.
cv::Mat render(const PatientStyle& style, double appearance, std::uint64_t seed, int width,
               int height) {
    Random random(seed);
    cv::RNG noise(random.next());
    const double areaFactor = double(width) * height / kReferenceArea;
    const double a = appearance;

    // Eosin: stroma with a low-frequency texture and fibres.
    const int cellsX = std::max(2, int(width / style.textureCell)) + 2;
    const int cellsY = std::max(2, int(height / style.textureCell)) + 2;
    cv::Mat texture(cellsY, cellsX, CV_32F);
    noise.fill(texture, cv::RNG::UNIFORM, 0.65, 1.35);
    cv::Mat eosinFloat;
    cv::resize(texture, eosinFloat, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
    cv::Mat eosin;
    eosinFloat.convertTo(eosin, CV_8U, 255.0 * style.stroma / kMaxEosin);
    const int fibreCount = int(std::lround(45 * areaFactor * style.fibres));
    for (int f = 0; f < fibreCount; ++f) {
        std::vector<cv::Point> path;
        cv::Point2d p(random.uniform(0, width), random.uniform(0, height));
        double direction = random.uniform(0, 6.283185307179586);
        const int segments = 6 + int(random.below(10));
        for (int s = 0; s <= segments; ++s) {
            path.emplace_back(int(p.x), int(p.y));
            direction += random.normal() * 0.25;
            const double step = random.uniform(12, 30);
            p += cv::Point2d(std::cos(direction) * step, std::sin(direction) * step);
        }
        const int value =
            int(std::min(255.0, 255.0 * style.stroma * random.uniform(1.3, 1.9) / kMaxEosin));
        cv::polylines(eosin, std::vector<std::vector<cv::Point>>{path}, false, cv::Scalar(value),
                      1 + int(random.below(2)));
    }

    // Not cv::Mat::zeros: its MatExpr reads a lazily created OpenCV singleton without a memory
    // barrier (a data race between the generator's threads, found by TSan).
    cv::Mat haematoxylin(height, width, CV_8U, cv::Scalar(0));
    const double radius = lerp(4.6, 8.4, a) * style.nucleusScale;
    const double sizeSpread = lerp(0.10, 0.38, a);
    const double irregularity = lerp(0.04, 0.30, a);
    const double roundness = lerp(0.78, 0.50, a);
    const double darkness = lerp(0.45, 0.88, a);
    const double nucleolusChance = lerp(0.05, 0.6, a);
    auto nucleusValue = [&] {
        return int(std::clamp(255.0 * darkness * random.uniform(0.88, 1.12), 0.0, 255.0));
    };
    auto nucleusRadius = [&] {
        return radius * std::exp(random.normal() * sizeSpread);
    };

    // Scattered and clustered nuclei: crowding grows with the score.
    const int nucleusCount =
        int(std::lround(areaFactor * lerp(110, 380, a) * random.uniform(0.85, 1.15)));
    const double clustered = lerp(0.10, 0.85, a);
    const int clusterCount = 2 + int(random.below(5));
    std::vector<cv::Point2d> clusters;
    for (int k = 0; k < clusterCount; ++k)
        clusters.emplace_back(random.uniform(0, width), random.uniform(0, height));
    const double clusterSpread = random.uniform(30, 70) * std::sqrt(areaFactor);
    for (int n = 0; n < nucleusCount; ++n) {
        cv::Point2d centre;
        if (random.uniform() < clustered) {
            const cv::Point2d& c = clusters[size_t(random.below(clusters.size()))];
            centre =
                c + cv::Point2d(random.normal() * clusterSpread, random.normal() * clusterSpread);
        } else {
            centre = cv::Point2d(random.uniform(0, width), random.uniform(0, height));
        }
        drawNucleus(haematoxylin, random, centre, nucleusRadius(), irregularity, roundness,
                    nucleusValue(), nucleolusChance);
    }

    // Glands: a lumen ringed by small regular epithelial nuclei; they fade as the score grows.
    const int glandCount =
        std::max(0, int(std::lround((1.0 - a) * 6.5 * areaFactor + random.normal() * 0.8)));
    for (int g = 0; g < glandCount; ++g) {
        const cv::Point2d centre(random.uniform(0, width), random.uniform(0, height));
        const double axis = random.uniform(16, 42);
        const double ratio = random.uniform(0.5, 1.0);
        const double angle = random.uniform(0, 180);
        const cv::Size axes(int(axis), int(axis * ratio));
        cv::ellipse(eosin, cv::Point(int(centre.x), int(centre.y)), axes, angle, 0, 360,
                    cv::Scalar(0), cv::FILLED);
        cv::ellipse(haematoxylin, cv::Point(int(centre.x), int(centre.y)), axes, angle, 0, 360,
                    cv::Scalar(0), cv::FILLED);
        const double ringRadius = radius * 0.9;
        const double perimeter = 3.141592653589793 * (axis + axis * ratio + 4 * ringRadius);
        const int ringCount = std::max(6, int(perimeter / (2.3 * ringRadius)));
        const double rad = angle * 3.141592653589793 / 180.0;
        for (int k = 0; k < ringCount; ++k) {
            const double t = 6.283185307179586 * k / ringCount;
            const double x = (axis + ringRadius * 1.2) * std::cos(t);
            const double y = (axis * ratio + ringRadius * 1.2) * std::sin(t);
            const cv::Point2d at(centre.x + x * std::cos(rad) - y * std::sin(rad),
                                 centre.y + x * std::sin(rad) + y * std::cos(rad));
            drawNucleus(haematoxylin, random, at, ringRadius * random.uniform(0.9, 1.1),
                        irregularity * 0.5, 0.8, nucleusValue(), 0.0);
        }
    }
    // White spaces (fat, tears), the same for both classes.
    const int spaces = int(random.below(3));
    for (int s = 0; s < spaces; ++s) {
        const cv::Point centre(int(random.uniform(0, width)), int(random.uniform(0, height)));
        const cv::Size axes(int(random.uniform(10, 45)), int(random.uniform(8, 30)));
        const double angle = random.uniform(0, 180);
        cv::ellipse(eosin, centre, axes, angle, 0, 360, cv::Scalar(0), cv::FILLED);
        cv::ellipse(haematoxylin, centre, axes, angle, 0, 360, cv::Scalar(0), cv::FILLED);
    }

    // Chromatin texture, then soft edges.
    cv::Mat grain(height, width, CV_8U);
    noise.fill(grain, cv::RNG::UNIFORM, 190, 256);
    cv::multiply(haematoxylin, grain, haematoxylin, 1.0 / 255.0);
    cv::GaussianBlur(haematoxylin, haematoxylin, cv::Size(3, 3), 0.9);
    cv::GaussianBlur(eosin, eosin, cv::Size(5, 5), 1.4);

    // Beer-Lambert: I = 255 · exp(-(H·h + E·e + background)), per channel; exp(-(x + y)) is
    // exp(-x)·exp(-y), so two 256-entry tables per channel do it.
    float hTable[256][3], eTable[256][3];
    for (int v = 0; v < 256; ++v)
        for (int c = 0; c < 3; ++c) {
            hTable[v][c] = float(std::exp(-v / 255.0 * kMaxHaematoxylin * style.haematoxylin[c]));
            eTable[v][c] = float(std::exp(-v / 255.0 * kMaxEosin * style.eosin[c]));
        }
    const float background = float(255.0 * std::exp(-0.03));
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y) {
        const std::uint8_t* h = haematoxylin.ptr<std::uint8_t>(y);
        const std::uint8_t* e = eosin.ptr<std::uint8_t>(y);
        std::uint8_t* out = image.ptr<std::uint8_t>(y);
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                out[x * 3 + c] =
                    cv::saturate_cast<std::uint8_t>(background * hTable[h[x]][c] * eTable[e[x]][c]);
    }
    // Camera noise: uniform in [-4, 4], which costs a fraction of Gaussian noise to draw.
    cv::Mat sensor(height, width, CV_8SC3);
    noise.fill(sensor, cv::RNG::UNIFORM, -4, 5);
    cv::add(image, sensor, image, cv::noArray(), CV_8UC3);
    return image;
}

} // namespace

/// libpng's write callback: appends to the std::vector behind the io pointer. It must not
/// throw through libpng's C frames, so an allocation failure becomes a libpng error.
void appendPngBytes(png_structp png, png_bytep data, png_size_t length) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
    try {
        out->insert(out->end(), data, data + length);
    } catch (...) {
        png_error(png, "out of memory");
    }
}

/// Encodes an 8-bit BGR image as an RGB PNG, tuned for speed on noisy images.
///
/// OpenCV's encoder lets libpng try all five row filters on every row (adaptive filtering),
/// which was half of the generator's time. One fixed filter, Up, gives files 5 % larger and
/// encodes in half the time; zlib level 1 with Huffman coding only, because the camera noise
/// leaves LZ77 matching almost nothing to find. Measured on one 700x460 image: OpenCV level 1
/// 595 kB in 24 ms, OpenCV level 1 Huffman-only 525 kB in 19 ms, OpenCV level 6 574 kB in
/// 70 ms, Up filter + Huffman-only 552 kB in about 10 ms. (Decoding an Up-filtered file is also
/// ~20 % faster than an adaptive one: docs/BENCHMARKS.md says so where it matters.)
bool encodePng(const cv::Mat& bgr, std::vector<std::uint8_t>& out) {
    out.clear();
    out.reserve(bgr.total() * 3 + bgr.total() / 8 + 4096);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    if (!png)
        return false;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        return false;
    }
    // libpng reports errors by longjmp back here: no object with a destructor may be created
    // between this point and the end of the writing calls.
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, &out, appendPngBytes, nullptr);
    png_set_IHDR(png, info, png_uint_32(bgr.cols), png_uint_32(bgr.rows), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
    png_set_compression_level(png, 1);
    png_set_compression_strategy(png, Z_HUFFMAN_ONLY);
    png_write_info(png, info);
    png_set_bgr(png);
    for (int y = 0; y < bgr.rows; ++y)
        png_write_row(png, const_cast<png_bytep>(bgr.ptr<png_byte>(y)));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return true;
}

QString SyntheticHistology::validate(const SyntheticHistologyOptions& options) {
    if (options.directory.isEmpty())
        return QStringLiteral("no output folder given");
    if (options.benign < 0 || options.malignant < 0)
        return QStringLiteral("image counts cannot be negative");
    if (options.benign + options.malignant < 1)
        return QStringLiteral("nothing to generate: --benign and --malignant are both 0");
    if (options.benign + options.malignant > kMaxImages)
        return QStringLiteral("at most %1 images can be generated").arg(kMaxImages);
    if (options.width < kMinSide || options.height < kMinSide || options.width > kMaxSide ||
        options.height > kMaxSide)
        return QStringLiteral("the image size must be between %1 and %2 pixels per side, not "
                              "%3x%4")
            .arg(kMinSide)
            .arg(kMaxSide)
            .arg(options.width)
            .arg(options.height);
    const int classes = (options.benign > 0 ? 1 : 0) + (options.malignant > 0 ? 1 : 0);
    if (options.patients < classes)
        return QStringLiteral("at least %1 patients are needed (one per class)").arg(classes);
    if (options.patients > options.benign + options.malignant)
        return QStringLiteral("%1 patients cannot share %2 images: every patient needs at least "
                              "one")
            .arg(options.patients)
            .arg(options.benign + options.malignant);
    if (!(options.difficulty >= 0.0 && options.difficulty <= 1.0))
        return QStringLiteral("the difficulty must be between 0 and 1");
    return {};
}

SyntheticHistologyResult SyntheticHistology::generate(const SyntheticHistologyOptions& options,
                                                      const std::function<void(int, int)>& progress,
                                                      const std::atomic<bool>* cancel) {
    SyntheticHistologyResult result;
    QElapsedTimer timer;
    timer.start();
    result.error = validate(options);
    if (!result.error.isEmpty())
        return result;

    const QDir root(options.directory);
    result.csvPath = root.filePath(QStringLiteral("dataset.csv"));
    if (QFileInfo::exists(result.csvPath) && !options.overwrite) {
        result.error = QStringLiteral("%1 already holds a data set (dataset.csv); choose another "
                                      "folder or overwrite it")
                           .arg(quotedPath(options.directory));
        return result;
    }
    const QString labels[2] = {QStringLiteral("benign"), QStringLiteral("malignant")};
    for (const QString& label : labels) {
        const QString folder = root.filePath(QStringLiteral("data/train/") + label);
        if (!QDir().mkpath(folder)) {
            result.error = QStringLiteral("cannot create the folder %1").arg(quotedPath(folder));
            return result;
        }
        // Overwriting: remove the images of an earlier run (only names this generator makes).
        const QStringList old = QDir(folder).entryList({QStringLiteral("SOB_*.png")}, QDir::Files);
        for (const QString& name : old)
            QFile::remove(QDir(folder).filePath(name));
    }

    // The plan: patients, their styles, and the images of each, all from the seed.
    Random planRandom(Random::derive(options.seed, 0x706c616e /* "plan" */));
    const int total = options.benign + options.malignant;
    int benignPatients = 0;
    if (options.benign > 0) {
        benignPatients = int(std::lround(double(options.patients) * options.benign / total));
        benignPatients = std::clamp(benignPatients, 1, options.benign);
        if (options.malignant > 0)
            benignPatients = std::min(benignPatients, options.patients - 1);
    }
    int malignantPatients = options.patients - benignPatients;
    malignantPatients = std::min(malignantPatients, options.malignant);
    result.benignPatients = benignPatients;
    result.malignantPatients = malignantPatients;

    std::vector<PatientStyle> patients;
    QSet<QString> slides;
    const double benignStain[3] = {0.65, 0.70, 0.29};
    const double eosinStain[3] = {0.07, 0.99, 0.11};
    for (int p = 0; p < benignPatients + malignantPatients; ++p) {
        PatientStyle style;
        style.malignant = p >= benignPatients;
        const int index = style.malignant ? p - benignPatients : p;
        style.subtype = QString::fromLatin1(style.malignant ? kMalignantSubtypes[index % 4]
                                                            : kBenignSubtypes[index % 4]);
        do {
            static const char* const suffixes[] = {"", "", "AB", "CD", "DE", "EF", "G", "H"};
            style.slide = QString::number(1000 + planRandom.below(39000)) +
                          QString::fromLatin1(suffixes[planRandom.below(8)]);
        } while (slides.contains(style.slide));
        slides.insert(style.slide);
        style.scoreOffset = planRandom.normal();
        perturbedStain(planRandom, benignStain, style.haematoxylin);
        perturbedStain(planRandom, eosinStain, style.eosin);
        style.stroma = planRandom.uniform(0.25, 0.45);
        style.textureCell = planRandom.uniform(16, 36);
        style.fibres = planRandom.uniform(0.6, 1.4);
        style.nucleusScale = planRandom.uniform(0.9, 1.1);
        patients.push_back(style);
    }

    // Images per patient: uneven shares (as in BreaKHis), at least one each.
    std::vector<ImagePlan> plans;
    plans.reserve(size_t(total));
    for (int cls = 0; cls < 2; ++cls) {
        const int first = cls == 0 ? 0 : benignPatients;
        const int count = cls == 0 ? benignPatients : malignantPatients;
        const int images = cls == 0 ? options.benign : options.malignant;
        if (count == 0)
            continue;
        std::vector<double> weights(static_cast<size_t>(count));
        double weightSum = 0;
        for (double& weight : weights)
            weightSum += weight = planRandom.uniform(0.5, 1.5);
        std::vector<int> share(size_t(count), 1);
        int assigned = count;
        std::vector<std::pair<double, int>> remainders;
        for (int k = 0; k < count; ++k) {
            const double exact = double(images - count) * weights[size_t(k)] / weightSum;
            share[size_t(k)] += int(exact);
            assigned += int(exact);
            remainders.emplace_back(exact - std::floor(exact), k);
        }
        std::stable_sort(remainders.begin(), remainders.end(),
                         [](const auto& x, const auto& y) { return x.first > y.first; });
        for (size_t k = 0; assigned < images; ++k, ++assigned)
            ++share[size_t(remainders[k % remainders.size()].second)];
        for (int k = 0; k < count; ++k) {
            const PatientStyle& style = patients[size_t(first + k)];
            for (int s = 1; s <= share[size_t(k)]; ++s) {
                ImagePlan plan;
                plan.patient = first + k;
                plan.sequence = s;
                const QString name = QStringLiteral("SOB_%1_%2-14-%3-400-%4.png")
                                         .arg(QLatin1Char(style.malignant ? 'M' : 'B'))
                                         .arg(style.subtype, style.slide)
                                         .arg(s, 3, 10, QLatin1Char('0'));
                plan.relativePath =
                    QStringLiteral("data/train/") + labels[cls] + QLatin1Char('/') + name;
                plans.push_back(plan);
            }
        }
    }
    // File order is the CSV order and fixes each image's index, hence its seed.
    std::stable_sort(plans.begin(), plans.end(), [](const ImagePlan& x, const ImagePlan& y) {
        return x.relativePath < y.relativePath;
    });

    // Class separation: score ~ N(±s, 1) with s = Φ⁻¹(1 - difficulty / 2).
    const double separation =
        options.difficulty <= 0 ? 4.0 : std::min(4.0, inverseNormal(1.0 - options.difficulty / 2));
    constexpr double kPatientShare = 0.4; // of the score's variance shared within a patient

    // One flag stops the workers, set by a write error or by the caller's cancel.
    std::atomic<bool> halt{false};
    QString writeError;
    std::mutex errorMutex;
    auto body = [&](int i) {
        if (cancel && cancel->load()) {
            halt.store(true);
            return;
        }
        const ImagePlan& plan = plans[size_t(i)];
        const PatientStyle& style = patients[size_t(plan.patient)];
        Random random(Random::derive(options.seed, 0x696d67 /* "img" */, std::uint64_t(i)));
        const double score = (style.malignant ? separation : -separation) +
                             std::sqrt(kPatientShare) * style.scoreOffset +
                             std::sqrt(1.0 - kPatientShare) * random.normal();
        const double appearance = 1.0 / (1.0 + std::exp(-1.7 * score));
        const cv::Mat image =
            render(style, appearance, random.next(), options.width, options.height);
        std::vector<std::uint8_t> encoded;
        const QString path = root.filePath(plan.relativePath);
        QFile file(path);
        const bool written =
            encodePng(image, encoded) && file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
            file.write(reinterpret_cast<const char*>(encoded.data()), qint64(encoded.size())) ==
                qint64(encoded.size()) &&
            file.flush();
        if (!written) {
            const std::lock_guard lock(errorMutex);
            if (writeError.isEmpty())
                writeError =
                    QStringLiteral("cannot write %1: %2").arg(quotedPath(path), file.errorString());
            halt.store(true);
        }
    };
    const bool completed = parallelFor(total, options.threads, body, progress, &halt);
    if (!writeError.isEmpty()) {
        result.error = writeError;
        return result;
    }
    if (!completed) {
        result.error = QStringLiteral("canceled");
        return result;
    }

    QSaveFile csv(result.csvPath);
    QByteArray text = "images,labels\n";
    for (const ImagePlan& plan : plans) {
        const QString label = plan.relativePath.section(QLatin1Char('/'), 2, 2);
        text += plan.relativePath.toUtf8() + ',' + label.toUtf8() + '\n';
    }
    if (!csv.open(QIODevice::WriteOnly) || csv.write(text) != text.size() || !csv.commit()) {
        result.error = QStringLiteral("cannot write %1: %2")
                           .arg(quotedPath(result.csvPath), csv.errorString());
        return result;
    }
    QSaveFile readme(root.filePath(QStringLiteral("README.md")));
    const QByteArray notice =
        QStringLiteral(
            "# SYNTHETIC histology demo data\n\n"
            "These %1 images (%2 benign, %3 malignant, %4 patients, %5x%6 PNG) were generated "
            "by `torchcanvas demo-data` (seed %7, difficulty %8). They are NOT real tissue and "
            "NOT patient data: a stochastic model draws H&E-like stroma and nuclei. File names "
            "follow BreaKHis (SOB_<B|M>_<subtype>-<year>-<patient>-<magnification>-<seq>.png) "
            "so that the patient-aware split can be exercised; subtypes are names only.\n\n"
            "The classes overlap on purpose: no classifier should expect more than about %9 %% "
            "accuracy. `dataset.csv` lists every image (header `images,labels`, paths relative "
            "to this folder).\n")
            .arg(total)
            .arg(options.benign)
            .arg(options.malignant)
            .arg(benignPatients + malignantPatients)
            .arg(options.width)
            .arg(options.height)
            .arg(options.seed)
            .arg(options.difficulty)
            .arg(accuracyCeiling(options.difficulty) * 100, 0, 'f', 1)
            .toUtf8();
    if (!readme.open(QIODevice::WriteOnly) || readme.write(notice) != notice.size() ||
        !readme.commit()) {
        result.error = QStringLiteral("cannot write %1: %2")
                           .arg(quotedPath(readme.fileName()), readme.errorString());
        return result;
    }
    result.images = total;
    result.seconds = double(timer.nsecsElapsed()) / 1e9;
    return result;
}

} // namespace tc::data
