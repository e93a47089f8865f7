// ImagePipeline: bit-exact agreement with a cv2 reference in Python, decoding of every
// supported kind of image, resize modes, augmentation, previews and errors.

#include "core/data/Batcher.h"
#include "core/data/ImagePipeline.h"
#include "DataTestSupport.h"

#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace tc::data;
using tc::test::patternImage;
using tc::test::writeImage;

namespace {

/// The deterministic pipeline's 8-bit RGB result for an 8-bit image, computed independently
/// with OpenCV (stretch).
cv::Mat expectedStretch(const cv::Mat& bgr, int width, int height) {
    cv::Mat resized;
    const bool shrink = width <= bgr.cols && height <= bgr.rows;
    cv::resize(bgr, resized, cv::Size(width, height), 0, 0,
               shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat rgb;
    cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

cv::Mat asMat(const RgbImage& image) {
    return cv::Mat(image.height, image.width, CV_8UC3,
                   const_cast<std::uint8_t*>(image.pixels.data()))
        .clone();
}

bool same(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

} // namespace

class TestImagePipeline : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void matchesPythonCv2BitForBit_data();
    void matchesPythonCv2BitForBit();
    void jpegReduction_data();
    void jpegReduction();
    void decodesEveryKind_data();
    void decodesEveryKind();
    void resizeModes();
    void previewIsTheResizedImage();
    void augmentationIsDeterministicPerSeed();
    void flipsAndRotations();
    void cropAndColourAugmentation();
    void errorsNameTheFile();

private:
    QTemporaryDir m_dir;
    QStringList m_files;
};

void TestImagePipeline::initTestCase() {
    QVERIFY(m_dir.isValid());
    const QString root = m_dir.path();
    // Every kind of input the reference must agree on: downscaling by a non-integer factor
    // (INTER_AREA), upscaling (INTER_LINEAR), 16-bit, gray, alpha, reduced JPEG decoding.
    m_files << writeImage(root, "large.png", patternImage(700, 460, CV_8UC3, 1))
            << writeImage(root, "small.png", patternImage(100, 80, CV_8UC3, 2))
            << writeImage(root, "deep.png", patternImage(300, 200, CV_16UC3, 3))
            << writeImage(root, "gray.png", patternImage(200, 300, CV_8UC1, 4))
            << writeImage(root, "alpha.png", patternImage(250, 250, CV_8UC4, 5))
            << writeImage(root, "photo.jpg", patternImage(700, 460, CV_8UC3, 6),
                          {cv::IMWRITE_JPEG_QUALITY, 90})
            << writeImage(root, "huge.jpg", patternImage(1000, 1900, CV_8UC3, 7))
            << writeImage(root, "gray.jpg", patternImage(150, 120, CV_8UC1, 8))
            << writeImage(root, "scan.tiff", patternImage(230, 230, CV_16UC1, 9))
            << writeImage(root, "old.bmp", patternImage(333, 111, CV_8UC3, 10))
            << writeImage(root, "web.webp", patternImage(240, 180, CV_8UC3, 11),
                          {cv::IMWRITE_WEBP_QUALITY, 101});
    for (const QString& file : m_files)
        QVERIFY(!file.isEmpty());
}

void TestImagePipeline::matchesPythonCv2BitForBit_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<QString>("resize");
    QTest::addColumn<QString>("normalization");
    QTest::addColumn<bool>("channelsLast");
    QTest::newRow("224 stretch imagenet NCHW") << 224 << 224 << "stretch"
                                               << "imagenet" << false;
    QTest::newRow("224 stretch imagenet NHWC") << 224 << 224 << "stretch"
                                               << "imagenet" << true;
    QTest::newRow("224 crop none NCHW") << 224 << 224 << "shorter-side-crop"
                                        << "none" << false;
    QTest::newRow("96x64 crop imagenet NHWC") << 96 << 64 << "shorter-side-crop"
                                              << "imagenet" << true;
    QTest::newRow("64x96 stretch imagenet NCHW") << 64 << 96 << "stretch"
                                                 << "imagenet" << false;
}

void TestImagePipeline::matchesPythonCv2BitForBit() {
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(QString, resize);
    QFETCH(QString, normalization);
    QFETCH(bool, channelsLast);

    PreprocessingSettings settings;
    settings.width = width;
    settings.height = height;
    settings.resize = resize == QLatin1String("stretch")
                          ? PreprocessingSettings::Resize::Stretch
                          : PreprocessingSettings::Resize::ShorterSideCrop;
    settings.normalization = normalization == QLatin1String("imagenet")
                                 ? PreprocessingSettings::Normalization::ImageNet
                                 : PreprocessingSettings::Normalization::None;
    // Augmentation settings must not matter when augmentation is off.
    settings.augmentation.horizontalFlip = true;
    settings.augmentation.stainJitter = 0.2;

    std::vector<BatchSample> samples;
    for (int i = 0; i < m_files.size(); ++i)
        samples.push_back({m_files.at(i), i});
    BatcherOptions options;
    options.batchSize = int(samples.size());
    options.workers = 2;
    options.channelsLast = channelsLast;
    Batcher batcher(samples, settings, options);
    const std::optional<Batch> batch = batcher.next();
    QVERIFY(batch);
    QVERIFY2(batch->failures.empty(),
             qPrintable(batch->failures.empty() ? QString() : batch->failures.front().message));
    const torch::Tensor images = batch->images;
    QCOMPARE(images.sizes(), (torch::IntArrayRef{m_files.size(), 3, height, width}));
    QCOMPARE(images.is_contiguous(torch::MemoryFormat::ChannelsLast), channelsLast);
    QCOMPARE(images.is_contiguous(), !channelsLast);

    const QString output = m_dir.filePath("reference.f32");
    QJsonObject spec{{"width", width},
                     {"height", height},
                     {"resize", resize},
                     {"normalization", normalization},
                     {"layout", channelsLast ? "nhwc" : "nchw"},
                     {"files", QJsonArray::fromStringList(m_files)},
                     {"output", output}};
    const QString specPath =
        tc::test::writeFile(m_dir.path(), "spec.json", QJsonDocument(spec).toJson());
    QProcess python;
    python.start(
        QStringLiteral(TORCHCANVAS_PYTHON),
        {QStringLiteral(TORCHCANVAS_SOURCE_DIR "/tests/tools/reference_batch.py"), specPath});
    QVERIFY(python.waitForFinished(120'000));
    QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());

    const QByteArray reference = tc::test::readFile(output);
    const auto count = size_t(images.numel());
    QCOMPARE(size_t(reference.size()), count * sizeof(float));
    // Memory order of the tensor is the order Python wrote (NCHW or NHWC).
    const float* ours = images.data_ptr<float>();
    const float* theirs = reinterpret_cast<const float*>(reference.constData());
    size_t differences = 0;
    double largest = 0;
    for (size_t i = 0; i < count; ++i) {
        if (std::memcmp(ours + i, theirs + i, sizeof(float)) != 0) {
            ++differences;
            largest = std::max(largest, double(std::abs(ours[i] - theirs[i])));
        }
    }
    QVERIFY2(differences == 0, qPrintable(QStringLiteral("%1 of %2 floats differ, by up to %3")
                                              .arg(differences)
                                              .arg(count)
                                              .arg(largest)));
}

void TestImagePipeline::jpegReduction_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("targetWidth");
    QTest::addColumn<int>("targetHeight");
    QTest::addColumn<int>("factor");
    QTest::newRow("BreaKHis to 224") << 700 << 460 << 224 << 224 << 2;
    QTest::newRow("portrait 1000x1900") << 1000 << 1900 << 224 << 224 << 4;
    QTest::newRow("exactly twice") << 448 << 448 << 224 << 224 << 2;
    QTest::newRow("rounding up counts") << 447 << 447 << 224 << 224 << 2;
    QTest::newRow("just too small") << 446 << 900 << 224 << 224 << 1;
    QTest::newRow("the longer target side decides") << 700 << 460 << 240 << 100 << 1;
    QTest::newRow("tiny target") << 4000 << 3000 << 64 << 64 << 8;
}

void TestImagePipeline::jpegReduction() {
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, targetWidth);
    QFETCH(int, targetHeight);
    QFETCH(int, factor);
    PreprocessingSettings settings;
    settings.width = targetWidth;
    settings.height = targetHeight;
    QCOMPARE(ImagePipeline(settings).jpegReduction(width, height), factor);
}

