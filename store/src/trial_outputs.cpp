// The trial outputs container (trial_outputs.hpp).
#include "silico/store/trial_outputs.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "silico/core/little_endian.hpp"
#include "silico/store/array.hpp"

namespace silico::store {

namespace {
using Json = nlohmann::ordered_json;
constexpr std::string_view k_outputs_magic = "SLTO";
}  // namespace

std::string encode_trial_outputs(const TrialOutputs& outputs) {
    Json header;
    header["format"] = k_trial_outputs_format_version;
    header["neuron_version"] = outputs.neuron_version;
    header["neuron_seconds"] = outputs.neuron_seconds;
    header["cpu_seconds"] = outputs.cpu_seconds;
    header["steps"] = outputs.steps;
    header["spikes"] = outputs.spikes;
    Json arrays = Json::array();
    for (const auto& a : outputs.arrays) arrays.push_back({{"name", a.name}, {"size", a.bytes.size()}});
    header["arrays"] = arrays;
    const std::string text = header.dump();
    std::string out(k_outputs_magic);
    put_u32(out, static_cast<std::uint32_t>(text.size()));
    out += text;
    for (const auto& a : outputs.arrays) out += a.bytes;
    return out;
}

Result<TrialOutputs> decode_trial_outputs(std::string_view bytes) {
    if (bytes.size() < 8 || bytes.substr(0, 4) != k_outputs_magic)
        return fail(Errc::corruption, "not a trial result (bad magic)", "trial result");
    const std::uint32_t length = get_u32(bytes.data() + 4);
    if (bytes.size() < 8 + static_cast<std::size_t>(length))
        return fail(Errc::corruption, "truncated header", "trial result");
    try {
        const Json h = Json::parse(bytes.substr(8, length));
        if (h.at("format").get<int>() != k_trial_outputs_format_version)
            return fail(Errc::version, "trial result format " + std::to_string(h.at("format").get<int>()),
                        "trial result");
        TrialOutputs out;
        out.neuron_version = h.at("neuron_version").get<std::string>();
        out.neuron_seconds = h.at("neuron_seconds").get<double>();
        out.cpu_seconds = h.at("cpu_seconds").get<double>();
        out.steps = h.at("steps").get<std::uint64_t>();
        out.spikes = h.at("spikes").get<std::vector<double>>();
        std::size_t pos = 8 + length;
        for (const auto& a : h.at("arrays")) {
            const auto size = a.at("size").get<std::size_t>();
            if (pos + size > bytes.size())
                return fail(Errc::corruption, "truncated array data", "trial result");
            out.arrays.push_back({a.at("name").get<std::string>(), std::string(bytes.substr(pos, size))});
            pos += size;
        }
        if (pos != bytes.size()) return fail(Errc::corruption, "trailing bytes", "trial result");
        return out;
    } catch (const std::exception& e) {
        return fail(Errc::corruption, e.what(), "trial result");
    }
}

namespace {

Status add_output(std::vector<NamedArray>& out, std::string name, Result<std::string> bytes) {
    if (!bytes) return std::unexpected(bytes.error().within(name));
    out.push_back({std::move(name), std::move(*bytes)});
    return {};
}

}  // namespace

Result<std::vector<NamedArray>> encode_synapse_activation(const SynapseActivationColumns& c) {
    std::vector<NamedArray> out;
    for (auto&& s : {add_output(out, "synapse_activation.population", encode_strings(c.population)),
                     add_output(out, "synapse_activation.ids",
                                encode_i64_table({c.synapse_id, c.section_id, c.point_id})),
                     add_output(out, "synapse_activation.soma_distance", encode_f64_table({c.soma_distance})),
                     add_output(out, "synapse_activation.label", encode_strings(c.label)),
                     add_output(out, "synapse_activation.times", encode_spike_lists(c.times))})
        if (!s) return std::unexpected(s.error());
    return out;
}

Result<std::vector<NamedArray>> encode_presynaptic_spikes(const PresynapticSpikeColumns& c) {
    std::vector<NamedArray> out;
    for (auto&& s : {add_output(out, "presynaptic_spikes.population", encode_strings(c.population)),
                     add_output(out, "presynaptic_spikes.cell_id", encode_i64_table({c.cell_id})),
                     add_output(out, "presynaptic_spikes.times", encode_spike_lists(c.times))})
        if (!s) return std::unexpected(s.error());
    return out;
}

namespace {

const NamedArray* find_output(std::span<const NamedArray> arrays, std::string_view name) {
    const auto it = std::ranges::find(arrays, name, &NamedArray::name);
    return it == arrays.end() ? nullptr : &*it;
}

// The output `name` among `arrays`, decoded into `out` and checked to be of `kind` (a table with `columns`
// columns).
Status decode_output(std::span<const NamedArray> arrays, std::string_view name, ArrayKind kind,
                     std::uint32_t columns, FlatArray& out) {
    const NamedArray* array = find_output(arrays, name);
    if (!array) return fail(Errc::not_found, "no output " + std::string(name), "activation outputs");
    if (auto st = decode_array_into(array->bytes, out); !st)
        return std::unexpected(st.error().within(std::string(name)));
    if (out.kind != kind) return fail(Errc::corruption, "is not of the encoder's kind", std::string(name));
    const bool table = kind == ArrayKind::f64_table || kind == ArrayKind::i64_table;
    if (table && out.columns != columns)
        return fail(Errc::corruption,
                    "has " + std::to_string(out.columns) + " columns, not " + std::to_string(columns),
                    std::string(name));
    return {};
}

Status rows_agree(std::string_view name, std::size_t rows, std::size_t population) {
    if (rows == population) return {};
    return fail(Errc::corruption,
                "has " + std::to_string(rows) + " rows, the population " + std::to_string(population),
                std::string(name));
}

// Each row's string as a code into out.names, each distinct string copied once. Rows of one value usually
// follow each other (ISF lists the synapses of a type together), so the previous row's value is compared
// before the map is consulted.
void intern(const FlatArray& strings, InternedStrings& out) {
    std::unordered_map<std::string_view, std::uint32_t> codes;  // views into `strings`
    out.names.clear();
    out.codes.resize(strings.rows);
    std::string_view last;
    std::uint32_t last_code = 0;
    for (std::size_t r = 0; r < strings.rows; ++r) {
        const std::string_view value = strings.string(r);
        if (r == 0 || value != last) {
            auto [it, added] = codes.try_emplace(value, static_cast<std::uint32_t>(out.names.size()));
            if (added) out.names.emplace_back(value);
            last = value;
            last_code = it->second;
        }
        out.codes[r] = last_code;
    }
}

// The strings output `name`, decoded through this thread's buffer and interned into `out`.
Status decode_interned(std::span<const NamedArray> arrays, std::string_view name, InternedStrings& out) {
    thread_local FlatArray strings;
    if (auto st = decode_output(arrays, name, ArrayKind::strings, 2, strings); !st) return st;
    intern(strings, out);
    return {};
}

// Emptied, its capacity kept: what a decode leaves in the members of fields it was not asked for.
void clear(FlatArray& a) {
    a.rows = 0;
    a.columns = 0;
    a.f64.clear();
    a.i64.clear();
    a.bytes.clear();
    a.offsets.clear();
}
void clear(InternedStrings& s) {
    s.names.clear();
    s.codes.clear();
}

// One more output of a table whose population column holds `rows` rows: decoded into `out` when the
// reader asked for it (same kind, columns and row count, or Errc::corruption naming it), emptied otherwise.
Status decode_field(bool wanted, std::span<const NamedArray> arrays, std::string_view name, ArrayKind kind,
                    std::uint32_t columns, std::size_t rows, FlatArray& out) {
    if (!wanted) {
        clear(out);
        return {};
    }
    if (auto st = decode_output(arrays, name, kind, columns, out); !st) return st;
    return rows_agree(name, out.rows, rows);
}

}  // namespace

Status decode_synapse_activation(std::span<const NamedArray> arrays, SynapseActivationTable& out,
                                 ActivationFields fields) {
    namespace f = synapse_field;
    const auto& names = k_synapse_activation_outputs;
    out.fields = 0;
    if (auto st = decode_interned(arrays, names[0], out.population); !st) return st;
    const std::size_t n = out.population.size();
    if (auto st = decode_field(fields & f::ids, arrays, names[1], ArrayKind::i64_table, 3, n, out.ids); !st)
        return st;
    if (auto st = decode_field(fields & f::soma_distance, arrays, names[2], ArrayKind::f64_table, 1, n,
                               out.soma_distance);
        !st)
        return st;
    if (fields & f::label) {
        if (auto st = decode_interned(arrays, names[3], out.label); !st) return st;
        if (auto st = rows_agree(names[3], out.label.size(), n); !st) return st;
    } else {
        clear(out.label);
    }
    if (auto st = decode_field(fields & f::times, arrays, names[4], ArrayKind::spike_lists, 2, n, out.times);
        !st)
        return st;
    out.fields = fields | f::population;
    return {};
}

Status decode_presynaptic_spikes(std::span<const NamedArray> arrays, PresynapticSpikeTable& out,
                                 ActivationFields fields) {
    namespace f = presynaptic_field;
    const auto& names = k_presynaptic_spike_outputs;
    out.fields = 0;
    if (auto st = decode_interned(arrays, names[0], out.population); !st) return st;
    const std::size_t n = out.population.size();
    if (auto st =
            decode_field(fields & f::cell_id, arrays, names[1], ArrayKind::i64_table, 1, n, out.cell_id);
        !st)
        return st;
    if (auto st = decode_field(fields & f::times, arrays, names[2], ArrayKind::spike_lists, 2, n, out.times);
        !st)
        return st;
    out.fields = fields | f::population;
    return {};
}

}  // namespace silico::store
