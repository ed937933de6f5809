// Trial records and item metadata are stored as compact JSON objects (UTF-8, no whitespace):
//
//   record   := { "v": uint,                      format version, k_record_format_version
//                 "status": "complete" | "failed",
//                 "outputs": { name: blobref, ... },
//                 "seed": uint64,                   omitted when the trial has no seed
//                 "seed_mode": "independent" | "isf",
//                                                   written with the seed; absent (records written before
//                                                   isf registrations existed) reads as "independent"
//                 "sweep": uint64,                  the trial's index within its condition (ISF's sweep)
//                 "condition": 64 hex digits,       the trial's condition key
//                                                   sweep and condition are omitted when unknown; an "isf"
//                                                   record without seed, sweep or condition is corrupt
//                 "model": 64 hex digits,           the model key the trial ran under; absent when unknown
//                 "recipe": 64 hex digits,          the digest of the recipe whose run computed it
//                 "silico_version": str, "silico_commit": str, "silico_dirty": bool,
//                 "neuron_version": str, "host": str, "user": str,
//                 "start_unix_ms": int64, "end_unix_ms": int64,
//                 "wall_s": double, "cpu_s": double, "attempt": uint, "stderr_tail": str }
//   blobref  := { "digest": 64 hex digits, "size": uint64, "stored": uint64 }
//   itemmeta := { "v": uint, "name": str, "blob": blobref, "encoding": str, "time_unix_ms": int64,
//                 "silico_version": str, "silico_commit": str, "silico_dirty": bool }
//
// JSON because records are small next to their blobs and readable with any tool; unknown fields are
// ignored so a later minor addition does not need a version bump, while "v" above ours is refused.
#include "record.hpp"

#include <nlohmann/json.hpp>

