#pragma once

// Core-internal (LibTorch) header: never include it from ui/.

#include "core/train/Distributed.h"

#include <cstdint>
#include <memory>
#include <torch/types.h>
#include <vector>

namespace tc::train {

/// Sums the gradients of a model's trainable parameters over the ranks of a process group,
/// as PyTorch's DistributedDataParallel does: parameters are grouped into buckets (in reverse
/// order, the order backward produces their gradients; the first bucket small so that
/// communication starts early), and a gradient hook on every parameter starts the bucket's
/// all-reduce on Gloo's threads as soon as its last gradient is in, while backward goes on.
///
/// Use: prepare() before backward, finish() after it (finish() starts what is left, e.g. on a
/// rank whose backward did not reach some parameters or that had no samples, waits for all
/// buckets and writes the sums into the parameters' .grad). Every rank must call both at the
/// same steps. The gradients are *summed*: the trainer makes each rank's loss its share of
/// the global batch's loss.
class GradientReducer {
public:
    static constexpr std::int64_t kFirstBucketBytes = 1 << 20; ///< DDP's first bucket: 1 MiB
    static constexpr std::int64_t kBucketBytes = 25 << 20;     ///< DDP's bucket_cap_mb: 25

    GradientReducer(std::vector<torch::Tensor> parameters, std::shared_ptr<ProcessGroup> group,
                    std::int64_t bucketBytes = kBucketBytes,
                    std::int64_t firstBucketBytes = kFirstBucketBytes);
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;

    void prepare();
    void finish();

    /// How many buckets the parameters fell into (for reports and tests).
    int bucketCount() const;
    /// Buckets whose all-reduce started from a gradient hook, i.e. during backward, in the
    /// last step.
    int bucketsStartedDuringBackward() const;

private:
    struct Bucket;
    void onGradient(size_t parameter, const torch::Tensor& gradient);
    void launch(Bucket& bucket);

    std::vector<torch::Tensor> m_parameters;
    std::shared_ptr<ProcessGroup> m_group;
    std::vector<std::unique_ptr<Bucket>> m_buckets;
    /// parameter → (bucket, offset in its flat buffer)
    std::vector<std::pair<size_t, std::int64_t>> m_place;
    std::vector<unsigned> m_hooks;
    bool m_active = false;
    int m_startedDuringBackward = 0;
};

} // namespace tc::train
