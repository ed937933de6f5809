// `silico report` and `silico plot` (runner/src/commands/report_commands.cpp), run as the real executable on
// ISF's published data, and the reports loaded in headless Chromium: no console message, no network
// request, and every figure's canvas holds drawn data (pixels of the series' saturated colours: axes and text
// are grey). Screenshots land in <build>/test-artefacts/ (see docs/report.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "chromium.hpp"
#include "temp_dir.hpp"

namespace silico {
namespace {

namespace fs = std::filesystem;
using store::testing::TempDir;
using testing_support::read_text;
using testing_support::run_shell;

const std::string k_silico = std::string(SILICO_EXE);
const std::string k_data = SILICO_SHARED_DIR "/isf/getting_started/example_data/simulation_data";
const fs::path k_artefacts = fs::path(SILICO_BINARY_DIR) / "test-artefacts";

// Counts, for every figure, the pixels of its canvases whose colour is saturated (a series was drawn), and
// the resources the page loaded. Appended to a copy of the report by the test, not part of the product.
const std::string k_probe = R"(<script>
// Calls use(pixels) with the RGBA bytes of every drawn canvas below `root`, and counts the saturated pixels.
function silicoColored(root, use) {
  var colored = 0;
  root.querySelectorAll('canvas').forEach(function (c) {
    if (!c.width || !c.height) return;  // ECharts' unused layers
    // A copy read once: reading the chart's own canvas twice makes Chromium log a performance hint.
    var copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    var context = copy.getContext('2d');
    context.drawImage(c, 0, 0);
    var d = context.getImageData(0, 0, c.width, c.height).data;
    for (var i = 0; i < d.length; i += 4)
      if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 80) ++colored;
    if (use) use(d);
  });
  return colored;
}
(function () {
  document.querySelectorAll('.silico-figure').forEach(function (f) {
    f.setAttribute('data-colored', String(silicoColored(f)));
  });
  document.documentElement.setAttribute('data-resources', String(performance.getEntriesByType('resource').length));
})();
</script>
)";

// 3 s (virtual time) after the page said it was drawn, counts every figure's saturated pixels again as
// data-settled: a figure still being painted at the mark has more of them by then. Then moves the mouse
// over the middle of the traces and heat-map charts and keeps their tooltips' text as data-hover.
const std::string k_settled_probe = R"(<script>
setTimeout(function () {
  document.querySelectorAll('.silico-figure').forEach(function (f) {
    f.setAttribute('data-settled', String(silicoColored(f)));
    if (f.dataset.kind !== 'traces' && f.dataset.kind !== 'heatmap') return;
    var chart = f.querySelector('.silico-chart');
    var r = chart.querySelector('canvas').getBoundingClientRect();
    var at = { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true };
    chart.querySelector('canvas').dispatchEvent(new MouseEvent('mousemove', at));
    f.setAttribute('data-hover', chart.textContent);  // a canvas has no text: this is the tooltip's
  });
}, 3000);
</script>
)";

// Plays the dendritic animation: notes its frame, time label and a checksum of its canvas pixels, clicks
// play, and 6 s later (virtual time: --virtual-time-budget runs the page's timers as fast as the CPU allows)
// notes them again, with the count of drawn (saturated) pixels, as data-probe:
//   frame0|label0|checksum0|frame1|label1|playing|colored|checksum1
// 6 s at 25 frames per second is past frame 140 of the BAC demo (t = 28 ms), well inside its dendritic spike.
// It uses k_probe's silicoColored: load() appends k_probe before it.
const std::string k_play_probe = R"(<script>
(function () {
  var box = document.querySelector('.silico-animation');
  if (!box) return;
  var label = function () { return box.querySelector('.silico-time').textContent; };
  var pixels = function () {
    var sum = 0;
    var colored = silicoColored(box, function (d) {
      for (var i = 0; i < d.length; i += 4)
        sum = (sum * 31 + d[i] + 3 * d[i + 1] + 7 * d[i + 2] + 11 * d[i + 3]) % 2147483647;
    });
    return [colored, sum];
  };
  var before = box.getAttribute('data-frame') + '|' + label() + '|' + pixels()[1];
  box.querySelector('button[data-action="play"]').click();
  setTimeout(function () {
    var after = pixels();
    box.setAttribute('data-probe', before + '|' + box.getAttribute('data-frame') + '|' + label() + '|' +
                     box.getAttribute('data-playing') + '|' + after[0] + '|' + after[1]);
  }, 6000);
})();
</script>
)";

