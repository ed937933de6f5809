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
#include "silico/store/array.hpp"
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
                                const std::string& name, const std::string& index) {
    auto it = record.outputs.find(name);
    if (it == record.outputs.end()) {
        std::string have;
        for (const auto& [n, b] : record.outputs) have += (have.empty() ? "" : ", ") + n;
        raise(Error{Errc::not_found, "has no output " + name + " (outputs: " + have + ")", "trial " + index});
    }
    auto bytes = store.get_blob(it->second.digest);
    if (!bytes) raise(bytes.error().within("trial " + index + ": " + name));
    auto array = store::decode_array(*bytes);
    if (!array) raise(array.error().within("trial " + index + ": " + name));
    return std::move(*array);
}

store::TrialRecord record_of(const store::Store& store, const PyDataset& self, std::size_t row) {
    auto r = store.find_trial(self.data().keys()[row]);
    if (!r) raise(r.error().within("trial " + self.data().index()[row]));
    return std::move(*r);
}

const std::vector<double>& one_column(const store::NumericArray& a, const std::string& name,
                                      const std::string& index) {
    if (a.kind != store::ArrayKind::f64_table || a.f64.size() != 1)
        raise(Error{Errc::invalid_argument, name + " is not one trace (name a site's recording with site=)",
                    "trial " + index});
    return a.f64[0];
}

py::dict traces(const PyDataset& self, const std::string& site, const std::string& variable,
                py::ssize_t start, py::ssize_t stop) {
    check(require_records(self, "traces"));
    const auto [lo, hi] = row_range(self.data(), start, stop);
    const std::string name = site + "." + variable;
    std::vector<double> time, matrix;
    std::optional<Digest> time_digest;
    {
        const auto lease = self.store();
        const store::Store& st = *lease;
        py::gil_scoped_release unlocked;
        for (std::size_t i = lo; i < hi; ++i) {
            const auto& index = self.data().index()[i];
            const auto record = record_of(st, self, i);
            auto t = record.outputs.find("time");
            if (t == record.outputs.end())
                raise(Error{Errc::not_found, "has no output time", "trial " + index});
            if (!time_digest) {
                time = one_column(read_output(st, record, "time", index), "time", index);
                time_digest = t->second.digest;
                matrix.reserve((hi - lo) * time.size());
            } else if (t->second.digest != *time_digest) {
                raise(Error{Errc::invalid_argument,
                            "is sampled at other times than trial " + self.data().index()[lo] +
                                " (read trials of one sampling together, e.g. with where=)",
                            "trial " + index});
            }
            const auto array = read_output(st, record, name, index);
            const auto& v = one_column(array, name, index);
            if (v.size() != time.size())
                raise(Error{Errc::corruption,
                            name + " has " + std::to_string(v.size()) + " samples, time has " +
                                std::to_string(time.size()),
                            "trial " + index});
            matrix.insert(matrix.end(), v.begin(), v.end());
        }
    }
    const auto samples = static_cast<py::ssize_t>(time.size());
    py::dict out;
    out["time"] = to_numpy(std::move(time));
    out["values"] = to_numpy(std::move(matrix), {static_cast<py::ssize_t>(hi - lo), samples});
    return out;
}

// Text values as pandas.Categorical's codes and categories (first appearance order). ISF's files list the
// synapses of one type together, so the previous value answers most lookups without hashing.
struct Categories {
    std::unordered_map<std::string, std::int32_t> code_of;
    std::vector<std::string> names;
    std::vector<std::int32_t> codes;
    std::int32_t last = -1;
    void add(const std::string& value) {
        if (last < 0 || names[static_cast<std::size_t>(last)] != value) {
            auto [it, added] = code_of.try_emplace(value, static_cast<std::int32_t>(names.size()));
            if (added) names.push_back(value);
            last = it->second;
        }
        codes.push_back(last);
    }
    py::tuple to_python() { return py::make_tuple(to_numpy(std::move(codes)), to_list(names)); }
};

