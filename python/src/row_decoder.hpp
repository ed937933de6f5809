// Private to the silico Python module: decoding the trials of a dataset on the machine's cores, handed back in
// row order. Decoding a trial's outputs (store reads, SHA-256, zstd, the array transforms) is most of the time
// of the activation layouts (bench/RESULTS.md, "Python module"); the store and the array decoder are safe to
// call from several threads (per-thread zstd contexts), so trials decode in parallel while the caller, on its
// own thread, consumes them one by one in order. Call it with the GIL released.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::python {

// How many threads decode: every core, at most four (more would only queue on the store).
inline unsigned decoder_threads() {
    return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

// Calls take(row, table) for every row in [lo, hi), in order, after decode(row, table) filled `table` on one of
// up to decoder_threads() threads, a batch of rows at a time: only one batch of decoded trials is held, and
// the batch's tables are reused (store's decoder keeps their capacity). The first error in row order stops
// the work and is returned; take is not called for that row or any later one.
template <class Table, class Decode, class Take>
Status decode_rows_in_order(std::size_t lo, std::size_t hi, Decode decode, Take take) {
    const unsigned threads = decoder_threads();
    const std::size_t batch = 16 * static_cast<std::size_t>(threads);
    std::vector<Table> tables(std::min(batch, hi - lo));
    std::vector<Status> status(tables.size());
    for (std::size_t first = lo; first < hi; first += batch) {
        const std::size_t count = std::min(batch, hi - first);
        std::atomic<std::size_t> next{0};
        auto work = [&] {
            for (std::size_t k = next++; k < count; k = next++) {
                try {
                    status[k] = decode(first + k, tables[k]);
                } catch (const std::exception& e) {  // std::bad_alloc: an exception must not leave a thread
                    status[k] = fail(Errc::internal, e.what(), "decoding row " + std::to_string(first + k));
                }
            }
        };
        {
            std::vector<std::jthread> helpers;
            for (unsigned t = 1; t < threads && t < count; ++t) helpers.emplace_back(work);
            work();
        }
        for (std::size_t k = 0; k < count; ++k) {
            if (!status[k]) return std::unexpected(status[k].error());
            take(first + k, std::as_const(tables[k]));
        }
    }
    return {};
}

}  // namespace silico::python
