#include "silico/model/activity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <span>
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
    // ISF would loop forever: every spike would land where the previous one (or 0) was.
    if (!(s.interval > 0) || (s.noise == 0 && s.start <= 0))
        return fail(Errc::validation,
                    fmt::format("spike train with interval {} ms, noise {} and start {} ms never "
                                "advances (ISF loops forever)",
                                s.interval, s.noise, s.start));
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

// ISF's sample_times_from_rates, prepared once per rate profile: the cumulative rate integral xp (Hz·ms, so
// 1000 is one expected spike) against the cumulative time fp, both starting at 0, as np.interp's (xp, fp).
struct RateProfile {
    std::vector<double> xp, fp;
    double first_edge = 0.0;    // bins[0], added to every warped time
    double max_integral = 0.0;  // max(cumsum(diff(bins) * rates))
};

// A rate integral above this (about a million expected spikes per cell) is refused: ISF would draw 1000 times
// as many numbers.
constexpr double k_max_integral = 1e9;

Result<RateProfile> rate_profile(std::span<const double> bins, std::span<const double> rates) {
    if (rates.empty() || bins.size() != rates.size() + 1)
        return fail(Errc::validation,
                    "a rate profile needs at least one rate and one more bin edge than rates");
    RateProfile p;
    p.first_edge = bins[0];
    p.xp.assign(1, 0.0);
    p.fp.assign(1, 0.0);
    double w = 0.0, t = 0.0;
    for (std::size_t i = 0; i < rates.size(); ++i) {
        double width = bins[i + 1] - bins[i];
        if (!(rates[i] >= 0) || !std::isfinite(rates[i]))
            return fail(
                Errc::validation,
                fmt::format("rate {} Hz in bin {} is not a finite rate >= 0 (the time warping needs one)",
                            rates[i], i));
        if (!(width >= 0))
            return fail(Errc::validation, "bin edges must not decrease (bin " + std::to_string(i) + ")");
        w += width * rates[i];  // np.cumsum: sequential
        t += width;
        p.xp.push_back(w);
        p.fp.push_back(t);
    }
    p.max_integral = *std::max_element(p.xp.begin() + 1, p.xp.end());
    if (p.max_integral > k_max_integral)
        return fail(Errc::validation, fmt::format("rate integral of {} expected spikes per cell is too large",
                                                  p.max_integral / 1000));
    return p;
}

// np.interp(x, xp, fp, left=nan, right=nan) + first_edge for ascending x, appended to out; x beyond the last
// xp is dropped. j is the interval of the previous x: the largest j with xp[j] <= x, as numpy's search finds.
void warp_times(const RateProfile& p, std::span<const double> x, std::vector<double>& out) {
    const auto& xp = p.xp;
    const auto& fp = p.fp;
    std::size_t n = xp.size(), j = 0;
    for (double v : x) {
        if (v > xp[n - 1]) break;
        while (j + 1 < n && xp[j + 1] <= v) ++j;
        double t;
        if (j == n - 1 || xp[j] == v) {
            t = fp[j];
        } else {
            double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
            t = slope * (v - xp[j]) + fp[j];
            if (std::isnan(t)) {
                t = slope * (v - xp[j + 1]) + fp[j + 1];
                if (std::isnan(t) && fp[j] == fp[j + 1]) t = fp[j];
            }
        }
        out.push_back(t + p.first_edge);
    }
}

// Moves the stream on by n random_sample() draws without computing them.
template <class Rng>
void skip_samples(Rng& r, std::size_t n) {
    if constexpr (requires { r.discard_samples(n); })
        r.discard_samples(n);
    else
        for (std::size_t i = 0; i < n; ++i) r.random_sample();
}

