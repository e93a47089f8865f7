// Frozen-backbone throughput of TorchCanvas's FeatureExtractor, and this CPU's measured
// convolution peak. Run through tests/benchmarks/run_backbone_benchmark.sh, which puts the
// Python peer (torchvision) in the same run.
//
//   bench_backbone [--depth 50] [--batch 32] [--size 224] [--iterations 5]
//                  [--threads N] [--engines onednn,libtorch] [--precisions fp32,bf16]
//                  [--peak]
//
// Prints one JSON object per line: {"config": ..., "images_per_second": best, "median": ...,
// "gflops": ...} and, with --peak, the fp32/bf16 3×3 convolution peaks.

#include "core/nn/FeatureExtractor.h"
#include "core/nn/PrecisionPolicy.h"
#include "core/util/Runtime.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <sys/resource.h>
#include <torch/torch.h>

using namespace tc::nn;

namespace {

/// Multiply-accumulates of a torchvision ResNet forward at 224×224 (conv + fc), ×2 for FLOPs.
double gigaFlopsPerImage(ResNetDepth depth, int size) {
    double gmacs = 0;
    switch (depth) {
    case ResNetDepth::ResNet18:
        gmacs = 1.814;
        break;
    case ResNetDepth::ResNet34:
        gmacs = 3.664;
        break;
    case ResNetDepth::ResNet50:
        gmacs = 4.089;
        break;
    case ResNetDepth::ResNet101:
        gmacs = 7.801;
        break;
    case ResNetDepth::ResNet152:
        gmacs = 11.514;
        break;
    }
    return 2.0 * gmacs * (size * size) / (224.0 * 224.0);
}

/// CPU seconds this process has used (all threads): on a shared machine this, unlike the
/// wall clock, does not grow when other programs take the cores.
double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

struct Peak {
    double gflopsPerSecond = 0;    ///< wall clock, best run
    double gflopsPerCpuSecond = 0; ///< per CPU-second of this process, median run
};

/// A 3×3, 256→256 convolution on [32, 256, 28, 28], channels-last (the kind of layer that
/// dominates ResNet's time) as oneDNN runs it through ATen: this CPU's practical peak.
Peak convolutionPeak(torch::ScalarType type) {
    torch::NoGradGuard noGrad;
    const torch::Tensor input =
        torch::randn({32, 256, 28, 28}).to(type).contiguous(at::MemoryFormat::ChannelsLast);
    const torch::Tensor weight =
        torch::randn({256, 256, 3, 3}).to(type).contiguous(at::MemoryFormat::ChannelsLast);
    const double flops = 2.0 * 32 * 256 * 256 * 9 * 28 * 28;
    torch::conv2d(input, weight, {}, 1, 1); // warm-up
    std::vector<double> seconds, cpuSeconds;
    for (int i = 0; i < 7; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const double cpuStart = processCpuSeconds();
        torch::conv2d(input, weight, {}, 1, 1);
        cpuSeconds.push_back(processCpuSeconds() - cpuStart);
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    std::sort(cpuSeconds.begin(), cpuSeconds.end());
    return {flops / seconds.front() / 1e9, flops / cpuSeconds[cpuSeconds.size() / 2] / 1e9};
}

} // namespace

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption depthOption(QStringLiteral("depth"), QStringLiteral("ResNet depth."),
                                         QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption batchOption(QStringLiteral("batch"), QStringLiteral("Batch size."),
                                         QStringLiteral("N"), QStringLiteral("32"));
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Image side."),
                                        QStringLiteral("N"), QStringLiteral("224"));
    const QCommandLineOption iterationsOption(QStringLiteral("iterations"),
                                              QStringLiteral("Timed batches per configuration."),
                                              QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption threadsOption(QStringLiteral("threads"),
                                           QStringLiteral("Compute threads (default: all cores)."),
                                           QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption enginesOption(
        QStringLiteral("engines"), QStringLiteral("onednn,libtorch"), QStringLiteral("LIST"),
        QStringLiteral("onednn,libtorch"));
    const QCommandLineOption precisionsOption(QStringLiteral("precisions"),
                                              QStringLiteral("fp32,bf16"), QStringLiteral("LIST"),
                                              QStringLiteral("fp32,bf16"));
    const QCommandLineOption peakOption(QStringLiteral("peak"),
                                        QStringLiteral("Also measure the 3×3 convolution peak."));
    parser.addOptions({depthOption, batchOption, sizeOption, iterationsOption, threadsOption,
                       enginesOption, precisionsOption, peakOption});
    parser.process(app);

    tc::runtime::configureProcess(parser.value(threadsOption).toInt());
    const std::optional<ResNetDepth> depth = parseResNetDepth(parser.value(depthOption));
    const int batch = parser.value(batchOption).toInt();
    const int size = parser.value(sizeOption).toInt();
    const int iterations = std::max(1, parser.value(iterationsOption).toInt());
    if (!depth || batch < 1 || size < 32) {
        std::fprintf(stderr, "bad --depth, --batch or --size\n");
        return 2;
    }

    torch::manual_seed(0);
    const torch::Tensor images = torch::randn({batch, 3, size, size});
    const double gflops = gigaFlopsPerImage(*depth, size);

    // Build every configuration first, then time them round-robin: on a shared machine the
    // load changes by the minute, and interleaving spreads it over all configurations.
    struct Config {
        QString name;
        std::unique_ptr<FeatureExtractor> extractor;
        std::vector<double> seconds;
        std::vector<double> cpuSeconds;
    };
    std::vector<Config> configs;
    for (const QString& engineName : parser.value(enginesOption).split(QLatin1Char(','))) {
        for (const QString& precisionText :
             parser.value(precisionsOption).split(QLatin1Char(','))) {
            // Engine variants for measurements: onednn-nhwc, onednn-blocked (no Winograd),
            // onednn-winograd; plain "onednn" takes the engine's defaults.
            qunsetenv("TORCHCANVAS_ONEDNN_LAYOUT");
            qunsetenv("TORCHCANVAS_ONEDNN_WINOGRAD");
            if (engineName == QLatin1String("onednn-nhwc")) {
                qputenv("TORCHCANVAS_ONEDNN_LAYOUT", "nhwc");
            } else if (engineName == QLatin1String("onednn-blocked")) {
                qputenv("TORCHCANVAS_ONEDNN_LAYOUT", "blocked");
                qputenv("TORCHCANVAS_ONEDNN_WINOGRAD", "0");
            } else if (engineName == QLatin1String("onednn-winograd")) {
                qputenv("TORCHCANVAS_ONEDNN_LAYOUT", "blocked");
                qputenv("TORCHCANVAS_ONEDNN_WINOGRAD", "1");
            }
            FeatureExtractorOptions options;
            options.depth = *depth;
            options.pretrained = false; // throughput does not depend on the values
            options.precision = parsePrecision(precisionText).value_or(Precision::Fp32);
            options.engine = engineName == QLatin1String("libtorch")
                                 ? FeatureExtractorOptions::Engine::LibTorch
                                 : FeatureExtractorOptions::Engine::OneDnn;
            auto extractor = std::make_unique<FeatureExtractor>(options);
            if (!extractor->isValid()) {
                std::fprintf(stderr, "%s: %s\n", qPrintable(engineName),
                             qPrintable(extractor->errorString()));
                continue;
            }
            extractor->extract(images); // warm-up: plans, weight packing, page faults
            configs.push_back({QStringLiteral("TorchCanvas %1 %2")
                                   .arg(engineName, precisionName(extractor->precision())),
                               std::move(extractor),
                               {},
                               {}});
        }
    }
    for (int round = 0; round < iterations; ++round) {
        for (Config& config : configs) {
            const auto start = std::chrono::steady_clock::now();
            const double cpuStart = processCpuSeconds();
            config.extractor->extract(images);
            config.cpuSeconds.push_back(processCpuSeconds() - cpuStart);
            config.seconds.push_back(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
    }
    for (Config& config : configs) {
        std::sort(config.seconds.begin(), config.seconds.end());
        std::sort(config.cpuSeconds.begin(), config.cpuSeconds.end());
        const double best = config.seconds.front();
        const double median = config.seconds[config.seconds.size() / 2];
        const double cpuMedian = config.cpuSeconds[config.cpuSeconds.size() / 2];
        std::printf("{\"config\": \"%s\", \"images_per_second\": %.2f, \"median\": %.2f, "
                    "\"images_per_cpu_second\": %.2f, \"gflops\": %.1f, \"engine\": \"%s\"}\n",
                    qPrintable(config.name), batch / best, batch / median, batch / cpuMedian,
                    gflops * batch / best, qPrintable(config.extractor->engineDescription()));
    }
    std::fflush(stdout);
    if (parser.isSet(peakOption)) {
        const Peak fp32 = convolutionPeak(torch::kFloat32);
        const Peak bf16 = convolutionPeak(torch::kBFloat16);
        std::printf("{\"peak_fp32_gflops\": %.1f, \"peak_bf16_gflops\": %.1f, "
                    "\"peak_fp32_gflops_per_cpu_second\": %.1f, "
                    "\"peak_bf16_gflops_per_cpu_second\": %.1f, \"auto\": \"%s\"}\n",
                    fp32.gflopsPerSecond, bf16.gflopsPerSecond, fp32.gflopsPerCpuSecond,
                    bf16.gflopsPerCpuSecond,
                    qPrintable(precisionName(tc::nn::resolvePrecision(Precision::Auto))));
    }
    return 0;
}
