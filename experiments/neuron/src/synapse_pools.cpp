// SynapsePools: pools of receptor/VecStim/NetCon slots per population, loaded per trial (see the header).
#include "silico/neuron/synapse_pools.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <tuple>

#include "silico/core/error_format.hpp"
#include "silico/model/synapse_sites.hpp"
#include "silico/neuron/simulator.hpp"

namespace silico::experiments {

// ---- SynapsePools ----------------------------------------------------------------------------------------

namespace {

struct Slot {
    int chunk = 0;
    int index = 0;     // within the chunk's hoc arrays
    int section = -1;  // where the slot's own receptors sit (receptors that are not shared)
    double x = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> weights;  // flattened over receptors, as in TrialActivity::weights
    std::vector<int> targets;     // per receptor: shared receptor its NetCon feeds, -1 = the slot's own
    bool has_events = false;
};

struct Pool {
    std::vector<Slot> slots;
};

// A shared receptor point process (see SharedGroup).
struct SharedReceptor {
    int chunk = 0;
    int index = 0;
    int section = -1;
    int segment = -1;  // -1: not placed on a synapse's segment yet
};

// Receptors with linear kinetics (no depression, no facilitation) and identical parameters are exactly
// additive: the states of one point process fed the events of several synapses are the sums of theirs, and
// so is its current. Synapses whose receptor falls into such a group share one point process per segment
// (each synapse keeps its own VecStim and NetCon with its delay and weights), which cuts the point processes
// NEURON integrates every step by ~3x on ISF's example network. Only the order of floating-point sums
// changes (the same as moving receptors already does, see the header); glutamate_syn's informational
// gampamax/gnmdamax then hold the weights of the segment's last event rather than the synapse's. A group
// grows (one new hoc array name each time) only when a trial uses more segments than any trial before.
struct SharedGroup {
    std::string mechanism;
    std::vector<std::pair<std::string, double>> parameters;
    std::vector<SharedReceptor> receptors;
};

// Parameter values that make a receptor's kinetics linear. A mechanism not listed here is never shared.
struct LinearCondition {
    std::string_view mechanism;
    std::string_view parameter;
    double required;
};
constexpr LinearCondition k_linear_conditions[] = {
    {"glutamate_syn", "decayampa", 1.0}, {"glutamate_syn", "decaynmda", 1.0},
    {"glutamate_syn", "facilampa", 0.0}, {"glutamate_syn", "facilnmda", 0.0},
    {"gaba_syn", "decaygaba", 1.0},      {"gaba_syn", "facilgaba", 0.0},
};

// A parameter's default as the compiled mechanism has it (a fresh point process's value), so a network file
// that leaves a parameter unset is judged by the mechanism actually running, not by a copy of its PARAMETER
// block here.
Result<double> mechanism_default(Simulator& simulator, const NeuronCell& cell, std::string_view mechanism,
                                 std::string_view parameter) {
    const std::string soma = cell.hoc_name(cell.model().soma_id());
    if (auto s = simulator.hoc(
            fmt::format("objref silico_probe_pp_\n{{{} silico_probe_pp_ = new {}(0.5)}}", soma, mechanism));
        !s)
        return std::unexpected(s.error());
    auto value = simulator.eval(fmt::format("silico_probe_pp_.{}", parameter));
    (void)simulator.hoc("objref silico_probe_pp_");  // frees the probe
    return value;
}

Result<bool> has_linear_kinetics(Simulator& simulator, const NeuronCell& cell, const Receptor& receptor) {
    bool known = false;
    for (const auto& c : k_linear_conditions) {
        if (c.mechanism != receptor.name) continue;
        known = true;
        std::optional<double> value;
        for (const auto& [name, v] : receptor.parameters)
            if (name == c.parameter) value = v;
        if (!value) {
            auto d = mechanism_default(simulator, cell, c.mechanism, c.parameter);
            if (!d) return std::unexpected(d.error().within("default of " + std::string(c.parameter)));
            value = *d;
        }
        if (*value != c.required) return false;
    }
    return known;
}

int next_model_id() {
    static int id = 0;
    return id++;
}

}  // namespace

struct SynapsePools::State {
    Simulator* simulator = nullptr;
    const NeuronCell* cell = nullptr;
    const PreparedNetwork* network = nullptr;
    int id = 0;
    std::vector<Pool> pools;
    // group[p][r]: shared group of receptor r of population p, -1 when the slots own that receptor.
    std::vector<std::vector<int>> group;
    std::vector<SharedGroup> groups;
    // Declared hoc arrays of shared receptors: (group, size) per shared chunk.
    std::vector<std::pair<int, std::size_t>> shared_chunks;

