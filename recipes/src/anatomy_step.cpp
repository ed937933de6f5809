// read_anatomy_step (anatomy_step.hpp).
#include "silico/recipes/anatomy_step.hpp"

#include <fstream>
#include <sstream>

#include "toml_tree.hpp"

namespace silico::recipes {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

}  // namespace

std::expected<std::optional<AnatomyStep>, Diagnostics> read_anatomy_step(const fs::path& file,
                                                                         const PathMap& overrides) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::unexpected(Diagnostics{Diagnostic{file.string(), 0, 0, "", "cannot open recipe file"}});
    std::ostringstream buffer;
    buffer << in.rdbuf();
    auto tree = detail::parse_toml_tree(buffer.str(), file.string());
    if (!tree) return std::unexpected(Diagnostics{tree.error()});
    const Json& root = tree->root;
    if (!root.contains("input") || !root["input"].is_object() || !root["input"].contains("anatomy"))
        return std::optional<AnatomyStep>{};
    const fs::path base = fs::absolute(file.parent_path().empty() ? fs::path(".") : file.parent_path());
    Diagnostics problems;
    auto problem = [&](const std::string& key, const std::string& message) {
        const auto at = tree->positions.find(key);
        problems.push_back(Diagnostic{file.string(), at == tree->positions.end() ? 0 : at->second.line,
                                      at == tree->positions.end() ? 0 : at->second.column, key, message});
    };
    const Json& a = root["input"]["anatomy"];
    if (!a.is_object()) {
        problem("input.anatomy", "must be a table");
        return std::unexpected(problems);
    }
    // Placeholders: [paths] of the recipe (relative to its folder), then the overrides.
    PathMap paths;
    if (root.contains("paths") && root["paths"].is_object())
        for (const auto& [name, dir] : root["paths"].items())
            if (dir.is_string()) paths[name] = (base / dir.get<std::string>()).lexically_normal().string();
    for (const auto& [name, dir] : overrides) paths[name] = dir;
    auto resolve = [&](const std::string& key, const std::string& text) -> std::optional<fs::path> {
        std::string out;
        for (std::size_t i = 0; i < text.size();) {
            if (text[i] == '[') {
                const auto close = text.find(']', i);
                if (close != std::string::npos) {
                    const auto name = text.substr(i + 1, close - i - 1);
                    const auto it = paths.find(name);
                    if (it == paths.end()) {
                        problem(key, "unknown placeholder [" + name + "]");
                        return std::nullopt;
                    }
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
            out += text[i++];
        }
        const fs::path p(out);
        return (p.is_absolute() ? p : base / p).lexically_normal();
    };
    auto string_of = [&](const char* name, bool required) -> std::optional<std::string> {
        const std::string key = std::string("input.anatomy.") + name;
        if (!a.contains(name)) {
            if (required) problem("input.anatomy", std::string("missing required key '") + name + "'");
            return std::nullopt;
        }
        if (!a[name].is_string()) {
            problem(key, "must be a string");
            return std::nullopt;
        }
        return a[name].get<std::string>();
    };
    AnatomyStep step;
    if (auto s = string_of("barrel_cortex", true))
        if (auto p = resolve("input.anatomy.barrel_cortex", *s)) step.barrel_cortex = *p;
    if (auto s = string_of("cell_type", true)) step.cell_type = *s;
    if (auto s = string_of("area", false)) step.area = *s;
    if (auto s = string_of("morphology", false)) {
        if (auto p = resolve("input.anatomy.morphology", *s)) step.morphology = *p;
    } else if (root.contains("cell") && root["cell"].is_object() && root["cell"].contains("morphology") &&
               root["cell"]["morphology"].is_string()) {
        if (auto p = resolve("cell.morphology", root["cell"]["morphology"].get<std::string>()))
            step.morphology = *p;
    } else {
        problem("input.anatomy",
                "needs 'morphology' (or [cell] morphology): the file the anatomy is mapped onto");
    }
    if (a.contains("realisations")) {
        if (!a["realisations"].is_number_integer() || a["realisations"].get<std::int64_t>() < 1)
            problem("input.anatomy.realisations", "must be an integer >= 1");
        else
            step.realisations = a["realisations"].get<std::int64_t>();
    }
    if (a.contains("seed")) {
        if (!a["seed"].is_number_integer() || a["seed"].get<std::int64_t>() < 0)
            problem("input.anatomy.seed", "must be an integer >= 0");
        else
            step.seed = a["seed"].get<std::uint64_t>();
    }
    if (a.contains("isf_compat")) {
        if (!a["isf_compat"].is_boolean())
            problem("input.anatomy.isf_compat", "must be a boolean");
        else
            step.isf_compat = a["isf_compat"].get<bool>();
    }
    if (step.area != "amira" && step.area != "geometric")
        problem("input.anatomy.area", "is amira or geometric");
    if (!problems.empty()) return std::unexpected(problems);
    return std::optional<AnatomyStep>(std::move(step));
}

}  // namespace silico::recipes
