// CSV exports in ISF's table layouts (ISF_SPEC §9: spike_times, voltage_traces, synapse_activation,
// cell_activation): one row per trial (spikes, traces) or per active synapse / presynaptic cell, the trial
// index first, NaN padding as pandas writes it (an empty field).
#include <fstream>

#include "export_detail.hpp"
#include "silico/analysis/table.hpp"

namespace silico::analysis::detail {

namespace fs = std::filesystem;

namespace {

// RFC 4180: quoted when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

// Appends ",v0,v1,..." padded with empty fields up to `width` values.
void put_padded(std::string& line, std::span<const double> values, std::size_t width) {
    for (double v : values) (line += ',') += format_number(v);
    for (std::size_t i = values.size(); i < width; ++i) line += ',';
}

void put_numbered_header(std::string& line, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) (line += ',') += std::to_string(i);
    line += '\n';
}

// An output file under its temporary name, with a large buffer.
struct CsvFile {
    TempTarget temp;
    std::vector<char> buffer = std::vector<char>(1 << 20);  // declared before `out`, which writes into it
    std::ofstream out;
    explicit CsvFile(const fs::path& target) : temp(target) {
        out.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        out.open(temp.path(), std::ios::binary | std::ios::trunc);
    }
    Status finish() {
        out.close();
        if (!out) return fail(Errc::io, "cannot write the file", temp.path().string());
        return temp.commit();
    }
};

Result<ExportReport> csv_spikes(const ExportRows& rows, CsvFile& file) {
    std::size_t width = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) width = std::max(width, rows.spikes(k).size());
    std::string line = "sim_trail_index";  // ISF's spelling of its spike table's index
    put_numbered_header(line, width);
    ExportReport report;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        line += csv_field(rows.index(k));
        put_padded(line, rows.spikes(k), width);
        line += '\n';
        report.values += rows.spikes(k).size();
        file.out << line;
        line.clear();
    }
    file.out << line;
    return report;
}

Result<ExportReport> csv_traces(const store::Store& store, const ExportRows& rows,
                                const ExportOptions& options, CsvFile& file) {
    ExportReport report;
    std::string line;
    auto begin = [&](const std::vector<double>& time) -> Status {
        file.out << "sim_trial_index";
        for (double t : time) file.out << ',' << format_number(t);
        file.out << '\n';
        return {};
    };
    auto each = [&](std::size_t k, const std::vector<double>& v) -> Status {
        line = csv_field(rows.index(k));
        put_padded(line, v, 0);
        line += '\n';
        file.out << line;
        report.values += v.size();
        return {};
    };
    if (auto st = for_each_trace(store, rows, options, begin, each); !st) return std::unexpected(st.error());
    return report;
}

Result<ExportReport> csv_activations(const store::Store& store, const ExportRows& rows,
                                     const ExportOptions& options, CsvFile& file) {
    const bool synapses = options.what == ExportWhat::synapses;
    auto table = read_activations(store, rows, synapses, options);
    if (!table) return std::unexpected(table.error());
    const std::size_t width = table->max_times();
    std::string line = synapses
                           ? "sim_trial_index,synapse_type,synapse_ID,soma_distance,section_ID,section_pt_ID,"
                             "dendrite_label"
                           : "sim_trial_index,presynaptic_cell_type,cell_ID";
    put_numbered_header(line, width);
    file.out << line;
    ExportReport report;
    for (std::size_t e = 0; e < table->size(); ++e) {
        line = csv_field(rows.index(table->trial[e]));
        (line += ',') += csv_field(table->type[e]);
        (line += ',') += std::to_string(table->id[e]);
        if (synapses) {
            (line += ',') += format_number(table->distance[e]);
            (line += ',') += std::to_string(table->section[e]);
            (line += ',') += std::to_string(table->point[e]);
            (line += ',') += csv_field(table->label[e]);
        }
        put_padded(line, table->times_of(e), width);
        line += '\n';
        file.out << line;
    }
    report.values = table->times.size();
    return report;
}

}  // namespace

Result<ExportReport> export_csv(const store::Store* store, const ExportRows& rows, const fs::path& target,
                                const ExportOptions& options) {
    CsvFile file(target);
    if (!file.out) return fail(Errc::io, "cannot create the file", file.temp.path().string());
    Result<ExportReport> report = options.what == ExportWhat::spikes ? csv_spikes(rows, file)
                                  : options.what == ExportWhat::traces
                                      ? csv_traces(*store, rows, options, file)
                                      : csv_activations(*store, rows, options, file);
    if (!report) return report;
    if (auto st = file.finish(); !st) return std::unexpected(st.error());
    report->trials = rows.size();
    report->files = {target};
    return report;
}

}  // namespace silico::analysis::detail
