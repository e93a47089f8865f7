#include "core/data/ImageInspector.h"

#include "core/util/RegularFile.h"

#include <cstring>
#include <QFile>
#include <QFileInfo>

namespace tc::data {

QString formatName(ImageFormat format) {
    switch (format) {
    case ImageFormat::Png:
        return QStringLiteral("PNG");
    case ImageFormat::Jpeg:
        return QStringLiteral("JPEG");
    case ImageFormat::Tiff:
        return QStringLiteral("TIFF");
    case ImageFormat::Bmp:
        return QStringLiteral("BMP");
    case ImageFormat::WebP:
        return QStringLiteral("WebP");
    case ImageFormat::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

namespace {

const QString kReadable = QStringLiteral("TorchCanvas reads PNG, JPEG, TIFF, BMP and WebP");

/// Bounds-checked big/little-endian reads over the file bytes. Every read past the end
/// returns 0 and sets `overrun`, so parsers stay simple and a short file cannot crash them.
class Bytes {
public:
    explicit Bytes(const QByteArray& bytes)
        : m_data(reinterpret_cast<const unsigned char*>(bytes.constData()))
        , m_size(bytes.size()) {}

    qint64 size() const { return m_size; }
    bool has(qint64 offset, qint64 count) const {
        return offset >= 0 && count >= 0 && offset <= m_size && count <= m_size - offset;
    }
    unsigned u8(qint64 offset) const { return has(offset, 1) ? m_data[offset] : fail(); }
    quint32 be16(qint64 o) const { return (u8(o) << 8) | u8(o + 1); }
    quint32 be32(qint64 o) const { return (be16(o) << 16) | be16(o + 2); }
    quint32 le16(qint64 o) const { return u8(o) | (u8(o + 1) << 8); }
    quint32 le32(qint64 o) const { return le16(o) | (le16(o + 2) << 16); }
    quint64 le64(qint64 o) const { return le32(o) | (quint64(le32(o + 4)) << 32); }
    quint64 be64(qint64 o) const { return (quint64(be32(o)) << 32) | be32(o + 4); }
    /// Compares with a string literal, embedded NUL bytes included.
    template <size_t N> bool startsWith(qint64 offset, const char (&text)[N]) const {
        const qint64 length = qint64(N - 1);
        return has(offset, length) && std::memcmp(m_data + offset, text, size_t(length)) == 0;
    }
    const unsigned char* data() const { return m_data; }

private:
    unsigned fail() const { return 0; }
    const unsigned char* m_data;
    qint64 m_size;
};

ImageInspection failure(DiagnosticCode code, const QString& problem, ImageInfo info = {}) {
    ImageInspection inspection;
    inspection.info = info;
    inspection.code = code;
    inspection.problem = problem;
    return inspection;
}

ImageInspection truncated(ImageInfo info, const QString& detail) {
    return failure(DiagnosticCode::UnreadableImage, QStringLiteral("is truncated: ") + detail,
                   info);
}

ImageInspection corrupt(ImageInfo info, const QString& detail) {
    return failure(DiagnosticCode::UnreadableImage, QStringLiteral("is corrupt: ") + detail, info);
}

ImageInspection unsupported(ImageInfo info, const QString& what) {
    return failure(DiagnosticCode::UnsupportedFormat,
                   QStringLiteral("is %1, which TorchCanvas does not read").arg(what), info);
}

/// Final checks shared by every format: a plausible size within the pixel limit.
ImageInspection accept(const ImageInfo& info) {
    if (info.width <= 0 || info.height <= 0)
        return corrupt(info, QStringLiteral("its header gives a size of %1x%2 pixels")
                                 .arg(info.width)
                                 .arg(info.height));
    if (qint64(info.width) * info.height > ImageInspector::kMaxPixels)
        return failure(DiagnosticCode::UnreadableImage,
                       QStringLiteral("is too large: %1x%2 pixels is over the limit of %3 "
                                      "megapixels")
                           .arg(info.width)
                           .arg(info.height)
                           .arg(ImageInspector::kMaxPixels / 1'000'000),
                       info);
    ImageInspection inspection;
    inspection.info = info;
    return inspection;
}

// ---- PNG: chunks up to IEND --------------------------------------------------------------

ImageInspection inspectPng(const Bytes& b) {
    ImageInfo info;
    info.format = ImageFormat::Png;
    qint64 pos = 8;
    bool sawHeader = false;
    bool sawData = false;
    for (;;) {
        if (!b.has(pos, 8))
            return truncated(info, sawHeader ? QStringLiteral("the PNG ends before its IEND chunk")
                                             : QStringLiteral("the PNG ends inside its header"));
        const quint32 length = b.be32(pos);
        char type[5] = {char(b.u8(pos + 4)), char(b.u8(pos + 5)), char(b.u8(pos + 6)),
                        char(b.u8(pos + 7)), 0};
        if (length > 0x7fffffffu)
            return corrupt(info, QStringLiteral("a PNG chunk has an impossible length"));
        if (!b.has(pos + 8, qint64(length) + 4))
            return truncated(
                info,
                QStringLiteral("the PNG ends inside its %1 chunk").arg(QString::fromLatin1(type)));
        const qint64 body = pos + 8;
        if (!sawHeader) {
            if (std::strcmp(type, "IHDR") != 0 || length != 13)
                return corrupt(info, QStringLiteral("the PNG does not start with an IHDR chunk"));
            sawHeader = true;
            info.width = int(std::min<quint32>(b.be32(body), 0x7fffffffu));
            info.height = int(std::min<quint32>(b.be32(body + 4), 0x7fffffffu));
            info.bitDepth = int(b.u8(body + 8));
            const unsigned colorType = b.u8(body + 9);
            switch (colorType) {
            case 0:
                info.channels = 1;
                break;
            case 2:
            case 3:
                info.channels = 3;
                break;
            case 4:
                info.channels = 2;
                break;
            case 6:
                info.channels = 4;
                break;
            default:
                return corrupt(info, QStringLiteral("unknown PNG colour type %1").arg(colorType));
            }
            const int depth = info.bitDepth;
            const bool depthValid =
                (colorType == 0 &&
                 (depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16)) ||
                (colorType == 3 && (depth == 1 || depth == 2 || depth == 4 || depth == 8)) ||
                ((colorType == 2 || colorType == 4 || colorType == 6) &&
                 (depth == 8 || depth == 16));
            if (!depthValid)
                return corrupt(info, QStringLiteral("invalid PNG bit depth %1 for colour type %2")
                                         .arg(depth)
                                         .arg(colorType));
        } else if (std::strcmp(type, "IDAT") == 0) {
            sawData = true;
        } else if (std::strcmp(type, "IEND") == 0) {
            if (!sawData)
                return corrupt(info, QStringLiteral("the PNG has no image data (IDAT)"));
            return accept(info);
        }
        pos = body + length + 4; // + CRC
    }
}

// ---- JPEG: markers, entropy-coded data, EOI ----------------------------------------------

ImageInspection inspectJpeg(const Bytes& b) {
    ImageInfo info;
    info.format = ImageFormat::Jpeg;
    qint64 pos = 2;
    bool sawFrame = false;
    bool sawScan = false;
    const QString endsEarly = QStringLiteral("the JPEG ends before its end-of-image marker");
    for (;;) {
        // Markers may be preceded by any number of 0xFF fill bytes.
        if (!b.has(pos, 2))
            return truncated(info, endsEarly);
        if (b.u8(pos) != 0xFF)
            return corrupt(info, QStringLiteral("a JPEG marker is missing at byte %1").arg(pos));
        while (b.has(pos + 1, 1) && b.u8(pos + 1) == 0xFF)
            ++pos;
        if (!b.has(pos, 2))
            return truncated(info, endsEarly);
        const unsigned marker = b.u8(pos + 1);
        pos += 2;
        if (marker == 0xD9) { // EOI
            if (!sawScan)
                return corrupt(info, QStringLiteral("the JPEG has no image data"));
            return accept(info);
        }
        if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
            continue; // stand-alone markers
        if (!b.has(pos, 2))
            return truncated(info, endsEarly);
        const quint32 length = b.be16(pos);
        if (length < 2)
            return corrupt(info, QStringLiteral("a JPEG segment has an impossible length"));
        if (!b.has(pos, length))
            return truncated(info, endsEarly);
        const bool startOfFrame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (startOfFrame && !sawFrame) {
            sawFrame = true;
            info.bitDepth = int(b.u8(pos + 2));
            info.height = int(b.be16(pos + 3));
            info.width = int(b.be16(pos + 5));
            info.channels = int(b.u8(pos + 7));
            if (marker == 0xC3 || marker == 0xC7 || marker == 0xCB || marker == 0xCF)
                return unsupported(info, QStringLiteral("a lossless JPEG"));
            if (marker == 0xC5 || marker == 0xC6 || marker == 0xCD || marker == 0xCE)
                return unsupported(info, QStringLiteral("a hierarchical JPEG"));
            if (info.bitDepth != 8)
                return unsupported(info, QStringLiteral("a %1-bit JPEG").arg(info.bitDepth));
            if (info.channels != 1 && info.channels != 3 && info.channels != 4)
                return corrupt(info,
                               QStringLiteral("a JPEG with %1 components").arg(info.channels));
            if (info.height == 0)
                return unsupported(info, QStringLiteral("a JPEG whose height follows the "
                                                        "image data (DNL)"));
        }
        pos += length;
        if (marker == 0xDA) { // SOS: entropy-coded data follows, up to the next real marker
            if (!sawFrame)
                return corrupt(info, QStringLiteral("the JPEG image data comes before its "
                                                    "frame header"));
            sawScan = true;
            const unsigned char* data = b.data();
            for (;;) {
                const void* found =
                    b.has(pos, 1) ? std::memchr(data + pos, 0xFF, size_t(b.size() - pos)) : nullptr;
                if (!found)
                    return truncated(info, endsEarly);
                pos = static_cast<const unsigned char*>(found) - data;
                if (!b.has(pos, 2))
                    return truncated(info, endsEarly);
                const unsigned next = b.u8(pos + 1);
                // FF00 is a stuffed data byte, FFD0-FFD7 restart markers, FFFF fill.
                if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF) {
                    pos += next == 0xFF ? 1 : 2;
                    continue;
                }
                break;
            }
        }
    }
}

// ---- TIFF: first directory, strip and tile extents ---------------------------------------

ImageInspection inspectTiff(const Bytes& b) {
    ImageInfo info;
    info.format = ImageFormat::Tiff;
    const bool little = b.u8(0) == 'I';
    const bool big = (little ? b.le16(2) : b.be16(2)) == 43;
    auto u16 = [&](qint64 o) {
        return little ? b.le16(o) : b.be16(o);
    };
    auto u32 = [&](qint64 o) {
        return little ? b.le32(o) : b.be32(o);
    };
    auto u64 = [&](qint64 o) {
        return little ? b.le64(o) : b.be64(o);
    };
    const quint64 ifd = big ? u64(8) : u32(4);
    const QString endsEarly = QStringLiteral("the TIFF ends before the image data its directory "
                                             "points to");
    if (ifd == 0 || !b.has(qint64(std::min<quint64>(ifd, quint64(b.size()) + 1)), big ? 8 : 2))
        return truncated(info, QStringLiteral("the TIFF ends before its first directory"));
    const quint64 entries = big ? u64(qint64(ifd)) : u16(qint64(ifd));
    const qint64 entrySize = big ? 20 : 12;
    const qint64 first = qint64(ifd) + (big ? 8 : 2);
    if (entries > 4096 || !b.has(first, qint64(entries) * entrySize))
        return truncated(info, QStringLiteral("the TIFF ends inside its first directory"));

    // Value `index` of a SHORT/LONG/LONG8 entry, inline or at its offset; ok=false when the
    // values lie outside the file.
    struct Entry {
        quint32 type = 0;
        quint64 count = 0;
        qint64 valueField = 0;
    };
    auto typeSize = [](quint32 type) -> qint64 {
        switch (type) {
        case 3:
            return 2;
        case 4:
            return 4;
        case 16:
            return 8;
        default:
            return 0;
        }
    };
    auto value = [&](const Entry& e, quint64 index, bool& ok) -> quint64 {
        const qint64 size = typeSize(e.type);
        if (size == 0 || index >= e.count) {
            ok = false;
            return 0;
        }
        const qint64 total = qint64(e.count) * size;
        const qint64 base = total <= (big ? 8 : 4)
                                ? e.valueField
                                : qint64(big ? u64(e.valueField) : u32(e.valueField));
        const qint64 at = base + qint64(index) * size;
        if (!b.has(at, size)) {
            ok = false;
            return 0;
        }
        return size == 2 ? u16(at) : size == 4 ? u32(at) : u64(at);
    };

    Entry offsets, counts;
    int samplesPerPixel = 1;
    int sampleFormat = 1;
    unsigned photometric = 2;
    bool ok = true;
    for (quint64 i = 0; i < entries; ++i) {
        const qint64 at = first + qint64(i) * entrySize;
        Entry entry;
        const quint32 tag = u16(at);
        entry.type = u16(at + 2);
        entry.count = big ? u64(at + 4) : u32(at + 4);
        entry.valueField = at + (big ? 12 : 8);
        if (entry.count > quint64(b.size()))
            return corrupt(info, QStringLiteral("a TIFF directory entry has an impossible "
                                                "count"));
        switch (tag) {
        case 256:
            info.width = int(std::min<quint64>(value(entry, 0, ok), 0x7fffffff));
            break;
        case 257:
            info.height = int(std::min<quint64>(value(entry, 0, ok), 0x7fffffff));
            break;
        case 258:
            info.bitDepth = int(std::min<quint64>(value(entry, 0, ok), 1024));
            break;
        case 262:
            photometric = unsigned(value(entry, 0, ok));
            break;
        case 273:
        case 324:
            offsets = entry;
            break;
        case 277:
            samplesPerPixel = int(std::min<quint64>(value(entry, 0, ok), 1024));
            break;
        case 279:
        case 325:
            counts = entry;
            break;
        case 339:
            sampleFormat = int(value(entry, 0, ok));
            break;
        default:
            break;
        }
        if (!ok)
            return truncated(info, QStringLiteral("the TIFF ends inside its first directory"));
    }
    if (info.bitDepth == 0)
        info.bitDepth = 1; // the TIFF default
    info.channels = samplesPerPixel;
    if (photometric == 3) // palette
        info.channels = 3;
    if (samplesPerPixel < 1)
        return corrupt(info, QStringLiteral("the TIFF directory gives 0 samples per pixel"));
    if (info.channels > 4)
        return unsupported(info,
                           QStringLiteral("a TIFF with %1 samples per pixel").arg(samplesPerPixel));
    if (sampleFormat == 3)
        return unsupported(info, QStringLiteral("a floating-point TIFF"));
    if (info.bitDepth != 1 && info.bitDepth != 2 && info.bitDepth != 4 && info.bitDepth != 8 &&
        info.bitDepth != 16)
        return unsupported(info, QStringLiteral("a %1-bit TIFF").arg(info.bitDepth));
    if (offsets.count == 0 || counts.count != offsets.count)
        return corrupt(info, QStringLiteral("the TIFF directory does not locate its image data"));
    for (quint64 i = 0; i < offsets.count; ++i) {
        const quint64 offset = value(offsets, i, ok);
        const quint64 count = value(counts, i, ok);
        if (!ok)
            return truncated(info, QStringLiteral("the TIFF ends inside its first directory"));
        if (offset > quint64(b.size()) || count > quint64(b.size()) - offset)
            return truncated(info, endsEarly);
    }
    return accept(info);
}

// ---- BMP: headers and the pixel array ----------------------------------------------------

ImageInspection inspectBmp(const Bytes& b) {
    ImageInfo info;
    info.format = ImageFormat::Bmp;
    info.bitDepth = 8;
    if (!b.has(0, 26))
        return truncated(info, QStringLiteral("the BMP ends inside its header"));
    const quint32 pixelOffset = b.le32(10);
    const quint32 headerSize = b.le32(14);
    int bitCount = 0;
    quint32 compression = 0;
    qint64 height = 0;
    if (headerSize == 12) {
        info.width = int(b.le16(18));
        height = qint16(b.le16(20));
        bitCount = int(b.le16(24));
    } else if (headerSize >= 40) {
        if (!b.has(0, 14 + 40))
            return truncated(info, QStringLiteral("the BMP ends inside its header"));
        info.width = int(qint32(b.le32(18)));
        height = qint32(b.le32(22));
        bitCount = int(b.le16(28));
        compression = b.le32(30);
    } else {
        return corrupt(info, QStringLiteral("unknown BMP header size %1").arg(headerSize));
    }
    info.height = int(std::min<qint64>(height < 0 ? -height : height, 0x7fffffff));
    switch (bitCount) {
    case 1:
    case 4:
    case 8:
    case 16:
    case 24:
        info.channels = 3;
        break;
    case 32:
        info.channels = 4;
        break;
    default:
        return corrupt(info, QStringLiteral("invalid BMP bit count %1").arg(bitCount));
    }
    if (compression == 4 || compression == 5)
        return unsupported(info, QStringLiteral("a BMP holding embedded JPEG or PNG data"));
    if (info.width <= 0 || info.height <= 0)
        return accept(info);
    if (compression == 0 || compression == 3) { // uncompressed: the size is known
        const qint64 stride = ((qint64(info.width) * bitCount + 31) / 32) * 4;
        // Divide rather than multiply: a hostile header's width x height overflows (fuzzing).
        const qint64 available = qint64(b.size()) - qint64(pixelOffset);
        if (available < 0 || qint64(info.height) > available / stride)
            return truncated(info, QStringLiteral("the BMP ends inside its pixel data"));
    } else if (pixelOffset >= b.size()) {
        return truncated(info, QStringLiteral("the BMP ends before its pixel data"));
    }
    return accept(info);
}

// ---- WebP: RIFF length and the first chunk ---------------------------------------------

ImageInspection inspectWebP(const Bytes& b) {
    ImageInfo info;
    info.format = ImageFormat::WebP;
    info.bitDepth = 8;
    const qint64 riffSize = qint64(b.le32(4)) + 8;
    if (riffSize > b.size())
        return truncated(info, QStringLiteral("the WebP ends before the length its header "
                                              "announces"));
    if (!b.has(12, 8 + 10))
        return truncated(info, QStringLiteral("the WebP ends inside its first chunk"));
    if (b.startsWith(12, "VP8 ")) {
        if (b.u8(23) != 0x9D || b.u8(24) != 0x01 || b.u8(25) != 0x2A)
            return corrupt(info, QStringLiteral("the WebP (VP8) frame header is damaged"));
        info.width = int(b.le16(26) & 0x3fff);
        info.height = int(b.le16(28) & 0x3fff);
        info.channels = 3;
    } else if (b.startsWith(12, "VP8L")) {
        if (b.u8(20) != 0x2F)
            return corrupt(info, QStringLiteral("the WebP (lossless) header is damaged"));
        const quint32 bits = b.le32(21);
        info.width = int(bits & 0x3fff) + 1;
        info.height = int((bits >> 14) & 0x3fff) + 1;
        info.channels = (bits >> 28) & 1 ? 4 : 3;
    } else if (b.startsWith(12, "VP8X")) {
        const unsigned flags = b.u8(20);
        info.width = int(b.u8(24) | (b.u8(25) << 8) | (b.u8(26) << 16)) + 1;
        info.height = int(b.u8(27) | (b.u8(28) << 8) | (b.u8(29) << 16)) + 1;
        info.channels = flags & 0x10 ? 4 : 3;
        if (flags & 0x02)
            return unsupported(info, QStringLiteral("an animated WebP"));
    } else {
        return corrupt(info, QStringLiteral("the WebP has no image chunk"));
    }
    return accept(info);
}

/// Formats recognised by their signature but not read; named so that the user knows what
/// the file is. Returns an empty string when the bytes match none of them.
QString unsupportedSignature(const Bytes& b) {
    if (b.startsWith(0, "GIF87a") || b.startsWith(0, "GIF89a"))
        return QStringLiteral("a GIF image");
    if (b.startsWith(0, "\xff\x4f\xff\x51") || b.startsWith(4, "jP  "))
        return QStringLiteral("a JPEG 2000 image");
    if (b.startsWith(4, "ftyp")) {
        if (b.startsWith(8, "heic") || b.startsWith(8, "heix") || b.startsWith(8, "mif1") ||
            b.startsWith(8, "msf1") || b.startsWith(8, "hevc"))
            return QStringLiteral("a HEIF/HEIC image");
        if (b.startsWith(8, "avif") || b.startsWith(8, "avis"))
            return QStringLiteral("an AVIF image");
    }
    if (b.startsWith(0, "8BPS"))
        return QStringLiteral("a Photoshop document");
    if (b.startsWith(0, "\x76\x2f\x31\x01"))
        return QStringLiteral("an OpenEXR image");
    if (b.startsWith(0, "#?RADIANCE") || b.startsWith(0, "#?RGBE"))
        return QStringLiteral("a Radiance HDR image");
    if (b.startsWith(128, "DICM"))
        return QStringLiteral("a DICOM file");
    if (b.startsWith(0, "%PDF"))
        return QStringLiteral("a PDF document");
    if (b.has(0, 3) && b.u8(0) == 'P' && b.u8(1) >= '1' && b.u8(1) <= '7' &&
        (b.u8(2) == '\n' || b.u8(2) == '\r' || b.u8(2) == ' ' || b.u8(2) == '\t'))
        return QStringLiteral("a PNM (PBM/PGM/PPM) image");
    if (b.startsWith(0, "\x00\x00\x01\x00") && b.has(0, 6) && b.le16(4) > 0)
        return QStringLiteral("an ICO icon");
    if (b.startsWith(0, "\x59\xa6\x6a\x95"))
        return QStringLiteral("a Sun raster image");
    if (b.startsWith(0, "<svg") || b.startsWith(0, "<?xml"))
        return QStringLiteral("an SVG/XML file");
    return {};
}

bool looksLikeText(const Bytes& b) {
    const qint64 n = std::min<qint64>(b.size(), 512);
    for (qint64 i = 0; i < n; ++i) {
        const unsigned c = b.u8(i);
        if (c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f)
            return false;
    }
    return n > 0;
}

} // namespace

ImageInspection ImageInspector::inspect(const QByteArray& bytes) {
    const Bytes b(bytes);
    if (b.size() == 0)
        return failure(DiagnosticCode::UnreadableImage, QStringLiteral("is empty (0 bytes)"));
    if (b.startsWith(0, "\x89PNG\r\n\x1a\n"))
        return inspectPng(b);
    if (b.startsWith(0, "\xff\xd8\xff"))
        return inspectJpeg(b);
    if (b.startsWith(0, "II*") || b.startsWith(0, "MM") || b.startsWith(0, "II+")) {
        // "II*\0" / "MM\0*" classic TIFF, "II+\0" / "MM\0+" BigTIFF.
        const unsigned magic = b.u8(0) == 'I' ? b.le16(2) : b.be16(2);
        if (magic == 42 || magic == 43)
            return inspectTiff(b);
    }
    if (b.startsWith(0, "BM") && b.has(0, 18))
        return inspectBmp(b);
    if (b.startsWith(0, "RIFF") && b.startsWith(8, "WEBP"))
        return inspectWebP(b);
    const QString known = unsupportedSignature(b);
    if (!known.isEmpty())
        return failure(DiagnosticCode::UnsupportedFormat,
                       QStringLiteral("is %1; %2").arg(known, kReadable));
    if (looksLikeText(b))
        return failure(DiagnosticCode::NotAnImage, QStringLiteral("is not an image (it is text)"));
    return failure(DiagnosticCode::NotAnImage,
                   QStringLiteral("is not an image (its content matches no image format)"));
}

ImageInspection ImageInspector::checkPath(const QString& path) {
    const QString problem = util::regularFileProblem(path);
    if (problem.isEmpty())
        return {};
    if (problem == QLatin1String("does not exist"))
        return failure(DiagnosticCode::MissingFile, problem);
    if (QFileInfo(path).isDir())
        return failure(DiagnosticCode::NotAnImage, QStringLiteral("is a folder, not an image"));
    return failure(DiagnosticCode::NotAnImage, problem);
}

ImageInspection ImageInspector::readFile(const QString& path, QByteArray& bytes) {
    const ImageInspection type = checkPath(path);
    if (!type.ok())
        return type;
    QString problem;
    std::optional<QByteArray> read =
        util::readRegularFile(path, kMaxFileBytes, QStringLiteral("image files"), &problem);
    if (!read)
        return failure(DiagnosticCode::UnreadableImage, problem);
    bytes = std::move(*read);
    return {};
}

ImageInspection ImageInspector::inspectFile(const QString& path, QByteArray* contents) {
    // What is no image tells so by its first bytes: a large non-image (a library, a video
    // named .png) is refused from those instead of being read whole, so that memory per
    // checking thread stays small whatever the paths point at.
    constexpr qint64 kSniffBytes = 64 * 1024;
    if (QFileInfo(path).size() > kSniffBytes) {
        if (const std::optional<QByteArray> start = util::readRegularFileStart(path, kSniffBytes)) {
            const ImageInspection sniff = inspect(*start);
            if (sniff.code == DiagnosticCode::NotAnImage ||
                sniff.code == DiagnosticCode::UnsupportedFormat)
                return sniff;
        }
    }
    QByteArray bytes;
    const ImageInspection read = readFile(path, bytes);
    if (!read.ok())
        return read;
    ImageInspection inspection = inspect(bytes);
    if (inspection.ok() && contents)
        *contents = std::move(bytes);
    return inspection;
}

} // namespace tc::data
