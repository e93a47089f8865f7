#include "core/train/TrainingControl.h"

namespace tc::train {

void TrainingControl::requestStop() {
    {
        // Taking the lock orders the store against a waiter that just checked the flags.
        std::lock_guard lock(m_mutex);
        m_stop.store(true, std::memory_order_release);
    }
    m_wake.notify_all();
}

void TrainingControl::requestPause() {
    std::lock_guard lock(m_mutex);
    m_pause.store(true, std::memory_order_release);
}

void TrainingControl::resume() {
    {
        std::lock_guard lock(m_mutex);
        m_pause.store(false, std::memory_order_release);
    }
    m_wake.notify_all();
}

bool TrainingControl::checkpoint() {
    if (m_pause.load(std::memory_order_acquire)) {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] {
            return !m_pause.load(std::memory_order_acquire) ||
                   m_stop.load(std::memory_order_acquire);
        });
    }
    return !m_stop.load(std::memory_order_acquire);
}

void TrainingControl::reset() {
    std::lock_guard lock(m_mutex);
    m_stop.store(false);
    m_pause.store(false);
}

} // namespace tc::train
