// Numeric arrays: a versioned, columnar encoding for float64 traces, spike-time lists and integer tables.
//
// Each column is transformed on its own, then all columns go into one zstd frame (grammar in array.cpp
// and docs/store.md). Float64 columns are lossless by default:
//   decimal  values that are exact decimals with e digits (e.g. read from CSV) are stored as the integers
//            v * 10^e, delta-coded; decoding divides by 10^e and gives back the identical bits;
//   xor      anything else: each value's bits XOR the previous value's bits, byte-shuffled.
// With a declared precision q > 0, float64 columns are stored as round(v / q), delta-coded, and decode to
// n * q: |error| <= q / 2. q is recorded in the header (and belongs in the trial key of who asks for it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::store {

// 2: a column stores only the byte planes its words need, and xor and bits columns shift out the trailing zero
// bits their patterns share (array.cpp); version 1 arrays still decode.
inline constexpr std::uint8_t k_array_format_version = 2;

enum class ArrayKind : std::uint8_t {
    f64_table = 1,    // columns of float64 of equal length (traces: t, v1, v2, ...)
    i64_table = 2,    // columns of int64 of equal length
    spike_lists = 3,  // a list of float64 lists of any length (spike times per trial or per cell)
    strings = 4,      // a list of UTF-8 strings (names beside a table: populations, section labels)
};

struct ArrayOptions {
    // 0: lossless. > 0: declared precision in the values' unit, e.g. 0.001 for 1 uV on traces in mV.
    // A column with a non-finite value, or values beyond 2^52 * precision, is stored losslessly instead.
    double precision = 0.0;
    // zstd level of the frame; 3 is fast, 19 squeezes another few percent.
    int zstd_level = 3;
};

// A decoded array.
struct NumericArray {
    ArrayKind kind = ArrayKind::f64_table;
    double precision = 0.0;                      // as declared when encoded (0: lossless)
    std::vector<std::vector<double>> f64;        // f64_table columns, or spike_lists lists
    std::vector<std::vector<std::int64_t>> i64;  // i64_table columns
    std::vector<std::string> strings;            // strings
};

// Columns must have equal lengths (Errc::invalid_argument otherwise).
Result<std::string> encode_f64_table(const std::vector<std::vector<double>>& columns,
                                     const ArrayOptions& options = {});
Result<std::string> encode_i64_table(const std::vector<std::vector<std::int64_t>>& columns,
                                     int zstd_level = 3);
Result<std::string> encode_spike_lists(const std::vector<std::vector<double>>& lists,
                                       const ArrayOptions& options = {});

Result<std::string> encode_strings(const std::vector<std::string>& strings, int zstd_level = 3);

// Errc::corruption for malformed bytes, Errc::version for an array from a newer format.
Result<NumericArray> decode_array(std::string_view bytes);

// Whether two arrays hold the same values bit for bit: kind, shape and every value's bits (so -0 differs from
// +0 and a NaN equals only the same NaN). The declared precision is not compared: it says how the values
// were stored, and the same values stored other ways (another precision, format version or zstd) are equal.
bool same_values(const NumericArray& a, const NumericArray& b);

// A decoded array without a vector per column, list or string, for readers that go through many arrays: the
// same values as decode_array, laid out flat. decode_array_into reuses `out`'s capacity, so a loop over
// trials allocates (and page-faults) only while its arrays grow. Same errors as decode_array.
struct FlatArray {
    ArrayKind kind = ArrayKind::f64_table;
    double precision = 0.0;
    std::uint64_t rows = 0;  // as decode_array's: rows of a table, lists, strings
    std::uint32_t columns = 0;
    // f64_table: column c is f64[c * rows, (c + 1) * rows); spike_lists: every list's values, list i being
    // f64[offsets[i], offsets[i + 1]).
    std::vector<double> f64;
    std::vector<std::int64_t> i64;       // i64_table: column c is i64[c * rows, (c + 1) * rows)
    std::string bytes;                   // strings: string i is bytes[offsets[i], offsets[i + 1])
    std::vector<std::uint64_t> offsets;  // spike_lists and strings: rows + 1 entries, starting at 0

    std::string_view string(std::size_t i) const {
        return std::string_view(bytes).substr(offsets[i], offsets[i + 1] - offsets[i]);
    }
};
Status decode_array_into(std::string_view bytes, FlatArray& out);

// What an array holds before any transform or compression, from its first bytes (at least
// k_array_prefix_bytes): 8 bytes per value of every column (the lengths and values of spike lists, the
// lengths of strings), and for strings the string bytes. nullopt when `prefix` is not an array; for strings
// and version 2 spike lists, whose value counts lie inside the frame, nullopt with *needs_full = true (call
// again with the whole array).
inline constexpr std::size_t k_array_prefix_bytes = 64;
std::optional<std::uint64_t> array_raw_bytes(std::string_view prefix, bool* needs_full = nullptr);

}  // namespace silico::store
