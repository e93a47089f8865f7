// `torchcanvas data check CSV_OR_FOLDER [--json]`: import a data set and report what was found
// (core/data/DatasetTable).

#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/data/DatasetTable.h"
#include "core/data/Grouping.h"

#include <cstdio>
#include <opencv2/core/utils/logger.hpp>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#if defined(Q_OS_UNIX)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace tc::cli {

namespace {

const QString kCommand = QStringLiteral("data");

/// While it lives, stderr goes nowhere. libpng and libjpeg print their complaints about a
/// corrupt file straight to stderr ("libpng error: IDAT: ..."), past OpenCV's logger; the
/// report names every such file with its line, so their lines would only be noise.
class QuietStderr {
public:
    QuietStderr() {
#if defined(Q_OS_UNIX)
        std::fflush(stderr);
        m_saved = ::dup(STDERR_FILENO);
        const int null = ::open("/dev/null", O_WRONLY);
        if (m_saved >= 0 && null >= 0)
            ::dup2(null, STDERR_FILENO);
        if (null >= 0)
            ::close(null);
#endif
    }
    ~QuietStderr() {
#if defined(Q_OS_UNIX)
        std::fflush(stderr);
        if (m_saved >= 0) {
            ::dup2(m_saved, STDERR_FILENO);
            ::close(m_saved);
        }
#endif
    }
    QuietStderr(const QuietStderr&) = delete;
    QuietStderr& operator=(const QuietStderr&) = delete;

private:
    int m_saved = -1;
};

data::DatasetTable importQuietly(const QString& source, const data::ImportOptions& options) {
    const QuietStderr quiet;
    return data::DatasetTable::import(source, options);
}

int runCheck(const QStringList& arguments) {
    const QString command = QStringLiteral("data check");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Imports a data set - a CSV (header images,labels; paths relative to the "
                       "CSV) or a folder with one sub-folder per class - and prints a summary "
                       "and every problem with its line. Exits 0 when at least two classes "
                       "have usable images."));
    parser.addPositionalArgument(QStringLiteral("CSV_OR_FOLDER"),
                                 QStringLiteral("The data set to check."));
    parser.addOptions({
        {QStringLiteral("json"), QStringLiteral("Print the report as JSON.")},
        {QStringLiteral("image-column"),
         QStringLiteral("Column holding the image paths (default: detected)."),
         QStringLiteral("NAME")},
        {QStringLiteral("label-column"),
         QStringLiteral("Column holding the labels (default: detected)."), QStringLiteral("NAME")},
        {QStringLiteral("quick"),
         QStringLiteral("Check image headers and completeness only; skip the full decode.")},
    });
    if (const auto exit = parse(parser, command, arguments))
        return *exit;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(
            command,
            positional.isEmpty()
                ? QStringLiteral("missing CSV_OR_FOLDER (see 'torchcanvas data check "
                                 "--help')")
                : QStringLiteral("expected one CSV file or folder, got %1").arg(positional.size()),
            ExitUsage);

    // OpenCV logs decoder complaints about corrupt files; the report says it better.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    data::ImportOptions options;
    options.imageColumn = parser.value(QStringLiteral("image-column"));
    options.labelColumn = parser.value(QStringLiteral("label-column"));
    options.check =
        parser.isSet(QStringLiteral("quick")) ? data::ImageCheck::Header : data::ImageCheck::Decode;
    const data::DatasetTable table = importQuietly(positional.front(), options);
    const double breakHis = data::Grouping::breakHisShare(table);
    int patients = 0;
    if (breakHis >= 0.5) {
        data::GroupSettings groups;
        groups.mode = data::GroupSettings::Mode::BreakHis;
        patients = data::Grouping::assign(table, groups).groupCount;
    }

    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject report = table.toJson();
        report.insert(QStringLiteral("fingerprint"), table.fingerprint());
        if (patients > 0)
            report.insert(QStringLiteral("breakHisPatients"), patients);
        out() << QJsonDocument(report).toJson(QJsonDocument::Indented);
        out().flush();
    } else {
        const QString kind = table.kind() == data::DatasetTable::SourceKind::Csv
                                 ? QStringLiteral("CSV")
                                 : QStringLiteral("folder");
        out() << "Data set: " << table.source() << " (" << kind;
        if (table.imageColumn() >= 0 && table.labelColumn() >= 0)
            out() << "; images: '" << table.columns().at(table.imageColumn()) << "', labels: '"
                  << table.columns().at(table.labelColumn()) << "'";
        out() << ")\n";
        if (!table.columns().isEmpty() && (!table.rows().empty() || !table.diagnostics().empty()))
            out() << table.summary().toText() << '\n';
        if (patients > 0)
            out() << "Patients: " << patients << " (from BreaKHis file names)\n";
        if (!table.rows().empty())
            out() << "Fingerprint: " << table.fingerprint() << '\n';
        if (!table.diagnostics().empty()) {
            out() << "Problems (" << table.diagnostics().size() << "):\n";
            for (const QString& line : data::collapsedDiagnostics(table.diagnostics()))
                out() << "  " << line << '\n';
        }
        if (table.isUsable())
            out() << "OK: " << table.classNames().size() << " classes with " << table.rows().size()
                  << " usable images.\n";
        out().flush();
    }
    if (!table.isUsable())
        return fail(command, table.problem()->message);
    return ExitOk;
}

} // namespace

int runData(const QStringList& arguments) {
    if (arguments.isEmpty() || arguments.front() == QLatin1String("--help") ||
        arguments.front() == QLatin1String("-h")) {
        if (arguments.isEmpty())
            return fail(kCommand,
                        QStringLiteral("missing the action: 'torchcanvas data check "
                                       "CSV_OR_FOLDER [--json]'"),
                        ExitUsage);
        out() << "Usage: torchcanvas data check CSV_OR_FOLDER [--json]\n\n"
              << "Actions:\n"
              << "  check   Import a data set and report classes, image sizes and every "
                 "problem with its line.\n";
        out().flush();
        return ExitOk;
    }
    const QString action = arguments.front();
    if (action == QLatin1String("check"))
        return runCheck(arguments.mid(1));
    return fail(kCommand, QStringLiteral("unknown action '%1' (expected 'check')").arg(action),
                ExitUsage);
}

} // namespace tc::cli
