#include "core/data/PreparedDataset.h"

namespace tc::data {

PreparedDataset PreparedDataset::prepare(const DatasetSettings& dataset, const SplitSettings& split,
                                         const QString& baseDirectory,
                                         const ImportOptions& options) {
    PreparedDataset prepared;
    prepared.table = DatasetTable::import(dataset, baseDirectory, options);
    if (!prepared.table.isUsable()) {
        prepared.error = prepared.table.problem()->message;
        return prepared;
    }
    prepared.groups = Grouping::assign(prepared.table, dataset.groups);
    if (!prepared.groups.ok()) {
        prepared.error = prepared.groups.error;
        return prepared;
    }
    prepared.split = Split::make(prepared.table, split, &prepared.groups);
    if (!prepared.split.ok())
        prepared.error = prepared.split.error();
    return prepared;
}

} // namespace tc::data
