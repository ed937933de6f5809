#include "silico/model/biophysics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

namespace silico::experiments {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<std::pair<SpatialKind, std::string_view>, 8> k_kinds{{
    {SpatialKind::uniform, "uniform"},
    {SpatialKind::linear, "linear"},
    {SpatialKind::linear_capped, "linear_capped"},
    {SpatialKind::exponential, "exponential"},
    {SpatialKind::exponential_by_z_dist, "exponential_by_z_dist"},
    {SpatialKind::capped_exponential, "capped_exponential"},
    {SpatialKind::sigmoid, "sigmoid"},
    {SpatialKind::uniform_range, "uniform_range"},
}};

// Keys that steer a kind instead of naming a range parameter (ISF skips exactly these).
std::set<std::string_view> control_keys(SpatialKind kind) {
    switch (kind) {
        case SpatialKind::uniform:
            return {"spatial"};
        case SpatialKind::linear:
            return {"spatial", "distance", "slope", "offset"};
        case SpatialKind::linear_capped:
            return {"spatial", "distance", "param_name", "prox_value", "dist_value", "dist_value_distance"};
        case SpatialKind::exponential:
        case SpatialKind::exponential_by_z_dist:
            return {"spatial", "distance", "offset", "linScale", "_lambda", "xOffset"};
        case SpatialKind::capped_exponential:
            return {"spatial", "distance", "offset", "linScale", "_lambda", "xOffset", "max_g"};
        case SpatialKind::sigmoid:
            return {"spatial", "distance", "offset", "linScale", "xOffset", "width"};
        case SpatialKind::uniform_range:
            return {"spatial", "begin", "end", "outsidescale", "outsidescale_sections"};
    }
    return {};
}

std::unexpected<Error> invalid(const std::string& source, const std::string& path,
                               const std::string& message) {
    return fail(Errc::validation, path + ": " + message, source);
}

class Reader {
  public:
    explicit Reader(std::string source) : m_source(std::move(source)) {}

    Result<double> number(const Json& parent, const std::string& key, const std::string& path) const {
        auto it = parent.find(key);
        if (it == parent.end()) return invalid(m_source, path + "." + key, "missing");
        if (!it->is_number()) return invalid(m_source, path + "." + key, "must be a number");
        return it->get<double>();
    }

    Result<const Json*> object(const Json& parent, const std::string& key, const std::string& path) const {
        auto it = parent.find(key);
        if (it == parent.end()) return invalid(m_source, path + "." + key, "missing");
        if (!it->is_object()) return invalid(m_source, path + "." + key, "must be a dictionary");
        return &*it;
    }

    Result<std::vector<NamedValue>> numbers(const Json& object, const std::string& path) const {
        std::vector<NamedValue> out;
        for (const auto& [key, value] : object.items()) {
            if (!value.is_number()) return invalid(m_source, path + "." + key, "must be a number");
            out.emplace_back(key, value.get<double>());
        }
        return out;
    }

    Result<MechanismBlock> mechanism(const std::string& name, const Json& block,
                                     const std::string& path) const {
        if (!block.is_object()) return invalid(m_source, path, "must be a dictionary");
        auto spatial = block.find("spatial");
        if (spatial == block.end() || !spatial->is_string())
            return invalid(m_source, path + ".spatial",
                           "missing (one of uniform, linear, linear_capped, "
                           "exponential, exponential_by_z_dist, capped_exponential, "
                           "sigmoid, uniform_range)");
        auto kind = spatial_kind_from_string(spatial->get<std::string>());
        if (!kind)
            return invalid(m_source, path + ".spatial",
                           "unknown spatial kind '" + spatial->get<std::string>() + "'");
        MechanismBlock m;
        m.name = name;
        m.kind = *kind;
        const auto controls = control_keys(*kind);
        for (const auto& [key, value] : block.items()) {
            if (controls.contains(key)) continue;
            if (!value.is_number())
                return invalid(m_source, path + "." + key, "range parameter must be a number");
            m.parameters.emplace_back(key, value.get<double>());
        }
        if (*kind != SpatialKind::uniform && *kind != SpatialKind::uniform_range) {
            auto d = block.find("distance");
            if (d == block.end() || !d->is_string())
                return invalid(m_source, path + ".distance", "missing (\"relative\" or \"absolute\")");
            m.relative = d->get<std::string>() == "relative";
        }
        if (auto s = kind_controls(block, path, m); !s) return std::unexpected(s.error());
        return m;
    }

