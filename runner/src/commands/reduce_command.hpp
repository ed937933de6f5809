// `silico reduce fit / apply`: ISF's reduced LDA model (reduce_command.cpp, docs/analysis.md "Reduced model").
#pragma once

#include "cli.hpp"

namespace silico::runner {

void add_reduce_commands(CLI::App& app, CliContext& ctx);

}  // namespace silico::runner
