// Synthetic network of the generated example cell (docs/example_cell.md, "The example network").
#include "silico/model/example_network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "silico/model/network_parameters.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/model/synapse_placement.hpp"

namespace silico::experiments {

namespace {

// Densities per layer: L1, L2/3, L4, L5A, L5B, L6. Numbers of synapses follow the proportions of ISF's C2
// types on an L5PT (about a quarter of them: one column of input instead of nine, so the demo trial is fast).
// Ongoing intervals are ISF's up-state template (ISF's getting_started network.param); weights are ISF's
// fitted conductances. clang-format off
constexpr std::array<ExampleCellType, 14> k_types = {{
    // name        exc    syn   per  L1    L2/3  L4    L5A   L5B   L6     peri  interval  evoked onset peak
    // weight
    {"L2",        true,  540, 4.0, {0.30, 1.00, 0.20, 0.80, 0.30, 0.05}, 0.0, 2173.9, 0.10, 10.0, 8.0, 1.47},
    {"L34",       true,  720, 4.0, {0.20, 1.00, 0.30, 0.70, 0.40, 0.10}, 0.0, 3225.8, 0.20,  9.0, 6.0, 1.68},
    {"L4py",      true,  120, 4.0, {0.30, 0.80, 0.60, 0.60, 0.30, 0.10}, 0.0, 1562.5, 0.35,  8.0, 5.0, 1.14},
    {"L4sp",      true,  160, 4.0, {0.10, 1.00, 0.90, 0.30, 0.20, 0.05}, 0.0, 1666.7, 0.35,  8.0, 5.0, 1.14},
    {"L4ss",      true,  440, 4.0, {0.05, 1.00, 1.00, 0.20, 0.10, 0.05}, 0.0, 1886.8, 0.50,  8.0, 4.0, 1.14},
    {"L5st",      true,  340, 4.0, {0.80, 0.60, 0.20, 1.00, 0.50, 0.20}, 0.0,  909.1, 0.15,  9.0, 6.0, 1.38},
    {"L5tt",      true,  120, 4.0, {0.05, 0.10, 0.10, 0.60, 1.00, 0.60}, 0.0,  283.3, 0.40,  8.0, 5.0, 1.59},
    {"L6cc",      true,   80, 4.0, {0.05, 0.10, 0.40, 0.60, 1.00, 1.00}, 0.0, 1052.6, 0.15,  8.0, 6.0, 1.63},
    {"VPM",       true,   90, 4.0, {0.05, 0.10, 1.00, 0.20, 0.60, 0.40}, 0.0, 4761.9, 1.00,  5.0, 3.0, 1.78},
    {"L1",        false,  70, 5.0, {1.00, 0.30, 0.05, 0.05, 0.05, 0.00}, 0.0,  909.1, 0.20, 10.0, 8.0, 1.00},
    {"L23Trans",  false,  50, 5.0, {0.60, 1.00, 0.40, 0.60, 0.30, 0.10}, 0.0,  142.9, 0.50,  7.0, 4.0, 1.00},
    {"L45Sym",    false,  70, 5.0, {0.05, 0.20, 1.00, 1.00, 0.60, 0.10}, 0.0,  142.9, 0.60,  6.0, 3.0, 1.00},
    {"L56Trans",  false,  70, 5.0, {1.00, 0.30, 0.20, 0.60, 1.00, 0.60}, 0.0,  142.9, 0.40,  8.0, 6.0, 1.00},
    {"SymLocal1", false, 150, 5.0, {0.00, 0.20, 0.40, 1.00, 1.00, 1.00}, 80.0, 142.9, 0.80,  6.0, 3.0, 1.00},
}};
// clang-format on

constexpr double k_release_excitatory = 0.6;  // ISF's releaseProb
constexpr double k_release_inhibitory = 0.25;
constexpr double k_spine_free = 30.0;  // µm: excitatory density rises as 1 - exp(-d / this) from the soma
constexpr double k_soma_factor =
    3.0;                       // perisomatic density on the soma per µm (its membrane is ~3x a dendrite's)
constexpr int k_x_digits = 6;  // .syn x precision

// mt19937_64's output is fixed by the standard; the conversion to double is written out (53 high bits).
class Random {
  public:
    explicit Random(std::uint64_t seed) : m_rng(seed) {}
    double uniform() { return static_cast<double>(m_rng() >> 11) * 0x1.0p-53; }
    std::size_t below(std::size_t n) {
        return std::min(n - 1, static_cast<std::size_t>(uniform() * static_cast<double>(n)));
    }

