#include "core/data/Split.h"

#include "core/data/DatasetTable.h"
#include "core/data/Grouping.h"
#include "core/data/Random.h"

#include <algorithm>
#include <numeric>
#include <QHash>

namespace tc::data {

namespace {

constexpr int kParts = 3;
/// Above this many groups the O(groups²) swap search is skipped; moves alone are then used.
constexpr int kMaxGroupsForSwaps = 3000;
/// Bound on improvement passes; each pass strictly lowers the cost, so this is a safety net.
constexpr int kMaxPasses = 100;

// Stream identifiers for Random::derive, so the streams never coincide.
constexpr std::uint64_t kRowStream = 0x726f7773;   // "rows"
constexpr std::uint64_t kGroupStream = 0x67727073; // "grps"

/// Largest-remainder cut of n items into parts with the given percentages (adding to 100):
/// floor(n·p/100) each, then one more to the parts with the largest remainders (ties in part
/// order). Integer arithmetic only.
std::array<int, kParts> cut(int n, const std::array<int, kParts>& percent) {
    std::array<int, kParts> counts{};
    std::array<int, kParts> remainder{};
    int assigned = 0;
    for (int p = 0; p < kParts; ++p) {
        counts[size_t(p)] = n * percent[size_t(p)] / 100;
        remainder[size_t(p)] = n * percent[size_t(p)] % 100;
        assigned += counts[size_t(p)];
    }
    std::array<int, kParts> order = {0, 1, 2};
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return remainder[size_t(a)] > remainder[size_t(b)]; });
    for (int i = 0; assigned < n; ++i, ++assigned)
        ++counts[size_t(order[size_t(i % kParts)])];
    return counts;
}

SplitPart partFromText(const QString& text, bool& ok) {
    const QString value = text.trimmed().toLower();
    ok = true;
    if (value == QLatin1String("train") || value == QLatin1String("training"))
        return SplitPart::Train;
    if (value == QLatin1String("validation") || value == QLatin1String("valid") ||
        value == QLatin1String("val") || value == QLatin1String("dev"))
        return SplitPart::Validation;
    if (value == QLatin1String("test") || value == QLatin1String("testing"))
        return SplitPart::Test;
    ok = false;
    return SplitPart::Train;
}

/// Whole groups to parts, minimising Σ w_c (assigned[p][c] - target[p][c])².
class GroupPacker {
public:
    GroupPacker(std::vector<std::vector<int>> groupCounts, const std::array<int, kParts>& percent)
        : m_groups(std::move(groupCounts)) {
        const size_t classes = m_groups.empty() ? 0 : m_groups.front().size();
        std::vector<double> totals(classes, 0.0);
        for (const auto& counts : m_groups)
            for (size_t c = 0; c < classes; ++c)
                totals[c] += counts[c];
        m_weight.resize(classes);
        for (size_t c = 0; c < classes; ++c)
            m_weight[c] = 1.0 / std::max(1.0, totals[c]); // small classes count as much
        for (int p = 0; p < kParts; ++p) {
            m_allowed[size_t(p)] = percent[size_t(p)] > 0;
            m_target[size_t(p)].resize(classes);
            m_assigned[size_t(p)].assign(classes, 0.0);
            for (size_t c = 0; c < classes; ++c)
                m_target[size_t(p)][c] = totals[c] * percent[size_t(p)] / 100.0;
        }
        m_partOf.assign(m_groups.size(), -1);
    }

    /// `order`: the shuffled group order of the greedy pass.
    std::vector<int> solve(const std::vector<int>& order) {
        for (int g : order) {
            int best = -1;
            double bestDelta = 0;
            for (int p = 0; p < kParts; ++p) {
                if (!m_allowed[size_t(p)])
                    continue;
                const double delta = addDelta(p, m_groups[size_t(g)], +1);
                if (best < 0 || delta < bestDelta - 1e-12) {
                    best = p;
                    bestDelta = delta;
                }
            }
            place(g, best, +1);
            m_partOf[size_t(g)] = best;
        }
        const bool swaps = int(m_groups.size()) <= kMaxGroupsForSwaps;
        for (int pass = 0; pass < kMaxPasses; ++pass) {
            bool improved = false;
            for (int g : order)
                improved = tryMove(g) || improved;
            if (swaps)
                for (size_t i = 0; i < order.size(); ++i)
                    for (size_t j = i + 1; j < order.size(); ++j)
                        improved = trySwap(order[i], order[j]) || improved;
            if (!improved)
                break;
        }
        return m_partOf;
    }

private:
    /// Cost change of adding (sign +1) or removing (-1) `counts` to/from part p.
    double addDelta(int p, const std::vector<int>& counts, int sign) const {
        double delta = 0;
        for (size_t c = 0; c < counts.size(); ++c) {
            const double before = m_assigned[size_t(p)][c] - m_target[size_t(p)][c];
            const double after = before + sign * counts[c];
            delta += m_weight[c] * (after * after - before * before);
        }
        return delta;
    }

