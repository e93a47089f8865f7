#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "core/data/Batcher.h"
#include "core/data/DataSettings.h"
#include "core/nn/FeatureExtractor.h"
#include "core/util/Npy.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>
#include <torch/torch.h>
#include <unistd.h>

namespace tc::cli {

namespace {

const QString kCommand = QStringLiteral("embed");

bool writeCsv(const QString& path, const QStringList& images, const std::vector<float>& features,
              int columns, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QTextStream out(&file);
    out.setRealNumberNotation(QTextStream::SmartNotation);
    out.setRealNumberPrecision(9); // round-trips a float exactly
    out << "path";
    for (int c = 0; c < columns; ++c)
        out << ",f" << c;
    out << '\n';
    for (int row = 0; row < images.size(); ++row) {
        QString quoted = images[row];
        quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        out << '"' << quoted << '"';
        const float* values = features.data() + size_t(row) * size_t(columns);
        for (int c = 0; c < columns; ++c)
            out << ',' << values[c];
        out << '\n';
    }
    out.flush();
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

int runEmbed(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Computes backbone features for images, after exactly the training preprocessing "
        "(OpenCV decode, resize, ImageNet normalisation). Writes a CSV (path, f0…) or a .npy "
        "float32 matrix with the image paths in FILE.npy.txt, one per row."));
    parser.addPositionalArgument(QStringLiteral("images"),
                                 QStringLiteral("Image files or folders (searched recursively)."),
                                 QStringLiteral("IMAGE_OR_DIR..."));
    const QCommandLineOption backboneOption(
        QStringLiteral("backbone"), QStringLiteral("resnet18, 34, 50 (default), 101 or 152."),
        QStringLiteral("NAME"), QStringLiteral("resnet50"));
    const QCommandLineOption weightsOption(
        QStringLiteral("weights"),
        QStringLiteral("A weights file (.pth or .safetensors); default: the weights folder's."),
        QStringLiteral("FILE"));
    const QCommandLineOption randomOption(
        QStringLiteral("random-weights"),
        QStringLiteral("Use a randomly initialised backbone (for testing pipelines)."));
    const QCommandLineOption seedOption(
        QStringLiteral("seed"),
        QStringLiteral("Seed of the random initialisation with --random-weights (default 42)."),
        QStringLiteral("S"), QStringLiteral("42"));
    const QCommandLineOption precisionOption(QStringLiteral("precision"),
                                             QStringLiteral("fp32, bf16 or auto (default)."),
                                             QStringLiteral("P"), QStringLiteral("auto"));
    const QCommandLineOption batchOption(QStringLiteral("batch-size"),
                                         QStringLiteral("Images per batch (default 32)."),
                                         QStringLiteral("B"), QStringLiteral("32"));
    const QCommandLineOption sizeOption(QStringLiteral("size"),
                                        QStringLiteral("Input size WxH (default 224x224)."),
                                        QStringLiteral("WxH"), QStringLiteral("224x224"));
    const QCommandLineOption poolingOption(QStringLiteral("pooling"),
                                           QStringLiteral("avg (default) or max."),
                                           QStringLiteral("P"), QStringLiteral("avg"));
    const QCommandLineOption outOption(QStringLiteral("out"),
                                       QStringLiteral("Output FILE.csv or FILE.npy."),
                                       QStringLiteral("FILE"));
    parser.addOptions({backboneOption, weightsOption, randomOption, seedOption, precisionOption,
                       batchOption, sizeOption, poolingOption, outOption});
    if (const auto exit = parse(parser, kCommand, arguments))
        return *exit;

    const QString outPath = parser.value(outOption);
    const QString suffix = QFileInfo(outPath).suffix().toLower();
    if (outPath.isEmpty() || (suffix != QLatin1String("csv") && suffix != QLatin1String("npy")))
        return fail(kCommand, QStringLiteral("--out FILE.csv or --out FILE.npy is required"),
                    ExitUsage);
    if (parser.positionalArguments().isEmpty())
        return fail(kCommand, QStringLiteral("no images given (see 'torchcanvas embed --help')"),
                    ExitUsage);

