#pragma once

#include "core/data/DataSettings.h"
#include "ui/data/DatasetScan.h"

#include <memory>
#include <QString>

namespace tc::ui {

/// The state the Data Wizard's pages share: the settings being edited and the last scan.
/// Pages read what earlier pages decided and write what they decide themselves.
struct DataWizardModel {
    QString projectDirectory; ///< relative sources are resolved against it
    /// "source" is always absolute here.
    tc::data::DatasetSettings dataset;
    tc::data::SplitSettings split;
    tc::data::PreprocessingSettings preprocessing;
    /// The last completed scan of the current source and columns; null while none is done.
    std::shared_ptr<const DatasetScanResult> scan;

    /// True when the source is a folder (one sub-folder per class), false for a CSV file.
    bool sourceIsFolder() const;
    /// The scanned table when it is usable, else nullptr.
    const tc::data::DatasetTable* usableTable() const;
    /// `path` made absolute against the project folder (the working folder when none).
    QString absolutePath(const QString& path) const;
};

} // namespace tc::ui
