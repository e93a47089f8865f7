#pragma once

// Which arithmetic a run uses, decided once and recorded, and how far results computed at
// a precision may differ between code paths. No LibTorch here: the GUI and --version use it.

#include "core/nn/Architecture.h"

#include <QString>

namespace tc::nn {

/// What Precision::Auto means on this machine, and why.
struct PrecisionDecision {
    Precision precision = Precision::Fp32; ///< never Auto
    /// In words: "AVX512-BF16 on an AMD CPU: bf16 convolutions run about twice as fast".
    QString reason;
    /// The CPU features the decision was made from (runtime::CpuFeatures::summary()).
    QString cpu;
};

/// Environment variable that forces what Auto resolves to ("fp32" or "bf16"), so that a
/// test suite can run both paths on any machine. Explicit fp32/bf16 requests ignore it.
inline constexpr auto kPrecisionEnvironmentVariable = "TORCHCANVAS_PRECISION";

/// Auto, decided from CPU features alone (never from a timing, so the same machine always
/// decides the same way): bf16 with AMX-BF16, or with AVX512-BF16 on AMD (Zen 4 and later
/// run bf16 dot products at twice the fp32 rate); fp32 elsewhere, including Intel's
/// AVX512-BF16 without AMX, where oneDNN's bf16 convolutions measured slower than fp32.
/// kPrecisionEnvironmentVariable overrides it.
PrecisionDecision autoPrecision();

/// `requested`, with Auto resolved by autoPrecision().
Precision resolvePrecision(Precision requested);

/// True when this machine can compute at `precision`: bf16 needs AVX-512 (oneDNN runs bf16
/// on AVX-512 cores without native bf16 too, only more slowly).
bool canCompute(Precision precision);

/// The precision to compute a recorded run with on this machine: `recorded` itself, or fp32
/// when this CPU cannot compute it; then `notice` receives one line saying so.
Precision precisionForRecorded(Precision recorded, QString* notice);

/// Largest difference in any class probability between two evaluations of the same trained
/// model on different code paths (batch sizes, engines, an export) when `precision` was
/// involved: fp32 1e-4 (rounding), bf16 2e-2 (8-bit mantissas through the backbone).
/// docs/DEVELOPMENT.md explains the figures; the tests use them.
double probabilityTolerance(Precision precision);

} // namespace tc::nn
