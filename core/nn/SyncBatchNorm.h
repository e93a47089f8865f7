#pragma once

// Core-internal (LibTorch) header: never include it from ui/.

#include <functional>
#include <torch/nn/modules/batchnorm.h>
#include <torch/types.h>

namespace tc::nn {

/// Sums a tensor element-wise over all processes of a data-parallel job, in place.
using ProcessSum = std::function<void(torch::Tensor&)>;

/// While one is alive on a thread, every batch norm of the models in core/nn (ResNet's, the
/// Dense layer's, the BatchNorm component) that runs in training mode normalises with the
/// mean and variance of the *global* batch, over all processes, and updates its running
/// statistics with them: PyTorch's SyncBatchNorm semantics. Gradients flow back through the
/// cross-process sums, so N processes with per-process batch B train like one process with
/// batch N·B. Like torch::NoGradGuard it is scoped: keep it alive over forward *and*
/// backward. Every process must run the same forward (an empty local batch included), since
/// each synchronised batch norm is a collective.
class SyncBatchNormScope {
public:
    explicit SyncBatchNormScope(ProcessSum sum);
    ~SyncBatchNormScope();
    SyncBatchNormScope(const SyncBatchNormScope&) = delete;
    SyncBatchNormScope& operator=(const SyncBatchNormScope&) = delete;

    /// The innermost scope's sum on this thread; nullptr outside any scope.
    static const ProcessSum* current();

private:
    ProcessSum m_sum;
    const ProcessSum* m_previous = nullptr;
};

/// `norm(input)`, synchronised across processes inside a SyncBatchNormScope in training mode.
torch::Tensor batchNorm(torch::nn::BatchNorm1dImpl& norm, const torch::Tensor& input);
torch::Tensor batchNorm(torch::nn::BatchNorm2dImpl& norm, const torch::Tensor& input);

} // namespace tc::nn
