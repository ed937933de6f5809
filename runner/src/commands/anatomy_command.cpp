// `silico anatomy ...`: anatomical realisations of a cell's synaptic input in ISF's barrel cortex model
// (docs/anatomy.md).
//   silico anatomy map --morphology HOC --cell-type L5tt --barrel-cortex DIR [--realisations 50] [--seed S]
//                      [--threads N] [--area amira|geometric] [--isf-compat] [--landmarks] [--cache] -o DIR
//                      [--json]
//   silico anatomy generate-synthetic -o DIR [--seed S] [--lattices N] [--scale F] [--c2-centre X Y]
//                      [--pia-z Z] [--columns C...] [--cell-types T...]
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands/anatomy_cache.hpp"
#include "commands/cli.hpp"
#include "silico/model/morphology.hpp"
#include "silico/model/synapse_mapper.hpp"
#include "silico/model/synthetic_barrel_cortex.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {
namespace {

namespace ex = silico::experiments;

struct MapArgs {
    std::string morphology, barrel_cortex, output, area = "amira";
    ex::MapperOptions options;
    bool landmarks = false, json = false, cache = false;
};

constexpr const char* k_cached_files[] = {"syn", "con", "connected_cells", "summary"};

// The store items of a cached mapping: anatomy/<key>/{manifest.json, syn, con, connected_cells, summary}.
std::string item_name(const Digest& key, std::string_view file) {
    return "anatomy/" + key.hex() + "/" + std::string(file);
}

Status write_bytes(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (!out) return fail(Errc::io, "cannot write file", file.string());
    return {};
}

}  // namespace

Result<std::optional<nlohmann::ordered_json>> restore_cached_anatomy(const store::Store& store,
                                                                     const Digest& key,
                                                                     const std::filesystem::path& dir) {
    auto manifest = store.get_item(item_name(key, "manifest.json"));
    if (!manifest) {
        if (manifest.error().code == Errc::not_found) return std::optional<nlohmann::ordered_json>{};
        return std::unexpected(manifest.error());
    }
    auto json = nlohmann::ordered_json::parse(*manifest, nullptr, false);
    if (json.is_discarded())
        return fail(Errc::corruption, "cached anatomy manifest is not JSON", item_name(key, ""));
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(Errc::io, "cannot create folder: " + ec.message(), dir.string());
    for (auto f : k_cached_files) {
        auto bytes = store.get_item(item_name(key, f));
        if (!bytes) return std::unexpected(bytes.error());
        const auto name = std::filesystem::path(json["files"][f].get<std::string>()).filename();
        if (auto s = write_bytes(dir / name, *bytes); !s) return std::unexpected(s.error());
        json["files"][f] = (dir / name).string();
    }
    return std::optional<nlohmann::ordered_json>(std::move(json));
}

Status store_anatomy(store::Store& store, const Digest& key, const ex::AnatomyFiles& files,
                     const nlohmann::ordered_json& manifest) {
    const std::filesystem::path paths[] = {files.syn, files.con, files.connected_cells, files.summary};
    for (int i = 0; i < 4; ++i) {
        std::ifstream in(paths[i], std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) return fail(Errc::io, "cannot read file", paths[i].string());
        auto put = store.put_item(item_name(key, k_cached_files[i]), bytes);
        if (!put) return std::unexpected(put.error());
    }
    auto put = store.put_item(item_name(key, "manifest.json"), manifest.dump(2), "json");
    if (!put) return std::unexpected(put.error());
    return {};
}

