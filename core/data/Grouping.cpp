#include "core/data/Grouping.h"

#include "core/data/DatasetTable.h"

#include <QRegularExpression>
#include <QSet>

namespace tc::data {

namespace {

QString fileNameOf(const QString& path) {
    QString name = path;
    name.replace(QLatin1Char('\\'), QLatin1Char('/'));
    return name.mid(name.lastIndexOf(QLatin1Char('/')) + 1);
}

const QRegularExpression& breakHisPattern() {
    // SOB_<class>_<subtype>-<year>-<slide>-<magnification>-<sequence>.<extension>
    static const QRegularExpression pattern(
        QStringLiteral(R"(^SOB_([BM])_([A-Z]+)-(\d+)-([0-9A-Za-z]+)-(\d+)-(\d+)\.[A-Za-z0-9]+$)"));
    return pattern;
}

} // namespace

std::optional<BreakHisName> BreakHisName::parse(const QString& fileName) {
    const QRegularExpressionMatch match = breakHisPattern().match(fileNameOf(fileName));
    if (!match.hasMatch())
        return std::nullopt;
    BreakHisName name;
    name.tumourClass = match.captured(1);
    name.subtype = match.captured(2);
    name.year = match.captured(3);
    name.slide = match.captured(4);
    name.magnification = match.captured(5);
    name.sequence = match.captured(6);
    return name;
}

GroupAssignment Grouping::assign(const DatasetTable& table, const GroupSettings& settings) {
    GroupAssignment result;
    const std::vector<DatasetRow>& rows = table.rows();
    result.groupOfRow.reserve(rows.size());

    int column = -1;
    QRegularExpression regex;
    int captureIndex = 0;
    if (settings.mode == GroupSettings::Mode::Column) {
        column = table.columnIndex(settings.column);
        if (column < 0) {
            result.error = QStringLiteral("there is no group column named '%1' (columns: %2)")
                               .arg(settings.column, table.columns().join(QStringLiteral(", ")));
            return result;
        }
    } else if (settings.mode == GroupSettings::Mode::Regex) {
        regex.setPattern(settings.pattern);
        if (!regex.isValid()) {
            result.error = QStringLiteral("the group pattern '%1' is not a valid regular "
                                          "expression: %2")
                               .arg(settings.pattern, regex.errorString());
            return result;
        }
        const int named = int(regex.namedCaptureGroups().indexOf(QStringLiteral("group")));
        captureIndex = named > 0 ? named : regex.captureCount() >= 1 ? 1 : 0;
    }

    auto ungrouped = [&](const DatasetRow& row, const QString& why) -> QString {
        result.warnings.push_back(
            {table.kind() == DatasetTable::SourceKind::Csv ? table.source() : row.absolutePath,
             row.line, DiagnosticCode::GroupNotFound, Severity::Warning,
             QStringLiteral("'%1' %2; it is kept as a group of its own").arg(row.path, why)});
        // A prefix no real group value can produce keeps these apart from real groups.
        return QStringLiteral("\x01row:") + row.path;
    };

    for (const DatasetRow& row : rows) {
        QString group;
        switch (settings.mode) {
        case GroupSettings::Mode::None:
            group = QStringLiteral("\x01row:") + row.path;
            break;
        case GroupSettings::Mode::BreakHis: {
            const auto name = BreakHisName::parse(row.path);
            group = name ? name->patient()
                         : ungrouped(row, QStringLiteral("is not a BreaKHis file name "
                                                         "(SOB_<B|M>_<type>-<year>-<patient>-"
                                                         "<magnification>-<seq>)"));
            break;
        }
        case GroupSettings::Mode::Column: {
            group = row.values.value(column).trimmed();
            if (group.isEmpty())
                group = ungrouped(row, QStringLiteral("has an empty group"));
            break;
        }
        case GroupSettings::Mode::Regex: {
            const QRegularExpressionMatch match = regex.match(fileNameOf(row.path));
            group = match.hasMatch() ? match.captured(captureIndex) : QString();
            if (group.isEmpty())
                group = ungrouped(row, QStringLiteral("does not match the group pattern"));
            break;
        }
        }
        result.groupOfRow.push_back(group);
    }
    result.groupCount =
        int(QSet<QString>(result.groupOfRow.begin(), result.groupOfRow.end()).size());
    return result;
}

double Grouping::breakHisShare(const DatasetTable& table) {
    const std::vector<DatasetRow>& rows = table.rows();
    if (rows.empty())
        return 0.0;
    int matches = 0;
    for (const DatasetRow& row : rows)
        matches += BreakHisName::parse(row.path).has_value() ? 1 : 0;
    return double(matches) / double(rows.size());
}

} // namespace tc::data
