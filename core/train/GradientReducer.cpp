#include "core/train/GradientReducer.h"

#include <torch/torch.h>

namespace tc::train {

struct GradientReducer::Bucket {
    std::vector<size_t> parameters;
    torch::Tensor flat; ///< the bucket's gradients, concatenated
    size_t ready = 0;
    std::vector<bool> filled;
    bool launched = false;
    ProcessGroup::Pending pending;
};

GradientReducer::GradientReducer(std::vector<torch::Tensor> parameters,
                                 std::shared_ptr<ProcessGroup> group, std::int64_t bucketBytes,
                                 std::int64_t firstBucketBytes)
    : m_parameters(std::move(parameters))
    , m_group(std::move(group)) {
    m_place.resize(m_parameters.size());
    // Reverse order: backward reaches the last layers first. A bucket holds one dtype and
    // device and closes when it reaches its size.
    std::unique_ptr<Bucket> open;
    std::int64_t openBytes = 0;
    std::vector<std::int64_t> openOffsets;
    auto close = [&] {
        if (!open)
            return;
        std::int64_t total = 0;
        for (size_t p : open->parameters)
            total += m_parameters[p].numel();
        const torch::Tensor& first = m_parameters[open->parameters.front()];
        open->flat = torch::zeros({total}, first.options().requires_grad(false));
        open->filled.assign(open->parameters.size(), false);
        m_buckets.push_back(std::move(open));
        openBytes = 0;
    };
    for (size_t i = m_parameters.size(); i-- > 0;) {
        const torch::Tensor& parameter = m_parameters[i];
        const std::int64_t limit = m_buckets.empty() ? firstBucketBytes : bucketBytes;
        if (open) {
            const torch::Tensor& first = m_parameters[open->parameters.front()];
            if (first.scalar_type() != parameter.scalar_type() ||
                first.device() != parameter.device() || openBytes >= limit)
                close();
        }
        if (!open)
            open = std::make_unique<Bucket>();
        std::int64_t offset = 0;
        for (size_t p : open->parameters)
            offset += m_parameters[p].numel();
        m_place[i] = {m_buckets.size(), offset};
        open->parameters.push_back(i);
        openBytes += parameter.numel() * static_cast<std::int64_t>(parameter.element_size());
    }
    close();

    for (size_t i = 0; i < m_parameters.size(); ++i) {
        m_hooks.push_back(m_parameters[i].register_hook(
            [this, i](const torch::Tensor& gradient) { onGradient(i, gradient); }));
    }
}

GradientReducer::~GradientReducer() {
    for (size_t i = 0; i < m_hooks.size(); ++i)
        m_parameters[i].remove_hook(m_hooks[i]);
}

int GradientReducer::bucketCount() const {
    return static_cast<int>(m_buckets.size());
}

int GradientReducer::bucketsStartedDuringBackward() const {
    return m_startedDuringBackward;
}

void GradientReducer::prepare() {
    for (auto& bucket : m_buckets) {
        bucket->flat.zero_();
        bucket->ready = 0;
        bucket->filled.assign(bucket->parameters.size(), false);
        bucket->launched = false;
    }
    m_startedDuringBackward = 0;
    m_active = true;
}

void GradientReducer::onGradient(size_t parameter, const torch::Tensor& gradient) {
    if (!m_active)
        return; // a backward outside prepare()/finish() (none in training) is left alone
    const auto [bucketIndex, offset] = m_place[parameter];
    Bucket& bucket = *m_buckets[bucketIndex];
    const std::int64_t n = m_parameters[parameter].numel();
    torch::NoGradGuard noGrad;
    size_t slot = 0;
    while (bucket.parameters[slot] != parameter)
        ++slot;
    if (bucket.launched) {
        // A parameter used twice whose second gradient came after its bucket left: finish()
        // sends the whole bucket again from the accumulated .grad.
        bucket.launched = false;
        bucket.pending.wait();
        bucket.ready = bucket.parameters.size() + 1; // never full again in this step
        return;
    }
    bucket.flat.narrow(0, offset, n).add_(gradient.reshape({-1}));
    if (!bucket.filled[slot]) {
        bucket.filled[slot] = true;
        if (++bucket.ready == bucket.parameters.size()) {
            launch(bucket);
            ++m_startedDuringBackward;
        }
    }
}

void GradientReducer::launch(Bucket& bucket) {
    bucket.launched = true;
    bucket.pending = m_group->allReduceSumAsync(bucket.flat);
}

void GradientReducer::finish() {
    torch::NoGradGuard noGrad;
    for (auto& bucket : m_buckets) {
        if (bucket->launched)
            continue;
        // Not all of its gradients came through the hooks (unused parameters, an empty
        // batch, a parameter used twice): send what the parameters hold.
        std::int64_t offset = 0;
        for (size_t p : bucket->parameters) {
            const std::int64_t n = m_parameters[p].numel();
            const torch::Tensor& grad = m_parameters[p].grad();
            if (grad.defined())
                bucket->flat.narrow(0, offset, n).copy_(grad.reshape({-1}));
            else
                bucket->flat.narrow(0, offset, n).zero_();
            offset += n;
        }
        launch(*bucket);
    }
    for (auto& bucket : m_buckets)
        bucket->pending.wait();
    for (auto& bucket : m_buckets) {
        std::int64_t offset = 0;
        for (size_t p : bucket->parameters) {
            torch::Tensor& parameter = m_parameters[p];
            const std::int64_t n = parameter.numel();
            const torch::Tensor sum = bucket->flat.narrow(0, offset, n).view(parameter.sizes());
            if (parameter.grad().defined())
                parameter.mutable_grad().copy_(sum);
            else
                parameter.mutable_grad() = sum.clone();
            offset += n;
        }
    }
    m_active = false;
}

} // namespace tc::train
