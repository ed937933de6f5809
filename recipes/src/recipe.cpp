#include "silico/recipes/recipe.hpp"

#include <fstream>
#include <sstream>

#include "key_path.hpp"
#include "silico/recipes/plan.hpp"
#include "spec.hpp"
#include "toml_tree.hpp"
#include "validator.hpp"

namespace silico::recipes {

namespace fs = std::filesystem;

std::string_view to_string(Protocol p) {
    switch (p) {
        case Protocol::current_step:
            return "current_step";
        case Protocol::pulse:
            return "pulse";
        case Protocol::bac:
            return "bac";
        case Protocol::evoked:
            return "evoked";
        case Protocol::replay:
            return "replay";
    }
    return "?";
}
std::string_view to_string(Solver s) {
    return s == Solver::fixed ? "fixed" : "cvode";
}
std::string_view to_string(SeedMode m) {
    return m == SeedMode::independent ? "independent" : "isf";
}
std::string_view to_string(Precision p) {
    return p == Precision::float32 ? "float32" : "float64";
}
std::string_view to_string(Units u) {
    return u == Units::modern ? "modern" : "legacy";
}

std::size_t Recipe::condition_count() const {
    std::size_t n = 1;
    for (const auto& a : axes) n *= a.size();
    return n;
}

namespace {

// The recipe without what must not move seeds: names, trial counts and swept values.
Digest seed_base_digest(const Recipe& r) {
    Json base = r.canonical_document;
    for (const auto& axis : r.axes) {
        for (const auto& key : axis.keys) {
            if (Json* node = detail::find_at(base, key)) *node = nullptr;
        }
    }
    detail::fill_record_dt(base);
    base["experiment"].erase("name");
    base["experiment"].erase("description");
    base["simulation"].erase("trials");
    base.erase("seeds");
    return sha256(base.dump());
}

}  // namespace

std::expected<Recipe, Diagnostics> parse_recipe(std::string_view text, std::string_view source_name,
                                                const fs::path& base_dir, const LoadOptions& options) {
    auto tree = detail::parse_toml_tree(text, source_name);
    if (!tree) return std::unexpected(Diagnostics{tree.error()});
    Recipe recipe;
    recipe.file = fs::path(source_name);
    Diagnostics diagnostics;
    detail::Validator validator(*tree, std::string(source_name), base_dir, recipe, diagnostics);
    auto validated = validator.run(options.path_overrides);
    for (const auto& [key, pos] : tree->positions) recipe.positions[key] = pos;
    if (!diagnostics.empty()) return std::unexpected(std::move(diagnostics));

    recipe.document = std::move(validated.document);
    recipe.canonical_document = std::move(validated.canonical);
    recipe.canonical = recipe.canonical_document.dump();
    recipe.digest = sha256(recipe.canonical);
    const Json& seeds = recipe.document["seeds"];
    if (seeds.contains("root")) {
        recipe.root_seed = seeds["root"].get<std::uint64_t>();
    } else {
        recipe.root_seed = derive_root_seed(seed_base_digest(recipe));
        // numpy seeds are 32-bit: ISF's process seed is drawn below 2^32.
        if (seeds["mode"] == "isf") recipe.root_seed &= 0xffffffffULL;
        recipe.root_seed_derived = true;
    }
    // Values that involve several keys are checked on every condition, so that no swept combination slips by.
    auto conditions = expand_conditions(recipe);
    if (!conditions) return std::unexpected(conditions.error());
    return recipe;
}

std::expected<Recipe, Diagnostics> load_recipe(const fs::path& file, const LoadOptions& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::unexpected(Diagnostics{Diagnostic{file.string(), 0, 0, "", "cannot open recipe file"}});
    std::ostringstream buffer;
    buffer << in.rdbuf();
    fs::path base = file.parent_path();
    if (base.empty()) base = ".";
    return parse_recipe(buffer.str(), file.string(), fs::absolute(base).lexically_normal(), options);
}

}  // namespace silico::recipes
