#pragma once
/// A minimal parallel loop over independent items (slices, regions).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace radnode::processing {

/// Calls body(i) for every i in [0, count) on up to `threads` threads (0: one per core),
/// handing out indices one at a time so uneven items balance. The calling thread works too.
/// If a body throws, the remaining items are skipped and the first exception is rethrown.
template <typename Body> void ParallelFor(std::size_t count, unsigned threads, Body&& body) {
    if (threads == 0)
        threads = std::max(1U, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(count, 1)));
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto worker = [&] {
        for (std::size_t i = next++; i < count; i = next++) {
            try {
                body(i);
            } catch (...) {
                const std::lock_guard lock(failure_mutex);
                if (!failure)
                    failure = std::current_exception();
                next = count; // stop handing out work
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (std::thread& thread : pool)
        thread.join();
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace radnode::processing