    // Receptor count of each chunk's arrays. A chunk holds the slots of every population that grew in one
    // grow() call, so a model declares few hoc names however many populations it has: hoc looks names up in
    // a list, and thousands of names would slow every statement of every later trial.
    std::vector<std::size_t> chunk_receptors;

    // hoc array name of one kind of object of a chunk ("pp0", "nc0", "vs", "v").
    std::string array(int chunk, std::string_view kind) const {
        return fmt::format("silico_n{}_c{}_{}", id, chunk, kind);
    }
    // hoc name of a shared receptor.
    std::string shared(const SharedReceptor& r) const {
        return fmt::format("silico_n{}_s{}[{}]", id, r.chunk, r.index);
    }

    // Makes sure shared group g has at least n point processes (new ones at the soma, moved by load()).
    Status grow_shared(int g, std::size_t n, std::size_t& created) {
        auto& group_ref = groups[static_cast<std::size_t>(g)];
        if (group_ref.receptors.size() >= n) return {};
        const std::size_t m = n - group_ref.receptors.size();
        const int chunk = static_cast<int>(shared_chunks.size());
        shared_chunks.emplace_back(g, m);
        const std::string soma = cell->hoc_name(cell->model().soma_id());
        const std::string name = fmt::format("silico_n{}_s{}", id, chunk);
        std::string code = fmt::format("objref {}[{}]\n{{for silico_i = 0, {} {{\n", name, m, m - 1);
        code += fmt::format("{} {}[silico_i] = new {}(0.5)\n", soma, name, group_ref.mechanism);
        for (const auto& [param, value] : group_ref.parameters)
            code += fmt::format("{}[silico_i].{} = {}\n", name, param, value);
        code += "}}\n";
        if (auto s = simulator->hoc(code); !s)
            return failf(Errc::neuron, "creating shared receptors: {}", s.error().what());
        for (std::size_t i = 0; i < m; ++i)
            group_ref.receptors.push_back({chunk, static_cast<int>(i), cell->model().soma_id(), -1});
        created += m;
        return {};
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
        // A NetCon is created onto a receptor of its group (its weight vector takes that mechanism's size);
        // load() points it at the receptor of its synapse's segment.
        for (std::size_t p = 0; p < wanted.size() && p < pools.size(); ++p)
            if (pools[p].slots.size() < wanted[p])
                for (const int g : group[p])
                    if (g >= 0)
                        if (auto s = grow_shared(g, 1, created); !s) return s;
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
            std::vector<int> targets;
            for (std::size_t r = 0; r < pop.synapses.receptors.size(); ++r) {
                const auto& rec = pop.synapses.receptors[r];
                std::string pp = array(chunk, fmt::format("pp{}", r)) + "[silico_i]";
                const std::string nc = array(chunk, fmt::format("nc{}", r)) + "[silico_i]";
                const int g = group[p][r];
                if (g < 0) {
                    body += fmt::format("{} {} = new {}(0.5)\n", soma, pp, rec.name);
                    for (const auto& [name, value] : rec.parameters)
                        body += fmt::format("{}.{} = {}\n", pp, name, value);
                } else {
                    pp = shared(groups[static_cast<std::size_t>(g)].receptors.front());
                }
                targets.push_back(g < 0 ? -1 : 0);
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
                slot.targets = targets;
                pool.slots.push_back(std::move(slot));
            }
            next += n;
            std::size_t own = 0;
            for (const int g : group[p]) own += g < 0 ? 1 : 0;
            created += n * (2 + pop.synapses.receptors.size() + own);
        }
        if (auto s = simulator->hoc(code); !s)
            return failf(Errc::neuron, "creating synapses: {}", s.error().what());
        return {};
    }

