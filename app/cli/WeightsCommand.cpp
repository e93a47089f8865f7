// torchcanvas weights list | fetch VARIANT | import FILE

#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/nn/WeightDownloader.h"
#include "core/nn/WeightStore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace tc::cli {

namespace {

const QString kCommand = QStringLiteral("weights");

QString megabytes(qint64 bytes) {
    return QString::number(double(bytes) / 1e6, 'f', 1) + QStringLiteral(" MB");
}

int listWeights(const nn::WeightStore& store, bool json) {
    const QList<nn::StoredWeights> stored = store.list();
    if (json) {
        QJsonArray variants;
        for (const nn::WeightVariant& variant : nn::weightVariants()) {
            QJsonObject entry{{QStringLiteral("id"), variant.id},
                              {QStringLiteral("torchvision"), variant.torchvision},
                              {QStringLiteral("file"), variant.fileName},
                              {QStringLiteral("present"), store.isPresent(variant)}};
            if (store.isPresent(variant))
                entry.insert(QStringLiteral("path"), store.pathOf(variant));
            variants.append(entry);
        }
        QJsonArray imported;
        for (const nn::StoredWeights& file : stored) {
            if (file.variant)
                continue;
            imported.append(QJsonObject{
                {QStringLiteral("path"), file.path},
                {QStringLiteral("model"), file.depth ? nn::resNetName(*file.depth) : QString()},
                {QStringLiteral("bytes"), file.size}});
        }
        const QJsonObject root{{QStringLiteral("directory"), store.directory()},
                               {QStringLiteral("variants"), variants},
                               {QStringLiteral("imported"), imported}};
        out() << QJsonDocument(root).toJson(QJsonDocument::Indented);
        out().flush();
        return ExitOk;
    }
    out() << "Weights folder: " << store.directory() << "\n\n";
    for (const nn::WeightVariant& variant : nn::weightVariants()) {
        const bool present = store.isPresent(variant);
        out() << "  " << variant.id.leftJustified(14) << (present ? "present  " : "missing  ")
              << variant.fileName.leftJustified(24) << variant.description << '\n';
    }
    bool anyImported = false;
    for (const nn::StoredWeights& file : stored) {
        if (file.variant)
            continue;
        if (!anyImported)
            out() << "\nImported:\n";
        anyImported = true;
        out() << "  " << file.fileName.leftJustified(38)
              << (file.depth ? nn::resNetName(*file.depth) : QStringLiteral("(unknown model)"))
              << "  " << megabytes(file.size) << '\n';
    }
    out() << "\nGet one with 'torchcanvas weights fetch VARIANT', or without network access "
             "download it elsewhere and run 'torchcanvas weights import FILE'.\n";
    out().flush();
    return ExitOk;
}

/// A one-line progress bar on stderr, redrawn at most ~10 times a second.
class ProgressBar {
public:
    explicit ProgressBar(const QString& label)
        : label_(label) {
        timer_.start();
    }

    void update(qint64 received, qint64 total) {
        if (timer_.elapsed() - lastDraw_ < 100 && received != total)
            return;
        lastDraw_ = timer_.elapsed();
        drawn_ = true;
        QString line = QStringLiteral("\r%1 ").arg(label_);
        if (total > 0) {
            constexpr int kWidth = 30;
            const int filled = int(kWidth * double(received) / double(total));
            line += QLatin1Char('[') + QString(filled, QLatin1Char('#')) +
                    QString(kWidth - filled, QLatin1Char(' ')) +
                    QStringLiteral("] %1% of %2")
                        .arg(int(100.0 * double(received) / double(total)), 3)
                        .arg(megabytes(total));
        } else {
            line += megabytes(received);
        }
        err() << line;
        err().flush();
    }

