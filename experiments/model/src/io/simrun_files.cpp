#include "silico/model/simrun_files.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "io/text.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {

using detail::for_each_line;
using detail::parse_double;
using detail::parse_int;
using detail::split_any;
using detail::trim;
using detail::where;

namespace {

// Fields split on tabs and commas alike (ISF's loader turns tabs into commas); empty fields dropped only at
// the end, where the trailing ',' after the last time leaves one.
std::vector<std::string_view> fields(std::string_view line) {
    auto f = split_any(line, "\t,");
    while (!f.empty() && trim(f.back()).empty()) f.pop_back();
    return f;
}

Status parse_times(const std::vector<std::string_view>& f, std::size_t first, std::vector<double>& out,
                   std::string_view source, std::size_t n) {
    for (std::size_t i = first; i < f.size(); ++i) {
        auto t = parse_double(f[i]);
        if (!t)
            return fail(
                Errc::parse,
                "time '" + std::string(f[i]) + "' is not a number (field " + std::to_string(i + 1) + ")",
                where(source, n));
        out.push_back(*t);
    }
    return {};
}

Status write_atomically(const std::filesystem::path& file, const std::string& content) {
    auto tmp = file;
    tmp += ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return fail(Errc::io, "cannot create file", tmp.string());
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) return fail(Errc::io, "write failed", tmp.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) return fail(Errc::io, "cannot rename to target: " + ec.message(), file.string());
    return {};
}

void append_times(std::string& out, const std::vector<double>& times) {
    for (double t : times) {
        detail::append_python_float(out, t);
        out += ',';
    }
}

}  // namespace

Result<std::vector<SynapseActivationRow>> parse_synapse_activation(std::string_view text,
                                                                   std::string_view source) {
    std::vector<SynapseActivationRow> rows;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        if (trim(line).empty() || trim(line).front() == '#') return {};
        auto f = fields(line);
        if (f.size() < 6)
            return fail(
                Errc::parse,
                "expected at least 6 fields (type, synapse ID, soma distance, section ID, section pt ID, "
                "dendrite label), found " +
                    std::to_string(f.size()),
                where(source, n));
        SynapseActivationRow row;
        row.synapse_type = std::string(trim(f[0]));
        auto synapse_id = parse_int(f[1]);
        if (!synapse_id)
            return fail(Errc::parse, "synapse ID '" + std::string(f[1]) + "' is not an integer",
                        where(source, n));
        row.synapse_id = *synapse_id;
        auto soma_distance = parse_double(f[2]);
        if (!soma_distance)
            return fail(Errc::parse, "soma distance '" + std::string(f[2]) + "' is not a number",
                        where(source, n));
        row.soma_distance = *soma_distance;
        auto section_id = parse_int(f[3]);
        if (!section_id)
            return fail(Errc::parse, "section ID '" + std::string(f[3]) + "' is not an integer",
                        where(source, n));
        row.section_id = *section_id;
        auto section_pt_id = parse_int(f[4]);
        if (!section_pt_id)
            return fail(Errc::parse, "section pt ID '" + std::string(f[4]) + "' is not an integer",
                        where(source, n));
        row.section_pt_id = *section_pt_id;
        row.dendrite_label = std::string(trim(f[5]));
        Status t = parse_times(f, 6, row.times, source, n);
        if (!t) return t;
        rows.push_back(std::move(row));
        return {};
    });
    if (!s) return std::unexpected(s.error());
    return rows;
}

Result<std::vector<SynapseActivationRow>> read_synapse_activation_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_synapse_activation(*text, file.string());
}

std::string format_synapse_activation(const std::vector<SynapseActivationRow>& rows) {
    std::string out =
        "# synapse type\tsynapse ID\tsoma distance\tsection ID\tsection pt ID\tdendrite label\tactivation "
        "times\n";
    for (const auto& r : rows) {
        out += r.synapse_type;
        out += '\t';
        out += std::to_string(r.synapse_id);
        out += '\t';
        detail::append_python_float(out, r.soma_distance);
        out += '\t';
        out += std::to_string(r.section_id);
        out += '\t';
        out += std::to_string(r.section_pt_id);
        out += '\t';
        out += r.dendrite_label;
        out += '\t';
        append_times(out, r.times);
        out += '\n';
    }
    return out;
}

Status write_synapse_activation_file(const std::filesystem::path& file,
                                     const std::vector<SynapseActivationRow>& rows) {
    return write_atomically(file, format_synapse_activation(rows));
}

