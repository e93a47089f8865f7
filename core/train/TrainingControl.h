#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace tc::train {

/// Pause / resume / stop requests from any thread to the training thread, which checks them
/// at every batch. Stop also wakes a paused run, so stopping never waits for a resume.
class TrainingControl {
public:
    void requestStop();
    void requestPause();
    void resume();

    bool stopRequested() const { return m_stop.load(std::memory_order_acquire); }
    bool pauseRequested() const { return m_pause.load(std::memory_order_acquire); }

    /// Called by the training thread at a batch boundary: blocks while paused. Returns false
    /// when the run should stop.
    bool checkpoint();

    /// Clears all requests for the next run.
    void reset();

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_pause{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
};

} // namespace tc::train
