#pragma once

#include <QString>
#include <QStringList>

namespace tc::util {

/// Writes a rows × columns float32 matrix (row-major) as a NumPy .npy file (format 1.0,
/// little-endian '<f4'), atomically. `np.load(path)` reads it back as shape (rows, columns).
bool writeNpy(const QString& path, const float* data, qint64 rows, qint64 columns, QString* error);

/// Writes one line per entry (UTF-8, '\n'), atomically.
bool writeLines(const QString& path, const QStringList& lines, QString* error);

} // namespace tc::util
