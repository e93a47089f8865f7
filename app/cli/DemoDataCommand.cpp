// `torchcanvas demo-data DIR`: the synthetic histology data set (core/data/SyntheticHistology).

#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/data/SyntheticHistology.h"
#include "core/graph/ExampleProject.h"

#include <limits>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextStream>

namespace tc::cli {

namespace {

const QString kCommand = QStringLiteral("demo-data");

/// Parses a non-negative integer option; std::nullopt (and a message) when it is not one.
std::optional<qint64> integerOption(const QCommandLineParser& parser, const QString& name,
                                    qint64 fallback, QString& problem) {
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const qint64 value = parser.value(name).toLongLong(&ok);
    if (!ok || value < 0) {
        problem = QStringLiteral("--%1 must be a whole number of 0 or more, not '%2'")
                      .arg(name, parser.value(name));
        return std::nullopt;
    }
    return value;
}

} // namespace

int runDemoData(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Generates the SYNTHETIC histology demo data set: H&E-like PNGs in the "
                       "BreaKHis layout (DIR/data/train/<benign|malignant>/SOB_...png) and "
                       "DIR/dataset.csv (header images,labels). Not real tissue, not patient "
                       "data."));
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Output folder."));
    const data::SyntheticHistologyOptions defaults;
    parser.addOptions({
        {QStringLiteral("benign"),
         QStringLiteral("Benign images (default %1).").arg(defaults.benign), QStringLiteral("N")},
        {QStringLiteral("malignant"),
         QStringLiteral("Malignant images (default %1).").arg(defaults.malignant),
         QStringLiteral("N")},
        {QStringLiteral("size"),
         QStringLiteral("Image size (default %1x%2).").arg(defaults.width).arg(defaults.height),
         QStringLiteral("WxH")},
        {QStringLiteral("patients"),
         QStringLiteral("Patients, split between the classes (default %1).").arg(defaults.patients),
         QStringLiteral("N")},
        {QStringLiteral("seed"), QStringLiteral("Random seed (default %1).").arg(defaults.seed),
         QStringLiteral("S")},
        {QStringLiteral("difficulty"),
         QStringLiteral("0..1, class overlap: accuracy tops out near 1 - D/2 (default %1).")
             .arg(data::SyntheticHistology::kDefaultDifficulty),
         QStringLiteral("D")},
        {QStringLiteral("threads"), QStringLiteral("Worker threads (default: one per core)."),
         QStringLiteral("N")},
        {QStringLiteral("force"), QStringLiteral("Overwrite a demo data set already in DIR.")},
        {QStringLiteral("quiet"), QStringLiteral("Print only the final line.")},
        {QStringLiteral("with-project"),
         QStringLiteral("Also write DIR/%1, the example project (ResNet50 → Dense 128 → Dense "
                        "64 → Dense 2) reading this data set.")
             .arg(graph::exampleProjectFileName())},
    });
    if (const auto exit = parse(parser, kCommand, arguments))
        return *exit;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(
            kCommand,
            positional.isEmpty()
                ? QStringLiteral("missing the output folder DIR (see "
                                 "'torchcanvas demo-data --help')")
                : QStringLiteral("expected one output folder, got %1").arg(positional.size()),
            ExitUsage);

    data::SyntheticHistologyOptions options;
    options.directory = positional.front();
    options.overwrite = parser.isSet(QStringLiteral("force"));
    QString problem;
    const auto benign = integerOption(parser, QStringLiteral("benign"), defaults.benign, problem);
    const auto malignant =
        integerOption(parser, QStringLiteral("malignant"), defaults.malignant, problem);
    const auto patients =
        integerOption(parser, QStringLiteral("patients"), defaults.patients, problem);
    const auto threads = integerOption(parser, QStringLiteral("threads"), 0, problem);
    if (!benign || !malignant || !patients || !threads)
        return fail(kCommand, problem, ExitUsage);
    constexpr qint64 kIntMax = std::numeric_limits<int>::max();
    options.benign = int(std::min(*benign, kIntMax));
    options.malignant = int(std::min(*malignant, kIntMax));
    options.patients = int(std::min(*patients, kIntMax));
    options.threads = int(std::min(*threads, qint64(1024)));
    if (parser.isSet(QStringLiteral("seed"))) {
        bool ok = false;
        options.seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            return fail(kCommand,
                        QStringLiteral("--seed must be a whole number of 0 or more, not '%1'")
                            .arg(parser.value(QStringLiteral("seed"))),
                        ExitUsage);
    }
    if (parser.isSet(QStringLiteral("difficulty"))) {
        bool ok = false;
        options.difficulty = parser.value(QStringLiteral("difficulty")).toDouble(&ok);
        if (!ok || !(options.difficulty >= 0 && options.difficulty <= 1))
            return fail(kCommand,
                        QStringLiteral("--difficulty must be a number from 0 to 1, not '%1'")
                            .arg(parser.value(QStringLiteral("difficulty"))),
                        ExitUsage);
    }
    if (parser.isSet(QStringLiteral("size"))) {
        static const QRegularExpression sizePattern(QStringLiteral(R"(^(\d{1,5})[xX](\d{1,5})$)"));
        const QRegularExpressionMatch match =
            sizePattern.match(parser.value(QStringLiteral("size")));
        if (!match.hasMatch())
            return fail(kCommand,
                        QStringLiteral("--size must look like 700x460, not '%1'")
                            .arg(parser.value(QStringLiteral("size"))),
                        ExitUsage);
        options.width = match.captured(1).toInt();
        options.height = match.captured(2).toInt();
    }
    if (const QString invalid = data::SyntheticHistology::validate(options); !invalid.isEmpty())
        return fail(kCommand, invalid, ExitUsage);

    const bool quiet = parser.isSet(QStringLiteral("quiet"));
    const int total = options.benign + options.malignant;
    if (!quiet) {
        out() << "Generating " << total << " SYNTHETIC histology images (" << options.benign
              << " benign, " << options.malignant << " malignant, " << options.width << "x"
              << options.height << ", seed " << options.seed << ", difficulty "
              << options.difficulty << ") into " << options.directory << Qt::endl;
    }
    QElapsedTimer timer;
    timer.start();
    qint64 lastReport = 0;
    int lastDone = 0;
    auto progress = [&](int done, int count) {
        // About once a second, and at the end.
        const qint64 elapsed = timer.elapsed();
        if (quiet || done == lastDone || (done < count && elapsed - lastReport < 1000))
            return;
        lastReport = elapsed;
        lastDone = done;
        const double seconds = std::max(1e-3, double(elapsed) / 1000.0);
        out() << QStringLiteral("  %1/%2 images (%3 %), %4 images/s")
                     .arg(done)
                     .arg(count)
                     .arg(100 * done / std::max(1, count))
                     .arg(done / seconds, 0, 'f', 0)
              << Qt::endl;
    };
    const data::SyntheticHistologyResult result =
        data::SyntheticHistology::generate(options, progress);
    if (!result.ok())
        return fail(kCommand, result.error);
    out() << QStringLiteral("Wrote %1 SYNTHETIC images (%2 benign, %3 malignant; %4 + %5 "
                            "patients) and %6 in %7 s (%8 images/s). Not real patient data.")
                 .arg(result.images)
                 .arg(options.benign)
                 .arg(options.malignant)
                 .arg(result.benignPatients)
                 .arg(result.malignantPatients)
                 .arg(result.csvPath)
                 .arg(result.seconds, 0, 'f', 1)
                 .arg(result.images / std::max(1e-3, result.seconds), 0, 'f', 0)
          << Qt::endl;
    if (parser.isSet(QStringLiteral("with-project"))) {
        const QString project = QDir(options.directory).filePath(graph::exampleProjectFileName());
        QString error;
        if (!graph::writeExampleProject(project, result.csvPath, &error))
            return fail(kCommand, error);
        out() << QStringLiteral("Wrote the example project %1; train it with: torchcanvas train "
                                "%1 (or open it in the editor).")
                     .arg(QDir::toNativeSeparators(QFileInfo(project).absoluteFilePath()))
              << Qt::endl;
    }
    return ExitOk;
}

} // namespace tc::cli