    // The control values of m.kind (slope, offset, ...), which every block of that kind must give.
    Status kind_controls(const Json& block, const std::string& path, MechanismBlock& m) const {
        auto need = [&](const char* key, double& out) -> Status {
            auto v = number(block, key, path);
            if (!v) return std::unexpected(v.error());
            out = *v;
            return {};
        };
        Status s;
        switch (m.kind) {
            case SpatialKind::uniform:
                break;
            case SpatialKind::linear:
                if (!(s = need("slope", m.slope)) || !(s = need("offset", m.offset)))
                    return std::unexpected(s.error());
                break;
            case SpatialKind::linear_capped: {
                auto p = block.find("param_name");
                if (p == block.end() || !p->is_string())
                    return invalid(m_source, path + ".param_name", "missing (the parameter to set)");
                m.param_name = p->get<std::string>();
                if (!(s = need("prox_value", m.prox_value)) || !(s = need("dist_value", m.dist_value)) ||
                    !(s = need("dist_value_distance", m.dist_value_distance)))
                    return std::unexpected(s.error());
                break;
            }
            case SpatialKind::capped_exponential:
                if (!(s = need("max_g", m.max_g))) return std::unexpected(s.error());
                [[fallthrough]];
            case SpatialKind::exponential:
            case SpatialKind::exponential_by_z_dist:
                if (!(s = need("offset", m.offset)) || !(s = need("linScale", m.lin_scale)) ||
                    !(s = need("_lambda", m.lambda)) || !(s = need("xOffset", m.x_offset)))
                    return std::unexpected(s.error());
                break;
            case SpatialKind::sigmoid:
                if (!(s = need("offset", m.offset)) || !(s = need("linScale", m.lin_scale)) ||
                    !(s = need("xOffset", m.x_offset)) || !(s = need("width", m.width)))
                    return std::unexpected(s.error());
                break;
            case SpatialKind::uniform_range: {
                if (!(s = need("begin", m.begin)) || !(s = need("end", m.end)) ||
                    !(s = need("outsidescale", m.outside_scale)))
                    return std::unexpected(s.error());
                auto list = block.find("outsidescale_sections");
                if (list != block.end())
                    return section_ids(*list, path + ".outsidescale_sections", m.outside_scale_sections);
                break;
            }
        }
        return {};
    }

    Status section_ids(const Json& list, const std::string& path, std::vector<int>& out) const {
        if (!list.is_array()) return invalid(m_source, path, "must be a list of section IDs");
        for (const auto& id : list) {
            if (!id.is_number_integer()) return invalid(m_source, path, "must be a list of section IDs");
            out.push_back(id.get<int>());
        }
        return {};
    }

    Result<LabelBiophysics> label(const std::string& name, const Json& block, const std::string& path) const {
        if (!block.is_object()) return invalid(m_source, path, "must be a dictionary");
        LabelBiophysics out;
        out.label = name;
        auto props = object(block, "properties", path);
        if (!props) return std::unexpected(props.error());
        for (const auto& [key, value] : (*props)->items()) {
            const std::string p = path + ".properties." + key;
            if (key == "ions") {
                if (!value.is_object()) return invalid(m_source, p, "must be a dictionary");
                auto ions = numbers(value, p);
                if (!ions) return std::unexpected(ions.error());
                out.ions = std::move(*ions);
            } else if (key == "spines") {
                if (!value.is_object()) return invalid(m_source, p, "must be a dictionary");
                auto density = number(value, "density", p);
                auto area = number(value, "area", p);
                if (!density) return std::unexpected(density.error());
                if (!area) return std::unexpected(area.error());
                out.spines = Spines{*density, *area};
            } else {
                if (!value.is_number()) return invalid(m_source, p, "must be a number");
                out.properties.emplace_back(key, value.get<double>());
            }
        }
        auto mechanisms = block.find("mechanisms");
        if (mechanisms != block.end()) {
            if (!mechanisms->is_object())
                return invalid(m_source, path + ".mechanisms", "must be a dictionary");
            auto range = mechanisms->find("range");
            if (range != mechanisms->end()) {
                if (!range->is_object())
                    return invalid(m_source, path + ".mechanisms.range", "must be a dictionary");
                for (const auto& [mech, mblock] : range->items()) {
                    auto m = mechanism(mech, mblock, path + ".mechanisms.range." + mech);
                    if (!m) return std::unexpected(m.error());
                    out.mechanisms.push_back(std::move(*m));
                }
            }
        }
        return out;
    }

