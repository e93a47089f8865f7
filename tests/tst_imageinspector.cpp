// ImageInspector: formats, sizes, channels and depths from headers; truncation per format;
// unsupported and hostile files; fuzzing.

#include "core/data/ImageInspector.h"
#include "core/data/ImagePipeline.h"
#include "DataTestSupport.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace tc::data;
using tc::test::patternImage;

namespace {

QByteArray encode(const QString& extension, const cv::Mat& image,
                  const std::vector<int>& parameters = {}) {
    std::vector<std::uint8_t> bytes;
    if (!cv::imencode(extension.toStdString(), image, bytes, parameters))
        return {};
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
}

QByteArray be32(quint32 value) {
    QByteArray bytes(4, '\0');
    for (int i = 0; i < 4; ++i)
        bytes[i] = char((value >> (24 - 8 * i)) & 0xff);
    return bytes;
}

/// A PNG made of a signature and an IHDR only (plus whatever follows).
QByteArray pngHeader(quint32 width, quint32 height, int depth = 8, int colourType = 2) {
    QByteArray ihdr = be32(width) + be32(height);
    ihdr += char(depth);
    ihdr += char(colourType);
    ihdr += QByteArray(3, '\0');
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + be32(13) + "IHDR" + ihdr + QByteArray(4, '\0');
}

/// A little-endian RGB TIFF written the way many scanners do: directory first, then one
/// strip of pixel data (libtiff, and so OpenCV, put the directory last instead).
QByteArray directoryFirstTiff(int width, int height, quint32 samplesPerPixel = 3) {
    QByteArray bytes("II*\0", 4);
    auto u16 = [&](quint32 v) {
        bytes += char(v & 0xff);
        bytes += char((v >> 8) & 0xff);
    };
    auto u32 = [&](quint32 v) {
        u16(v & 0xffff);
        u16(v >> 16);
    };
    u32(8); // the directory follows the header
    const quint32 entries = 7;
    const quint32 dataOffset = 8 + 2 + entries * 12 + 4 + 6;
    u16(entries);
    auto entry = [&](quint32 tag, quint32 type, quint32 count, quint32 value) {
        u16(tag);
        u16(type);
        u32(count);
        u32(value);
    };
    entry(256, 4, 1, quint32(width));
    entry(257, 4, 1, quint32(height));
    entry(258, 3, 3, 8 + 2 + entries * 12 + 4);    // BitsPerSample 8,8,8 stored after the IFD
    entry(262, 3, 1, 2);                           // RGB
    entry(273, 4, 1, dataOffset);                  // StripOffsets
    entry(277, 3, 1, samplesPerPixel);             // SamplesPerPixel
    entry(279, 4, 1, quint32(width * height * 3)); // StripByteCounts
    u32(0);                                        // no next directory
    u16(8);
    u16(8);
    u16(8);
    bytes += QByteArray(width * height * 3, '\x7f');
    return bytes;
}

QString describe(const ImageInspection& inspection) {
    if (!inspection.ok())
        return codeName(inspection.code) + QLatin1Char('|') + inspection.problem;
    const ImageInfo& info = inspection.info;
    return QStringLiteral("%1 %2x%3 c%4 d%5")
        .arg(formatName(info.format))
        .arg(info.width)
        .arg(info.height)
        .arg(info.channels)
        .arg(info.bitDepth);
}

} // namespace

class TestImageInspector : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void formats_data();
    void formats();
    void truncation_data();
    void truncation();
    void unsupported_data();
    void unsupported();
    void hostileAndBroken_data();
    void hostileAndBroken();
    void readFileProblems();
    void fuzzNeverCrashes();
};