// The unit-rate process: isf draws ISF's blocks of exponential(1000) (see docs/synaptic_input.md, "RNG
// modes"); independent draws only the intervals it needs (the same process, without ISF's thousandfold
// surplus).
template <class Rng>
void poisson_from_profile(Rng& r, const RateProfile& p, bool isf_blocks, std::vector<double>& scratch,
                          std::vector<double>& out) {
    scratch.clear();
    double sum = 0.0;
    if (isf_blocks) {
        auto block = static_cast<std::size_t>(std::ceil(p.max_integral)) + 1;
        do {
            for (std::size_t i = 0; i < block; ++i) {
                // Exponentials are >= 0: once past W the rest of the block cannot matter but to the stream.
                if (sum > p.max_integral) {
                    skip_samples(r, block - i);
                    break;
                }
                scratch.push_back(sum += r.exponential(1000.0));
            }
        } while (sum <= p.max_integral);
    } else {
        while ((sum += r.exponential(1000.0)) <= p.max_integral) scratch.push_back(sum);
    }
    warp_times(p, scratch, out);
}

// poissontrain_modulated's bins and the linspace its sine is sampled on (numpy's arange and linspace).
struct ModulatedGrid {
    std::vector<double> bins, phase_grid;
};

Result<ModulatedGrid> modulated_grid(const PoissonTrainModulated& d, double t_stop) {
    double duration = t_stop - d.offset;
    if (!(duration > 0) || !(d.bin_size > 0) || d.modulation_frequency == 0)
        return fail(Errc::validation, fmt::format("poissontrain_modulated needs offset < tStop ({} ms), "
                                                  "bin_size > 0 and modulation_frequency != 0",
                                                  t_stop));
    auto n_bins = static_cast<std::size_t>(std::ceil(duration / d.bin_size));
    auto n_edges = static_cast<std::size_t>(std::ceil((duration + d.bin_size) / d.bin_size));
    if (n_edges != n_bins + 1)  // ISF's arrays would not broadcast
        return fail(Errc::validation, "poissontrain_modulated: (tStop - offset) / bin_size rounds to " +
                                          std::to_string(n_bins) + " bins but to " + std::to_string(n_edges) +
                                          " bin edges");
    ModulatedGrid g;
    for (std::size_t i = 0; i < n_edges; ++i)
        g.bins.push_back(static_cast<double>(i) * d.bin_size + d.offset);
    g.bins.front() = 0.0;
    g.bins.back() = t_stop;
    double n_cycles = duration / (1000.0 / d.modulation_frequency);
    double stop = 2 * std::numbers::pi * n_cycles;
    g.phase_grid.assign(n_bins, 0.0);
    if (n_bins > 1) {
        double div = static_cast<double>(n_bins - 1);
        double step = stop / div;
        for (std::size_t i = 0; i < n_bins; ++i)
            g.phase_grid[i] = step == 0 ? static_cast<double>(i) / div * stop : static_cast<double>(i) * step;
        g.phase_grid.back() = stop;
    }
    return g;
}

template <class Rng>
Status modulated_cell(Rng& r, const PoissonTrainModulated& d, const ModulatedGrid& g, double phase,
                      std::vector<double>& rates, std::vector<double>& scratch, std::vector<double>& out) {
    rates.resize(g.phase_grid.size());
    for (std::size_t i = 0; i < rates.size(); ++i)
        rates[i] = d.mean_rate * (1 + d.max_modulation * std::sin(g.phase_grid[i] + phase));
    rates[0] = d.rate_before_t_offset;
    auto profile = rate_profile(g.bins, rates);
    if (!profile) return std::unexpected(profile.error());
    poisson_from_profile(r, *profile, std::is_same_v<Rng, IsfRandomState>, scratch, out);
    return {};
}

// The deprecated PSTH_poissontrain: bin b of one cell as a spiketrain (noise 1, start t0, tStop t1).
Result<SpikeTrainSource> poissontrain_bin(const PsthPoissonTrain& d, std::size_t b) {
    double rate = d.rates[b];
    if (!(rate >= 0) || !std::isfinite(rate))
        return fail(Errc::validation,
                    fmt::format("PSTH_poissontrain rate {} Hz in bin {} is not a finite rate >= 0", rate, b));
    return SpikeTrainSource{1000.0 / rate, 1.0, d.intervals[b].first, std::nullopt};
}

