#pragma once

#include "core/data/DatasetTable.h"
#include "core/data/DataSettings.h"
#include "core/data/Grouping.h"
#include "core/data/Split.h"

#include <QString>
#include <vector>

namespace tc::data {

/// A project's data, ready for training: the imported table, the groups and the split that
/// its "dataset" and "split" sections describe. What `train`, the training controller and
/// reports start from; torch-free.
struct PreparedDataset {
    DatasetTable table;
    GroupAssignment groups;
    Split split;
    /// The first problem that makes the data unusable (the table's whole-source problem, a
    /// group setting that cannot be applied, a split that cannot be made); empty when ok.
    QString error;

    bool ok() const { return error.isEmpty(); }

    /// Imports `dataset` (a relative source is resolved against `baseDirectory`, the project
    /// file's folder), assigns groups and splits. Grouping is used only when split.grouped.
    static PreparedDataset prepare(const DatasetSettings& dataset, const SplitSettings& split,
                                   const QString& baseDirectory, const ImportOptions& options = {});
};

} // namespace tc::data
