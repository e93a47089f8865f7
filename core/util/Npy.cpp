#include "core/util/Npy.h"

#include <QSaveFile>
#include <QtEndian>

namespace tc::util {

namespace {

bool commit(QSaveFile& file, const QString& path, QString* error) {
    if (!file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

bool writeNpy(const QString& path, const float* data, qint64 rows, qint64 columns, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QByteArray header =
        QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, %2), }")
            .arg(rows)
            .arg(columns)
            .toLatin1();
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple
    // of 64 bytes and ended by '\n', as the format requires.
    const qsizetype preamble = 10;
    const qsizetype total = ((preamble + header.size() + 1 + 63) / 64) * 64;
    header.append(QByteArray(total - preamble - header.size() - 1, ' '));
    header.append('\n');
    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    const quint16 length = qToLittleEndian(static_cast<quint16>(header.size()));
    bytes.append(reinterpret_cast<const char*>(&length), 2);
    bytes.append(header);
    file.write(bytes);
    static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "writeNpy writes host floats as '<f4'");
    file.write(reinterpret_cast<const char*>(data),
               static_cast<qint64>(sizeof(float)) * rows * columns);
    return commit(file, path, error);
}

bool writeLines(const QString& path, const QStringList& lines, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    for (const QString& line : lines)
        file.write(line.toUtf8() + '\n');
    return commit(file, path, error);
}

} // namespace tc::util
