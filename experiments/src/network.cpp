#include "silico/experiments/network.hpp"

#include "input_text.hpp"

namespace silico::experiments {

namespace {

using Json = nlohmann::ordered_json;

struct Ctx {
    std::string_view source;
    std::string path;
    Ctx at(std::string_view key) const {
        return {source, path.empty() ? std::string(key) : path + "." + std::string(key)};
    }
    std::unexpected<Error> error(const std::string& message) const {
        return fail(Errc::validation, path + ": " + message, std::string(source));
    }
};

Result<double> number(const Json& j, const Ctx& c) {
    if (!j.is_number()) return c.error("expected a number, found " + std::string(j.type_name()));
    return j.get<double>();
}

Result<const Json*> member(const Json& obj, std::string_view key, const Ctx& c) {
    if (!obj.is_object()) return c.error("expected a dictionary");
    auto it = obj.find(std::string(key));
    if (it == obj.end()) return c.at(key).error("missing key");
    return &*it;
}

Result<double> number_member(const Json& obj, std::string_view key, const Ctx& c) {
    auto m = member(obj, key, c);
    if (!m) return std::unexpected(m.error());
    return number(**m, c.at(key));
}

Result<std::optional<double>> optional_number(const Json& obj, std::string_view key, const Ctx& c) {
    auto it = obj.find(std::string(key));
    if (it == obj.end()) return std::optional<double>{};
    auto v = number(*it, c.at(key));
    if (!v) return std::unexpected(v.error());
    return std::optional<double>{*v};
}

Result<std::vector<double>> number_list(const Json& j, const Ctx& c) {
    if (!j.is_array()) return c.error("expected a list");
    std::vector<double> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        auto v = number(j[i], c.at(std::to_string(i)));
        if (!v) return std::unexpected(v.error());
        out.push_back(*v);
    }
    return out;
}

Result<std::vector<std::pair<double, double>>> interval_list(const Json& j, const Ctx& c) {
    if (!j.is_array()) return c.error("expected a list of (begin, end) pairs");
    std::vector<std::pair<double, double>> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        auto pair = number_list(j[i], c.at(std::to_string(i)));
        if (!pair) return std::unexpected(pair.error());
        if (pair->size() != 2) return c.at(std::to_string(i)).error("expected a (begin, end) pair");
        out.emplace_back((*pair)[0], (*pair)[1]);
    }
    return out;
}

Result<SpikeTrainSource> spiketrain_from(const Json& obj, const Ctx& c) {
    SpikeTrainSource s;
    auto interval = number_member(obj, "interval", c);
    if (!interval) return std::unexpected(interval.error());
    s.interval = *interval;
    auto noise = optional_number(obj, "noise", c);
    if (!noise) return std::unexpected(noise.error());
    s.noise = *noise;
    auto start = optional_number(obj, "start", c);
    if (!start) return std::unexpected(start.error());
    s.start = *start;
    if (auto it = obj.find("nspikes"); it != obj.end()) {
        if (!it->is_number_integer()) return c.at("nspikes").error("expected an integer");
        s.nspikes = it->get<std::int64_t>();
    }
    return s;
}

