#include "core/data/DatasetTable.h"

#include "core/data/CountSummary.h"
#include "core/data/CsvReader.h"
#include "core/data/DataSettings.h"
#include "core/data/ImagePipeline.h"
#include "core/data/Parallel.h"
#include "core/util/RegularFile.h"

#include <algorithm>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QSet>

namespace tc::data {

namespace {

const QStringList kImageExtensions = {
    QStringLiteral("png"),  QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("jpe"),
    QStringLiteral("jfif"), QStringLiteral("tif"), QStringLiteral("tiff"), QStringLiteral("bmp"),
    QStringLiteral("dib"),  QStringLiteral("webp")};
/// Image formats that are not read: a folder import still lists them, so that the user
/// learns why they are left out instead of wondering where they went.
const QStringList kOtherImageExtensions = {
    QStringLiteral("gif"),  QStringLiteral("jp2"),  QStringLiteral("j2k"), QStringLiteral("heic"),
    QStringLiteral("heif"), QStringLiteral("avif"), QStringLiteral("psd"), QStringLiteral("exr"),
    QStringLiteral("hdr"),  QStringLiteral("pbm"),  QStringLiteral("pgm"), QStringLiteral("ppm"),
    QStringLiteral("pnm"),  QStringLiteral("ico"),  QStringLiteral("svg"), QStringLiteral("dcm")};

const QStringList kImageColumnNames = {
    QStringLiteral("images"),     QStringLiteral("image"),      QStringLiteral("path"),
    QStringLiteral("paths"),      QStringLiteral("file"),       QStringLiteral("files"),
    QStringLiteral("filename"),   QStringLiteral("file_name"),  QStringLiteral("filepath"),
    QStringLiteral("file_path"),  QStringLiteral("image_path"), QStringLiteral("imagepath"),
    QStringLiteral("image_file"), QStringLiteral("img"),        QStringLiteral("img_path")};
const QStringList kLabelColumnNames = {
    QStringLiteral("labels"),     QStringLiteral("label"),       QStringLiteral("class"),
    QStringLiteral("classes"),    QStringLiteral("class_name"),  QStringLiteral("classname"),
    QStringLiteral("target"),     QStringLiteral("category"),    QStringLiteral("diagnosis"),
    QStringLiteral("y"),          QStringLiteral("tumor_class"), QStringLiteral("tumour_class"),
    QStringLiteral("tumor_type"), QStringLiteral("tumour_type")};
const QStringList kSplitWords = {QStringLiteral("train"),      QStringLiteral("training"),
                                 QStringLiteral("validation"), QStringLiteral("valid"),
                                 QStringLiteral("val"),        QStringLiteral("dev"),
                                 QStringLiteral("test"),       QStringLiteral("testing")};

QString extensionOf(const QString& path) {
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    const qsizetype dot = path.lastIndexOf(QLatin1Char('.'));
    if (dot < 0 || dot < slash)
        return {};
    return path.mid(dot + 1).trimmed().toLower();
}

int findColumn(const QStringList& header, const QString& name) {
    const qsizetype exact = header.indexOf(name);
    if (exact >= 0)
        return int(exact);
    for (int i = 0; i < header.size(); ++i)
        if (header.at(i).compare(name, Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

int findNamedColumn(const QStringList& header, const QStringList& names, int skip) {
    for (const QString& name : names)
        for (int i = 0; i < header.size(); ++i)
            if (i != skip && header.at(i).compare(name, Qt::CaseInsensitive) == 0)
                return i;
    return -1;
}

/// Resolves a CSV path against the CSV's folder. Paths written on Windows ("data\a.png")
/// are accepted when the path as written does not exist.
QString resolvePath(const QDir& root, const QString& path) {
    QString resolved = QDir::cleanPath(root.absoluteFilePath(path));
    if (path.contains(QLatin1Char('\\')) && !QFileInfo::exists(resolved)) {
        QString slashed = path;
        slashed.replace(QLatin1Char('\\'), QLatin1Char('/'));
        const QString alternative = QDir::cleanPath(root.absoluteFilePath(slashed));
        if (QFileInfo::exists(alternative))
            resolved = alternative;
    }
    return resolved;
}

/// Sort order of labels: numeric when every label is an integer ("2" before "10").
QStringList sortedLabels(const QSet<QString>& labels) {
    QStringList names(labels.begin(), labels.end());
    bool numeric = true;
    for (const QString& name : names) {
        bool ok = false;
        name.toLongLong(&ok);
        numeric = numeric && ok;
    }
    std::sort(names.begin(), names.end(), [numeric](const QString& a, const QString& b) {
        if (numeric && a.toLongLong() != b.toLongLong())
            return a.toLongLong() < b.toLongLong();
        return a < b;
    });
    return names;
}

/// The result of checking one candidate row's image.
struct FileCheck {
    ImageInspection inspection;
    qint64 size = 0;
    qint64 modifiedMs = 0;
};

FileCheck checkFile(const QString& path, ImageCheck check) {
    FileCheck result;
    const QFileInfo info(path);
    if (check == ImageCheck::Exists) {
        result.inspection = ImageInspector::checkPath(path);
    } else {
        QByteArray bytes;
        result.inspection =
            ImageInspector::inspectFile(path, check == ImageCheck::Decode ? &bytes : nullptr);
        if (result.inspection.ok() && check == ImageCheck::Decode) {
            const ImageInfo header = result.inspection.info;
            result.inspection = ImagePipeline::decodeCheck(bytes);
            result.inspection.info = header;
        }
    }
    if (result.inspection.ok()) {
        result.size = info.size();
        result.modifiedMs = info.lastModified().toMSecsSinceEpoch();
    }
    return result;
}

template <typename Key, typename ToText>
std::vector<std::pair<QString, int>> byCount(const std::map<Key, int>& counts, ToText toText) {
    std::vector<std::pair<QString, int>> entries;
    for (const auto& [key, count] : counts)
        entries.emplace_back(toText(key), count);
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return entries;
}

} // namespace

bool hasImageExtension(const QString& path) {
    return kImageExtensions.contains(extensionOf(path));
}

// ---- Column detection ---------------------------------------------------------------------

DatasetTable::ColumnGuess DatasetTable::guessColumns(const QStringList& header,
                                                     const std::vector<QStringList>& sample,
                                                     const QString& imageColumn,
                                                     const QString& labelColumn) {
    ColumnGuess guess;
    const QString columnList = header.join(QStringLiteral(", "));
    if (!imageColumn.isEmpty()) {
        guess.image = findColumn(header, imageColumn);
        if (guess.image < 0) {
            guess.code = DiagnosticCode::NoImageColumn;
            guess.problem = QStringLiteral("there is no image column named %1 (columns: %2)")
                                .arg(quotedPath(imageColumn), columnList);
            return guess;
        }
    } else {
        guess.image = findNamedColumn(header, kImageColumnNames, -1);
        if (guess.image < 0) {
            // By content: the column whose values most often end in an image extension.
            int bestCount = 0;
            int bestValues = 0;
            for (int column = 0; column < header.size(); ++column) {
                int images = 0;
                int values = 0;
                for (const QStringList& record : sample) {
                    if (column >= record.size() || record.at(column).trimmed().isEmpty())
                        continue;
                    ++values;
                    const QString extension = extensionOf(record.at(column));
                    if (kImageExtensions.contains(extension) ||
                        kOtherImageExtensions.contains(extension))
                        ++images;
                }
                if (images > bestCount) {
                    bestCount = images;
                    bestValues = values;
                    guess.image = column;
                }
            }
            if (bestCount == 0 || bestCount * 2 < bestValues)
                guess.image = -1;
        }
        if (guess.image < 0) {
            guess.code = DiagnosticCode::NoImageColumn;
            guess.problem = QStringLiteral("no column holds image paths (columns: %1); name "
                                           "the image column")
                                .arg(columnList);
            return guess;
        }
    }

    if (!labelColumn.isEmpty()) {
        guess.label = findColumn(header, labelColumn);
        if (guess.label < 0) {
            guess.code = DiagnosticCode::NoLabelColumn;
            guess.problem = QStringLiteral("there is no label column named %1 (columns: %2)")
                                .arg(quotedPath(labelColumn), columnList);
        }
        return guess;
    }
    guess.label = findNamedColumn(header, kLabelColumnNames, guess.image);
    if (guess.label >= 0)
        return guess;
    // Otherwise the only remaining column that is neither another path column nor a split
    // column.
    QList<int> candidates;
    for (int column = 0; column < header.size(); ++column) {
        if (column == guess.image)
            continue;
        bool allSplitWords = !sample.empty();
        bool allImages = !sample.empty();
        for (const QStringList& record : sample) {
            const QString value = column < record.size() ? record.at(column).trimmed() : QString();
            allSplitWords = allSplitWords && kSplitWords.contains(value.toLower());
            allImages = allImages && hasImageExtension(value);
        }
        if (!allSplitWords && !allImages)
            candidates << column;
    }
    if (candidates.size() == 1) {
        guess.label = candidates.front();
        return guess;
    }
    guess.code = DiagnosticCode::NoLabelColumn;
    guess.problem = header.size() < 2
                        ? QStringLiteral("there is no label column (columns: %1)").arg(columnList)
                        : QStringLiteral("cannot tell which column holds the labels (columns: "
                                         "%1); name the label column")
                              .arg(columnList);
    return guess;
}

// ---- Import -------------------------------------------------------------------------------

DatasetTable DatasetTable::import(const QString& source, const ImportOptions& options) {
    if (QFileInfo(source).isDir())
        return importFolder(source, options);
    return importCsv(source, options);
}

DatasetTable DatasetTable::import(const DatasetSettings& settings, const QString& baseDirectory,
                                  ImportOptions options) {
    if (options.imageColumn.isEmpty())
        options.imageColumn = settings.imageColumn;
    if (options.labelColumn.isEmpty())
        options.labelColumn = settings.labelColumn;
    const QString source = settings.source.isEmpty()
                               ? QString()
                               : QDir(baseDirectory).absoluteFilePath(settings.source);
    return import(source, options);
}

void DatasetTable::setProblem(DiagnosticCode code, const QString& message) {
    Diagnostic problem;
    problem.file = m_source;
    problem.code = code;
    problem.severity = Severity::Error;
    problem.message = message;
    m_problem = problem;
}

DatasetTable DatasetTable::importCsv(const QString& csvPath, const ImportOptions& options) {
    DatasetTable table;
    table.m_kind = SourceKind::Csv;
    table.m_source = csvPath;
    const QFileInfo info(csvPath);
    table.m_root = info.absolutePath();
    if (csvPath.isEmpty()) {
        table.setProblem(DiagnosticCode::SourceNotFound, QStringLiteral("no data source given"));
        return table;
    }
    QString why;
    const std::optional<QByteArray> bytes =
        util::readRegularFile(csvPath, kMaxCsvBytes, QStringLiteral("CSV files"), &why);
    if (!bytes) {
        // A FIFO, a device or a socket counts as "not found": there is no CSV file there.
        const bool tooLarge = info.isFile() && info.size() > kMaxCsvBytes;
        table.setProblem(tooLarge ? DiagnosticCode::SourceTooLarge : DiagnosticCode::SourceNotFound,
                         quotedPath(csvPath) + QLatin1Char(' ') + why);
        return table;
    }
    const CsvReader::Document document = CsvReader::parse(*bytes);
    if (!document.notText.isEmpty()) {
        table.setProblem(
            DiagnosticCode::InvalidEncoding,
            QStringLiteral("%1 is not a CSV file: %2").arg(quotedPath(csvPath), document.notText));
        return table;
    }
    const std::vector<CsvRecord>& records = document.records;
    if (records.empty()) {
        table.setProblem(DiagnosticCode::EmptySource,
                         QStringLiteral("%1 is empty").arg(quotedPath(csvPath)));
        return table;
    }
    const CsvRecord& headerRecord = records.front();
    if (headerRecord.damaged) {
        table.setProblem(headerRecord.code,
                         QStringLiteral("the header (line %1) cannot be read: %2")
                             .arg(headerRecord.line)
                             .arg(headerRecord.problem));
        return table;
    }
    for (const QString& name : headerRecord.fields) {
        // A header names columns; an image path there means the file has no header row and
        // its first image would silently become a column name.
        if (hasImageExtension(name.trimmed())) {
            table.setProblem(DiagnosticCode::NoHeader,
                             QStringLiteral("%1 has no header row: line %2 looks like data: %3 "
                                            "(add a first line naming the columns, e.g. "
                                            "'images,labels')")
                                 .arg(quotedPath(csvPath))
                                 .arg(headerRecord.line)
                                 .arg(headerRecord.fields.join(QLatin1Char(',')).left(200)));
            return table;
        }
        table.m_columns << name.trimmed();
    }
    table.m_records = int(records.size()) - 1;
    if (records.size() == 1) {
        table.setProblem(
            DiagnosticCode::HeaderOnly,
            QStringLiteral("%1 has a header but no data rows").arg(quotedPath(csvPath)));
        return table;
    }

    std::vector<QStringList> sample;
    for (size_t i = 1; i < records.size() && sample.size() < 200; ++i)
        if (!records[i].damaged && records[i].fields.size() == table.m_columns.size())
            sample.push_back(records[i].fields);
    const ColumnGuess guess =
        guessColumns(table.m_columns, sample, options.imageColumn, options.labelColumn);
    table.m_imageColumn = guess.image;
    table.m_labelColumn = guess.label;
    if (!guess.problem.isEmpty()) {
        table.setProblem(guess.code, guess.problem);
        return table;
    }

    // Cheap checks first, in file order; image checks later, in parallel.
    const QDir root(table.m_root);
    const QString columnNames = table.m_columns.join(QStringLiteral(", "));
    QHash<QString, int> firstLine;
    auto reject = [&](int line, DiagnosticCode code, const QString& message) {
        table.m_diagnostics.push_back({csvPath, line, code, Severity::Error, message});
    };
    for (size_t i = 1; i < records.size(); ++i) {
        const CsvRecord& record = records[i];
        if (record.damaged) {
            reject(record.line, record.code, record.problem);
            continue;
        }
        if (record.fields.size() != table.m_columns.size()) {
            reject(record.line, DiagnosticCode::WrongFieldCount,
                   QStringLiteral("expected %1 fields (%2) but found %3")
                       .arg(table.m_columns.size())
                       .arg(columnNames)
                       .arg(record.fields.size()));
            continue;
        }
        DatasetRow row;
        row.line = record.line;
        row.values = record.fields;
        row.path = record.fields.at(guess.image);
        row.label = record.fields.at(guess.label).trimmed();
        if (row.path.trimmed().isEmpty()) {
            reject(row.line, DiagnosticCode::EmptyPath, QStringLiteral("the image path is empty"));
            continue;
        }
        if (row.label.isEmpty()) {
            reject(row.line, DiagnosticCode::EmptyLabel,
                   QStringLiteral("%1 has an empty label").arg(quotedPath(row.path)));
            continue;
        }
        row.absolutePath = resolvePath(root, row.path);
        const auto previous = firstLine.constFind(row.absolutePath);
        if (previous != firstLine.constEnd()) {
            reject(row.line, DiagnosticCode::DuplicatePath,
                   QStringLiteral("%1 is already listed on line %2")
                       .arg(quotedPath(row.path))
                       .arg(previous.value()));
            continue;
        }
        firstLine.insert(row.absolutePath, row.line);
        table.m_rows.push_back(std::move(row));
    }
    table.finish(options, table.m_records, 0);
    return table;
}

DatasetTable DatasetTable::importFolder(const QString& folder, const ImportOptions& options) {
    DatasetTable table;
    table.m_kind = SourceKind::Folder;
    table.m_source = folder;
    table.m_root = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    table.m_columns = {QStringLiteral("images"), QStringLiteral("labels")};
    table.m_imageColumn = 0;
    table.m_labelColumn = 1;
    const QDir root(table.m_root);
    if (!root.exists()) {
        table.setProblem(DiagnosticCode::SourceNotFound,
                         QStringLiteral("%1 does not exist").arg(quotedPath(folder)));
        return table;
    }
    const QStringList classFolders =
        root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::IgnoreCase);
    if (classFolders.isEmpty()) {
        table.setProblem(DiagnosticCode::EmptySource,
                         QStringLiteral("%1 has no sub-folders; expected one sub-folder of "
                                        "images per class")
                             .arg(quotedPath(folder)));
        return table;
    }
    int ignored = 0;
    for (const QString& label : classFolders) {
        QStringList files;
        QDirIterator it(root.filePath(label), QDir::Files | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            const QString relative = root.relativeFilePath(path);
            // Hidden files and anything inside hidden folders (.git, .thumbnails) are not data.
            if (relative.startsWith(QLatin1Char('.')) || relative.contains(QStringLiteral("/."))) {
                continue;
            }
            const QString extension = extensionOf(relative);
            if (kImageExtensions.contains(extension) || kOtherImageExtensions.contains(extension))
                files << relative;
            else
                ++ignored;
        }
        files.sort();
        if (files.isEmpty()) {
            table.m_diagnostics.push_back(
                {root.filePath(label), 0, DiagnosticCode::EmptySource, Severity::Warning,
                 QStringLiteral("the class folder %1 holds no images").arg(quotedPath(label))});
        }
        for (const QString& relative : files) {
            DatasetRow row;
            row.path = relative;
            row.absolutePath = root.filePath(relative);
            row.label = label;
            row.values = {relative, label};
            table.m_rows.push_back(std::move(row));
        }
    }
    table.finish(options, int(table.m_rows.size()), ignored);
    return table;
}

void DatasetTable::warnAboutLabelCase() {
    QHash<QString, QStringList> byFolded;
    for (const QString& name : m_classNames)
        byFolded[name.toCaseFolded()] << name;
    for (const QStringList& names : std::as_const(byFolded)) {
        if (names.size() < 2)
            continue;
        QStringList quoted;
        for (const QString& name : names)
            quoted << quotedPath(name);
        m_diagnostics.push_back({m_source, 0, DiagnosticCode::LabelCase, Severity::Warning,
                                 QStringLiteral("the labels %1 differ only by case and are "
                                                "separate classes; fix the labels if they are "
                                                "meant to be one")
                                     .arg(quoted.join(QStringLiteral(", ")))});
    }
}

void DatasetTable::finish(const ImportOptions& options, int records, int ignoredFiles) {
    m_records = records;
    m_ignoredFiles = ignoredFiles;

    std::vector<FileCheck> checks(m_rows.size());
    const bool complete = parallelFor(
        int(m_rows.size()), options.threads,
        [&](int i) {
            checks[size_t(i)] = checkFile(m_rows[size_t(i)].absolutePath, options.check);
        },
        options.progress, options.cancel);
    if (!complete) {
        m_rows.clear();
        setProblem(DiagnosticCode::Canceled, QStringLiteral("the import was canceled"));
        return;
    }

    std::vector<DatasetRow> kept;
    kept.reserve(m_rows.size());
    for (size_t i = 0; i < m_rows.size(); ++i) {
        DatasetRow& row = m_rows[i];
        const FileCheck& check = checks[i];
        if (!check.inspection.ok()) {
            const bool folder = m_kind == SourceKind::Folder;
            m_diagnostics.push_back(
                {folder ? row.absolutePath : m_source, row.line, check.inspection.code,
                 Severity::Error,
                 quotedPath(row.path) + QLatin1Char(' ') + check.inspection.problem});
            continue;
        }
        row.image = check.inspection.info;
        row.fileSize = check.size;
        row.modifiedMs = check.modifiedMs;
        kept.push_back(std::move(row));
    }
    m_rows = std::move(kept);
    std::stable_sort(m_diagnostics.begin(), m_diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         if (a.line != b.line)
                             return a.line < b.line;
                         return a.file < b.file;
                     });

    QSet<QString> labels;
    for (const DatasetRow& row : m_rows)
        labels.insert(row.label);
    m_classNames = sortedLabels(labels);
    warnAboutLabelCase();
    QHash<QString, int> classIndex;
    for (int i = 0; i < m_classNames.size(); ++i)
        classIndex.insert(m_classNames.at(i), i);
    for (DatasetRow& row : m_rows)
        row.classIndex = classIndex.value(row.label);

    if (m_rows.empty()) {
        // Name the first problem: a one-line failure must say which file to look at.
        const auto first =
            std::find_if(m_diagnostics.begin(), m_diagnostics.end(),
                         [](const Diagnostic& d) { return d.severity == Severity::Error; });
        const QString example =
            first == m_diagnostics.end()
                ? QString()
                : QStringLiteral("; %1%2").arg(
                      first->line > 0 ? QStringLiteral("line %1: ").arg(first->line) : QString(),
                      first->message);
        setProblem(DiagnosticCode::NoUsableRows,
                   QStringLiteral("none of the %1 rows can be used%2 (see the diagnostics)")
                       .arg(records)
                       .arg(example));
    } else if (m_classNames.size() < 2) {
        setProblem(DiagnosticCode::OneClass,
                   QStringLiteral("only one class has usable images: %1 (%2 images); a "
                                  "classifier needs at least two")
                       .arg(quotedPath(m_classNames.front()))
                       .arg(m_rows.size()));
    }
}

// ---- Queries ------------------------------------------------------------------------------

int DatasetTable::columnIndex(const QString& name) const {
    return findColumn(m_columns, name);
}

DatasetSummary DatasetTable::summary() const {
    DatasetSummary summary;
    summary.records = m_records;
    summary.usable = int(m_rows.size());
    summary.ignoredFiles = m_ignoredFiles;
    for (const Diagnostic& diagnostic : m_diagnostics) {
        // Every excluded row has exactly one error diagnostic.
        if (diagnostic.severity == Severity::Warning)
            ++summary.warnings;
        else
            ++summary.excluded;
    }
    std::vector<int> perClass(size_t(m_classNames.size()), 0);
    for (const DatasetRow& row : m_rows) {
        if (row.classIndex >= 0)
            ++perClass[size_t(row.classIndex)];
        if (row.image.format != ImageFormat::Unknown) {
            ++summary.sizes[{row.image.width, row.image.height}];
            ++summary.channels[row.image.channels];
            ++summary.bitDepths[row.image.bitDepth];
            ++summary.formats[formatName(row.image.format)];
        }
    }
    for (int i = 0; i < m_classNames.size(); ++i)
        summary.classes.emplace_back(m_classNames.at(i), perClass[size_t(i)]);
    return summary;
}

QString DatasetSummary::toText() const {
    QString text = QStringLiteral("Rows: %1 read, %2 usable, %3 excluded")
                       .arg(records)
                       .arg(usable)
                       .arg(excluded);
    if (warnings > 0)
        text += QStringLiteral(", %1 warnings").arg(warnings);
    if (ignoredFiles > 0)
        text += QStringLiteral(", %1 non-image files ignored").arg(ignoredFiles);
    text += QStringLiteral("\nClasses (%1):").arg(classes.size());
    int width = 0;
    for (const auto& entry : classes)
        width = std::max(width, int(entry.first.size()));
    for (const auto& [name, count] : classes)
        text += QStringLiteral("\n  %1  %2").arg(name.leftJustified(width)).arg(count, 6);
    if (!sizes.empty()) {
        text += QStringLiteral("\nImage sizes: ") +
                describeCounts(
                    byCount(sizes,
                            [](const std::pair<int, int>& size) {
                                return QStringLiteral("%1x%2").arg(size.first).arg(size.second);
                            }),
                    5);
        text += QStringLiteral("\nChannels: ") +
                describeCounts(byCount(channels, [](int c) { return QString::number(c); }), 5);
        text += QStringLiteral("\nBit depth: ") +
                describeCounts(byCount(bitDepths, [](int b) { return QString::number(b); }), 5);
        text += QStringLiteral("\nFormats: ") +
                describeCounts(byCount(formats, [](const QString& f) { return f; }), 5);
    }
    return text;
}

QJsonObject DatasetSummary::toJson() const {
    QJsonArray classArray;
    for (int i = 0; i < int(classes.size()); ++i)
        classArray.append(QJsonObject{{QStringLiteral("index"), i},
                                      {QStringLiteral("name"), classes[size_t(i)].first},
                                      {QStringLiteral("count"), classes[size_t(i)].second}});
    QJsonArray sizeArray;
    for (const auto& [size, count] : sizes)
        sizeArray.append(QJsonObject{{QStringLiteral("width"), size.first},
                                     {QStringLiteral("height"), size.second},
                                     {QStringLiteral("count"), count}});
    auto countsOf = [](const auto& map) {
        QJsonObject object;
        for (const auto& [key, count] : map)
            object.insert(QStringLiteral("%1").arg(key), count);
        return object;
    };
    return QJsonObject{{QStringLiteral("records"), records},
                       {QStringLiteral("usable"), usable},
                       {QStringLiteral("excluded"), excluded},
                       {QStringLiteral("warnings"), warnings},
                       {QStringLiteral("ignoredFiles"), ignoredFiles},
                       {QStringLiteral("classes"), classArray},
                       {QStringLiteral("sizes"), sizeArray},
                       {QStringLiteral("channels"), countsOf(channels)},
                       {QStringLiteral("bitDepths"), countsOf(bitDepths)},
                       {QStringLiteral("formats"), countsOf(formats)}};
}

QString DatasetTable::fingerprint(FingerprintMode mode) const {
    const QDir root(m_root);
    std::vector<std::pair<QString, const DatasetRow*>> sorted;
    sorted.reserve(m_rows.size());
    for (const DatasetRow& row : m_rows)
        sorted.emplace_back(root.relativeFilePath(row.absolutePath), &row);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(mode == FingerprintMode::Metadata
                     ? QByteArrayView("torchcanvas-data-v1:meta\n")
                     : QByteArrayView("torchcanvas-data-v1:content\n"));
    for (const auto& [relative, row] : sorted) {
        QByteArray line = relative.toUtf8() + '\t' + row->label.toUtf8() + '\t';
        if (mode == FingerprintMode::Metadata) {
            line += QByteArray::number(row->fileSize) + '\t' + QByteArray::number(row->modifiedMs);
        } else {
            QCryptographicHash fileHash(QCryptographicHash::Sha256);
            QFile file(row->absolutePath);
            if (util::regularFileProblem(row->absolutePath).isEmpty() &&
                file.open(QIODevice::ReadOnly))
                fileHash.addData(&file);
            else
                fileHash.addData(QByteArrayView("unreadable"));
            line += fileHash.result().toHex();
        }
        line += '\n';
        hash.addData(line);
    }
    return QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
}

QJsonObject DatasetTable::toJson() const {
    QJsonArray diagnostics;
    for (const Diagnostic& diagnostic : m_diagnostics)
        diagnostics.append(diagnostic.toJson());
    QJsonObject json{
        {QStringLiteral("source"), m_source},
        {QStringLiteral("kind"),
         m_kind == SourceKind::Csv ? QStringLiteral("csv") : QStringLiteral("folder")},
        {QStringLiteral("columns"), QJsonArray::fromStringList(m_columns)},
        {QStringLiteral("imageColumn"),
         m_imageColumn >= 0 ? QJsonValue(m_columns.at(m_imageColumn)) : QJsonValue()},
        {QStringLiteral("labelColumn"),
         m_labelColumn >= 0 ? QJsonValue(m_columns.at(m_labelColumn)) : QJsonValue()},
        {QStringLiteral("usable"), isUsable()},
        {QStringLiteral("problem"), m_problem ? QJsonValue(m_problem->toJson()) : QJsonValue()},
        {QStringLiteral("summary"), summary().toJson()},
        {QStringLiteral("diagnostics"), diagnostics}};
    return json;
}

QString describeCounts(const std::vector<std::pair<QString, int>>& entries, int limit) {
    QStringList parts;
    for (int i = 0; i < int(entries.size()) && i < limit; ++i)
        parts << QStringLiteral("%1 (%2)")
                     .arg(entries[size_t(i)].first)
                     .arg(entries[size_t(i)].second);
    if (int(entries.size()) > limit)
        parts << QStringLiteral("and %1 more").arg(int(entries.size()) - limit);
    return parts.isEmpty() ? QStringLiteral("-") : parts.join(QStringLiteral(", "));
}

} // namespace tc::data
