// NetworkModel: pools of receptor/VecStim/NetCon slots per population, loaded per trial (see the header).
#include "silico/experiments/network_model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <span>

#include "silico/experiments/simulator.hpp"

namespace silico::experiments {

namespace {
template <class... A>
std::unexpected<Error> failf(Errc code, fmt::format_string<A...> format, A&&... args) {
    return fail(code, fmt::format(format, std::forward<A>(args)...));
}
}  // namespace

SynapsePlacement SynapseSites::placement(const PreparedNetwork& network) const {
    SynapsePlacement out;
    for (std::size_t p = 0; p < sites.size() && p < network.parameters.populations.size(); ++p) {
        auto& list = out[network.parameters.populations[p].name];
        list.reserve(sites[p].size());
        for (const auto& s : sites[p]) list.push_back({s.section_id, s.point_id, s.soma_distance, s.label});
    }
    return out;
}

namespace {

Result<const CellSection*> section_of(const CellModel& cell, std::int64_t id, std::string_view type,
                                      std::size_t synapse) {
    if (id < 0 || static_cast<std::size_t>(id) >= cell.sections().size())
        return failf(Errc::invalid_argument,
                     "synapse {} of type {}: section ID {} does not exist on the cell "
                     "({} sections)",
                     synapse, type, id, cell.sections().size());
    const auto& s = cell.section(static_cast<int>(id));
    if (s.rel_pts.empty())
        return failf(Errc::invalid_argument, "synapse {} of type {}: section {} has no 3D points", synapse,
                     type, id);
    return &s;
}

}  // namespace

Result<SynapseSites> place_synapses(const CellModel& cell, const PreparedNetwork& network,
                                    const SynapseDistribution& syn) {
    SynapseSites out;
    const auto& pops = network.parameters.populations;
    out.sites.resize(pops.size());
    for (std::size_t p = 0; p < pops.size(); ++p) {
        const auto t = syn.find(pops[p].name);
        if (t < 0) continue;
        const auto& type = syn.types[static_cast<std::size_t>(t)];
        auto& list = out.sites[p];
        list.reserve(type.synapses.size());
        for (std::size_t k = 0; k < type.synapses.size(); ++k) {
            const auto& loc = type.synapses[k];
            auto sec = section_of(cell, loc.section_id, type.name, k);
            if (!sec) return std::unexpected(sec.error());
            const auto& s = **sec;
            const std::size_t pt = nearest_point_index(s.rel_pts, loc.x);
            list.push_back({s.id, static_cast<std::int64_t>(pt), synapse_position(s.rel_pts, pt, s.nseg),
                            cell.length_to_soma(s.id, loc.x), s.label});
        }
    }
    return out;
}

Result<SynapseSites> place_replayed_synapses(const CellModel& cell, const PreparedNetwork& network,
                                             const std::vector<SynapseActivationRow>& rows) {
    SynapseSites out;
    out.sites.resize(network.parameters.populations.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const auto p = network.parameters.find(row.synapse_type);
        if (p < 0)
            return failf(Errc::not_found, "activation row {}: type {} is not in the network parameters",
                         r + 1, row.synapse_type);
        auto& list = out.sites[static_cast<std::size_t>(p)];
        auto sec = section_of(cell, row.section_id, row.synapse_type, list.size());
        if (!sec) return std::unexpected(sec.error());
        const auto& s = **sec;
        if (row.section_pt_id < 0 || static_cast<std::size_t>(row.section_pt_id) >= s.rel_pts.size())
            return failf(Errc::invalid_argument,
                         "activation row {}: point {} does not exist on section {} ({} points)", r + 1,
                         row.section_pt_id, s.id, s.rel_pts.size());
        const auto pt = static_cast<std::size_t>(row.section_pt_id);
        list.push_back({s.id, row.section_pt_id, synapse_position(s.rel_pts, pt, s.nseg),
                        cell.length_to_soma(s.id, s.rel_pts[pt]), s.label});
    }
    return out;
}

// ---- NetworkModel ----------------------------------------------------------------------------------------

namespace {

struct Slot {
    int chunk = 0;
    int index = 0;  // within the chunk's hoc arrays
    int section = -1;
    double x = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> weights;  // flattened over receptors, as in TrialActivity::weights
    bool has_events = false;
};

struct Pool {
    std::vector<Slot> slots;
};

int next_model_id() {
    static int id = 0;
    return id++;
}

}  // namespace

struct NetworkModel::State {
    Simulator* simulator = nullptr;
    const NeuronCell* cell = nullptr;
    const PreparedNetwork* network = nullptr;
    int id = 0;
    std::vector<Pool> pools;