namespace silico::store {

namespace {

using nlohmann::json;

json blob_to_json(const BlobRef& ref) {
    return {{"digest", ref.digest.hex()}, {"size", ref.size}, {"stored", ref.stored_size}};
}

Result<BlobRef> blob_from_json(const json& j) {
    auto digest = Digest::from_hex(j.at("digest").get<std::string>());
    if (!digest) return std::unexpected(digest.error());
    return BlobRef{*digest, j.at("size").get<std::uint64_t>(), j.at("stored").get<std::uint64_t>()};
}

Status check_version(const json& j, std::string_view what) {
    auto v = j.at("v").get<std::uint32_t>();
    if (v > k_record_format_version) {
        return fail(Errc::version, std::string(what) + " has format version " + std::to_string(v) +
                                       ", newer than this silico reads (" +
                                       std::to_string(k_record_format_version) + ")");
    }
    return {};
}

}  // namespace

std::string_view to_string(TrialStatus status) {
    return status == TrialStatus::complete ? "complete" : "failed";
}

std::string_view to_string(SeedMode mode) {
    return mode == SeedMode::isf ? "isf" : "independent";
}

std::string_view missing_isf_field(const TrialRecord& r) {
    if (r.seed_mode != SeedMode::isf) return {};
    if (!r.seed) return "seed";
    if (!r.sweep) return "sweep";
    if (!r.condition) return "condition";
    return {};
}

std::string encode_record(const TrialRecord& r) {
    json outputs = json::object();
    for (const auto& [name, ref] : r.outputs) outputs[name] = blob_to_json(ref);
    json j = {{"v", r.format_version},
              {"status", std::string(to_string(r.status))},
              {"outputs", std::move(outputs)},
              {"silico_version", r.silico_version},
              {"silico_commit", r.silico_commit},
              {"silico_dirty", r.silico_dirty},
              {"neuron_version", r.neuron_version},
              {"host", r.host},
              {"user", r.user},
              {"start_unix_ms", r.start_unix_ms},
              {"end_unix_ms", r.end_unix_ms},
              {"wall_s", r.wall_seconds},
              {"cpu_s", r.cpu_seconds},
              {"attempt", r.attempt},
              {"stderr_tail", r.stderr_tail}};
    if (r.seed) j["seed"] = *r.seed;
    if (r.seed || r.seed_mode != SeedMode::independent) j["seed_mode"] = std::string(to_string(r.seed_mode));
    if (r.sweep) j["sweep"] = *r.sweep;
    if (r.condition) j["condition"] = r.condition->hex();
    if (r.model) j["model"] = r.model->hex();
    if (r.recipe) j["recipe"] = r.recipe->hex();
    // Replace invalid UTF-8 (a binary stderr tail) instead of throwing.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<TrialRecord> decode_record(std::string_view bytes) {
    try {
        json j = json::parse(bytes);
        if (auto ok = check_version(j, "trial record"); !ok) return std::unexpected(ok.error());
        TrialRecord r;
        r.format_version = j.at("v").get<std::uint32_t>();
        const auto status = j.at("status").get<std::string>();
        if (status == "complete") {
            r.status = TrialStatus::complete;
        } else if (status == "failed") {
            r.status = TrialStatus::failed;
        } else {
            return fail(Errc::corruption, "trial record has unknown status '" + status + "'");
        }
        for (const auto& [name, ref] : j.at("outputs").items()) {
            auto blob = blob_from_json(ref);
            if (!blob) return std::unexpected(blob.error());
            r.outputs.emplace(name, *blob);
        }
        if (j.contains("seed")) r.seed = j.at("seed").get<std::uint64_t>();
        if (j.contains("seed_mode")) {
            const auto mode = j.at("seed_mode").get<std::string>();
            if (mode == "isf") {
                r.seed_mode = SeedMode::isf;
            } else if (mode != "independent") {
                return fail(Errc::corruption, "trial record has unknown seed mode '" + mode + "'");
            }
        }
        if (j.contains("sweep")) r.sweep = j.at("sweep").get<std::uint64_t>();
        if (j.contains("condition")) {
            auto condition = Digest::from_hex(j.at("condition").get<std::string>());
            if (!condition) return std::unexpected(condition.error());
            r.condition = *condition;
        }
        if (j.contains("model")) {
            auto model = Digest::from_hex(j.at("model").get<std::string>());
            if (!model) return std::unexpected(model.error());
            r.model = *model;
        }
        if (j.contains("recipe")) {
            auto recipe = Digest::from_hex(j.at("recipe").get<std::string>());
            if (!recipe) return std::unexpected(recipe.error());
            r.recipe = *recipe;
        }
        if (auto missing = missing_isf_field(r); !missing.empty())
            return fail(Errc::corruption, "isf-mode trial record has no " + std::string(missing));
        r.silico_version = j.value("silico_version", "");
        r.silico_commit = j.value("silico_commit", "");
        r.silico_dirty = j.value("silico_dirty", false);
        r.neuron_version = j.value("neuron_version", "");
        r.host = j.value("host", "");
        r.user = j.value("user", "");
        r.start_unix_ms = j.value("start_unix_ms", std::int64_t{0});
        r.end_unix_ms = j.value("end_unix_ms", std::int64_t{0});
        r.wall_seconds = j.value("wall_s", 0.0);
        r.cpu_seconds = j.value("cpu_s", 0.0);
        r.attempt = j.value("attempt", std::uint32_t{1});
        r.stderr_tail = j.value("stderr_tail", "");
        return r;
    } catch (const json::exception& e) {
        return fail(Errc::corruption, std::string("malformed trial record: ") + e.what());
    }
}

std::string encode_item_meta(const ItemMeta& m) {
    json j = {{"v", k_record_format_version},     {"name", m.name},
              {"blob", blob_to_json(m.blob)},     {"encoding", m.encoding},
              {"time_unix_ms", m.time_unix_ms},   {"silico_version", m.silico_version},
              {"silico_commit", m.silico_commit}, {"silico_dirty", m.silico_dirty}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<ItemMeta> decode_item_meta(std::string_view bytes) {
    try {
        json j = json::parse(bytes);
        if (auto ok = check_version(j, "item metadata"); !ok) return std::unexpected(ok.error());
        ItemMeta m;
        m.name = j.at("name").get<std::string>();
        auto blob = blob_from_json(j.at("blob"));
        if (!blob) return std::unexpected(blob.error());
        m.blob = *blob;
        m.encoding = j.value("encoding", "file");
        m.time_unix_ms = j.value("time_unix_ms", std::int64_t{0});
        m.silico_version = j.value("silico_version", "");
        m.silico_commit = j.value("silico_commit", "");
        m.silico_dirty = j.value("silico_dirty", false);
        return m;
    } catch (const json::exception& e) {
        return fail(Errc::corruption, std::string("malformed item metadata: ") + e.what());
    }
}

std::string encode_trial_record(const TrialRecord& record) {
    return encode_record(record);
}
Result<TrialRecord> decode_trial_record(std::string_view bytes) {
    return decode_record(bytes);
}

}  // namespace silico::store