void TestImagePipeline::decodesEveryKind_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("type");
    QTest::newRow("PNG gray 8") << "a.png" << CV_8UC1;
    QTest::newRow("PNG gray 16") << "b.png" << CV_16UC1;
    QTest::newRow("PNG RGB 8") << "c.png" << CV_8UC3;
    QTest::newRow("PNG RGB 16") << "d.png" << CV_16UC3;
    QTest::newRow("PNG RGBA 8") << "e.png" << CV_8UC4;
    QTest::newRow("PNG RGBA 16") << "f.png" << CV_16UC4;
    QTest::newRow("TIFF RGB 16") << "g.tiff" << CV_16UC3;
    QTest::newRow("TIFF RGBA 8") << "h.tiff" << CV_8UC4;
    QTest::newRow("BMP RGB") << "i.bmp" << CV_8UC3;
    QTest::newRow("WebP RGBA lossless") << "j.webp" << CV_8UC4;
}

void TestImagePipeline::decodesEveryKind() {
    // Lossless formats at the target size: the float output is exactly the source pixel
    // (gray replicated, alpha dropped, 16-bit kept at full precision) over 255 or 65535.
    QFETCH(QString, name);
    QFETCH(int, type);
    cv::Mat source = patternImage(24, 16, type, 42);
    if (source.channels() == 4) {
        // Never fully transparent: lossless WebP may zero the colour of transparent pixels.
        std::vector<cv::Mat> planes;
        cv::split(source, planes);
        planes[3].setTo(source.depth() == CV_8U ? 200 : 51400);
        cv::merge(planes, source);
    }
    std::vector<int> parameters;
    if (name.endsWith(QLatin1String(".webp")))
        parameters = {cv::IMWRITE_WEBP_QUALITY, 101};
    const QString path = writeImage(m_dir.path(), name, source, parameters);
    QVERIFY(!path.isEmpty());
    PreprocessingSettings settings;
    settings.width = 24;
    settings.height = 16;
    settings.normalization = PreprocessingSettings::Normalization::None;
    const ImagePipeline pipeline(settings);
    std::vector<float> out(pipeline.floatsPerImage());
    QString error;
    QVERIFY2(pipeline.load(path, out.data(), PixelLayout::Planar, std::nullopt, &error),
             qPrintable(error));
    const int channels = source.channels();
    const bool sixteen = source.depth() == CV_16U;
    const float scale = sixteen ? 65535.0f : 255.0f;
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 24; ++x)
            for (int c = 0; c < 3; ++c) {
                // Output channel c is R, G, B; the source is gray or B, G, R(, A).
                const int sourceChannel = channels == 1 ? 0 : 2 - c;
                const double value =
                    sixteen ? source.ptr<std::uint16_t>(y)[x * channels + sourceChannel]
                            : source.ptr<std::uint8_t>(y)[x * channels + sourceChannel];
                QCOMPARE(out[size_t(c) * 24 * 16 + size_t(y) * 24 + size_t(x)],
                         float(value) / scale);
            }
}