Result<PointCellSource> pointcell_from(const Json& obj, const Ctx& c) {
    std::string dist = "normal";  // ISF's deprecated default when `distribution` is missing
    if (auto it = obj.find("distribution"); it != obj.end()) {
        if (!it->is_string()) return c.at("distribution").error("expected a string");
        dist = it->get<std::string>();
    }
    auto num = [&](std::string_view key) { return number_member(obj, key, c); };
    if (dist == "PSTH" || dist == "PSTH_absolute_number") {
        auto iv = member(obj, "intervals", c);
        if (!iv) return std::unexpected(iv.error());
        auto intervals = interval_list(**iv, c.at("intervals"));
        if (!intervals) return std::unexpected(intervals.error());
        auto offset = num("offset");
        if (!offset) return std::unexpected(offset.error());
        if (dist == "PSTH") {
            auto p = member(obj, "probabilities", c);
            if (!p) return std::unexpected(p.error());
            auto probs = number_list(**p, c.at("probabilities"));
            if (!probs) return std::unexpected(probs.error());
            if (probs->size() != intervals->size())
                return c.error("PSTH has " + std::to_string(intervals->size()) + " intervals but " +
                               std::to_string(probs->size()) + " probabilities");
            return PsthDistribution{std::move(*intervals), std::move(*probs), *offset};
        }
        auto n = member(obj, "number_active_synapses", c);
        if (!n) return std::unexpected(n.error());
        auto counts = number_list(**n, c.at("number_active_synapses"));
        if (!counts) return std::unexpected(counts.error());
        if (counts->size() != intervals->size())
            return c.error("PSTH_absolute_number has " + std::to_string(intervals->size()) +
                           " intervals but " + std::to_string(counts->size()) + " counts");
        PsthAbsoluteNumber a{std::move(*intervals), {}, *offset};
        for (double v : *counts) a.number_active_synapses.push_back(static_cast<std::int64_t>(v));
        return a;
    }
    if (dist == "normal") {
        NormalDistribution d;
        auto f = num("activeFrac"), m = num("spikeT"), s = num("spikeWidth");
        if (!f) return std::unexpected(f.error());
        if (!m) return std::unexpected(m.error());
        if (!s) return std::unexpected(s.error());
        auto o = optional_number(obj, "offset", c);
        if (!o) return std::unexpected(o.error());
        d.active_frac = *f;
        d.spike_t = *m;
        d.spike_width = *s;
        d.offset = o->value_or(10.0);
        return d;
    }
    if (dist == "uniform") {
        auto f = num("activeFrac"), w = num("window"), o = num("offset");
        if (!f) return std::unexpected(f.error());
        if (!w) return std::unexpected(w.error());
        if (!o) return std::unexpected(o.error());
        return UniformDistribution{*f, *w, *o};
    }
    if (dist == "lognormal") {
        auto f = num("activeFrac"), m = num("mu"), s = num("sigma"), o = num("offset");
        if (!f) return std::unexpected(f.error());
        if (!m) return std::unexpected(m.error());
        if (!s) return std::unexpected(s.error());
        if (!o) return std::unexpected(o.error());
        return LognormalDistribution{*f, *m, *s, *o};
    }
    if (dist == "PSTH_poissontrain" || dist == "PSTH_poissontrain_v2" || dist == "poissontrain_modulated")
        return UnsupportedDistribution{dist, obj};
    return c.at("distribution").error("unknown spike time distribution '" + dist + "'");
}

Result<Receptor> receptor_from(const std::string& name, const Json& obj, const Ctx& c) {
    Receptor r;
    r.name = name;
    if (!obj.is_object()) return c.error("expected a dictionary");
    auto th = optional_number(obj, "threshold", c);
    if (!th) return std::unexpected(th.error());
    r.threshold = th->value_or(0.0);
    auto de = optional_number(obj, "delay", c);
    if (!de) return std::unexpected(de.error());
    r.delay = de->value_or(0.0);
    auto w = member(obj, "weight", c);
    if (!w) return std::unexpected(w.error());
    if ((*w)->is_array()) {
        auto list = number_list(**w, c.at("weight"));
        if (!list) return std::unexpected(list.error());
        r.weight = std::move(*list);
        r.weight_is_list = true;
    } else {
        auto v = number(**w, c.at("weight"));
        if (!v) return std::unexpected(v.error());
        r.weight = {*v};
    }
    if (auto it = obj.find("parameter"); it != obj.end()) {
        if (!it->is_object()) return c.at("parameter").error("expected a dictionary");
        for (auto p = it->begin(); p != it->end(); ++p) {
            auto v = number(p.value(), c.at("parameter").at(p.key()));
            if (!v) return std::unexpected(v.error());
            r.parameters.emplace_back(p.key(), *v);
        }
    }
    if (auto it = obj.find("weightDistribution"); it != obj.end()) {
        if (!it->is_string()) return c.at("weightDistribution").error("expected a string");
        r.weight_distribution = it->get<std::string>();
        if (*r.weight_distribution != "lognormal")
            return c.at("weightDistribution")
                .error("weight distribution '" + *r.weight_distribution +
                       "' is not implemented (ISF has only lognormal)");
    }
    return r;
}

