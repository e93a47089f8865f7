#pragma once

#include <functional>
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace tc::graph {

/// JSON text helpers for files people read and diff: positions for error messages and a
/// writer with a stable, meaningful key order.
class JsonText {
public:
    /// A 1-based line and column (counted in characters, not bytes).
    struct Position {
        int line = 1;
        int column = 1;
    };

    /// The line and column of byte `offset` in UTF-8 `text` (QJsonParseError::offset), clamped
    /// to the text.
    static Position position(const QByteArray& text, qint64 offset);

    /// Given the path of an object ("" for the root, then "graph", "graph.nodes[]",
    /// "graph.nodes[].position"…), returns the keys to write first, in that order; the other
    /// keys follow in alphabetical order.
    using KeyOrder = std::function<QStringList(const QString& path)>;

    /// QJsonDocument::fromJson, made safe for a byte order mark inside the text: Qt 6.4's
    /// parser drops U+FEFF from a string and leaves an object whose key cannot be looked up
    /// (found by fuzzing). Each raw U+FEFF is read as the escape \ufeff instead: the same
    /// character inside a string, a syntax error outside one. `error->offset` is a byte offset
    /// in `text`.
    static QJsonDocument parse(const QByteArray& text, QJsonParseError* error);

    /// Writes `root` indented by four spaces, with a trailing newline. Objects and arrays that
    /// hold only scalars and fit on one line are written on one line. Scalars are formatted as
    /// QJsonDocument formats them, so reading and writing again gives the same bytes.
    static QByteArray write(const QJsonObject& root, const KeyOrder& order = {});
};

} // namespace tc::graph
