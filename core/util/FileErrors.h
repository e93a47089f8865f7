#pragma once

// One wording for failed writes, so that a full disk reads the same everywhere.

#include <QFileDevice>
#include <QString>

namespace tc {

/// Whether `file`'s last error was "no space left on device" (ENOSPC): Qt's error text (the C
/// library's, so any locale) or errno. Call it right after the failed write or commit.
bool isDiskFull(const QFileDevice& file);

/// "no space left on <path>" when the disk is full, else "cannot write <path>: <reason>".
QString writeFailure(const QString& path, const QFileDevice& file);

/// Writes `bytes` to `path` through a QSaveFile: every write and the commit are checked,
/// and on failure the old file stays as it was. `error` gets writeFailure(). A device or a
/// pipe (/dev/stdout) is written directly, every write and the close checked.
bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error);

} // namespace tc
