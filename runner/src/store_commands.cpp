#include "cli.hpp"

namespace silico::runner {

// Filled in by the store library's commands (issue 2).
void add_store_commands(CLI::App&, CliContext&) {}

}  // namespace silico::runner