  private:
    std::mt19937_64 m_rng;
};

// One stretch of dendrite between consecutive 3D points: where a synapse may be drawn.
struct Piece {
    int section = 0;
    double x0 = 0, x1 = 0;  // relative positions (ISF's relPts) of its two points
    double length = 0;      // µm
    double depth = 0;       // µm below the pia at its middle
    double soma_distance = 0;
    bool soma = false;
};

double distance(const Point3d& a, const Point3d& b) {
    return std::hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

Result<std::vector<Piece>> pieces_of(const Morphology& cell, double soma_depth) {
    if (cell.soma_id() < 0)
        return fail(Errc::invalid_argument, cell.source + ": the example network needs a soma");
    SectionTree tree;
    for (const auto& s : cell.sections) {
        double length = 0;
        for (std::size_t k = 1; k < s.points.size(); ++k) length += distance(s.points[k - 1], s.points[k]);
        tree.parent.push_back(s.parent_id);
        tree.parent_x.push_back(s.parent_x);
        tree.length.push_back(length);
        tree.is_soma.push_back(s.label == k_label_soma);
    }
    std::vector<Piece> pieces;
    for (const auto& s : cell.sections) {
        const bool soma = s.label == k_label_soma;
        if (!soma && s.label != k_label_dendrite && s.label != k_label_apical) continue;
        std::vector<std::array<double, 3>> xyz;
        for (const auto& p : s.points) xyz.push_back({p.x, p.y, p.z});
        const auto rel = isf_relative_points(xyz);
        for (std::size_t k = 1; k < s.points.size(); ++k) {
            Piece piece;
            piece.section = s.id;
            piece.x0 = rel[k - 1];
            piece.x1 = rel[k];
            piece.length = distance(s.points[k - 1], s.points[k]);
            piece.depth = soma_depth - 0.5 * (s.points[k - 1].z + s.points[k].z);
            piece.soma_distance = soma ? 0.0 : soma_distance_d3(tree, s.id, 0.5 * (piece.x0 + piece.x1));
            piece.soma = soma;
            if (piece.length > 0) pieces.push_back(piece);
        }
    }
    return pieces;
}

// Relative density of `type` per µm on a piece.
double density(const ExampleCellType& type, const Piece& piece) {
    const double layer = type.layer_density[example_layer(piece.depth)];
    if (type.perisomatic_scale > 0) {
        const double near = std::exp(-piece.soma_distance / type.perisomatic_scale);
        return (piece.soma ? k_soma_factor : 1.0) * layer * near;
    }
    if (piece.soma) return 0.0;
    return type.excitatory ? layer * (1.0 - std::exp(-piece.soma_distance / k_spine_free)) : layer;
}

struct Placed {
    int section = 0;
    double x = 0;
};

Result<std::vector<Placed>> place(const ExampleCellType& type, const std::vector<Piece>& pieces,
                                  Random& rng) {
    std::vector<double> cumulative;
    cumulative.reserve(pieces.size());
    double total = 0;
    for (const auto& piece : pieces) cumulative.push_back(total += piece.length * density(type, piece));
    if (!(total > 0))
        return fail(Errc::invalid_argument,
                    fmt::format("example network: no dendrite where type {} could have synapses", type.name));
    std::vector<Placed> out;
    const double scale = std::pow(10.0, k_x_digits);
    for (int i = 0; i < type.synapses; ++i) {
        const double u = rng.uniform() * total;
        auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
        if (it == cumulative.end()) --it;
        const Piece& piece = pieces[static_cast<std::size_t>(it - cumulative.begin())];
        const double x = piece.x0 + rng.uniform() * (piece.x1 - piece.x0);
        out.push_back({piece.section, std::round(x * scale) / scale});
    }
    // File order: by section, then along it (ISF's files are grouped by type, in no particular order).
    std::sort(out.begin(), out.end(), [](const Placed& a, const Placed& b) {
        return a.section != b.section ? a.section < b.section : a.x < b.x;
    });
    return out;
}

// Presynaptic cell of each synapse: a random partition into `cells` nearly equal groups.
std::vector<std::uint32_t> connect(std::size_t synapses, std::size_t cells, Random& rng) {
    std::vector<std::uint32_t> order(synapses);
    std::iota(order.begin(), order.end(), 0u);
    for (std::size_t i = synapses; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    std::vector<std::uint32_t> cell_of(synapses);
    for (std::size_t rank = 0; rank < synapses; ++rank)
        cell_of[order[rank]] = static_cast<std::uint32_t>(rank % cells);
    return cell_of;
}

double round4(double v) {
    const double r = std::round(v * 1e4) / 1e4;
    return r == 0 ? 0.0 : r;
}

// Alpha-function PSTH: bin b covers [onset + b·bin, onset + (b+1)·bin); probabilities sum to evoked_spikes.
PsthDistribution evoked_psth(const ExampleCellType& type, const ExampleNetworkOptions& options) {
    PsthDistribution psth;
    psth.offset = options.deflection_offset;
    const auto bins = static_cast<std::size_t>(std::lround(options.psth_window / options.psth_bin));
    std::vector<double> shape;
    for (std::size_t b = 0; b < bins; ++b) {
        const double t = (static_cast<double>(b) + 0.5) * options.psth_bin / type.evoked_peak;
        shape.push_back(t * std::exp(1.0 - t));
    }
    const double sum = std::accumulate(shape.begin(), shape.end(), 0.0);
    for (std::size_t b = 0; b < bins; ++b) {
        const double t0 = type.evoked_onset + static_cast<double>(b) * options.psth_bin;
        psth.intervals.emplace_back(t0, t0 + options.psth_bin);
        psth.probabilities.push_back(round4(type.evoked_spikes * shape[b] / sum));
    }
    return psth;
}

Receptor receptor(const ExampleCellType& type) {
    Receptor r;
    r.threshold = 0.0;
    r.delay = 0.0;
    if (type.excitatory) {
        // ISF's glutamate_syn parameters (its network.param): NMDA decay 26 ms / rise 2 ms, AMPA 2 / 0.1 ms.
        r.name = "glutamate_syn";
        r.parameters = {{"decayampa", 1.0}, {"facilnmda", 0.0}, {"tau2", 2.0},      {"tau3", 2.0},
                        {"tau1", 26.0},     {"tau4", 0.1},      {"decaynmda", 1.0}, {"facilampa", 0.0}};
        r.weight = {type.weight, type.weight};
        r.weight_is_list = true;
    } else {
        r.name = "gaba_syn";
        r.parameters = {
            {"decaytime", 20.0}, {"risetime", 1.0}, {"decaygaba", 1.0}, {"e", -80.0}, {"facilgaba", 0.0}};
        r.weight = {type.weight};
    }
    return r;
}

}  // namespace

std::size_t example_layer(double depth) {
    std::size_t layer = 0;
    for (std::size_t l = 1; l < k_example_layers; ++l)
        if (depth >= k_example_layer_tops[l]) layer = l;
    return layer;
}

std::span<const ExampleCellType> example_cell_types() {
    return k_types;
}

Result<ExampleNetworkFiles> generate_example_network(const Morphology& cell,
                                                     const ExampleNetworkOptions& options) {
    auto pieces = pieces_of(cell, options.soma_depth);
    if (!pieces) return std::unexpected(pieces.error());
    ExampleNetworkFiles files;
    files.syn_name = options.name + ".syn";
    files.con_name = options.name + ".con";
    files.network_name = options.name + "_network.param";
    files.syn = fmt::format(
        "# Synapse distribution file\n# corresponding to cell: {}\n# Type - section - section.x\n\n",
        options.name);
    files.con = fmt::format(
        "# Anatomical connectivity realization file; only valid with synapse realization:\n# {}\n"
        "# Type - cell ID - synapse ID\n\n",
        files.syn_name);

    NetworkParameters network;
    network.info = {
        {"name", options.name + "_network"},
        {"author", "silico"},
        {"description", "synthetic network of the generated example cell (docs/example_cell.md)"}};
    network.nmodl_mechanisms = {{"synapses", "/"}, {"VecStim", "/"}};
    Random rng(options.seed);
    for (const auto& type : k_types) {
        const std::string population = fmt::format("{}_C2", type.name);
        auto placed = place(type, *pieces, rng);
        if (!placed) return std::unexpected(placed.error());
        const auto cells = static_cast<std::size_t>(
            std::max(1L, std::lround(static_cast<double>(type.synapses) / type.synapses_per_cell)));
        const auto cell_of = connect(placed->size(), cells, rng);
        for (const auto& s : *placed)
            files.syn += fmt::format("{}\t{}\t{:.{}f}\n", population, s.section, s.x, k_x_digits);
        for (std::size_t i = 0; i < placed->size(); ++i)
            files.con += fmt::format("{}\t{}\t{}\n", population, cell_of[i], i);

        Population p;
        p.name = population;
        p.cell_count = static_cast<std::int64_t>(cells);
        p.sources.emplace_back(PointCellSource{evoked_psth(type, options)});
        SpikeTrainSource ongoing;
        ongoing.interval = type.ongoing_interval;
        p.sources.emplace_back(ongoing);
        p.synapses.release_prob = type.excitatory ? k_release_excitatory : k_release_inhibitory;
        p.synapses.distribution_file = files.syn_name;
        p.synapses.connection_file = files.con_name;
        p.synapses.receptors.push_back(receptor(type));
        network.populations.push_back(std::move(p));
    }
    files.network_param = fmt::format(
        "# Network of silico's generated example cell, written by `silico cell generate-example-network`\n"
        "# (experiments/model/src/network/example_network.cpp; docs/example_cell.md). Synapses: {}, "
        "connections: {}.\n",
        files.syn_name, files.con_name);
    files.network_param += format_isf_param(network_to_tree(network));
    return files;
}

}  // namespace silico::experiments
