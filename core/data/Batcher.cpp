#include "core/data/Batcher.h"

#include "core/data/DatasetTable.h"
#include "core/data/Grouping.h"
#include "core/data/ImagePipeline.h"
#include "core/data/Random.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <numeric>
#include <QThread>
#include <stdexcept>
#include <thread>

namespace tc::data {

namespace {

/// An uninitialised float image batch: [n, 3, H, W] contiguous, or the same shape with
/// channels-last strides (memory order n, H, W, 3).
torch::Tensor emptyImages(std::int64_t n, const PreprocessingSettings& settings,
                          bool channelsLast) {
    const auto options = torch::TensorOptions().dtype(torch::kFloat32);
    if (channelsLast)
        return torch::empty({n, 3, settings.height, settings.width},
                            options.memory_format(torch::MemoryFormat::ChannelsLast));
    return torch::empty({n, 3, settings.height, settings.width}, options);
}

} // namespace

std::vector<BatchSample> samplesFor(const DatasetTable& table, const std::vector<int>& rows,
                                    const GroupAssignment* groups) {
    const bool grouped = groups && groups->ok() && groups->groupOfRow.size() == table.rows().size();
    std::vector<BatchSample> samples;
    samples.reserve(rows.size());
    for (int row : rows) {
        const DatasetRow& source = table.rows().at(size_t(row));
        samples.push_back({source.absolutePath, source.classIndex,
                           grouped ? groups->groupOfRow[size_t(row)] : QString()});
    }
    return samples;
}

std::pair<std::int64_t, std::int64_t> shardRange(std::int64_t begin, std::int64_t end, int rank,
                                                 int count) {
    count = std::max(1, count);
    rank = std::clamp(rank, 0, count - 1);
    const std::int64_t rows = std::max<std::int64_t>(0, end - begin);
    const std::int64_t base = rows / count;
    const std::int64_t extra = rows % count;
    const std::int64_t first = begin + rank * base + std::min<std::int64_t>(rank, extra);
    return {first, first + base + (rank < extra ? 1 : 0)};
}

class Batcher::Impl {
public:
    Impl(std::vector<BatchSample> samples, PreprocessingSettings settings, BatcherOptions options)
        : m_samples(std::move(samples))
        , m_pipeline(std::move(settings))
        , m_options(std::move(options)) {
        m_options.batchSize = std::max(1, m_options.batchSize);
        m_order.resize(m_samples.size());
        std::iota(m_order.begin(), m_order.end(), std::int64_t{0});
        if (m_options.shuffle)
            Random(Random::derive(m_options.seed, m_options.epoch, 0x6f72646572 /* "order" */))
                .shuffle(m_order);
        const auto n = std::int64_t(m_samples.size());
        const std::int64_t size = m_options.batchSize;
        m_batchCount = int(m_options.dropLast ? n / size : (n + size - 1) / size);

        int workers = m_options.workers;
        if (workers < 0)
            workers = std::max(1, QThread::idealThreadCount());
        workers = std::min(workers, m_batchCount);
        m_capacity = m_options.prefetch > 0 ? m_options.prefetch : 2 * std::max(1, workers);
        for (int i = 0; i < workers; ++i)
            m_workers.emplace_back([this] { work(); });
    }

    ~Impl() {
        stop();
        for (std::thread& worker : m_workers)
            worker.join();
    }

    void stop() {
        m_stopFlag.store(true);
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_changed.notify_all();
    }

    std::optional<Batch> next() {
        if (m_workers.empty()) {
            if (m_stopFlag.load() || m_consumed >= m_batchCount)
                return std::nullopt;
            const int number = m_consumed++;
            Batch batch;
            try {
                batch = build(number);
            } catch (const std::exception& e) {
                throw std::runtime_error(QStringLiteral("loading batch %1 failed: %2")
                                             .arg(number)
                                             .arg(QString::fromLocal8Bit(e.what()).simplified())
                                             .toStdString());
            }
            if (m_stopFlag.load())
                return std::nullopt;
            return batch;
        }
        std::unique_lock lock(m_mutex);
        if (m_consumed >= m_batchCount)
            return std::nullopt;
        m_changed.wait(lock, [&] {
            return m_stopping || !m_failure.empty() || m_ready.count(m_consumed) > 0;
        });
        if (!m_failure.empty())
            throw std::runtime_error(m_failure);
        if (m_stopping)
            return std::nullopt;
        auto found = m_ready.find(m_consumed);
        Batch batch = std::move(found->second);
        m_ready.erase(found);
        ++m_consumed;
        m_changed.notify_all(); // a worker may now build further ahead
        return batch;
    }

