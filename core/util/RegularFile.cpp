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

/// Reads up to maxBytes + 1 bytes from `fd`: one more than allowed tells "too large" apart
/// from "exactly at the limit", whatever the size stat() reported (a /proc file says 0).
std::optional<QByteArray> readBounded(int fd, qint64 expected, qint64 maxBytes, const QString& what,
                                      QString* problem) {
    QByteArray bytes;
    bytes.reserve(qsizetype(std::min(expected, maxBytes) + 1));
    constexpr qint64 kChunk = qint64(1) << 20;
    for (;;) {
        const qint64 room = maxBytes + 1 - bytes.size();
        if (room <= 0) {
            setProblem(problem, tooLarge(maxBytes, what));
            return std::nullopt;
        }
        const qsizetype old = bytes.size();
        const qint64 want = std::min(room, kChunk);
        bytes.resize(old + qsizetype(want));
        const ssize_t got = ::read(fd, bytes.data() + old, size_t(want));
        if (got < 0) {
            if (errno == EINTR) {
                bytes.resize(old);
                continue;
            }
            setProblem(problem, QStringLiteral("cannot be read (%1)").arg(errnoText(errno)));
            return std::nullopt;
        }
        bytes.resize(old + qsizetype(got));
        if (got == 0)
            return bytes;
    }
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

std::optional<QByteArray> readRegularFile(const QString& path, qint64 maxBytes, const QString& what,
                                          QString* problem) {
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
    } else if (status.st_size > maxBytes) {
        setProblem(problem, tooLarge(maxBytes, what));
    } else {
        bytes = readBounded(fd, status.st_size, maxBytes, what, problem);
    }
    ::close(fd);
    return bytes;
#else
    QFile file(path);
    if (file.size() > maxBytes) {
        setProblem(problem, tooLarge(maxBytes, what));
        return std::nullopt;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        setProblem(problem, QStringLiteral("cannot be read (%1)").arg(file.errorString()));
        return std::nullopt;
    }
    QByteArray bytes = file.read(maxBytes + 1);
    if (bytes.size() > maxBytes) {
        setProblem(problem, tooLarge(maxBytes, what));
        return std::nullopt;
    }
    return bytes;
#endif
}

} // namespace tc::util
