// Steps 5-7 of the synapse mapper: sampling realisations, their summaries, the representative one.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "parallel.hpp"
#include "silico/model/isf_random.hpp"
#include "silico/model/morphology.hpp"
#include "silico/model/synapse_mapper.hpp"

namespace silico::experiments {
namespace {

constexpr std::string_view k_stream_purpose = "silico.anatomy.realisation.v1";

// Uniform integer in [0, n): the high 64 bits of a 64x64-bit product (bias below n / 2^64).
__extension__ using Uint128 = unsigned __int128;
std::uint64_t uniform_index(SplitMixStream& rng, std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<Uint128>(rng.next_u64()) * n) >> 64);
}

// Poisson(lambda): inversion for small means, Hörmann's PTRS (the method numpy uses) from 10 on.
std::uint64_t poisson(SplitMixStream& rng, double lambda) {
    if (!(lambda > 0.0)) return 0;
    if (lambda < 10.0) {
        const double u = rng.random_sample();
        double p = std::exp(-lambda), f = p;
        std::uint64_t k = 0;
        while (u > f && k < 1000) {
            ++k;
            p *= lambda / static_cast<double>(k);
            f += p;
        }
        return k;
    }
    const double slam = std::sqrt(lambda), loglam = std::log(lambda);
    const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        const double u = rng.random_sample() - 0.5, v = rng.random_sample();
        const double us = 0.5 - std::abs(u);
        const double kf = std::floor((2.0 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(kf);
        if (kf < 0 || (us < 0.013 && v > us)) continue;
        if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
            -lambda + kf * loglam - std::lgamma(kf + 1.0))
            return static_cast<std::uint64_t>(kf);
    }
}

struct Moments {
    double mean = -1, sd = -1;
};
// numpy's mean and std (ddof 0) of a list; -1, -1 when empty (ISF's convention).
Moments moments(const std::vector<double>& v) {
    if (v.empty()) return {};
    double s = 0;
    for (double x : v) s += x;
    const double mean = s / static_cast<double>(v.size());
    double q = 0;
    for (double x : v) q += (x - mean) * (x - mean);
    return {mean, std::sqrt(q / static_cast<double>(v.size()))};
}

}  // namespace

std::size_t Realisation::synapse_count() const {
    std::size_t n = 0;
    for (const auto& p : populations) n += p.synapses.size();
    return n;
}

Realisation sample_realisation(const MappingInput& input, std::uint64_t seed, int index) {
    Realisation out;
    out.populations.resize(input.populations.size());
    std::vector<std::uint32_t> picks, scratch;
    for (std::size_t p = 0; p < input.populations.size(); ++p) {
        const auto& pop = input.populations[p];
        auto& res = out.populations[p];
        if (pop.cells == 0 || pop.fields.empty()) continue;
        SplitMixStream rng(
            StreamKey(seed, k_stream_purpose, pop.name()).seed_for(static_cast<std::uint64_t>(index)));
        for (std::int64_t c = 0; c < pop.cells; ++c) {
            const auto& field = pop.fields[uniform_index(rng, pop.fields.size())];
            if (field.entries.empty()) continue;
            // Independent Poisson counts per voxel = a Poisson total split multinomially by λ.
            const std::uint64_t n = poisson(rng, field.total);
            if (n == 0) continue;
            picks.clear();
            for (std::uint64_t s = 0; s < n; ++s) {
                const double u = rng.random_sample() * field.total;
                auto it = std::upper_bound(field.cumulative.begin(), field.cumulative.end(), u);
                if (it == field.cumulative.end()) --it;
                picks.push_back(static_cast<std::uint32_t>(it - field.cumulative.begin()));
            }
            std::sort(picks.begin(), picks.end());
            const auto cell_id = res.connected_cells++;
            for (std::size_t a = 0; a < picks.size();) {
                std::size_t b = a;
                while (b < picks.size() && picks[b] == picks[a]) ++b;
                const auto& e = field.entries[picks[a]];
                const auto& st = input.cell.structures[e.structure];
                const std::uint32_t first = st.point_begin[e.voxel];
                const std::uint32_t count = st.point_begin[e.voxel + 1] - first;
                const std::size_t want = b - a;
                // ISF: a random permutation of the voxel's points, the first `want` of them; more synapses
                // than points take the extra ones uniformly with replacement.
                scratch.resize(count);
                std::iota(scratch.begin(), scratch.end(), 0u);
                const std::size_t distinct = std::min<std::size_t>(want, count);
                for (std::size_t s = 0; s < distinct; ++s) {
                    const auto r = s + uniform_index(rng, count - s);
                    std::swap(scratch[s], scratch[r]);
                }
                for (std::size_t s = 0; s < want; ++s) {
                    const std::uint32_t local =
                        s < distinct ? scratch[s] : static_cast<std::uint32_t>(uniform_index(rng, count));
                    const auto& ref = st.points[first + local];
                    res.synapses.push_back(MappedSynapse{ref.section, ref.point, cell_id});
                }
                a = b;
            }
        }
    }
    return out;
}

