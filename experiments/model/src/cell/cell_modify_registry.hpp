// Lookup in the cell modify function registry (private header).
#pragma once

#include <optional>
#include <string_view>

#include "silico/model/cell_model.hpp"

namespace silico::experiments::detail {

std::optional<CellModifyFunction> find_cell_modify_function(std::string_view name);

}  // namespace silico::experiments::detail
