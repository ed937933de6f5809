// The analysis queries (silico/analysis/*.hpp) on a dataset, each returning its table as `silico query --json`
// prints it, by column. Nothing is recomputed here: the module calls the C++ queries and converts their tables.
#include <pybind11/stl.h>

#include <optional>

#include "py_dataset.hpp"
#include "silico/analysis/detect.hpp"
#include "silico/analysis/spikes.hpp"
#include "silico/analysis/synapses.hpp"
#include "silico/analysis/traces.hpp"

namespace silico::python {

namespace {

using analysis::Cell;
using analysis::SelectOptions;
using Strings = std::vector<std::string>;

enum class Kind { integer, number, text };

Kind kind_of(const analysis::Table& table, std::size_t c) {
    Kind k = Kind::integer;
    for (const auto& row : table.rows) {
        if (std::holds_alternative<std::string>(row[c])) return Kind::text;
        if (std::holds_alternative<double>(row[c])) k = Kind::number;
    }
    return k;
}

double number(const Cell& cell) {
    if (const auto* d = std::get_if<double>(&cell)) return *d;
    return static_cast<double>(std::get<std::int64_t>(cell));
}

std::string text(const Cell& cell) {
    if (const auto* s = std::get_if<std::string>(&cell)) return *s;
    if (const auto* d = std::get_if<double>(&cell)) return analysis::format_number(*d);
    return std::to_string(std::get<std::int64_t>(cell));
}

// Runs `query` without the GIL and converts its table.
template <class F>
py::dict run(F&& query) {
    std::optional<analysis::Table> table;
    {
        py::gil_scoped_release unlocked;
        table = query();
    }
    return table_to_python(*table);
}

std::optional<double> opt(const py::object& value) {
    if (value.is_none()) return std::nullopt;
    return value.cast<double>();
}

}  // namespace

py::dict table_to_python(const analysis::Table& table) {
    py::list data;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        switch (kind_of(table, c)) {
            case Kind::integer: {
                std::vector<std::int64_t> v;
                v.reserve(table.rows.size());
                for (const auto& row : table.rows) v.push_back(std::get<std::int64_t>(row[c]));
                data.append(to_numpy(std::move(v)));
                break;
            }
            case Kind::number: {
                std::vector<double> v;
                v.reserve(table.rows.size());
                for (const auto& row : table.rows) v.push_back(number(row[c]));
                data.append(to_numpy(std::move(v)));
                break;
            }
            case Kind::text: {
                Strings v;
                v.reserve(table.rows.size());
                for (const auto& row : table.rows) v.push_back(text(row[c]));
                data.append(to_list(v));
                break;
            }
        }
    }
    py::dict out;
    out["columns"] = to_list(table.columns);
    out["data"] = data;
    return out;
}

namespace {

// Queries over the dataset's own spike times, on its kept groupings.
void register_spike_queries(py::class_<PyDataset>& cls) {
    cls.def(
        "query_spikes",
        [](PyDataset& s, const Strings& where, const Strings& by) {
            const auto& g = s.groups({where, by});
            return run([&] { return to_table(take(analysis::query_spikes(s.data(), g)), s.data()); });
        },
        py::arg("where"), py::arg("group_by"));
    cls.def(
        "query_window",
        [](PyDataset& s, double from, double to, const Strings& where, const Strings& by) {
            const auto& g = s.groups({where, by});
            return run([&] { return to_table(take(analysis::query_window(s.data(), {from, to}, g))); });
        },
        py::arg("start"), py::arg("stop"), py::arg("where"), py::arg("group_by"));
    cls.def(
        "query_psth",
        [](PyDataset& s, double bin, const py::object& from, const py::object& to, bool rate,
           const Strings& where, const Strings& by) {
            const analysis::PsthOptions o{bin, opt(from), opt(to), rate};
            const auto& g = s.groups({where, by});
            return run([&] { return to_table(take(analysis::query_psth(s.data(), o, g))); });
        },
        py::arg("bin"), py::arg("start"), py::arg("stop"), py::arg("rate"), py::arg("where"),
        py::arg("group_by"));
    cls.def(
        "query_bursts",
        [](PyDataset& s, const py::object& from, const py::object& to, double doublet_ms, double triplet_ms,
           bool events, const Strings& where, const Strings& by) {
            const analysis::BurstOptions o{doublet_ms, triplet_ms, opt(from), opt(to)};
            const auto& g = s.groups({where, by});
            return run([&] {
                auto r = take(analysis::query_bursts(s.data(), o, g));
                return events ? events_table(r, s.data()) : to_table(r);
            });
        },
        py::arg("start"), py::arg("stop"), py::arg("doublet_ms"), py::arg("triplet_ms"), py::arg("events"),
        py::arg("where"), py::arg("group_by"));
}

// Queries that read the trials' records from the store (traces, synapse activations), streamed by the library.
void register_record_queries(py::class_<PyDataset>& cls) {
    cls.def(
        "query_traces",
        [](PyDataset& s, const std::string& site, const std::string& variable, bool mean, bool sd,
           std::size_t every, const Strings& where, const Strings& by) {
            const analysis::TraceOptions o{site, variable, mean, sd, every};
            return run([&] {
                return to_table(
                    take(analysis::query_traces(*s.store(), s.data(), o, SelectOptions{where, by})));
            });
        },
        py::arg("site"), py::arg("variable"), py::arg("mean"), py::arg("sd"), py::arg("every"),
        py::arg("where"), py::arg("group_by"));
    cls.def(
        "query_synapses",
        [](PyDataset& s, const Strings& dims, double distance_bin, double time_bin, const py::object& from,
           const py::object& to, const Strings& where, const Strings& by) {
            analysis::SynapseOptions o;
            o.by.clear();
            for (const auto& d : dims) o.by.push_back(take(analysis::parse_synapse_dim(d)));
            o.distance_bin = distance_bin;
            o.time_bin = time_bin;
            o.from = opt(from);
            o.to = opt(to);
            return run([&] {
                return to_table(
                    take(analysis::query_synapses(*s.store(), s.data(), o, SelectOptions{where, by})));
            });
        },
        py::arg("by"), py::arg("distance_bin"), py::arg("time_bin"), py::arg("start"), py::arg("stop"),
        py::arg("where"), py::arg("group_by"));
    cls.def(
        "query_synapse_distances",
        [](PyDataset& s, const Strings& where, const Strings& by) {
            return run([&] {
                return to_table(
                    take(analysis::query_synapse_distances(*s.store(), s.data(), SelectOptions{where, by})));
            });
        },
        py::arg("where"), py::arg("group_by"));
    cls.def(
        "query_detect",
        [](PyDataset& s, double threshold, const std::string& site, const std::string& variable,
           const Strings& where, const Strings& by) {
            const analysis::DetectOptions o{threshold, site, variable};
            return run([&] {
                return to_table(
                    take(analysis::query_detect(*s.store(), s.data(), o, SelectOptions{where, by})),
                    s.data());
            });
        },
        py::arg("threshold"), py::arg("site"), py::arg("variable"), py::arg("where"), py::arg("group_by"));
}

}  // namespace

void register_queries(py::class_<PyDataset>& cls) {
    register_spike_queries(cls);
    register_record_queries(cls);
}

}  // namespace silico::python
