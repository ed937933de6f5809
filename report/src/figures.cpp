#include <array>
#include <nlohmann/json.hpp>

#include "encode.hpp"
#include "silico/report/report.hpp"

namespace silico::report {

namespace {

constexpr std::array<std::string_view, 6> k_kinds = {"psth",    "raster",  "traces",
                                                     "mean-sd", "heatmap", "animation"};
// The key of each figure's data in a group's JSON (the animation's is at the top level: one trial).
constexpr std::array<std::string_view, 6> k_keys = {"psth",    "raster",  "traces",
                                                    "mean_sd", "heatmap", "animation"};

}  // namespace

Result<FigureKind> parse_figure_kind(std::string_view name) {
    for (std::size_t i = 0; i < k_kinds.size(); ++i)
        if (k_kinds[i] == name) return static_cast<FigureKind>(i);
    return fail(
        Errc::invalid_argument,
        "unknown figure '" + std::string(name) + "' (psth, raster, traces, mean-sd, heatmap, animation)",
        "KIND");
}

std::string_view to_string(FigureKind kind) {
    return k_kinds[static_cast<std::size_t>(kind)];
}

bool needs_records(FigureKind kind) {
    return kind == FigureKind::traces || kind == FigureKind::mean_sd || kind == FigureKind::heatmap ||
           kind == FigureKind::animation;
}

Result<std::string> figure_json(const Report& report, FigureKind kind, std::size_t group, int width,
                                int height) {
    const auto data = nlohmann::json::parse(report.data_json);
    if (kind == FigureKind::animation) {
        if (!data.contains("animation"))
            return fail(Errc::invalid_argument,
                        "has no dendritic animation (no selected trial recorded [record.dendrites])",
                        "dataset " + report.title);
        return nlohmann::json{
            {"kind", "animation"}, {"width", width}, {"height", height}, {"animation", data.at("animation")}}
            .dump();
    }
    const auto& groups = data.at("groups");
    if (group >= groups.size())
        return fail(Errc::invalid_argument, "no group " + std::to_string(group), "report " + report.title);
    const std::string key(k_keys[static_cast<std::size_t>(kind)]);
    if (!groups[group].contains(key))
        return fail(Errc::invalid_argument,
                    "has no " + std::string(to_string(kind)) +
                        (needs_records(kind) ? " (it needs trial records with that output)" : ""),
                    "dataset " + report.title);
    nlohmann::json figure = {{"kind", key},
                             {"width", width},
                             {"height", height},
                             {"range", data.at("range")},
                             {"window", data.at("window")},
                             {"group", groups[group]}};
    return figure.dump();
}

std::vector<std::pair<std::string, std::string_view>> render_svg_program() {
    return {{"echarts.min.js", assets::echarts_js()},
            {"report.js", assets::report_js()},
            {"render_svg.js", assets::render_svg_js()}};
}

}  // namespace silico::report