// Release times of every synapse (cell) of the chunk, kept flat (one buffer, not one allocation per synapse)
// and padded with NaN to the longest list at the end.
struct PaddedLists {
    std::vector<double> values;
    std::vector<std::size_t> offsets{0};
    std::size_t width = 0;
    void add(const std::vector<double>& list) {
        values.insert(values.end(), list.begin(), list.end());
        offsets.push_back(values.size());
        width = std::max(width, list.size());
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

// The outputs `names` of row `row`'s trial as stored (not yet decoded); Errc::not_found listing the outputs the
// trial has. Returns errors rather than raising: it runs on the decoder threads.
template <std::size_t N>
Result<std::vector<store::NamedArray>> fetch_outputs(const store::Store& st, const PyDataset& self,
                                                     std::size_t row,
                                                     const std::array<std::string_view, N>& names) {
    const auto& index = self.data().index()[row];
    auto record = st.find_trial(self.data().keys()[row]);
    if (!record) return std::unexpected(record.error().within("trial " + index));
    std::vector<store::NamedArray> out;
    out.reserve(N);
    for (const auto name : names) {
        auto it = record->outputs.find(std::string(name));
        if (it == record->outputs.end()) {
            std::string have;
            for (const auto& [n, b] : record->outputs) have += (have.empty() ? "" : ", ") + n;
            return fail(Errc::not_found, "has no output " + std::string(name) + " (outputs: " + have + ")",
                        "trial " + index);
        }
        auto bytes = st.get_blob(it->second.digest);
        if (!bytes) return std::unexpected(bytes.error().within("trial " + index + ": " + std::string(name)));
        out.push_back({std::string(name), std::move(*bytes)});
    }
    return out;
}

// Row `row`'s activation columns, decoded by store/trial_outputs.hpp's decoder.
template <class Columns, std::size_t N, class Decoder>
Result<Columns> decode_row(const store::Store& st, const PyDataset& self, std::size_t row,
                           const std::array<std::string_view, N>& names, Decoder decoder) {
    auto arrays = fetch_outputs(st, self, row, names);
    if (!arrays) return std::unexpected(arrays.error());
    auto columns = decoder(*arrays);
    if (!columns) return std::unexpected(columns.error().within("trial " + self.data().index()[row]));
    return columns;
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
        auto decode = [&](std::size_t i) {
            return decode_row<store::SynapseActivationColumns>(
                st, self, i, store::k_synapse_activation_outputs, store::decode_synapse_activation_columns);
        };
        auto take = [&](std::size_t i, const store::SynapseActivationColumns& c) {
            row.insert(row.end(), c.population.size(), static_cast<std::int64_t>(i));
            for (const auto& p : c.population) type.add(p);
            for (const auto& l : c.label) label.add(l);
            synapse_id.insert(synapse_id.end(), c.synapse_id.begin(), c.synapse_id.end());
            section_id.insert(section_id.end(), c.section_id.begin(), c.section_id.end());
            point_id.insert(point_id.end(), c.point_id.begin(), c.point_id.end());
            distance.insert(distance.end(), c.soma_distance.begin(), c.soma_distance.end());
            for (const auto& t : c.times) times.add(t);
        };
        check(decode_rows_in_order(lo, hi, decode, take));
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
        auto decode = [&](std::size_t i) {
            return decode_row<store::PresynapticSpikeColumns>(st, self, i, store::k_presynaptic_spike_outputs,
                                                              store::decode_presynaptic_spike_columns);
        };
        auto take = [&](std::size_t i, const store::PresynapticSpikeColumns& c) {
            row.insert(row.end(), c.population.size(), static_cast<std::int64_t>(i));
            for (const auto& p : c.population) type.add(p);
            cell_id.insert(cell_id.end(), c.cell_id.begin(), c.cell_id.end());
            for (const auto& t : c.times) times.add(t);
        };
        check(decode_rows_in_order(lo, hi, decode, take));
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
