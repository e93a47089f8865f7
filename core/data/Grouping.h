#pragma once

#include "core/data/DataSettings.h"
#include "core/data/Diagnostic.h"

#include <optional>
#include <QString>
#include <vector>

namespace tc::data {

class DatasetTable;

/// The parts of a BreaKHis file name: SOB_<B|M>_<subtype>-<year>-<slide>-<magnification>-<seq>,
/// e.g. SOB_B_F-14-29960AB-400-015.png (benign fibroadenoma, 2014, slide 29960AB, 400×, 15).
struct BreakHisName {
    QString tumourClass;   ///< "B" (benign) or "M" (malignant)
    QString subtype;       ///< A, F, PT, TA (benign); DC, LC, MC, PC (malignant)
    QString year;          ///< "14"
    QString slide;         ///< "29960AB"
    QString magnification; ///< "40", "100", "200" or "400"
    QString sequence;      ///< "015"

    /// The patient: year and slide ("14-29960AB"), the group of a patient-aware split.
    QString patient() const { return year + QLatin1Char('-') + slide; }

    /// Parses a file name (a path is fine: only its last component is read).
    static std::optional<BreakHisName> parse(const QString& fileName);
};

/// The group of every row of a table, for a grouped split.
struct GroupAssignment {
    std::vector<QString> groupOfRow; ///< index = row index in DatasetTable::rows()
    int groupCount = 0;
    /// Rows whose group could not be found (GroupNotFound warnings); they are kept, each as
    /// a group of its own, so they can never leak across parts.
    std::vector<Diagnostic> warnings;
    QString error; ///< non-empty when the settings cannot be applied (e.g. no such column)

    bool ok() const { return error.isEmpty(); }
};

/// Assigns groups (patients) to rows.
class Grouping {
public:
    /// Groups for every usable row of `table`:
    /// - None: each row is its own group (its path);
    /// - BreakHis: the patient of the file name;
    /// - Column: the trimmed value of the column;
    /// - Regex: on the file name, the capture group named "group", else the first capture
    ///   group, else the whole match.
    static GroupAssignment assign(const DatasetTable& table, const GroupSettings& settings);

    /// Share of usable rows (0…1) whose file names are BreaKHis names: the Data Wizard warns
    /// when it is high but grouping is off, since images of one patient would then leak
    /// between training and validation.
    static double breakHisShare(const DatasetTable& table);
};

} // namespace tc::data
