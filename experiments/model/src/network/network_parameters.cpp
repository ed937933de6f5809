#include "silico/model/network_parameters.hpp"

#include <array>

#include "io/text.hpp"

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

// Distributions made only of numbers: their keys in ISF's reading order, with a default where ISF has one.
template <class T>
struct ScalarField {
    const char* key;
    double T::*member;
    std::optional<double> fallback = std::nullopt;
};

constexpr std::array<ScalarField<NormalDistribution>, 4> k_normal_fields{{
    {"activeFrac", &NormalDistribution::active_frac},
    {"spikeT", &NormalDistribution::spike_t},
    {"spikeWidth", &NormalDistribution::spike_width},
    {"offset", &NormalDistribution::offset, 10.0},  // ISF's deprecated default
}};
constexpr std::array<ScalarField<UniformDistribution>, 3> k_uniform_fields{{
    {"activeFrac", &UniformDistribution::active_frac},
    {"window", &UniformDistribution::window},
    {"offset", &UniformDistribution::offset},
}};
constexpr std::array<ScalarField<LognormalDistribution>, 4> k_lognormal_fields{{
    {"activeFrac", &LognormalDistribution::active_frac},
    {"mu", &LognormalDistribution::mu},
    {"sigma", &LognormalDistribution::sigma},
    {"offset", &LognormalDistribution::offset},
}};
constexpr std::array<ScalarField<PoissonTrainModulated>, 6> k_modulated_fields{{
    {"rate_before_t_offset", &PoissonTrainModulated::rate_before_t_offset},
    {"mean_rate", &PoissonTrainModulated::mean_rate},
    {"max_modulation", &PoissonTrainModulated::max_modulation},
    {"modulation_frequency", &PoissonTrainModulated::modulation_frequency},
    {"bin_size", &PoissonTrainModulated::bin_size},
    {"offset", &PoissonTrainModulated::offset},
}};
constexpr std::array<ScalarField<PoissonTrainModulated>, 2> k_phase_fields{{
    {"mean_phase", &PoissonTrainModulated::mean_phase},
    {"std_phase", &PoissonTrainModulated::std_phase},
}};

template <class T, std::size_t N>
Status read_scalars(const Json& obj, const Ctx& c, const std::array<ScalarField<T>, N>& fields, T& out) {
    for (const auto& f : fields) {
        if (f.fallback) {
            auto v = optional_number(obj, f.key, c);
            if (!v) return std::unexpected(v.error());
            out.*f.member = v->value_or(*f.fallback);
        } else {
            auto v = number_member(obj, f.key, c);
            if (!v) return std::unexpected(v.error());
            out.*f.member = *v;
        }
    }
    return {};
}

template <class T, std::size_t N>
Result<T> scalars_from(const Json& obj, const Ctx& c, const std::array<ScalarField<T>, N>& fields) {
    T out;
    if (auto s = read_scalars(obj, c, fields, out); !s) return std::unexpected(s.error());
    return out;
}

template <class T, std::size_t N>
void write_scalars(Json& o, const T& d, const std::array<ScalarField<T>, N>& fields) {
    for (const auto& f : fields) o[f.key] = d.*f.member;
}

Result<std::vector<double>> number_list_member(const Json& obj, std::string_view key, const Ctx& c) {
    auto m = member(obj, key, c);
    if (!m) return std::unexpected(m.error());
    return number_list(**m, c.at(key));
}

// The PSTH family: `intervals`, one value per interval under `values_key`, and `offset`.
struct IntervalTable {
    std::vector<std::pair<double, double>> intervals;
    std::vector<double> values;
    double offset = 0.0;
};

Result<IntervalTable> interval_table(const Json& obj, const Ctx& c, const std::string& dist,
                                     std::string_view values_key) {
    IntervalTable t;
    auto iv = member(obj, "intervals", c);
    if (!iv) return std::unexpected(iv.error());
    auto intervals = interval_list(**iv, c.at("intervals"));
    if (!intervals) return std::unexpected(intervals.error());
    t.intervals = std::move(*intervals);
    auto offset = number_member(obj, "offset", c);
    if (!offset) return std::unexpected(offset.error());
    t.offset = *offset;
    auto values = number_list_member(obj, values_key, c);
    if (!values) return std::unexpected(values.error());
    t.values = std::move(*values);
    if (t.values.size() != t.intervals.size())
        return c.error(dist + " has " + std::to_string(t.intervals.size()) + " intervals but " +
                       std::to_string(t.values.size()) + " " + std::string(values_key));
    return t;
}

Result<PsthPoissonTrainV2> poissontrain_v2_from(const Json& obj, const Ctx& c) {
    PsthPoissonTrainV2 d;
    auto bins = number_list_member(obj, "bins", c);
    if (!bins) return std::unexpected(bins.error());
    auto rates = number_list_member(obj, "rates", c);
    if (!rates) return std::unexpected(rates.error());
    auto offset = number_member(obj, "offset", c);
    if (!offset) return std::unexpected(offset.error());
    if (bins->size() != rates->size() + 1)
        return c.error("PSTH_poissontrain_v2 needs one more bin edge than rates, has " +
                       std::to_string(bins->size()) + " bins and " + std::to_string(rates->size()) +
                       " rates");
    d.bins = std::move(*bins);
    d.rates = std::move(*rates);
    d.offset = *offset;
    return d;
}

