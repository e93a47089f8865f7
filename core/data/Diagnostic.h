#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::data {

/// Why a row was excluded (or flagged), or why a whole source cannot be used.
enum class DiagnosticCode {
    // Row problems: the row is excluded, the rest of the data set is kept.
    WrongFieldCount,   ///< the record has more or fewer fields than the header
    MalformedQuoting,  ///< a quoted field is not closed, or text follows its closing quote
    InvalidEncoding,   ///< the record is not valid UTF-8
    EmptyPath,         ///< the image cell is empty
    EmptyLabel,        ///< the label cell is empty
    DuplicatePath,     ///< the image was already listed on an earlier line
    MissingFile,       ///< no file at the image path
    NotAnImage,        ///< the file exists but its content is no image format at all
    UnsupportedFormat, ///< an image format (or bit depth) TorchCanvas does not read
    UnreadableImage,   ///< empty, truncated, corrupt, too large or not readable
    // Row warnings: the row is kept.
    GroupNotFound, ///< the group pattern did not match; the row is its own group
    LabelCase,     ///< labels that differ only by case ('Benign', 'benign') are two classes
    // Whole-source problems: the data set as a whole cannot be used.
    SourceNotFound, ///< the CSV file or folder does not exist or cannot be opened
    EmptySource,    ///< an empty CSV file, or a folder without class sub-folders
    HeaderOnly,     ///< a CSV header with no data rows
    NoHeader,       ///< the first line holds an image path: data, not a header
    NoImageColumn,  ///< no column holds image paths (or the named column is absent)
    NoLabelColumn,  ///< no column holds labels (or the named column is absent)
    NoUsableRows,   ///< every row was excluded
    OneClass,       ///< fewer than two classes remain
    SourceTooLarge, ///< the CSV is larger than TorchCanvas reads
    Canceled,       ///< the caller canceled the import
};

enum class Severity {
    Warning, ///< the row is kept
    Error,   ///< the row is excluded (or, for a whole-source code, the data set is unusable)
};

/// One problem found while importing, with where it is.
struct Diagnostic {
    QString file; ///< the CSV file, or for a folder import the image file
    int line = 0; ///< 1-based physical line where the CSV record starts; 0 when none applies
    DiagnosticCode code = DiagnosticCode::UnreadableImage;
    Severity severity = Severity::Error;
    QString message; ///< one sentence naming the image path and the reason

    /// "dataset.csv:12: error: missing-file: image 'data/a.png' not found", the form compilers
    /// use, so editors can jump to the line.
    QString toString() const;
    QJsonObject toJson() const;
};

/// A path or name in single quotes, as every data message writes it: 'data/a.png'.
inline QString quotedPath(const QString& path) {
    return QLatin1Char('\'') + path + QLatin1Char('\'');
}

/// The diagnostics as toString() lines, at most `perKind` of each code in order, each kind
/// that had more followed by "… and N more like this (<code>)": a million bad rows print a
/// few dozen lines, not a hundred megabytes.
QStringList collapsedDiagnostics(const std::vector<Diagnostic>& diagnostics, int perKind = 20);

/// Stable kebab-case name of a code ("missing-file"), used in JSON and by the CLI.
QString codeName(DiagnosticCode code);

} // namespace tc::data
