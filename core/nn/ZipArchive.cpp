#include "core/nn/ZipArchive.h"

#include <limits>
#include <QSet>
#include <zlib.h>

namespace tc::nn {

namespace {

constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kEndSignature = 0x06054b50;
constexpr std::uint32_t kZip64EndSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint64_t kEndRecordSize = 22;
constexpr std::uint64_t kZip64LocatorSize = 20;
constexpr std::uint64_t kZip64EndRecordSize = 56;
constexpr std::uint64_t kCentralHeaderSize = 46;
constexpr std::uint64_t kLocalHeaderSize = 30;
constexpr std::uint64_t kMaxCommentSize = 0xFFFF;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
/// A checkpoint has one entry per tensor storage plus a few; this bounds the memory a
/// hostile central directory can make us allocate.
constexpr std::uint64_t kMaxEntries = 1'000'000;

std::uint16_t read16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

std::uint32_t read32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::uint64_t read64(const unsigned char* p) {
    return static_cast<std::uint64_t>(read32(p)) |
           (static_cast<std::uint64_t>(read32(p + 4)) << 32);
}

/// True when [offset, offset + length) lies inside [0, size), without overflow.
bool inBounds(std::uint64_t offset, std::uint64_t length, std::uint64_t size) {
    return offset <= size && length <= size - offset;
}

std::uint32_t crc32Of(const unsigned char* data, std::uint64_t size) {
    uLong crc = crc32(0L, Z_NULL, 0);
    // zlib takes a uInt length; feed it in chunks so that huge entries work too.
    constexpr std::uint64_t kChunk = 1u << 30;
    while (size > 0) {
        const std::uint64_t n = std::min(size, kChunk);
        crc = crc32(crc, data, static_cast<uInt>(n));
        data += n;
        size -= n;
    }
    return static_cast<std::uint32_t>(crc);
}

QString methodName(std::uint16_t method) {
    switch (method) {
    case 8:
        return QStringLiteral("deflate");
    case 12:
        return QStringLiteral("bzip2");
    case 14:
        return QStringLiteral("lzma");
    case 93:
        return QStringLiteral("zstd");
    default:
        return QStringLiteral("method %1").arg(method);
    }
}

} // namespace

ZipArchive::ZipArchive(const QString& path) {
    file_ = std::make_unique<QFile>(path);
    if (!file_->open(QIODevice::ReadOnly)) {
        fail(QStringLiteral("cannot open: %1").arg(file_->errorString()));
        return;
    }
    size_ = static_cast<std::uint64_t>(file_->size());
    if (size_ > 0) {
        base_ = file_->map(0, file_->size());
        if (!base_) {
            // Some file systems cannot be mapped: fall back to reading.
            owned_ = file_->readAll();
            if (static_cast<std::uint64_t>(owned_.size()) != size_) {
                fail(QStringLiteral("cannot read: %1").arg(file_->errorString()));
                return;
            }
            base_ = reinterpret_cast<const unsigned char*>(owned_.constData());
        }
    }
    parse();
}

ZipArchive::ZipArchive(QByteArray bytes)
    : owned_(std::move(bytes)) {
    base_ = reinterpret_cast<const unsigned char*>(owned_.constData());
    size_ = static_cast<std::uint64_t>(owned_.size());
    parse();
}

ZipArchive::~ZipArchive() = default;

bool ZipArchive::fail(const QString& reason) {
    if (error_.isEmpty())
        error_ = reason;
    entries_.clear();
    return false;
}

bool ZipArchive::looksLikeZip(const QByteArray& firstBytes) {
    return firstBytes.size() >= 4 &&
           read32(reinterpret_cast<const unsigned char*>(firstBytes.constData())) ==
               kLocalHeaderSignature;
}

void ZipArchive::parse() {
    if (size_ < kEndRecordSize) {
        fail(QStringLiteral("not a zip archive: only %1 bytes").arg(size_));
        return;
    }
    // The end record sits at the very end, followed by a comment of at most 64 KiB.
    std::uint64_t endOffset = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t lowest =
        size_ > kEndRecordSize + kMaxCommentSize ? size_ - kEndRecordSize - kMaxCommentSize : 0;
    for (std::uint64_t offset = size_ - kEndRecordSize + 1; offset-- > lowest;) {
        if (read32(base_ + offset) == kEndSignature &&
            offset + kEndRecordSize + read16(base_ + offset + 20) <= size_) {
            endOffset = offset;
            break;
        }
    }
    if (endOffset == std::numeric_limits<std::uint64_t>::max()) {
        fail(QStringLiteral("not a zip archive or truncated: no end-of-central-directory "
                            "record"));
        return;
    }
    const unsigned char* end = base_ + endOffset;
    const std::uint16_t diskNumber = read16(end + 4);
    const std::uint16_t centralDisk = read16(end + 6);
    std::uint64_t entryCount = read16(end + 10);
    std::uint64_t centralSize = read32(end + 12);
    std::uint64_t centralOffset = read32(end + 16);
    if (diskNumber != 0 || centralDisk != 0) {
        fail(QStringLiteral("multi-part zip archives are not supported"));
        return;
    }

    // zip64: PyTorch always writes these records; they carry the real 64-bit values.
    if (endOffset >= kZip64LocatorSize &&
        read32(base_ + endOffset - kZip64LocatorSize) == kZip64LocatorSignature) {
        const std::uint64_t zip64Offset = read64(base_ + endOffset - kZip64LocatorSize + 8);
        if (!inBounds(zip64Offset, kZip64EndRecordSize, size_) ||
            read32(base_ + zip64Offset) != kZip64EndSignature) {
            fail(QStringLiteral("corrupt zip64 end record (offset %1)").arg(zip64Offset));
            return;
        }
        const unsigned char* end64 = base_ + zip64Offset;
        entryCount = read64(end64 + 32);
        centralSize = read64(end64 + 40);
        centralOffset = read64(end64 + 48);
    } else if (entryCount == 0xFFFF || centralSize == 0xFFFFFFFF || centralOffset == 0xFFFFFFFF) {
        fail(QStringLiteral("corrupt zip archive: zip64 values without a zip64 record"));
        return;
    }

    if (!inBounds(centralOffset, centralSize, size_)) {
        fail(QStringLiteral("corrupt or truncated zip archive: the central directory "
                            "(offset %1, %2 bytes) lies outside the file (%3 bytes)")
                 .arg(centralOffset)
                 .arg(centralSize)
                 .arg(size_));
        return;
    }
    if (entryCount > kMaxEntries || entryCount > centralSize / kCentralHeaderSize) {
        fail(QStringLiteral("corrupt zip archive: %1 entries cannot fit in a %2-byte "
                            "central directory")
                 .arg(entryCount)
                 .arg(centralSize));
        return;
    }

    entries_.reserve(static_cast<std::size_t>(entryCount));
    QSet<QString> names;
    std::uint64_t position = centralOffset;
    const std::uint64_t centralEnd = centralOffset + centralSize;
    for (std::uint64_t i = 0; i < entryCount; ++i) {
        if (!inBounds(position, kCentralHeaderSize, centralEnd) ||
            read32(base_ + position) != kCentralHeaderSignature) {
            fail(QStringLiteral("corrupt zip archive: central directory entry %1 is damaged")
                     .arg(i));
            return;
        }
        const unsigned char* header = base_ + position;
        Entry entry;
        entry.flags = read16(header + 8);
        entry.method = read16(header + 10);
        entry.crc32 = read32(header + 16);
        std::uint64_t compressedSize = read32(header + 20);
        std::uint64_t size = read32(header + 24);
        const std::uint16_t nameLength = read16(header + 28);
        const std::uint16_t extraLength = read16(header + 30);
        const std::uint16_t commentLength = read16(header + 32);
        std::uint64_t localOffset = read32(header + 42);
        const std::uint64_t variableLength =
            std::uint64_t{nameLength} + extraLength + commentLength;
        if (!inBounds(position + kCentralHeaderSize, variableLength, centralEnd)) {
            fail(QStringLiteral("corrupt zip archive: central directory entry %1 overruns "
                                "the directory")
                     .arg(i));
            return;
        }
        entry.name = QString::fromUtf8(reinterpret_cast<const char*>(header + kCentralHeaderSize),
                                       nameLength);

        // zip64 extra field: only the values saturated in the fixed header are present, in
        // this order.
        const unsigned char* extra = header + kCentralHeaderSize + nameLength;
        std::uint64_t extraPosition = 0;
        while (extraPosition + 4 <= extraLength) {
            const std::uint16_t id = read16(extra + extraPosition);
            const std::uint16_t length = read16(extra + extraPosition + 2);
            if (extraPosition + 4 + length > extraLength)
                break;
            if (id == kZip64ExtraId) {
                const unsigned char* field = extra + extraPosition + 4;
                std::uint64_t used = 0;
                auto take = [&](std::uint64_t& value) {
                    if (used + 8 > length)
                        return false;
                    value = read64(field + used);
                    used += 8;
                    return true;
                };
                if ((size == 0xFFFFFFFF && !take(size)) ||
                    (compressedSize == 0xFFFFFFFF && !take(compressedSize)) ||
                    (localOffset == 0xFFFFFFFF && !take(localOffset))) {
                    fail(QStringLiteral("corrupt zip archive: short zip64 field in entry '%1'")
                             .arg(entry.name));
                    return;
                }
            }
            extraPosition += 4 + std::uint64_t{length};
        }

        if (entry.flags & 0x1) {
            fail(QStringLiteral("entry '%1' is encrypted").arg(entry.name));
            return;
        }
        if (entry.method == 0 && compressedSize != size) {
            fail(QStringLiteral("corrupt zip archive: stored entry '%1' has two different "
                                "sizes (%2 and %3)")
                     .arg(entry.name)
                     .arg(compressedSize)
                     .arg(size));
            return;
        }
        entry.size = entry.method == 0 ? size : compressedSize;
        entry.uncompressedSize = size;
        entry.localHeaderOffset = localOffset;
        if (!inBounds(localOffset, kLocalHeaderSize, size_) ||
            !inBounds(localOffset, entry.size, size_)) {
            fail(QStringLiteral("corrupt or truncated zip archive: entry '%1' (offset %2, %3 "
                                "bytes) lies outside the file (%4 bytes)")
                     .arg(entry.name)
                     .arg(localOffset)
                     .arg(entry.size)
                     .arg(size_));
            return;
        }
        if (names.contains(entry.name)) {
            fail(QStringLiteral("corrupt zip archive: entry '%1' appears twice").arg(entry.name));
            return;
        }
        names.insert(entry.name);
        entries_.push_back(std::move(entry));
        position += kCentralHeaderSize + variableLength;
    }
}

const ZipArchive::Entry* ZipArchive::find(const QString& name) const {
    for (const Entry& entry : entries_) {
        if (entry.name == name)
            return &entry;
    }
    return nullptr;
}

const unsigned char* ZipArchive::entryBytes(const Entry& entry, QString* error) const {
    auto failWith = [&](const QString& reason) -> const unsigned char* {
        if (error)
            *error = reason;
        return nullptr;
    };
    const std::uint64_t offset = entry.localHeaderOffset;
    if (!inBounds(offset, kLocalHeaderSize, size_) ||
        read32(base_ + offset) != kLocalHeaderSignature) {
        return failWith(
            QStringLiteral("corrupt zip archive: bad local header for entry '%1'").arg(entry.name));
    }
    const std::uint64_t dataOffset =
        offset + kLocalHeaderSize + read16(base_ + offset + 26) + read16(base_ + offset + 28);
    if (!inBounds(dataOffset, entry.size, size_)) {
        return failWith(QStringLiteral("truncated zip archive: entry '%1' needs %2 bytes at "
                                       "offset %3, the file has %4")
                            .arg(entry.name)
                            .arg(entry.size)
                            .arg(dataOffset)
                            .arg(size_));
    }
    return base_ + dataOffset;
}

namespace {

QString checksumMismatch(const QString& name, std::uint32_t crc, std::uint32_t expected) {
    return QStringLiteral("corrupt zip archive: checksum mismatch in entry '%1' (CRC-32 %2, "
                          "expected %3)")
        .arg(name)
        .arg(crc, 8, 16, QLatin1Char('0'))
        .arg(expected, 8, 16, QLatin1Char('0'));
}

} // namespace

const unsigned char* ZipArchive::data(const Entry& entry, QString* error) const {
    if (entry.method != 0) {
        if (error)
            *error = QStringLiteral("entry '%1' is compressed (%2); only stored entries are "
                                    "supported, which is what torch.save writes. Re-save the "
                                    "file with torch.save, or unpack and re-zip it without "
                                    "compression (zip -0)")
                         .arg(entry.name, methodName(entry.method));
        return nullptr;
    }
    const unsigned char* data = entryBytes(entry, error);
    if (!data)
        return nullptr;
    const std::uint32_t crc = crc32Of(data, entry.size);
    if (crc != entry.crc32) {
        if (error)
            *error = checksumMismatch(entry.name, crc, entry.crc32);
        return nullptr;
    }
    return data;
}

std::optional<QByteArray> ZipArchive::contents(const Entry& entry, std::uint64_t maxBytes,
                                               QString* error) const {
    auto failWith = [&](const QString& reason) -> std::optional<QByteArray> {
        if (error)
            *error = reason;
        return std::nullopt;
    };
    if (entry.uncompressedSize > maxBytes ||
        entry.uncompressedSize > std::uint64_t(std::numeric_limits<int>::max()))
        return failWith(QStringLiteral("entry '%1' claims %2 bytes, more than the %3 allowed")
                            .arg(entry.name)
                            .arg(entry.uncompressedSize)
                            .arg(maxBytes));
    if (entry.method == 0) {
        const unsigned char* bytes = data(entry, error);
        if (!bytes)
            return std::nullopt;
        return QByteArray(reinterpret_cast<const char*>(bytes), qsizetype(entry.size));
    }
    if (entry.method != 8 || entry.size > std::uint64_t(std::numeric_limits<uInt>::max()))
        return failWith(QStringLiteral("entry '%1' uses %2, which is not supported")
                            .arg(entry.name, methodName(entry.method)));
    const unsigned char* compressed = entryBytes(entry, error);
    if (!compressed)
        return std::nullopt;
    // Raw deflate (no zlib header), inflated into exactly the declared size: a stream that
    // would produce more is refused, not followed.
    QByteArray out(qsizetype(entry.uncompressedSize), Qt::Uninitialized);
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
        return failWith(QStringLiteral("cannot inflate entry '%1'").arg(entry.name));
    stream.next_in = const_cast<Bytef*>(compressed);
    stream.avail_in = static_cast<uInt>(entry.size);
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream, Z_FINISH);
    const bool complete = status == Z_STREAM_END && stream.total_out == entry.uncompressedSize;
    inflateEnd(&stream);
    if (!complete)
        return failWith(QStringLiteral("corrupt zip archive: entry '%1' does not inflate to its "
                                       "declared %2 bytes")
                            .arg(entry.name)
                            .arg(entry.uncompressedSize));
    const std::uint32_t crc =
        crc32Of(reinterpret_cast<const unsigned char*>(out.constData()), entry.uncompressedSize);
    if (crc != entry.crc32)
        return failWith(checksumMismatch(entry.name, crc, entry.crc32));
    return out;
}

} // namespace tc::nn