Result<PoissonTrainModulated> modulated_from(const Json& obj, const Ctx& c) {
    auto d = scalars_from(obj, c, k_modulated_fields);
    if (!d) return std::unexpected(d.error());
    auto phase = member(obj, "phase_distribution", c);
    if (!phase) return std::unexpected(phase.error());
    if (!(*phase)->is_string()) return c.at("phase_distribution").error("expected a string");
    d->phase_distribution = (*phase)->get<std::string>();
    if (d->phase_distribution == "normal")
        if (auto s = read_scalars(obj, c, k_phase_fields, *d); !s) return std::unexpected(s.error());
    return d;
}

Result<PointCellSource> pointcell_from(const Json& obj, const Ctx& c) {
    std::string dist = "normal";  // ISF's deprecated default when `distribution` is missing
    if (auto it = obj.find("distribution"); it != obj.end()) {
        if (!it->is_string()) return c.at("distribution").error("expected a string");
        dist = it->get<std::string>();
    }
    auto lift = [](auto r) -> Result<PointCellSource> {
        if (!r) return std::unexpected(r.error());
        return PointCellSource{std::move(*r)};
    };
    if (dist == "PSTH" || dist == "PSTH_absolute_number" || dist == "PSTH_poissontrain") {
        std::string_view key = dist == "PSTH"                ? "probabilities"
                               : dist == "PSTH_poissontrain" ? "rates"
                                                             : "number_active_synapses";
        auto t = interval_table(obj, c, dist, key);
        if (!t) return std::unexpected(t.error());
        if (dist == "PSTH") return PsthDistribution{std::move(t->intervals), std::move(t->values), t->offset};
        if (dist == "PSTH_poissontrain")
            return PsthPoissonTrain{std::move(t->intervals), std::move(t->values), t->offset};
        PsthAbsoluteNumber a{std::move(t->intervals), {}, t->offset};
        for (double v : t->values) a.number_active_synapses.push_back(static_cast<std::int64_t>(v));
        return a;
    }
    if (dist == "normal") return lift(scalars_from(obj, c, k_normal_fields));
    if (dist == "uniform") return lift(scalars_from(obj, c, k_uniform_fields));
    if (dist == "lognormal") return lift(scalars_from(obj, c, k_lognormal_fields));
    if (dist == "PSTH_poissontrain_v2") return lift(poissontrain_v2_from(obj, c));
    if (dist == "poissontrain_modulated") return lift(modulated_from(obj, c));
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

template <class Values>
void write_interval_table(Json& o, const char* dist, const std::vector<std::pair<double, double>>& intervals,
                          const char* values_key, const Values& values, double offset) {
    o["distribution"] = dist;
    o["intervals"] = intervals_json(intervals);
    o[values_key] = values;
    o["offset"] = offset;
}

Json source_json(const PointCellSource& s) {
    return std::visit(
        [](const auto& d) -> Json {
            using T = std::decay_t<decltype(d)>;
            Json o = Json::object();
            if constexpr (std::is_same_v<T, PsthDistribution>) {
                write_interval_table(o, "PSTH", d.intervals, "probabilities", d.probabilities, d.offset);
            } else if constexpr (std::is_same_v<T, PsthAbsoluteNumber>) {
                write_interval_table(o, "PSTH_absolute_number", d.intervals, "number_active_synapses",
                                     d.number_active_synapses, d.offset);
            } else if constexpr (std::is_same_v<T, PsthPoissonTrain>) {
                write_interval_table(o, "PSTH_poissontrain", d.intervals, "rates", d.rates, d.offset);
            } else if constexpr (std::is_same_v<T, PsthPoissonTrainV2>) {
                o["distribution"] = "PSTH_poissontrain_v2";
                o["bins"] = d.bins;
                o["rates"] = d.rates;
                o["offset"] = d.offset;
            } else if constexpr (std::is_same_v<T, NormalDistribution>) {
                o["distribution"] = "normal";
                write_scalars(o, d, k_normal_fields);
            } else if constexpr (std::is_same_v<T, UniformDistribution>) {
                o["distribution"] = "uniform";
                write_scalars(o, d, k_uniform_fields);
            } else if constexpr (std::is_same_v<T, LognormalDistribution>) {
                o["distribution"] = "lognormal";
                write_scalars(o, d, k_lognormal_fields);
            } else {
                static_assert(std::is_same_v<T, PoissonTrainModulated>);
                o["distribution"] = "poissontrain_modulated";
                write_scalars(o, d, k_modulated_fields);
                o["phase_distribution"] = d.phase_distribution;
                if (d.phase_distribution == "normal") write_scalars(o, d, k_phase_fields);
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
    auto network = network_from_tree(*tree, file.string());
    if (!network) return network;
    // Relative .syn/.con names are taken relative to the parameter file's folder, as recipes and the cell
    // reader's neuron.filename do (ISF would open them relative to its working directory).
    for (auto& population : network->populations) {
        for (std::string* name :
             {&population.synapses.distribution_file, &population.synapses.connection_file})
            if (!name->empty() && std::filesystem::path(*name).is_relative())
                *name = (file.parent_path() / *name).string();
    }
    return network;
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
