#include "core/data/Parallel.h"

#include <exception>
#include <mutex>
#include <QThread>
#include <thread>
#include <vector>

namespace tc::data {

bool parallelFor(int count, int threads, const std::function<void(int)>& body,
                 const std::function<void(int, int)>& progress, const std::atomic<bool>* cancel) {
    if (count <= 0)
        return !(cancel && cancel->load());
    if (threads <= 0)
        threads = std::max(1, QThread::idealThreadCount());
    threads = std::min(threads, count);

    std::atomic<int> next{0};
    std::atomic<int> done{0};
    std::atomic<bool> abort{false};
    std::exception_ptr failure;
    std::mutex failureMutex;

    auto stopRequested = [&] {
        return abort.load() || (cancel && cancel->load());
    };
    // Returns after each item so that the calling thread can report progress in between.
    auto runOne = [&]() -> bool {
        if (stopRequested())
            return false;
        const int index = next.fetch_add(1);
        if (index >= count)
            return false;
        try {
            body(index);
        } catch (...) {
            const std::lock_guard lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
            abort.store(true);
            return false;
        }
        done.fetch_add(1);
        return true;
    };

    std::vector<std::thread> helpers;
    helpers.reserve(size_t(threads - 1));
    for (int t = 1; t < threads; ++t)
        helpers.emplace_back([&] {
            while (runOne()) {
            }
        });
    while (runOne()) {
        if (progress)
            progress(done.load(), count);
    }
    for (std::thread& helper : helpers)
        helper.join();
    if (failure)
        std::rethrow_exception(failure);
    const bool canceled = cancel && cancel->load() && done.load() < count;
    if (progress && !canceled)
        progress(done.load(), count);
    return !canceled;
}

} // namespace tc::data
