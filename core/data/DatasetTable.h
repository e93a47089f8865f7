#pragma once

#include "core/data/Diagnostic.h"
#include "core/data/ImageInspector.h"

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::data {

struct DatasetSettings;

/// How thoroughly each image is checked during an import.
enum class ImageCheck {
    Exists, ///< the file exists (one stat per image)
    Header, ///< + format, size, channels and completeness from its header (reads the file)
    Decode, ///< + a full decode with OpenCV, which also finds corrupt pixel data
};

/// Options of DatasetTable::import().
struct ImportOptions {
    QString imageColumn; ///< column holding image paths; empty: auto-detect
    QString labelColumn; ///< column holding labels; empty: auto-detect
    ImageCheck check = ImageCheck::Header;
    int threads = 0; ///< threads for the image checks; 0: one per core
    /// Called on the importing thread as images are checked: (checked, total).
    std::function<void(int, int)> progress;
    /// Polled between images; when set, the import stops with a Canceled problem.
    const std::atomic<bool>* cancel = nullptr;
};

/// A usable row of a data set.
struct DatasetRow {
    int line = 0;         ///< CSV line where the record starts (1-based); 0 for a folder import
    QString path;         ///< as written in the CSV, or relative to the folder ('/' separators)
    QString absolutePath; ///< resolved and cleaned
    QString label;        ///< trimmed
    int classIndex = -1;  ///< index into DatasetTable::classNames()
    QStringList values;   ///< every field of the record, in column order
    ImageInfo image;      ///< filled by ImageCheck::Header and ::Decode
    qint64 fileSize = 0;
    qint64 modifiedMs = 0; ///< last modification, ms since the epoch (UTC)
};

/// Counts over the usable rows, for a summary, the Data Wizard and reports.
struct DatasetSummary {
    int records = 0;      ///< data rows read (CSV records after the header, or image files)
    int usable = 0;       ///< rows kept
    int excluded = 0;     ///< rows excluded by an error diagnostic
    int warnings = 0;     ///< warning diagnostics (rows kept)
    int ignoredFiles = 0; ///< folder import: files that are no images by their extension
    std::vector<std::pair<QString, int>> classes; ///< name and count, in class-index order
    std::map<std::pair<int, int>, int> sizes;     ///< (width, height) → images
    std::map<int, int> channels;                  ///< channels as stored → images
    std::map<int, int> bitDepths;                 ///< bits per channel → images
    std::map<QString, int> formats;               ///< "PNG" … → images

    /// Several lines of plain text, as `torchcanvas data check` prints them.
    QString toText() const;
    QJsonObject toJson() const;
};

/// An imported data set: the usable rows (image path, label, all fields), the class list,
/// and every problem found, each with its file and line.
///
/// Import never aborts on a bad row: the row is excluded and reported. Problems with the
/// source as a whole (missing, empty, header only, no image column, fewer than two classes…)
/// are reported by problem(); the rows found so far stay available for inspection.
class DatasetTable {
public:
    enum class SourceKind { Csv, Folder };

    /// CSV files above this size are refused unread: a data set CSV of 100,000 images is
    /// ~10 MB. Only regular files are read (no FIFOs, devices or sockets).
    static constexpr qint64 kMaxCsvBytes = qint64(256) << 20;

    /// Imports a CSV file or a folder with one sub-folder per class, whichever `source` is.
    static DatasetTable import(const QString& source, const ImportOptions& options = {});
    /// Imports the "dataset" section of a project; a relative source is resolved against
    /// `baseDirectory` (the project file's folder).
    static DatasetTable import(const DatasetSettings& settings, const QString& baseDirectory,
                               ImportOptions options = {});

    /// CSV: header `images,labels` (or any columns; see guessColumns), one record per image,
    /// paths relative to the CSV's folder or absolute.
    static DatasetTable importCsv(const QString& csvPath, const ImportOptions& options = {});
    /// A folder whose sub-folders are the classes; images anywhere below each sub-folder.
    /// Files without an image extension and hidden files are ignored (counted in the
    /// summary); each row's path is relative to the folder.
    static DatasetTable importFolder(const QString& folder, const ImportOptions& options = {});

    /// The image and label columns chosen for a header and a sample of records: columns
    /// named like images/labels first, then content (values ending in an image extension).
    struct ColumnGuess {
        int image = -1;
        int label = -1;
        DiagnosticCode code = DiagnosticCode::NoImageColumn; ///< when a column is missing
        QString problem; ///< non-empty when no image or label column can be chosen
    };
    static ColumnGuess guessColumns(const QStringList& header,
                                    const std::vector<QStringList>& sample,
                                    const QString& imageColumn = {},
                                    const QString& labelColumn = {});

    /// True when the source is readable and at least two classes have usable images.
    bool isUsable() const { return !m_problem.has_value(); }
    /// The whole-source problem that makes the data set unusable, if any.
    const std::optional<Diagnostic>& problem() const { return m_problem; }

    SourceKind kind() const { return m_kind; }
    const QString& source() const { return m_source; }
    /// The folder that relative paths are relative to.
    const QString& rootDirectory() const { return m_root; }
    const QStringList& columns() const { return m_columns; }
    int imageColumn() const { return m_imageColumn; } ///< -1 when not found
    int labelColumn() const { return m_labelColumn; } ///< -1 when not found
    /// Index of the column named `name` (exact, then case-insensitive), or -1.
    int columnIndex(const QString& name) const;

    const std::vector<DatasetRow>& rows() const { return m_rows; }
    /// Every row problem, by line (then by path for a folder import).
    const std::vector<Diagnostic>& diagnostics() const { return m_diagnostics; }
    /// Class names sorted (numerically when every label is an integer), so class indices do
    /// not depend on row order.
    const QStringList& classNames() const { return m_classNames; }

    DatasetSummary summary() const;

    enum class FingerprintMode {
        Metadata, ///< relative path, label, size and modification time of every image
        Content,  ///< relative path, label and the bytes of every image (reads them all)
    };
    /// "sha256:<hex>" over the usable rows sorted by path: the same files and labels give
    /// the same fingerprint whatever the row order or the folder the data set was moved to.
    QString fingerprint(FingerprintMode mode = FingerprintMode::Metadata) const;

    /// Source, columns, summary, problem and diagnostics.
    QJsonObject toJson() const;

private:
    void finish(const ImportOptions& options, int records, int ignoredFiles);
    /// A warning for each set of class names that differ only by case.
    void warnAboutLabelCase();
    void setProblem(DiagnosticCode code, const QString& message);

    SourceKind m_kind = SourceKind::Csv;
    QString m_source;
    QString m_root;
    QStringList m_columns;
    int m_imageColumn = -1;
    int m_labelColumn = -1;
    std::vector<DatasetRow> m_rows;
    std::vector<Diagnostic> m_diagnostics;
    QStringList m_classNames;
    std::optional<Diagnostic> m_problem;
    int m_records = 0;
    int m_ignoredFiles = 0;
};

/// File-name extensions TorchCanvas treats as images (lower case, no dot).
bool hasImageExtension(const QString& path);

} // namespace tc::data
