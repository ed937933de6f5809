// Placement of synapses on sections as ISF computes it (ISF's relPts, nearest 3D point, D3 soma distance),
// and where each synapse of a trial sits, NEURON-free.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace silico::experiments {

// ISF's relPts of a section from its 3D points as read (x, y, z per point), in ISF's floating-point order:
// relPts[k] = (cumulative_k / L) · (1 / (cumulative_last / L)), last = 1.0, cumulative = Σ sqrt(dx²+dy²+dz²).
// L is NEURON's section length (ISF's PySection.L; NEURON computes it from float32 points), so pass
// `neuron_length`; without it the double sum of the points is used. The rounding matters: at a duplicated end
// point relPts[n-2] is 1 ± 1 ulp with NEURON's L, and ISF's nearest-point search then picks the last point
// (cell 86, section 94); with L from the points it would be an exact tie. Zero length gives all ones.
std::vector<double> isf_relative_points(std::span<const std::array<double, 3>> points,
                                        double neuron_length = -1.0);

// Index of the 3D point whose relative arc position rel_pts[k] is closest to x; the first on ties.
// rel_pts must be non-empty.
std::size_t nearest_point_index(std::span<const double> rel_pts, double x);

// Where NEURON gets the point process: rel_pts[point_id] clamped to the first/last segment centre
// [0.5/nseg, (nseg-0.5)/nseg], so a synapse never sits on a section end.
double synapse_position(std::span<const double> rel_pts, std::size_t point_id, int nseg);

// A section tree for the D3 soma distance: per section its parent (-1 for the root), the x on the parent it
// attaches to, its length (µm), and whether it is soma (the cell builder exposes these).
struct SectionTree {
    std::vector<int> parent;
    std::vector<double> parent_x;
    std::vector<double> length;
    std::vector<bool> is_soma;
};

// D3 (ISF synanalysis.compute_distance_to_soma): x·L of the section plus, for every ancestor below the soma,
// parent.L × (the child's attachment x); soma lengths excluded; 0 on the soma itself.
double soma_distance_d3(const SectionTree& tree, int section, double x);

// Where each synapse sits on the cell, as the cell builder computes it: per type, per synapse ID.
struct PlacedSynapse {
    int section_id = 0;
    std::int64_t point_id = 0;
    double soma_distance = 0.0;  // D3, µm
    std::string label;           // "ApicalDendrite", "Dendrite", "Soma"
};
using SynapsePlacement = std::map<std::string, std::vector<PlacedSynapse>>;

}  // namespace silico::experiments
