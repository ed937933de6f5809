// silico: reproducible single-neuron simulation batches in NEURON.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "commands/cli.hpp"
#include "commands/export_command.hpp"
#include "commands/reduce_command.hpp"

namespace silico::runner {

std::filesystem::path CliContext::store_dir() const {
    if (!store_option.empty()) return store_option;
    if (const char* env = std::getenv("SILICO_STORE"); env && *env) return env;
    return "silico-store";
}

void CliContext::report(const Error& error) {
    std::cerr << "silico: error: " << error.what() << "\n";
    exit_code = exit_status(error.code);
}

}  // namespace silico::runner

int main(int argc, char** argv) {
    using namespace silico::runner;
    // Queries decode one trace after another into buffers of the same few sizes; without this, glibc hands
    // every freed buffer back to the kernel and the next one page-faults in again (a third of a trace query).
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    CLI::App app{"silico: reproducible single-neuron simulation batches in NEURON", "silico"};
    app.require_subcommand(0, 1);
    app.fallthrough();
    CliContext ctx;
    bool show_version = false;
    app.add_flag("--version", show_version, "Print the silico version, git commit and NEURON version");
    app.add_option("--store", ctx.store_option, "Store folder (default: $SILICO_STORE or ./silico-store)");

    add_version_command(app, ctx);
    add_store_commands(app, ctx);
    add_recipe_commands(app, ctx);
    add_worker_command(app, ctx);
    add_cell_commands(app, ctx);
    add_run_commands(app, ctx);
    add_query_commands(app, ctx);
    add_import_commands(app, ctx);
    add_export_command(app, ctx);
    add_anatomy_commands(app, ctx);
    add_check_command(app, ctx);
    add_reduce_commands(app, ctx);
    add_sharing_commands(app, ctx);
    add_report_commands(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (show_version) {
        print_version(std::cout);
        return 0;
    }
    if (app.get_subcommands().empty()) {
        std::cout << app.help();
        return 0;
    }
    return ctx.exit_code;
}