    void place(int g, int p, int sign) {
        const std::vector<int>& counts = m_groups[size_t(g)];
        for (size_t c = 0; c < counts.size(); ++c)
            m_assigned[size_t(p)][c] += sign * counts[c];
    }

    bool tryMove(int g) {
        const int from = m_partOf[size_t(g)];
        const std::vector<int>& counts = m_groups[size_t(g)];
        const double removal = addDelta(from, counts, -1);
        for (int to = 0; to < kParts; ++to) {
            if (to == from || !m_allowed[size_t(to)])
                continue;
            if (removal + addDelta(to, counts, +1) < -1e-9) {
                place(g, from, -1);
                place(g, to, +1);
                m_partOf[size_t(g)] = to;
                return true;
            }
        }
        return false;
    }

    bool trySwap(int a, int b) {
        const int pa = m_partOf[size_t(a)], pb = m_partOf[size_t(b)];
        if (pa == pb)
            return false;
        const std::vector<int>& ca = m_groups[size_t(a)];
        const std::vector<int>& cb = m_groups[size_t(b)];
        double delta = 0;
        for (size_t c = 0; c < ca.size(); ++c) {
            const double d = double(cb[c] - ca[c]);
            if (d == 0)
                continue;
            const double beforeA = m_assigned[size_t(pa)][c] - m_target[size_t(pa)][c];
            const double beforeB = m_assigned[size_t(pb)][c] - m_target[size_t(pb)][c];
            delta += m_weight[c] * ((beforeA + d) * (beforeA + d) - beforeA * beforeA +
                                    (beforeB - d) * (beforeB - d) - beforeB * beforeB);
        }
        if (delta >= -1e-9)
            return false;
        place(a, pa, -1);
        place(b, pb, -1);
        place(a, pb, +1);
        place(b, pa, +1);
        m_partOf[size_t(a)] = pb;
        m_partOf[size_t(b)] = pa;
        return true;
    }

    std::vector<std::vector<int>> m_groups;
    std::vector<double> m_weight;
    std::array<bool, kParts> m_allowed{};
    std::array<std::vector<double>, kParts> m_target;
    std::array<std::vector<double>, kParts> m_assigned;
    std::vector<int> m_partOf;
};

} // namespace

QString partName(SplitPart part) {
    switch (part) {
    case SplitPart::Train:
        return QStringLiteral("train");
    case SplitPart::Validation:
        return QStringLiteral("validation");
    case SplitPart::Test:
        return QStringLiteral("test");
    }
    return {};
}

