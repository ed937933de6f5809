#include "silico/core/error.hpp"

namespace silico {

std::string_view to_string(Errc code) {
    switch (code) {
        case Errc::invalid_argument: return "invalid argument";
        case Errc::parse: return "parse error";
        case Errc::validation: return "validation error";
        case Errc::not_found: return "not found";
        case Errc::io: return "I/O error";
        case Errc::corruption: return "corruption";
        case Errc::version: return "version mismatch";
        case Errc::busy: return "busy";
        case Errc::neuron: return "NEURON error";
        case Errc::failed: return "failed";
        case Errc::internal: return "internal error";
    }
    return "unknown error";
}

std::string Error::what() const {
    if (context.empty()) return message;
    return context + ": " + message;
}

Error Error::within(std::string_view outer) const {
    Error wrapped = *this;
    wrapped.context = context.empty() ? std::string(outer) : std::string(outer) + ": " + context;
    return wrapped;
}

int exit_status(Errc code) {
    switch (code) {
        case Errc::invalid_argument:
        case Errc::parse:
        case Errc::validation: return 2;
        case Errc::busy: return 3;
        default: return 1;
    }
}

}  // namespace silico
