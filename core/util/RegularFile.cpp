#include "core/util/RegularFile.h"

#include <cerrno>
#include <cstring>
#include <QFile>
#include <QFileInfo>

#if defined(Q_OS_UNIX)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tc::util {

namespace {

bool setProblem(QString* problem, const QString& text) {
    if (problem)
        *problem = text;
    return false;
}

QString tooLarge(qint64 maxBytes, const QString& what) {
    return QStringLiteral("is larger than %1, the limit for %2").arg(byteLimitText(maxBytes), what);
}

#if defined(Q_OS_UNIX)
/// Empty for a regular file; otherwise the phrase for what `mode` is.
QString typeProblem(mode_t mode) {
    if (S_ISREG(mode))
        return {};
    if (S_ISDIR(mode))
        return QStringLiteral("is a folder, not a file");
    if (S_ISFIFO(mode))
        return QStringLiteral("is a FIFO (named pipe), not a regular file");
    if (S_ISCHR(mode))
        return QStringLiteral("is a character device, not a regular file");
    if (S_ISBLK(mode))
        return QStringLiteral("is a block device, not a regular file");
    if (S_ISSOCK(mode))
        return QStringLiteral("is a socket, not a regular file");
    return QStringLiteral("is not a regular file");
}

QString errnoText(int error) {
    return QString::fromLocal8Bit(std::strerror(error));
}

/// Reads from `fd` until its end, `maxBytes` at most: with `truncate` the first `maxBytes`
/// bytes are the answer; otherwise one byte more than allowed tells "too large" apart from
/// "exactly at the limit", whatever size stat() reported (a /proc file says 0).
std::optional<QByteArray> readBounded(int fd, qint64 expected, qint64 maxBytes, const QString& what,
                                      bool truncate, QString* problem) {
    const qint64 wanted = truncate ? maxBytes : maxBytes + 1;
    QByteArray bytes;
    bytes.reserve(qsizetype(std::min(expected + 1, wanted)));
    constexpr qint64 kChunk = qint64(1) << 20;
    while (bytes.size() < wanted) {
        const qsizetype old = bytes.size();
        const qint64 want = std::min(wanted - old, kChunk);
        bytes.resize(old + qsizetype(want));
        const ssize_t got = ::read(fd, bytes.data() + old, size_t(want));
        bytes.resize(old + qsizetype(std::max<ssize_t>(got, 0)));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            setProblem(problem, QStringLiteral("cannot be read (%1)").arg(errnoText(errno)));
            return std::nullopt;
        }
        if (got == 0)
            return bytes;
    }
    if (!truncate) {
        setProblem(problem, tooLarge(maxBytes, what));
        return std::nullopt;
    }
    return bytes;
}

#endif

} // namespace

QString byteLimitText(qint64 bytes) {
    if (bytes >= (qint64(1) << 30) && bytes % (qint64(1) << 30) == 0)
        return QStringLiteral("%1 GiB").arg(bytes >> 30);
    if (bytes >= (qint64(1) << 20))
        return QStringLiteral("%1 MiB").arg(bytes >> 20);
    if (bytes >= 1024)
        return QStringLiteral("%1 KiB").arg(bytes >> 10);
    return QStringLiteral("%1 bytes").arg(bytes);
}

QString regularFileProblem(const QString& path) {
    if (path.isEmpty())
        return QStringLiteral("does not exist");
#if defined(Q_OS_UNIX)
    struct stat status {};
    if (::stat(QFile::encodeName(path).constData(), &status) != 0) {
        return errno == ENOENT || errno == ENOTDIR
                   ? QStringLiteral("does not exist")
                   : QStringLiteral("cannot be read (%1)").arg(errnoText(errno));
    }
    return typeProblem(status.st_mode);
#else
    const QFileInfo info(path);
    if (!info.exists())
        return QStringLiteral("does not exist");
    if (info.isDir())
        return QStringLiteral("is a folder, not a file");
    if (!info.isFile())
        return QStringLiteral("is not a regular file");
    return {};
#endif
}

namespace {

/// readRegularFile() and readRegularFileStart(): with `truncate`, a longer file gives its
/// first `maxBytes` bytes instead of a refusal.
std::optional<QByteArray> readRegular(const QString& path, qint64 maxBytes, const QString& what,
                                      bool truncate, QString* problem) {
    const QString before = regularFileProblem(path);
    if (!before.isEmpty()) {
        setProblem(problem, before);
        return std::nullopt;
    }
#if defined(Q_OS_UNIX)
    // O_NONBLOCK: should the path have become a FIFO since the stat() above, open() returns
    // at once instead of waiting for a writer; fstat() below then refuses it.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        setProblem(problem, QStringLiteral("cannot be read (%1)").arg(errnoText(errno)));
        return std::nullopt;
    }
    struct stat status {};
    std::optional<QByteArray> bytes;
    if (::fstat(fd, &status) != 0) {
        setProblem(problem, QStringLiteral("cannot be read (%1)").arg(errnoText(errno)));
    } else if (const QString type = typeProblem(status.st_mode); !type.isEmpty()) {
        setProblem(problem, type);
    } else if (status.st_size > maxBytes && !truncate) {
        setProblem(problem, tooLarge(maxBytes, what));
    } else {
        bytes = readBounded(fd, status.st_size, maxBytes, what, truncate, problem);
    }
    ::close(fd);
    return bytes;
#else
    QFile file(path);
    if (file.size() > maxBytes && !truncate) {
        setProblem(problem, tooLarge(maxBytes, what));
        return std::nullopt;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        setProblem(problem, QStringLiteral("cannot be read (%1)").arg(file.errorString()));
        return std::nullopt;
    }
    QByteArray bytes = file.read(truncate ? maxBytes : maxBytes + 1);
    if (bytes.size() > maxBytes) {
        setProblem(problem, tooLarge(maxBytes, what));
        return std::nullopt;
    }
    return bytes;
#endif
}

} // namespace

std::optional<QByteArray> readRegularFile(const QString& path, qint64 maxBytes, const QString& what,
                                          QString* problem) {
    return readRegular(path, maxBytes, what, /*truncate=*/false, problem);
}

std::optional<QByteArray> readRegularFileStart(const QString& path, qint64 bytes,
                                               QString* problem) {
    return readRegular(path, bytes, QString(), /*truncate=*/true, problem);
}

} // namespace tc::util