Result<std::filesystem::path> resolve_anatomy_step(const recipes::AnatomyStep& step,
                                                   const std::filesystem::path& store_dir) {
    ex::MapperOptions options;
    options.cell_type = step.cell_type;
    options.realisations = static_cast<int>(step.realisations);
    options.seed = step.seed;
    options.isf_compat = step.isf_compat;
    options.area = step.area == "geometric" ? ex::AreaConvention::geometric : ex::AreaConvention::amira;
    const ex::BarrelCortexLayout layout{step.barrel_cortex};
    auto key = ex::anatomy_key(step.morphology, layout, options);
    if (!key) return std::unexpected(key.error().within("input.anatomy"));
    auto store = store::Store::open(store_dir, {.read_only = false, .create_if_missing = true});
    if (!store) return std::unexpected(store.error());
    const auto dir = store_dir / "anatomy" / key->hex();
    auto cached = restore_cached_anatomy(*store, *key, dir);
    if (!cached) return std::unexpected(cached.error());
    if (*cached) {
        std::cerr << "anatomy " << key->short_hex() << ": from the store (" << dir.string() << ")\n";
        return dir;
    }
    const auto start = std::chrono::steady_clock::now();
    auto morphology = ex::read_morphology(step.morphology);
    if (!morphology) return std::unexpected(morphology.error());
    auto input = ex::load_mapping_input(*morphology, layout, options);
    if (!input) return std::unexpected(input.error().within("input.anatomy"));
    auto result = ex::map_synapses(*input, options);
    auto files = ex::write_anatomy(dir, *input, result, options, false);
    if (!files) return std::unexpected(files.error());
    nlohmann::ordered_json manifest = {
        {"morphology", step.morphology.string()},
        {"cell_type", step.cell_type},
        {"barrel_cortex", step.barrel_cortex.string()},
        {"seed", step.seed},
        {"realisations", step.realisations},
        {"representative", result.representative},
        {"isf_compat", step.isf_compat},
        {"area", step.area},
        {"synapses", result.realisations[result.representative].synapse_count()},
        {"key", key->hex()},
        {"files",
         {{"syn", files->syn.string()},
          {"con", files->con.string()},
          {"connected_cells", files->connected_cells.string()},
          {"summary", files->summary.string()}}}};
    if (auto s = store_anatomy(*store, *key, *files, manifest); !s) return std::unexpected(s.error());
    std::cerr << "anatomy " << key->short_hex() << ": mapped " << step.realisations << " realisations in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s, "
              << result.realisations[result.representative].synapse_count() << " synapses (" << dir.string()
              << ")\n";
    return dir;
}

namespace {

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
    if (args.cache && args.landmarks)
        return ctx.report(
            Error{Errc::invalid_argument, "--landmarks files are not cached: drop --cache", {}});

    // --cache: the files of a mapping with the same key come from the store, computed ones go into it.
    std::optional<store::Store> cache;
    Digest key;
    if (args.cache) {
        auto k = ex::anatomy_key(args.morphology, ex::BarrelCortexLayout{args.barrel_cortex}, options);
        if (!k) return ctx.report(k.error());
        key = *k;
        auto opened = store::Store::open(ctx.store_dir(), {.read_only = false, .create_if_missing = true});
        if (!opened) return ctx.report(opened.error());
        cache.emplace(std::move(*opened));
        auto cached = restore_cached_anatomy(*cache, key, args.output);
        if (!cached) return ctx.report(cached.error());
        if (*cached) {
            auto& json = **cached;
            json["cached"] = true;
            json["seconds"] = {
                {"key_and_restore",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}};
            if (args.json)
                std::cout << json.dump(2) << '\n';
            else
                std::cout << fmt::format(
                    "anatomy {} from the store ({}): representative realisation {} with {} "
                    "synapses written to {}\n",
                    key.short_hex(), ctx.store_dir().string(), json["representative"].dump(),
                    json["synapses"].dump(), args.output);
            ctx.exit_code = 0;
            return;
        }
    }
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
    nlohmann::ordered_json out;
    {
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
    }
    if (cache) {
        out["key"] = key.hex();
        if (auto st = store_anatomy(*cache, key, *files, out); !st) return ctx.report(st.error());
        out["cached"] = false;
    }
    if (args.json) {
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
    map->add_flag(
        "--cache", args->cache,
        "Keep the files in the store (--store) under a key of the inputs, options and seed, and reuse them");
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
