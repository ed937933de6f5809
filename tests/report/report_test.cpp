#include "silico/report/report.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "analysis_test_support.hpp"
#include "encode.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/analysis/spikes.hpp"

namespace silico::report {
namespace {

using analysis::testing::StoreFixture;

// The page's decoding (report.js f32), written again: base64, then little-endian float32.
std::vector<float> decode_f32(const std::string& b64) {
    static const std::string k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : b64) {
        if (c == '=') break;
        acc = acc << 6 | static_cast<std::uint32_t>(k_alphabet.find(c));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), out.size() * 4);
    return out;
}

TEST(ReportEncoding, Base64FollowsRfc4648AndThinningKeepsTheEnds) {
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(base64("f"), "Zg==");
    EXPECT_EQ(base64("fo"), "Zm8=");
    EXPECT_EQ(base64("foo"), "Zm9v");
    EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(decode_f32(f32_base64(std::vector<double>{1.5, -70.25, 1e6})),
              (std::vector<float>{1.5f, -70.25f, 1e6f}));
    std::vector<double> ramp(10001);
    for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<double>(i);
    const auto thinned = thin(ramp, 1000);
    EXPECT_LE(thinned.size(), 1001u);
    EXPECT_GE(thinned.size(), 500u);
    EXPECT_EQ(thinned.front(), 0.0);
    EXPECT_EQ(thinned.back(), 10000.0);
    EXPECT_EQ(thin(std::vector<double>{1, 2, 3}, 1000).size(), 3u);
}

TEST(ReportFigures, KindsParseAndUnknownOnesAreNamed) {
    EXPECT_EQ(*parse_figure_kind("mean-sd"), FigureKind::mean_sd);
    EXPECT_EQ(to_string(FigureKind::heatmap), "heatmap");
    auto bad = parse_figure_kind("violin");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::invalid_argument);
    EXPECT_TRUE(needs_records(FigureKind::traces));
    EXPECT_FALSE(needs_records(FigureKind::raster));
    EXPECT_EQ(*parse_figure_kind("animation"), FigureKind::animation);
    EXPECT_TRUE(needs_records(FigureKind::animation));
}

struct Reports : StoreFixture {};

TEST_F(Reports, TheSpikeTableReportHoldsThePsthRasterAndWindowOfEachGroupAsTheQueriesGiveThem) {
    auto store = open_writer();
    auto d = analysis::parse_isf_spike_times("i,0,1\nA_x/1,10.5,12\nA_x/2,,\nB_y/1,11,250\n", "t.csv");
    ASSERT_TRUE(d) << d.error().what();
    ReportOptions o;
    o.select.group_by = {"index~^([^_]+)"};
    o.psth_bin = 2.0;
    o.window_from = 10;
    o.window_to = 12;
    auto r = build_report(store, *d, o);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->group_labels, (std::vector<std::string>{"A", "B"}));
    const auto data = nlohmann::json::parse(r->data_json);
    EXPECT_EQ(data["range"]["from"], 0.0);
    EXPECT_EQ(data["range"]["to"], 250.0);  // the last spike, aligned up to the bin
    auto psth = analysis::query_psth(*d, {.bin = 2.0, .from = 0.0, .to = 250.0}, o.select);
    ASSERT_TRUE(psth);
    for (std::size_t g = 0; g < 2; ++g) {
        const auto& group = data["groups"][g];
        const auto values = decode_f32(group["psth"]["values"]);
        ASSERT_EQ(values.size(), psth->groups[g].values.size());
        for (std::size_t k = 0; k < values.size(); ++k)
            EXPECT_FLOAT_EQ(values[k], static_cast<float>(psth->groups[g].values[k])) << g << " " << k;
        EXPECT_FALSE(group.contains("traces"));  // no records
    }
    // Raster of A: trial 0 has spikes at 10.5 and 12, trial 1 none.
    EXPECT_EQ(decode_f32(data["groups"][0]["raster"]["t"]), (std::vector<float>{10.5f, 12.0f}));
    EXPECT_EQ(decode_f32(data["groups"][0]["raster"]["y"]), (std::vector<float>{0.0f, 0.0f}));
    EXPECT_EQ(data["groups"][0]["window"]["spiking"], 1);
    EXPECT_EQ(data["groups"][0]["window"]["trials"], 2);
    EXPECT_EQ(data["groups"][1]["window"]["spiking"], 1);
    EXPECT_EQ(data["notes"].size(), 1u);

    auto traces = figure_json(*r, FigureKind::traces, 0);
    ASSERT_FALSE(traces);
    EXPECT_NE(traces.error().what().find("needs trial records"), std::string::npos);
    EXPECT_FALSE(figure_json(*r, FigureKind::psth, 2));
    auto psth_figure = figure_json(*r, FigureKind::psth, 1, 300, 200);
    ASSERT_TRUE(psth_figure);
    EXPECT_EQ(nlohmann::json::parse(*psth_figure)["group"]["label"], "B");
}

