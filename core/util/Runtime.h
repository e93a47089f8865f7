#pragma once

#include <QString>

namespace tc::runtime {

/// Number of compute threads TorchCanvas uses by default: the machine's logical cores.
int defaultThreadCount();

/// Process start-up: sets LibTorch's intra-op thread count (Debian's build defaults to 1)
/// and the inter-op pool. `threads` <= 0 means defaultThreadCount(). Call once, early.
void configureProcess(int threads = 0);

/// LibTorch keeps the intra-op thread count per OS thread (OpenMP): every worker thread
/// that runs tensor code must call this first, or it silently runs single-threaded.
void configureCurrentThread();

/// The thread count configureProcess() settled on.
int configuredThreadCount();

/// True when the CPU has native bf16 arithmetic (AVX512-BF16 or AMX-BF16), where bf16
/// inference is several times faster than fp32.
bool cpuSupportsBf16();

/// LibTorch's own description of its parallel back-end, for reports and --verbose.
QString parallelBackendInfo();

} // namespace tc::runtime
