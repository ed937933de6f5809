// Structural checks shared by the morphology readers (private header).
#pragma once

#include "silico/model/morphology.hpp"

namespace silico::experiments::detail {

// One soma; every other section has a parent chain that ends at the soma (no cycles, no dangling IDs);
// >= 2 points per section, non-negative diameters, positive length.
Status validate_morphology(const Morphology& morphology);

}  // namespace silico::experiments::detail
