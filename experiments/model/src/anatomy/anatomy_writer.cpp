// Step 8 of the synapse mapper: ISF's .syn, .con, NumberOfConnectedCells.csv and summary csv, and Amira
// landmark files of the synapse positions (synapse_mapper.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>

#include "io/text.hpp"
#include "silico/model/morphology.hpp"
#include "silico/model/synapse_mapper.hpp"

namespace silico::experiments {
namespace {

using detail::append_python_float;
using detail::python_float;

// ISF's writer order of the presynaptic types in summaries (outCellTypes in writer.py).
constexpr std::string_view k_summary_types[] = {
    "L2",        "L34",       "L4py",      "L4sp",      "L4ss",      "L5st",     "L5tt",   "L6cc",
    "L6ccinv",   "L6ct",      "VPM",       "L1",        "L23Trans",  "L45Peak",  "L45Sym", "L56Trans",
    "SymLocal1", "SymLocal2", "SymLocal3", "SymLocal4", "SymLocal5", "SymLocal6"};

constexpr std::string_view k_sample_header =
    "Presynaptic cell type\tNumber of synapses\tMean path length to soma\tSD path length to soma\t"
    "Connected presynaptic cells\tTotal presynaptic cells\tConvergence\t"
    "Number of apical dendrite synapses\tMean path length to soma (apical synapses)\tSD path length to soma "
    "(apical synapses)\tConnected presynaptic cells (apical synapses)\tConvergence (apical synapses)\t"
    "Number of basal dendrite synapses\tMean path length to soma (basal synapses)\tSD path length to soma "
    "(basal synapses)\tConnected presynaptic cells (basal synapses)\tConvergence (basal synapses)\t"
    "Number of soma synapses\tConnected presynaptic cells (soma synapses)\tConvergence (soma synapses)\n";

constexpr std::string_view k_population_header =
    "Presynaptic cell type\tNumber of synapses\tSTD\tMean path length to soma\tSTD\tSD path length to "
    "soma\tSTD\t"
    "Connected presynaptic cells\tSTD\tTotal presynaptic cells\tConvergence\tSTD\t"
    "Number of apical dendrite synapses\tSTD\tMean path length to soma (apical synapses)\tSTD\tSD path "
    "length to "
    "soma (apical synapses)\tSTD\tConnected presynaptic cells (apical synapses)\tSTD\tConvergence (apical "
    "synapses)\tSTD\tNumber of basal dendrite synapses\tSTD\tMean path length to soma (basal "
    "synapses)\tSTD\tSD "
    "path length to soma (basal synapses)\tSTD\tConnected presynaptic cells (basal "
    "synapses)\tSTD\tConvergence "
    "(basal synapses)\tSTD\tNumber of soma synapses\tSTD\tConnected presynaptic cells (soma synapses)\tSTD\t"
    "Convergence (soma synapses)\tSTD\n";

// Summary type order: ISF's list first (those present), then any other type in nrCells order.
std::vector<std::size_t> summary_type_order(const std::vector<std::string>& types) {
    std::vector<std::size_t> order;
    for (auto t : k_summary_types) {
        auto it = std::find(types.begin(), types.end(), t);
        if (it != types.end()) order.push_back(static_cast<std::size_t>(it - types.begin()));
    }
    for (std::size_t i = 0; i < types.size(); ++i)
        if (std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
    return order;
}

void append_path(std::string& out, double v) {
    if (v == -1.0)
        out += "-1";  // ISF writes the integer -1 for "no synapse"
    else
        append_python_float(out, v);
}

void append_sample_row(std::string& out, const ConnectivitySummary& s) {
    auto i = [&](std::int64_t v) { out += fmt::format("\t{}", v); };
    auto f = [&](double v) {
        out += '\t';
        append_python_float(out, v);
    };
    auto p = [&](double v) {
        out += '\t';
        append_path(out, v);
    };
    i(s.synapses);
    p(s.mean_path);
    p(s.sd_path);
    i(s.connected);
    i(s.presynaptic);
    f(s.convergence);
    for (const auto* st : {&s.apical, &s.basal}) {
        i(st->synapses);
        p(st->mean_path);
        p(st->sd_path);
        i(st->connected);
        f(st->convergence);
    }
    i(s.soma.synapses);
    i(s.soma.connected);
    f(s.soma.convergence);
    out += '\n';
}

struct MeanSd {
    double mean = 0, sd = 0;
};
MeanSd mean_sd(const std::vector<double>& v) {
    if (v.empty()) return {-1.0, 0.0};
    double s = 0;
    for (double x : v) s += x;
    const double m = s / static_cast<double>(v.size());
    double q = 0;
    for (double x : v) q += (x - m) * (x - m);
    return {m, std::sqrt(q / static_cast<double>(v.size()))};
}

std::string atomic_write(const std::filesystem::path& file, std::string_view content, Status& status) {
    const auto tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) {
            status = fail(Errc::io, "cannot create file", tmp);
            return {};
        }
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            status = fail(Errc::io, "write failed", tmp);
            return {};
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) status = fail(Errc::io, "cannot rename into place: " + ec.message(), file.string());
    return file.string();
}

double synapse_x(const MappingInput& input, const MappedSynapse& syn) {
    const double x =
        input.cell.sections[static_cast<std::size_t>(syn.section)].x[static_cast<std::size_t>(syn.point)];
    return std::clamp(x, 0.0, 1.0);
}

}  // namespace