template <class T>
constexpr bool is_rate_based = std::is_same_v<T, PsthPoissonTrain> || std::is_same_v<T, PsthPoissonTrainV2> ||
                               std::is_same_v<T, PoissonTrainModulated>;

// PSTH_absolute_number's cells for one bin: numpy's choice(range(n), k, replace=False) = permutation(n)[:k]
// (legacy shuffle: Fisher-Yates from the end); for k > n ISF falls back to choice with replacement =
// randint(0, n, size=k).
template <class Rng>
void choose_cells(Rng& r, std::size_t n, std::size_t k, std::vector<std::uint32_t>& active) {
    active.clear();
    if (k <= n) {
        std::vector<std::uint32_t> perm(n);
        std::iota(perm.begin(), perm.end(), 0u);
        for (std::size_t i = n; i-- > 1;) std::swap(perm[i], perm[r.random_interval(i)]);
        active.assign(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
        for (std::size_t i = 0; i < k; ++i)
            active.push_back(static_cast<std::uint32_t>(r.randint(0, static_cast<std::int64_t>(n))));
    }
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

// The rate-based distributions. cell_rng(c, body) runs body with the generator cell c draws from: in isf mode
// the global one (`shared`), or for PSTH_poissontrain a private one seeded by randint from it; in independent
// mode the cell's own stream.
template <class Rng, class CellRng>
Status rate_based(Rng& shared, CellRng&& cell_rng, const PointCellSource& src, double t_stop,
                  CellSpikes& cells) {
    std::vector<double> scratch, rates;
    if (const auto* d = std::get_if<PsthPoissonTrain>(&src)) {
        for (std::size_t b = 0; b < d->intervals.size(); ++b) {
            if (d->rates[b] == 0) continue;  // ISF: ZeroDivisionError, bin skipped
            auto train = poissontrain_bin(*d, b);
            if (!train) return std::unexpected(train.error());
            for (std::size_t c = 0; c < cells.size(); ++c) {
                Status s = cell_rng(
                    c, [&](auto& own) { return spike_train(own, *train, d->intervals[b].second, cells[c]); });
                if (!s) return s;
            }
        }
        return {};
    }
    if (const auto* d = std::get_if<PsthPoissonTrainV2>(&src)) {
        auto profile = rate_profile(d->bins, d->rates);
        if (!profile) return std::unexpected(profile.error());
        for (std::size_t c = 0; c < cells.size(); ++c) {
            Status s = cell_rng(c, [&](auto& r) {
                poisson_from_profile(r, *profile, std::is_same_v<std::decay_t<decltype(r)>, IsfRandomState>,
                                     scratch, cells[c]);
                return Status{};
            });
            if (!s) return s;
        }
        return {};
    }
    const auto& d = std::get<PoissonTrainModulated>(src);
    auto grid = modulated_grid(d, t_stop);
    if (!grid) return std::unexpected(grid.error());
    // isf: every phase first, from the global generator; independent: each cell's phase from its stream.
    auto draw_phase = [&](auto& r) {
        if (d.phase_distribution == "uniform") return r.uniform(0.0, 2 * std::numbers::pi);
        if (d.phase_distribution == "normal") return r.normal(d.mean_phase, d.std_phase);
        return 0.0;
    };
    std::vector<double> phases;
    if constexpr (std::is_same_v<Rng, IsfRandomState>)
        for (std::size_t c = 0; c < cells.size(); ++c) phases.push_back(draw_phase(shared));
    for (std::size_t c = 0; c < cells.size(); ++c) {
        Status s = cell_rng(c, [&](auto& r) {
            double phase = phases.empty() ? draw_phase(r) : phases[c];
            return modulated_cell(r, d, *grid, phase, rates, scratch, cells[c]);
        });
        if (!s) return s;
    }
    return {};
}

Status pointcell_isf(IsfRandomState& rng, const PointCellSource& src, double t_stop, CellSpikes& cells) {
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
            choose_cells(rng, n, static_cast<std::size_t>(d->number_active_synapses[b]), active);
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
    // Rate-based: spike trains draw a seed from the global generator for a private one, the warped trains
    // draw from the global generator itself.
    return rate_based(
        rng,
        [&](std::size_t, auto&& body) -> Status {
            if (std::holds_alternative<PsthPoissonTrain>(src)) {
                ShortIsfRandomState own(static_cast<std::uint32_t>(rng.randint(123456, 1234567)));
                return body(own);
            }
            return body(rng);
        },
        src, t_stop, cells);
}

// --- independent mode: one stream per cell, the same distributions cell by cell ---

Status pointcell_independent(const StreamKey& key, const PointCellSource& src, double t_stop,
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
        std::vector<std::uint32_t> active;
        for (std::size_t b = 0; b < d->intervals.size(); ++b) {
            SplitMixStream r(key.seed_for((std::uint64_t{1} << 40) + b));
            auto [t0, t1] = d->intervals[b];
            choose_cells(r, n, static_cast<std::size_t>(d->number_active_synapses[b]), active);
            for (auto c : active) cells[c].push_back(d->offset + t0 + (t1 - t0) * r.random_sample());
        }
        return {};
    }
    bool rate = std::visit([](const auto& d) { return is_rate_based<std::decay_t<decltype(d)>>; }, src);
    if (rate) {
        SplitMixStream unused(0);
        return rate_based(
            unused,
            [&](std::size_t c, auto&& body) -> Status {
                SplitMixStream r(key.seed_for(c));
                return body(r);
            },
            src, t_stop, cells);
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
        } else {
            const auto& l = std::get<LognormalDistribution>(src);
            if (r.random_sample() < l.active_frac)
                cells[c].push_back(std::max(l.offset + r.lognormal(l.mu, l.sigma), 0.1));
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
void release(Rng& r, const Population& pop, std::uint32_t p, const Connection& con, std::uint32_t first_spike,
             std::uint32_t end_spike, const std::vector<double>& weights, TrialActivity& activity) {
    auto begin = static_cast<std::uint32_t>(activity.release_times.size());
    const auto& syn = pop.synapses;
    bool draw = syn.release_prob && !syn.release_dynamic;
    for (std::uint32_t k = first_spike; k < end_spike; ++k) {
        if (draw && !(r.random_sample() < *syn.release_prob)) continue;
        activity.release_times.push_back(activity.spike_times[k]);
        activity.release_origins.push_back(activity.spike_origins[k]);
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

SpikeOrigin origin_of(const SpikeSource& src) {
    if (std::holds_alternative<SpikeTrainSource>(src)) return SpikeOrigin::poissontrain;
    constexpr SpikeOrigin k_by_index[] = {
        SpikeOrigin::pointcell_psth,       SpikeOrigin::pointcell_psth_absolute_number,
        SpikeOrigin::pointcell_normal,     SpikeOrigin::pointcell_uniform,
        SpikeOrigin::pointcell_lognormal,  SpikeOrigin::pointcell_psth_poissontrain,
        SpikeOrigin::psth_poissontrain_v2, SpikeOrigin::poissontrain_modulated};
    static_assert(std::size(k_by_index) == std::variant_size_v<PointCellSource>);
    return k_by_index[std::get<PointCellSource>(src).index()];
}

// One population's spikes while they are drawn: each source appends to the cells' lists in source order;
// ends[k][c] is the size of cell c's list after source k, so every spike keeps its origin.
struct PopulationSpikes {
    CellSpikes cells;
    std::vector<std::vector<std::uint32_t>> ends;
    std::vector<SpikeOrigin> origins;

    void source_done(SpikeOrigin origin) {
        auto& e = ends.emplace_back(cells.size());
        for (std::size_t c = 0; c < cells.size(); ++c) e[c] = static_cast<std::uint32_t>(cells[c].size());
        origins.push_back(origin);
    }
};

// Sorted per cell (ISF keeps each cell's list sorted; a sort is stable for equal times from two sources).
void flatten(std::vector<PopulationSpikes>& per_pop, TrialActivity& out) {
    out.cell_begin.assign(1, 0);
    out.spike_begin.assign(1, 0);
    std::vector<std::pair<double, SpikeOrigin>> mixed;
    for (auto& pop : per_pop) {
        for (std::size_t c = 0; c < pop.cells.size(); ++c) {
            auto& s = pop.cells[c];
            std::size_t sources_with_spikes = 0, last = 0;
            for (std::size_t k = 0; k < pop.ends.size(); ++k) {
                std::uint32_t b = k == 0 ? 0 : pop.ends[k - 1][c];
                if (pop.ends[k][c] > b) ++sources_with_spikes, last = k;
            }
            if (sources_with_spikes <= 1) {
                std::sort(s.begin(), s.end());
                out.spike_times.insert(out.spike_times.end(), s.begin(), s.end());
                out.spike_origins.insert(out.spike_origins.end(), s.size(),
                                         pop.origins.empty() ? SpikeOrigin::poissontrain : pop.origins[last]);
            } else {
                mixed.clear();
                for (std::size_t k = 0, b = 0; k < pop.ends.size(); b = pop.ends[k][c], ++k)
                    for (std::size_t i = b; i < pop.ends[k][c]; ++i) mixed.emplace_back(s[i], pop.origins[k]);
                std::stable_sort(mixed.begin(), mixed.end(),
                                 [](const auto& x, const auto& y) { return x.first < y.first; });
                for (const auto& [t, o] : mixed) {
                    out.spike_times.push_back(t);
                    out.spike_origins.push_back(o);
                }
            }
            out.spike_begin.push_back(static_cast<std::uint32_t>(out.spike_times.size()));
        }
        out.cell_begin.push_back(static_cast<std::uint32_t>(out.spike_begin.size() - 1));
    }
}

// The sweep common to both modes (ISF single_cell_parser/network.py, NetworkMapper.create_saved_network2):
// `Mode` draws each source's spikes and gives the generator for each .con line's weights and releases.
template <class Mode>
Result<TrialActivity> generate(const PreparedNetwork& network, const ActivityOptions& options, Mode& mode) {
    const auto& pops = network.parameters.populations;
    std::vector<PopulationSpikes> spikes(pops.size());
    for (std::size_t p = 0; p < pops.size(); ++p) {
        spikes[p].cells.resize(static_cast<std::size_t>(pops[p].cell_count));
        for (std::size_t k = 0; k < pops[p].sources.size(); ++k) {
            const auto& src = pops[p].sources[k];
            Status s = mode.spikes(pops[p], k, src, options.t_stop, spikes[p].cells);
            if (!s) return std::unexpected(s.error().within("population " + pops[p].name));
            spikes[p].source_done(origin_of(src));
        }
    }
    TrialActivity out;
    flatten(spikes, out);
    std::vector<double> weights;
    for (std::size_t p = 0; p < pops.size(); ++p) {
        if (!network.in_con[p]) continue;
        std::uint32_t first_cell = out.cell_begin[p];
        mode.begin_release(pops[p]);
        for (const auto& con : network.connections[p]) {
            auto& r = mode.release_rng(con);
            draw_weights(r, pops[p], weights);
            std::uint32_t c = first_cell + con.cell_id;
            std::uint32_t b = out.spike_begin[c], e = out.spike_begin[c + 1];
            if (b == e) continue;
            release(r, pops[p], static_cast<std::uint32_t>(p), con, b, e, weights, out);
        }
    }
    return out;
}

struct IsfMode {
    IsfRandomState& rng;

    Status spikes(const Population&, std::size_t, const SpikeSource& src, double t_stop, CellSpikes& cells) {
        if (const auto* st = std::get_if<SpikeTrainSource>(&src)) {
            for (auto& cell : cells) {
                ShortIsfRandomState own(static_cast<std::uint32_t>(rng.randint(123456, 1234567)));
                if (Status s = spike_train(own, *st, t_stop, cell); !s) return s;
            }
            return {};
        }
        return pointcell_isf(rng, std::get<PointCellSource>(src), t_stop, cells);
    }
    void begin_release(const Population&) {}
    IsfRandomState& release_rng(const Connection&) { return rng; }
};

struct IndependentMode {
    std::uint64_t trial_seed;
    std::optional<StreamKey> release_key;
    SplitMixStream stream{0};

    Status spikes(const Population& pop, std::size_t k, const SpikeSource& src, double t_stop,
                  CellSpikes& cells) {
        if (const auto* st = std::get_if<SpikeTrainSource>(&src)) {
            StreamKey key(trial_seed, "spiketrain#" + std::to_string(k), pop.name);
            for (std::size_t c = 0; c < cells.size(); ++c) {
                SplitMixStream own(key.seed_for(c));
                if (Status s = spike_train(own, *st, t_stop, cells[c]); !s) return s;
            }
            return {};
        }
        StreamKey key(trial_seed, "pointcell#" + std::to_string(k), pop.name);
        return pointcell_independent(key, std::get<PointCellSource>(src), t_stop, cells);
    }
    void begin_release(const Population& pop) { release_key.emplace(trial_seed, "release", pop.name); }
    SplitMixStream& release_rng(const Connection& con) {
        stream = SplitMixStream(release_key->seed_for((std::uint64_t{con.synapse_id} << 32) | con.cell_id));
        return stream;
    }
};

}  // namespace

std::string_view spike_origin_name(SpikeOrigin origin) {
    // In enum order.
    constexpr std::string_view k_names[] = {"poissontrain",
                                            "pointcell_normal",
                                            "pointcell_uniform",
                                            "pointcell_lognormal",
                                            "pointcell_PSTH",
                                            "pointcell_PSTH_absolute_number",
                                            "pointcell_PSTH_poissontrain",
                                            "PSTH_poissontrain_v2",
                                            "poissontrain_modulated",
                                            "replay"};
    static_assert(std::size(k_names) == static_cast<std::size_t>(SpikeOrigin::replay) + 1);
    return k_names[static_cast<std::size_t>(origin)];
}

std::optional<SpikeOrigin> spike_origin_from_name(std::string_view name) {
    for (int i = 0; i <= static_cast<int>(SpikeOrigin::replay); ++i)
        if (spike_origin_name(static_cast<SpikeOrigin>(i)) == name) return static_cast<SpikeOrigin>(i);
    return std::nullopt;
}

Result<TrialActivity> generate_activity_isf(const PreparedNetwork& network, IsfRandomState& rng,
                                            const ActivityOptions& options) {
    IsfMode mode{rng};
    return generate(network, options, mode);
}

Result<TrialActivity> generate_activity_independent(const PreparedNetwork& network, std::uint64_t trial_seed,
                                                    const ActivityOptions& options) {
    IndependentMode mode{trial_seed, std::nullopt};
    return generate(network, options, mode);
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
        out.release_origins.resize(out.release_times.size(), SpikeOrigin::replay);
        a.weight_begin = static_cast<std::uint32_t>(out.weights.size());
        out.weights.insert(out.weights.end(), weights.begin(), weights.end());
        if (a.release_end > a.release_begin) out.synapses.push_back(a);
    }
    return out;
}

}  // namespace silico::experiments
