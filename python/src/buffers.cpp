// How the bindings hand values to Python: strings as a list, large columns in memory that prefers huge pages.
#include <sys/mman.h>

#include <cstdint>

#include "binding.hpp"

namespace silico::python {

py::list to_list(const std::vector<std::string>& strings) {
    py::list out(strings.size());
    for (std::size_t i = 0; i < strings.size(); ++i) {
        PyObject* s =
            PyUnicode_DecodeUTF8(strings[i].data(), static_cast<Py_ssize_t>(strings[i].size()), "replace");
        if (!s) throw py::error_already_set();
        PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), s);
    }
    return out;
}

void prefer_huge_pages(const void* data, std::size_t bytes) {
#if defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t k_huge = std::uintptr_t{2} << 20;
    const auto begin = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t first = (begin + k_huge - 1) & ~(k_huge - 1), last = (begin + bytes) & ~(k_huge - 1);
    // Advice only: where the kernel has no huge pages to give (or THP is off) the memory stays as it was.
    if (data && last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
    (void)data;
    (void)bytes;
#endif
}

}  // namespace silico::python
