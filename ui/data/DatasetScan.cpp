#include "ui/data/DatasetScan.h"

#include "core/data/CsvReader.h"
#include "core/data/DatasetTable.h"
#include "core/util/RegularFile.h"
#include "ui/data/ImageThumbnail.h"

#include <QFile>
#include <QSet>

namespace tc::ui {

bool DatasetScanRequest::operator==(const DatasetScanRequest& other) const {
    return source == other.source && imageColumn == other.imageColumn &&
           labelColumn == other.labelColumn && check == other.check &&
           thumbnailsPerClass == other.thumbnailsPerClass && thumbnailSize == other.thumbnailSize;
}

namespace {

/// The fields of the CSV records at `lines`, read again from the file: the table keeps only
/// the rows it accepted, while the user wants to see what an excluded row said.
std::map<int, QStringList> recordsAtLines(const QString& csvPath, const QSet<int>& lines) {
    std::map<int, QStringList> records;
    if (lines.isEmpty())
        return records;
    const std::optional<QByteArray> bytes = tc::util::readRegularFile(
        csvPath, tc::data::DatasetTable::kMaxCsvBytes, QStringLiteral("CSV files"));
    if (!bytes)
        return records;
    const tc::data::CsvReader::Document document = tc::data::CsvReader::parse(*bytes);
    for (const tc::data::CsvRecord& record : document.records)
        if (lines.contains(record.line))
            records[record.line] = record.fields;
    return records;
}

} // namespace

DatasetScanResult scanDataset(const DatasetScanRequest& request, const std::atomic<bool>* cancel,
                              const ScanProgress& progress) {
    using namespace tc::data;
    DatasetScanResult result;
    result.request = request;

    ImportOptions options;
    options.imageColumn = request.imageColumn;
    options.labelColumn = request.labelColumn;
    options.check = request.check;
    options.cancel = cancel;
    options.progress = [&](int done, int total) {
        if (progress)
            progress(ScanStage::CheckingImages, done, total);
    };
    result.table = DatasetTable::import(request.source, options);
    const auto isCanceled = [cancel]() {
        return cancel && cancel->load();
    };
    if (isCanceled() ||
        (result.table.problem() && result.table.problem()->code == DiagnosticCode::Canceled)) {
        result.canceled = true;
        return result;
    }

    // Thumbnails: spread over each class's rows so that one odd folder does not fill them.
    const QStringList& classes = result.table.classNames();
    std::vector<std::vector<int>> rowsOfClass(size_t(classes.size()));
    const std::vector<DatasetRow>& rows = result.table.rows();
    for (int i = 0; i < int(rows.size()); ++i)
        if (rows[size_t(i)].classIndex >= 0)
            rowsOfClass[size_t(rows[size_t(i)].classIndex)].push_back(i);
    std::vector<std::vector<int>> chosen(rowsOfClass.size());
    int thumbnailTotal = 0;
    for (size_t c = 0; c < rowsOfClass.size(); ++c) {
        const int available = int(rowsOfClass[c].size());
        const int wanted = std::min(available, std::max(0, request.thumbnailsPerClass));
        for (int k = 0; k < wanted; ++k)
            chosen[c].push_back(rowsOfClass[c][size_t(qint64(k) * available / wanted)]);
        thumbnailTotal += wanted;
    }
    int done = 0;
    result.thumbnails.resize(chosen.size());
    for (size_t c = 0; c < chosen.size(); ++c) {
        for (int row : chosen[c]) {
            if (isCanceled()) {
                result.canceled = true;
                return result;
            }
            ClassThumbnail thumbnail;
            thumbnail.path = rows[size_t(row)].path;
            thumbnail.image = loadThumbnail(rows[size_t(row)].absolutePath, request.thumbnailSize,
                                            /*square=*/true, &thumbnail.error);
            result.thumbnails[c].push_back(std::move(thumbnail));
            if (progress)
                progress(ScanStage::Thumbnails, ++done, thumbnailTotal);
        }
    }

    if (result.table.kind() == DatasetTable::SourceKind::Csv) {
        QSet<int> excludedLines;
        for (const Diagnostic& diagnostic : result.table.diagnostics())
            if (diagnostic.severity == Severity::Error && diagnostic.line > 0)
                excludedLines.insert(diagnostic.line);
        result.excludedRecords = recordsAtLines(result.table.source(), excludedLines);
    }
    return result;
}

} // namespace tc::ui