void TestImagePipeline::resizeModes() {
    // A 300x100 image with a distinct left third, middle and right third: a centre crop to
    // 100x100 keeps only the middle, a stretch keeps all three.
    cv::Mat image(100, 300, CV_8UC3, cv::Scalar(0, 0, 255));
    image(cv::Rect(100, 0, 100, 100)).setTo(cv::Scalar(0, 255, 0));
    image(cv::Rect(200, 0, 100, 100)).setTo(cv::Scalar(255, 0, 0));
    const QString path = writeImage(m_dir.path(), "thirds.png", image);
    PreprocessingSettings settings;
    settings.width = 50;
    settings.height = 50;
    settings.resize = PreprocessingSettings::Resize::ShorterSideCrop;
    QString error;
    const auto cropped = ImagePipeline(settings).preview(path, std::nullopt, &error);
    QVERIFY2(cropped, qPrintable(error));
    const cv::Mat crop = asMat(*cropped);
    QCOMPARE(crop.at<cv::Vec3b>(25, 2), cv::Vec3b(0, 255, 0));
    QCOMPARE(crop.at<cv::Vec3b>(25, 47), cv::Vec3b(0, 255, 0));
    settings.resize = PreprocessingSettings::Resize::Stretch;
    const cv::Mat stretch = asMat(*ImagePipeline(settings).preview(path, std::nullopt, &error));
    QCOMPARE(stretch.at<cv::Vec3b>(25, 2), cv::Vec3b(255, 0, 0)); // RGB: red on the left
    QCOMPARE(stretch.at<cv::Vec3b>(25, 25), cv::Vec3b(0, 255, 0));
    QCOMPARE(stretch.at<cv::Vec3b>(25, 47), cv::Vec3b(0, 0, 255));
}

