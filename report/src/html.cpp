// The pages: ECharts, the page's script and style and the data inline, under a policy that forbids any
// network request (a report opened from a mail or an archive must not reach out).
#include <string>

#include "encode.hpp"
#include "silico/report/report.hpp"

namespace silico::report {

namespace {

// Scripts may only be inline, images only data: or blob: URLs; nothing may be fetched.
constexpr std::string_view k_policy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:";

std::string escape_html(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// JSON inside <script type="application/json">: "</" would end the element; "<\/" is the same JSON string.
std::string embed_json(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    for (std::size_t i = 0; i < json.size(); ++i) {
        out += json[i];
        if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
    }
    return out;
}

std::string page(std::string_view title, std::string_view json, std::string_view start) {
    std::string html;
    html.reserve(json.size() + assets::echarts_js().size() + 65536);
    html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    html += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + std::string(k_policy) + "\">\n";
    html += "<title>" + escape_html(title) + "</title>\n<style>\n";
    html += assets::report_css();
    html += "</style>\n</head>\n<body>\n<div id=\"silico-report\"></div>\n";
    html +=
        "<script type=\"application/json\" id=\"silico-data\">" + embed_json(json) + "</script>\n<script>\n";
    html += assets::echarts_js();
    html += "\n</script>\n<script>\n";
    html += assets::report_js();
    html += "\n</script>\n<script>\n";
    html += start;
    html += "\n</script>\n</body>\n</html>\n";
    return html;
}

}  // namespace

std::string render_html(const Report& report) {
    return page(report.title, report.data_json,
                "SilicoReport.renderPage(JSON.parse(document.getElementById('silico-data').textContent), "
                "echarts, document.getElementById('silico-report'));");
}

Result<std::string> render_figure_html(const Report& report, FigureKind kind, std::size_t group, int width,
                                       int height) {
    auto figure = figure_json(report, kind, group, width, height);
    if (!figure) return std::unexpected(figure.error());
    return page(report.title, *figure,
                "SilicoReport.renderFigure(JSON.parse(document.getElementById('silico-data').textContent), "
                "echarts, document.getElementById('silico-report'));");
}

Result<std::string> render_animation_html(const Report& report) {
    auto figure = figure_json(report, FigureKind::animation, 0);
    if (!figure) return std::unexpected(figure.error());
    return page(
        report.title + ": dendritic animation", *figure,
        "SilicoReport.renderAnimation(JSON.parse(document.getElementById('silico-data').textContent), "
        "echarts, document.getElementById('silico-report'));");
}

}  // namespace silico::report
