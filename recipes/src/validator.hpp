// Validation of a parsed recipe against the schema: one pass, every problem collected.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "schema.hpp"
#include "silico/recipes/recipe.hpp"
#include "toml_tree.hpp"

namespace silico::recipes::detail {

// A key given as a list where a scalar belongs: one sweep dimension before zips are applied.
struct SweepSlot {
    std::string key;
    std::vector<Json> values;
    std::vector<Json> canonical_values;
};

struct Validated {
    Json document;
    Json canonical;
    std::vector<SweepSlot> slots;
};

class Validator {
  public:
    Validator(const TomlTree& tree, std::string file, std::filesystem::path base_dir, Recipe& recipe,
              Diagnostics& diagnostics)
        : m_tree(tree),
          m_file(std::move(file)),
          m_base(std::move(base_dir)),
          m_recipe(recipe),
          m_diagnostics(diagnostics) {}

    Validated run(const PathMap& overrides);

    void error(const std::string& key, std::string message);

  private:
    void read_paths(const Json& root, const PathMap& overrides);
    void read_table(const Json& in, const Fields& fields, const std::string& path, Json& doc, Json& canon);
    bool read_field(const Json& value, const Field& field, const std::string& key, Json& doc, Json& canon);
    bool read_scalar(const Json& value, const Field& field, const std::string& key, Json& doc, Json& canon);
    bool read_path(const Json& value, const std::string& key, Json& doc, Json& canon);
    bool read_parameters(const Json& value, const Field& field, const std::string& key, Json& doc,
                         Json& canon);
    void check_location(const Json& in, const std::string& path);
    std::optional<std::filesystem::path> resolve_file(const std::string& text,
                                                      const std::filesystem::path& base,
                                                      const std::string& key, const std::string& what);
    // Rewrites file references inside a parameter tree to absolute paths; returns their digests.
    std::vector<std::string> resolve_references(Json& tree, Json* canon, TreeKind kind,
                                                const std::filesystem::path& base, const std::string& key,
                                                const std::string& origin);
    std::optional<Digest> digest_of(const std::filesystem::path& file, const std::string& key);
    void read_sweep(const Json& root, Validated& out);

    const TomlTree& m_tree;
    std::string m_file;
    std::filesystem::path m_base;
    Recipe& m_recipe;
    Diagnostics& m_diagnostics;
    std::vector<SweepSlot> m_slots;
};

}  // namespace silico::recipes::detail
