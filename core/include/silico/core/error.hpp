// Error handling shared by every silico library.
//
// Expected failures (bad input, missing files, corrupt data, a busy store) travel as
// silico::Result<T> = std::expected<T, silico::Error>. Exceptions are used only at the CLI boundary.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace silico {

// What kind of failure this is. The CLI maps codes to exit statuses (see exit_status()).
enum class Errc {
    invalid_argument,  // a caller passed something impossible
    parse,             // a file or text is malformed (context names file:line:col)
    validation,        // well-formed input with impossible values (recipes, parameter files)
    not_found,         // a file, key or name that does not exist
    io,                // the operating system refused (open, read, write, rename, fsync)
    corruption,        // stored bytes do not match their digest or format
    version,           // data or peer from an incompatible format version
    busy,              // a resource is held by another process (e.g. the store's writer lock)
    neuron,            // the NEURON simulator reported an error
    failed,            // a computation ran and failed (a crashed trial, a dead worker)
    internal,          // a broken invariant: a bug in silico
};

std::string_view to_string(Errc code);

// A failure with a code, a message that says what went wrong, and where (file:line:col, key, host...).
struct Error {
    Errc code = Errc::internal;
    std::string message;
    std::string context;

    // "context: message" or just "message": the text shown to users.
    std::string what() const;

    // Prepends outer context: error.within("recipe.toml") turns "line 3: bad" into "recipe.toml: line 3: bad".
    Error within(std::string_view outer) const;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message, std::string context = {}) {
    return std::unexpected(Error{code, std::move(message), std::move(context)});
}

// Process exit status for an error reaching the CLI: 2 for bad input, 3 for a busy resource, 1 otherwise.
int exit_status(Errc code);

}  // namespace silico