Result<SynapseParameters> synapses_from(const Json& obj, const Ctx& c) {
    SynapseParameters s;
    if (!obj.is_object()) return c.error("expected a dictionary");
    if (auto it = obj.find("releaseProb"); it != obj.end()) {
        if (it->is_string() && it->get<std::string>() == "dynamic") {
            s.release_dynamic = true;
        } else {
            auto v = number(*it, c.at("releaseProb"));
            if (!v) return std::unexpected(v.error());
            s.release_prob = *v;
        }
    }
    for (auto key : {"distributionFile", "connectionFile"}) {
        auto m = member(obj, key, c);
        if (!m) return std::unexpected(m.error());
        if (!(*m)->is_string()) return c.at(key).error("expected a file name");
        (std::string_view(key) == "distributionFile" ? s.distribution_file : s.connection_file) =
            (*m)->get<std::string>();
    }
    auto rec = member(obj, "receptors", c);
    if (!rec) return std::unexpected(rec.error());
    if (!(*rec)->is_object()) return c.at("receptors").error("expected a dictionary");
    for (auto it = (*rec)->begin(); it != (*rec)->end(); ++it) {
        auto r = receptor_from(it.key(), it.value(), c.at("receptors").at(it.key()));
        if (!r) return std::unexpected(r.error());
        s.receptors.push_back(std::move(*r));
    }
    return s;
}

Result<Population> population_from(const std::string& name, const Json& obj, const Ctx& c) {
    Population p;
    p.name = name;
    if (!obj.is_object()) return c.error("expected a dictionary");
    auto nr = member(obj, "cellNr", c);
    if (!nr) return std::unexpected(nr.error());
    if (!(*nr)->is_number_integer() || (*nr)->get<std::int64_t>() < 0)
        return c.at("cellNr").error("expected a non-negative integer");
    p.cell_count = (*nr)->get<std::int64_t>();
    auto ct = member(obj, "celltype", c);
    if (!ct) return std::unexpected(ct.error());
    const Json& celltype = **ct;
    if (celltype.is_string()) {
        auto kind = celltype.get<std::string>();
        if (kind == "spiketrain") {
            auto s = spiketrain_from(obj, c);
            if (!s) return std::unexpected(s.error());
            p.sources.emplace_back(std::move(*s));
        } else if (kind == "pointcell") {
            auto s = pointcell_from(obj, c);
            if (!s) return std::unexpected(s.error());
            p.sources.emplace_back(std::move(*s));
        } else {
            return c.at("celltype").error("unknown spike source '" + kind + "'");
        }
    } else if (celltype.is_object()) {
        for (auto it = celltype.begin(); it != celltype.end(); ++it) {
            Ctx sub = c.at("celltype").at(it.key());
            if (!it.value().is_object()) return sub.error("expected a dictionary");
            if (it.key() == "spiketrain") {
                auto s = spiketrain_from(it.value(), sub);
                if (!s) return std::unexpected(s.error());
                p.sources.emplace_back(std::move(*s));
            } else if (it.key() == "pointcell") {
                auto s = pointcell_from(it.value(), sub);
                if (!s) return std::unexpected(s.error());
                p.sources.emplace_back(std::move(*s));
            } else {
                return sub.error("unknown spike source '" + it.key() + "'");
            }
        }
    } else {
        return c.at("celltype").error("expected \"spiketrain\", \"pointcell\" or a dictionary of them");
    }
    auto syn = member(obj, "synapses", c);
    if (!syn) return std::unexpected(syn.error());
    auto s = synapses_from(**syn, c.at("synapses"));
    if (!s) return std::unexpected(s.error());
    p.synapses = std::move(*s);
    return p;
}

