// The report of a dataset: one self-contained HTML page (summary, then per group a PSTH, a raster, the soma
// traces overlaid, their mean ± SD, the synapse-activation heat map and the spikes-in-window table), and each
// of those figures on its own.
//
// Every number shown comes from silico_analysis' queries (query_psth, query_spikes, query_window,
// query_traces, query_trace_density, query_synapses, summarize_trials); build_report computes them once and
// keeps them as JSON with the numeric arrays as base64 float32, which the page's script and the SVG renderer
// (both ECharts) draw. The page holds ECharts, its script, style and data inline, declares a
// Content-Security-Policy that forbids every network request, and needs nothing but a browser.
// Figures that need trial records (traces, mean ± SD, heat map) are left out of a dataset without them
// (an imported spike table), with a note on the page.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::report {

// animation: one trial's [record.dendrites] recording, every segment's value against its soma distance over
// time (play, pause, step, a time slider); a page of its own, not an SVG or PNG figure.
enum class FigureKind { psth, raster, traces, mean_sd, heatmap, animation };
// "psth", "raster", "traces", "mean-sd", "heatmap", "animation"; Errc::invalid_argument naming the kinds
// otherwise.
Result<FigureKind> parse_figure_kind(std::string_view name);
std::string_view to_string(FigureKind kind);
// Whether the figure reads trial records (traces, synapse activations) rather than spike times only.
bool needs_records(FigureKind kind);

struct ReportOptions {
    analysis::SelectOptions select;
    std::string title;                                       // default: the dataset's source
    std::vector<std::pair<std::string, std::string>> facts;  // extra summary rows (dataset, model version)
    std::vector<FigureKind> figures = {FigureKind::psth,    FigureKind::raster,  FigureKind::traces,
                                       FigureKind::mean_sd, FigureKind::heatmap, FigureKind::animation};
    double psth_bin = 1.0;                          // ms
    std::optional<double> from, to;                 // ms: PSTH and raster range (default: the spikes' range)
    double window_from = 245.0, window_to = 265.0;  // ms: the spikes-in-window table
    std::size_t line_limit = 50;  // groups with at most this many trials overlay lines, larger ones a density
    std::size_t max_points = 4000;  // samples per drawn trace (every k-th beyond)
    std::size_t density_time_bins = 300, density_value_bins = 120;
    double density_min = -90.0, density_max = 50.0;  // mV
    double distance_bin = 50.0;                      // µm, heat map rows
    double time_bin = 2.0;                           // ms, heat map columns
    // The animation: of trial `animation_trial` (dataset index; empty: the first selected trial; none when
    // it recorded no dendrites), `animation_variable` shown first, at most `animation_frames` frames (every
    // k-th sample beyond).
    std::string animation_trial;
    std::string animation_variable;  // empty: v when recorded, else the first
    std::size_t animation_frames = 1000;
};

// The computed figures of a dataset.
struct Report {
    std::string title;
    std::vector<std::string> group_labels;  // "all" without grouping; tuples joined by " / "
    std::string data_json;                  // what the page and the SVG renderer draw
};

// Runs the queries. Errors of the queries pass through (an unknown column, a bad regex, a trial without the
// soma trace); trial records are read only for the figures that need them.
Result<Report> build_report(const store::Store& store, const analysis::Dataset& dataset,
                            const ReportOptions& options = {});

// The whole page.
std::string render_html(const Report& report);
// The dendritic animation alone (`silico plot animation`); Errc::invalid_argument when the report has none.
Result<std::string> render_animation_html(const Report& report);

// One figure of one group (its index in group_labels): a page holding only it (for a PNG screenshot), and the
// JSON that render_svg_program() turns into SVG. Errc::invalid_argument for a figure the report lacks.
Result<std::string> render_figure_html(const Report& report, FigureKind kind, std::size_t group,
                                       int width = 900, int height = 500);
Result<std::string> figure_json(const Report& report, FigureKind kind, std::size_t group, int width = 900,
                                int height = 500);

// The files of a Node.js program that reads figure_json on stdin and writes the figure's SVG on stdout
// (ECharts' server-side SVG renderer): name -> content; run `node render_svg.js` in a folder holding them.
std::vector<std::pair<std::string, std::string_view>> render_svg_program();

}  // namespace silico::report
