#include "core/util/FileErrors.h"

#include <cerrno>
#include <cstring>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace tc {

bool isDiskFull(const QFileDevice& file) {
    // QSaveFile::commit() reports a failed final flush as "Unknown error"; errno still says
    // what happened (the clean-up after it, closing and unlinking, succeeds).
    return errno == ENOSPC ||
           file.errorString().contains(QString::fromLocal8Bit(std::strerror(ENOSPC)));
}

QString writeFailure(const QString& path, const QFileDevice& file) {
    const int code = errno; // read first: building the message may change it
    if (isDiskFull(file))
        return QStringLiteral("no space left on %1").arg(path);
    QString reason = file.errorString();
    // The same "Unknown error" as above for any failed final flush: a file-size limit
    // (EFBIG), a quota (EDQUOT), an I/O error. errno names it.
    if ((reason.isEmpty() || reason == QLatin1String("Unknown error")) && code != 0)
        reason = QString::fromLocal8Bit(std::strerror(code));
    return QStringLiteral("cannot write %1: %2").arg(path, reason);
}

bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error) {
    const QFileInfo target(path);
    if (target.exists() && !target.isFile() && !target.isDir()) {
        // A device or a pipe (/dev/stdout, /dev/full): it cannot be replaced, only written.
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() ||
            !file.flush()) {
            if (error)
                *error = writeFailure(path, file);
            return false;
        }
        file.close();
        if (file.error() != QFileDevice::NoError) {
            if (error)
                *error = writeFailure(path, file);
            return false;
        }
        return true;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = writeFailure(path, file);
        return false;
    }
    return true;
}

} // namespace tc
