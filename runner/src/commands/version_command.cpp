#include <iostream>
#include <ostream>

#include "commands/cli.hpp"
#include "silico/core/git_info.hpp"
#include "silico/neuron/simulator.hpp"

namespace silico::runner {

void print_version(std::ostream& out) {
    const BuildInfo& info = build_info();
    out << "silico " << info.version << "\n"
        << "commit " << info.commit << (info.dirty ? " (dirty)" : "") << "\n"
        << "NEURON " << experiments::Simulator::version() << "\n";
}

void add_version_command(CLI::App& app, CliContext& ctx) {
    auto* cmd = app.add_subcommand("version", "Print the silico version, git commit and NEURON version");
    cmd->callback([&ctx] {
        print_version(std::cout);
        ctx.exit_code = 0;
    });
}

}  // namespace silico::runner
