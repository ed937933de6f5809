#include "validator.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "key_path.hpp"
#include "silico/recipes/param_toml.hpp"

namespace silico::recipes::detail {

namespace fs = std::filesystem;

namespace {

std::string found_type(const Json& v) {
    switch (v.type()) {
        case Json::value_t::string:
            return "a string";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "an integer";
        case Json::value_t::number_float:
            return "a float";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::array:
            return "a list";
        case Json::value_t::object:
            return "a table";
        default:
            return "nothing";
    }
}

std::string wrong_type(Type expected, const Json& found) {
    return "expected " + std::string(type_name(expected)) + ", found " + found_type(found);
}

std::vector<std::string> names_of(const Fields& fields) {
    std::vector<std::string> names;
    for (const auto& f : fields) names.push_back(f.name);
    return names;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string best = closest_match(word, candidates);
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

bool is_scalar_type(Type t) {
    return t == Type::string || t == Type::integer || t == Type::number || t == Type::boolean ||
           t == Type::choice || t == Type::path || t == Type::parameters;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// The first "[NAME]" (NAME an identifier) left in a path, or "".
std::string unresolved_placeholder(std::string_view text) {
    for (std::size_t open = text.find('['); open != std::string_view::npos; open = text.find('[', open + 1)) {
        const std::size_t close = text.find(']', open);
        if (close == std::string_view::npos) return "";
        const std::string_view name = text.substr(open + 1, close - open - 1);
        const bool identifier =
            !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
            std::all_of(name.begin(), name.end(),
                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
        if (identifier) return std::string(name);
    }
    return "";
}

}  // namespace

void Validator::error(const std::string& key, std::string message) {
    // Position of the key itself, else of the nearest enclosing key that was written.
    std::string probe = key;
    SourcePosition pos;
    while (true) {
        auto it = m_tree.positions.find(probe);
        if (it != m_tree.positions.end()) {
            pos = it->second;
            break;
        }
        if (probe.empty()) break;
        probe = parent_key_path(probe);
    }
    m_diagnostics.push_back(Diagnostic{m_file, pos.line, pos.column, key, std::move(message)});
}

Validated Validator::run(const PathMap& overrides) {
    Validated out;
    const Json& root = m_tree.root;
    read_paths(root, overrides);
    const Fields& schema = recipe_schema();
    const auto section_names = names_of(schema);
    for (const auto& item : root.items()) {
        if (std::find(section_names.begin(), section_names.end(), item.key()) == section_names.end()) {
            error(join_key("", item.key()),
                  "unknown section '" + item.key() + "'" + suggestion(item.key(), section_names));
        }
    }
    out.document = Json::object();
    out.canonical = Json::object();
    for (const auto& field : schema) {
        if (field.name == "paths") continue;
        if (field.name == "sweep") continue;  // needs the slots, read below
        auto it = root.find(field.name);
        Json doc, canon;
        if (it == root.end()) {
            if (field.required) {
                error(field.name, "missing required section [" + field.name + "]");
                continue;
            }
            read_field(Json::object(), field, field.name, doc, canon);
        } else if (!read_field(*it, field, field.name, doc, canon)) {
            continue;
        }
        out.document[field.name] = std::move(doc);
        out.canonical[field.name] = std::move(canon);
    }
    read_sweep(root, out);
    out.slots = std::move(m_slots);
    return out;
}

void Validator::read_paths(const Json& root, const PathMap& overrides) {
    auto it = root.find("paths");
    if (it != root.end()) {
        if (!it->is_object()) {
            error("paths", wrong_type(Type::table, *it));
        } else {
            for (const auto& item : it->items()) {
                const std::string key = join_key("paths", item.key());
                if (!item.value().is_string()) {
                    error(key, wrong_type(Type::string, item.value()));
                    continue;
                }
                fs::path dir = item.value().get<std::string>();
                if (dir.is_relative()) dir = m_base / dir;
                dir = dir.lexically_normal();
                std::string text = dir.string();
                while (text.size() > 1 && text.back() == '/') text.pop_back();
                if (!fs::is_directory(dir)) error(key, "folder not found: " + text);
                m_recipe.paths[item.key()] = text;
            }
        }
    }
    for (const auto& [name, value] : overrides) m_recipe.paths[name] = value;
}

void Validator::read_table(const Json& in, const Fields& fields, const std::string& path, Json& doc,
                           Json& canon) {
    doc = Json::object();
    canon = Json::object();
    const auto names = names_of(fields);
    for (const auto& item : in.items()) {
        if (std::find(names.begin(), names.end(), item.key()) == names.end()) {
            error(join_key(path, item.key()),
                  "unknown key '" + item.key() + "'" + suggestion(item.key(), names));
        }
    }
    for (const auto& field : fields) {
        const std::string key = join_key(path, field.name);
        auto it = in.find(field.name);
        Json d, c;
        if (it != in.end()) {
            if (!read_field(*it, field, key, d, c)) continue;
        } else if (field.required) {
            error(path, "missing required key '" + field.name + "'");
            continue;
        } else if (!field.default_value.is_null()) {
            d = c = field.default_value;
        } else if (field.type == Type::table_array && !field.absent_is_meaningful) {
            d = c = Json::array();
        } else {
            continue;
        }
        doc[field.name] = std::move(d);
        canon[field.name] = std::move(c);
    }
}

bool Validator::read_field(const Json& value, const Field& field, const std::string& key, Json& doc,
                           Json& canon) {
    if (value.is_array() && is_scalar_type(field.type)) {
        if (!field.sweepable) {
            error(key, wrong_type(field.type, value) + " (this key cannot be swept)");
            return false;
        }
        if (value.empty()) {
            error(key, "empty sweep: give at least one value");
            return false;
        }
        SweepSlot slot{key, {}, {}};
        bool ok = true;
        for (std::size_t i = 0; i < value.size(); ++i) {
            Json d, c;
            if (value[i].is_array()) {
                error(join_index(key, i), wrong_type(field.type, value[i]) + " (sweeps are flat lists)");
                ok = false;
            } else if (read_scalar(value[i], field, join_index(key, i), d, c)) {
                slot.values.push_back(std::move(d));
                slot.canonical_values.push_back(std::move(c));
            } else {
                ok = false;
            }
        }
        if (!ok) return false;
        doc = Json(slot.values);
        canon = Json(slot.canonical_values);
        m_slots.push_back(std::move(slot));
        return true;
    }
    switch (field.type) {
        case Type::table:
            if (!value.is_object()) {
                error(key, wrong_type(field.type, value));
                return false;
            }
            read_table(value, *field.sub, key, doc, canon);
            return true;
        case Type::table_array: {
            if (!value.is_array()) {
                error(key, wrong_type(field.type, value) + " (write [[" + key + "]])");
                return false;
            }
            doc = Json::array();
            canon = Json::array();
            for (std::size_t i = 0; i < value.size(); ++i) {
                const std::string element = join_index(key, i);
                if (!value[i].is_object()) {
                    error(element, wrong_type(Type::table, value[i]));
                    continue;
                }
                Json d, c;
                read_table(value[i], *field.sub, element, d, c);
                check_location(value[i], element);
                doc.push_back(std::move(d));
                canon.push_back(std::move(c));
            }
            return true;
        }
        case Type::tree:
            if (!value.is_object()) {
                error(key, wrong_type(field.type, value));
                return false;
            }
            doc = canon = value;
            return true;
        case Type::string_list:
        case Type::path_list: {
            if (!value.is_array()) {
                error(key, wrong_type(field.type, value));
                return false;
            }
            doc = Json::array();
            canon = Json::array();
            bool ok = true;
            for (std::size_t i = 0; i < value.size(); ++i) {
                const std::string element = join_index(key, i);
                Json d, c;
                if (!value[i].is_string()) {
                    error(element,
                          wrong_type(field.type == Type::path_list ? Type::path : Type::string, value[i]));
                    ok = false;
                } else if (field.type == Type::path_list) {
                    if (read_path(value[i], element, d, c)) {
                        doc.push_back(d);
                        canon.push_back(c);
                    } else {
                        ok = false;
                    }
                } else if (std::string problem = field.check ? field.check(value[i]) : ""; !problem.empty()) {
                    error(element, "'" + value[i].get<std::string>() + "' " + problem);
                    ok = false;
                } else {
                    doc.push_back(value[i]);
                    canon.push_back(value[i]);
                }
            }
            return ok;
        }
        default:
            return read_scalar(value, field, key, doc, canon);
    }
}

bool Validator::read_scalar(const Json& value, const Field& field, const std::string& key, Json& doc,
                            Json& canon) {
    switch (field.type) {
        case Type::string:
        case Type::choice:
            if (!value.is_string()) {
                error(key, wrong_type(field.type, value));
                return false;
            }
            if (field.type == Type::choice) {
                const auto& s = value.get_ref<const std::string&>();
                if (std::find(field.choices.begin(), field.choices.end(), s) == field.choices.end()) {
                    error(key, "unknown value '" + s + "', expected one of " + join(field.choices) +
                                   suggestion(s, field.choices));
                    return false;
                }
            }
            doc = canon = value;
            break;
        case Type::integer:
            if (!value.is_number_integer()) {
                error(key, wrong_type(field.type, value));
                return false;
            }
            doc = canon = Json(value.get<std::int64_t>());
            break;
        case Type::number: {
            if (!value.is_number()) {
                error(key, wrong_type(field.type, value));
                return false;
            }
            double d = value.get<double>();
            if (!std::isfinite(d)) {
                error(key, "must be a finite number");
                return false;
            }
            if (d == 0) d = 0;  // one spelling for -0.0
            doc = canon = Json(d);
            break;
        }
        case Type::boolean:
            if (!value.is_boolean()) {
                error(key, wrong_type(field.type, value));
                return false;
            }
            doc = canon = value;
            break;
        case Type::path:
            return read_path(value, key, doc, canon);
        case Type::parameters:
            return read_parameters(value, field, key, doc, canon);
        default:
            error(key, wrong_type(field.type, value));
            return false;
    }
    if (field.check) {
        if (std::string problem = field.check(doc); !problem.empty()) {
            error(key, "value " + doc.dump() + " " + problem);
            return false;
        }
    }
    return true;
}

std::optional<fs::path> Validator::resolve_file(const std::string& text, const fs::path& base,
                                                const std::string& key, const std::string& what) {
    const std::string substituted = substitute_placeholders(text, m_recipe.paths);
    if (const std::string name = unresolved_placeholder(substituted); !name.empty()) {
        error(key, "unknown placeholder [" + name + "]" + what + "; define it in [paths]");
        return std::nullopt;
    }
    if (substituted.empty()) {
        error(key, "empty file path" + what);
        return std::nullopt;
    }
    fs::path p = substituted;
    if (p.is_relative()) p = base / p;
    p = p.lexically_normal();
    std::error_code ec;
    const auto status = fs::status(p, ec);
    if (!fs::exists(status)) {
        error(key, "file not found: " + p.string() + what);
        return std::nullopt;
    }
    if (fs::is_directory(status)) {
        error(key, "is a folder, not a file: " + p.string() + what);
        return std::nullopt;
    }
    return p;
}

std::optional<Digest> Validator::digest_of(const fs::path& file, const std::string& key) {
    auto it = m_recipe.file_digests.find(file.string());
    if (it != m_recipe.file_digests.end()) return it->second;
    auto digest = sha256_file(file);
    if (!digest) {
        error(key, "cannot read " + file.string() + ": " + digest.error().what());
        return std::nullopt;
    }
    m_recipe.file_digests.emplace(file.string(), *digest);
    return *digest;
}

bool Validator::read_path(const Json& value, const std::string& key, Json& doc, Json& canon) {
    if (!value.is_string()) {
        error(key, wrong_type(Type::path, value));
        return false;
    }
    auto file = resolve_file(value.get<std::string>(), m_base, key, "");
    if (!file) return false;
    auto digest = digest_of(*file, key);
    if (!digest) return false;
    doc = file->string();
    canon = "sha256:" + digest->hex();
    return true;
}

std::vector<std::string> Validator::resolve_references(Json& tree, Json* canon, TreeKind kind,
                                                       const fs::path& base, const std::string& key,
                                                       const std::string& origin) {
    std::set<std::string> digests;
    // `node` is rewritten to the absolute path; its twin in the canonical tree (same key path) to the digest.
    auto resolve = [&](Json& node, const std::string& inner, const std::string& pointer) {
        if (!node.is_string()) {
            error(key, inner + " in " + origin + " must be a file path");
            return;
        }
        auto file = resolve_file(node.get<std::string>(), base, key, " (" + inner + " in " + origin + ")");
        if (!file) return;
        auto digest = digest_of(*file, key);
        if (!digest) return;
        node = file->string();
        digests.insert("sha256:" + digest->hex());
        if (canon) (*canon)[Json::json_pointer(pointer)] = "sha256:" + digest->hex();
    };
    auto escape = [](const std::string& k) {
        std::string out;
        for (char c : k) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
        return out;
    };
    if (kind == TreeKind::cell) {
        auto neuron = tree.find("neuron");
        if (neuron == tree.end() || !neuron->is_object()) {
            error(key, origin + " is not an ISF cell parameter tree: it has no 'neuron' table");
            return {};
        }
        if (auto f = neuron->find("filename"); f != neuron->end())
            resolve(*f, "neuron.filename", "/neuron/filename");
        if (auto sim = tree.find("sim"); sim != tree.end() && sim->is_object()) {
            if (auto sites = sim->find("recordingSites"); sites != sim->end() && sites->is_array()) {
                for (std::size_t i = 0; i < sites->size(); ++i) {
                    resolve((*sites)[i], "sim.recordingSites[" + std::to_string(i) + "]",
                            "/sim/recordingSites/" + std::to_string(i));
                }
            }
        }
    } else if (kind == TreeKind::network) {
        auto network = tree.find("network");
        if (network == tree.end() || !network->is_object()) {
            error(key, origin + " is not an ISF network parameter tree: it has no 'network' table");
            return {};
        }
        for (auto& population : network->items()) {
            if (!population.value().is_object()) continue;
            auto synapses = population.value().find("synapses");
            if (synapses == population.value().end() || !synapses->is_object()) continue;
            for (const char* name : {"distributionFile", "connectionFile"}) {
                if (auto f = synapses->find(name); f != synapses->end()) {
                    resolve(*f, "network." + population.key() + ".synapses." + name,
                            "/network/" + escape(population.key()) + "/synapses/" + name);
                }
            }
        }
    }
    return {digests.begin(), digests.end()};
}

bool Validator::read_parameters(const Json& value, const Field& field, const std::string& key, Json& doc,
                                Json& canon) {
    if (value.is_string()) {
        auto file = resolve_file(value.get<std::string>(), m_base, key, "");
        if (!file) return false;
        auto digest = digest_of(*file, key);
        if (!digest) return false;
        const std::string abs = file->string();
        if (!m_recipe.trees.contains(abs)) {
            auto tree = read_parameter_tree(*file, m_recipe.paths);
            if (!tree) {
                error(key, "in " + tree.error().what());
                return false;
            }
            const std::size_t before = m_diagnostics.size();
            auto refs = resolve_references(*tree, nullptr, field.tree_kind, file->parent_path(), key,
                                           file->filename().string());
            if (m_diagnostics.size() != before) return false;
            m_recipe.trees[abs] = std::make_shared<const Json>(std::move(*tree));
            m_recipe.references[abs] = std::move(refs);
        }
        doc = abs;
        canon = Json::object();
        canon["file"] = "sha256:" + digest->hex();
        canon["references"] = m_recipe.references[abs];
        return true;
    }
    if (!value.is_object()) {
        error(key, wrong_type(Type::parameters, value));
        return false;
    }
    // Inline tree: file references resolve against the recipe folder.
    Json tree = value;
    std::function<void(Json&)> substitute = [&](Json& node) {
        if (node.is_string()) {
            node = substitute_placeholders(node.get<std::string>(), m_recipe.paths);
        } else if (node.is_structured()) {
            for (auto& child : node) substitute(child);
        }
    };
    substitute(tree);
    const std::size_t before = m_diagnostics.size();
    Json canon_tree = tree;
    resolve_references(tree, &canon_tree, field.tree_kind, m_base, key, "the inline table");
    if (m_diagnostics.size() != before) return false;
    doc = std::move(tree);
    canon = std::move(canon_tree);
    return true;
}

void Validator::check_location(const Json& in, const std::string& path) {
    const bool distance = in.contains("soma_distance"), section = in.contains("section");
    if (in.contains("name")) {  // a recording site
        const bool landmarks = in.contains("landmarks");
        if (landmarks && distance) {
            error(join_key(path, "soma_distance"), "give either landmarks or soma_distance, not both");
        } else if (!landmarks && !distance) {
            error(path, "a recording site needs landmarks or soma_distance");
        }
    } else {
        if (distance && section)
            error(join_key(path, "section"), "give either soma_distance or section, not both");
        if (in.contains("x") && !section) error(join_key(path, "x"), "x needs section");
    }
    if (in.contains("label") && !distance) error(join_key(path, "label"), "label needs soma_distance");
}

void Validator::read_sweep(const Json& root, Validated& out) {
    std::map<std::string, std::vector<std::string>> zips;
    auto it = root.find("sweep");
    if (it != root.end()) {
        if (!it->is_object()) {
            error("sweep", wrong_type(Type::table, *it));
        } else {
            for (const auto& item : it->items()) {
                if (item.key() != "zip") {
                    error(join_key("sweep", item.key()),
                          "unknown key '" + item.key() + "'" + suggestion(item.key(), {"zip"}));
                }
            }
            if (auto zip = it->find("zip"); zip != it->end()) {
                if (!zip->is_object())
                    error("sweep.zip", wrong_type(Type::table, *zip));
                else {
                    for (const auto& z : zip->items()) {
                        const std::string key = join_key("sweep.zip", z.key());
                        if (!z.value().is_array() || z.value().empty() ||
                            !std::all_of(z.value().begin(), z.value().end(),
                                         [](const Json& v) { return v.is_string(); })) {
                            error(key, "expected a non-empty list of swept key paths");
                            continue;
                        }
                        zips[z.key()] = z.value().get<std::vector<std::string>>();
                    }
                }
            }
        }
    }
    std::map<std::string, const SweepSlot*> slots;
    std::vector<std::string> slot_keys;
    for (const auto& s : m_slots) {
        slots[s.key] = &s;
        slot_keys.push_back(s.key);
    }
    std::set<std::string> zipped;
    Json canon_zips = Json::object();
    for (const auto& [name, keys] : zips) {
        const std::string zip_key = join_key("sweep.zip", name);
        SweepAxis axis;
        axis.name = name;
        bool ok = true;
        std::size_t i = 0;
        for (const auto& k : keys) {
            const std::string element = join_index(zip_key, i++);
            auto slot = slots.find(k);
            if (slot == slots.end()) {
                if (m_tree.positions.contains(k)) {
                    error(element, "'" + k + "' is not swept: give it a list of values");
                } else {
                    error(element, "unknown key path '" + k + "'" + suggestion(k, slot_keys));
                }
                ok = false;
                continue;
            }
            if (!zipped.insert(k).second) {
                error(element, "'" + k + "' is already in another zip or listed twice");
                ok = false;
                continue;
            }
            if (!axis.keys.empty() && slot->second->values.size() != axis.values.front().size()) {
                error(element, "zip '" + name + "' joins lists of different lengths: '" + axis.keys.front() +
                                   "' has " + std::to_string(axis.values.front().size()) + " values, '" + k +
                                   "' has " + std::to_string(slot->second->values.size()));
                ok = false;
                continue;
            }
            axis.keys.push_back(k);
            axis.values.push_back(slot->second->values);
            axis.canonical_values.push_back(slot->second->canonical_values);
        }
        if (ok) {
            m_recipe.axes.push_back(std::move(axis));
            auto sorted_keys = keys;  // the order inside a zip pairs nothing: canonical form sorts it
            std::sort(sorted_keys.begin(), sorted_keys.end());
            canon_zips[name] = sorted_keys;
        }
    }
    for (const auto& s : m_slots) {
        if (zipped.contains(s.key)) continue;
        m_recipe.axes.push_back(SweepAxis{s.key, {s.key}, {s.values}, {s.canonical_values}});
    }
    std::sort(m_recipe.axes.begin(), m_recipe.axes.end(),
              [](const SweepAxis& a, const SweepAxis& b) { return a.name < b.name; });
    out.document["sweep"] = Json{{"zip", canon_zips}};
    out.canonical["sweep"] = Json{{"zip", canon_zips}};
}

}  // namespace silico::recipes::detail
