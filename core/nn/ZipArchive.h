#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <QByteArray>
#include <QFile>
#include <QString>
#include <vector>

namespace tc::nn {

/// A read-only view of a zip archive in memory, enough for PyTorch's checkpoint format
/// (torch.save since 1.6): the central directory is parsed (zip64 included), entries are
/// stored (method 0, which is all torch.save writes) and their CRC-32 is checked on access.
/// Compressed, encrypted and multi-disk archives are refused with a message.
///
/// Every offset and size read from the file is checked against the bytes actually present,
/// so a truncated, corrupted or hostile archive yields an error and never an out-of-bounds
/// read.
class ZipArchive {
public:
    struct Entry {
        QString name;
        std::uint64_t localHeaderOffset = 0;
        std::uint64_t size = 0; ///< bytes in the archive (uncompressed == compressed when stored)
        std::uint64_t uncompressedSize = 0;
        std::uint32_t crc32 = 0;
        std::uint16_t method = 0;
        std::uint16_t flags = 0;
    };

    /// Maps (or, where mapping is impossible, reads) `path`. On failure isValid() is false
    /// and errorString() says why.
    explicit ZipArchive(const QString& path);
    /// Parses an archive held in `bytes`.
    explicit ZipArchive(QByteArray bytes);
    ~ZipArchive();
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    bool isValid() const { return error_.isEmpty(); }
    QString errorString() const { return error_; }
    const std::vector<Entry>& entries() const { return entries_; }
    /// The entry called `name`, or nullptr.
    const Entry* find(const QString& name) const;

    /// The bytes of `entry`, validated (local header, bounds, CRC-32). Returns nullptr and
    /// sets `error` when the entry cannot be read. The pointer stays valid while this
    /// archive lives.
    const unsigned char* data(const Entry& entry, QString* error) const;

    /// The uncompressed bytes of a stored or deflated entry, checked against its CRC-32 and
    /// its declared size, which may not exceed `maxBytes` (a bound on what a hostile
    /// archive can make us allocate). nullopt with `error` set otherwise.
    std::optional<QByteArray> contents(const Entry& entry, std::uint64_t maxBytes,
                                       QString* error) const;

    /// Total size of the archive in bytes.
    std::uint64_t size() const { return size_; }

    /// Checks whether `bytes` begin like a zip archive (a local file header).
    static bool looksLikeZip(const QByteArray& firstBytes);

private:
    void parse();
    const unsigned char* entryBytes(const Entry& entry, QString* error) const;
    bool fail(const QString& reason);

    std::unique_ptr<QFile> file_;
    QByteArray owned_;
    const unsigned char* base_ = nullptr;
    std::uint64_t size_ = 0;
    QString error_;
    std::vector<Entry> entries_;
};

} // namespace tc::nn
