// Private to silico_report: the compact forms of the numbers a page embeds, and the embedded assets.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace silico::report {

// RFC 4648 base64 (with padding).
std::string base64(std::string_view bytes);
// The values as little-endian float32, base64: what the page's script decodes with atob + Float32Array.
std::string f32_base64(std::span<const double> values);
// Every k-th value, k the smallest that leaves at most max_points (the last sample always kept).
std::vector<double> thin(std::span<const double> values, std::size_t max_points);

namespace assets {
std::string_view echarts_js();     // ECharts' dist/echarts.min.js, from npm (report/web/package-lock.json)
std::string_view report_js();      // report/web/report.js: decodes the data and builds each chart's option
std::string_view report_css();     // report/web/report.css
std::string_view render_svg_js();  // report/web/render_svg.js: the Node.js glue of render_svg_program()
}  // namespace assets

}  // namespace silico::report