void TestImagePipeline::previewIsTheResizedImage() {
    const cv::Mat source = patternImage(700, 460, CV_8UC3, 1);
    PreprocessingSettings settings;
    QString error;
    const auto preview = ImagePipeline(settings).preview(m_files.at(0), std::nullopt, &error);
    QVERIFY2(preview, qPrintable(error));
    QCOMPARE(preview->width, 224);
    QCOMPARE(preview->height, 224);
    QCOMPARE(preview->pixels.size(), size_t(224 * 224 * 3));
    QVERIFY(same(asMat(*preview), expectedStretch(source, 224, 224)));
}

void TestImagePipeline::augmentationIsDeterministicPerSeed() {
    PreprocessingSettings settings;
    settings.width = 64;
    settings.height = 64;
    AugmentationSettings& a = settings.augmentation;
    a.horizontalFlip = a.verticalFlip = a.rotate90 = true;
    a.cropScale = 0.3;
    a.brightness = a.contrast = 0.2;
    a.stainJitter = 0.05;
    const ImagePipeline pipeline(settings);
    std::vector<float> first(pipeline.floatsPerImage()), second(first.size()), other(first.size());
    QString error;
    const std::uint64_t seed = ImagePipeline::sampleSeed(5, 2, 17);
    QVERIFY(pipeline.load(m_files.at(0), first.data(), PixelLayout::Planar, seed, &error));
    QVERIFY(pipeline.load(m_files.at(0), second.data(), PixelLayout::Planar, seed, &error));
    QCOMPARE(first, second);
    QVERIFY(pipeline.load(m_files.at(0), other.data(), PixelLayout::Planar,
                          ImagePipeline::sampleSeed(5, 3, 17), &error));
    QVERIFY(first != other);
    QVERIFY(ImagePipeline::sampleSeed(5, 2, 17) != ImagePipeline::sampleSeed(5, 2, 18));
    QVERIFY(ImagePipeline::sampleSeed(5, 2, 17) != ImagePipeline::sampleSeed(6, 2, 17));
    // The preview shows the same augmentation, rounded to 8 bits.
    const auto preview = pipeline.preview(m_files.at(0), seed, &error);
    QVERIFY(preview);
    const float mean[3] = {0.485f, 0.456f, 0.406f}, stdev[3] = {0.229f, 0.224f, 0.225f};
    for (size_t p = 0; p < 64 * 64; p += 97)
        for (int c = 0; c < 3; ++c) {
            const float value = first[size_t(c) * 64 * 64 + p] * stdev[c] + mean[c];
            QVERIFY(std::abs(value * 255.0f - preview->pixels[p * 3 + size_t(c)]) <= 0.51f);
        }
}

void TestImagePipeline::flipsAndRotations() {
    PreprocessingSettings settings;
    settings.width = 96;
    settings.height = 96;
    QString error;
    const cv::Mat plain = asMat(*ImagePipeline(settings).preview(m_files.at(0), {}, &error));
    cv::Mat r90, r180, r270, h, v;
    cv::rotate(plain, r90, cv::ROTATE_90_COUNTERCLOCKWISE);
    cv::rotate(plain, r180, cv::ROTATE_180);
    cv::rotate(plain, r270, cv::ROTATE_90_CLOCKWISE);
    cv::flip(plain, h, 1);
    cv::flip(plain, v, 0);

    settings.augmentation.rotate90 = true;
    QSet<int> rotations;
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
        const cv::Mat out = asMat(*ImagePipeline(settings).preview(m_files.at(0), seed, &error));
        const int which = same(out, plain)  ? 0
                          : same(out, r90)  ? 1
                          : same(out, r180) ? 2
                          : same(out, r270) ? 3
                                            : -1;
        QVERIFY(which >= 0);
        rotations.insert(which);
    }
    QCOMPARE(rotations, (QSet<int>{0, 1, 2, 3}));

    settings.augmentation.rotate90 = false;
    settings.augmentation.horizontalFlip = true;
    QSet<int> flips;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const cv::Mat out = asMat(*ImagePipeline(settings).preview(m_files.at(0), seed, &error));
        const int which = same(out, plain) ? 0 : same(out, h) ? 1 : -1;
        QVERIFY(which >= 0);
        flips.insert(which);
    }
    QCOMPARE(flips, (QSet<int>{0, 1}));

    // A non-square target never turns by 90 degrees: only 0 or 180.
    settings.width = 96;
    settings.height = 64;
    settings.augmentation.horizontalFlip = false;
    settings.augmentation.rotate90 = true;
    const cv::Mat wide = asMat(*ImagePipeline(settings).preview(m_files.at(0), {}, &error));
    cv::Mat wide180;
    cv::rotate(wide, wide180, cv::ROTATE_180);
    QSet<int> turns;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const cv::Mat out = asMat(*ImagePipeline(settings).preview(m_files.at(0), seed, &error));
        turns.insert(same(out, wide) ? 0 : same(out, wide180) ? 2 : -1);
    }
    QCOMPARE(turns, (QSet<int>{0, 2}));
}