RealisationSummary summarise(const MappingInput& input, const Realisation& realisation) {
    RealisationSummary out;
    out.cell_types = input.counts.cell_types;
    const std::size_t ntypes = out.cell_types.size();
    out.per_type.resize(ntypes);
    out.per_population.resize(input.populations.size());
    std::vector<std::vector<double>> all(ntypes), apical(ntypes), basal(ntypes);
    auto type_index = [&](const std::string& t) {
        return static_cast<std::size_t>(std::find(out.cell_types.begin(), out.cell_types.end(), t) -
                                        out.cell_types.begin());
    };
    for (std::size_t p = 0; p < input.populations.size(); ++p) {
        const auto& pop = input.populations[p];
        const auto& res = realisation.populations[p];
        auto& s = out.per_population[p];
        s.presynaptic = pop.cells;
        s.synapses = static_cast<std::int64_t>(res.synapses.size());
        s.connected = res.connected_cells;
        std::vector<double> d_all, d_apical, d_basal;
        // Cells connected per structure: a cell counts once per structure it has a synapse on.
        std::vector<std::uint8_t> seen(res.connected_cells, 0);
        for (const auto& syn : res.synapses) {
            const auto& sec = input.cell.sections[static_cast<std::size_t>(syn.section)];
            const auto& label = input.cell.structures[static_cast<std::size_t>(sec.structure)].label;
            const double d = sec.path[static_cast<std::size_t>(syn.point)];
            d_all.push_back(d);
            std::uint8_t bit = 0;
            if (label == k_label_apical) {
                ++s.apical.synapses;
                d_apical.push_back(d);
                bit = 1;
            } else if (label == k_label_dendrite) {
                ++s.basal.synapses;
                d_basal.push_back(d);
                bit = 2;
            } else {
                ++s.soma.synapses;
                bit = 4;
            }
            seen[syn.cell] |= bit;
        }
        for (auto m : seen) {
            s.apical.connected += (m & 1) != 0;
            s.basal.connected += (m & 2) != 0;
            s.soma.connected += (m & 4) != 0;
        }
        const double n = static_cast<double>(pop.cells);
        if (pop.cells > 0) {
            s.convergence = static_cast<double>(s.connected) / n;
            s.apical.convergence = static_cast<double>(s.apical.connected) / n;
            s.basal.convergence = static_cast<double>(s.basal.connected) / n;
            s.soma.convergence = static_cast<double>(s.soma.connected) / n;
        }
        auto m = moments(d_all);
        s.mean_path = m.mean;
        s.sd_path = m.sd;
        m = moments(d_apical);
        s.apical.mean_path = m.mean;
        s.apical.sd_path = m.sd;
        m = moments(d_basal);
        s.basal.mean_path = m.mean;
        s.basal.sd_path = m.sd;

        const auto t = type_index(pop.cell_type);
        auto& ts = out.per_type[t];
        ts.synapses += s.synapses;
        ts.connected += s.connected;
        ts.presynaptic += s.presynaptic;
        ts.apical.synapses += s.apical.synapses;
        ts.basal.synapses += s.basal.synapses;
        ts.soma.synapses += s.soma.synapses;
        ts.apical.connected += s.apical.connected;
        ts.basal.connected += s.basal.connected;
        ts.soma.connected += s.soma.connected;
        all[t].insert(all[t].end(), d_all.begin(), d_all.end());
        apical[t].insert(apical[t].end(), d_apical.begin(), d_apical.end());
        basal[t].insert(basal[t].end(), d_basal.begin(), d_basal.end());
    }
    for (std::size_t t = 0; t < ntypes; ++t) {
        auto& ts = out.per_type[t];
        if (ts.presynaptic > 0) {
            const double n = static_cast<double>(ts.presynaptic);
            ts.convergence = static_cast<double>(ts.connected) / n;
            ts.apical.convergence = static_cast<double>(ts.apical.connected) / n;
            ts.basal.convergence = static_cast<double>(ts.basal.connected) / n;
            ts.soma.convergence = static_cast<double>(ts.soma.connected) / n;
        }
        auto m = moments(all[t]);
        ts.mean_path = m.mean;
        ts.sd_path = m.sd;
        m = moments(apical[t]);
        ts.apical.mean_path = m.mean;
        ts.apical.sd_path = m.sd;
        m = moments(basal[t]);
        ts.basal.mean_path = m.mean;
        ts.basal.sd_path = m.sd;
    }
    return out;
}

