#include "core/nn/PrecisionPolicy.h"

#include "core/util/Runtime.h"

#include <QByteArray>

namespace tc::nn {

namespace {

PrecisionDecision decideFromCpu() {
    const runtime::CpuFeatures cpu = runtime::cpuFeatures();
    PrecisionDecision decision;
    decision.cpu = cpu.summary();
    if (cpu.amxBf16) {
        decision.precision = Precision::Bf16;
        decision.reason = QStringLiteral("AMX-BF16: bf16 convolutions run several times faster "
                                         "than fp32");
    } else if (cpu.avx512Bf16 && cpu.isAmd()) {
        decision.precision = Precision::Bf16;
        decision.reason = QStringLiteral("AVX512-BF16 on an AMD CPU: bf16 convolutions run "
                                         "about twice as fast as fp32");
    } else if (cpu.avx512Bf16) {
        decision.reason = QStringLiteral("AVX512-BF16 without AMX: bf16 convolutions are no "
                                         "faster than fp32 on this CPU family");
    } else {
        decision.reason = QStringLiteral("no native bf16 arithmetic");
    }
    return decision;
}

} // namespace

PrecisionDecision autoPrecision() {
    // The CPU and the environment do not change while the program runs: decide once.
    static const PrecisionDecision decision = [] {
        PrecisionDecision result = decideFromCpu();
        const QByteArray forced = qgetenv(kPrecisionEnvironmentVariable);
        if (forced.isEmpty())
            return result;
        const std::optional<Precision> value = parsePrecision(QString::fromLatin1(forced));
        if (value && *value != Precision::Auto) {
            result.precision = *value;
            result.reason =
                QStringLiteral("forced by %1=%2")
                    .arg(QLatin1String(kPrecisionEnvironmentVariable), precisionName(*value));
        }
        return result;
    }();
    return decision;
}

Precision resolvePrecision(Precision requested) {
    return requested == Precision::Auto ? autoPrecision().precision : requested;
}

bool canCompute(Precision precision) {
    return precision != Precision::Bf16 || runtime::cpuFeatures().avx512;
}

Precision precisionForRecorded(Precision recorded, QString* notice) {
    const Precision precision = resolvePrecision(recorded);
    if (canCompute(precision))
        return precision;
    if (notice)
        *notice = QStringLiteral("this model was trained with a %1 backbone, which this CPU cannot "
                                 "compute (%2); using fp32, so probabilities may differ by up to "
                                 "%3")
                      .arg(precisionName(precision), runtime::cpuFeatures().summary())
                      .arg(probabilityTolerance(precision));
    return Precision::Fp32;
}

double probabilityTolerance(Precision precision) {
    return resolvePrecision(precision) == Precision::Bf16 ? 2e-2 : 1e-4;
}

} // namespace tc::nn
