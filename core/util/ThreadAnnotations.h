#pragma once

// Happens-before edges that ThreadSanitizer cannot see by itself. Qt 6 is not built with TSan:
// a queued signal, deleteLater() or QThread::wait() synchronises inside libQt6Core, through
// futexes TSan does not observe, so memory handed from one thread to another that way is
// reported as a race although the hand-over is ordered. Where TorchCanvas hands an object over
// through Qt, the sender calls publish(object) after its last access and the receiver calls
// receive(object) before its first. Without TSan both compile to nothing.

#if defined(__SANITIZE_THREAD__)
#define TORCHCANVAS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TORCHCANVAS_TSAN 1
#endif
#endif

#if defined(TORCHCANVAS_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace tc::util {

/// Everything this thread did before is visible to a thread that later calls receive(token).
inline void publish(const void* token) {
#if defined(TORCHCANVAS_TSAN)
    __tsan_release(const_cast<void*>(token));
#else
    (void)token;
#endif
}

/// Orders what follows after every publish(token) that came before.
inline void receive(const void* token) {
#if defined(TORCHCANVAS_TSAN)
    __tsan_acquire(const_cast<void*>(token));
#else
    (void)token;
#endif
}

} // namespace tc::util
