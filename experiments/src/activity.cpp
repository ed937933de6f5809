#include "silico/experiments/activity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <variant>

namespace silico::experiments {

namespace {

using CellSpikes = std::vector<std::vector<double>>;

// ISF reads `noise` and `start` in one try-block: start only counts when noise is present.
struct TrainSettings {
    double interval, noise, start;
};
TrainSettings settings_of(const SpikeTrainSource& s) {
    TrainSettings t{s.interval, 1.0, 0.0};
    if (s.noise) {
        t.noise = *s.noise;
        if (s.start) t.start = *s.start;
    }
    return t;
}

// PointCell.compute_spike_train_times with a private generator.
template <class Rng>
Status spike_train(Rng& r, const SpikeTrainSource& src, double stop, std::vector<double>& out) {
    TrainSettings s = settings_of(src);
    auto next = [&] {
        if (s.noise == 0) return s.interval;
        return (1 - s.noise) * s.interval + s.noise * s.interval * r.exponential();
    };
    if (src.nspikes) {
        double last = 0.0;
        for (std::int64_t i = 0; i < *src.nspikes; ++i) {
            double t;
            if (i == 0) {
                t = s.start + next() - s.interval * (1 - s.noise);
                if (t < 0) t = 0;
            } else {
                t = last + next();
            }
            out.push_back(t);
            last = t;
        }
        return {};
    }
    if (stop < s.start)
        return fail(Errc::validation, "spike train has neither nspikes nor a tStop after its start");
    if (stop == s.start) return {};
    double last = 0.0;
    while (true) {
        double t;
        // ISF tests lastSpike == 0, so a first spike clipped to 0 restarts the first-spike rule.
        if (last == 0) {
            t = s.start + next() - s.interval * (1 - s.noise);
            if (t < 0) t = 0;
        } else {
            t = last + next();
        }
        if (t > stop) break;
        out.push_back(t);
        last = t;
    }
    return {};
}

std::string unsupported(const std::string& pop, const UnsupportedDistribution& d) {
    return "population " + pop + ": pointcell distribution '" + d.name +
           "' is read but not generated (its ISF implementation draws outside numpy's documented stream)";
}

// --- isf mode: numpy-vectorised draws on the global generator ---

void active_cells(IsfRandomState& rng, std::size_t n, double p, std::vector<double>& u,
                  std::vector<std::uint32_t>& active) {
    u.resize(n);
    rng.fill_random_sample(u);
    active.clear();
    for (std::size_t i = 0; i < n; ++i)
        if (u[i] < p) active.push_back(static_cast<std::uint32_t>(i));
}

Status pointcell_isf(IsfRandomState& rng, const std::string& pop, const PointCellSource& src,
                     CellSpikes& cells) {
    std::size_t n = cells.size();
    std::vector<double> u;
    std::vector<std::uint32_t> active;
    if (const auto* d = std::get_if<PsthDistribution>(&src)) {
        for (std::size_t b = 0; b < d->intervals.size(); ++b) {
            auto [t0, t1] = d->intervals[b];
            active_cells(rng, n, d->probabilities[b], u, active);
            double base = d->offset + t0;
            for (auto c : active) cells[c].push_back(base + (t1 - t0) * rng.random_sample());
        }
        return {};
    }
    if (const auto* d = std::get_if<PsthAbsoluteNumber>(&src)) {
        for (std::size_t b = 0; b < d->intervals.size(); ++b) {
            auto [t0, t1] = d->intervals[b];
            auto k = static_cast<std::size_t>(d->number_active_synapses[b]);
            active.clear();
            if (k <= n) {  // choice(range(n), k, replace=False) = permutation(n)[:k]
                std::vector<std::uint32_t> perm(n);
                std::iota(perm.begin(), perm.end(), 0u);
                for (std::size_t i = n; i-- > 1;) std::swap(perm[i], perm[rng.random_interval(i)]);
                active.assign(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(k));
            } else {  // ISF falls back to drawing with replacement
                for (std::size_t i = 0; i < k; ++i)
                    active.push_back(
                        static_cast<std::uint32_t>(rng.randint(0, static_cast<std::int64_t>(n))));
            }
            double base = d->offset + t0;
            for (auto c : active) cells[c].push_back(base + (t1 - t0) * rng.random_sample());
        }
        return {};
    }
    if (const auto* d = std::get_if<NormalDistribution>(&src)) {
        active_cells(rng, n, d->active_frac, u, active);
        double base = d->offset + d->spike_t;
        for (auto c : active)
            cells[c].push_back(std::max(base + d->spike_width * rng.standard_normal(), 0.1));
        return {};
    }
    if (const auto* d = std::get_if<UniformDistribution>(&src)) {
        active_cells(rng, n, d->active_frac, u, active);
        for (auto c : active) cells[c].push_back(std::max(d->offset + d->window * rng.random_sample(), 0.1));
        return {};
    }
    if (const auto* d = std::get_if<LognormalDistribution>(&src)) {
        active_cells(rng, n, d->active_frac, u, active);
        for (auto c : active) cells[c].push_back(std::max(d->offset + rng.lognormal(d->mu, d->sigma), 0.1));
        return {};
    }
    return fail(Errc::validation, unsupported(pop, std::get<UnsupportedDistribution>(src)));
}

// --- independent mode: one stream per cell, the same distributions cell by cell ---

Status pointcell_independent(const StreamKey& key, const std::string& pop, const PointCellSource& src,
                             CellSpikes& cells) {
    std::size_t n = cells.size();
    if (const auto* d = std::get_if<PsthDistribution>(&src)) {
        for (std::size_t c = 0; c < n; ++c) {
            SplitMixStream r(key.seed_for(c));
            for (std::size_t b = 0; b < d->intervals.size(); ++b) {
                auto [t0, t1] = d->intervals[b];
                if (r.random_sample() < d->probabilities[b])
                    cells[c].push_back(d->offset + t0 + (t1 - t0) * r.random_sample());
            }
        }
        return {};
    }
    if (const auto* d = std::get_if<PsthAbsoluteNumber>(&src)) {
        for (std::size_t b = 0; b < d->intervals.size(); ++b) {
            SplitMixStream r(key.seed_for((std::uint64_t{1} << 40) + b));
            auto [t0, t1] = d->intervals[b];
            auto k = static_cast<std::size_t>(d->number_active_synapses[b]);
            std::vector<std::uint32_t> active;
            if (k <= n) {
                std::vector<std::uint32_t> perm(n);
                std::iota(perm.begin(), perm.end(), 0u);
                for (std::size_t i = n; i-- > 1;) std::swap(perm[i], perm[r.random_interval(i)]);
                active.assign(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(k));
            } else {
                for (std::size_t i = 0; i < k; ++i)
                    active.push_back(static_cast<std::uint32_t>(r.randint(0, static_cast<std::int64_t>(n))));
            }
            for (auto c : active) cells[c].push_back(d->offset + t0 + (t1 - t0) * r.random_sample());
        }
        return {};
    }
    for (std::size_t c = 0; c < n; ++c) {
        SplitMixStream r(key.seed_for(c));
        if (const auto* d = std::get_if<NormalDistribution>(&src)) {
            if (r.random_sample() < d->active_frac)
                cells[c].push_back(
                    std::max(d->offset + d->spike_t + d->spike_width * r.standard_normal(), 0.1));
        } else if (const auto* u = std::get_if<UniformDistribution>(&src)) {
            if (r.random_sample() < u->active_frac)
                cells[c].push_back(std::max(u->offset + u->window * r.random_sample(), 0.1));
        } else if (const auto* l = std::get_if<LognormalDistribution>(&src)) {
            if (r.random_sample() < l->active_frac)
                cells[c].push_back(std::max(l->offset + r.lognormal(l->mu, l->sigma), 0.1));
        } else {
            return fail(Errc::validation, unsupported(pop, std::get<UnsupportedDistribution>(src)));
        }
    }
    return {};
}

// ISF's lognormal weight: mean w, SD w^2, i.e. sigma = sqrt(ln(1 + w^2)), mu = ln w - sigma^2/2.
template <class Rng>
double lognormal_weight(Rng& r, double mean) {
    double sd = mean * mean;
    double sigma = std::sqrt(std::log(1 + (sd * sd) / (mean * mean)));
    double mu = std::log(mean) - 0.5 * (sigma * sigma);
    return r.lognormal(mu, sigma);
}

template <class Rng>
void draw_weights(Rng& r, const Population& pop, std::vector<double>& out) {
    out.clear();
    for (const auto& rec : pop.synapses.receptors)
        for (double w : rec.weight) out.push_back(rec.weight_distribution ? lognormal_weight(r, w) : w);
}

// Release draws for one .con line (ISF activate_functional_synapse); appends to `activity` when active.
template <class Rng>
void release(Rng& r, const Population& pop, std::uint32_t p, const Connection& con, const double* spikes,
             std::size_t n_spikes, const std::vector<double>& weights, TrialActivity& activity) {
    auto begin = static_cast<std::uint32_t>(activity.release_times.size());
    const auto& syn = pop.synapses;
    for (std::size_t k = 0; k < n_spikes; ++k) {
        if (syn.release_prob && !syn.release_dynamic) {
            if (r.random_sample() < *syn.release_prob) activity.release_times.push_back(spikes[k]);
        } else {
            activity.release_times.push_back(spikes[k]);
        }
    }
    auto end = static_cast<std::uint32_t>(activity.release_times.size());
    if (end == begin) return;
    ActiveSynapse a;
    a.population = p;
    a.synapse_id = con.synapse_id;
    a.cell_id = con.cell_id;
    a.release_begin = begin;
    a.release_end = end;
    a.weight_begin = static_cast<std::uint32_t>(activity.weights.size());
    if (syn.release_dynamic) a.dynamic_seed = static_cast<std::int64_t>(1000000 * r.random_sample());
    activity.weights.insert(activity.weights.end(), weights.begin(), weights.end());
    activity.synapses.push_back(a);
}

void flatten(std::vector<CellSpikes>& per_pop, TrialActivity& out) {
    out.cell_begin.assign(1, 0);
    out.spike_begin.assign(1, 0);
    for (auto& cells : per_pop) {
        for (auto& s : cells) {
            std::sort(s.begin(), s.end());
            out.spike_times.insert(out.spike_times.end(), s.begin(), s.end());
            out.spike_begin.push_back(static_cast<std::uint32_t>(out.spike_times.size()));
        }
        out.cell_begin.push_back(static_cast<std::uint32_t>(out.spike_begin.size() - 1));
    }
}

}  // namespace

Result<PreparedNetwork> prepare_network(NetworkParameters parameters,
                                        const std::map<std::string, ConnectionMap>& con_files) {
    PreparedNetwork out;
    for (const auto& pop : parameters.populations) {
        auto f = con_files.find(pop.synapses.connection_file);
        if (f == con_files.end())
            return fail(Errc::not_found, "connection file not loaded", pop.synapses.connection_file);
        auto t = f->second.find(pop.name);
        std::uint32_t per_syn = 0;
        for (const auto& r : pop.synapses.receptors) per_syn += static_cast<std::uint32_t>(r.weight.size());
        out.weights_per_synapse.push_back(per_syn);
        if (t < 0) {
            out.connections.emplace_back();
            out.in_con.push_back(false);
            continue;
        }
        const auto& cons = f->second.types[static_cast<std::size_t>(t)].connections;
        for (const auto& c : cons)
            if (static_cast<std::int64_t>(c.cell_id) >= pop.cell_count)
                return fail(Errc::validation,
                            "population " + pop.name + " has cellNr " + std::to_string(pop.cell_count) +
                                " but its .con names presynaptic cell " + std::to_string(c.cell_id),
                            pop.synapses.connection_file);
        out.connections.push_back(cons);
        out.in_con.push_back(true);
    }
    out.parameters = std::move(parameters);
    return out;
}

Result<PreparedNetwork> prepare_network(NetworkParameters parameters) {
    std::map<std::string, ConnectionMap> files;
    for (const auto& pop : parameters.populations) {
        const auto& name = pop.synapses.connection_file;
        if (files.count(name)) continue;
        auto con = read_con_file(name);
        if (!con) return std::unexpected(con.error());
        files.emplace(name, std::move(*con));
    }
    return prepare_network(std::move(parameters), files);
}

Result<TrialActivity> generate_activity_isf(const PreparedNetwork& network, IsfRandomState& rng,
                                            const ActivityOptions& options) {
    const auto& pops = network.parameters.populations;
    std::vector<CellSpikes> spikes(pops.size());
    for (std::size_t p = 0; p < pops.size(); ++p) {
        spikes[p].resize(static_cast<std::size_t>(pops[p].cell_count));
        for (const auto& src : pops[p].sources) {
            if (const auto* st = std::get_if<SpikeTrainSource>(&src)) {
                for (auto& cell : spikes[p]) {
                    ShortIsfRandomState own(static_cast<std::uint32_t>(rng.randint(123456, 1234567)));
                    Status s = spike_train(own, *st, options.t_stop, cell);
                    if (!s) return std::unexpected(s.error().within("population " + pops[p].name));
                }
            } else {
                Status s = pointcell_isf(rng, pops[p].name, std::get<PointCellSource>(src), spikes[p]);
                if (!s) return std::unexpected(s.error());
            }
        }
    }
    TrialActivity out;
    flatten(spikes, out);
    std::vector<double> weights;
    for (std::size_t p = 0; p < pops.size(); ++p) {
        if (!network.in_con[p]) continue;
        std::uint32_t first_cell = out.cell_begin[p];
        for (const auto& con : network.connections[p]) {
            draw_weights(rng, pops[p], weights);
            std::uint32_t c = first_cell + con.cell_id;
            std::uint32_t b = out.spike_begin[c], e = out.spike_begin[c + 1];
            if (b == e) continue;
            release(rng, pops[p], static_cast<std::uint32_t>(p), con, out.spike_times.data() + b, e - b,
                    weights, out);
        }
    }
    return out;
}

Result<TrialActivity> generate_activity_independent(const PreparedNetwork& network, std::uint64_t trial_seed,
                                                    const ActivityOptions& options) {
    const auto& pops = network.parameters.populations;
    std::vector<CellSpikes> spikes(pops.size());
    for (std::size_t p = 0; p < pops.size(); ++p) {
        spikes[p].resize(static_cast<std::size_t>(pops[p].cell_count));
        for (std::size_t k = 0; k < pops[p].sources.size(); ++k) {
            const auto& src = pops[p].sources[k];
            if (const auto* st = std::get_if<SpikeTrainSource>(&src)) {
                StreamKey key(trial_seed, "spiketrain#" + std::to_string(k), pops[p].name);
                for (std::size_t c = 0; c < spikes[p].size(); ++c) {
                    SplitMixStream own(key.seed_for(c));
                    Status s = spike_train(own, *st, options.t_stop, spikes[p][c]);
                    if (!s) return std::unexpected(s.error().within("population " + pops[p].name));
                }
            } else {
                StreamKey key(trial_seed, "pointcell#" + std::to_string(k), pops[p].name);
                Status s =
                    pointcell_independent(key, pops[p].name, std::get<PointCellSource>(src), spikes[p]);
                if (!s) return std::unexpected(s.error());
            }
        }
    }
    TrialActivity out;
    flatten(spikes, out);
    std::vector<double> weights;
    for (std::size_t p = 0; p < pops.size(); ++p) {
        if (!network.in_con[p]) continue;
        StreamKey key(trial_seed, "release", pops[p].name);
        std::uint32_t first_cell = out.cell_begin[p];
        for (const auto& con : network.connections[p]) {
            SplitMixStream r(key.seed_for((std::uint64_t{con.synapse_id} << 32) | con.cell_id));
            draw_weights(r, pops[p], weights);
            std::uint32_t c = first_cell + con.cell_id;
            std::uint32_t b = out.spike_begin[c], e = out.spike_begin[c + 1];
            if (b == e) continue;
            release(r, pops[p], static_cast<std::uint32_t>(p), con, out.spike_times.data() + b, e - b,
                    weights, out);
        }
    }
    return out;
}

Result<TrialActivity> activity_from_replay(const PreparedNetwork& network,
                                           const std::vector<SynapseActivationRow>& rows) {
    const auto& pops = network.parameters.populations;
    TrialActivity out;
    out.cell_begin.assign(pops.size() + 1, 0);
    out.spike_begin.assign(1, 0);
    std::map<std::string, std::uint32_t> next_id;
    std::vector<double> weights;
    for (const auto& row : rows) {
        auto p = network.parameters.find(row.synapse_type);
        if (p < 0)
            return fail(Errc::not_found,
                        "replayed synapse type " + row.synapse_type + " is not in the network");
        const auto& pop = pops[static_cast<std::size_t>(p)];
        weights.clear();
        for (const auto& rec : pop.synapses.receptors) {
            if (rec.weight_distribution)
                return fail(Errc::validation,
                            "population " + pop.name +
                                " draws lognormal weights, which a synapse activation file does not record");
            weights.insert(weights.end(), rec.weight.begin(), rec.weight.end());
        }
        ActiveSynapse a;
        a.population = static_cast<std::uint32_t>(p);
        a.synapse_id = next_id[row.synapse_type]++;
        a.release_begin = static_cast<std::uint32_t>(out.release_times.size());
        out.release_times.insert(out.release_times.end(), row.times.begin(), row.times.end());
        std::sort(out.release_times.begin() + a.release_begin, out.release_times.end());
        a.release_end = static_cast<std::uint32_t>(out.release_times.size());
        a.weight_begin = static_cast<std::uint32_t>(out.weights.size());
        out.weights.insert(out.weights.end(), weights.begin(), weights.end());
        if (a.release_end > a.release_begin) out.synapses.push_back(a);
    }
    return out;
}

std::vector<PresynapticCellRow> presynaptic_cell_rows(const PreparedNetwork& network,
                                                      const TrialActivity& activity) {
    const auto& pops = network.parameters.populations;
    std::vector<std::size_t> order(pops.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return pops[a].name < pops[b].name; });
    std::vector<PresynapticCellRow> rows;
    for (auto p : order) {
        for (std::uint32_t c = activity.cell_begin[p]; c < activity.cell_begin[p + 1]; ++c) {
            std::uint32_t b = activity.spike_begin[c], e = activity.spike_begin[c + 1];
            if (b == e) continue;
            rows.push_back(
                {pops[p].name, static_cast<std::int64_t>(c - activity.cell_begin[p]),
                 std::vector<double>(activity.spike_times.begin() + b, activity.spike_times.begin() + e)});
        }
    }
    return rows;
}

