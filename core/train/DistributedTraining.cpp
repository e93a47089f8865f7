#include "core/train/DistributedTraining.h"

#include <torch/torch.h>

namespace tc::train {

void copyFromLeader(ProcessGroup& group, torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> tensors;
    for (const auto& parameter : module.parameters())
        tensors.push_back(parameter);
    for (const auto& buffer : module.buffers())
        tensors.push_back(buffer);
    for (torch::Tensor& tensor : tensors) {
        // A sum where every rank but the leader contributes zeros is the leader's value.
        torch::Tensor value = group.isLeader() ? tensor.detach().clone().contiguous()
                                               : torch::zeros_like(tensor).contiguous();
        group.allReduceSum(value);
        tensor.copy_(value);
    }
}

bool anyRankStops(ProcessGroup& group, bool stop) {
    torch::Tensor flag = torch::full({1}, stop ? 1 : 0, torch::kInt64);
    group.allReduceMax(flag);
    return flag.item<std::int64_t>() > 0;
}

void gatherFeatureRows(ProcessGroup& group, std::vector<torch::Tensor>& rows) {
    // The rows' shape, from whichever rank computed one (up to 4 dimensions: [C] or [C, H, W]).
    constexpr int kMaxDims = 4;
    torch::Tensor shape = torch::zeros({kMaxDims + 1}, torch::kInt64);
    for (const torch::Tensor& row : rows) {
        if (!row.defined())
            continue;
        TORCH_CHECK(row.dim() <= kMaxDims, "feature rows of more than 4 dimensions");
        shape[0] = row.dim();
        for (std::int64_t d = 0; d < row.dim(); ++d)
            shape[d + 1] = row.size(d);
        break;
    }
    group.allReduceMax(shape);
    const std::int64_t dims = shape[0].item<std::int64_t>();
    if (dims == 0)
        return; // no rank could load any image
    std::vector<std::int64_t> sizes;
    std::int64_t width = 1;
    for (std::int64_t d = 0; d < dims; ++d) {
        sizes.push_back(shape[d + 1].item<std::int64_t>());
        width *= sizes.back();
    }
    const auto count = static_cast<std::int64_t>(rows.size());
    // Shards are disjoint, so a sum of zero-padded tables gathers them.
    torch::Tensor table = torch::zeros({count, width}, torch::kFloat32);
    torch::Tensor present = torch::zeros({count}, torch::kInt64);
    for (std::int64_t i = 0; i < count; ++i) {
        if (!rows[size_t(i)].defined())
            continue;
        table[i].copy_(rows[size_t(i)].reshape({-1}));
        present[i] = 1;
    }
    std::vector<torch::Tensor> both{table, present};
    group.allReduceSum(both);
    for (std::int64_t i = 0; i < count; ++i)
        rows[size_t(i)] =
            present[i].item<std::int64_t>() > 0 ? table[i].view(sizes).clone() : torch::Tensor();
}

void gatherPredictions(ProcessGroup& group, std::vector<int>& labels, std::vector<int>& predicted,
                       int classes) {
    torch::Tensor confusion = torch::zeros({classes, classes}, torch::kInt64);
    auto* cells = confusion.data_ptr<std::int64_t>();
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= 0 && labels[i] < classes && predicted[i] >= 0 && predicted[i] < classes)
            ++cells[labels[i] * classes + predicted[i]];
    }
    group.allReduceSum(confusion);
    cells = confusion.data_ptr<std::int64_t>();
    labels.clear();
    predicted.clear();
    for (int truth = 0; truth < classes; ++truth) {
        for (int guess = 0; guess < classes; ++guess) {
            for (std::int64_t k = 0; k < cells[truth * classes + guess]; ++k) {
                labels.push_back(truth);
                predicted.push_back(guess);
            }
        }
    }
}

} // namespace tc::train