    Result<CellParameters> document(const Json& doc) const {
        if (!doc.is_object()) return invalid(m_source, "<top level>", "must be a dictionary");
        CellParameters out;
        out.source = m_source;
        auto neuron = object(doc, "neuron", "<top level>");
        if (!neuron) return std::unexpected(neuron.error());
        if (auto s = neuron_block(**neuron, out); !s) return std::unexpected(s.error());
        if (auto g = doc.find("mech_globals"); g != doc.end() && !g->is_null())
            if (auto s = mech_globals(*g, out.mech_globals); !s) return std::unexpected(s.error());
        if (auto sim = doc.find("sim"); sim != doc.end())
            if (auto s = simulation(*sim, out.sim); !s) return std::unexpected(s.error());
        return out;
    }

  private:
    // `neuron`: the morphology file, cell modify functions, discretization, and one block per label.
    Status neuron_block(const Json& n, CellParameters& out) const {
        auto filename = n.find("filename");
        if (filename == n.end() || !filename->is_string())
            return invalid(m_source, "neuron.filename", "missing (the morphology file)");
        out.morphology = filename->get<std::string>();
        for (const auto& [key, value] : n.items()) {
            if (key == "filename") continue;
            if (key == "cell_modify_functions") {
                if (!value.is_object()) return invalid(m_source, "neuron." + key, "must be a dictionary");
                for (const auto& [fname, kwargs] : value.items()) {
                    if (!kwargs.is_object())
                        return invalid(m_source, "neuron." + key + "." + fname,
                                       "arguments must be a dictionary");
                    out.modify_functions.push_back({fname, kwargs});
                }
            } else if (key == "spatialgraph_modify_functions") {
                if (!value.is_object() || !value.empty())
                    return invalid(m_source, "neuron." + key,
                                   "not supported (ISF deprecated them; rieke_spines is replaced by "
                                   "properties.spines)");
            } else if (key == "discretization") {
                if (auto s = discretization(value, out.discretization); !s) return s;
            } else {
                auto label = this->label(key, value, "neuron." + key);
                if (!label) return std::unexpected(label.error());
                out.labels.push_back(std::move(*label));
            }
        }
        return {};
    }

    Status discretization(const Json& value, Discretization& out) const {
        if (!value.is_object()) return invalid(m_source, "neuron.discretization", "must be a dictionary");
        auto f = number(value, "f", "neuron.discretization");
        if (!f) return std::unexpected(f.error());
        if (!(*f > 0)) return invalid(m_source, "neuron.discretization.f", "must be positive");
        out.f = *f;
        auto m = value.find("max_seg_length");
        if (m == value.end())
            return invalid(m_source, "neuron.discretization.max_seg_length", "missing (a length or None)");
        if (!m->is_null()) {
            if (!m->is_number() || !(m->get<double>() > 0))
                return invalid(m_source, "neuron.discretization.max_seg_length",
                               "must be a positive number or None");
            out.max_seg_length = m->get<double>();
        }
        return {};
    }

    Status mech_globals(const Json& g, std::vector<MechanismGlobal>& out) const {
        if (!g.is_object()) return invalid(m_source, "mech_globals", "must be a dictionary");
        for (const auto& [mech, params] : g.items()) {
            if (!params.is_object()) return invalid(m_source, "mech_globals." + mech, "must be a dictionary");
            for (const auto& [param, value] : params.items()) {
                if (!value.is_number())
                    return invalid(m_source, "mech_globals." + mech + "." + param, "must be a number");
                out.push_back({mech, param, value.get<double>()});
            }
        }
        return {};
    }

    // `sim`: the optional simulation settings and recording sites.
    Status simulation(const Json& sim, SimSettings& out) const {
        if (!sim.is_object()) return invalid(m_source, "sim", "must be a dictionary");
        auto opt = [&](const char* key, std::optional<double>& out_value) -> Status {
            auto it = sim.find(key);
            if (it == sim.end() || it->is_null()) return {};
            if (!it->is_number()) return invalid(m_source, std::string("sim.") + key, "must be a number");
            out_value = it->get<double>();
            return {};
        };
        Status s;
        if (!(s = opt("Vinit", out.v_init)) || !(s = opt("tStart", out.t_start)) ||
            !(s = opt("tStop", out.t_stop)) || !(s = opt("dt", out.dt)) || !(s = opt("T", out.temperature)))
            return s;
        if (auto sites = sim.find("recordingSites"); sites != sim.end()) {
            if (!sites->is_array()) return invalid(m_source, "sim.recordingSites", "must be a list of files");
            for (const auto& site : *sites) {
                if (!site.is_string())
                    return invalid(m_source, "sim.recordingSites", "must be a list of files");
                out.recording_sites.emplace_back(site.get<std::string>());
            }
        }
        return {};
    }