// --- writing Python literals ---

void write_value(std::string& out, const Json& j, int indent);

void write_indent(std::string& out, int indent) {
    out.append(static_cast<std::size_t>(indent) * 2, ' ');
}

void write_string(std::string& out, const std::string& s) {
    out += '"';
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    out += '"';
}

bool is_scalar_list(const Json& j) {
    for (const auto& e : j)
        if (e.is_object() || (e.is_array() && !is_scalar_list(e))) return false;
    return true;
}

void write_value(std::string& out, const Json& j, int indent) {
    switch (j.type()) {
        case Json::value_t::null:
            out += "None";
            break;
        case Json::value_t::boolean:
            out += j.get<bool>() ? "True" : "False";
            break;
        case Json::value_t::number_integer:
            out += std::to_string(j.get<std::int64_t>());
            break;
        case Json::value_t::number_unsigned:
            out += std::to_string(j.get<std::uint64_t>());
            break;
        case Json::value_t::number_float:
            detail::append_python_float(out, j.get<double>());
            break;
        case Json::value_t::string:
            write_string(out, j.get<std::string>());
            break;
        case Json::value_t::array: {
            // Pairs inside lists are written as tuples, the way ISF writes PSTH intervals.
            bool tuple = indent < 0;
            out += tuple ? '(' : '[';
            bool first = true;
            for (const auto& e : j) {
                if (!first) out += ", ";
                first = false;
                write_value(out, e, e.is_array() && e.size() == 2 && is_scalar_list(e) ? -1 : indent);
            }
            out += tuple ? ')' : ']';
            break;
        }
        case Json::value_t::object: {
            int level = indent < 0 ? 0 : indent;
            out += "{\n";
            for (auto it = j.begin(); it != j.end(); ++it) {
                write_indent(out, level + 1);
                write_string(out, it.key());
                out += ": ";
                write_value(out, it.value(), level + 1);
                out += ",\n";
            }
            write_indent(out, level);
            out += '}';
            break;
        }
        default:
            out += "None";
            break;
    }
}

Json numbers_json(const std::vector<double>& v) {
    Json a = Json::array();
    for (double x : v) a.push_back(x);
    return a;
}

Json intervals_json(const std::vector<std::pair<double, double>>& v) {
    Json a = Json::array();
    for (auto [b, e] : v) a.push_back(Json::array({b, e}));
    return a;
}

Json source_json(const PointCellSource& s) {
    return std::visit(
        [](const auto& d) -> Json {
            using T = std::decay_t<decltype(d)>;
            Json o = Json::object();
            if constexpr (std::is_same_v<T, PsthDistribution>) {
                o["distribution"] = "PSTH";
                o["intervals"] = intervals_json(d.intervals);
                o["probabilities"] = numbers_json(d.probabilities);
                o["offset"] = d.offset;
            } else if constexpr (std::is_same_v<T, PsthAbsoluteNumber>) {
                o["distribution"] = "PSTH_absolute_number";
                o["intervals"] = intervals_json(d.intervals);
                o["number_active_synapses"] = d.number_active_synapses;
                o["offset"] = d.offset;
            } else if constexpr (std::is_same_v<T, NormalDistribution>) {
                o["distribution"] = "normal";
                o["activeFrac"] = d.active_frac;
                o["spikeT"] = d.spike_t;
                o["spikeWidth"] = d.spike_width;
                o["offset"] = d.offset;
            } else if constexpr (std::is_same_v<T, UniformDistribution>) {
                o["distribution"] = "uniform";
                o["activeFrac"] = d.active_frac;
                o["window"] = d.window;
                o["offset"] = d.offset;
            } else if constexpr (std::is_same_v<T, LognormalDistribution>) {
                o["distribution"] = "lognormal";
                o["activeFrac"] = d.active_frac;
                o["mu"] = d.mu;
                o["sigma"] = d.sigma;
                o["offset"] = d.offset;
            } else {
                o = d.parameters;
            }
            return o;
        },
        s);
}