    // The segment whose node NEURON puts a point process at x on.
    int segment_of(const SynapseSite& site) const {
        const int nseg = cell->model().section(site.section_id).nseg;
        return std::min(static_cast<int>(site.x * nseg), nseg - 1);
    }

    // Validates every active synapse and gives each shared receptor of it the group's point process on the
    // synapse's segment (numbered in order of first use, so the same trial again moves nothing). Returns, per
    // active synapse and receptor (flattened), the shared receptor's index in its group, -1 = the slot's own.
    Result<std::vector<int>> assign_shared_receptors(const TrialActivity& activity, const SynapseSites& sites,
                                                     std::size_t& created) {
        std::vector<int> shared_of;
        shared_of.reserve(activity.synapses.size());
        std::vector<std::size_t> shared_used(groups.size(), 0);
        std::map<std::tuple<int, int, int>, int> shared_at;  // (group, section, segment) -> receptor
        for (std::size_t i = 0; i < activity.synapses.size(); ++i) {
            const auto& a = activity.synapses[i];
            if (auto s = check_active_synapse(activity, sites, i); !s) return std::unexpected(s.error());
            const auto& site = sites.sites[a.population][a.synapse_id];
            const int segment = segment_of(site);
            for (const int g : group[a.population]) {
                if (g < 0) {
                    shared_of.push_back(-1);
                    continue;
                }
                auto [it, inserted] = shared_at.try_emplace({g, site.section_id, segment}, 0);
                if (inserted) it->second = static_cast<int>(shared_used[static_cast<std::size_t>(g)]++);
                shared_of.push_back(it->second);
            }
        }
        for (std::size_t g = 0; g < groups.size(); ++g)
            if (auto s = grow_shared(static_cast<int>(g), shared_used[g], created); !s)
                return std::unexpected(s.error());
        return shared_of;
    }

    // Active synapse i names a population, a placed synapse, a release slice and weights that exist.
    Status check_active_synapse(const TrialActivity& activity, const SynapseSites& sites,
                                std::size_t i) const {
        const auto& pops = network->parameters.populations;
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
        std::size_t weights = 0;
        for (const auto& rec : pops[p].synapses.receptors) weights += rec.weight.size();
        if (a.weight_begin + weights > activity.weights.size())
            return failf(Errc::invalid_argument, "active synapse {} of {}: weights missing", i, pops[p].name);
        return {};
    }

    // Appends the hoc that puts `slot` (population p) at `site`: its own receptors moved there, its NetCons
    // onto the shared receptors `shared_of` (one entry per receptor, from assign_shared_receptors) moved to
    // the site's segment. Only what changed since the slot's last trial is written.
    void place(Slot& slot, std::uint32_t p, const SynapseSite& site, std::span<const int> shared_of,
               std::string& hoc) {
        const auto& receptors = network->parameters.populations[p].synapses.receptors;
        const std::string sec = cell->hoc_name(site.section_id);
        const int segment = segment_of(site);
        const bool move_own = slot.section != site.section_id || slot.x != site.x;
        for (std::size_t r = 0; r < receptors.size(); ++r) {
            const int g = group[p][r];
            const int target = shared_of[r];
            if (g < 0) {
                if (move_own)
                    hoc += fmt::format("{} {}[{}].loc({})\n", sec, array(slot.chunk, fmt::format("pp{}", r)),
                                       slot.index, site.x);
                continue;
            }
            auto& receptor = groups[static_cast<std::size_t>(g)].receptors[static_cast<std::size_t>(target)];
            if (receptor.section != site.section_id || receptor.segment != segment) {
                hoc += fmt::format("{} {}.loc({})\n", sec, shared(receptor), site.x);
                receptor.section = site.section_id;
                receptor.segment = segment;
            }
            if (slot.targets[r] != target) {
                hoc += fmt::format("{}[{}].setpost({})\n", array(slot.chunk, fmt::format("nc{}", r)),
                                   slot.index, shared(receptor));
                slot.targets[r] = target;
            }
        }
        if (move_own) {
            slot.section = site.section_id;
            slot.x = site.x;
        }
    }

