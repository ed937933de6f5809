// The trial outputs container (trial_outputs.hpp).
#include "silico/store/trial_outputs.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

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

// The array named `name` among `arrays`, decoded and of kind `kind`.
Result<NumericArray> decode_named(std::span<const NamedArray> arrays, std::string_view name, ArrayKind kind) {
    const auto it = std::ranges::find(arrays, name, &NamedArray::name);
    if (it == arrays.end())
        return fail(Errc::not_found, "no output " + std::string(name), "activation outputs");
    auto array = decode_array(it->bytes);
    if (!array) return std::unexpected(array.error().within(std::string(name)));
    if (array->kind != kind) return fail(Errc::corruption, "is not of the encoder's kind", std::string(name));
    return array;
}

Status rows_agree(std::string_view name, std::size_t rows, std::size_t population) {
    if (rows == population) return {};
    return fail(Errc::corruption,
                "has " + std::to_string(rows) + " rows, the population " + std::to_string(population),
                std::string(name));
}

// Columns of an i64 or f64 table, each of `rows` values.
template <class Columns>
Status table_shape(std::string_view name, const Columns& columns, std::size_t count, std::size_t rows) {
    if (columns.size() != count)
        return fail(Errc::corruption,
                    "has " + std::to_string(columns.size()) + " columns, not " + std::to_string(count),
                    std::string(name));
    for (const auto& c : columns)
        if (auto st = rows_agree(name, c.size(), rows); !st) return st;
    return {};
}

}  // namespace

Result<SynapseActivationColumns> decode_synapse_activation_columns(std::span<const NamedArray> arrays) {
    const auto& names = k_synapse_activation_outputs;
    auto population = decode_named(arrays, names[0], ArrayKind::strings);
    auto ids = decode_named(arrays, names[1], ArrayKind::i64_table);
    auto distance = decode_named(arrays, names[2], ArrayKind::f64_table);
    auto label = decode_named(arrays, names[3], ArrayKind::strings);
    auto times = decode_named(arrays, names[4], ArrayKind::spike_lists);
    for (const auto* a : {&population, &ids, &distance, &label, &times})
        if (!*a) return std::unexpected(a->error());
    const std::size_t n = population->strings.size();
    for (auto&& st :
         {table_shape(names[1], ids->i64, 3, n), table_shape(names[2], distance->f64, 1, n),
          rows_agree(names[3], label->strings.size(), n), rows_agree(names[4], times->f64.size(), n)})
        if (!st) return std::unexpected(st.error());
    SynapseActivationColumns c;
    c.population = std::move(population->strings);
    c.synapse_id = std::move(ids->i64[0]);
    c.section_id = std::move(ids->i64[1]);
    c.point_id = std::move(ids->i64[2]);
    c.soma_distance = std::move(distance->f64[0]);
    c.label = std::move(label->strings);
    c.times = std::move(times->f64);
    return c;
}

Result<PresynapticSpikeColumns> decode_presynaptic_spike_columns(std::span<const NamedArray> arrays) {
    const auto& names = k_presynaptic_spike_outputs;
    auto population = decode_named(arrays, names[0], ArrayKind::strings);
    auto ids = decode_named(arrays, names[1], ArrayKind::i64_table);
    auto times = decode_named(arrays, names[2], ArrayKind::spike_lists);
    for (const auto* a : {&population, &ids, &times})
        if (!*a) return std::unexpected(a->error());
    const std::size_t n = population->strings.size();
    for (auto&& st : {table_shape(names[1], ids->i64, 1, n), rows_agree(names[2], times->f64.size(), n)})
        if (!st) return std::unexpected(st.error());
    PresynapticSpikeColumns c;
    c.population = std::move(population->strings);
    c.cell_id = std::move(ids->i64[0]);
    c.times = std::move(times->f64);
    return c;
}

}  // namespace silico::store
