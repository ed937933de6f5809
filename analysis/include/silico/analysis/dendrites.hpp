// One trial's [record.dendrites] recording (experiments/trial's "dendrites.*" outputs): the geometry of every
// segment and the samples of one variable, as the report's animation draws them (value against soma
// distance, one frame per sample time).
//
// The trial is `trial` (its dataset index, as queries print it, or its row number), or else the first
// selected trial (all trials of a recipe record the same outputs). Errors: Errc::invalid_argument for a
// dataset of spike times only, or a variable the trial did not record (listing those it did);
// Errc::not_found when the trial recorded no dendrites, or `trial` names none of the selected ones.
#pragma once

#include <string>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

struct DendriteOptions {
    std::string variable;  // as in the recipe ("v", "cai", "Ca_LVAst.ica"); empty: v, else the first recorded
    std::string trial;     // empty: the first selected trial with a recording
};

struct DendriteRecordingData {
    std::string trial;                        // the dataset index of the trial read
    std::vector<std::string> variables;       // every variable the trial recorded in its segments
    std::string variable;                     // the one in `values`
    std::vector<double> time;                 // ms
    std::vector<int> section;                 // per segment: section ID
    std::vector<double> x;                    // per segment: position of its centre along the section
    std::vector<double> soma_distance;        // per segment: D2 path distance from soma(0), µm
    std::vector<std::string> labels;          // per segment: section label (Soma, ApicalDendrite, ...)
    std::vector<std::vector<double>> values;  // values[segment][sample]; NaN where the segment lacks it
};

Result<DendriteRecordingData> query_dendrites(const store::Store& store, const Dataset& dataset,
                                              const DendriteOptions& options = {},
                                              const SelectOptions& select = {});

}  // namespace silico::analysis