    tc::nn::FeatureExtractorOptions options;
    const auto depth = tc::nn::parseResNetDepth(parser.value(backboneOption));
    if (!depth)
        return fail(kCommand,
                    QStringLiteral("unknown --backbone '%1' (resnet18, resnet34, "
                                   "resnet50, resnet101, resnet152)")
                        .arg(parser.value(backboneOption)),
                    ExitUsage);
    options.depth = *depth;
    const auto precision = tc::nn::parsePrecision(parser.value(precisionOption));
    if (!precision)
        return fail(kCommand, QStringLiteral("--precision must be fp32, bf16 or auto"), ExitUsage);
    options.precision = *precision;
    const auto pooling = tc::nn::parsePooling(parser.value(poolingOption));
    if (!pooling || *pooling == tc::nn::Pooling::None)
        return fail(kCommand, QStringLiteral("--pooling must be avg or max"), ExitUsage);
    options.pooling = *pooling;
    options.pretrained = !parser.isSet(randomOption);
    options.weightsFile = parser.value(weightsOption);
    bool ok = false;
    options.seed = parser.value(seedOption).toULongLong(&ok);
    if (!ok)
        return fail(kCommand, QStringLiteral("--seed must be a non-negative integer"), ExitUsage);
    const int batchSize = parser.value(batchOption).toInt(&ok);
    if (!ok || batchSize < 1 || batchSize > 4096)
        return fail(kCommand, QStringLiteral("--batch-size must be between 1 and 4096"), ExitUsage);
    tc::data::PreprocessingSettings preprocessing;
    const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
    bool widthOk = false;
    bool heightOk = false;
    if (size.size() == 2) {
        preprocessing.width = size[0].toInt(&widthOk);
        preprocessing.height = size[1].toInt(&heightOk);
    }
    if (!widthOk || !heightOk || preprocessing.width < 32 || preprocessing.height < 32 ||
        preprocessing.width > tc::data::PreprocessingSettings::kMaxSide ||
        preprocessing.height > tc::data::PreprocessingSettings::kMaxSide)
        return fail(kCommand,
                    QStringLiteral("--size must be WxH with sides from 32 to %1")
                        .arg(tc::data::PreprocessingSettings::kMaxSide),
                    ExitUsage);

    QStringList problems;
    const QStringList images = collectImageFiles(parser.positionalArguments(), &problems);
    for (const QString& problem : problems)
        err() << "warning: " << problem << '\n';
    if (images.isEmpty())
        return fail(kCommand, QStringLiteral("no images found in the arguments"));

    tc::nn::FeatureExtractor extractor(options);
    if (!extractor.isValid())
        return fail(kCommand, extractor.errorString());
    err() << "backbone: " << extractor.weightsStatus().summary() << '\n';
    if (!extractor.weightsStatus().isPretrained())
        err() << "seed: " << options.seed << '\n';
    err() << "engine: " << extractor.engineDescription() << '\n';
    err().flush();

    std::vector<tc::data::BatchSample> samples;
    for (const QString& image : images)
        samples.push_back({image, -1});
    tc::data::BatcherOptions batcherOptions;
    batcherOptions.batchSize = batchSize;
    batcherOptions.channelsLast = true;
    tc::data::Batcher batcher(samples, preprocessing, batcherOptions);

    const int columns = extractor.featureCount();
    std::vector<float> features;
    QStringList written;
    QStringList failures;
    QElapsedTimer clock;
    clock.start();
    const bool interactive = isatty(STDERR_FILENO) == 1;
    qint64 done = 0;
    while (auto batch = batcher.next()) {
        for (const auto& failure : batch->failures)
            failures << failure.message;
        done += static_cast<qint64>(batch->sampleIndices.size() + batch->failures.size());
        if (batch->images.size(0) > 0) {
            torch::NoGradGuard noGrad;
            const torch::Tensor result = extractor.extract(batch->images).contiguous();
            const float* data = result.data_ptr<float>();
            features.insert(features.end(), data, data + result.numel());
            for (const std::int64_t index : batch->sampleIndices)
                written << samples[size_t(index)].path;
        }
        const double seconds = clock.nsecsElapsed() / 1e9;
        const QString line = QStringLiteral("[embed] %1/%2 images · %3 img/s")
                                 .arg(done)
                                 .arg(samples.size())
                                 .arg(seconds > 0 ? done / seconds : 0.0, 0, 'f', 1);
        if (interactive)
            err() << '\r' << line << (done == qint64(samples.size()) ? "\n" : "");
        else if (done == qint64(samples.size()))
            err() << line << '\n';
        err().flush();
    }

    QString error;
    if (!written.isEmpty()) {
        const bool saved =
            suffix == QLatin1String("csv")
                ? writeCsv(outPath, written, features, columns, &error)
                : tc::util::writeNpy(outPath, features.data(), written.size(), columns, &error) &&
                      tc::util::writeLines(outPath + QStringLiteral(".txt"), written, &error);
        if (!saved)
            return fail(kCommand, error);
        err() << "wrote " << written.size() << " × " << columns << " features to " << outPath
              << '\n';
    }
    if (!failures.isEmpty()) {
        for (const QString& failure : failures)
            err() << "error: " << failure << '\n';
        return fail(kCommand, QStringLiteral("%1 of %2 image(s) could not be read (listed above)")
                                  .arg(failures.size())
                                  .arg(samples.size()));
    }
    return ExitOk;
}

} // namespace tc::cli
