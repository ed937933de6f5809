// `silico report DATASET -o FILE.html` and `silico plot KIND DATASET -o FILE.svg|png` (docs/report.md).
//
// DATASET as in `silico query` (a recipe or a stored dataset's name, dataset_args.hpp). The report is one
// self-contained HTML file (silico_report). A single figure as SVG is drawn by ECharts' server-side renderer
// in Node.js (`node`, or $SILICO_NODE); as PNG, its one-figure page is screenshot by headless Chromium
// (`chromium`, or $SILICO_CHROMIUM). Both run on files in a fresh temporary folder, removed afterwards.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "dataset_args.hpp"
#include "executors/child_process.hpp"
#include "silico/report/report.hpp"

namespace silico::runner {

namespace fs = std::filesystem;

namespace {

struct ReportArgs {
    std::string dataset, output;
    std::vector<std::string> where, group_by;
    double bin = 1.0, window_from = 245.0, window_to = 265.0, time_bin = 2.0, distance_bin = 50.0;
    double from = 0, to = 0;
    std::size_t line_limit = 50;
    std::string trial, variable;  // the dendritic animation's
    CLI::Option* from_option = nullptr;
    CLI::Option* to_option = nullptr;
};

void add_report_options(CLI::App* cmd, ReportArgs& a) {
    cmd->add_option("dataset", a.dataset, "A recipe file, or the name of a stored dataset (silico datasets)")
        ->required();
    cmd->add_option("-o,--output", a.output, "The file to write")->required();
    cmd->add_option("--where", a.where, "Keep trials with COLUMN=VALUE (repeatable)");
    cmd->add_option("--group-by", a.group_by,
                    "Group by a column, or by index~REGEX (first capture; repeatable)");
    cmd->add_option("--bin", a.bin, "PSTH bin (ms, default 1)");
    a.from_option = cmd->add_option("--from", a.from, "PSTH and raster start (ms, default 0)");
    a.to_option = cmd->add_option("--to", a.to, "PSTH and raster end (ms; default tstop, or the last spike)");
    cmd->add_option("--window-from", a.window_from, "Spikes-in-window table: start (ms, default 245)");
    cmd->add_option("--window-to", a.window_to, "Spikes-in-window table: end (ms, exclusive, default 265)");
    cmd->add_option("--time-bin", a.time_bin, "Heat map time bin (ms, default 2)");
    cmd->add_option("--distance-bin", a.distance_bin, "Heat map soma-distance bin (µm, default 50)");
    cmd->add_option("--line-limit", a.line_limit,
                    "Overlay single traces up to this many trials per group, a density beyond (default 50)");
    cmd->add_option("--trial", a.trial,
                    "Dendritic animation: the trial (its index; default the first with [record.dendrites])");
    cmd->add_option("--variable", a.variable,
                    "Dendritic animation: the variable shown first (default v, else the first recorded)");
}

// The report's options, with what a recipe adds: its end time and the model version of its trial keys.
report::ReportOptions report_options(const ReportArgs& a, const OpenedDataset& o) {
    report::ReportOptions r;
    r.select = {a.where, a.group_by};
    r.psth_bin = a.bin;
    r.window_from = a.window_from;
    r.window_to = a.window_to;
    r.time_bin = a.time_bin;
    r.distance_bin = a.distance_bin;
    r.line_limit = a.line_limit;
    r.animation_trial = a.trial;
    r.animation_variable = a.variable;
    if (a.from_option->count()) r.from = a.from;
    if (a.to_option->count()) r.to = a.to;
    r.facts.emplace_back("dataset", a.dataset);
    r.title = a.dataset;
    if (o.plan) {
        const auto& recipe = o.plan->recipe;
        r.title = recipe.document.at("experiment").at("name").get<std::string>();
        const auto& tstop = recipe.document.at("simulation").at("tstop");
        if (!r.to && tstop.is_number()) r.to = tstop.get<double>();
        const auto& model = o.plan->context.model;
        r.facts.emplace_back("model code (experiments/, mechanisms/ trees)",
                             model.experiments_tree.substr(0, 12) + ", " +
                                 model.mechanisms_tree.substr(0, 12) +
                                 (model.dirty() ? " + uncommitted changes" : ""));
        r.facts.emplace_back("conditions", std::to_string(o.plan->plan.conditions.size()));
    }
    return r;
}

Status write_file(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return fail(Errc::io, "cannot write", path.string());
    return {};
}

// A temporary folder that removes itself.
struct TempFolder {
    fs::path path;
    TempFolder() {
        std::string pattern = (fs::temp_directory_path() / "silico-plot-XXXXXX").string();
        if (mkdtemp(pattern.data())) path = pattern;
    }
    ~TempFolder() {
        std::error_code ec;
        if (!path.empty()) fs::remove_all(path, ec);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
};

std::string program(const char* variable, const char* fallback) {
    const char* env = std::getenv(variable);
    return env && *env ? env : fallback;
}

Result<std::string> run_tool(const std::vector<std::string>& argv, const std::string& what) {
    auto out = run_command(argv);
    if (!out) return std::unexpected(out.error().within(what));
    if (!out->succeeded())
        return fail(Errc::failed, argv[0] + " " + describe_wait_status(out->status) + ": " + out->err, what);
    return out->out;
}

Status plot_svg(const report::Report& r, report::FigureKind kind, std::size_t group, const fs::path& out,
                int width, int height) {
    auto figure = report::figure_json(r, kind, group, width, height);
    if (!figure) return std::unexpected(figure.error());
    TempFolder tmp;
    if (tmp.path.empty()) return fail(Errc::io, "cannot create a temporary folder", "silico plot");
    for (const auto& [name, text] : report::render_svg_program())
        if (auto st = write_file(tmp.path / name, text); !st) return st;
    if (auto st = write_file(tmp.path / "figure.json", *figure); !st) return st;
    auto svg = run_tool({program("SILICO_NODE", "node"), (tmp.path / "render_svg.js").string(),
                         (tmp.path / "figure.json").string()},
                        "drawing the SVG with Node.js (set SILICO_NODE to its path)");
    if (!svg) return std::unexpected(svg.error());
    if (!svg->starts_with("<svg"))
        return fail(Errc::failed, "node wrote no SVG: " + svg->substr(0, 200), out.string());
    return write_file(out, *svg);
}

Status plot_png(const report::Report& r, report::FigureKind kind, std::size_t group, const fs::path& out,
                int width, int height) {
    auto page = report::render_figure_html(r, kind, group, width, height);
    if (!page) return std::unexpected(page.error());
    TempFolder tmp;
    if (tmp.path.empty()) return fail(Errc::io, "cannot create a temporary folder", "silico plot");
    if (auto st = write_file(tmp.path / "figure.html", *page); !st) return st;
    const fs::path png = fs::absolute(out);
    std::vector<std::string> argv = {program("SILICO_CHROMIUM", "chromium"),
                                     "--headless",
                                     "--disable-gpu",
                                     "--hide-scrollbars",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--user-data-dir=" + (tmp.path / "profile").string(),
                                     "--window-size=" + std::to_string(width) + "," + std::to_string(height),
                                     "--screenshot=" + png.string(),
                                     "file://" + (tmp.path / "figure.html").string()};
    if (geteuid() == 0) argv.insert(argv.begin() + 1, "--no-sandbox");  // Chromium refuses root otherwise
    auto ran = run_tool(argv, "drawing the PNG with headless Chromium (set SILICO_CHROMIUM to its path)");
    if (!ran) return std::unexpected(ran.error());
    std::error_code ec;
    if (!fs::exists(png, ec)) return fail(Errc::failed, "Chromium wrote no screenshot", png.string());
    return {};
}

Result<std::size_t> group_index(const report::Report& r, const std::string& label) {
    if (label.empty()) return 0;
    std::string known;
    for (std::size_t g = 0; g < r.group_labels.size(); ++g) {
        if (r.group_labels[g] == label) return g;
        known += (known.empty() ? "" : ", ") + r.group_labels[g];
    }
    return fail(Errc::invalid_argument, "no group '" + label + "' (groups: " + known + ")", "--group");
}

void add_report_command(CLI::App& app, CliContext& ctx) {
    static ReportArgs args;
    auto* cmd =
        app.add_subcommand("report", "Write a self-contained HTML report of a dataset (docs/report.md)");
    add_report_options(cmd, args);
    cmd->callback([&ctx] {
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        auto r = report::build_report(o->store, o->dataset, report_options(args, *o));
        if (!r) return ctx.report(r.error());
        if (auto st = write_file(args.output, report::render_html(*r)); !st) return ctx.report(st.error());
        std::cout << "wrote " << fs::absolute(args.output).string() << " (" << o->dataset.size()
                  << " trials, " << r->group_labels.size()
                  << (r->group_labels.size() == 1 ? " group)\n" : " groups)\n");
    });
}

void add_plot_command(CLI::App& app, CliContext& ctx) {
    static ReportArgs args;
    static std::string kind_name, group;
    static int width = 900, height = 500;
    auto* cmd = app.add_subcommand("plot", "Draw one figure of a dataset as SVG or PNG (docs/report.md)");
    cmd->add_option("kind", kind_name,
                    "psth, raster, traces, mean-sd, heatmap (.svg, .png) or animation (.html)")
        ->required();
    add_report_options(cmd, args);
    cmd->add_option("--group", group, "The group to draw (its label as in the report; default the first)");
    cmd->add_option("--width", width, "Width in pixels (default 900)");
    cmd->add_option("--height", height, "Height in pixels (default 500)");
    cmd->callback([&ctx] {
        auto kind = report::parse_figure_kind(kind_name);
        if (!kind) return ctx.report(kind.error());
        const std::string ext = fs::path(args.output).extension().string();
        const bool animation = *kind == report::FigureKind::animation;
        if (animation && ext != ".html")
            return ctx.report(
                Error{Errc::invalid_argument, "the animation is a page: must end in .html", args.output});
        if (!animation && ext != ".svg" && ext != ".png")
            return ctx.report(Error{Errc::invalid_argument, "must end in .svg or .png", args.output});
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        auto options = report_options(args, *o);
        options.figures = {*kind};
        auto r = report::build_report(o->store, o->dataset, options);
        if (!r) return ctx.report(r.error());
        if (animation) {
            auto page = report::render_animation_html(*r);
            if (!page) return ctx.report(page.error());
            if (auto st = write_file(args.output, *page); !st) return ctx.report(st.error());
            std::cout << "wrote " << fs::absolute(args.output).string() << "\n";
            return;
        }
        auto g = group_index(*r, group);
        if (!g) return ctx.report(g.error());
        auto st = ext == ".svg" ? plot_svg(*r, *kind, *g, args.output, width, height)
                                : plot_png(*r, *kind, *g, args.output, width, height);
        if (!st) return ctx.report(st.error());
        std::cout << "wrote " << fs::absolute(args.output).string() << "\n";
    });
}

}  // namespace

void add_report_commands(CLI::App& app, CliContext& ctx) {
    add_report_command(app, ctx);
    add_plot_command(app, ctx);
}

}  // namespace silico::runner