    void finish() {
        if (drawn_) {
            err() << '\n';
            err().flush();
        }
    }

private:
    QString label_;
    QElapsedTimer timer_;
    qint64 lastDraw_ = -1000;
    bool drawn_ = false;
};

int fetchWeights(const nn::WeightStore& store, const QString& name, const QString& baseUrl,
                 bool quiet) {
    const std::optional<nn::WeightVariant> variant = nn::findWeightVariant(name);
    if (!variant) {
        QStringList ids;
        for (const nn::WeightVariant& known : nn::weightVariants())
            ids << known.id;
        return fail(kCommand,
                    QStringLiteral("unknown variant '%1' (known: %2)")
                        .arg(name, ids.join(QStringLiteral(", "))),
                    ExitUsage);
    }
    ProgressBar bar(variant->fileName);
    nn::WeightDownloader::Options options;
    options.baseUrl = baseUrl;
    if (!quiet)
        options.progress = [&bar](qint64 received, qint64 total) {
            bar.update(received, total);
        };
    const nn::WeightDownloader::Result result =
        nn::WeightDownloader::fetch(*variant, store, options);
    bar.finish();
    if (!result.ok)
        return fail(kCommand, result.error);
    out() << (result.reused ? QStringLiteral("%1: already present at %2")
                            : QStringLiteral("%1: saved %2"))
                 .arg(variant->id, result.path)
          << Qt::endl;
    return ExitOk;
}

int importWeights(const nn::WeightStore& store, const QString& file) {
    const nn::WeightStore::ImportResult result = store.importFile(file);
    if (!result.ok)
        return fail(kCommand, result.message);
    out() << result.message << Qt::endl;
    return ExitOk;
}

} // namespace

int runWeights(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Pretrained ImageNet weights for the ResNet backbones.\n\n"
        "  list            the known variants, which are present, imported files\n"
        "  fetch VARIANT   download torchvision's file (e.g. resnet50, resnet50-v2),\n"
        "                  check its SHA-256 and keep it in the weights folder\n"
        "  import FILE     check a .pth or .safetensors ResNet state dict and copy\n"
        "                  it into the weights folder"));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list, fetch or import"),
                                 QStringLiteral("list|fetch VARIANT|import FILE"));
    const QCommandLineOption dirOption(
        QStringLiteral("dir"),
        QStringLiteral(
            "Weights folder (default: the user data folder, or TORCHCANVAS_WEIGHTS_DIR)."),
        QStringLiteral("DIR"));
    const QCommandLineOption urlOption(
        QStringLiteral("base-url"),
        QStringLiteral("Download folder URL (default: torchvision's, or TORCHCANVAS_WEIGHTS_URL)."),
        QStringLiteral("URL"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("list: machine-readable output."));
    const QCommandLineOption quietOption(QStringLiteral("quiet"),
                                         QStringLiteral("fetch: no progress bar."));
    parser.addOptions({dirOption, urlOption, jsonOption, quietOption});
    if (const auto exit = parse(parser, kCommand, arguments))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    const nn::WeightStore store(parser.value(dirOption));
    const QString action = positional.value(0);
    if (action == QLatin1String("list") && positional.size() == 1)
        return listWeights(store, parser.isSet(jsonOption));
    if (action == QLatin1String("fetch") && positional.size() == 2)
        return fetchWeights(store, positional.at(1), parser.value(urlOption),
                            parser.isSet(quietOption));
    if (action == QLatin1String("import") && positional.size() == 2)
        return importWeights(store, positional.at(1));
    if (action.isEmpty())
        return fail(kCommand, QStringLiteral("say what to do: list, fetch VARIANT or import FILE"),
                    ExitUsage);
    if (action == QLatin1String("fetch") || action == QLatin1String("import"))
        return fail(kCommand, QStringLiteral("'%1' takes exactly one argument").arg(action),
                    ExitUsage);
    if (action == QLatin1String("list"))
        return fail(kCommand, QStringLiteral("'list' takes no arguments"), ExitUsage);
    return fail(
        kCommand,
        QStringLiteral("unknown action '%1' (use list, fetch VARIANT or import FILE)").arg(action),
        ExitUsage);
}

} // namespace tc::cli