Result<std::vector<PresynapticCellRow>> parse_presynaptic_cells(std::string_view text,
                                                                std::string_view source) {
    std::vector<PresynapticCellRow> rows;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        if (trim(line).empty() || trim(line).front() == '#') return {};
        auto f = fields(line);
        if (f.size() < 2)
            return fail(Errc::parse,
                        "expected at least 2 fields (cell type, cell ID), found " + std::to_string(f.size()),
                        where(source, n));
        PresynapticCellRow row;
        row.cell_type = std::string(trim(f[0]));
        auto cell_id = parse_int(f[1]);
        if (!cell_id)
            return fail(Errc::parse, "cell ID '" + std::string(f[1]) + "' is not an integer",
                        where(source, n));
        row.cell_id = *cell_id;
        Status t = parse_times(f, 2, row.times, source, n);
        if (!t) return t;
        rows.push_back(std::move(row));
        return {};
    });
    if (!s) return std::unexpected(s.error());
    return rows;
}

Result<std::vector<PresynapticCellRow>> read_presynaptic_cells_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_presynaptic_cells(*text, file.string());
}

std::string format_presynaptic_cells(const std::vector<PresynapticCellRow>& rows) {
    std::string out = "# presynaptic cell type\tcell ID\tspike times\n";
    for (const auto& r : rows) {
        out += r.cell_type;
        out += '\t';
        out += std::to_string(r.cell_id);
        out += '\t';
        append_times(out, r.times);
        out += '\n';
    }
    return out;
}

Status write_presynaptic_cells_file(const std::filesystem::path& file,
                                    const std::vector<PresynapticCellRow>& rows) {
    return write_atomically(file, format_presynaptic_cells(rows));
}

Result<VmTraces> parse_vm_traces(std::string_view text, std::string_view source) {
    VmTraces out;
    bool header = false;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        if (trim(line).empty()) return {};
        auto f = split_any(line, "\t");
        if (!header) {
            header = true;
            if (f.empty() || trim(f[0]) != "t")
                return fail(Errc::parse, "expected a header line starting with 't'", where(source, n));
            for (std::size_t i = 1; i < f.size(); ++i) out.labels.emplace_back(trim(f[i]));
            out.runs.resize(out.labels.size());
            return {};
        }
        while (f.size() > out.labels.size() + 1 && trim(f.back()).empty()) f.pop_back();
        if (f.size() != out.labels.size() + 1)
            return fail(Errc::parse,
                        "expected " + std::to_string(out.labels.size() + 1) + " fields, found " +
                            std::to_string(f.size()),
                        where(source, n));
        auto t = parse_double(f[0]);
        if (!t)
            return fail(Errc::parse, "time '" + std::string(f[0]) + "' is not a number", where(source, n));
        out.t.push_back(*t);
        for (std::size_t i = 1; i < f.size(); ++i) {
            auto v = parse_double(f[i]);
            if (!v)
                return fail(Errc::parse, "value '" + std::string(f[i]) + "' is not a number",
                            where(source, n));
            out.runs[i - 1].push_back(*v);
        }
        return {};
    });
    if (!s) return std::unexpected(s.error());
    if (!header) return fail(Errc::parse, "empty file, expected a header line", std::string(source));
    return out;
}

Result<VmTraces> read_vm_traces_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_vm_traces(*text, file.string());
}

std::string format_vm_traces(const VmTraces& traces) {
    std::string out = "t";
    for (const auto& l : traces.labels) {
        out += '\t';
        out += l;
    }
    out += '\n';
    for (std::size_t k = 0; k < traces.t.size(); ++k) {
        detail::append_python_float(out, traces.t[k]);
        for (const auto& run : traces.runs) {
            out += '\t';
            detail::append_python_float(out, run[k]);
        }
        out += '\n';
    }
    return out;
}

Status write_vm_traces_file(const std::filesystem::path& file, const VmTraces& traces) {
    for (const auto& run : traces.runs)
        if (run.size() != traces.t.size())
            return fail(Errc::invalid_argument, "every run needs one value per time sample", file.string());
    if (traces.runs.size() != traces.labels.size())
        return fail(Errc::invalid_argument, "one label per run required", file.string());
    return write_atomically(file, format_vm_traces(traces));
}

std::vector<std::string> make_vm_labels(std::size_t runs) {
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < runs; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "Vm run %02zu", i);
        labels.emplace_back(buf);
    }
    return labels;
}

std::string synapse_activation_file_name(std::int64_t trial) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "simulation_run%04lld_synapses.csv", static_cast<long long>(trial));
    return buf;
}

std::string presynaptic_cells_file_name(std::int64_t trial) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "simulation_run%04lld_presynaptic_cells.csv",
                  static_cast<long long>(trial));
    return buf;
}

}  // namespace silico::experiments