std::string format_syn_file(const MappingInput& input, const Realisation& realisation) {
    std::string out = "# Synapse distribution file\n# corresponding to cell: " + input.cell.name +
                      "\n# Type - section - section.x\n\n";
    for (std::size_t p = 0; p < input.populations.size(); ++p) {
        const auto name = input.populations[p].name();
        for (const auto& syn : realisation.populations[p].synapses) {
            out += name;
            out +=
                fmt::format("\t{}\t", input.cell.sections[static_cast<std::size_t>(syn.section)].output_id);
            append_python_float(out, synapse_x(input, syn));
            out += '\n';
        }
    }
    return out;
}

std::string format_con_file(const MappingInput& input, const Realisation& realisation,
                            std::string_view syn_name) {
    std::string out = "# Anatomical connectivity realization file; only valid with synapse realization:\n# " +
                      std::string(syn_name) + "\n# Type - cell ID - synapse ID\n\n";
    for (std::size_t p = 0; p < input.populations.size(); ++p) {
        const auto name = input.populations[p].name();
        const auto& syns = realisation.populations[p].synapses;
        for (std::size_t s = 0; s < syns.size(); ++s)
            out += fmt::format("{}\t{}\t{}\n", name, syns[s].cell, s);
    }
    return out;
}

std::string format_connected_cells(const MappingInput& input, const Realisation& realisation) {
    std::map<std::pair<std::string, std::string>, std::uint32_t> rows;
    for (std::size_t p = 0; p < input.populations.size(); ++p)
        rows[{input.populations[p].column, input.populations[p].cell_type}] =
            realisation.populations[p].connected_cells;
    std::string out = "Presynaptic column\tPresynaptic cell type\tConnected presynaptic cells\n";
    for (const auto& [key, n] : rows) out += fmt::format("{}\t{}\t{}\n", key.first, key.second, n);
    return out;
}

std::string format_summary(const MappingInput& input, const AnatomyResult& result,
                           const MapperOptions& options) {
    std::string out = "# connectivity per cell type population summary\n";
    out += k_population_header;
    const auto& types = input.counts.cell_types;
    const auto order = summary_type_order(types);
    for (auto t : order) {
        out += types[t];
        std::vector<const ConnectivitySummary*> rs;
        for (const auto& s : result.summaries) rs.push_back(&s.per_type[t]);
        auto stat = [&](auto get, bool path) {
            std::vector<double> v;
            for (const auto* r : rs) {
                const double x = get(*r);
                if (path && !options.isf_compat && x == -1.0) continue;  // realisation without such synapses
                v.push_back(x);
            }
            return mean_sd(v);
        };
        auto both = [&](MeanSd m) {
            out += '\t';
            append_python_float(out, m.mean);
            out += '\t';
            append_python_float(out, m.sd);
        };
        using S = ConnectivitySummary;
        both(stat([](const S& s) { return double(s.synapses); }, false));
        both(stat([](const S& s) { return s.mean_path; }, true));
        both(stat([](const S& s) { return s.sd_path; }, true));
        both(stat([](const S& s) { return double(s.connected); }, false));
        out += '\t';
        append_python_float(out, stat([](const S& s) { return double(s.presynaptic); }, false).mean);
        both(stat([](const S& s) { return s.convergence; }, false));
        for (auto pick : {+[](const S& s) { return &s.apical; }, +[](const S& s) { return &s.basal; }}) {
            both(stat([&](const S& s) { return double(pick(s)->synapses); }, false));
            const auto mean = stat([&](const S& s) { return pick(s)->mean_path; }, true);
            both(mean);
            // ISF averages the per-realisation means again for the SD column (populationSTDAvg bug).
            both(options.isf_compat ? mean : stat([&](const S& s) { return pick(s)->sd_path; }, true));
            both(stat([&](const S& s) { return double(pick(s)->connected); }, false));
            both(stat([&](const S& s) { return pick(s)->convergence; }, false));
        }
        both(stat([](const S& s) { return double(s.soma.synapses); }, false));
        both(stat([](const S& s) { return double(s.soma.connected); }, false));
        both(stat([](const S& s) { return s.soma.convergence; }, false));
        out += '\n';
    }
    out += "\n# connectivity per cell type representative realization summary\n";
    out += k_sample_header;
    if (!result.summaries.empty()) {
        const auto& rep = result.summaries[result.representative];
        for (auto t : order) {
            out += types[t];
            append_sample_row(out, rep.per_type[t]);
        }
        out += "\n# connectivity per column per cell type summary\nPresynaptic column\t";
        out += k_sample_header;
        std::vector<std::size_t> columns(input.counts.columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) columns[c] = c;
        std::sort(columns.begin(), columns.end(),
                  [&](auto a, auto b) { return input.counts.columns[a] < input.counts.columns[b]; });
        const std::size_t nt = types.size();
        for (auto c : columns)
            for (auto t : order) {
                const std::size_t p = c * nt + t;  // populations: columns in header order, types in row order
                out += input.counts.columns[c] + "\t" + types[t];
                append_sample_row(out, rep.per_population[p]);
            }
    }
    return out;
}

