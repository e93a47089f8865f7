#pragma once

#include <QString>

namespace tc::runtime {

/// Number of compute threads TorchCanvas uses by default: TORCHCANVAS_THREADS when set to a
/// positive number, else the machine's logical cores.
int defaultThreadCount();

/// Process start-up: sets LibTorch's intra-op thread count (Debian's build defaults to 1)
/// and the inter-op pool, and (once) keepFreedMemory(). `threads` <= 0 means
/// defaultThreadCount(). Call once, early.
void configureProcess(int threads = 0);

/// Makes glibc's malloc serve large blocks from the heap and keep freed memory for reuse,
/// instead of unmapping every tensor over 32 MiB when it is freed. Skipped (false) when the
/// user set malloc tunables in GLIBC_TUNABLES or TORCHCANVAS_MALLOC=system, or off glibc.
bool keepFreedMemory();

/// LibTorch keeps the intra-op thread count per OS thread (OpenMP): every worker thread
/// that runs tensor code must call this first, or it silently runs single-threaded.
void configureCurrentThread();

/// The thread count configureProcess() settled on.
int configuredThreadCount();

/// What the CPU offers for deep-learning arithmetic, read from CPUID (and the OS's support
/// for the AVX-512 state). Deterministic per machine: it never depends on a timing.
struct CpuFeatures {
    QString vendor;          ///< "AuthenticAMD", "GenuineIntel", … (empty off x86)
    bool avx512 = false;     ///< AVX-512 F, BW, VL and DQ: oneDNN's bf16 kernels need these
    bool avx512Bf16 = false; ///< native bf16 dot products (Cooper Lake, Zen 4 and later)
    bool avx512Vnni = false;
    bool amxBf16 = false; ///< AMX tiles for bf16 (Sapphire Rapids and later)

    bool isAmd() const { return vendor == QLatin1String("AuthenticAMD"); }
    /// "AuthenticAMD: AVX-512, AVX512-BF16, AVX512-VNNI, no AMX-BF16"
    QString summary() const;
};
CpuFeatures cpuFeatures();

/// LibTorch's own description of its parallel back-end, for reports and --verbose.
QString parallelBackendInfo();

} // namespace tc::runtime