    int batchCount() const { return m_batchCount; }
    int batchesStarted() {
        if (m_workers.empty())
            return m_consumed;
        const std::lock_guard lock(m_mutex);
        return m_nextToBuild;
    }
    std::size_t sampleCount() const { return m_samples.size(); }
    const std::vector<std::int64_t>& order() const { return m_order; }

private:
    void work() {
        for (;;) {
            int number = 0;
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [&] {
                    return m_stopping || m_nextToBuild >= m_batchCount ||
                           m_nextToBuild < m_consumed + m_capacity;
                });
                if (m_stopping || m_nextToBuild >= m_batchCount)
                    return;
                number = m_nextToBuild++;
            }
            try {
                Batch batch = build(number);
                if (m_stopFlag.load())
                    return;
                const std::lock_guard lock(m_mutex);
                m_ready.emplace(number, std::move(batch));
                m_changed.notify_all();
            } catch (const std::exception& e) {
                fail(QStringLiteral("loading batch %1 failed: %2")
                         .arg(number)
                         .arg(QString::fromLocal8Bit(e.what()).simplified()));
                return;
            } catch (...) {
                fail(QStringLiteral("loading batch %1 failed").arg(number));
                return;
            }
        }
    }

    void fail(const QString& message) {
        const std::lock_guard lock(m_mutex);
        if (m_failure.empty())
            m_failure = message.toStdString();
        m_changed.notify_all();
    }

    /// Builds batch `number`; depends on nothing but the number, the samples and options.
    Batch build(int number) {
        const PreprocessingSettings& settings = m_pipeline.settings();
        const std::int64_t globalBegin = std::int64_t(number) * m_options.batchSize;
        const auto [begin, end] = shardRange(
            globalBegin,
            std::min<std::int64_t>(globalBegin + m_options.batchSize, std::int64_t(m_order.size())),
            m_options.shardRank, m_options.shardCount);
        const std::int64_t n = end - begin;
        Batch batch;
        batch.number = number;
        torch::Tensor images = emptyImages(n, settings, m_options.channelsLast);
        float* data = images.data_ptr<float>();
        const std::size_t stride = m_pipeline.floatsPerImage();
        const PixelLayout layout =
            m_options.channelsLast ? PixelLayout::Interleaved : PixelLayout::Planar;
        std::vector<std::int64_t> labels;
        labels.reserve(size_t(n));
        for (std::int64_t k = begin; k < end; ++k) {
            if (m_stopFlag.load())
                return batch;
            const std::int64_t index = m_order[size_t(k)];
            const BatchSample& sample = m_samples[size_t(index)];
            std::optional<std::uint64_t> seed;
            if (m_options.augment)
                seed = ImagePipeline::sampleSeed(m_options.seed, m_options.epoch,
                                                 std::uint64_t(index));
            QString error;
            float* destination = data + batch.sampleIndices.size() * stride;
            if (m_pipeline.load(sample.path, destination, layout, seed, &error)) {
                batch.sampleIndices.push_back(index);
                labels.push_back(sample.label);
            } else {
                batch.failures.push_back({index, error});
            }
        }
        const auto kept = std::int64_t(batch.sampleIndices.size());
        batch.images = kept == n ? images : images.narrow(0, 0, kept);
        batch.labels = torch::tensor(labels, torch::kInt64);
        if (kept == 0)
            batch.labels = torch::empty({0}, torch::kInt64);
        return batch;
    }

    std::vector<BatchSample> m_samples;
    ImagePipeline m_pipeline;
    BatcherOptions m_options;
    std::vector<std::int64_t> m_order;
    int m_batchCount = 0;
    int m_capacity = 1;

    std::atomic<bool> m_stopFlag{false};
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_stopping = false;
    std::string m_failure;
    int m_nextToBuild = 0;
    int m_consumed = 0;
    std::map<int, Batch> m_ready;
    std::vector<std::thread> m_workers;
};

Batcher::Batcher(std::vector<BatchSample> samples, PreprocessingSettings settings,
                 BatcherOptions options)
    : m_impl(std::make_unique<Impl>(std::move(samples), std::move(settings), std::move(options))) {}

Batcher::~Batcher() = default;

std::optional<Batch> Batcher::next() {
    return m_impl->next();
}
void Batcher::stop() {
    m_impl->stop();
}
int Batcher::batchCount() const {
    return m_impl->batchCount();
}
int Batcher::batchesStarted() const {
    return m_impl->batchesStarted();
}
std::size_t Batcher::sampleCount() const {
    return m_impl->sampleCount();
}
const std::vector<std::int64_t>& Batcher::order() const {
    return m_impl->order();
}

torch::Tensor Batcher::loadImage(const QString& path, const PreprocessingSettings& settings,
                                 QString* error, bool channelsLast) {
    const ImagePipeline pipeline(settings);
    torch::Tensor image = emptyImages(1, settings, channelsLast);
    if (!pipeline.load(path, image.data_ptr<float>(),
                       channelsLast ? PixelLayout::Interleaved : PixelLayout::Planar, std::nullopt,
                       error))
        return {};
    return image;
}

} // namespace tc::data