std::size_t select_representative(const std::vector<std::vector<double>>& features) {
    if (features.empty()) return 0;
    const std::size_t nf = features.front().size();
    const double n = static_cast<double>(features.size());
    std::vector<double> mean(nf, 0.0), sd(nf, 0.0);
    for (const auto& row : features)
        for (std::size_t f = 0; f < nf; ++f) mean[f] += row[f];
    for (auto& m : mean) m /= n;
    for (const auto& row : features)
        for (std::size_t f = 0; f < nf; ++f) sd[f] += (row[f] - mean[f]) * (row[f] - mean[f]);
    for (auto& s : sd) s = std::sqrt(s / n);
    std::size_t best_inside = features.size(), best_global = 0;
    double inside_min = 1e9, global_min = 1e9;
    for (std::size_t r = 0; r < features.size(); ++r) {
        double d2 = 0;
        bool inside = true;
        for (std::size_t f = 0; f < nf; ++f) {
            const double z = sd[f] != 0.0 ? (features[r][f] - mean[f]) / sd[f] : 0.0;
            d2 += z * z;
            if (std::abs(z) > 2.0) inside = false;
        }
        if (inside && d2 < inside_min) {
            inside_min = d2;
            best_inside = r;
        }
        if (d2 < global_min) {
            global_min = d2;
            best_global = r;
        }
    }
    return best_inside < features.size() ? best_inside : best_global;
}

AnatomyResult map_synapses(const MappingInput& input, const MapperOptions& options) {
    AnatomyResult result;
    const auto n = static_cast<std::size_t>(std::max(options.realisations, 0));
    result.realisations.resize(n);
    result.summaries.resize(n);
    detail::parallel_for(n, options.threads, [&](std::size_t r) {
        result.realisations[r] = sample_realisation(input, options.seed, static_cast<int>(r));
        result.summaries[r] = summarise(input, result.realisations[r]);
    });
    // Features: total synapses per presynaptic type, types sorted by name (ISF sorts the type names).
    std::vector<std::size_t> order(input.counts.cell_types.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](auto a, auto b) { return input.counts.cell_types[a] < input.counts.cell_types[b]; });
    std::vector<std::vector<double>> features;
    for (const auto& s : result.summaries) {
        std::vector<double> row;
        for (auto t : order) row.push_back(static_cast<double>(s.per_type[t].synapses));
        features.push_back(std::move(row));
    }
    result.representative = select_representative(features);
    return result;
}

}  // namespace silico::experiments