Result<std::vector<SynapseActivationRow>> synapse_activation_rows(const PreparedNetwork& network,
                                                                  const TrialActivity& activity,
                                                                  const SynapsePlacement& placement) {
    const auto& pops = network.parameters.populations;
    std::vector<std::size_t> order(activity.synapses.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
        const auto& x = activity.synapses[a];
        const auto& y = activity.synapses[b];
        const auto& nx = pops[x.population].name;
        const auto& ny = pops[y.population].name;
        if (nx != ny) return nx < ny;
        return x.synapse_id < y.synapse_id;
    });
    std::vector<SynapseActivationRow> rows;
    rows.reserve(order.size());
    for (auto i : order) {
        const auto& s = activity.synapses[i];
        const auto& name = pops[s.population].name;
        auto it = placement.find(name);
        if (it == placement.end() || s.synapse_id >= it->second.size())
            return fail(Errc::not_found,
                        "no placement for synapse " + std::to_string(s.synapse_id) + " of " + name);
        const auto& pl = it->second[s.synapse_id];
        rows.push_back({name, s.synapse_id, pl.soma_distance, pl.section_id, pl.point_id, pl.label,
                        std::vector<double>(activity.release_times.begin() + s.release_begin,
                                            activity.release_times.begin() + s.release_end)});
    }
    return rows;
}

}  // namespace silico::experiments
