// `silico cell ...`: look at cell models without running a simulation.
//   silico cell summary --morphology FILE [--biophysics FILE] [--path-map NAME=DIR]... [--json]
//   silico cell generate-example -o FILE.hoc [--seed N]
//   silico cell generate-example-network -o DIR [--morphology FILE.hoc] [--seed N]
//   silico cell run-lengths --morphology FILE --activation FILE --syn FILE [--json]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands/cli.hpp"
#include "silico/model/example_cell.hpp"
#include "silico/model/example_network.hpp"
#include "silico/model/run_lengths.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/simulator.hpp"

namespace silico::runner {

namespace {

namespace ex = silico::experiments;

struct SummaryOptions {
    std::string morphology;
    std::string biophysics;
    std::vector<std::string> path_maps;
    bool json = false;
};

Result<recipes::PathMap> parse_path_maps(const std::vector<std::string>& items) {
    recipes::PathMap map;
    for (const auto& item : items) {
        auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail(Errc::invalid_argument, "--path-map takes NAME=DIR, not '" + item + "'");
        map[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return map;
}

Result<nlohmann::ordered_json> summarize(const SummaryOptions& options) {
    auto morphology = ex::read_morphology(options.morphology);
    if (!morphology) return std::unexpected(morphology.error());
    ex::CellParameters parameters;
    if (!options.biophysics.empty()) {
        auto paths = parse_path_maps(options.path_maps);
        if (!paths) return std::unexpected(paths.error());
        auto p = ex::read_cell_parameters(options.biophysics, *paths);
        if (!p) return std::unexpected(p.error());
        parameters = std::move(*p);
    }
    auto model = ex::build_cell_model(*morphology, parameters);
    if (!model) return std::unexpected(model.error());
    auto simulator = ex::Simulator::instance();
    if (!simulator) return std::unexpected(simulator.error());
    auto cell = ex::NeuronCell::instantiate(**simulator, *model);
    if (!cell) return std::unexpected(cell.error());
    auto areas = cell->label_areas();
    if (!areas) return std::unexpected(areas.error());

    nlohmann::ordered_json out;
    out["morphology"] = options.morphology;
    out["biophysics"] = options.biophysics.empty() ? nlohmann::ordered_json(nullptr)
                                                   : nlohmann::ordered_json(options.biophysics);
    out["cell_modify_functions"] = model->applied_modify_functions();
    auto& labels = out["labels"] = nlohmann::ordered_json::array();
    double dendritic = 0, area_total = 0;
    for (const auto& l : model->label_summaries()) {
        const double area = areas->contains(l.label) ? areas->at(l.label) : 0.0;
        labels.push_back({{"label", l.label},
                          {"sections", l.sections},
                          {"segments", l.segments},
                          {"length_um", l.length},
                          {"area_um2", area}});
        if (l.label == ex::k_label_dendrite || l.label == ex::k_label_apical) dendritic += l.length;
        area_total += area;
    }
    out["sections"] = model->sections().size();
    out["segments"] = model->total_segments();
    out["length_um"] = model->total_length();
    out["dendritic_length_um"] = dendritic;
    out["area_um2"] = area_total;
    auto apical = model->max_distance(ex::k_label_apical);
    out["max_apical_distance_um"] =
        apical ? nlohmann::ordered_json(*apical) : nlohmann::ordered_json(nullptr);
    return out;
}

void print_text(const nlohmann::ordered_json& s, std::ostream& out) {
    out << "morphology  " << s["morphology"].get<std::string>() << "\n";
    if (!s["biophysics"].is_null()) out << "biophysics  " << s["biophysics"].get<std::string>() << "\n";
    if (!s["cell_modify_functions"].empty()) {
        out << "modified by";
        for (const auto& f : s["cell_modify_functions"]) out << " " << f.get<std::string>();
        out << "\n";
    }
    out << fmt::format("\n{:<16} {:>8} {:>8} {:>12} {:>14}\n", "label", "sections", "segments", "length µm",
                       "area µm²");
    for (const auto& l : s["labels"])
        out << fmt::format("{:<16} {:>8} {:>8} {:>12.2f} {:>14.2f}\n", l["label"].get<std::string>(),
                           l["sections"].get<int>(), l["segments"].get<int>(), l["length_um"].get<double>(),
                           l["area_um2"].get<double>());
    out << fmt::format("{:<16} {:>8} {:>8} {:>12.2f} {:>14.2f}\n", "total", s["sections"].get<int>(),
                       s["segments"].get<int>(), s["length_um"].get<double>(), s["area_um2"].get<double>());
    out << fmt::format("\ndendritic length      {:.2f} µm\n", s["dendritic_length_um"].get<double>());
    if (!s["max_apical_distance_um"].is_null())
        out << fmt::format("max apical distance   {:.2f} µm (path from the soma centre)\n",
                           s["max_apical_distance_um"].get<double>());
}

struct RunLengthsOptions {
    std::string morphology, activation, syn;
    bool json = false;
};

// How the section lengths a stored ISF run had compare with those of a morphology's float32 3D points: tells
// whether a replay needs [cell.lengths_of_run].
Result<nlohmann::ordered_json> compare_run_lengths(const RunLengthsOptions& options) {
    auto morphology = ex::read_morphology(options.morphology);
    if (!morphology) return std::unexpected(morphology.error());
    auto model = ex::build_cell_model(*morphology, ex::CellParameters{});
    if (!model) return std::unexpected(model.error());
    auto lengths = ex::read_run_section_lengths(options.activation, options.syn, morphology->sections.size());
    if (!lengths) return std::unexpected(lengths.error());
    std::vector<double> relative;
    int identical = 0, worst = -1;
    double worst_relative = 0;
    for (std::size_t id = 0; id < lengths->size(); ++id) {
        if (!(*lengths)[id]) continue;
        const double points = model->section(static_cast<int>(id)).length;
        const double r = std::abs(*(*lengths)[id] / points - 1);
        relative.push_back(r);
        if (r < 1e-9) ++identical;  // the precision of a length read from 12-digit soma distances
        if (r >= worst_relative) worst_relative = r, worst = static_cast<int>(id);
    }
    std::ranges::sort(relative);
    nlohmann::ordered_json out;
    out["morphology"] = options.morphology;
    out["activation"] = options.activation;
    out["sections"] = morphology->sections.size();
    out["recovered"] = relative.size();
    out["identical"] = identical;
    out["median_relative_difference"] = relative.empty() ? 0.0 : relative[relative.size() / 2];
    out["max_relative_difference"] = worst_relative;
    out["max_section"] = worst;
    out["verdict"] = relative.empty()         ? "undetermined"
                     : worst_relative < 1e-9  ? "same"
                     : worst_relative <= 1e-5 ? "float32"
                                              : "other cell";
    return out;
}

void print_run_lengths(const nlohmann::ordered_json& s, std::ostream& out) {
    out << fmt::format(
        "{} of {} sections have a length in the run's soma distances; {} equal the morphology's\n",
        s["recovered"].get<std::size_t>(), s["sections"].get<std::size_t>(), s["identical"].get<int>());
    if (s["recovered"].get<std::size_t>() > 0)
        out << fmt::format("relative difference: median {:.2e}, max {:.2e} (section {})\n",
                           s["median_relative_difference"].get<double>(),
                           s["max_relative_difference"].get<double>(), s["max_section"].get<int>());
    const auto verdict = s["verdict"].get<std::string>();
    if (verdict == "same")
        out << "the morphology has the run's section lengths\n";
    else if (verdict == "float32")
        out << "the run had this cell at other float32 lengths (registered elsewhere); a replay reproduces "
               "it "
               "only to ~5e-7 mV, spike upstrokes to ~5e-3 mV: add [cell.lengths_of_run] to the recipe\n";
    else if (verdict == "other cell")
        out << "the run's lengths differ by more than float32 rounding: it used another cell\n";
    else
        out << "no section has two synapses of distinct x: the lengths cannot be read back\n";
}

// Prints a command's report as JSON or as text, or reports its error (with its exit status).
void finish(CliContext& ctx, const Result<nlohmann::ordered_json>& report, bool json,
            void (*print)(const nlohmann::ordered_json&, std::ostream&)) {
    if (!report) return ctx.report(report.error());
    if (json)
        std::cout << report->dump(2) << "\n";
    else
        print(*report, std::cout);
    ctx.exit_code = 0;
}

}  // namespace

namespace {

void add_summary_command(CLI::App& cell, CliContext& ctx) {
    auto options = std::make_shared<SummaryOptions>();
    auto* summary = cell.add_subcommand(
        "summary",
        "Sections, segments, lengths and NEURON membrane areas per label, and the maximum apical distance");
    summary->add_option("--morphology", options->morphology, "Morphology file (.hoc or .swc)")->required();
    summary->add_option("--biophysics", options->biophysics,
                        "ISF cell parameter file (.param); without it NEURON's default Ra and cm set nseg");
    summary->add_option(
        "--path-map", options->path_maps,
        "Placeholder in the parameter file, NAME=DIR (e.g. IN_SILICO_FRAMEWORK_DIR=../shared/isf)");
    summary->add_flag("--json", options->json, "Print JSON");
    summary->callback([options, &ctx] { finish(ctx, summarize(*options), options->json, print_text); });
}

void add_run_lengths_command(CLI::App& cell, CliContext& ctx) {
    auto options = std::make_shared<RunLengthsOptions>();
    auto* run_lengths = cell.add_subcommand(
        "run-lengths",
        "Compare the section lengths a stored ISF run had (from its soma distances) with a morphology's");
    run_lengths->add_option("--morphology", options->morphology, "Morphology file (.hoc or .swc)")
        ->required();
    run_lengths
        ->add_option("--activation", options->activation,
                     "The run's synapse activation file (simulation_run*_synapses.csv of a new run)")
        ->required();
    run_lengths->add_option("--syn", options->syn, "The .syn file the run placed its synapses from")
        ->required();
    run_lengths->add_flag("--json", options->json, "Print JSON");
    run_lengths->callback(
        [options, &ctx] { finish(ctx, compare_run_lengths(*options), options->json, print_run_lengths); });
}

Status write_text_file(const std::filesystem::path& path, const std::string& text, const std::string& what) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) return fail(Errc::io, "cannot write the " + what, path.string());
    return {};
}

void add_generate_example_command(CLI::App& cell, CliContext& ctx) {
    auto output = std::make_shared<std::string>();
    auto seed = std::make_shared<std::uint64_t>(ex::ExampleCellOptions{}.seed);
    auto* generate = cell.add_subcommand("generate-example",
                                         "Write silico's procedural L5PT-like example morphology as hoc");
    generate->add_option("-o,--output", *output, "Output .hoc file")->required();
    generate->add_option("--seed", *seed, "Random seed (the shipped cell uses the default)");
    generate->callback([output, seed, &ctx] {
        const std::string text = ex::write_hoc(ex::generate_example_cell({.seed = *seed}));
        if (auto st = write_text_file(*output, text, "example cell"); !st) return ctx.report(st.error());
        ctx.exit_code = 0;
    });
}

Status write_example_network(const std::filesystem::path& dir, const ex::ExampleNetworkFiles& files) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(Errc::io, "cannot create the output folder: " + ec.message(), dir.string());
    for (const auto& [name, text] :
         {std::pair{files.syn_name, &files.syn}, std::pair{files.con_name, &files.con},
          std::pair{files.network_name, &files.network_param}})
        if (auto st = write_text_file(dir / name, *text, "example network"); !st) return st;
    return {};
}

void add_generate_example_network_command(CLI::App& cell, CliContext& ctx) {
    auto dir = std::make_shared<std::string>();
    auto morphology_file = std::make_shared<std::string>();
    auto seed = std::make_shared<std::uint64_t>(ex::ExampleNetworkOptions{}.seed);
    auto* network = cell.add_subcommand(
        "generate-example-network",
        "Write the example cell's synthetic network: <name>.syn, <name>.con and <name>_network.param");
    network->add_option("-o,--output", *dir, "Output folder (created if missing)")->required();
    network->add_option("--morphology", *morphology_file,
                        "Morphology (.hoc/.swc) to place synapses on; default: the generated example cell");
    network->add_option("--seed", *seed, "Random seed (the shipped files use the default)");
    network->callback([dir, morphology_file, seed, &ctx] {
        auto morphology = morphology_file->empty() ? Result<ex::Morphology>(ex::generate_example_cell())
                                                   : ex::read_morphology(*morphology_file);
        if (!morphology) return ctx.report(morphology.error());
        ex::ExampleNetworkOptions options;
        options.seed = *seed;
        auto files = ex::generate_example_network(*morphology, options);
        if (!files) return ctx.report(files.error());
        if (auto st = write_example_network(*dir, *files); !st) return ctx.report(st.error());
        ctx.exit_code = 0;
    });
}

}  // namespace

void add_cell_commands(CLI::App& app, CliContext& ctx) {
    auto* cell = app.add_subcommand("cell", "Inspect cell models (morphology + biophysics)");
    cell->require_subcommand(1);
    add_summary_command(*cell, ctx);
    add_run_lengths_command(*cell, ctx);
    add_generate_example_command(*cell, ctx);
    add_generate_example_network_command(*cell, ctx);
}

}  // namespace silico::runner
