// silico's errors as Python exceptions. Every failure of the C++ side reaches Python as one of
//   silico.Error                     the base class; .code is silico's error code ("I/O error", "busy", ...)
//   silico.NotFoundError(KeyError)   a missing store, item, dataset, trial output or key
//   silico.InvalidError(ValueError)  bad arguments, a malformed recipe, a closed store
//   silico.CorruptionError           stored bytes that do not match their digest or format
// with silico's message (file, key, what is wrong) and .context, so nothing reaches the interpreter as a crash.
#include <Python.h>

#include "binding.hpp"
#include "silico/analysis/dataset.hpp"

namespace silico::python {

namespace {

struct ExceptionTypes {
    PyObject* base = nullptr;
    PyObject* not_found = nullptr;
    PyObject* invalid = nullptr;
    PyObject* corruption = nullptr;
};
ExceptionTypes g_types;

PyObject* new_type(py::module_& m, const char* name, PyObject* bases, const char* doc) {
    const std::string qualified = std::string("silico.") + name;
    PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
    if (!type) throw py::error_already_set();
    m.add_object(name, py::handle(type));  // the module keeps a reference for the process's lifetime
    return type;
}

PyObject* type_of(Errc code) {
    switch (code) {
        case Errc::not_found:
            return g_types.not_found;
        case Errc::invalid_argument:
        case Errc::parse:
        case Errc::validation:
            return g_types.invalid;
        case Errc::corruption:
        case Errc::version:
            return g_types.corruption;
        default:
            return g_types.base;
    }
}

void set_python_error(const Error& error) {
    PyObject* type = type_of(error.code);
    py::object instance =
        py::reinterpret_steal<py::object>(PyObject_CallFunction(type, "s", error.what().c_str()));
    if (!instance) return;  // the call set its own Python error
    instance.attr("code") = std::string(to_string(error.code));
    instance.attr("context") = error.context;
    PyErr_SetObject(type, instance.ptr());
}

}  // namespace

void register_errors(py::module_& m) {
    g_types.base = new_type(m, "Error", PyExc_Exception, "A silico error; .code names its kind.");
    py::tuple not_found_bases = py::make_tuple(py::handle(g_types.base), py::handle(PyExc_KeyError));
    g_types.not_found = new_type(m, "NotFoundError", not_found_bases.ptr(),
                                 "A store, item, dataset or output that is not there.");
    py::tuple invalid_bases = py::make_tuple(py::handle(g_types.base), py::handle(PyExc_ValueError));
    g_types.invalid =
        new_type(m, "InvalidError", invalid_bases.ptr(),
                 "Bad arguments or input (a malformed recipe, an unknown column, a closed store).");
    py::tuple corruption_bases = py::make_tuple(py::handle(g_types.base));
    g_types.corruption = new_type(m, "CorruptionError", corruption_bases.ptr(),
                                  "Stored bytes that do not match their digest or format.");
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const ErrorException& e) {
            set_python_error(e.error());
        }
    });
}

namespace {

// Bytes that are not UTF-8 become U+FFFD instead of an exception: an index is shown, never refused.
template <class Strings>
py::list list_of(const Strings& strings) {
    py::list out(strings.size());
    for (std::size_t i = 0; i < strings.size(); ++i) {
        const std::string_view text = strings[i];
        PyObject* s = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
        if (!s) throw py::error_already_set();
        PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), s);
    }
    return out;
}

}  // namespace

py::list to_list(const std::vector<std::string>& strings) {
    return list_of(strings);
}
py::list to_list(const analysis::Texts& texts) {
    return list_of(texts);
}

}  // namespace silico::python