    // Receptor count of each chunk's arrays. A chunk holds the slots of every population that grew in one
    // grow() call, so a model declares few hoc names however many populations it has: hoc looks names up in
    // a list, and thousands of names would slow every statement of every later trial.
    std::vector<std::size_t> chunk_receptors;

    // hoc array name of one kind of object of a chunk ("pp0", "nc0", "vs", "v").
    std::string array(int chunk, std::string_view kind) const {
        return fmt::format("silico_n{}_c{}_{}", id, chunk, kind);
    }

    // Creates the missing slots of every population p with pools[p] smaller than wanted[p], in one chunk.
    Status grow(const std::vector<std::uint32_t>& wanted, std::size_t& created) {
        std::size_t m = 0, receptors = 0;
        for (std::size_t p = 0; p < wanted.size() && p < pools.size(); ++p)
            if (pools[p].slots.size() < wanted[p]) {
                m += wanted[p] - pools[p].slots.size();
                receptors = std::max(receptors, network->parameters.populations[p].synapses.receptors.size());
            }
        if (m == 0) return {};
        const int chunk = static_cast<int>(chunk_receptors.size());
        chunk_receptors.push_back(receptors);
        const std::string soma = cell->hoc_name(cell->model().soma_id());
        std::string code = "objref " + array(chunk, "vs") + fmt::format("[{}], ", m) + array(chunk, "v") +
                           fmt::format("[{}]", m);
        for (std::size_t r = 0; r < receptors; ++r)
            code += fmt::format(", {}[{}], {}[{}]", array(chunk, fmt::format("pp{}", r)), m,
                                array(chunk, fmt::format("nc{}", r)), m);
        code += "\n";
        std::size_t next = 0;
        for (std::size_t p = 0; p < wanted.size() && p < pools.size(); ++p) {
            auto& pool = pools[p];
            if (pool.slots.size() >= wanted[p]) continue;
            const auto& pop = network->parameters.populations[p];
            const std::size_t n = wanted[p] - pool.slots.size();
            std::string body = fmt::format("{{for silico_i = {}, {} {{\n", next, next + n - 1);
            const std::string v = array(chunk, "v") + "[silico_i]";
            const std::string vs = array(chunk, "vs") + "[silico_i]";
            body += fmt::format("{} = new Vector()\n{} = new VecStim()\n{}.play({})\n", v, vs, vs, v);
            std::vector<double> weights;
            for (std::size_t r = 0; r < pop.synapses.receptors.size(); ++r) {
                const auto& rec = pop.synapses.receptors[r];
                const std::string pp = array(chunk, fmt::format("pp{}", r)) + "[silico_i]";
                const std::string nc = array(chunk, fmt::format("nc{}", r)) + "[silico_i]";
                body += fmt::format("{} {} = new {}(0.5)\n", soma, pp, rec.name);
                for (const auto& [name, value] : rec.parameters)
                    body += fmt::format("{}.{} = {}\n", pp, name, value);
                body += fmt::format("{} = new NetCon({}, {})\n{}.delay = {}\n{}.threshold = {}\n", nc, vs, pp,
                                    nc, rec.delay, nc, rec.threshold);
                for (std::size_t k = 0; k < rec.weight.size(); ++k) {
                    body += fmt::format("{}.weight[{}] = {}\n", nc, k, rec.weight[k]);
                    weights.push_back(rec.weight[k]);
                }
            }
            body += "}}\n";
            code += body;
            for (std::size_t i = 0; i < n; ++i) {
                Slot slot;
                slot.chunk = chunk;
                slot.index = static_cast<int>(next + i);
                slot.section = cell->model().soma_id();
                slot.x = 0.5;
                slot.weights = weights;
                pool.slots.push_back(std::move(slot));
            }
            next += n;
            created += n * (2 + 2 * pop.synapses.receptors.size());
        }
        if (auto s = simulator->hoc(code); !s)
            return failf(Errc::neuron, "creating synapses: {}", s.error().what());
        return {};
    }