void TestImageInspector::formats_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("PNG RGB 8") << encode(".png", patternImage(33, 21, CV_8UC3))
                               << QStringLiteral("PNG 33x21 c3 d8");
    QTest::newRow("PNG RGBA 8") << encode(".png", patternImage(33, 21, CV_8UC4))
                                << QStringLiteral("PNG 33x21 c4 d8");
    QTest::newRow("PNG gray 16") << encode(".png", patternImage(33, 21, CV_16UC1))
                                 << QStringLiteral("PNG 33x21 c1 d16");
    QTest::newRow("PNG RGB 16") << encode(".png", patternImage(7, 5, CV_16UC3))
                                << QStringLiteral("PNG 7x5 c3 d16");
    QTest::newRow("JPEG colour") << encode(".jpg", patternImage(40, 30, CV_8UC3))
                                 << QStringLiteral("JPEG 40x30 c3 d8");
    QTest::newRow("JPEG gray") << encode(".jpg", patternImage(40, 30, CV_8UC1))
                               << QStringLiteral("JPEG 40x30 c1 d8");
    QTest::newRow("JPEG progressive")
        << encode(".jpg", patternImage(40, 30, CV_8UC3), {cv::IMWRITE_JPEG_PROGRESSIVE, 1})
        << QStringLiteral("JPEG 40x30 c3 d8");
    QTest::newRow("TIFF RGB 8") << encode(".tiff", patternImage(19, 11, CV_8UC3))
                                << QStringLiteral("TIFF 19x11 c3 d8");
    QTest::newRow("TIFF gray 16") << encode(".tiff", patternImage(19, 11, CV_16UC1))
                                  << QStringLiteral("TIFF 19x11 c1 d16");
    QTest::newRow("BMP 24") << encode(".bmp", patternImage(13, 9, CV_8UC3))
                            << QStringLiteral("BMP 13x9 c3 d8");
    QTest::newRow("BMP 32") << encode(".bmp", patternImage(13, 9, CV_8UC4))
                            << QStringLiteral("BMP 13x9 c4 d8");
    QTest::newRow("BMP gray (palette)")
        << encode(".bmp", patternImage(13, 9, CV_8UC1)) << QStringLiteral("BMP 13x9 c3 d8");
    QTest::newRow("WebP lossy") << encode(".webp", patternImage(50, 20, CV_8UC3))
                                << QStringLiteral("WebP 50x20 c3 d8");
    QTest::newRow("WebP lossless")
        << encode(".webp", patternImage(50, 20, CV_8UC3), {cv::IMWRITE_WEBP_QUALITY, 101})
        << QStringLiteral("WebP 50x20 c3 d8");
    QTest::newRow("WebP lossless with alpha")
        << encode(".webp", patternImage(50, 20, CV_8UC4), {cv::IMWRITE_WEBP_QUALITY, 101})
        << QStringLiteral("WebP 50x20 c4 d8");
}

void TestImageInspector::formats() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QVERIFY(!bytes.isEmpty());
    QCOMPARE(describe(ImageInspector::inspect(bytes)), expected);
    // A full decode agrees that the file is fine.
    QVERIFY(ImagePipeline::decodeCheck(bytes).ok());
}

