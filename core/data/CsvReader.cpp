#include "core/data/CsvReader.h"

#include <QStringDecoder>

namespace tc::data {

namespace {

/// Looks at the first physical line only: enough to tell a ';' or tab file from a ',' one,
/// and cheap on a large file.
char detectSeparator(const char* data, qsizetype size) {
    bool semicolon = false;
    bool tab = false;
    for (qsizetype i = 0; i < size; ++i) {
        const char c = data[i];
        if (c == '\n' || c == '\r')
            break;
        if (c == ',')
            return ',';
        semicolon = semicolon || c == ';';
        tab = tab || c == '\t';
    }
    return tab ? '\t' : semicolon ? ';' : ',';
}

QString notTextReason(const QByteArray& bytes) {
    if (bytes.startsWith("\xff\xfe") || bytes.startsWith("\xfe\xff"))
        return QStringLiteral("it is UTF-16 text; save it as UTF-8 CSV");
    // A NUL byte never occurs in UTF-8 text; look at the start only, like `file` does.
    if (bytes.left(4096).contains('\0'))
        return QStringLiteral("it is a binary file, not CSV text");
    return {};
}

class Parser {
public:
    Parser(const char* data, qsizetype size, char separator)
        : m_data(data)
        , m_size(size)
        , m_separator(separator) {}

    bool atEnd() const { return m_pos >= m_size; }

    /// Reads one record. Returns false for a blank line (nothing to report).
    bool readRecord(CsvRecord& record) {
        record = CsvRecord{};
        record.line = m_line;
        std::vector<QByteArray> raw;
        bool anyQuoted = false;
        for (;;) {
            QByteArray field;
            if (m_pos < m_size && m_data[m_pos] == '"') {
                anyQuoted = true;
                readQuoted(field, record);
            } else {
                readUnquoted(field);
            }
            raw.push_back(std::move(field));
            if (m_pos >= m_size)
                break;
            const char c = m_data[m_pos];
            if (c == m_separator) {
                ++m_pos;
                continue;
            }
            // A line break ends the record.
            consumeLineBreak();
            break;
        }
        if (raw.size() == 1 && raw.front().isEmpty() && !anyQuoted)
            return false;
        QStringDecoder decoder(QStringDecoder::Utf8);
        record.fields.reserve(static_cast<qsizetype>(raw.size()));
        for (const QByteArray& field : raw) {
            record.fields.append(decoder.decode(field));
            if (decoder.hasError() && !record.damaged) {
                record.damaged = true;
                record.code = DiagnosticCode::InvalidEncoding;
                record.problem = QStringLiteral("the row is not valid UTF-8 text; save the CSV as "
                                                "UTF-8");
            }
        }
        return true;
    }

private:
    void consumeLineBreak() {
        if (m_data[m_pos] == '\r') {
            ++m_pos;
            if (m_pos < m_size && m_data[m_pos] == '\n')
                ++m_pos;
        } else {
            ++m_pos; // '\n'
        }
        ++m_line;
    }

    void readUnquoted(QByteArray& field) {
        const qsizetype start = m_pos;
        while (m_pos < m_size) {
            const char c = m_data[m_pos];
            if (c == m_separator || c == '\n' || c == '\r')
                break;
            ++m_pos;
        }
        field = QByteArray(m_data + start, m_pos - start);
    }

    void readQuoted(QByteArray& field, CsvRecord& record) {
        const int openedOn = m_line;
        ++m_pos; // opening quote
        for (;;) {
            if (m_pos >= m_size) {
                markDamaged(record, QStringLiteral("a quoted field opened on line %1 is never "
                                                   "closed; the rest of the file was read as "
                                                   "part of it")
                                        .arg(openedOn));
                return;
            }
            const char c = m_data[m_pos];
            if (c == '"') {
                if (m_pos + 1 < m_size && m_data[m_pos + 1] == '"') {
                    field.append('"');
                    m_pos += 2;
                    continue;
                }
                ++m_pos; // closing quote
                break;
            }
            // Line breaks inside quotes belong to the field but still advance the physical
            // line count, so that later records report the line an editor shows.
            if (c == '\r') {
                field.append(c);
                ++m_pos;
                if (m_pos < m_size && m_data[m_pos] == '\n') {
                    field.append('\n');
                    ++m_pos;
                }
                ++m_line;
                continue;
            }
            if (c == '\n')
                ++m_line;
            field.append(c);
            ++m_pos;
        }
        // After the closing quote only a separator or the end of the record may follow.
        if (m_pos < m_size) {
            const char c = m_data[m_pos];
            if (c != m_separator && c != '\n' && c != '\r') {
                QByteArray rest;
                readUnquoted(rest);
                field.append(rest);
                markDamaged(record, QStringLiteral("text follows the closing quote of a field"));
            }
        }
    }

    void markDamaged(CsvRecord& record, const QString& problem) {
        if (record.damaged)
            return;
        record.damaged = true;
        record.code = DiagnosticCode::MalformedQuoting;
        record.problem = problem;
    }

    const char* m_data;
    qsizetype m_size;
    char m_separator;
    qsizetype m_pos = 0;
    int m_line = 1;
};

} // namespace

CsvReader::Document CsvReader::parse(const QByteArray& bytes, int maxRecords) {
    Document document;
    document.notText = notTextReason(bytes);
    if (!document.notText.isEmpty())
        return document;
    const char* data = bytes.constData();
    qsizetype size = bytes.size();
    if (bytes.startsWith("\xef\xbb\xbf")) {
        data += 3;
        size -= 3;
    }
    const char separator = detectSeparator(data, size);
    document.separator = QLatin1Char(separator);
    Parser parser(data, size, separator);
    CsvRecord record;
    while (!parser.atEnd() && (maxRecords < 0 || int(document.records.size()) < maxRecords)) {
        if (parser.readRecord(record))
            document.records.push_back(std::move(record));
    }
    return document;
}

} // namespace tc::data
