#pragma once

#include "core/data/DataSettings.h"

#include <array>
#include <cstdint>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::data {

class DatasetTable;
struct GroupAssignment;

enum class SplitPart : std::uint8_t { Train = 0, Validation = 1, Test = 2 };

/// "train", "validation", "test".
QString partName(SplitPart part);

/// A train / validation / test assignment of every usable row of a table.
///
/// Deterministic: the same rows, settings and seed give the same split on every machine
/// (the generator is defined in Random.h), and the result does not depend on the order of
/// the rows in the CSV (rows and groups are sorted by path / name before being shuffled).
///
/// - Ungrouped: each class (stratify) or the whole set is shuffled and cut by the largest-
///   remainder method, so every (class, part) count is within one image of its exact share.
/// - Grouped: whole groups (patients) are assigned to parts; a greedy pass in shuffled order
///   followed by moves and swaps of groups minimises the squared distance to the per-class
///   (stratify) or total targets. No group ever spans two parts.
/// - From a column: the column's values name the part (train/training, validation/valid/val/
///   dev, test/testing; case and spaces ignored).
class Split {
public:
    /// Splits `table`. `groups` is used when settings.grouped is set (nullptr: every row is
    /// its own group). On failure error() says why and no row is assigned.
    static Split make(const DatasetTable& table, const SplitSettings& settings,
                      const GroupAssignment* groups = nullptr);

    bool ok() const { return m_error.isEmpty(); }
    const QString& error() const { return m_error; }
    /// Non-fatal remarks: an empty part, a class with no training images.
    const QStringList& warnings() const { return m_warnings; }

    /// Part of every row, indexed like DatasetTable::rows().
    const std::vector<SplitPart>& parts() const { return m_parts; }
    SplitPart part(int row) const { return m_parts[size_t(row)]; }
    /// Row indices of one part, in row order.
    std::vector<int> rows(SplitPart part) const;
    int count(SplitPart part) const;
    int count(SplitPart part, int classIndex) const;

    /// {"train": {"images": n, "classes": {"benign": k, …}}, "validation": …, "test": …}
    QJsonObject toJson(const QStringList& classNames) const;
    /// A small table: one line per part with its count per class.
    QString toText(const QStringList& classNames) const;

private:
    std::vector<SplitPart> m_parts;
    std::array<std::vector<int>, 3> m_counts; ///< [part][class]
    QString m_error;
    QStringList m_warnings;
};

} // namespace tc::data
