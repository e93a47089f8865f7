#pragma once

#include "core/data/DatasetTable.h"

#include <atomic>
#include <functional>
#include <map>
#include <QImage>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::ui {

/// What the Data Wizard's Check page asks for.
struct DatasetScanRequest {
    QString source;      ///< absolute path of a CSV file or a class-per-folder folder
    QString imageColumn; ///< empty: auto-detect (ignored for a folder)
    QString labelColumn; ///< empty: auto-detect (ignored for a folder)
    tc::data::ImageCheck check = tc::data::ImageCheck::Header;
    int thumbnailsPerClass = 8;
    int thumbnailSize = 88; ///< pixels; thumbnails are square centre crops

    bool operator==(const DatasetScanRequest& other) const;
    bool operator!=(const DatasetScanRequest& other) const { return !(*this == other); }
};

/// One sample image of a class, for the thumbnails of the Check page.
struct ClassThumbnail {
    QString path; ///< as the row names it
    QImage image; ///< null when it could not be decoded (the tooltip then says why)
    QString error;
};

/// The result of a scan: the imported table, sample thumbnails per class, and the raw fields
/// of every excluded CSV record (so the user sees the row itself, not just its line number).
struct DatasetScanResult {
    DatasetScanRequest request;
    tc::data::DatasetTable table;
    std::vector<std::vector<ClassThumbnail>> thumbnails; ///< [class index]
    std::map<int, QStringList> excludedRecords;          ///< CSV line → fields as read
    bool canceled = false;
};

/// The two stages of a scan, for progress reports.
enum class ScanStage { CheckingImages, Thumbnails };

/// Called on the scanning thread: (stage, done, total) within that stage.
using ScanProgress = std::function<void(ScanStage stage, int done, int total)>;

/// Imports the data set of `request` with image checks, then decodes a few thumbnails per
/// class (spread over the class's rows). Meant for a worker thread: `progress` is called
/// there; `cancel` is polled throughout. A canceled scan returns with `canceled` set.
DatasetScanResult scanDataset(const DatasetScanRequest& request, const std::atomic<bool>* cancel,
                              const ScanProgress& progress);

} // namespace tc::ui