    void release() {
        if (!simulator) return;
        // Re-declaring an objref array frees its objects; NetCons first so no event targets a freed receptor.
        std::string code;
        for (int c = 0; c < static_cast<int>(chunk_receptors.size()); ++c) {
            const std::size_t receptors = chunk_receptors[static_cast<std::size_t>(c)];
            for (std::size_t r = 0; r < receptors; ++r)
                code += "objref " + array(c, fmt::format("nc{}", r)) + "[1]\n";
            code += "objref " + array(c, "vs") + "[1]\n";
            for (std::size_t r = 0; r < receptors; ++r)
                code += "objref " + array(c, fmt::format("pp{}", r)) + "[1]\n";
            code += "objref " + array(c, "v") + "[1]\n";
        }
        if (!code.empty()) (void)simulator->hoc(code);
        simulator = nullptr;
    }
};

NetworkModel::NetworkModel(std::unique_ptr<State> state) : m_state(std::move(state)) {}
NetworkModel::NetworkModel(NetworkModel&&) noexcept = default;
NetworkModel& NetworkModel::operator=(NetworkModel&& other) noexcept {
    if (this != &other) {
        if (m_state) m_state->release();
        m_state = std::move(other.m_state);
        m_active = other.m_active;
        m_created_last = other.m_created_last;
    }
    return *this;
}
NetworkModel::~NetworkModel() {
    if (m_state) m_state->release();
}

Result<NetworkModel> NetworkModel::create(Simulator& simulator, const NeuronCell& cell,
                                          const PreparedNetwork& network) {
    auto state = std::make_unique<State>();
    state->simulator = &simulator;
    state->cell = &cell;
    state->network = &network;
    state->id = next_model_id();
    state->pools.resize(network.parameters.populations.size());
    for (const auto& pop : network.parameters.populations)
        for (const auto& rec : pop.synapses.receptors)
            if (rec.name.empty() ||
                rec.name.find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != std::string::npos)
                return failf(Errc::invalid_argument,
                             "population {}: receptor name '{}' is not a mechanism name", pop.name, rec.name);
    return NetworkModel(std::move(state));
}

std::vector<std::uint32_t> NetworkModel::slots_needed(const PreparedNetwork& network,
                                                      const TrialActivity& activity) {
    std::vector<std::uint32_t> n(network.parameters.populations.size(), 0);
    for (const auto& s : activity.synapses)
        if (s.population < n.size()) ++n[s.population];
    return n;
}

Status NetworkModel::reserve(const std::vector<std::uint32_t>& slots) {
    std::size_t created = 0;
    return m_state->grow(slots, created);
}

std::size_t NetworkModel::slot_count() const {
    std::size_t n = 0;
    for (const auto& p : m_state->pools) n += p.slots.size();
    return n;
}

Status NetworkModel::load(const TrialActivity& activity, const SynapseSites& sites) {
    auto& st = *m_state;
    const auto& pops = st.network->parameters.populations;
    if (sites.sites.size() != pops.size())
        return failf(Errc::invalid_argument, "synapse sites cover {} populations, the network has {}",
                     sites.sites.size(), pops.size());
    std::size_t created = 0;
    const auto needed = slots_needed(*st.network, activity);
    if (auto s = st.grow(needed, created); !s) return s;

    std::vector<std::uint32_t> used(pops.size(), 0);
    std::string hoc;
    // Which slot plays which synapse, kept so the Vector writes follow the hoc moves.
    std::vector<std::pair<const Slot*, std::span<const double>>> plays;
    plays.reserve(activity.synapses.size());
    for (std::size_t i = 0; i < activity.synapses.size(); ++i) {
        const auto& a = activity.synapses[i];
        if (a.population >= pops.size())
            return failf(Errc::invalid_argument, "active synapse {}: population {} out of range", i,
                         a.population);
        const auto p = a.population;
        const auto& list = sites.sites[p];
        if (a.synapse_id >= list.size())
            return failf(Errc::invalid_argument,
                         "active synapse {} of {}: synapse ID {} has no site ({} placed)", i, pops[p].name,
                         a.synapse_id, list.size());
        if (a.release_end > activity.release_times.size() || a.release_begin > a.release_end)
            return failf(Errc::invalid_argument, "active synapse {} of {}: bad release slice", i,
                         pops[p].name);
        const auto& site = list[a.synapse_id];
        auto& slot = st.pools[p].slots[used[p]++];
        const auto& receptors = pops[p].synapses.receptors;
        if (slot.section != site.section_id || slot.x != site.x) {
            const std::string sec = st.cell->hoc_name(site.section_id);
            for (std::size_t r = 0; r < receptors.size(); ++r)
                hoc += fmt::format("{} {}[{}].loc({})\n", sec, st.array(slot.chunk, fmt::format("pp{}", r)),
                                   slot.index, site.x);
            slot.section = site.section_id;
            slot.x = site.x;
        }
        std::size_t w = a.weight_begin;
        for (std::size_t r = 0; r < receptors.size(); ++r) {
            for (std::size_t k = 0; k < receptors[r].weight.size(); ++k, ++w) {
                if (w >= activity.weights.size())
                    return failf(Errc::invalid_argument, "active synapse {} of {}: weights missing", i,
                                 pops[p].name);
                const std::size_t flat = w - a.weight_begin;
                if (slot.weights[flat] != activity.weights[w]) {
                    hoc +=
                        fmt::format("{}[{}].weight[{}] = {}\n", st.array(slot.chunk, fmt::format("nc{}", r)),
                                    slot.index, k, activity.weights[w]);
                    slot.weights[flat] = activity.weights[w];
                }
            }
        }
        plays.emplace_back(&slot, std::span<const double>(activity.release_times.data() + a.release_begin,
                                                          a.release_end - a.release_begin));
    }
    // hoc compiles a braced block as one procedure with a size limit: run the statements in blocks.
    for (std::size_t begin = 0; begin < hoc.size();) {
        std::size_t end = begin;
        for (int lines = 0; lines < 256 && end < hoc.size(); ++lines) end = hoc.find('\n', end) + 1;
        if (auto s = st.simulator->hoc("{\n" + hoc.substr(begin, end - begin) + "}\n"); !s)
            return failf(Errc::neuron, "placing synapses: {}", s.error().what());
        begin = end;
    }

    // Release times: one bulk copy per playing slot; slots not used this trial stop playing.
    for (std::size_t i = 0; i < plays.size(); ++i) {
        Slot& slot = const_cast<Slot&>(*plays[i].first);
        if (auto s = st.simulator->write_vector(fmt::format("{}[{}]", st.array(slot.chunk, "v"), slot.index),
                                                plays[i].second);
            !s)
            return s;
        slot.has_events = !plays[i].second.empty();
    }
    std::size_t active = 0;
    for (std::size_t p = 0; p < st.pools.size(); ++p) {
        auto& slots = st.pools[p].slots;
        for (std::size_t j = used[p]; j < slots.size(); ++j) {
            if (!slots[j].has_events) continue;
            if (auto s = st.simulator->write_vector(
                    fmt::format("{}[{}]", st.array(slots[j].chunk, "v"), slots[j].index), {});
                !s)
                return s;
            slots[j].has_events = false;
        }
        active += used[p];
    }
    m_active = active;
    m_created_last = created;
    return {};
}

}  // namespace silico::experiments
