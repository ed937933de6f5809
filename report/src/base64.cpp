#include <bit>
#include <cstdint>
#include <cstring>

#include "encode.hpp"

namespace silico::report {

std::string base64(std::string_view bytes) {
    static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int s = 18; s >= 0; s -= 6) out += k_alphabet[(v >> s) & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        const std::uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
        out += k_alphabet[(v >> 18) & 63];
        out += k_alphabet[(v >> 12) & 63];
        out += rest == 2 ? k_alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string f32_base64(std::span<const double> values) {
    static_assert(std::endian::native == std::endian::little, "the page reads little-endian float32");
    std::string bytes(values.size() * 4, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float f = static_cast<float>(values[i]);
        std::memcpy(bytes.data() + 4 * i, &f, 4);
    }
    return base64(bytes);
}

std::vector<double> thin(std::span<const double> values, std::size_t max_points) {
    if (max_points < 2 || values.size() <= max_points) return {values.begin(), values.end()};
    const std::size_t k = (values.size() - 1 + max_points - 2) / (max_points - 1);
    std::vector<double> out;
    out.reserve(values.size() / k + 2);
    for (std::size_t i = 0; i < values.size(); i += k) out.push_back(values[i]);
    if ((values.size() - 1) % k != 0) out.push_back(values.back());
    return out;
}

}  // namespace silico::report
