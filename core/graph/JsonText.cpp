#include "core/graph/JsonText.h"

#include <algorithm>
#include <cmath>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

namespace tc::graph {

namespace {

constexpr int IndentWidth = 4;
/// Containers of scalars up to this many characters are written on one line.
constexpr int InlineLimit = 80;

bool isScalar(const QJsonValue& value) {
    return !value.isArray() && !value.isObject();
}

/// A scalar exactly as QJsonDocument writes it: Qt's number formatting and string escaping,
/// so that a second write of a re-read file matches the first.
QByteArray qtScalarText(const QJsonValue& value) {
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

constexpr char16_t ByteOrderMark = 0xFEFF;

/// A JSON string with every character outside printable ASCII escaped as \uXXXX: for the
/// strings QJsonDocument does not write back as they were read (it drops U+FEFF).
QByteArray escapedString(const QString& text) {
    QByteArray out = "\"";
    for (QChar c : text) {
        const char16_t unit = c.unicode();
        if (unit == '"' || unit == '\\') {
            out += '\\';
            out += static_cast<char>(unit);
        } else if (unit >= 0x20 && unit <= 0x7e) {
            out += static_cast<char>(unit);
        } else {
            out += "\\u" + QByteArray::number(unit, 16).rightJustified(4, '0');
        }
    }
    return out + '"';
}

/// qtScalarText(), with the common cases done directly: building a document per scalar made
/// saving a 20 000-node graph take seconds.
QByteArray scalarText(const QJsonValue& value) {
    switch (value.type()) {
    case QJsonValue::Null:
        return QByteArrayLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QJsonValue::Double: {
        // Whole numbers within the exactly representable range print as integers in Qt too.
        constexpr double Exact = 9007199254740992.0; // 2^53
        const double number = value.toDouble();
        if (std::trunc(number) == number && std::fabs(number) < Exact &&
            !(number == 0 && std::signbit(number)))
            return QByteArray::number(static_cast<qint64>(number));
        return qtScalarText(value);
    }
    case QJsonValue::String: {
        const QString text = value.toString();
        QByteArray plain;
        plain.reserve(text.size() + 2);
        plain += '"';
        for (QChar c : text) {
            const char16_t unit = c.unicode();
            // Printable ASCII other than the two characters JSON escapes.
            if (unit < 0x20 || unit > 0x7e || unit == '"' || unit == '\\')
                return text.contains(QChar(ByteOrderMark)) ? escapedString(text)
                                                           : qtScalarText(value);
            plain += static_cast<char>(unit);
        }
        plain += '"';
        return plain;
    }
    default:
        return qtScalarText(value);
    }
}

QByteArray keyText(const QString& key) {
    return scalarText(QJsonValue(key));
}

QStringList orderedKeys(const QJsonObject& object, const QString& path,
                        const JsonText::KeyOrder& order) {
    QStringList keys;
    if (order) {
        for (const QString& key : order(path)) {
            if (object.contains(key) && !keys.contains(key))
                keys.append(key);
        }
    }
    QStringList rest = object.keys(); // already sorted by QJsonObject
    for (const QString& key : rest) {
        if (!keys.contains(key))
            keys.append(key);
    }
    return keys;
}

QString childPath(const QString& path, const QString& key) {
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

/// One-line form when the container holds only scalars and is short; empty otherwise.
QByteArray inlineForm(const QJsonValue& value, const QString& path,
                      const JsonText::KeyOrder& order) {
    QByteArray text;
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        text += '[';
        for (int i = 0; i < array.size(); ++i) {
            if (!isScalar(array.at(i)))
                return {};
            if (i > 0)
                text += ", ";
            text += scalarText(array.at(i));
        }
        text += ']';
    } else {
        const QJsonObject object = value.toObject();
        text += '{';
        bool first = true;
        for (const QString& key : orderedKeys(object, path, order)) {
            const QJsonValue member = object.value(key);
            if (!isScalar(member))
                return {};
            if (!first)
                text += ", ";
            first = false;
            text += keyText(key) + ": " + scalarText(member);
        }
        text += '}';
    }
    return text.size() <= InlineLimit ? text : QByteArray();
}

void writeValue(QByteArray& out, const QJsonValue& value, const QString& path, int depth,
                const JsonText::KeyOrder& order) {
    if (isScalar(value)) {
        out += scalarText(value);
        return;
    }
    const QByteArray oneLine = inlineForm(value, path, order);
    if (!oneLine.isEmpty()) {
        out += oneLine;
        return;
    }
    const QByteArray inner((depth + 1) * IndentWidth, ' ');
    const QByteArray outer(depth * IndentWidth, ' ');
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        out += "[\n";
        for (int i = 0; i < array.size(); ++i) {
            out += inner;
            writeValue(out, array.at(i), path + QStringLiteral("[]"), depth + 1, order);
            out += i + 1 < array.size() ? ",\n" : "\n";
        }
        out += outer + ']';
        return;
    }
    const QJsonObject object = value.toObject();
    const QStringList keys = orderedKeys(object, path, order);
    out += "{\n";
    for (int i = 0; i < keys.size(); ++i) {
        out += inner + keyText(keys[i]) + ": ";
        writeValue(out, object.value(keys[i]), childPath(path, keys[i]), depth + 1, order);
        out += i + 1 < keys.size() ? ",\n" : "\n";
    }
    out += outer + '}';
}

} // namespace

JsonText::Position JsonText::position(const QByteArray& text, qint64 offset) {
    offset = std::clamp<qint64>(offset, 0, text.size());
    Position result;
    for (qint64 i = 0; i < offset; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '\n') {
            ++result.line;
            result.column = 1;
        } else if ((byte & 0xC0) != 0x80) {
            // UTF-8 continuation bytes belong to the character before them.
            ++result.column;
        }
    }
    return result;
}

QJsonDocument JsonText::parse(const QByteArray& text, QJsonParseError* error) {
    static const QByteArray RawMark("\xEF\xBB\xBF");
    static const QByteArray EscapedMark("\\ufeff");
    if (!text.contains(RawMark))
        return QJsonDocument::fromJson(text, error);
    QByteArray escaped;
    escaped.reserve(text.size() + 16);
    QList<qsizetype> marksAt; // offsets in `escaped` where a raw mark was replaced
    qsizetype from = 0;
    for (qsizetype at = text.indexOf(RawMark); at >= 0; at = text.indexOf(RawMark, from)) {
        escaped += text.mid(from, at - from);
        marksAt.append(escaped.size());
        escaped += EscapedMark;
        from = at + RawMark.size();
    }
    escaped += text.mid(from);
    QJsonDocument document = QJsonDocument::fromJson(escaped, error);
    if (error && error->error != QJsonParseError::NoError) {
        // Back to a byte offset in the caller's text: each replacement before the offset added
        // three bytes, and an offset inside a replacement means the mark itself.
        const qsizetype grown = EscapedMark.size() - RawMark.size();
        qsizetype offset = error->offset;
        for (qsizetype i = 0; i < marksAt.size() && marksAt[i] <= error->offset; ++i) {
            offset = error->offset < marksAt[i] + EscapedMark.size()
                         ? marksAt[i] - grown * i
                         : error->offset - grown * (i + 1);
        }
        error->offset = std::max<qsizetype>(0, offset);
    }
    return document;
}

QByteArray JsonText::write(const QJsonObject& root, const KeyOrder& order) {
    QByteArray out;
    writeValue(out, root, QString(), 0, order);
    out += '\n';
    return out;
}

} // namespace tc::graph
