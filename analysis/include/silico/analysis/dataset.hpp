// Datasets: the trials of a recipe, or ISF results imported into the store, as one table.
//
// A dataset has one row per trial: its index (ISF's sim_trial_index, e.g. "C2_evoked_.../20150815-1530_20240/
// 000003"), its trial number, optionally its seed and its trial key (when the row is a trial record of the
// store, whose outputs hold its traces and synapse activations), its parameter columns (a recipe's swept
// values, or the folder of an imported ISF run), and its somatic spike times. Everything but the traces and
// activations lives in one compact blob, so a dataset of 1,000,000 trials opens without touching a single
// trial record (docs/store.md "Datasets" has the byte format).
//
// Named datasets are store items named "dataset/<NAME>" (encoding "silico-dataset"). Writing one is
// idempotent: the same content under the same name is a no-op, other content under a taken name is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

inline constexpr std::uint32_t k_dataset_format_version = 1;
inline constexpr std::string_view k_dataset_item_prefix = "dataset/";
inline constexpr std::string_view k_dataset_encoding = "silico-dataset";

// One value per row: numbers (swept amplitudes, distances) or text (whisker names, ISF run folders).
struct Column {
    std::string name;
    bool is_text = false;
    std::vector<double> numbers;     // when !is_text
    std::vector<std::string> texts;  // when is_text

    std::size_t size() const { return is_text ? texts.size() : numbers.size(); }
    // The value as a table cell and a group label: text as is, numbers in the shortest round-trip form.
    std::string text(std::size_t row) const;

    bool operator==(const Column&) const = default;
};

// One text per row, kept as the dataset's byte form keeps them: all bytes in one buffer and an offset per row.
// A dataset of 18,000 ISF trials then opens with two copies instead of 18,000 allocations, and a query that
// reads every row's index streams through one buffer instead of visiting 18,000 places on the heap.
class Texts {
  public:
    std::size_t size() const { return m_offsets.size() - 1; }
    std::string_view operator[](std::size_t row) const {
        return {m_bytes.data() + m_offsets[row], m_offsets[row + 1] - m_offsets[row]};
    }
    void push_back(std::string_view text) {
        m_bytes.append(text);
        m_offsets.push_back(m_bytes.size());
    }
    const std::string& bytes() const { return m_bytes; }
    const std::vector<std::uint64_t>& offsets() const { return m_offsets; }  // size() + 1, from 0
    // Takes offsets already checked: from 0, never decreasing, ending at bytes.size().
    static Texts adopt(std::string bytes, std::vector<std::uint64_t> offsets) {
        Texts t;
        t.m_bytes = std::move(bytes);
        t.m_offsets = std::move(offsets);
        return t;
    }

    bool operator==(const Texts&) const = default;

  private:
    std::string m_bytes;
    std::vector<std::uint64_t> m_offsets{0};
};

// Where a dataset's rows come from. Part of the dataset's bytes, so it never holds a time or a host (the item's
// metadata has those): importing the same content twice gives the same bytes.
struct Provenance {
    std::string kind;    // "recipe", "isf-simrun", "isf-spike-times", or what an API caller says
    std::string source;  // the recipe's experiment name, or the imported file's or folder's name
    std::string digest;  // hex SHA-256 of the source content (recipe digest, or the files' digests)

    bool operator==(const Provenance&) const = default;
};

class Dataset {
  public:
    // Rows added one by one; the builder checks that every row has every column.
    class Builder;

    std::size_t size() const { return m_index.size(); }
    const Provenance& provenance() const { return m_provenance; }

    const Texts& index() const { return m_index; }
    const std::vector<std::int64_t>& trial() const { return m_trial; }
    // Seeds and keys are empty when the rows have none (an imported spike table has neither; imported ISF
    // runs have keys but no seeds). keys()[i] is the store's trial record of row i.
    const std::vector<std::uint64_t>& seeds() const { return m_seeds; }
    const std::vector<Digest>& keys() const { return m_keys; }
    bool has_records() const { return !m_keys.empty(); }

    const std::vector<Column>& columns() const { return m_columns; }
    // nullptr when absent.
    const Column* column(std::string_view name) const;

    // Somatic spike times of row i, in the order they were recorded (ascending).
    std::span<const double> spikes(std::size_t row) const {
        return {m_spike_times.data() + m_spike_offsets[row], m_spike_offsets[row + 1] - m_spike_offsets[row]};
    }
    const std::vector<std::uint64_t>& spike_offsets() const { return m_spike_offsets; }  // size() + 1
    const std::vector<double>& spike_times() const { return m_spike_times; }

    // The byte form (docs/store.md "Datasets") and back; decode refuses malformed bytes with Errc::corruption
    // and a newer format with Errc::version.
    std::string encode() const;
    static Result<Dataset> decode(std::string_view bytes);

    bool operator==(const Dataset&) const = default;

  private:
    Provenance m_provenance;
    Texts m_index;
    std::vector<std::int64_t> m_trial;
    std::vector<std::uint64_t> m_seeds;
    std::vector<Digest> m_keys;
    std::vector<Column> m_columns;
    std::vector<std::uint64_t> m_spike_offsets{0};
    std::vector<double> m_spike_times;
};

class Dataset::Builder {
  public:
    // `text_columns` and `number_columns` name the parameter columns every row fills, in this order.
    explicit Builder(Provenance provenance, std::vector<std::string> text_columns = {},
                     std::vector<std::string> number_columns = {});

    struct Row {
        std::string index;
        std::int64_t trial = 0;
        std::optional<std::uint64_t> seed;  // all rows or none
        std::optional<Digest> key;          // all rows or none
        std::vector<std::string> texts;     // one per text column
        std::vector<double> numbers;        // one per number column
        std::vector<double> spikes;
    };
    // Errc::invalid_argument when the row lacks a column value or a seed/key that earlier rows had, or
    // repeats an index.
    Status add(Row row);
    std::size_t size() const { return m_data.size(); }
    // Errc::invalid_argument for an empty dataset.
    Result<Dataset> finish() &&;

  private:
    Dataset m_data;
    std::size_t m_texts = 0;
};

// "dataset/" + name. Names are 1-200 bytes of [A-Za-z0-9._-/]; anything else is Errc::invalid_argument.
Result<std::string> dataset_item_name(std::string_view name);

// Stores `dataset` as the item "dataset/<name>". Same bytes already there: nothing is written. Other bytes
// under the name: Errc::validation naming the dataset. Needs a writer.
Status write_dataset(store::Store& store, std::string_view name, const Dataset& dataset);

// Errc::not_found "no dataset NAME in STORE" when absent.
Result<Dataset> read_dataset(const store::Store& store, std::string_view name);

// Names of the stored datasets (without the "dataset/" prefix), sorted.
Result<std::vector<std::string>> dataset_names(const store::Store& store);

}  // namespace silico::analysis
