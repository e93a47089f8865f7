#pragma once

#include <optional>
#include <QByteArray>
#include <QString>

namespace tc::util {

/// Reading user-named files without hanging or exhausting memory.
///
/// A path a user (or a CSV row, or a project file) names can be a FIFO, whose open() blocks
/// until a writer comes; a character device such as /dev/zero or /dev/urandom, which never
/// ends; a socket or a folder. TorchCanvas reads regular files only, and at most a stated
/// number of bytes of them. The type is checked with stat() *before* the file is opened, and
/// again with fstat() on the descriptor, which is opened with O_NONBLOCK so that a file
/// swapped for a FIFO in between cannot block either.

/// Empty when `path` names a regular file (symbolic links followed); otherwise what follows
/// the quoted path in a message: "does not exist", "is a folder, not a file", "is a FIFO
/// (named pipe), not a regular file", "is a character device, not a regular file"…
/// One stat(); never opens the file.
QString regularFileProblem(const QString& path);

/// "12 MiB", "1 GiB", "512 KiB": a size limit as messages state it.
QString byteLimitText(qint64 bytes);

/// Reads the whole of a regular file of at most `maxBytes` bytes. On failure returns
/// nothing and sets `*problem` (when given) to what follows the quoted path in a message,
/// e.g. "is a FIFO (named pipe), not a regular file" or "is larger than 256 MiB, the limit
/// for CSV files" (`what` names the kind of file in that sentence: "CSV files").
std::optional<QByteArray> readRegularFile(const QString& path, qint64 maxBytes, const QString& what,
                                          QString* problem = nullptr);

/// The first `bytes` bytes of a regular file (all of it when shorter), with the same checks
/// as readRegularFile(): enough to tell a file's format without reading a large one.
std::optional<QByteArray> readRegularFileStart(const QString& path, qint64 bytes,
                                               QString* problem = nullptr);

} // namespace tc::util
