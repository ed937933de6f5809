// Model adoptions (model_adoption.hpp).
#include "commands/model_adoption.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace silico::runner {

namespace {

using Json = nlohmann::ordered_json;

constexpr int k_adoption_format = 1;

Result<Digest> digest_field(const Json& j, const char* name) {
    auto d = Digest::from_hex(j.at(name).get<std::string>());
    if (!d) return std::unexpected(d.error().within(std::string("field '") + name + "'"));
    return d;
}

}  // namespace

std::string adoption_item_name(const Digest& model) {
    return std::string(k_adoption_prefix) + model.hex();
}

std::string encode_adoption(const Adoption& a) {
    Json trials = Json::array();
    for (const auto& t : a.trials) {
        Json outputs = Json::object();
        for (const auto& [name, digest] : t.outputs) outputs[name] = digest.hex();
        trials.push_back({{"old_key", t.old_key.hex()}, {"new_key", t.new_key.hex()}, {"outputs", outputs}});
    }
    Json j = {{"v", k_adoption_format},
              {"model", a.model.hex()},
              {"reproduces", a.reproduces.hex()},
              {"experiments_tree", a.experiments_tree},
              {"mechanisms_tree", a.mechanisms_tree},
              {"recipe", a.recipe},
              {"recipe_digest", a.recipe_digest},
              {"silico_version", a.silico_version},
              {"silico_commit", a.silico_commit},
              {"silico_dirty", a.silico_dirty},
              {"host", a.host},
              {"user", a.user},
              {"time_unix_ms", a.time_unix_ms},
              {"sample_seed", a.sample_seed},
              {"candidates", a.candidates},
              {"trials", trials}};
    return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<Adoption> decode_adoption(std::string_view bytes) {
    try {
        const Json j = Json::parse(bytes);
        if (j.at("v").get<int>() > k_adoption_format)
            return fail(Errc::version, "model adoption of format " + std::to_string(j.at("v").get<int>()) +
                                           ", newer than this silico reads");
        Adoption a;
        auto model = digest_field(j, "model");
        auto reproduces = digest_field(j, "reproduces");
        if (!model) return std::unexpected(model.error());
        if (!reproduces) return std::unexpected(reproduces.error());
        a.model = *model;
        a.reproduces = *reproduces;
        a.experiments_tree = j.value("experiments_tree", "");
        a.mechanisms_tree = j.value("mechanisms_tree", "");
        a.recipe = j.value("recipe", "");
        a.recipe_digest = j.value("recipe_digest", "");
        a.silico_version = j.value("silico_version", "");
        a.silico_commit = j.value("silico_commit", "");
        a.silico_dirty = j.value("silico_dirty", false);
        a.host = j.value("host", "");
        a.user = j.value("user", "");
        a.time_unix_ms = j.value("time_unix_ms", std::int64_t{0});
        a.sample_seed = j.value("sample_seed", std::uint64_t{0});
        a.candidates = j.value("candidates", std::size_t{0});
        for (const auto& t : j.at("trials")) {
            auto old_key = digest_field(t, "old_key");
            auto new_key = digest_field(t, "new_key");
            if (!old_key) return std::unexpected(old_key.error());
            if (!new_key) return std::unexpected(new_key.error());
            AdoptionProof proof{*old_key, *new_key, {}};
            for (const auto& [name, hex] : t.at("outputs").items()) {
                auto d = Digest::from_hex(hex.get<std::string>());
                if (!d) return std::unexpected(d.error().within("output '" + name + "'"));
                proof.outputs.emplace_back(name, *d);
            }
            a.trials.push_back(std::move(proof));
        }
        return a;
    } catch (const Json::exception& e) {
        return fail(Errc::corruption, std::string("malformed model adoption: ") + e.what());
    }
}

Result<std::optional<Adoption>> find_adoption(const store::Store& store, const Digest& model) {
    const std::string name = adoption_item_name(model);
    auto bytes = store.get_item(name);
    if (!bytes && bytes.error().code == Errc::not_found) return std::optional<Adoption>{};
    if (!bytes) return std::unexpected(bytes.error());
    auto adoption = decode_adoption(*bytes);
    if (!adoption) return std::unexpected(adoption.error().within("item '" + name + "'"));
    if (adoption->model != model)
        return fail(Errc::corruption, "adoption names model " + adoption->model.hex(), "item '" + name + "'");
    return std::optional<Adoption>{std::move(*adoption)};
}

Result<std::vector<Digest>> adopted_models(const store::Store& store, const Digest& model) {
    std::vector<Digest> chain;
    Digest current = model;
    for (;;) {
        auto adoption = find_adoption(store, current);
        if (!adoption) return std::unexpected(adoption.error());
        if (!*adoption) break;
        const Digest older = (*adoption)->reproduces;
        if (older == model || std::find(chain.begin(), chain.end(), older) != chain.end()) break;
        chain.push_back(older);
        current = older;
    }
    return chain;
}

Result<std::vector<std::optional<StoredTrial>>> find_stored_trials(const recipes::Plan& plan,
                                                                   const store::Store& store) {
    auto older = adopted_models(store, plan.model);
    if (!older) return std::unexpected(older.error());
    std::vector<std::optional<StoredTrial>> out(plan.trials.size());
    for (std::size_t i = 0; i < plan.trials.size(); ++i) {
        const auto& t = plan.trials[i];
        auto has = store.contains(t.key);
        if (!has) return std::unexpected(has.error());
        if (*has) {
            out[i] = StoredTrial{t.key, std::nullopt};
            continue;
        }
        const auto mode = plan.conditions[t.condition].spec.seeds.mode;
        for (const Digest& model : *older) {
            const Digest key =
                recipes::trial_key(model, plan.conditions[t.condition].key, mode, t.trial, t.seed);
            auto found = store.contains(key);
            if (!found) return std::unexpected(found.error());
            if (!*found) continue;
            out[i] = StoredTrial{key, model};
            break;
        }
    }
    return out;
}

}  // namespace silico::runner