void TestImagePipeline::cropAndColourAugmentation() {
    PreprocessingSettings settings;
    settings.width = 64;
    settings.height = 64;
    QString error;
    const cv::Mat plain = asMat(*ImagePipeline(settings).preview(m_files.at(0), {}, &error));
    const double plainMean = cv::mean(plain)[0];

    settings.augmentation.cropScale = 0.5;
    int differentCrops = 0;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        const auto out = ImagePipeline(settings).preview(m_files.at(0), seed, &error);
        QVERIFY(out);
        QCOMPARE(out->width, 64);
        differentCrops += same(asMat(*out), plain) ? 0 : 1;
    }
    QCOMPARE(differentCrops, 10);

    settings.augmentation = {};
    settings.augmentation.brightness = 0.4;
    double lowest = 1e9, highest = -1e9;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const double mean =
            cv::mean(asMat(*ImagePipeline(settings).preview(m_files.at(0), seed, &error)))[0];
        lowest = std::min(lowest, mean);
        highest = std::max(highest, mean);
    }
    QVERIFY(lowest < plainMean * 0.9 && lowest > plainMean * 0.55);
    QVERIFY(highest > plainMean * 1.1);

    // Stain jitter changes colours but keeps the image's structure.
    settings.augmentation = {};
    settings.augmentation.stainJitter = 0.1;
    const cv::Mat stained = asMat(*ImagePipeline(settings).preview(m_files.at(0), 3, &error));
    QVERIFY(!same(stained, plain));
    cv::Mat a, b;
    cv::cvtColor(plain, a, cv::COLOR_RGB2GRAY);
    cv::cvtColor(stained, b, cv::COLOR_RGB2GRAY);
    a.convertTo(a, CV_32F);
    b.convertTo(b, CV_32F);
    cv::Mat ca = a - cv::mean(a)[0], cb = b - cv::mean(b)[0];
    const double correlation = ca.dot(cb) / std::sqrt(ca.dot(ca) * cb.dot(cb));
    QVERIFY2(correlation > 0.9, qPrintable(QString::number(correlation)));
}

void TestImagePipeline::errorsNameTheFile() {
    const ImagePipeline pipeline{PreprocessingSettings{}};
    std::vector<float> out(pipeline.floatsPerImage());
    QString error;
    const QString missing = m_dir.filePath("missing.png");
    QVERIFY(!pipeline.load(missing, out.data(), PixelLayout::Planar, {}, &error));
    QCOMPARE(error, QStringLiteral("'%1' does not exist").arg(missing));
    const QString text = tc::test::writeFile(m_dir.path(), "text.png", "hello");
    QVERIFY(!pipeline.load(text, out.data(), PixelLayout::Planar, {}, &error));
    QCOMPARE(error, QStringLiteral("'%1' is not an image (it is text)").arg(text));
    // Damage the compressed data inside the first IDAT chunk, leaving the structure intact.
    QByteArray corrupt = tc::test::readFile(m_files.at(0));
    const qsizetype idat = corrupt.indexOf("IDAT");
    for (qsizetype i = idat + 8; i < idat + 72; ++i)
        corrupt[i] = char(~corrupt[i]);
    QVERIFY(!pipeline.loadBytes(corrupt, QStringLiteral("bad.png"), out.data(), PixelLayout::Planar,
                                {}, &error));
    QCOMPARE(error, QStringLiteral("'bad.png' is corrupt: OpenCV could not decode its pixels"));
    QVERIFY(!pipeline.preview(missing, {}, &error));
    QCOMPARE(error, QStringLiteral("'%1' does not exist").arg(missing));

    const torch::Tensor none = Batcher::loadImage(missing, PreprocessingSettings{}, &error);
    QVERIFY(!none.defined());
    const torch::Tensor one =
        Batcher::loadImage(m_files.at(0), PreprocessingSettings{}, &error, true);
    QCOMPARE(one.sizes(), (torch::IntArrayRef{1, 3, 224, 224}));
    QVERIFY(one.is_contiguous(torch::MemoryFormat::ChannelsLast));
}

QTEST_GUILESS_MAIN(TestImagePipeline)
#include "tst_imagepipeline.moc"