// Moves the animation's slider to frame `F` (a screenshot of the moment, not of t = 0).
std::string seek_probe(int frame) {
    return "<script>(function () { var s = document.querySelector('.silico-animation input[type=range]');"
           " s.value = '" +
           std::to_string(frame) + "'; s.dispatchEvent(new Event('input')); })();</script>\n";
}

struct CliRun {
    int status = -1;
    std::string out, err;
};

struct Figure {
    std::string kind;
    int group = -1;
    long colored = -1;  // saturated pixels when the page said it was drawn
    long settled = -1;  // and 3 s later (k_settled_probe)
    std::string hover;  // the tooltip over the chart's middle (k_settled_probe)
};

class ReportCommands : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_tmp = new TempDir;
        fs::create_directories(k_artefacts);
        auto spikes =
            silico("import isf-spike-times '" + k_data + "/18000_trials/spike_times.csv' --as isf18000");
        ASSERT_EQ(spikes.status, 0) << spikes.err;
        auto simrun = silico("import isf-simrun '" + k_data +
                             "/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center' --as c2");
        ASSERT_EQ(simrun.status, 0) << simrun.err;
    }
    static void TearDownTestSuite() {
        delete s_tmp;
        s_tmp = nullptr;
    }
    void SetUp() override {
        if (testing_support::chromium_path().empty()) GTEST_SKIP() << "chromium is not installed";
    }

    static CliRun silico(const std::string& args) {
        const std::string err = (*s_tmp / "stderr").string();
        auto run = run_shell("cd '" + s_tmp->path().string() + "' && '" + k_silico + "' --store s " + args +
                             " 2> '" + err + "'");
        return {run.status, run.out, read_text(err)};
    }

    // A copy of the page with `script` before </body>.
    static fs::path with_script(const fs::path& report, const std::string& script,
                                const std::string& suffix) {
        std::string html = read_text(report);
        const auto end = html.rfind("</body>");
        html.insert(end == std::string::npos ? html.size() : end, script);
        const fs::path probed = report.parent_path() / (report.stem().string() + suffix + ".html");
        std::ofstream(probed, std::ios::binary) << html;
        return probed;
    }

    // The report with the probe appended, loaded in Chromium; its figures as the probe saw them.
    static testing_support::LoadedPage load(const fs::path& report, std::vector<Figure>& figures,
                                            const std::string& extra_probe = "",
                                            const std::string& flags = "") {
        const fs::path probed = with_script(report, k_probe + extra_probe, ".probed");
        auto page = testing_support::load_page(probed, s_tmp->path(), flags);
        const std::regex div(R"re(<div class="silico-figure( [^"]*)?"([^>]*)>)re");
        const std::regex kind(R"re(data-kind="([a-z_]+)")re"), group(R"re(data-group="(\d+)")re"),
            colored(R"re(data-colored="(\d+)")re"), settled(R"re(data-settled="(\d+)")re"),
            hover(R"re(data-hover="([^"]*)")re");
        for (std::sregex_iterator it(page.dom.begin(), page.dom.end(), div), e; it != e; ++it) {
            const std::string attrs = (*it)[2];
            std::smatch m;
            Figure f;
            if (std::regex_search(attrs, m, kind)) f.kind = m[1];
            if (std::regex_search(attrs, m, group)) f.group = std::stoi(m[1]);
            if (std::regex_search(attrs, m, colored)) f.colored = std::stol(m[1]);
            if (std::regex_search(attrs, m, settled)) f.settled = std::stol(m[1]);
            if (std::regex_search(attrs, m, hover)) f.hover = m[1];
            figures.push_back(f);
        }
        return page;
    }

    static void expect_clean(const testing_support::LoadedPage& page) {
        ASSERT_TRUE(page.started) << page.log;
        EXPECT_TRUE(page.console.empty()) << "console: " << page.console.front();
        EXPECT_TRUE(page.requests.empty()) << "the page asked the network for " << page.requests.front();
        EXPECT_NE(page.dom.find("data-resources=\"0\""), std::string::npos) << "the page loaded a resource";
        EXPECT_NE(page.dom.find("data-silico-rendered="), std::string::npos) << "the report did not finish";
    }

    static TempDir* s_tmp;
};

TempDir* ReportCommands::s_tmp = nullptr;

TEST_F(ReportCommands, TheEighteenThousandTrialReportDrawsAPsthAndRasterPerWhiskerWithoutErrorOrRequest) {
    auto made = silico("report isf18000 -o isf18000.html --group-by 'index~^([^_]+)'");
    ASSERT_EQ(made.status, 0) << made.err;
    const fs::path html = *s_tmp / "isf18000.html";
    EXPECT_NE(made.out.find("isf18000.html (18000 trials, 10 groups)"), std::string::npos) << made.out;
    EXPECT_LE(fs::file_size(html), 20u << 20);

    std::vector<Figure> figures;
    auto page = load(html, figures);
    expect_clean(page);
    ASSERT_EQ(figures.size(), 20u);  // PSTH and raster of B1 ... E2; no trial records: no traces
    for (const auto& f : figures)
        EXPECT_GT(f.colored, 100) << f.kind << " of group " << f.group << " is empty";
    // The spikes-in-window table: C2's 840 of 1800 trials (ISF's spike_in_interval, tests/e2e/analysis).
    EXPECT_NE(page.dom.find("<td>C2</td><td>1800</td><td>840</td><td>46.7 %</td>"), std::string::npos);
    EXPECT_NE(page.dom.find("spike times only"), std::string::npos);
    EXPECT_TRUE(
        testing_support::screenshot(html, k_artefacts / "report_isf18000.png", 1400, 7000, s_tmp->path()));
}

TEST_F(ReportCommands, AnImportedSimrunDrawsTracesMeanSdAndTheSynapseHeatMap) {
    auto made = silico("report c2 -o c2.html");
    ASSERT_EQ(made.status, 0) << made.err;
    std::vector<Figure> figures;
    auto page = load(*s_tmp / "c2.html", figures);
    expect_clean(page);
    std::vector<std::string> kinds;
    for (const auto& f : figures) {
        kinds.push_back(f.kind);
        EXPECT_GT(f.colored, 100) << f.kind << " is empty";
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"psth", "raster", "traces", "mean_sd", "heatmap"}));
    // The summary names where the trials came from and the heat map offers every presynaptic cell type.
    EXPECT_NE(page.dom.find("isf-simrun"), std::string::npos);
    EXPECT_NE(page.dom.find("L5tt (EXC)"), std::string::npos);
    EXPECT_TRUE(testing_support::screenshot(*s_tmp / "c2.html", k_artefacts / "report_c2_simrun.png", 1400,
                                            1400, s_tmp->path()));
}

TEST_F(ReportCommands, ManyTrialsAreOverlaidAsADensityPaintedCompletelyWhenThePageSaysItIsDrawn) {
    // Six trials above a line limit of two: the traces figure is the density image, and it is drawn.
    auto made = silico("report c2 -o c2_density.html --line-limit 2");
    ASSERT_EQ(made.status, 0) << made.err;
    EXPECT_NE(read_text(*s_tmp / "c2_density.html").find("\"mode\":\"density\""), std::string::npos);
    std::vector<Figure> figures;
    auto page = load(*s_tmp / "c2_density.html", figures, k_settled_probe,
                     "--virtual-time-budget=5000 --window-size=1400,1000");
    expect_clean(page);
    ASSERT_EQ(figures.size(), 5u);
    EXPECT_EQ(figures[2].kind, "traces");
    EXPECT_GT(figures[2].colored, 100);
    // Every figure, the density's and heat map's thousands of cells too, is complete at the mark.
    for (const auto& f : figures) EXPECT_EQ(f.settled, f.colored) << f.kind << " was still being painted";
    // Hovering a cell names it: its time and Vm (or soma distance) and what it counts.
    EXPECT_TRUE(std::regex_match(figures[2].hover, std::regex(R"re(-?[\d.]+ ms, -?[\d.]+ mV: \d+ trials)re")))
        << figures[2].hover;
    EXPECT_EQ(figures[4].kind, "heatmap");
    EXPECT_TRUE(std::regex_match(figures[4].hover, std::regex(R"re([\d.]+ ms, [\d.]+ µm: [\d.]+ per trial)re")))
        << figures[4].hover;
}

TEST_F(ReportCommands, PlotWritesOneFigureAsSvgOrPng) {
    auto svg =
        silico("plot psth isf18000 --group-by 'index~^([^_]+)' --group C2 --from 200 --to 300 -o psth.svg");
    ASSERT_EQ(svg.status, 0) << svg.err;
    const std::string text = read_text(*s_tmp / "psth.svg");
    EXPECT_TRUE(text.starts_with("<svg")) << text.substr(0, 200);
    EXPECT_NE(text.find("PSTH (1 ms bins)"), std::string::npos);
    EXPECT_GT(std::count(text.begin(), text.end(), '\n'), 20);  // bars, axes, labels: drawn content

    auto heat = silico("plot heatmap c2 -o heat.svg");
    ASSERT_EQ(heat.status, 0) << heat.err;
    EXPECT_NE(read_text(*s_tmp / "heat.svg").find("Synapse activations per trial"), std::string::npos);

    auto png = silico("plot mean-sd c2 -o mean_sd.png --width 800 --height 400");
    ASSERT_EQ(png.status, 0) << png.err;
    const std::string bytes = read_text(*s_tmp / "mean_sd.png");
    ASSERT_GT(bytes.size(), 1000u);
    EXPECT_EQ(bytes.substr(1, 3), "PNG");
    fs::copy_file(*s_tmp / "mean_sd.png", k_artefacts / "plot_mean_sd_c2.png",
                  fs::copy_options::overwrite_existing);
}

// The dendritic demo (recipes/examples/demo_bac.toml, one 60 ms trial of the example cell with every segment
// recorded) run by the real silico, its report and `silico plot animation`, played in Chromium.
TEST_F(ReportCommands, TheDendriticAnimationAdvancesWhenPlayed) {
    const std::string recipe = std::string(SILICO_SOURCE_DIR) + "/recipes/examples/demo_bac.toml";
    auto ran = silico("run '" + recipe + "'");
    ASSERT_EQ(ran.status, 0) << ran.err;
    auto made = silico("report '" + recipe + "' -o bac.html");
    ASSERT_EQ(made.status, 0) << made.err;
    const fs::path html = *s_tmp / "bac.html";
    EXPECT_LE(fs::file_size(html), 20u << 20);
    std::vector<Figure> figures;
    auto page = load(html, figures, k_play_probe, "--virtual-time-budget=8000");
    expect_clean(page);
    // One trial: its raster is three spikes (~70 pixels), every other figure far more.
    for (const auto& f : figures)
        EXPECT_GT(f.colored, f.kind == "raster" ? 20 : 100) << f.kind << " is empty";
    // Every recorded variable is offered; 301 frames: 60 ms every 0.2 ms.
    for (const char* v : {">v<", ">Ca_LVAst.ica<", ">cai<"})
        EXPECT_NE(page.dom.find(v), std::string::npos) << v;
    EXPECT_NE(page.dom.find("301 frames of 0.2 ms"), std::string::npos);
    std::smatch m;
    const std::regex probe(R"re(data-probe="(\d+)\|([^|]*)\|(\d+)\|(\d+)\|([^|]*)\|(\w+)\|(\d+)\|(\d+)")re");
    ASSERT_TRUE(std::regex_search(page.dom, m, probe)) << "the animation probe did not run";
    EXPECT_EQ(m[1], "0");
    EXPECT_EQ(m[2], "t = 0.0 ms");
    EXPECT_GT(std::stoi(m[4]), 5) << "the animation did not advance when played";
    EXPECT_NE(m[5], m[2]) << "the time label did not move";
    EXPECT_GT(std::stol(m[7]), 100) << "the animation's canvas is empty";
    EXPECT_NE(m[8], m[3]) << "the canvas shows the same pixels after playing";
    // A moment of the burst (frame 140: t = 28 ms, the BAC's dendritic calcium spike).
    EXPECT_TRUE(testing_support::screenshot(with_script(html, seek_probe(140), ".seek"),
                                            k_artefacts / "report_bac_dendrites.png", 1400, 1400,
                                            s_tmp->path()));

    auto alone = silico("plot animation '" + recipe + "' --variable Ca_LVAst.ica -o animation.html");
    ASSERT_EQ(alone.status, 0) << alone.err;
    std::vector<Figure> none;
    auto solo = load(*s_tmp / "animation.html", none, k_play_probe, "--virtual-time-budget=8000");
    expect_clean(solo);
    EXPECT_TRUE(none.empty());  // the animation alone
    ASSERT_TRUE(std::regex_search(solo.dom, m, probe)) << "the animation probe did not run";
    EXPECT_EQ(m[1], "0");
    EXPECT_GT(std::stoi(m[4]), 5) << "the animation alone did not advance when played";
    EXPECT_NE(m[8], m[3]) << "the animation alone shows the same pixels after playing";
    // --variable puts Ca_LVAst.ica first in the menu: the one drawn (the chart's title is canvas text).
    EXPECT_NE(solo.dom.find("<option value=\"0\">Ca_LVAst.ica</option>"), std::string::npos);
    EXPECT_TRUE(testing_support::screenshot(with_script(*s_tmp / "animation.html", seek_probe(140), ".seek"),
                                            k_artefacts / "plot_animation_bac_ica.png", 1200, 600,
                                            s_tmp->path()));

    auto png = silico("plot animation '" + recipe + "' -o animation.png");
    EXPECT_EQ(png.status, 2);
    EXPECT_NE(png.err.find("must end in .html"), std::string::npos) << png.err;
    auto missing = silico("plot animation c2 -o a.html");
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.err.find("record.dendrites"), std::string::npos) << missing.err;
    auto variable = silico("plot animation '" + recipe + "' --variable ik -o a.html");
    EXPECT_EQ(variable.status, 2);
    EXPECT_NE(variable.err.find("not ik"), std::string::npos) << variable.err;
}

TEST_F(ReportCommands, BadRequestsNameWhatIsWrong) {
    auto traces = silico("plot traces isf18000 -o t.svg");
    EXPECT_EQ(traces.status, 2);
    EXPECT_NE(traces.err.find("needs trial records"), std::string::npos) << traces.err;
    auto kind = silico("plot violin isf18000 -o t.svg");
    EXPECT_EQ(kind.status, 2);
    EXPECT_NE(kind.err.find("unknown figure 'violin'"), std::string::npos) << kind.err;
    auto group = silico("plot psth isf18000 --group-by 'index~^([^_]+)' --group Z9 -o t.svg");
    EXPECT_EQ(group.status, 2);
    EXPECT_NE(group.err.find("no group 'Z9' (groups: B1, B2"), std::string::npos) << group.err;
    auto column = silico("report isf18000 -o r.html --group-by whisker");
    EXPECT_EQ(column.status, 2);
    EXPECT_NE(column.err.find("whisker"), std::string::npos) << column.err;
    auto ext = silico("plot psth isf18000 -o t.pdf");
    EXPECT_EQ(ext.status, 2);
}

}  // namespace
}  // namespace silico
