// A minimal parallel loop for the anatomy mapper (private): jobs 0..n-1 on `threads` threads, taken in
// order from an atomic counter. Results must be written to per-job slots, so they do not depend on the thread
// count or on scheduling.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace silico::experiments::detail {

inline int resolve_threads(int requested) {
    if (requested > 0) return requested;
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

template <class Fn>
void parallel_for(std::size_t n, int threads, Fn&& fn) {
    const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(resolve_threads(threads)), n);
    if (workers <= 1) {
        for (std::size_t i = 0; i < n; ++i) fn(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    auto run = [&] {
        for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
    };
    std::vector<std::jthread> pool;
    pool.reserve(workers - 1);
    for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(run);
    run();
}

}  // namespace silico::experiments::detail
