#pragma once

// The Batcher hands LibTorch tensors to the trainer, so this header includes torch. The Data
// Wizard never needs it (ImagePipeline::preview() is its torch-free view of a sample).

#include "core/data/DataSettings.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <QString>
#include <torch/types.h>
#include <utility>
#include <vector>

namespace tc::data {

class DatasetTable;
struct GroupAssignment;

/// One image to load: its path and class index (-1 when unlabelled, e.g. for `predict`).
struct BatchSample {
    QString path;
    std::int64_t label = -1;
    QString group; ///< the patient (group) of a grouped split; empty otherwise
};

/// The samples (absolute path, class index) of some rows of a table, e.g. one part of a
/// Split: `samplesFor(table, split.rows(SplitPart::Train))`.
/// With `groups` (a grouped split's assignment, indexed like the table's rows), each sample
/// also gets its group.
std::vector<BatchSample> samplesFor(const DatasetTable& table, const std::vector<int>& rows,
                                    const GroupAssignment* groups = nullptr);

struct BatcherOptions {
    int batchSize = 32;
    bool shuffle = false; ///< a new order every epoch (seed, epoch)
    bool augment = false; ///< apply PreprocessingSettings::augmentation (training part only)
    std::uint64_t seed = 0;
    std::uint64_t epoch = 0; ///< with the seed, picks the order and the augmentation draws
    bool dropLast = false;   ///< leave out a last batch smaller than batchSize
    /// Decoding threads. 0 decodes on the consumer's thread inside next(); -1 (default) uses
    /// one per core.
    int workers = -1;
    /// Batches decoded ahead of the consumer, at most (the bounded queue). 0: 2 × workers.
    int prefetch = 0;
    /// Images in channels-last memory format (NHWC strides, NCHW shape), which the
    /// convolutions of LibTorch's oneDNN back-end run faster on.
    bool channelsLast = false;
    /// Data-parallel training: of every batch of `batchSize` samples (the global batch, in
    /// the order of one process), this process loads only its share, shardRange(). Batch
    /// numbers, order and augmentation draws stay those of a single process, so the shares
    /// of all processes together are exactly its batches.
    int shardRank = 0;
    int shardCount = 1;
};

/// The part [first, second) of the rows [begin, end) that process `rank` of `count` takes:
/// contiguous, in rank order, sizes differing by at most one (the first ranks larger).
std::pair<std::int64_t, std::int64_t> shardRange(std::int64_t begin, std::int64_t end, int rank,
                                                 int count);

/// A sample that could not be loaded; it is left out of its batch.
struct BatchFailure {
    std::int64_t sampleIndex = -1; ///< index into the Batcher's samples
    QString message;               ///< "'<path>' <reason>"
};

struct Batch {
    int number = 0;                          ///< 0-based position in the epoch
    torch::Tensor images;                    ///< float32 [n, 3, height, width]
    torch::Tensor labels;                    ///< int64 [n]
    std::vector<std::int64_t> sampleIndices; ///< which sample each row is
    std::vector<BatchFailure> failures;      ///< samples of this batch that failed to load
};

/// Loads samples in batches on worker threads, ahead of the consumer, into a bounded queue.
///
/// - Order and content are deterministic: batch k always holds the same samples with the
///   same augmentation for a given (seed, epoch), whatever the number of workers or their
///   timing; next() returns batches in order.
/// - Memory is bounded by `prefetch` + `workers` batches, however large the data set:
///   images are read from disk when their batch is built and never kept.
/// - stop() (any thread) or destruction ends the epoch promptly: workers finish at most the
///   image they are decoding, a blocked next() returns std::nullopt, nothing hangs.
/// - A sample that cannot be loaded (deleted since import, corrupt) is left out of its batch
///   and reported in Batch::failures; a batch whose samples all failed has zero rows.
///
/// One Batcher serves one pass over the samples (an epoch); make a new one per epoch.
class Batcher {
public:
    Batcher(std::vector<BatchSample> samples, PreprocessingSettings settings,
            BatcherOptions options = {});
    ~Batcher();
    Batcher(const Batcher&) = delete;
    Batcher& operator=(const Batcher&) = delete;

    /// The next batch in order; std::nullopt at the end of the epoch or after stop().
    /// Rethrows (as std::runtime_error) an unexpected error of a worker, e.g. out of memory.
    std::optional<Batch> next();

    /// Ends the epoch early. Thread-safe; idempotent.
    void stop();

    int batchCount() const;
    /// Batches handed to workers so far. Never more than (batches returned by next()) +
    /// prefetch: the bound that keeps memory flat.
    int batchesStarted() const;
    std::size_t sampleCount() const;
    /// The epoch's sample order (indices into the samples).
    const std::vector<std::int64_t>& order() const;

    /// Loads one image as a [1, 3, height, width] tensor without augmentation (for predict
    /// and embed). Returns an undefined tensor and sets `error` on failure.
    static torch::Tensor loadImage(const QString& path, const PreprocessingSettings& settings,
                                   QString* error = nullptr, bool channelsLast = false);

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace tc::data
