// `silico anatomy ...`: anatomical realisations of a cell's synaptic input in ISF's barrel cortex model
// (docs/anatomy.md).
//   silico anatomy map --morphology HOC --cell-type L5tt --barrel-cortex DIR [--realisations 50] [--seed S]
//                      [--threads N] [--area amira|geometric] [--isf-compat] [--landmarks] -o DIR [--json]
//   silico anatomy generate-synthetic -o DIR [--seed S] [--lattices N] [--scale F] [--c2-centre X Y]
//                      [--pia-z Z] [--columns C...] [--cell-types T...]
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands/cli.hpp"
#include "silico/model/morphology.hpp"
#include "silico/model/synapse_mapper.hpp"
#include "silico/model/synthetic_barrel_cortex.hpp"

namespace silico::runner {
namespace {

namespace ex = silico::experiments;

struct MapArgs {
    std::string morphology, barrel_cortex, output, area = "amira";
    ex::MapperOptions options;
    bool landmarks = false, json = false;
};

void run_map(const MapArgs& args, CliContext& ctx) {
    const auto start = std::chrono::steady_clock::now();
    auto options = args.options;
    if (args.area == "geometric")
        options.area = ex::AreaConvention::geometric;
    else if (args.area != "amira")
        return ctx.report(
            Error{Errc::invalid_argument, "--area is amira or geometric, not '" + args.area + "'", {}});
    if (options.realisations < 1)
        return ctx.report(Error{Errc::invalid_argument, "--realisations must be >= 1", {}});
    auto morphology = ex::read_morphology(args.morphology);
    if (!morphology) return ctx.report(morphology.error());
    auto input = ex::load_mapping_input(*morphology, ex::BarrelCortexLayout{args.barrel_cortex}, options);
    if (!input) return ctx.report(input.error());
    const auto loaded = std::chrono::steady_clock::now();
    auto result = ex::map_synapses(*input, options);
    auto files = ex::write_anatomy(args.output, *input, result, options, args.landmarks);
    if (!files) return ctx.report(files.error());
    const auto done = std::chrono::steady_clock::now();
    const auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };

    std::size_t lattices = 0;
    for (const auto& p : input->populations) lattices += p.lattice_files.size();
    const auto& rep = result.summaries[result.representative];
    if (args.json) {
        nlohmann::ordered_json out;
        out["morphology"] = args.morphology;
        out["cell_type"] = options.cell_type;
        out["barrel_cortex"] = args.barrel_cortex;
        out["seed"] = options.seed;
        out["realisations"] = options.realisations;
        out["representative"] = result.representative;
        out["isf_compat"] = options.isf_compat;
        out["area"] = args.area;
        out["presynaptic_cells"] = input->counts.total();
        out["bouton_lattices"] = lattices;
        out["synapses"] = result.realisations[result.representative].synapse_count();
        auto& types = out["synapses_per_type"] = nlohmann::ordered_json::object();
        for (std::size_t t = 0; t < rep.cell_types.size(); ++t)
            types[rep.cell_types[t]] = rep.per_type[t].synapses;
        out["files"] = {{"syn", files->syn.string()},
                        {"con", files->con.string()},
                        {"connected_cells", files->connected_cells.string()},
                        {"summary", files->summary.string()}};
        out["seconds"] = {{"load", seconds(start, loaded)}, {"map", seconds(loaded, done)}};
        std::cout << out.dump(2) << '\n';
    } else {
        std::cout << fmt::format(
            "{}: {} realisations of {} presynaptic cells ({} bouton lattices), seed {}; representative "
            "realisation {} has {} synapses\n",
            input->cell.name, options.realisations, input->counts.total(), lattices, options.seed,
            result.representative, result.realisations[result.representative].synapse_count());
        std::cout << fmt::format("wrote {}, {}, {}, {}\n", files->syn.string(), files->con.string(),
                                 files->connected_cells.string(), files->summary.string());
        std::cout << fmt::format("load {:.2f} s, map and write {:.2f} s\n", seconds(start, loaded),
                                 seconds(loaded, done));
    }
    ctx.exit_code = 0;
}

}  // namespace

void add_anatomy_commands(CLI::App& app, CliContext& ctx) {
    auto* anatomy =
        app.add_subcommand("anatomy", "Anatomical realisations of synaptic input (ISF's input mapper)");
    anatomy->require_subcommand(1);

    auto args = std::make_shared<MapArgs>();
    auto* map = anatomy->add_subcommand(
        "map",
        "Map synapses from ISF's barrel cortex onto a morphology: .syn, .con, NumberOfConnectedCells.csv");
    map->add_option("--morphology", args->morphology, "Registered morphology (.hoc or .swc)")->required();
    map->add_option("--cell-type", args->options.cell_type, "Postsynaptic cell type (ConnectionsV8.csv)")
        ->required();
    map->add_option("--barrel-cortex", args->barrel_cortex,
                    "Folder in ISF's layout: nrCells.csv, ConnectionsV8.csv, PST/, singleaxon_boutons_ascii/")
        ->required();
    map->add_option("--realisations", args->options.realisations, "Realisations to draw (default 50)");
    map->add_option("--seed", args->options.seed, "Random seed (default 0)");
    map->add_option("--threads", args->options.threads,
                    "Threads (default: every core; results do not depend on it)");
    map->add_option("--area", args->area,
                    "Membrane area convention: amira (ISF: diameter as radius, default) or geometric");
    map->add_flag("--isf-compat", args->options.isf_compat,
                  "Reproduce ISF's section IDs, path lengths and population summary (docs/anatomy.md)");
    map->add_flag("--landmarks", args->landmarks, "Also write Amira landmark files of the synapse positions");
    map->add_option("-o,--output", args->output, "Output folder (created)")->required();
    map->add_flag("--json", args->json, "Print the result as JSON");
    map->callback([args, &ctx] { run_map(*args, ctx); });

    auto syn = std::make_shared<ex::SyntheticBarrelCortexOptions>();
    auto out = std::make_shared<std::string>();
    auto centre = std::make_shared<std::vector<double>>();
    auto* gen = anatomy->add_subcommand("generate-synthetic",
                                        "Write a synthetic barrel cortex in ISF's layout (docs/anatomy.md)");
    gen->add_option("-o,--output", *out, "Output folder (created)")->required();
    gen->add_option("--seed", syn->seed, "Random seed");
    gen->add_option("--lattices", syn->lattices_per_folder,
                    "Bouton lattices (traced axons) per column and type");
    gen->add_option("--scale", syn->cell_scale, "Multiplies every cell count");
    gen->add_option("--c2-centre", *centre, "x y of C2's axis (µm; default -90 400, cell 86's C2)")
        ->expected(2);
    gen->add_option("--pia-z", syn->pia_z, "z of the pia (µm)");
    gen->add_option("--voxel", syn->voxel, "Voxel size (µm)");
    gen->add_option("--columns", syn->columns, "Only these columns");
    gen->add_option("--cell-types", syn->cell_types, "Only these presynaptic types");
    gen->callback([syn, out, centre, &ctx] {
        if (centre->size() == 2) syn->c2_centre = {(*centre)[0], (*centre)[1]};
        auto status = ex::write_synthetic_barrel_cortex(*out, *syn);
        if (!status) return ctx.report(status.error());
        std::cout << "wrote a synthetic barrel cortex to " << *out << '\n';
        ctx.exit_code = 0;
    });
}

}  // namespace silico::runner