TEST_F(Reports, ThePageIsSelfContainedAndForbidsTheNetwork) {
    auto store = open_writer();
    auto d = analysis::parse_isf_spike_times("i,0\n</script><b>x/1,1\n", "t.csv");
    ASSERT_TRUE(d) << d.error().what();
    ReportOptions o;
    o.title = "a <title>";
    o.select.group_by = {"path"};  // the group label is the index's folder: "</script><b>x"
    auto r = build_report(store, *d, o);
    ASSERT_TRUE(r) << r.error().what();
    const std::string html = render_html(*r);
    EXPECT_NE(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
              std::string::npos);
    EXPECT_NE(html.find("<title>a &lt;title&gt;</title>"), std::string::npos);
    EXPECT_EQ(html.find("<script src"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    // The index's "</script>" cannot end the data element early: JSON's "<\/" stands for it.
    const auto data_start = html.find("<script type=\"application/json\" id=\"silico-data\">");
    ASSERT_NE(data_start, std::string::npos);
    const auto data_end = html.find("</script>", data_start);
    EXPECT_NE(html.substr(data_start, data_end - data_start).find("<\\/script><b>x"), std::string::npos);
    EXPECT_NE(html.find("echarts"), std::string::npos);  // the library itself is inside
    EXPECT_GT(html.size(), 500'000u);
}

TEST_F(Reports, AnImportedSimrunHasTracesMeanSdAndAHeatMapPanelPerCellType) {
    auto store = open_writer();
    ASSERT_TRUE(analysis::import_isf_simrun(store, analysis::testing::k_simrun_2015, "run2015"));
    auto d = analysis::read_dataset(store, "run2015");
    ASSERT_TRUE(d);
    ReportOptions o;
    o.line_limit = 2;
    auto r = build_report(store, *d, o);
    ASSERT_TRUE(r) << r.error().what();
    const auto data = nlohmann::json::parse(r->data_json);
    const auto& g = data["groups"][0];
    EXPECT_EQ(g["traces"]["mode"], d->size() > 2 ? "density" : "lines");
    EXPECT_EQ(decode_f32(g["mean_sd"]["t"]).size(), decode_f32(g["mean_sd"]["mean"]).size());
    const auto& panels = g["heatmap"]["panels"];
    ASSERT_GE(panels.size(), 3u);
    EXPECT_EQ(panels[0]["name"], "EXC (all excitatory types)");
    const std::size_t cells = g["heatmap"]["nd"].get<std::size_t>() * g["heatmap"]["nt"].get<std::size_t>();
    double exc = 0, inh = 0, types = 0;
    for (float v : decode_f32(panels[0]["values"])) exc += v;
    for (float v : decode_f32(panels[1]["values"])) inh += v;
    for (std::size_t p = 2; p < panels.size(); ++p) {
        const auto values = decode_f32(panels[p]["values"]);
        ASSERT_EQ(values.size(), cells);
        for (float v : values) types += v;
    }
    EXPECT_GT(exc, 0);
    EXPECT_GT(inh, 0);
    EXPECT_NEAR(exc + inh, types, 1e-3 * types);  // EXC and INH split the cell types' activations
    // No trial recorded [record.dendrites]: no animation, and asking for it alone names why.
    EXPECT_FALSE(data.contains("animation"));
    auto animation = render_animation_html(*r);
    ASSERT_FALSE(animation);
    EXPECT_NE(animation.error().what().find("[record.dendrites]"), std::string::npos);
}

}  // namespace
}  // namespace silico::report
