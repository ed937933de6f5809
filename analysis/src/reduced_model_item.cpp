// A reduced model's bytes (JSON) and its store item.
#include <cmath>
#include <nlohmann/json.hpp>

#include "named_item.hpp"
#include "silico/analysis/reduced_model.hpp"
#include "silico/core/digest.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis {

namespace {

using nlohmann::json;

json options_json(const ReducedModelOptions& o) {
    return {{"by", std::string(to_string(o.by))},
            {"output_min", o.output_min},
            {"output_max", o.output_max},
            {"window_min", o.window_min.value_or(0)},
            {"window_max", o.window_max.value_or(0)},
            {"refractory", o.refractory},
            {"iterations", o.iterations},
            {"test_size", o.test_size},
            {"balance", o.balance},
            {"lookup_step", o.lookup_step},
            {"proximal_um", o.proximal_um}};
}

Result<ReducedModelOptions> options_of(const json& j) {
    ReducedModelOptions o;
    auto by = parse_synapse_dim(j.at("by").get<std::string>());
    if (!by) return std::unexpected(by.error());
    o.by = *by;
    o.output_min = j.at("output_min").get<double>();
    o.output_max = j.at("output_max").get<double>();
    o.window_min = j.at("window_min").get<std::int64_t>();
    o.window_max = j.at("window_max").get<std::int64_t>();
    o.window_width = *o.window_max - *o.window_min;
    o.refractory = j.at("refractory").get<double>();
    o.iterations = j.at("iterations").get<std::int64_t>();
    o.test_size = j.at("test_size").get<double>();
    o.balance = j.at("balance").get<bool>();
    o.lookup_step = j.at("lookup_step").get<std::int64_t>();
    o.proximal_um = j.at("proximal_um").get<double>();
    return o;
}

json fit_json(const ReducedFit& f) {
    return {{"kernel", f.kernel},
            {"lookup_first", f.lookup.first},
            {"lookup", f.lookup.p},
            {"train", f.train},
            {"test", f.test},
            {"train_accuracy", f.train_accuracy},
            {"test_accuracy", f.test_accuracy ? json(*f.test_accuracy) : json(nullptr)}};
}

ReducedFit fit_of(const json& j) {
    ReducedFit f;
    f.kernel = j.at("kernel").get<std::vector<double>>();
    f.lookup.first = j.at("lookup_first").get<std::int64_t>();
    f.lookup.p = j.at("lookup").get<std::vector<double>>();
    f.train = j.at("train").get<std::size_t>();
    f.test = j.at("test").get<std::size_t>();
    f.train_accuracy = j.at("train_accuracy").get<double>();
    if (!j.at("test_accuracy").is_null()) f.test_accuracy = j.at("test_accuracy").get<double>();
    return f;
}

Result<ReducedModel> model_of(const json& j) {
    ReducedModel m;
    auto o = options_of(j.at("options"));
    if (!o) return std::unexpected(o.error());
    m.options = *o;
    m.groups = j.at("groups").get<std::vector<std::string>>();
    m.dataset = j.at("dataset").get<std::string>();
    m.trials = j.at("trials").get<std::size_t>();
    m.spiking = j.at("spiking").get<std::size_t>();
    m.excluded = j.at("excluded").get<std::size_t>();
    const auto cols = m.groups.size() * static_cast<std::size_t>(m.options.window_width);
    for (const auto& f : j.at("fits")) {
        m.fits.push_back(fit_of(f));
        if (m.fits.back().kernel.size() != cols || m.fits.back().lookup.p.empty())
            return fail(Errc::corruption, "a fit's kernel does not match its groups and window",
                        "reduced model");
    }
    if (m.fits.empty()) return fail(Errc::corruption, "a reduced model without fits", "reduced model");
    return m;
}

}  // namespace

std::string ReducedModel::encode() const {
    json j = {{"format", k_reduced_model_format_version},
              {"options", options_json(options)},
              {"groups", groups},
              {"dataset", dataset},
              {"trials", trials},
              {"spiking", spiking},
              {"excluded", excluded},
              {"fits", json::array()}};
    for (const auto& f : fits) j["fits"].push_back(fit_json(f));
    return j.dump();
}

Result<ReducedModel> ReducedModel::decode(std::string_view bytes) {
    try {
        const json j = json::parse(bytes);
        const auto format = j.at("format").get<std::uint32_t>();
        if (format > k_reduced_model_format_version)
            return fail(Errc::version,
                        "format " + std::to_string(format) + " is newer than this silico reads (" +
                            std::to_string(k_reduced_model_format_version) + ")",
                        "reduced model");
        return model_of(j);
    } catch (const json::exception& e) {
        return fail(Errc::corruption, std::string("malformed: ") + e.what(), "reduced model");
    }
}

Result<std::string> reduced_model_item_name(std::string_view name) {
    // Same rules as dataset names; dataset_item_name checks them.
    auto checked = dataset_item_name(name);
    if (!checked) return std::unexpected(checked.error());
    return std::string(k_reduced_model_item_prefix) + std::string(name);
}

Status write_reduced_model(store::Store& store, std::string_view name, const ReducedModel& model) {
    auto item = reduced_model_item_name(name);
    if (!item) return std::unexpected(item.error());
    const std::string bytes = model.encode();
    return detail::put_item_once(store, *item, bytes, k_reduced_model_encoding,
                                 "reduced model " + std::string(name));
}

Result<ReducedModel> read_reduced_model(const store::Store& store, std::string_view name) {
    auto item = reduced_model_item_name(name);
    if (!item) return std::unexpected(item.error());
    auto meta = store.item_meta(*item);
    if (!meta) {
        if (meta.error().code == Errc::not_found)
            return fail(
                Errc::not_found,
                "no such reduced model in " + store.dir().string() + " (fit one with silico reduce fit)",
                "reduced model " + std::string(name));
        return std::unexpected(meta.error());
    }
    if (meta->encoding != k_reduced_model_encoding)
        return fail(Errc::invalid_argument,
                    "item " + *item + " is not a reduced model (encoding " + meta->encoding + ")",
                    "reduced model " + std::string(name));
    auto bytes = store.get_blob(meta->blob.digest);
    if (!bytes) return std::unexpected(bytes.error());
    auto m = ReducedModel::decode(*bytes);
    if (!m) return std::unexpected(m.error().within("reduced model " + std::string(name)));
    return m;
}

}  // namespace silico::analysis
