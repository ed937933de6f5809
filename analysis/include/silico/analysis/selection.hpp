// Which rows of a dataset a query looks at, and how it groups them.
//
// Filters: "COLUMN=VALUE" keeps rows whose column has that value (numbers compare as numbers: "0.40" matches
// 0.4), several filters all apply. Groups: each entry is a column name, or "index~REGEX": the first capture
// group of the (PCRE2) regular expression searched in the row's index, or the whole match when it has no
// group. "index~^([^_]+)" is what ISF users write as st.index.str.split('_').str[0]. Rows whose index does not
// match are left out of every group (Groups::unmatched counts them). The index is matched as UTF-8; bytes that
// are not UTF-8 match nothing, not even ".".
//
// Columns every dataset has: "index", "trial", and "seed" when it has seeds; besides those, its parameter
// columns. Anything else is Errc::invalid_argument naming the column and listing the known ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/core/error.hpp"

namespace silico::analysis {

struct SelectOptions {
    std::vector<std::string> where;     // "COLUMN=VALUE"
    std::vector<std::string> group_by;  // "COLUMN" or "index~REGEX"; empty: one group "all"
};

struct Groups {
    std::vector<std::string> columns;              // the group_by entries (["all"] without grouping)
    std::vector<std::vector<std::string>> labels;  // labels[g][c]: value of columns[c] in group g
    std::vector<std::int32_t> row_group;           // per dataset row: its group, or -1 (filtered, unmatched)
    std::vector<std::size_t> sizes;                // rows per group
    std::size_t unmatched = 0;                     // rows an index~REGEX did not match

    std::size_t count() const { return labels.size(); }
    // The rows of group g, ascending.
    std::vector<std::size_t> rows(std::size_t g) const;
};

// Groups come out sorted by their labels (numbers numerically), so output does not depend on row order.
// Errc::invalid_argument: unknown column, malformed filter, bad regex, or no row left after filtering.
Result<Groups> select(const Dataset& dataset, const SelectOptions& options);

}  // namespace silico::analysis
