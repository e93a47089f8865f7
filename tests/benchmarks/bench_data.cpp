// Data-loading benchmark: import a CSV, then decode + resize + normalise every image, either
// in one plain loop on one thread ("pipeline", what the Python cv2 loop does) or through the
// Batcher with worker threads ("batcher", what the trainer does). Prints one JSON line with
// the throughput and the process's peak resident memory.
//
// bench_data --csv FILE [--mode pipeline|batcher] [--workers N] [--batch N]
//            [--size WxH] [--channels-last] [--cv-threads N]
//
// Run through tests/benchmarks/run_data_benchmark.sh (cmake --build build --target
// benchmark_data), which also runs the Python peer on the same files.

#include "core/data/Batcher.h"
#include "core/data/DatasetTable.h"
#include "core/data/ImagePipeline.h"

#include <chrono>
#include <cstdio>
#include <opencv2/core.hpp>
#include <QCoreApplication>
#include <QStringList>
#include <sys/resource.h>

using namespace tc::data;

namespace {

double peakMegabytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // Linux reports kilobytes
}

/// CPU seconds (user + system) of the whole process so far: unlike wall time, barely moved by
/// other programs competing for the cores.
double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    auto value = [&](const char* name, const QString& fallback) {
        const qsizetype at = args.indexOf(QLatin1String(name));
        return at >= 0 && at + 1 < args.size() ? args.at(at + 1) : fallback;
    };
    const QString csv = value("--csv", {});
    const QString mode = value("--mode", QStringLiteral("batcher"));
    const int workers = value("--workers", QStringLiteral("2")).toInt();
    const int batchSize = value("--batch", QStringLiteral("32")).toInt();
    const QStringList size = value("--size", QStringLiteral("224x224")).split(QLatin1Char('x'));
    const int cvThreads = value("--cv-threads", QStringLiteral("-1")).toInt();
    if (csv.isEmpty() || size.size() != 2) {
        std::fprintf(stderr, "usage: bench_data --csv FILE [--mode pipeline|batcher] "
                             "[--workers N] [--batch N] [--size WxH] [--channels-last] "
                             "[--cv-threads N]\n");
        return 2;
    }
    if (cvThreads >= 0)
        cv::setNumThreads(cvThreads);

    const auto importStart = std::chrono::steady_clock::now();
    ImportOptions options;
    options.check = ImageCheck::Header;
    const DatasetTable table = DatasetTable::importCsv(csv, options);
    const double importSeconds = secondsSince(importStart);
    if (!table.isUsable()) {
        std::fprintf(stderr, "bench_data: %s\n", qPrintable(table.problem()->message));
        return 1;
    }
    std::vector<BatchSample> samples;
    samples.reserve(table.rows().size());
    for (const DatasetRow& row : table.rows())
        samples.push_back({row.absolutePath, row.classIndex});

    PreprocessingSettings settings;
    settings.width = size.at(0).toInt();
    settings.height = size.at(1).toInt();
    const bool channelsLast = args.contains(QStringLiteral("--channels-last"));

    const auto start = std::chrono::steady_clock::now();
    const double cpuStart = cpuSeconds();
    std::size_t images = 0;
    double checksum = 0;
    if (mode == QLatin1String("pipeline")) {
        // The Python loop's shape: one batch buffer, filled image by image on this thread.
        const ImagePipeline pipeline(settings);
        std::vector<float> batch(pipeline.floatsPerImage() * size_t(batchSize));
        for (std::size_t i = 0; i < samples.size(); ++i) {
            float* slot = batch.data() + (i % size_t(batchSize)) * pipeline.floatsPerImage();
            QString error;
            if (!pipeline.load(samples[i].path, slot,
                               channelsLast ? PixelLayout::Interleaved : PixelLayout::Planar,
                               std::nullopt, &error)) {
                std::fprintf(stderr, "bench_data: %s\n", qPrintable(error));
                return 1;
            }
            checksum += slot[0];
            ++images;
        }
    } else {
        BatcherOptions batcherOptions;
        batcherOptions.batchSize = batchSize;
        batcherOptions.workers = workers;
        batcherOptions.channelsLast = channelsLast;
        Batcher batcher(samples, settings, batcherOptions);
        while (std::optional<Batch> batch = batcher.next()) {
            images += size_t(batch->images.size(0));
            checksum += batch->images.flatten()[0].item<double>();
            if (!batch->failures.empty()) {
                std::fprintf(stderr, "bench_data: %s\n",
                             qPrintable(batch->failures.front().message));
                return 1;
            }
        }
    }
    const double seconds = secondsSince(start);
    const double cpu = cpuSeconds() - cpuStart;
    std::printf("{\"impl\": \"torchcanvas\", \"mode\": \"%s\", \"workers\": %d, \"images\": %zu, "
                "\"import_s\": %.3f, \"seconds\": %.3f, \"images_per_s\": %.1f, "
                "\"cpu_ms_per_image\": %.2f, \"peak_rss_mb\": %.1f, \"checksum\": %.6g}\n",
                qPrintable(mode), mode == QLatin1String("pipeline") ? 1 : workers, images,
                importSeconds, seconds, double(images) / seconds,
                1000.0 * cpu / double(std::max<std::size_t>(images, 1)), peakMegabytes(), checksum);
    return 0;
}
