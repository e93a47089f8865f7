#include "core/util/Runtime.h"

#include <ATen/Parallel.h>
#include <atomic>
#include <c10/util/Exception.h>
#include <QThread>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace tc::runtime {

namespace {
std::atomic<int> g_threads{0};
} // namespace

int defaultThreadCount() {
    return std::max(1, QThread::idealThreadCount());
}

void configureProcess(int threads) {
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

bool cpuSupportsBf16() {
#if defined(__x86_64__) || defined(__i386__)
    // __builtin_cpu_supports also checks that the OS saves the AVX-512 state.
    if (!__builtin_cpu_supports("avx512f"))
        return false;
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
        return false;
    const bool avx512Bf16 = (eax >> 5) & 1u; // CPUID.(7,1):EAX[5]
    __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
    const bool amxBf16 = (edx >> 22) & 1u; // CPUID.(7,0):EDX[22]
    return avx512Bf16 || amxBf16;
#else
    return false;
#endif
}

QString parallelBackendInfo() {
    return QString::fromStdString(at::get_parallel_info());
}

} // namespace tc::runtime