void TestImageInspector::truncation_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<double>("keep");
    QTest::addColumn<QString>("expected");
    const QByteArray png = encode(".png", patternImage(64, 48, CV_8UC3));
    const QByteArray jpeg = encode(".jpg", patternImage(64, 48, CV_8UC3));
    const QByteArray progressive =
        encode(".jpg", patternImage(64, 48, CV_8UC3), {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
    const QByteArray tiff = encode(".tiff", patternImage(64, 48, CV_8UC3));
    const QByteArray bmp = encode(".bmp", patternImage(64, 48, CV_8UC3));
    const QByteArray webp = encode(".webp", patternImage(64, 48, CV_8UC3));
    const QString u = QStringLiteral("unreadable-image|is truncated: ");
    QTest::newRow("PNG half") << png << 0.5 << u + "the PNG ends inside its IDAT chunk";
    QTest::newRow("PNG without IEND")
        << png.left(png.size() - 12) << 1.0 << u + "the PNG ends before its IEND chunk";
    QTest::newRow("PNG signature only")
        << png.left(8) << 1.0 << u + "the PNG ends inside its header";
    QTest::newRow("JPEG 90%") << jpeg << 0.9 << u + "the JPEG ends before its end-of-image marker";
    QTest::newRow("JPEG without EOI")
        << jpeg.left(jpeg.size() - 2) << 1.0 << u + "the JPEG ends before its end-of-image marker";
    QTest::newRow("JPEG header only")
        << jpeg.left(40) << 1.0 << u + "the JPEG ends before its end-of-image marker";
    QTest::newRow("progressive JPEG 70%")
        << progressive << 0.7 << u + "the JPEG ends before its end-of-image marker";
    QTest::newRow("TIFF directory first, complete")
        << directoryFirstTiff(20, 10) << 1.0 << QStringLiteral("TIFF 20x10 c3 d8");
    QTest::newRow("TIFF directory first, 60%")
        << directoryFirstTiff(20, 10) << 0.6
        << u + "the TIFF ends before the image data its directory points to";
    QTest::newRow("TIFF directory last, 60%")
        << tiff << 0.6 << u + "the TIFF ends before its first directory";
    QTest::newRow("TIFF 6 bytes") << tiff.left(6) << 1.0
                                  << u + "the TIFF ends before its first directory";
    QTest::newRow("BMP 90%") << bmp << 0.9 << u + "the BMP ends inside its pixel data";
    QTest::newRow("BMP header") << bmp.left(20) << 1.0 << u + "the BMP ends inside its header";
    QTest::newRow("WebP 90%") << webp << 0.9
                              << u + "the WebP ends before the length its header announces";
}

void TestImageInspector::truncation() {
    QFETCH(QByteArray, bytes);
    QFETCH(double, keep);
    QFETCH(QString, expected);
    const QByteArray cut = bytes.left(qsizetype(bytes.size() * keep));
    QCOMPARE(describe(ImageInspector::inspect(cut)), expected);
}

void TestImageInspector::unsupported_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    const QString reads = QStringLiteral("; TorchCanvas reads PNG, JPEG, TIFF, BMP and WebP");
    const QString u = QStringLiteral("unsupported-format|");
    QTest::newRow("GIF") << QByteArray("GIF89a\x10\x00\x10\x00", 10)
                         << u + "is a GIF image" + reads;
    QTest::newRow("JPEG 2000") << QByteArray("\0\0\0\x0cjP  \r\n\x87\n", 12)
                               << u + "is a JPEG 2000 image" + reads;
    QTest::newRow("PPM") << encode(".ppm", patternImage(16, 16, CV_8UC3))
                         << u + "is a PNM (PBM/PGM/PPM) image" + reads;
    QTest::newRow("HEIC") << QByteArray("\0\0\0\x18"
                                        "ftypheic\0\0\0\0",
                                        16)
                          << u + "is a HEIF/HEIC image" + reads;
    QTest::newRow("Photoshop") << QByteArray("8BPS\0\x01", 6)
                               << u + "is a Photoshop document" + reads;
    QTest::newRow("PDF") << QByteArray("%PDF-1.7\n") << u + "is a PDF document" + reads;

    QByteArray twelveBit = encode(".jpg", patternImage(16, 16, CV_8UC3));
    const qsizetype sof = twelveBit.indexOf("\xff\xc0");
    twelveBit[sof + 4] = 12; // precision byte of SOF0
    QTest::newRow("12-bit JPEG") << twelveBit
                                 << u + "is a 12-bit JPEG, which TorchCanvas does not read";
    QByteArray lossless = encode(".jpg", patternImage(16, 16, CV_8UC3));
    lossless[lossless.indexOf("\xff\xc0") + 1] = char(0xc3);
    QTest::newRow("lossless JPEG")
        << lossless << u + "is a lossless JPEG, which TorchCanvas does not read";
    QTest::newRow("float TIFF") << encode(".tiff", cv::Mat(8, 8, CV_32FC1, cv::Scalar(0.5)))
                                << u + "is a floating-point TIFF, which TorchCanvas does not read";
    // Found by fuzzing: a directory claiming five samples per pixel was accepted.
    QTest::newRow("TIFF with 5 samples")
        << directoryFirstTiff(20, 10, 5)
        << u + "is a TIFF with 5 samples per pixel, which TorchCanvas does not read";
    QByteArray animated("RIFF\x30\0\0\0WEBPVP8X\x0a\0\0\0\x02\0\0\0\x0f\0\0\x0f\0\0", 30);
    animated += QByteArray(26, '\0');
    QTest::newRow("animated WebP")
        << animated << u + "is an animated WebP, which TorchCanvas does not read";
}

void TestImageInspector::unsupported() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QVERIFY(!bytes.isEmpty());
    QCOMPARE(describe(ImageInspector::inspect(bytes)), expected);
}

