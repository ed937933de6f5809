// `failf`: fail() with a fmt format string, for messages that interpolate several values. Kept apart from
// error.hpp so that only the libraries that link fmt (model, neuron, trial) include it.
#pragma once

#include <fmt/format.h>

#include <utility>

#include "silico/core/error.hpp"

namespace silico {

template <class... A>
std::unexpected<Error> failf(Errc code, fmt::format_string<A...> format, A&&... args) {
    return fail(code, fmt::format(format, std::forward<A>(args)...));
}

}  // namespace silico
