// Amira landmark files: after the line starting with `@1`, one "x y z" point per non-empty line.
#include "io/text.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {

Result<std::vector<Point3d>> parse_landmarks(std::string_view text, std::string_view source_name) {
    std::vector<Point3d> points;
    bool data = false, done = false;
    Status status = detail::for_each_line(text, [&](std::size_t number, std::string_view line) -> Status {
        auto t = detail::trim(line);
        if (t.empty() || done) return {};
        if (t.starts_with("@")) {
            if (data) {
                done = true;  // a second data block (not a coordinate set): stop, as ISF's files have one
                return {};
            }
            data = t.starts_with("@1");
            return {};
        }
        if (!data || t.starts_with("#")) return {};
        auto fields = detail::split_whitespace(t);
        std::optional<double> v[3];
        if (fields.size() >= 3)
            for (int i = 0; i < 3; ++i) v[i] = detail::parse_finite_double(fields[i]);
        if (fields.size() < 3 || !v[0] || !v[1] || !v[2])
            return fail(Errc::parse,
                        "a landmark line holds three numbers (x y z): '" + detail::excerpt(t) + "'",
                        detail::where(source_name, number));
        points.push_back(Point3d{*v[0], *v[1], *v[2], 0});
        return {};
    });
    if (!status) return std::unexpected(status.error());
    if (!data) return fail(Errc::parse, "no '@1' data section", std::string(source_name));
    return points;
}

Result<std::vector<Point3d>> read_landmarks(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_landmarks(*text, file.string());
}

}  // namespace silico::experiments