void TestImageInspector::hostileAndBroken_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    const QByteArray idatAndEnd = be32(0) + "IDAT" + be32(0) + be32(0) + "IEND" + be32(0);
    QTest::newRow("giant PNG header")
        << pngHeader(100000, 100000) + idatAndEnd
        << QStringLiteral("unreadable-image|is too large: 100000x100000 pixels is over the limit "
                          "of 100 megapixels");
    QTest::newRow("zero width PNG") << pngHeader(0, 10) + idatAndEnd
                                    << QStringLiteral("unreadable-image|is corrupt: its header "
                                                      "gives a size of 0x10 pixels");
    QTest::newRow("PNG bad bit depth") << pngHeader(4, 4, 3) + idatAndEnd
                                       << QStringLiteral("unreadable-image|is corrupt: invalid PNG "
                                                         "bit depth 3 for colour type 2");
    QTest::newRow("PNG impossible chunk length")
        << pngHeader(4, 4) + QByteArray("\xff\xff\xff\xff", 4) + "IDAT"
        << QStringLiteral("unreadable-image|is corrupt: a PNG chunk has an impossible length");
    QTest::newRow("TIFF with 0 samples")
        << directoryFirstTiff(20, 10, 0)
        << QStringLiteral("unreadable-image|is corrupt: the TIFF directory gives 0 samples per "
                          "pixel");
    QTest::newRow("PNG without image data")
        << pngHeader(4, 4) + be32(0) + "IEND" + be32(0)
        << QStringLiteral("unreadable-image|is corrupt: the PNG has no image data (IDAT)");
    QTest::newRow("JPEG garbage after SOI")
        << QByteArray("\xff\xd8\xff\xe0\x00\x04\x00\x00garbage", 15)
        << QStringLiteral("unreadable-image|is corrupt: a JPEG marker is missing at byte 8");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("unreadable-image|is empty (0 bytes)");
    QTest::newRow("text") << QByteArray("hello,world\n")
                          << QStringLiteral("not-an-image|is not an image (it is text)");
    QTest::newRow("binary") << QByteArray("\x01\x02\x03\x04\x00\xfe", 6)
                            << QStringLiteral("not-an-image|is not an image (its content matches "
                                              "no image format)");
}

void TestImageInspector::hostileAndBroken() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QCOMPARE(describe(ImageInspector::inspect(bytes)), expected);
    // The pipeline refuses the same files before OpenCV sees them.
    QCOMPARE(describe(ImagePipeline::decodeCheck(bytes)), expected);
}

void TestImageInspector::readFileProblems() {
    QTemporaryDir dir;
    QByteArray bytes;
    const ImageInspection missing = ImageInspector::readFile(dir.filePath("none.png"), bytes);
    QCOMPARE(describe(missing), QStringLiteral("missing-file|does not exist"));
    const ImageInspection folder = ImageInspector::readFile(dir.path(), bytes);
    QCOMPARE(describe(folder), QStringLiteral("not-an-image|is a folder, not an image"));
    const QString path = tc::test::writeImage(dir.path(), "ok.png", patternImage(5, 4, CV_8UC3));
    QByteArray contents;
    QCOMPARE(describe(ImageInspector::inspectFile(path, &contents)),
             QStringLiteral("PNG 5x4 c3 d8"));
    QCOMPARE(contents, tc::test::readFile(path));
}

void TestImageInspector::fuzzNeverCrashes() {
    // Mutated real files (flipped bytes, cuts, insertions): the inspector must terminate with
    // a verdict, and what it accepts must not crash the decoder either.
    const std::vector<QByteArray> seeds = {
        encode(".png", patternImage(24, 16, CV_8UC3)),
        encode(".png", patternImage(24, 16, CV_16UC1)),
        encode(".jpg", patternImage(24, 16, CV_8UC3)),
        encode(".jpg", patternImage(24, 16, CV_8UC3), {cv::IMWRITE_JPEG_PROGRESSIVE, 1}),
        encode(".tiff", patternImage(24, 16, CV_8UC3)),
        encode(".bmp", patternImage(24, 16, CV_8UC3)),
        encode(".webp", patternImage(24, 16, CV_8UC3)),
        encode(".webp", patternImage(24, 16, CV_8UC4), {cv::IMWRITE_WEBP_QUALITY, 101})};
    QRandomGenerator random(99);
    int accepted = 0, refused = 0;
    for (int round = 0; round < 4000; ++round) {
        QByteArray bytes = seeds[size_t(round) % seeds.size()];
        const int edits = 1 + int(random.bounded(3));
        for (int e = 0; e < edits && !bytes.isEmpty(); ++e) {
            const int at = int(random.bounded(bytes.size()));
            switch (random.bounded(3)) {
            case 0:
                bytes[at] = char(random.bounded(256));
                break;
            case 1:
                bytes.truncate(at);
                break;
            default:
                bytes.insert(at, char(random.bounded(256)));
                break;
            }
        }
        const ImageInspection inspection = ImageInspector::inspect(bytes);
        if (inspection.ok()) {
            ++accepted;
            QVERIFY(inspection.info.width > 0 && inspection.info.height > 0);
            ImagePipeline::decodeCheck(bytes);
        } else {
            ++refused;
            QVERIFY(!inspection.problem.isEmpty());
        }
    }
    QVERIFY(accepted > 0);
    QVERIFY(refused > 0);
}

QTEST_GUILESS_MAIN(TestImageInspector)
#include "tst_imageinspector.moc"
