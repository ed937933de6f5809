// Private to the silico Python module: how the bindings turn silico's errors into Python exceptions, hand
// arrays to numpy, and share one open store between the objects made from it.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis {
class Texts;
}

namespace silico::python {

namespace py = pybind11;

// A silico Error on its way to Python: the translator (errors.cpp) raises the exception class of its code
// with error.what() as the message.
class ErrorException : public std::runtime_error {
  public:
    explicit ErrorException(Error error) : std::runtime_error(error.what()), m_error(std::move(error)) {}
    const Error& error() const { return m_error; }

  private:
    Error m_error;
};

[[noreturn]] inline void raise(const Error& error) {
    throw ErrorException(error);
}

// The value of a Result, or the exception of its error.
template <class T>
T take(Result<T>&& r) {
    if (!r) raise(r.error());
    return std::move(*r);
}
inline void check(const Status& s) {
    if (!s) raise(s.error());
}

// Creates silico.Error and its subclasses on `m` and registers the translator.
void register_errors(py::module_& m);

// The store a Database opened. Datasets and lookups share it; close() ends it for all of them, after which
// every use is a silico.InvalidError "the store is closed" rather than a dangling pointer. Each use holds a
// Lease (a shared lock) while it reads, often with the GIL released, so a close() or refresh() from another
// Python thread waits for the reads in flight instead of pulling the store from under them.
class StoreHandle {
  public:
    explicit StoreHandle(store::Store store) : m_dir(store.dir()), m_store(std::move(store)) {}

    class Lease {
      public:
        explicit Lease(const StoreHandle& handle) : m_lock(handle.m_mutex) {
            if (!handle.m_store)
                raise(Error{Errc::invalid_argument, "the store is closed", "store " + handle.m_dir.string()});
            m_store = &*handle.m_store;
        }
        const store::Store& operator*() const { return *m_store; }
        const store::Store* operator->() const { return m_store; }

      private:
        std::shared_lock<std::shared_mutex> m_lock;
        const store::Store* m_store = nullptr;
    };
    Lease get() const { return Lease(*this); }

    void close() {
        py::gil_scoped_release unlocked;  // the reads in flight may need the GIL to finish
        std::unique_lock lock(m_mutex);
        m_store.reset();
    }
    Status refresh() {
        py::gil_scoped_release unlocked;
        std::unique_lock lock(m_mutex);
        if (!m_store) return fail(Errc::invalid_argument, "the store is closed", "store " + m_dir.string());
        return m_store->refresh();
    }
    bool closed() const {
        std::shared_lock lock(m_mutex);
        return !m_store;
    }
    const std::filesystem::path& dir() const { return m_dir; }

  private:
    std::filesystem::path m_dir;
    mutable std::shared_mutex m_mutex;
    std::optional<store::Store> m_store;
};
using SharedStore = std::shared_ptr<StoreHandle>;

// A vector moved into a numpy array that owns it (a capsule frees it with the array): no copy.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& values, std::vector<py::ssize_t> shape = {}) {
    auto* owned = new std::vector<T>(std::move(values));
    py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    if (shape.empty()) shape = {static_cast<py::ssize_t>(owned->size())};
    return py::array_t<T>(shape, owned->data(), owner);
}

// How messages name a trial: by its index (as silico's queries do).
inline std::string in_trial(std::string_view index) {
    return "trial " + std::string(index);
}

py::list to_list(const std::vector<std::string>& strings);
py::list to_list(const analysis::Texts& texts);

void register_store(py::module_& m);
void register_dataset(py::module_& m);

}  // namespace silico::python
