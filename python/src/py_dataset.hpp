// Private to the silico Python module: a dataset as the bindings hold it, with the store it came from and the
// groupings computed so far.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "binding.hpp"
#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/analysis/table.hpp"

namespace silico::python {

class PyDataset {
  public:
    PyDataset(SharedStore store, std::string name, analysis::Dataset data)
        : m_store(std::move(store)), m_name(std::move(name)), m_data(std::move(data)) {}

    const analysis::Dataset& data() const { return m_data; }
    const std::string& name() const { return m_name; }
    StoreHandle::Lease store() const { return m_store->get(); }

    // The rows select() keeps and their groups, computed once per (where, group_by) and kept: the spike
    // queries of a notebook ask many questions of one grouping, and grouping by a regex over the index is
    // more than the counting itself (bench/RESULTS.md, "Grouping by a regex over the index").
    const analysis::Groups& groups(const analysis::SelectOptions& select);

  private:
    SharedStore m_store;
    std::string m_name;
    analysis::Dataset m_data;
    std::map<std::pair<std::vector<std::string>, std::vector<std::string>>, analysis::Groups> m_groups;
};

// A query's table as {"columns": [names], "data": [one numpy array or list of str per column]}: int64 when
// every cell of the column is an integer, float64 when every cell is a number, str otherwise. These are the
// cells `silico query --json` prints.
py::dict table_to_python(const analysis::Table& table);

// Rows [start, stop) of the dataset, clamped; stop < 0 means the end.
std::pair<std::size_t, std::size_t> row_range(const analysis::Dataset& data, py::ssize_t start,
                                              py::ssize_t stop);

void register_queries(py::class_<PyDataset>& cls);
void register_outputs(py::class_<PyDataset>& cls);

}  // namespace silico::python
