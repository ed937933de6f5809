// Stored trial outputs in ISF's layouts, for rows [start, stop) of a dataset (one chunk of a dataset larger than
// memory): soma or site traces as one trials x samples matrix, synapse activations and presynaptic spikes as
// one row per synapse (or cell) with NaN-padded release times. Each array is decoded once into a buffer that
// numpy then owns; the GIL is released while the store is read, and activations decode on every core
// (row_decoder.hpp) with store/trial_outputs.hpp's decoder.
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "py_dataset.hpp"
#include "row_decoder.hpp"
#include "silico/analysis/time_axis.hpp"
#include "silico/store/array.hpp"
#include "silico/store/read_outputs.hpp"
#include "silico/store/trial_outputs.hpp"

namespace silico::python {

namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

Status require_records(const PyDataset& self, std::string_view what) {
    if (self.data().has_records()) return {};
    return fail(Errc::invalid_argument,
                "the dataset holds spike times only (" + self.data().provenance().kind + "), no stored " +
                    std::string(what),
                "dataset " + self.name());
}

// Output `name` of a trial, decoded; Errc::not_found listing the outputs the trial has.
store::NumericArray read_output(const store::Store& store, const store::TrialRecord& record,
                                const std::string& name, std::string_view index) {
    auto it = record.outputs.find(name);
    if (it == record.outputs.end()) raise(store::missing_output(record, name).within(in_trial(index)));
    auto bytes = store.get_blob(it->second.digest);
    if (!bytes) raise(bytes.error().within(in_trial(index) + ": " + name));
    auto array = store::decode_array(*bytes);
    if (!array) raise(array.error().within(in_trial(index) + ": " + name));
    return std::move(*array);
}

store::TrialRecord record_of(const store::Store& store, const PyDataset& self, std::size_t row) {
    auto r = store.find_trial(self.data().keys()[row]);
    if (!r) raise(r.error().within(in_trial(self.data().index()[row])));
    return std::move(*r);
}

const std::vector<double>& one_column(const store::NumericArray& a, const std::string& name,
                                      std::string_view index) {
    if (a.kind != store::ArrayKind::f64_table || a.f64.size() != 1)
        raise(Error{Errc::invalid_argument, name + " is not one trace (name a site's recording with site=)",
                    in_trial(index)});
    return a.f64[0];
}

py::dict traces(const PyDataset& self, const std::string& site, const std::string& variable,
                py::ssize_t start, py::ssize_t stop) {
    check(require_records(self, "traces"));
    const auto [lo, hi] = row_range(self.data(), start, stop);
    const std::string name = site + "." + variable;
    std::vector<double> matrix;
    analysis::TimeAxis time;
    {
        const auto lease = self.store();
        const store::Store& st = *lease;
        py::gil_scoped_release unlocked;
        for (std::size_t i = lo; i < hi; ++i) {
            const std::string_view index = self.data().index()[i];
            const auto record = record_of(st, self, i);
            auto same = time.adopt(st, record);
            if (!same) raise(same.error().within(in_trial(index)));
            if (!*same)
                raise(Error{Errc::invalid_argument,
                            "is sampled at other times than trial " + std::string(self.data().index()[lo]) +
                                " (read trials of one sampling together, e.g. with where=)",
                            in_trial(index)});
            if (i == lo) matrix.reserve((hi - lo) * time.values().size());
            const auto array = read_output(st, record, name, index);
            const auto& v = one_column(array, name, index);
            if (v.size() != time.values().size())
                raise(Error{Errc::corruption,
                            name + " has " + std::to_string(v.size()) + " samples, time has " +
                                std::to_string(time.values().size()),
                            in_trial(index)});
            matrix.insert(matrix.end(), v.begin(), v.end());
        }
    }
    const auto samples = static_cast<py::ssize_t>(time.values().size());
    py::dict out;
    out["time"] = to_numpy(std::vector<double>(time.values()));
    out["values"] = to_numpy(std::move(matrix), {static_cast<py::ssize_t>(hi - lo), samples});
    return out;
}

// Text values as pandas.Categorical's codes and categories (first appearance order). The decoder interns each
// trial's column, so a trial's distinct names are looked up once and its rows only map codes.
struct Categories {
    std::unordered_map<std::string, std::int32_t> code_of;
    std::vector<std::string> names;
    std::vector<std::int32_t> codes;
    std::vector<std::int32_t> remap;  // the current trial's codes -> ours
    void add(const store::InternedStrings& column) {
        remap.clear();
        for (const auto& name : column.names) {
            auto [it, added] = code_of.try_emplace(name, static_cast<std::int32_t>(names.size()));
            if (added) names.push_back(name);
            remap.push_back(it->second);
        }
        const std::size_t base = codes.size();
        codes.resize(base + column.codes.size());
        for (std::size_t r = 0; r < column.codes.size(); ++r) codes[base + r] = remap[column.codes[r]];
    }
    py::tuple to_python() { return py::make_tuple(to_numpy(std::move(codes)), to_list(names)); }
};

// Release times of every synapse (cell) of the chunk, kept flat (one buffer, not one allocation per synapse)
// and padded with NaN to the longest list at the end.
struct PaddedLists {
    std::vector<double> values;
    std::vector<std::size_t> offsets{0};
    std::size_t width = 0;
    void reserve(std::size_t lists, std::size_t total) {
        offsets.reserve(lists + 1);
        values.reserve(total);
    }
    // A trial's decoded spike lists (store::FlatArray of kind spike_lists).
    void add(const store::FlatArray& lists) {
        const std::size_t base = values.size();
        values.insert(values.end(), lists.f64.begin(), lists.f64.end());
        for (std::size_t r = 0; r < lists.rows; ++r) {
            offsets.push_back(base + lists.offsets[r + 1]);
            width = std::max<std::size_t>(width, lists.offsets[r + 1] - lists.offsets[r]);
        }
    }
    py::array_t<double> to_python() {
        const std::size_t rows = offsets.size() - 1;
        std::vector<double> m(rows * width, k_nan);
        for (std::size_t r = 0; r < rows; ++r)
            std::copy(values.begin() + static_cast<std::ptrdiff_t>(offsets[r]),
                      values.begin() + static_cast<std::ptrdiff_t>(offsets[r + 1]),
                      m.begin() + static_cast<std::ptrdiff_t>(r * width));
        values = {};
        return to_numpy(std::move(m), {static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(width)});
    }
};

// Appends column `c` of a decoded table (store::FlatArray values, `rows` per column) to `out`.
template <class T>
void append_column(std::vector<T>& out, const std::vector<T>& flat, std::size_t rows, std::size_t c) {
    const auto first = flat.begin() + static_cast<std::ptrdiff_t>(c * rows);
    out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(rows));
}

