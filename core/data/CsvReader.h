#pragma once

#include "core/data/Diagnostic.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::data {

/// One CSV record (a logical row), with where it starts.
struct CsvRecord {
    int line = 0;       ///< 1-based physical line of the record's first character
    QStringList fields; ///< decoded fields, quotes removed
    /// Set when the record could not be read cleanly (MalformedQuoting, InvalidEncoding);
    /// `problem` then says what is wrong in one sentence.
    bool damaged = false;
    DiagnosticCode code = DiagnosticCode::MalformedQuoting;
    QString problem;
};

/// RFC 4180 reader, lenient where leniency cannot change meaning.
///
/// - UTF-8 with or without a byte-order mark; records end at LF, CRLF or a lone CR; the final
///   line break is optional. Quoted fields may hold separators, quotes ("") and line breaks,
///   which is why a record's line is the physical line where it *starts*.
/// - Blank lines are skipped. A quote inside an unquoted field is kept as a character.
/// - Text after a closing quote, an unclosed quote, or bytes that are not UTF-8 mark the
///   record as damaged instead of guessing; the caller reports it with its line.
/// - The separator is ',' unless the first record contains none and has ';' or a tab
///   (spreadsheets in some locales write those).
class CsvReader {
public:
    struct Document {
        std::vector<CsvRecord> records; ///< non-blank records in file order, header included
        QChar separator = QLatin1Char(',');
        /// Non-empty when the bytes are no UTF-8 text at all (UTF-16, binary): one sentence.
        QString notText;
    };

    /// Parses a whole document held in memory. At most `maxRecords` records are returned
    /// (the rest is not parsed), which makes a cheap preview of a large file.
    static Document parse(const QByteArray& bytes, int maxRecords = -1);
};

} // namespace tc::data
