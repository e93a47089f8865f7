#include "core/util/Runtime.h"

#include <ATen/Parallel.h>
#include <atomic>
#include <c10/util/Exception.h>
#include <cstring>
#include <QStringList>
#include <QThread>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tc::runtime {

namespace {
std::atomic<int> g_threads{0};
} // namespace

int defaultThreadCount() {
    // Set by `train --nproc N` for its workers (a share of the cores each), or by the user.
    bool ok = false;
    const int chosen = qEnvironmentVariableIntValue("TORCHCANVAS_THREADS", &ok);
    if (ok && chosen > 0)
        return chosen;
    return std::max(1, QThread::idealThreadCount());
}

bool keepFreedMemory() {
#if defined(__GLIBC__)
    // glibc maps every block over 32 MiB on its own and unmaps it when freed, so each
    // training step faults in and zeroes its activations' pages again (a third of a ResNet50
    // fine-tuning step's time was the kernel's). Serving big blocks from the heap and keeping
    // up to 1 GiB of it free reuses the pages instead (docs/BENCHMARKS.md, "Fine-tuning").
    // A user's own malloc tunables, or TORCHCANVAS_MALLOC=system, leave glibc as it is.
    if (qEnvironmentVariable("GLIBC_TUNABLES").contains(QLatin1String("glibc.malloc.")) ||
        qEnvironmentVariable("TORCHCANVAS_MALLOC") == QLatin1String("system"))
        return false;
    // Under ASan or TSan their allocator replaces glibc's and refuses mallopt: false.
    return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
#else
    return false;
#endif
}

void configureProcess(int threads) {
    static const bool keptFreedMemory = keepFreedMemory();
    Q_UNUSED(keptFreedMemory);
    const int count = threads > 0 ? threads : defaultThreadCount();
    g_threads.store(count);
    at::set_num_threads(count);
    // The inter-op pool can only be sized before its first use; a second call throws.
    try {
        at::set_num_interop_threads(std::max(1, count / 2));
    } catch (const c10::Error&) {
    }
}

void configureCurrentThread() {
    const int count = g_threads.load();
    at::set_num_threads(count > 0 ? count : defaultThreadCount());
}

int configuredThreadCount() {
    const int count = g_threads.load();
    return count > 0 ? count : at::get_num_threads();
}

QString CpuFeatures::summary() const {
    QStringList parts;
    auto flag = [&](bool present, const char* name) {
        parts << (present ? QString::fromLatin1(name)
                          : QStringLiteral("no ") + QLatin1String(name));
    };
    flag(avx512, "AVX-512");
    flag(avx512Bf16, "AVX512-BF16");
    flag(avx512Vnni, "AVX512-VNNI");
    flag(amxBf16, "AMX-BF16");
    const QString name = vendor.isEmpty() ? QStringLiteral("unknown CPU") : vendor;
    return name + QStringLiteral(": ") + parts.join(QStringLiteral(", "));
}

CpuFeatures cpuFeatures() {
    CpuFeatures features;
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
        char vendor[13] = {};
        std::memcpy(vendor, &ebx, 4);
        std::memcpy(vendor + 4, &edx, 4);
        std::memcpy(vendor + 8, &ecx, 4);
        features.vendor = QString::fromLatin1(vendor);
    }
    // __builtin_cpu_supports also checks that the OS saves the AVX-512 state.
    features.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    if (!features.avx512)
        return features;
    features.avx512Vnni = __builtin_cpu_supports("avx512vnni");
    if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
        features.avx512Bf16 = (eax >> 5) & 1u; // CPUID.(7,1):EAX[5]
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
        features.amxBf16 = (edx >> 22) & 1u; // CPUID.(7,0):EDX[22]
#endif
    return features;
}

QString parallelBackendInfo() {
    return QString::fromStdString(at::get_parallel_info());
}

} // namespace tc::runtime