// The outputs `names` of row `row`'s trial as stored (not yet decoded) into `out`, checked by RocksDB's block
// checksums as the analysis queries read them. Returns errors rather than raising: it runs on the decoder
// threads.
template <std::size_t N>
Status fetch_outputs(const store::Store& st, const PyDataset& self, std::size_t row,
                     const std::array<std::string_view, N>& names, std::vector<store::NamedArray>& out) {
    const std::string_view index = self.data().index()[row];
    auto record = st.find_trial(self.data().keys()[row]);
    if (!record) return std::unexpected(record.error().within(in_trial(index)));
    if (auto read = store::read_outputs(st, *record, names, out, store::BlobCheck::block_checksums); !read)
        return std::unexpected(read.error().within(in_trial(index)));
    return {};
}

// Row `row`'s activation outputs decoded into `table` by store/trial_outputs.hpp's decoder.
template <class Table, std::size_t N, class Decoder>
Status decode_row(const store::Store& st, const PyDataset& self, std::size_t row,
                  const std::array<std::string_view, N>& names, Decoder decoder, Table& table) {
    thread_local std::vector<store::NamedArray> arrays;
    if (auto fetched = fetch_outputs(st, self, row, names, arrays); !fetched) return fetched;
    if (auto decoded = decoder(arrays, table); !decoded)
        return std::unexpected(decoded.error().within(in_trial(self.data().index()[row])));
    return {};
}

