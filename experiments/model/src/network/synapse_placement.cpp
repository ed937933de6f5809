#include "silico/model/synapse_placement.hpp"

#include <algorithm>
#include <cmath>

namespace silico::experiments {

std::vector<double> isf_relative_points(std::span<const std::array<double, 3>> points, double neuron_length) {
    auto segment = [&](std::size_t i) {
        double dx = points[i][0] - points[i + 1][0];
        double dy = points[i][1] - points[i + 1][1];
        double dz = points[i][2] - points[i + 1][2];
        return std::sqrt(dx * dx + dy * dy + dz * dz);
    };
    double length = 0.0;
    for (std::size_t i = 0; i + 1 < points.size(); ++i) length += segment(i);
    if (neuron_length >= 0.0) length = neuron_length;
    std::vector<double> rel{0.0};
    double cumulative = 0.0;
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        cumulative += segment(i);
        rel.push_back(length == 0.0 ? 1.0 : cumulative / length);
    }
    if (rel.size() > 1) {
        double norm = 1.0 / rel.back();
        for (std::size_t i = 0; i + 1 < rel.size(); ++i) rel[i] *= norm;
        rel.back() = 1.0;
    }
    return rel;
}

std::size_t nearest_point_index(std::span<const double> rel_pts, double x) {
    std::size_t best = 0;
    double best_d = std::abs(rel_pts[0] - x);
    for (std::size_t k = 1; k < rel_pts.size(); ++k) {
        double d = std::abs(rel_pts[k] - x);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best;
}

double synapse_position(std::span<const double> rel_pts, std::size_t point_id, int nseg) {
    double lo = 0.5 / nseg;
    double hi = (nseg - 0.5) / nseg;
    return std::clamp(rel_pts[point_id], lo, hi);
}

double soma_distance_d3(const SectionTree& tree, int section, double x) {
    auto s = static_cast<std::size_t>(section);
    if (tree.is_soma[s]) return 0.0;
    double d = x * tree.length[s];
    int child = section;
    int parent = tree.parent[s];
    while (parent >= 0 && !tree.is_soma[static_cast<std::size_t>(parent)]) {
        d += tree.length[static_cast<std::size_t>(parent)] * tree.parent_x[static_cast<std::size_t>(child)];
        child = parent;
        parent = tree.parent[static_cast<std::size_t>(parent)];
    }
    return d;
}

}  // namespace silico::experiments