Json spiketrain_json(const SpikeTrainSource& s) {
    Json o = Json::object();
    o["interval"] = s.interval;
    if (s.noise) o["noise"] = *s.noise;
    if (s.start) o["start"] = *s.start;
    if (s.nspikes) o["nspikes"] = *s.nspikes;
    return o;
}

}  // namespace

std::ptrdiff_t NetworkParameters::find(std::string_view name) const {
    for (std::size_t i = 0; i < populations.size(); ++i)
        if (populations[i].name == name) return static_cast<std::ptrdiff_t>(i);
    return -1;
}

Result<NetworkParameters> network_from_tree(const Json& tree, std::string_view source) {
    NetworkParameters out;
    Ctx root{source, ""};
    auto net = member(tree, "network", root);
    if (!net) return std::unexpected(net.error());
    if (!(*net)->is_object()) return root.at("network").error("expected a dictionary");
    for (auto it = (*net)->begin(); it != (*net)->end(); ++it) {
        if (it.key() == "network_modify_functions") {
            out.network_modify_functions = it.value();
            continue;
        }
        auto p = population_from(it.key(), it.value(), root.at("network").at(it.key()));
        if (!p) return std::unexpected(p.error());
        out.populations.push_back(std::move(*p));
    }
    if (auto it = tree.find("info"); it != tree.end()) out.info = *it;
    if (auto it = tree.find("NMODL_mechanisms"); it != tree.end()) out.nmodl_mechanisms = *it;
    return out;
}

Result<NetworkParameters> read_network_param(const std::filesystem::path& file,
                                             const recipes::PathMap& paths) {
    auto tree = recipes::read_isf_param(file, paths);
    if (!tree) return std::unexpected(tree.error());
    return network_from_tree(*tree, file.string());
}

nlohmann::ordered_json network_to_tree(const NetworkParameters& network) {
    Json tree = Json::object();
    if (!network.info.is_null()) tree["info"] = network.info;
    Json net = Json::object();
    for (const auto& p : network.populations) {
        Json pop = Json::object();
        Json syn = Json::object();
        if (p.synapses.release_dynamic)
            syn["releaseProb"] = "dynamic";
        else if (p.synapses.release_prob)
            syn["releaseProb"] = *p.synapses.release_prob;
        syn["distributionFile"] = p.synapses.distribution_file;
        Json receptors = Json::object();
        for (const auto& r : p.synapses.receptors) {
            Json rec = Json::object();
            rec["threshold"] = r.threshold;
            rec["delay"] = r.delay;
            Json params = Json::object();
            for (const auto& [k, v] : r.parameters) params[k] = v;
            rec["parameter"] = params;
            if (r.weight_is_list)
                rec["weight"] = numbers_json(r.weight);
            else
                rec["weight"] = r.weight.empty() ? 0.0 : r.weight[0];
            if (r.weight_distribution) rec["weightDistribution"] = *r.weight_distribution;
            receptors[r.name] = rec;
        }
        syn["receptors"] = receptors;
        syn["connectionFile"] = p.synapses.connection_file;
        pop["synapses"] = syn;
        pop["cellNr"] = p.cell_count;
        Json celltype = Json::object();
        for (const auto& s : p.sources) {
            if (const auto* st = std::get_if<SpikeTrainSource>(&s))
                celltype["spiketrain"] = spiketrain_json(*st);
            else
                celltype["pointcell"] = source_json(std::get<PointCellSource>(s));
        }
        pop["celltype"] = celltype;
        net[p.name] = pop;
    }
    if (!network.network_modify_functions.is_null())
        net["network_modify_functions"] = network.network_modify_functions;
    tree["network"] = net;
    if (!network.nmodl_mechanisms.is_null()) tree["NMODL_mechanisms"] = network.nmodl_mechanisms;
    return tree;
}

std::string format_isf_param(const nlohmann::ordered_json& tree) {
    std::string out;
    write_value(out, tree, 0);
    out += '\n';
    return out;
}

}  // namespace silico::experiments