py::dict synapse_activation(const PyDataset& self, py::ssize_t start, py::ssize_t stop) {
    check(require_records(self, "synapse activations"));
    const auto [lo, hi] = row_range(self.data(), start, stop);
    std::vector<std::int64_t> row, synapse_id, section_id, point_id;
    std::vector<double> distance;
    Categories type, label;
    PaddedLists times;
    {
        const auto lease = self.store();
        const store::Store& st = *lease;
        py::gil_scoped_release unlocked;
        auto decode = [&](std::size_t i, store::SynapseActivationTable& t) {
            return decode_row(
                st, self, i, store::k_synapse_activation_outputs,
                [](const auto& arrays, auto& out) { return store::decode_synapse_activation(arrays, out); },
                t);
        };
        auto take = [&](std::size_t i, const store::SynapseActivationTable& t) {
            const std::size_t n = t.size();
            if (i == lo) {  // room for every trial the size of the first: growing by doubling copied and
                // page-faulted the columns several times over (reserved pages cost nothing untouched)
                const std::size_t rows = n * (hi - lo) * 11 / 10;
                for (auto* v : {&row, &synapse_id, &section_id, &point_id}) v->reserve(rows);
                distance.reserve(rows);
                type.codes.reserve(rows);
                label.codes.reserve(rows);
                times.reserve(rows, t.times.f64.size() * (hi - lo) * 11 / 10);
            }
            row.insert(row.end(), n, static_cast<std::int64_t>(i));
            type.add(t.population);
            label.add(t.label);
            append_column(synapse_id, t.ids.i64, n, 0);
            append_column(section_id, t.ids.i64, n, 1);
            append_column(point_id, t.ids.i64, n, 2);
            append_column(distance, t.soma_distance.f64, n, 0);
            times.add(t.times);
        };
        check(decode_rows_in_order<store::SynapseActivationTable>(lo, hi, decode, take));
    }
    py::dict out;
    out["row"] = to_numpy(std::move(row));
    out["synapse_type"] = type.to_python();
    out["synapse_ID"] = to_numpy(std::move(synapse_id));
    out["soma_distance"] = to_numpy(std::move(distance));
    out["section_ID"] = to_numpy(std::move(section_id));
    out["section_pt_ID"] = to_numpy(std::move(point_id));
    out["dendrite_label"] = label.to_python();
    out["times"] = times.to_python();
    return out;
}

py::dict presynaptic_activation(const PyDataset& self, py::ssize_t start, py::ssize_t stop) {
    check(require_records(self, "presynaptic spikes"));
    const auto [lo, hi] = row_range(self.data(), start, stop);
    std::vector<std::int64_t> row, cell_id;
    Categories type;
    PaddedLists times;
    {
        const auto lease = self.store();
        const store::Store& st = *lease;
        py::gil_scoped_release unlocked;
        auto decode = [&](std::size_t i, store::PresynapticSpikeTable& t) {
            return decode_row(
                st, self, i, store::k_presynaptic_spike_outputs,
                [](const auto& arrays, auto& out) { return store::decode_presynaptic_spikes(arrays, out); },
                t);
        };
        auto take = [&](std::size_t i, const store::PresynapticSpikeTable& t) {
            row.insert(row.end(), t.size(), static_cast<std::int64_t>(i));
            type.add(t.population);
            append_column(cell_id, t.cell_id.i64, t.size(), 0);
            times.add(t.times);
        };
        check(decode_rows_in_order<store::PresynapticSpikeTable>(lo, hi, decode, take));
    }
    py::dict out;
    out["row"] = to_numpy(std::move(row));
    out["presynaptic_cell_type"] = type.to_python();
    out["cell_ID"] = to_numpy(std::move(cell_id));
    out["times"] = times.to_python();
    return out;
}

}  // namespace

void register_outputs(py::class_<PyDataset>& cls) {
    cls.def("traces", &traces, py::arg("site") = "soma", py::arg("variable") = "v", py::arg("start") = 0,
            py::arg("stop") = -1)
        .def("synapse_activation", &synapse_activation, py::arg("start") = 0, py::arg("stop") = -1)
        .def("presynaptic_activation", &presynaptic_activation, py::arg("start") = 0, py::arg("stop") = -1);
}

}  // namespace silico::python
