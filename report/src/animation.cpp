// The dendritic animation's data: one trial's [record.dendrites] recording (analysis::query_dendrites) as
// frames of every segment's value, and the segments' soma distances and labels, compact enough to inline.
#include "animation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "encode.hpp"
#include "silico/analysis/dendrites.hpp"

namespace silico::report::detail {

namespace {

using nlohmann::json;

// Frame-major float32 (frame f, segment s at f * segments + s) of every `every`-th sample.
std::vector<double> frames_of(const analysis::DendriteRecordingData& d, std::size_t every,
                              std::size_t frames) {
    std::vector<double> out;
    out.reserve(frames * d.values.size());
    for (std::size_t f = 0; f < frames; ++f)
        for (const auto& column : d.values) out.push_back(column[f * every]);
    return out;
}

std::pair<double, double> finite_range(const std::vector<std::vector<double>>& values) {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& column : values)
        for (double v : column)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    if (!(lo <= hi)) return {0.0, 1.0};
    return {lo, hi};
}

}  // namespace

Result<json> animation_json(const store::Store& store, const analysis::Dataset& dataset,
                            const ReportOptions& o) {
    analysis::DendriteOptions first{.variable = o.animation_variable, .trial = o.animation_trial};
    auto probe = analysis::query_dendrites(store, dataset, first, o.select);
    if (!probe) return std::unexpected(probe.error());
    const std::size_t samples = probe->time.size();
    const std::size_t every = std::max<std::size_t>(
        1, (samples + o.animation_frames - 1) / std::max<std::size_t>(1, o.animation_frames));
    const std::size_t frames = samples == 0 ? 0 : (samples - 1) / every + 1;
    std::vector<std::string> labels;
    std::vector<double> label_of;
    for (const auto& l : probe->labels) {
        auto it = std::find(labels.begin(), labels.end(), l);
        if (it == labels.end()) it = labels.insert(labels.end(), l);
        label_of.push_back(static_cast<double>(it - labels.begin()));
    }
    json values = json::array();
    auto add = [&](const analysis::DendriteRecordingData& d) {
        const auto [lo, hi] = finite_range(d.values);
        values.push_back({{"name", d.variable},
                          {"min", lo},
                          {"max", hi},
                          {"frames", f32_base64(frames_of(d, every, frames))}});
    };
    add(*probe);  // the asked variable first: the page shows it first
    for (const auto& v : probe->variables) {
        if (v == probe->variable) continue;
        auto d = analysis::query_dendrites(store, dataset, {.variable = v, .trial = probe->trial}, o.select);
        if (!d) return std::unexpected(d.error());
        add(*d);
    }
    return json{{"trial", probe->trial},
                {"segments", probe->labels.size()},
                {"frames", frames},
                {"t0", samples ? probe->time.front() : 0.0},
                {"dt", samples > 1 ? (probe->time[1] - probe->time[0]) * static_cast<double>(every) : 0.0},
                {"distance", f32_base64(probe->soma_distance)},
                {"labels", labels},
                {"label_of", f32_base64(label_of)},
                {"variables", values}};
}

}  // namespace silico::report::detail
