#pragma once

// Core-internal (LibTorch) header: the steps of data-parallel training that the Trainer calls
// when it runs in a process group of more than one rank.

#include "core/train/Distributed.h"

#include <torch/nn/module.h>
#include <torch/types.h>
#include <vector>

namespace tc::train {

/// Gives every rank rank 0's parameters and buffers (as DistributedDataParallel does when it
/// wraps a model), so that no rank starts from a different point.
void copyFromLeader(ProcessGroup& group, torch::nn::Module& module);

/// True on every rank when any rank wants to stop: all ranks stop at the same step, so that
/// none waits in a collective for a peer that left.
bool anyRankStops(ProcessGroup& group, bool stop);

/// `rows` holds, at the indices this rank computed, its feature rows (undefined where an
/// image could not be loaded or another rank computed it). Afterwards every rank holds every
/// rank's rows; rows no rank could compute stay undefined. All rows have one shape.
void gatherFeatureRows(ProcessGroup& group, std::vector<torch::Tensor>& rows);

/// Pools the (label, prediction) pairs of all ranks into `labels` and `predicted`, in class
/// order (the metrics computed from them do not depend on the order).
void gatherPredictions(ProcessGroup& group, std::vector<int>& labels, std::vector<int>& predicted,
                       int classes);

} // namespace tc::train
