// What every morphology a reader accepts must satisfy, and a cell model built from it (fuzz helper).
#pragma once

#include <cmath>
#include <cstdlib>

#include "silico/neuron/neuron_cell.hpp"

namespace silico::experiments::fuzz {

inline void check(bool ok) {
    if (!ok) std::abort();  // libFuzzer reports the input
}

inline void check_accepted(const Morphology& m) {
    int somas = 0;
    for (const auto& s : m.sections) {
        somas += s.label == k_label_soma;
        check(s.points.size() >= 2);
        check(s.parent_id < static_cast<int>(m.sections.size()));
        check(s.parent_x >= 0 && s.parent_x <= 1);
    }
    check(somas == 1);
    // A model with no biophysics must build (NEURON defaults, d-lambda nseg) and have sane numbers.
    CellParameters none;
    auto cell = build_cell_model(m, none);
    if (!cell) return;  // e.g. a zero middle diameter: refused with a message, which is fine
    for (const auto& s : cell->sections()) {
        check(s.nseg >= 1);
        check(std::isfinite(s.length) && s.length > 0);
        check(s.rel_pts.back() == 1.0);
        check(std::isfinite(cell->distance_to_soma(s.id, 1.0)));
    }
    (void)hoc_program(*cell, "f");
}

}  // namespace silico::experiments::fuzz
