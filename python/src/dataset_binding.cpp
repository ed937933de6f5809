// silico._silico.Dataset: a dataset's rows (index, trial, seed, key, parameter columns, provenance) and its
// somatic spike times, handed to numpy. The Python layer (python/silico/__init__.py) makes DataFrames of them.
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "py_dataset.hpp"

namespace silico::python {

namespace {

// A view of memory the dataset owns: numpy must not write into it.
template <class T>
py::array_t<T> read_only(py::array_t<T> a) {
    a.attr("setflags")(py::arg("write") = false);
    return a;
}

py::dict columns(const analysis::Dataset& d) {
    py::dict out;
    for (const auto& c : d.columns()) {
        if (c.is_text) {
            out[py::str(c.name)] = to_list(c.texts);
        } else {
            auto values = c.numbers;
            out[py::str(c.name)] = to_numpy(std::move(values));
        }
    }
    return out;
}

py::object seeds(const analysis::Dataset& d) {
    if (d.seeds().empty()) return py::none();
    auto values = d.seeds();
    return to_numpy(std::move(values));
}

py::object keys(const analysis::Dataset& d) {
    if (!d.has_records()) return py::none();
    std::vector<std::string> hex;
    hex.reserve(d.keys().size());
    for (const auto& k : d.keys()) hex.push_back(k.hex());
    return to_list(hex);
}

// ISF's spike_times layout: one row per trial, column k the k-th spike, NaN where a trial has fewer.
py::array_t<double> spike_matrix(const analysis::Dataset& d) {
    const auto& offsets = d.spike_offsets();
    std::size_t width = 0;
    for (std::size_t i = 0; i < d.size(); ++i)
        width = std::max<std::size_t>(width, offsets[i + 1] - offsets[i]);
    std::vector<double> m(d.size() * width, std::numeric_limits<double>::quiet_NaN());
    const auto& times = d.spike_times();
    for (std::size_t i = 0; i < d.size(); ++i)
        std::copy(times.begin() + static_cast<std::ptrdiff_t>(offsets[i]),
                  times.begin() + static_cast<std::ptrdiff_t>(offsets[i + 1]),
                  m.begin() + static_cast<std::ptrdiff_t>(i * width));
    return to_numpy(std::move(m), {static_cast<py::ssize_t>(d.size()), static_cast<py::ssize_t>(width)});
}

// The trial records' provenance, one entry per row in [start, stop).
py::dict records(const PyDataset& self, py::ssize_t start, py::ssize_t stop) {
    const auto& d = self.data();
    if (!d.has_records())
        raise(Error{Errc::invalid_argument,
                    "the dataset holds spike times only (" + d.provenance().kind + "), no trial records",
                    "dataset " + self.name()});
    const auto [lo, hi] = row_range(d, start, stop);
    std::vector<std::string> version, commit, neuron, host, user;
    std::vector<std::uint8_t> dirty;
    std::vector<std::int64_t> start_ms, end_ms;
    std::vector<double> wall, cpu;
    {
        const auto lease = self.store();
        const store::Store& store = *lease;
        py::gil_scoped_release unlocked;
        for (std::size_t i = lo; i < hi; ++i) {
            auto r = store.find_trial(d.keys()[i]);
            if (!r) raise(r.error().within(in_trial(d.index()[i])));
            version.push_back(r->silico_version);
            commit.push_back(r->silico_commit);
            dirty.push_back(r->silico_dirty ? 1 : 0);
            neuron.push_back(r->neuron_version);
            host.push_back(r->host);
            user.push_back(r->user);
            start_ms.push_back(r->start_unix_ms);
            end_ms.push_back(r->end_unix_ms);
            wall.push_back(r->wall_seconds);
            cpu.push_back(r->cpu_seconds);
        }
    }
    py::dict out;
    out["silico_version"] = to_list(version);
    out["silico_commit"] = to_list(commit);
    out["silico_dirty"] = to_numpy(std::move(dirty)).attr("astype")("bool");
    out["neuron_version"] = to_list(neuron);
    out["host"] = to_list(host);
    out["user"] = to_list(user);
    out["start_unix_ms"] = to_numpy(std::move(start_ms));
    out["end_unix_ms"] = to_numpy(std::move(end_ms));
    out["wall_seconds"] = to_numpy(std::move(wall));
    out["cpu_seconds"] = to_numpy(std::move(cpu));
    return out;
}

}  // namespace

std::pair<std::size_t, std::size_t> row_range(const analysis::Dataset& data, py::ssize_t start,
                                              py::ssize_t stop) {
    const auto n = static_cast<py::ssize_t>(data.size());
    if (stop < 0 || stop > n) stop = n;
    start = std::clamp<py::ssize_t>(start, 0, stop);
    return {static_cast<std::size_t>(start), static_cast<std::size_t>(stop)};
}

const analysis::Groups& PyDataset::groups(const analysis::SelectOptions& select) {
    auto key = std::make_pair(select.where, select.group_by);
    auto it = m_groups.find(key);
    if (it != m_groups.end()) return it->second;
    analysis::Groups g;
    {
        py::gil_scoped_release unlocked;
        g = take(analysis::select(m_data, select));
    }
    return m_groups.emplace(std::move(key), std::move(g)).first->second;
}

void register_dataset(py::module_& m) {
    py::class_<PyDataset> cls(m, "Dataset", "A dataset of the store (silico.Dataset wraps it).");
    cls.def_property_readonly("name", &PyDataset::name)
        .def("__len__", [](const PyDataset& s) { return s.data().size(); })
        .def_property_readonly("has_records", [](const PyDataset& s) { return s.data().has_records(); })
        .def_property_readonly("provenance",
                               [](const PyDataset& s) {
                                   const auto& p = s.data().provenance();
                                   py::dict d;
                                   d["kind"] = p.kind;
                                   d["source"] = p.source;
                                   d["digest"] = p.digest;
                                   return d;
                               })
        .def("index", [](const PyDataset& s) { return to_list(s.data().index()); })
        .def("trial",
             [](const PyDataset& s) {
                 auto t = s.data().trial();
                 return to_numpy(std::move(t));
             })
        .def("seeds", [](const PyDataset& s) { return seeds(s.data()); })
        .def("keys", [](const PyDataset& s) { return keys(s.data()); })
        .def("columns", [](const PyDataset& s) { return columns(s.data()); })
        .def("spike_matrix", [](const PyDataset& s) { return spike_matrix(s.data()); })
        // Zero-copy views of the dataset's own spike arrays, alive as long as the Dataset object.
        .def("spike_offsets",
             [](py::object self) {
                 const auto& v = self.cast<const PyDataset&>().data().spike_offsets();
                 return read_only(
                     py::array_t<std::uint64_t>({static_cast<py::ssize_t>(v.size())}, v.data(), self));
             })
        .def("spike_times",
             [](py::object self) {
                 const auto& v = self.cast<const PyDataset&>().data().spike_times();
                 return read_only(py::array_t<double>({static_cast<py::ssize_t>(v.size())}, v.data(), self));
             })
        .def("records", &records, py::arg("start") = 0, py::arg("stop") = -1)
        .def(
            "outputs",
            [](const PyDataset& s, std::size_t row) {
                const auto& d = s.data();
                if (!d.has_records())
                    raise(Error{Errc::invalid_argument,
                                "the dataset holds spike times only, no trial records",
                                "dataset " + s.name()});
                if (row >= d.size())
                    raise(Error{Errc::invalid_argument,
                                "row " + std::to_string(row) + " of " + std::to_string(d.size()),
                                "dataset " + s.name()});
                auto r = s.store()->find_trial(d.keys()[row]);
                if (!r) raise(r.error().within(in_trial(d.index()[row])));
                std::vector<std::string> names;
                for (const auto& [name, blob] : r->outputs) names.push_back(name);
                return to_list(names);
            },
            py::arg("row"));
    register_outputs(cls);
    register_queries(cls);
}

}  // namespace silico::python
