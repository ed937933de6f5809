// Procedural L5PT-like morphology (docs/example_cell.md).
#include "silico/model/example_cell.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <numbers>
#include <random>

namespace silico::experiments {

namespace {

struct Vec {
    double x = 0, y = 0, z = 0;
};
Vec operator+(Vec a, Vec b) {
    return {a.x + b.x, a.y + b.y, a.z + b.z};
}
Vec operator*(double s, Vec a) {
    return {s * a.x, s * a.y, s * a.z};
}
double norm(Vec a) {
    return std::sqrt(a.x * a.x + a.y * a.y + a.z * a.z);
}
Vec unit(Vec a) {
    return (1.0 / norm(a)) * a;
}
Vec cross(Vec a, Vec b) {
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

// Rounds to the precision the hoc file keeps, so the in-memory cell equals the file read back.
double round4(double v) {
    const double r = std::round(v * 1e4) / 1e4;
    return r == 0 ? 0.0 : r;  // no "-0.0000"
}

class Generator {
  public:
    explicit Generator(std::uint64_t seed) : m_rng(seed) {}

    Morphology run() {
        m_cell.source = "<generated example cell>";
        soma();
        basal_trees();
        apical_tree();
        return std::move(m_cell);
    }

  private:
    // Uniform in [a, b) from the 53 high bits: mt19937_64's output is specified, so this is portable.
    double uniform(double a, double b) {
        return a + (b - a) * (static_cast<double>(m_rng() >> 11) * 0x1.0p-53);
    }

    Vec random_perpendicular(Vec dir) {
        for (;;) {
            Vec r{uniform(-1, 1), uniform(-1, 1), uniform(-1, 1)};
            Vec c = cross(dir, r);
            if (norm(c) > 1e-3) return unit(c);
        }
    }

    int add(std::string name, std::string label, int parent, double parent_x, std::vector<Point3d> points) {
        MorphologySection s;
        s.id = static_cast<int>(m_cell.sections.size());
        s.name = std::move(name);
        s.label = std::move(label);
        s.parent_id = parent;
        s.parent_x = parent_x;
        for (auto& p : points) p = {round4(p.x), round4(p.y), round4(p.z), round4(p.d)};
        s.points = std::move(points);
        m_cell.sections.push_back(std::move(s));
        return static_cast<int>(m_cell.sections.size()) - 1;
    }

    // A tortuous path of `length` µm from `start` along `dir`, pulled towards `pull`, diameter d0 -> d1.
    std::vector<Point3d> grow(Vec start, Vec& dir, double length, double d0, double d1, Vec pull,
                              double pull_strength, double jitter = 0.18) {
        const int steps = std::max(2, static_cast<int>(std::ceil(length / 6.0)));
        const double step = length / steps;
        std::vector<Point3d> pts{{start.x, start.y, start.z, d0}};
        Vec p = start;
        for (int i = 1; i <= steps; ++i) {
            Vec wobble{uniform(-jitter, jitter), uniform(-jitter, jitter), uniform(-jitter, jitter)};
            dir = unit(dir + wobble + pull_strength * pull);
            p = p + step * dir;
            const double t = static_cast<double>(i) / steps;
            pts.push_back({p.x, p.y, p.z, d0 + (d1 - d0) * t});
        }
        return pts;
    }

    static Vec end_of(const std::vector<Point3d>& pts) { return {pts.back().x, pts.back().y, pts.back().z}; }

    void soma() {
        // An ellipsoid-like profile along z: 20 µm long, 17 µm wide in the middle.
        std::vector<Point3d> pts;
        const int n = 11;
        for (int i = 0; i < n; ++i) {
            const double t = -1.0 + 2.0 * i / (n - 1);
            pts.push_back({0, 0, 10.0 * t, std::max(5.0, 17.0 * std::sqrt(1 - 0.8 * t * t))});
        }
        m_soma = add("soma", "Soma", -1, 0.5, std::move(pts));
    }

    // A binary tree below `parent`: `lengths[k]` and `diams[k]` per level.
    void tree(const std::string& name, const std::string& label, int parent, Vec start, Vec dir, int level,
              const std::vector<std::array<double, 2>>& lengths,
              const std::vector<std::array<double, 2>>& diams, Vec pull, double pull_strength, double angle) {
        const double length = uniform(lengths[level][0], lengths[level][1]);
        auto pts = grow(start, dir, length, diams[level][0], diams[level][1], pull, pull_strength);
        const int id = add(name, label, parent, parent == m_soma ? 0.5 : 1.0, pts);
        if (level + 1 >= static_cast<int>(lengths.size())) return;
        const Vec end = end_of(m_cell.sections[id].points);
        const Vec w = random_perpendicular(dir);
        const double a = angle * uniform(0.7, 1.3);
        tree(name + "_0", label, id, end, unit(std::cos(a) * dir + std::sin(a) * w), level + 1, lengths,
             diams, pull, pull_strength, angle);
        tree(name + "_1", label, id, end, unit(std::cos(a) * dir + (-std::sin(a)) * w), level + 1, lengths,
             diams, pull, pull_strength, angle);
    }

    void basal_trees() {
        const int trees = 7;
        for (int k = 0; k < trees; ++k) {
            const double phi = 2 * std::numbers::pi * k / trees + uniform(-0.3, 0.3);
            const double elevation = uniform(-0.9, -0.2);  // radians below the horizontal plane
            Vec dir = unit({std::cos(phi) * std::cos(elevation), std::sin(phi) * std::cos(elevation),
                            std::sin(elevation)});
            Vec start = 7.5 * dir + Vec{0, 0, -2.0};
            tree(fmt::format("dend_{}", k + 1), "Dendrite", m_soma, start, dir, 0,
                 {{25, 40}, {50, 80}, {140, 200}}, {{1.6, 1.2}, {1.0, 0.8}, {0.7, 0.45}}, {0, 0, -1}, 0.02,
                 0.55);
        }
    }

    void apical_tree() {
        // Trunk pieces between oblique branch points, tapering 4.2 -> 2.0 µm up to the main bifurcation.
        const std::array<double, 9> stops{80, 140, 200, 270, 340, 410, 490, 570, 760};
        const double top = stops.back();
        auto trunk_diam = [&](double z) { return 4.2 - 2.2 * (z / top); };
        Vec dir{0, 0, 1};
        Vec start{0, 0, 10};
        int parent = m_soma;
        double z = 0;
        for (std::size_t k = 0; k < stops.size(); ++k) {
            auto pts =
                grow(start, dir, stops[k] - z, trunk_diam(z), trunk_diam(stops[k]), {0, 0, 1}, 0.25, 0.08);
            const int id = add(fmt::format("apical_trunk_{}", k), "ApicalDendrite", parent,
                               parent == m_soma ? 0.5 : 1.0, pts);
            start = end_of(m_cell.sections[id].points);
            z = stops[k];
            parent = id;
            if (k + 1 == stops.size()) break;
            // One oblique at each trunk branch point, pointing up and out; every other one bifurcates.
            const double phi = 2.39996 * static_cast<double>(k) + uniform(-0.4, 0.4);  // golden-angle spread
            Vec odir = unit({std::cos(phi), std::sin(phi), uniform(0.3, 0.8)});
            std::vector<std::array<double, 2>> lengths{{110, 200}};
            std::vector<std::array<double, 2>> diams{{1.1, 0.7}};
            if (k % 2 == 0) {
                lengths.push_back({70, 120});
                diams.push_back({0.6, 0.45});
            }
            tree(fmt::format("apical_oblique_{}", k), "ApicalDendrite", id, start, odir, 0, lengths, diams,
                 {0, 0, 1}, 0.03, 0.5);
        }
        // The tuft: three levels of bifurcations reaching towards the pia (+z).
        const Vec w = random_perpendicular(dir);
        const double a = 0.6;
        for (int side = 0; side < 2; ++side) {
            Vec tdir = unit(std::cos(a) * dir + ((side == 0 ? 1.0 : -1.0) * std::sin(a)) * w);
            tree(fmt::format("apical_tuft_{}", side), "ApicalDendrite", parent, start, tdir, 0,
                 {{120, 170}, {100, 140}, {110, 160}}, {{1.9, 1.4}, {1.2, 0.9}, {0.8, 0.5}}, {0, 0, 1}, 0.06,
                 0.45);
        }
    }

    std::mt19937_64 m_rng;
    Morphology m_cell;
    int m_soma = -1;
};

std::string num(double v) {
    return fmt::format("{:.4f}", v);
}

}  // namespace

Morphology generate_example_cell(const ExampleCellOptions& options) {
    return Generator(options.seed).run();
}

std::string write_hoc(const Morphology& m) {
    std::string out;
    for (const auto& s : m.sections) {
        out += fmt::format("{{create {}}}\n", s.name);
        if (s.parent_id >= 0)
            out += fmt::format("{{connect {}(0), {}({})}}\n", s.name,
                               m.sections[static_cast<std::size_t>(s.parent_id)].name,
                               fmt::format("{:.6f}", s.parent_x));
        out += fmt::format("{{access {}}}\n{{nseg = 1}}\n{{pt3dclear()}}\n", s.name);
        for (const auto& p : s.points)
            out += fmt::format("{{pt3dadd({}, {}, {}, {})}}\n", num(p.x), num(p.y), num(p.z), num(p.d));
        out += "\n";
    }
    return out;
}

}  // namespace silico::experiments
