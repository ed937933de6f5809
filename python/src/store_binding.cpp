// silico._silico.Store: a store opened read-only (a RocksDB secondary, so it works while `silico run` writes),
// its named items, and the datasets in it or of a recipe.
#include <pybind11/stl.h>

#include <system_error>

#include "binding.hpp"
#include "py_dataset.hpp"
#include "silico/analysis/recipe_dataset.hpp"
#include "silico/core/git_info.hpp"
#include "silico/recipes/anatomy_step.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"
#include "silico/recipes/trial_key.hpp"
#include "silico/store/array.hpp"

namespace silico::python {

namespace fs = std::filesystem;

namespace {

SharedStore open_store(const std::string& dir) {
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / "db", ec))
        raise(Error{Errc::not_found, "no store here (run a recipe or import first)", "store " + dir});
    py::gil_scoped_release unlocked;
    return std::make_shared<StoreHandle>(
        take(store::Store::open(dir, {.read_only = true, .create_if_missing = false})));
}

Error diagnostics_error(const recipes::Diagnostics& diagnostics, const std::string& file) {
    std::string text;
    for (const auto& d : diagnostics) text += (text.empty() ? "" : "\n") + d.what();
    return Error{Errc::validation, text.empty() ? "invalid recipe" : text, text.empty() ? file : ""};
}

// The trials of `file`'s plan that the store holds, keyed as `silico` keys them: the model version of this
// build's checkout and the NEURON version silico links (SILICO_NEURON_VERSION, from NEURON's nrnconf.h;
// tests/python checks it against `silico version`).
analysis::Dataset recipe_dataset(const store::Store& store, const std::string& file) {
    auto step = recipes::read_anatomy_step(file);
    if (!step) raise(diagnostics_error(step.error(), file));
    if (*step)
        raise(Error{
            Errc::invalid_argument,
            "a recipe with [input.anatomy] needs silico to map its anatomy; run `silico import recipe " +
                file + " --as NAME` and open the dataset NAME",
            file});
    auto recipe = recipes::load_recipe(file);
    if (!recipe) raise(diagnostics_error(recipe.error(), file));
    auto context = take(recipes::make_key_context(build_info().source_dir, SILICO_NEURON_VERSION, false));
    auto plan = recipes::expand(*recipe, context);
    if (!plan) raise(diagnostics_error(plan.error(), file));
    return take(analysis::recipe_dataset(store, *recipe, *plan));
}

PyDataset open_dataset(const SharedStore& handle, const std::string& spec) {
    const auto lease = handle->get();
    const store::Store& store = *lease;
    std::error_code ec;
    py::gil_scoped_release unlocked;
    if (spec.ends_with(".toml") && fs::is_regular_file(spec, ec))
        return PyDataset(handle, spec, recipe_dataset(store, spec));
    return PyDataset(handle, spec, take(analysis::read_dataset(store, spec)));
}

py::dict metadata(const store::Store& store, const std::string& name) {
    const auto meta = take(store.item_meta(name));
    py::dict d;
    d["name"] = meta.name;
    d["encoding"] = meta.encoding;
    d["digest"] = meta.blob.digest.hex();
    d["size"] = meta.blob.size;
    d["stored_size"] = meta.blob.stored_size;
    d["time_unix_ms"] = meta.time_unix_ms;
    d["silico_version"] = meta.silico_version;
    d["silico_commit"] = meta.silico_commit;
    d["dirty"] = meta.silico_dirty;
    return d;
}

bool contains(const store::Store& store, const std::string& name) {
    auto meta = store.item_meta(name);
    if (meta) return true;
    if (meta.error().code == Errc::not_found) return false;
    raise(meta.error());
}

// An array item (encoding "silico-array"): its kind, precision and columns as numpy arrays (strings as a list).
py::dict decode_array(const py::bytes& bytes) {
    const std::string_view view(PyBytes_AS_STRING(bytes.ptr()),
                                static_cast<std::size_t>(PyBytes_GET_SIZE(bytes.ptr())));
    auto array = take(store::decode_array(view));
    static const char* kinds[] = {"", "f64_table", "i64_table", "spike_lists", "strings"};
    py::dict d;
    d["kind"] = kinds[static_cast<int>(array.kind)];
    d["precision"] = array.precision;
    py::list columns;
    for (auto& c : array.f64) columns.append(to_numpy(std::move(c)));
    for (auto& c : array.i64) columns.append(to_numpy(std::move(c)));
    d["columns"] = columns;
    d["strings"] = to_list(array.strings);
    return d;
}

}  // namespace

void register_store(py::module_& m) {
    py::class_<StoreHandle, SharedStore>(m, "Store",
                                         "A silico store opened read-only (silico.open wraps it).")
        .def(py::init(&open_store), py::arg("path"))
        .def_property_readonly("path", [](const StoreHandle& h) { return h.dir().string(); })
        .def_property_readonly("closed", &StoreHandle::closed)
        .def("close", &StoreHandle::close)
        .def(
            "refresh", [](StoreHandle& h) { check(h.refresh()); },
            "See what was committed since the store was opened.")
        .def(
            "keys",
            [](const StoreHandle& h, const std::string& prefix) {
                return to_list(take(h.get()->item_names(prefix)));
            },
            py::arg("prefix") = "")
        .def("contains",
             [](const StoreHandle& h, const std::string& name) { return contains(*h.get(), name); })
        .def("metadata",
             [](const StoreHandle& h, const std::string& name) { return metadata(*h.get(), name); })
        .def("item",
             [](const StoreHandle& h, const std::string& name) {
                 auto meta = take(h.get()->item_meta(name));
                 auto bytes = take(h.get()->get_blob(meta.blob.digest));
                 return py::make_tuple(py::bytes(bytes), meta.encoding);
             })
        .def("datasets",
             [](const StoreHandle& h) { return to_list(take(analysis::dataset_names(*h.get()))); })
        .def(
            "dataset", [](const SharedStore& h, const std::string& spec) { return open_dataset(h, spec); },
            py::arg("spec"));
    m.def("decode_array", &decode_array, py::arg("data"));
    m.attr("neuron_version") = SILICO_NEURON_VERSION;
    m.attr("version") = build_info().version;
    m.attr("commit") = build_info().commit;
}

}  // namespace silico::python
