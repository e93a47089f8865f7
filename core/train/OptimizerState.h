#pragma once

// Core-internal (LibTorch) header: an optimizer's per-parameter state as plain named
// tensors, so that a checkpoint can hold it in a data-only format (safetensors).

#include "core/nn/StateDict.h"

#include <QString>

namespace tc::train {

/// The state of every parameter the optimizer has stepped, named
/// "<prefix><parameter index>.<field>" ("optimizer.3.exp_avg"); integer counters such as
/// Adam's step are 0-dimensional int64 tensors. Adam, AdamW, SGD and RMSprop are known.
nn::StateDict optimizerStateTensors(torch::optim::Optimizer& optimizer, const std::string& prefix);

/// Puts back what optimizerStateTensors() wrote. Every tensor must fit its parameter
/// (same shape) and every name must be known; otherwise nothing changes and `error` names
/// the tensor.
bool restoreOptimizerState(torch::optim::Optimizer& optimizer, const nn::StateDict& tensors,
                           const std::string& prefix, QString* error);

} // namespace tc::train
