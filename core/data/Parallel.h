#pragma once

#include <atomic>
#include <functional>

namespace tc::data {

/// Runs body(i) for every i in [0, count) on up to `threads` threads, the calling thread
/// being one of them (threads <= 0: one per core). Items are handed out one at a time, so
/// uneven items balance themselves; which thread runs which item is unspecified, so a body
/// must write its result to slot i rather than append.
///
/// `progress(done, count)` (optional) is called on the calling thread only — the thread a
/// GUI's worker or a CLI owns — never concurrently. `cancel` (optional) is polled between
/// items. Returns false when canceled. An exception thrown by a body stops the other threads
/// and is rethrown here after they have joined.
bool parallelFor(int count, int threads, const std::function<void(int)>& body,
                 const std::function<void(int, int)>& progress = {},
                 const std::atomic<bool>* cancel = nullptr);

} // namespace tc::data
