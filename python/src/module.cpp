// silico._silico: the C++ side of the silico Python module (docs/python.md). python/silico/__init__.py wraps
// it into the ModelDataBase-like API and pandas DataFrames.
#include "binding.hpp"

PYBIND11_MODULE(_silico, m) {
    m.doc() = "silico's store, datasets and analysis queries (the C++ side; use the silico package)";
    silico::python::register_errors(m);
    silico::python::register_store(m);
    silico::python::register_dataset(m);
}