Result<AnatomyFiles> write_anatomy(const std::filesystem::path& dir, const MappingInput& input,
                                   const AnatomyResult& result, const MapperOptions& options,
                                   bool landmarks) {
    if (result.realisations.empty()) return fail(Errc::invalid_argument, "no realisation to write");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(Errc::io, "cannot create folder: " + ec.message(), dir.string());
    const auto& rep = result.realisations[result.representative];
    AnatomyFiles files;
    const std::string stem = input.cell.name + "_synapses";
    files.syn = dir / (stem + ".syn");
    files.con = dir / (stem + ".con");
    files.connected_cells = dir / "NumberOfConnectedCells.csv";
    files.summary = dir / (input.cell.name + "_summary.csv");
    Status status;
    atomic_write(files.syn, format_syn_file(input, rep), status);
    if (status) atomic_write(files.con, format_con_file(input, rep, files.syn.filename().string()), status);
    if (status) atomic_write(files.connected_cells, format_connected_cells(input, rep), status);
    if (status) atomic_write(files.summary, format_summary(input, result, options), status);
    if (!status) return std::unexpected(status.error());
    if (!landmarks) return files;

    static constexpr std::string_view k_kinds[] = {"total", "apical", "basal", "soma"};
    for (auto kind : k_kinds) {
        std::filesystem::create_directories(dir / "landmarks" / (std::string(kind) + "_synapses"), ec);
        if (ec) return fail(Errc::io, "cannot create folder: " + ec.message(), (dir / "landmarks").string());
    }
    for (std::size_t p = 0; p < input.populations.size(); ++p) {
        std::vector<std::array<double, 3>> pts[4];
        for (const auto& syn : rep.populations[p].synapses) {
            const auto& sec = input.cell.sections[static_cast<std::size_t>(syn.section)];
            const auto& xyz = sec.xyz[static_cast<std::size_t>(syn.point)];
            const auto& label = input.cell.structures[static_cast<std::size_t>(sec.structure)].label;
            pts[0].push_back(xyz);
            pts[label == k_label_apical ? 1 : label == k_label_dendrite ? 2 : 3].push_back(xyz);
        }
        for (int k = 0; k < 4; ++k) {
            std::string text = fmt::format(
                "# AmiraMesh 3D ASCII 2.0\n\ndefine Markers {}\n\nParameters {{\n\tNumSets 1,\n\tContentType "
                "\"LandmarkSet\"\n}}\n\nMarkers {{ float[3] Coordinates }} @1\n\n# Data section "
                "follows\n@1\n",
                pts[k].size());
            for (const auto& q : pts[k]) text += fmt::format("{:.6f} {:.6f} {:.6f}\n", q[0], q[1], q[2]);
            const auto name = fmt::format("{}_{}_synapses_{}.landmarkAscii", input.cell.name, k_kinds[k],
                                          input.populations[p].name());
            atomic_write(dir / "landmarks" / (std::string(k_kinds[k]) + "_synapses") / name, text, status);
            if (!status) return std::unexpected(status.error());
        }
    }
    return files;
}

}  // namespace silico::experiments
