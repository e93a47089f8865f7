#include "core/nn/SyncBatchNorm.h"

#include <torch/torch.h>

namespace tc::nn {

namespace {

thread_local const ProcessSum* t_current = nullptr;

/// y = Σ_processes x, whose gradient is again the sum of the processes' gradients: each
/// process's loss is its share of the global loss, so every copy of y gets all of them.
struct ProcessSumFunction : torch::autograd::Function<ProcessSumFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* context, torch::Tensor input,
                                 std::int64_t sumAddress) {
        context->saved_data["sum"] = sumAddress;
        torch::Tensor output = input.clone();
        (*reinterpret_cast<const ProcessSum*>(sumAddress))(output);
        return output;
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        const auto* sum = reinterpret_cast<const ProcessSum*>(context->saved_data["sum"].toInt());
        torch::Tensor gradient = gradients[0].contiguous().clone();
        (*sum)(gradient);
        return {gradient, torch::Tensor()};
    }
};

template <typename Norm>
torch::Tensor synchronised(Norm& norm, const torch::Tensor& input, const ProcessSum& sum) {
    const auto& options = norm.options;
    const std::int64_t channels = input.size(1);
    std::vector<std::int64_t> dims{0};
    for (std::int64_t d = 2; d < input.dim(); ++d)
        dims.push_back(d);
    std::vector<std::int64_t> shape(size_t(input.dim()), 1);
    shape[1] = channels;

    // Statistics in double: E[x²] - E[x]² loses digits in float where the mean is large.
    const torch::Tensor x = input.to(torch::kFloat64);
    const double localCount = channels > 0 ? double(input.numel() / channels) : 0.0;
    torch::Tensor local =
        torch::cat({x.sum(dims), (x * x).sum(dims), torch::full({1}, localCount, x.options())});
    const torch::Tensor global =
        ProcessSumFunction::apply(local, reinterpret_cast<std::int64_t>(&sum));
    const torch::Tensor count = global.slice(0, 2 * channels, 2 * channels + 1);
    const torch::Tensor mean = global.slice(0, 0, channels) / count;
    const torch::Tensor variance =
        (global.slice(0, channels, 2 * channels) / count - mean * mean).clamp_min(0.0);
    const torch::Tensor inverseStd = torch::rsqrt(variance + options.eps());

    if (options.track_running_stats() && norm.running_mean.defined()) {
        torch::NoGradGuard noGrad;
        const double n = count.item<double>();
        norm.num_batches_tracked += 1;
        const double momentum = options.momentum().has_value()
                                    ? *options.momentum()
                                    : 1.0 / norm.num_batches_tracked.template item<double>();
        const torch::Tensor unbiased = variance * (n > 1.0 ? n / (n - 1.0) : 1.0);
        norm.running_mean.mul_(1.0 - momentum).add_(mean.to(norm.running_mean.dtype()), momentum);
        norm.running_var.mul_(1.0 - momentum).add_(unbiased.to(norm.running_var.dtype()), momentum);
    }

    torch::Tensor output = (input - mean.to(input.scalar_type()).view(shape)) *
                           inverseStd.to(input.scalar_type()).view(shape);
    if (options.affine())
        output = output * norm.weight.view(shape) + norm.bias.view(shape);
    return output;
}

template <typename Norm> torch::Tensor dispatch(Norm& norm, const torch::Tensor& input) {
    const ProcessSum* sum = SyncBatchNormScope::current();
    if (!sum || !norm.is_training())
        return norm.forward(input);
    return synchronised(norm, input, *sum);
}

} // namespace

SyncBatchNormScope::SyncBatchNormScope(ProcessSum sum)
    : m_sum(std::move(sum))
    , m_previous(t_current) {
    t_current = &m_sum;
}

SyncBatchNormScope::~SyncBatchNormScope() {
    t_current = m_previous;
}

const ProcessSum* SyncBatchNormScope::current() {
    return t_current;
}

torch::Tensor batchNorm(torch::nn::BatchNorm1dImpl& norm, const torch::Tensor& input) {
    return dispatch(norm, input);
}

torch::Tensor batchNorm(torch::nn::BatchNorm2dImpl& norm, const torch::Tensor& input) {
    return dispatch(norm, input);
}

} // namespace tc::nn
