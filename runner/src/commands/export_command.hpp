// `silico export` (export_command.cpp); declared apart from cli.hpp so that adding it recompiles main.cpp only.
#pragma once

#include "cli.hpp"

namespace silico::runner {

void add_export_command(CLI::App& app, CliContext& ctx);

}  // namespace silico::runner