Split Split::make(const DatasetTable& table, const SplitSettings& settings,
                  const GroupAssignment* groups) {
    Split split;
    const std::vector<DatasetRow>& rows = table.rows();
    const int classCount = int(table.classNames().size());
    const int n = int(rows.size());
    split.m_parts.assign(size_t(n), SplitPart::Train);

    if (!settings.column.isEmpty()) {
        const int column = table.columnIndex(settings.column);
        if (column < 0) {
            split.m_error = QStringLiteral("there is no split column named '%1' (columns: %2)")
                                .arg(settings.column, table.columns().join(QStringLiteral(", ")));
            return split;
        }
        QStringList bad;
        int badCount = 0;
        for (int i = 0; i < n; ++i) {
            bool ok = false;
            split.m_parts[size_t(i)] = partFromText(rows[size_t(i)].values.value(column), ok);
            if (!ok && ++badCount <= 3)
                bad << QStringLiteral("line %1 has '%2'")
                           .arg(rows[size_t(i)].line)
                           .arg(rows[size_t(i)].values.value(column));
        }
        if (badCount > 0) {
            split.m_error =
                QStringLiteral("the split column '%1' must hold train, validation "
                               "or test: %2%3")
                    .arg(settings.column, bad.join(QStringLiteral(", ")),
                         badCount > 3 ? QStringLiteral(" and %1 more rows").arg(badCount - 3)
                                      : QString());
            split.m_parts.clear();
            return split;
        }
    } else {
        const std::array<int, kParts> percent = {settings.train, settings.validation,
                                                 settings.test};
        if (settings.train < 0 || settings.validation < 0 || settings.test < 0 ||
            settings.train + settings.validation + settings.test != 100) {
            split.m_error = QStringLiteral("the split percentages must add up to 100");
            split.m_parts.clear();
            return split;
        }
        // Strata: one per class, or a single one.
        const int strata = settings.stratify ? std::max(1, classCount) : 1;
        auto stratumOf = [&](const DatasetRow& row) {
            return settings.stratify ? std::max(0, row.classIndex) : 0;
        };
        // Row order independent of the CSV's: sort by path.
        std::vector<int> byPath(static_cast<size_t>(n));
        std::iota(byPath.begin(), byPath.end(), 0);
        std::sort(byPath.begin(), byPath.end(),
                  [&](int a, int b) { return rows[size_t(a)].path < rows[size_t(b)].path; });

        // Groups that do not fit the table would silently leak patients: refuse them.
        if (settings.grouped && groups && (!groups->ok() || int(groups->groupOfRow.size()) != n)) {
            split.m_error = groups->ok() ? QStringLiteral("the groups were assigned for another "
                                                          "table (%1 rows, not %2)")
                                               .arg(groups->groupOfRow.size())
                                               .arg(n)
                                         : groups->error;
            split.m_parts.clear();
            return split;
        }
        // Every row its own group is the ungrouped split, which is exact per class.
        const bool grouped = settings.grouped && groups && groups->groupCount < n;
        if (!grouped) {
            std::vector<std::vector<int>> members(static_cast<size_t>(strata));
            for (int i : byPath)
                members[size_t(stratumOf(rows[size_t(i)]))].push_back(i);
            for (int s = 0; s < strata; ++s) {
                std::vector<int>& list = members[size_t(s)];
                Random(Random::derive(settings.seed, kRowStream, std::uint64_t(s))).shuffle(list);
                const std::array<int, kParts> counts = cut(int(list.size()), percent);
                size_t next = 0;
                for (int p = 0; p < kParts; ++p)
                    for (int k = 0; k < counts[size_t(p)]; ++k)
                        split.m_parts[size_t(list[next++])] = SplitPart(p);
            }
        } else {
            QHash<QString, int> indexOfGroup;
            QStringList names;
            for (const QString& group : groups->groupOfRow)
                if (!indexOfGroup.contains(group)) {
                    indexOfGroup.insert(group, 0);
                    names << group;
                }
            names.sort();
            for (int g = 0; g < names.size(); ++g)
                indexOfGroup[names.at(g)] = g;
            std::vector<std::vector<int>> counts(size_t(names.size()),
                                                 std::vector<int>(size_t(strata), 0));
            std::vector<int> groupOfRow(static_cast<size_t>(n));
            for (int i = 0; i < n; ++i) {
                groupOfRow[size_t(i)] = indexOfGroup.value(groups->groupOfRow[size_t(i)]);
                ++counts[size_t(groupOfRow[size_t(i)])][size_t(stratumOf(rows[size_t(i)]))];
            }
            std::vector<int> order(static_cast<size_t>(names.size()));
            std::iota(order.begin(), order.end(), 0);
            Random(Random::derive(settings.seed, kGroupStream)).shuffle(order);
            const std::vector<int> partOfGroup = GroupPacker(counts, percent).solve(order);
            for (int i = 0; i < n; ++i)
                split.m_parts[size_t(i)] = SplitPart(partOfGroup[size_t(groupOfRow[size_t(i)])]);
        }
        for (int p = 0; p < kParts; ++p) {
            bool empty = true;
            for (SplitPart part : split.m_parts)
                empty = empty && part != SplitPart(p);
            if (percent[size_t(p)] > 0 && empty)
                split.m_warnings
                    << QStringLiteral("the %1 part is empty").arg(partName(SplitPart(p)));
        }
    }

    for (auto& counts : split.m_counts)
        counts.assign(size_t(classCount), 0);
    for (int i = 0; i < n; ++i) {
        const int classIndex = rows[size_t(i)].classIndex;
        if (classIndex >= 0 && classIndex < classCount)
            ++split.m_counts[size_t(split.m_parts[size_t(i)])][size_t(classIndex)];
    }
    for (int c = 0; c < classCount; ++c)
        if (split.m_counts[0][size_t(c)] == 0)
            split.m_warnings << QStringLiteral("class '%1' has no training images")
                                    .arg(table.classNames().at(c));
    return split;
}

std::vector<int> Split::rows(SplitPart part) const {
    std::vector<int> result;
    for (int i = 0; i < int(m_parts.size()); ++i)
        if (m_parts[size_t(i)] == part)
            result.push_back(i);
    return result;
}

int Split::count(SplitPart part) const {
    const auto& counts = m_counts[size_t(part)];
    return std::accumulate(counts.begin(), counts.end(), 0);
}

int Split::count(SplitPart part, int classIndex) const {
    const auto& counts = m_counts[size_t(part)];
    return classIndex >= 0 && classIndex < int(counts.size()) ? counts[size_t(classIndex)] : 0;
}

QJsonObject Split::toJson(const QStringList& classNames) const {
    QJsonObject json;
    for (int p = 0; p < kParts; ++p) {
        QJsonObject classes;
        for (int c = 0; c < classNames.size(); ++c)
            classes.insert(classNames.at(c), count(SplitPart(p), c));
        json.insert(partName(SplitPart(p)),
                    QJsonObject{{QStringLiteral("images"), count(SplitPart(p))},
                                {QStringLiteral("classes"), classes}});
    }
    return json;
}

QString Split::toText(const QStringList& classNames) const {
    QString text;
    for (int p = 0; p < kParts; ++p) {
        QStringList perClass;
        for (int c = 0; c < classNames.size(); ++c)
            perClass << QStringLiteral("%1 %2").arg(classNames.at(c)).arg(count(SplitPart(p), c));
        text += QStringLiteral("%1%2 images (%3)\n")
                    .arg(partName(SplitPart(p)).leftJustified(12))
                    .arg(count(SplitPart(p)), 6)
                    .arg(perClass.join(QStringLiteral(", ")));
    }
    return text;
}

} // namespace tc::data
