// `silico check`'s output comparison (output_diff.hpp).
#include "commands/output_diff.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include "silico/store/array.hpp"

namespace silico::runner {

namespace {

// |a - b| as check reports it: 0 for the same bits, infinity when exactly one is NaN.
double distance(double a, double b) {
    if (std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b)) return 0.0;
    if (std::isnan(a) != std::isnan(b)) return std::numeric_limits<double>::infinity();
    if (std::isnan(a)) return 0.0;  // two NaNs with different payloads: no number to compare
    const double d = std::fabs(a - b);
    return d == 0.0 ? std::numeric_limits<double>::min() : d;  // +0 vs -0 differs in bits
}

bool agrees(double a, double b, double tolerance) {
    if (tolerance == 0.0) return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
    return distance(a, b) <= tolerance;
}

void compare_column(const std::vector<double>& stored, const std::vector<double>& rerun, double tolerance,
                    OutputDiff& diff) {
    for (std::size_t i = 0; i < stored.size(); ++i) {
        diff.max_abs = std::max(diff.max_abs, distance(stored[i], rerun[i]));
        if (agrees(stored[i], rerun[i], tolerance)) continue;
        ++diff.differing;
        if (!diff.first_index || i < *diff.first_index) diff.first_index = i;
    }
}

void compare_spikes(const std::vector<double>& stored, const std::vector<double>& rerun, double tolerance,
                    OutputDiff& diff) {
    diff.stored_spikes = stored.size();
    diff.rerun_spikes = rerun.size();
    const std::size_t common = std::min(stored.size(), rerun.size());
    compare_column({stored.begin(), stored.begin() + static_cast<std::ptrdiff_t>(common)},
                   {rerun.begin(), rerun.begin() + static_cast<std::ptrdiff_t>(common)}, tolerance, diff);
    if (stored.size() != rerun.size()) {
        diff.differing += std::max(stored.size(), rerun.size()) - common;
        if (!diff.first_index) diff.first_index = common;
        diff.max_abs = std::numeric_limits<double>::infinity();
    }
    if (diff.first_index) {
        const std::size_t i = *diff.first_index;
        if (i < stored.size()) diff.first_spike_stored = stored[i];
        if (i < rerun.size()) diff.first_spike_rerun = rerun[i];
    }
}

void compare_arrays(const store::NumericArray& a, const store::NumericArray& b, double tolerance,
                    OutputDiff& diff) {
    if (a.kind != b.kind) {
        diff.problem = "the array kinds differ";
        return;
    }
    switch (a.kind) {
        case store::ArrayKind::spike_lists:
            if (a.f64.size() != b.f64.size()) {
                diff.problem = "stored " + std::to_string(a.f64.size()) + " spike lists, re-run " +
                               std::to_string(b.f64.size());
                return;
            }
            for (std::size_t l = 0; l < a.f64.size(); ++l)
                compare_spikes(a.f64[l], b.f64[l], tolerance, diff);
            return;
        case store::ArrayKind::f64_table:
            if (a.f64.size() != b.f64.size() || (!a.f64.empty() && a.f64[0].size() != b.f64[0].size())) {
                diff.problem = "stored shape " + std::to_string(a.f64.size()) + " x " +
                               std::to_string(a.f64.empty() ? 0 : a.f64[0].size()) + ", re-run " +
                               std::to_string(b.f64.size()) + " x " +
                               std::to_string(b.f64.empty() ? 0 : b.f64[0].size());
                return;
            }
            for (std::size_t c = 0; c < a.f64.size(); ++c)
                compare_column(a.f64[c], b.f64[c], tolerance, diff);
            return;
        case store::ArrayKind::i64_table:
            if (a.i64 != b.i64) diff.problem = "the integer table differs";
            return;
        case store::ArrayKind::strings:
            if (a.strings != b.strings) diff.problem = "the strings differ";
            return;
    }
}

std::string number(double x) {
    std::ostringstream out;
    out.precision(std::numeric_limits<double>::max_digits10);
    out << x;
    return out.str();
}

}  // namespace

double Tolerance::of(const std::string& output) const {
    auto it = per_output.find(output);
    return it == per_output.end() ? all : it->second;
}

bool Tolerance::exact() const {
    if (all != 0.0) return false;
    for (const auto& [name, t] : per_output)
        if (t != 0.0) return false;
    return true;
}

Result<Tolerance> parse_tolerance(std::string_view spec) {
    Tolerance tolerance;
    std::size_t start = 0;
    while (start <= spec.size()) {
        const std::size_t end = std::min(spec.find(',', start), spec.size());
        const std::string entry(spec.substr(start, end - start));
        start = end + 1;
        if (entry.empty()) {
            if (end == spec.size()) break;
            return fail(Errc::invalid_argument, "empty entry in --tolerance '" + std::string(spec) + "'");
        }
        const auto eq = entry.find('=');
        const std::string value = eq == std::string::npos ? entry : entry.substr(eq + 1);
        double x = 0.0;
        std::size_t used = 0;
        try {
            x = std::stod(value, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != value.size() || !(x >= 0.0) || !std::isfinite(x))
            return fail(Errc::invalid_argument,
                        "--tolerance entry '" + entry + "' is not X or OUTPUT=X with X a finite number >= 0");
        if (eq == std::string::npos)
            tolerance.all = x;
        else
            tolerance.per_output[entry.substr(0, eq)] = x;
    }
    return tolerance;
}

OutputDiff compare_output(const std::string& name, std::string_view stored, std::string_view rerun,
                          double tolerance, const std::vector<double>& time) {
    OutputDiff diff;
    diff.name = name;
    if (stored == rerun) {
        diff.identical = diff.within = true;
        return diff;
    }
    auto a = store::decode_array(stored);
    auto b = store::decode_array(rerun);
    if (!a || !b) {
        diff.problem = "cannot decode the " + std::string(!a ? "stored" : "re-run") +
                       " array: " + (!a ? a.error() : b.error()).what();
        return diff;
    }
    if (store::same_values(
            *a, *b)) {  // other bytes of the same values: another zstd, level or precision declared
        diff.identical = diff.within = true;
        return diff;
    }
    compare_arrays(*a, *b, tolerance, diff);
    if (a->kind == store::ArrayKind::f64_table && diff.first_index && *diff.first_index < time.size())
        diff.first_time = time[*diff.first_index];
    diff.within = diff.problem.empty() && diff.differing == 0;
    return diff;
}

std::string describe(const OutputDiff& d) {
    std::ostringstream out;
    out << d.name << ": ";
    if (d.identical) return out.str() + "identical";
    if (!d.problem.empty()) return out.str() + d.problem;
    out << "max |delta| " << number(d.max_abs);
    if (d.within) return out.str() + ", within tolerance";
    out << ", " << d.differing << " value" << (d.differing == 1 ? "" : "s") << " beyond tolerance";
    if (d.stored_spikes) {
        out << "; spikes " << *d.stored_spikes << " stored, " << *d.rerun_spikes << " re-run";
        if (d.first_index) {
            out << "; first change at spike " << *d.first_index << ": "
                << (d.first_spike_stored ? number(*d.first_spike_stored) + " ms" : std::string("none"))
                << " -> "
                << (d.first_spike_rerun ? number(*d.first_spike_rerun) + " ms" : std::string("none"));
        }
    } else if (d.first_index) {
        out << ", first at row " << *d.first_index;
        if (d.first_time) out << " (t = " << number(*d.first_time) << " ms)";
    }
    return out.str();
}

}  // namespace silico::runner
