// Reading a trial's outputs by name, for the readers that go through every trial of a dataset (queries,
// exports, the Python module): one loop, one error for a missing output, buffers kept across trials.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "silico/store/store.hpp"
#include "silico/store/trial_outputs.hpp"

namespace silico::store {

// Errc::not_found: `record` has no output `name`; the message lists the outputs it has.
Error missing_output(const TrialRecord& record, std::string_view name);

// The outputs `names` of `record` as stored, in that order, into `out`: its elements and their buffers are
// reused, so a reader that calls this per trial allocates only while the outputs grow. Each blob is read
// with `check` (Store::read_blob). Errors name the output, never the trial: the caller knows its index.
Status read_outputs(const Store& store, const TrialRecord& record, std::span<const std::string_view> names,
                    std::vector<NamedArray>& out, BlobCheck check = BlobCheck::digest);

}  // namespace silico::store