    // Appends the hoc that gives `slot`'s NetCons the weights of active synapse `a` where they differ.
    void set_weights(Slot& slot, const ActiveSynapse& a, const std::vector<double>& weights,
                     std::string& hoc) {
        const auto& receptors = network->parameters.populations[a.population].synapses.receptors;
        std::size_t w = a.weight_begin;
        for (std::size_t r = 0; r < receptors.size(); ++r) {
            for (std::size_t k = 0; k < receptors[r].weight.size(); ++k, ++w) {
                const std::size_t flat = w - a.weight_begin;
                if (slot.weights[flat] != weights[w]) {
                    hoc += fmt::format("{}[{}].weight[{}] = {}\n", array(slot.chunk, fmt::format("nc{}", r)),
                                       slot.index, k, weights[w]);
                    slot.weights[flat] = weights[w];
                }
            }
        }
    }

    // hoc compiles a braced block as one procedure with a size limit: runs the statements in blocks.
    Status run_in_blocks(const std::string& hoc) {
        for (std::size_t begin = 0; begin < hoc.size();) {
            std::size_t end = begin;
            for (int lines = 0; lines < 256 && end < hoc.size(); ++lines) end = hoc.find('\n', end) + 1;
            if (auto s = simulator->hoc("{\n" + hoc.substr(begin, end - begin) + "}\n"); !s)
                return failf(Errc::neuron, "placing synapses: {}", s.error().what());
            begin = end;
        }
        return {};
    }

    // Release times: one bulk copy per playing slot; slots not used this trial (beyond used[p]) stop playing.
    // Returns the number of playing slots.
    Result<std::size_t> play(const std::vector<std::pair<Slot*, std::span<const double>>>& plays,
                             const std::vector<std::uint32_t>& used) {
        for (const auto& [slot, times] : plays) {
            if (auto s = simulator->write_vector(fmt::format("{}[{}]", array(slot->chunk, "v"), slot->index),
                                                 times);
                !s)
                return std::unexpected(s.error());
            slot->has_events = !times.empty();
        }
        std::size_t active = 0;
        for (std::size_t p = 0; p < pools.size(); ++p) {
            auto& slots = pools[p].slots;
            for (std::size_t j = used[p]; j < slots.size(); ++j) {
                if (!slots[j].has_events) continue;
                if (auto s = simulator->write_vector(
                        fmt::format("{}[{}]", array(slots[j].chunk, "v"), slots[j].index), {});
                    !s)
                    return std::unexpected(s.error());
                slots[j].has_events = false;
            }
            active += used[p];
        }
        return active;
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
        for (std::size_t c = 0; c < shared_chunks.size(); ++c)
            code += fmt::format("objref silico_n{}_s{}[1]\n", id, c);
        if (!code.empty()) (void)simulator->hoc(code);
        simulator = nullptr;
    }
};

SynapsePools::SynapsePools(std::unique_ptr<State> state) : m_state(std::move(state)) {}
SynapsePools::SynapsePools(SynapsePools&&) noexcept = default;
SynapsePools& SynapsePools::operator=(SynapsePools&& other) noexcept {
    if (this != &other) {
        if (m_state) m_state->release();
        m_state = std::move(other.m_state);
        m_active = other.m_active;
        m_created_last = other.m_created_last;
    }
    return *this;
}
SynapsePools::~SynapsePools() {
    if (m_state) m_state->release();
}