    std::string m_source;
};

}  // namespace

std::string_view to_string(SpatialKind kind) {
    for (const auto& [k, name] : k_kinds)
        if (k == kind) return name;
    return "?";
}

std::optional<SpatialKind> spatial_kind_from_string(std::string_view name) {
    for (const auto& [k, n] : k_kinds)
        if (n == name) return k;
    return std::nullopt;
}

std::optional<double> LabelBiophysics::property(std::string_view name) const {
    for (const auto& [key, value] : properties)
        if (key == name) return value;
    return std::nullopt;
}

bool CellParameters::has_ais() const {
    return find_label("AIS") != nullptr;
}

const LabelBiophysics* CellParameters::find_label(std::string_view label) const {
    for (const auto& l : labels)
        if (l.label == label) return &l;
    return nullptr;
}

std::vector<NamedValue> evaluate_mechanism(const MechanismBlock& m, const SegmentPosition& pos,
                                           double max_dist) {
    std::vector<NamedValue> out;
    auto scaled = [&](double x) { return m.relative ? x / max_dist : x; };
    auto each = [&](auto&& f) {
        out.reserve(m.parameters.size());
        for (const auto& [name, p] : m.parameters) out.emplace_back(name, f(p));
    };
    switch (m.kind) {
        case SpatialKind::uniform:
            each([](double p) { return p; });
            break;
        case SpatialKind::linear: {
            const double x = scaled(pos.d2);
            each([&](double p) { return std::max(p * (x * m.slope + 1), p * m.offset); });
            break;
        }
        case SpatialKind::linear_capped: {
            const double x = scaled(pos.d2);
            const double value = x >= m.dist_value_distance ? m.dist_value
                                                            : m.prox_value + (m.dist_value - m.prox_value) /
                                                                                 m.dist_value_distance * x;
            out.emplace_back(m.param_name, value);
            break;
        }
        case SpatialKind::exponential: {
            const double x = scaled(pos.d1);
            each([&](double p) {
                return p * (m.offset + m.lin_scale * std::exp(m.lambda * (x - m.x_offset)));
            });
            break;
        }
        case SpatialKind::exponential_by_z_dist: {
            double x = pos.apical ? pos.z_dist : pos.d1;
            x = m.relative ? x / max_dist : x / 1000.0;
            each([&](double p) {
                return p * (m.offset + m.lin_scale * std::exp(m.lambda * (x - m.x_offset)));
            });
            break;
        }
        case SpatialKind::capped_exponential: {
            const double x = scaled(pos.d1);
            each([&](double p) {
                const double v = p * (m.offset + m.lin_scale * std::exp(m.lambda * (x - m.x_offset)));
                return v < m.max_g ? v : m.max_g;
            });
            break;
        }
        case SpatialKind::sigmoid: {
            const double x = scaled(pos.d1);
            each([&](double p) {
                return p * (m.offset + m.lin_scale / (1 + std::exp((x - m.x_offset) / m.width)));
            });
            break;
        }
        case SpatialKind::uniform_range: {
            const bool listed =
                std::ranges::find(m.outside_scale_sections, pos.section_id) != m.outside_scale_sections.end();
            const bool inside = !listed && m.begin <= pos.d1 && pos.d1 <= m.end;
            each([&](double p) { return inside ? p : p * m.outside_scale; });
            break;
        }
    }
    return out;
}

Result<CellParameters> parse_cell_parameters(const nlohmann::ordered_json& document,
                                             std::string_view source) {
    return Reader(std::string(source)).document(document);
}

Result<CellParameters> read_cell_parameters(const std::filesystem::path& file,
                                            const recipes::PathMap& paths) {
    auto doc = recipes::read_isf_param(file, paths);
    if (!doc) return std::unexpected(doc.error());
    auto params = parse_cell_parameters(*doc, file.string());
    if (!params) return params;
    if (params->morphology.is_relative()) params->morphology = file.parent_path() / params->morphology;
    for (auto& site : params->sim.recording_sites)
        if (site.is_relative()) site = file.parent_path() / site;
    return params;
}

}  // namespace silico::experiments
