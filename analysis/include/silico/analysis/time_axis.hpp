// The time axis that trials read together share (a query's group, an export, the Python module's traces):
// adopted from the first trial's "time" output. A later trial agrees when its "time" holds the same values bit
// for bit: the same blob agrees without a read, and another blob of the same values (compressed by another zstd:
// a trial pulled from another lab's store) is decoded once and then known.
#pragma once

#include <string>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis {

class TimeAxis {
  public:
    // Whether `record`'s time agrees with the axis (the first record's always does: it becomes the axis).
    // Errc::not_found without a "time" output, Errc::corruption when it is not one column; the caller names
    // the trial.
    Result<bool> adopt(const store::Store& store, const store::TrialRecord& record);
    bool empty() const { return m_blobs.empty(); }
    const std::vector<double>& values() const;

  private:
    store::NumericArray m_axis;   // one float64 column once adopted
    std::vector<Digest> m_blobs;  // the blobs known to hold m_axis
};

}  // namespace silico::analysis