Result<SynapsePools> SynapsePools::create(Simulator& simulator, const NeuronCell& cell,
                                          const PreparedNetwork& network, bool share_linear_receptors) {
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
    for (const auto& pop : network.parameters.populations) {
        auto& groups_of_pop = state->group.emplace_back();
        for (const auto& rec : pop.synapses.receptors) {
            int g = -1;
            bool linear = false;
            if (share_linear_receptors && !pop.synapses.release_dynamic) {
                auto is_linear = has_linear_kinetics(simulator, cell, rec);
                if (!is_linear) return std::unexpected(is_linear.error().within("population " + pop.name));
                linear = *is_linear;
            }
            if (linear) {
                auto parameters = rec.parameters;
                std::sort(parameters.begin(), parameters.end());
                for (std::size_t k = 0; k < state->groups.size() && g < 0; ++k)
                    if (state->groups[k].mechanism == rec.name && state->groups[k].parameters == parameters)
                        g = static_cast<int>(k);
                if (g < 0) {
                    g = static_cast<int>(state->groups.size());
                    state->groups.push_back({rec.name, std::move(parameters), {}});
                }
            }
            groups_of_pop.push_back(g);
        }
    }
    return SynapsePools(std::move(state));
}

std::vector<std::uint32_t> SynapsePools::slots_needed(const PreparedNetwork& network,
                                                      const TrialActivity& activity) {
    std::vector<std::uint32_t> n(network.parameters.populations.size(), 0);
    for (const auto& s : activity.synapses)
        if (s.population < n.size()) ++n[s.population];
    return n;
}

Status SynapsePools::reserve(const std::vector<std::uint32_t>& slots) {
    std::size_t created = 0;
    return m_state->grow(slots, created);
}

std::size_t SynapsePools::slot_count() const {
    std::size_t n = 0;
    for (const auto& p : m_state->pools) n += p.slots.size();
    return n;
}

std::size_t SynapsePools::receptor_count() const {
    const auto& st = *m_state;
    std::size_t n = 0;
    for (std::size_t p = 0; p < st.pools.size(); ++p)
        for (const int g : st.group[p]) n += g < 0 ? st.pools[p].slots.size() : 0;
    for (const auto& g : st.groups) n += g.receptors.size();
    return n;
}

Status SynapsePools::load(const TrialActivity& activity, const SynapseSites& sites) {
    auto& st = *m_state;
    const auto& pops = st.network->parameters.populations;
    if (sites.sites.size() != pops.size())
        return failf(Errc::invalid_argument, "synapse sites cover {} populations, the network has {}",
                     sites.sites.size(), pops.size());
    std::size_t created = 0;
    if (auto s = st.grow(slots_needed(*st.network, activity), created); !s) return s;
    auto shared_of = st.assign_shared_receptors(activity, sites, created);
    if (!shared_of) return std::unexpected(shared_of.error());

    std::vector<std::uint32_t> used(pops.size(), 0);
    std::string hoc;
    // Which slot plays which synapse, kept so the Vector writes follow the hoc moves.
    std::vector<std::pair<Slot*, std::span<const double>>> plays;
    plays.reserve(activity.synapses.size());
    std::size_t next_shared = 0;
    for (const auto& a : activity.synapses) {
        auto& slot = st.pools[a.population].slots[used[a.population]++];
        const auto& site = sites.sites[a.population][a.synapse_id];
        st.place(slot, a.population, site, std::span<const int>(*shared_of).subspan(next_shared), hoc);
        next_shared += st.group[a.population].size();
        st.set_weights(slot, a, activity.weights, hoc);
        plays.emplace_back(&slot, std::span<const double>(activity.release_times.data() + a.release_begin,
                                                          a.release_end - a.release_begin));
    }
    if (auto s = st.run_in_blocks(hoc); !s) return s;
    auto active = st.play(plays, used);
    if (!active) return std::unexpected(active.error());
    m_active = *active;
    m_created_last = created;
    return {};
}

}  // namespace silico::experiments
