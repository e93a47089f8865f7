#pragma once

// Shared by the libFuzzer targets in this folder: the entry point's signature, a check that
// aborts (so that libFuzzer keeps the input) when a reader breaks its own promise, and a
// temporary file for readers that take a path.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <QByteArray>
#include <QFile>
#include <QString>
#include <unistd.h>

#define TC_FUZZ_ENTRY                                                                              \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)

namespace tc::fuzz {

/// The input as a QByteArray without a copy.
inline QByteArray bytesOf(const std::uint8_t* data, std::size_t size) {
    return QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
}

/// A reader's promise that does not hold is a bug like a crash: report it and abort.
inline void require(bool condition, const char* promise) {
    if (condition)
        return;
    std::fprintf(stderr, "fuzz: broken promise: %s\n", promise);
    std::abort();
}

/// Writes the input to one per-process scratch file and returns its path, for readers
/// that open a path themselves.
inline QString scratchFile(const QByteArray& bytes, const char* suffix) {
    const QString path = QStringLiteral("/tmp/torchcanvas-fuzz-%1%2")
                             .arg(qint64(::getpid()))
                             .arg(QLatin1String(suffix));
    QFile file(path);
    require(file.open(QIODevice::WriteOnly | QIODevice::Truncate), "the scratch file opens");
    require(file.write(bytes) == bytes.size(), "the scratch file is written");
    return path;
}

} // namespace tc::fuzz
