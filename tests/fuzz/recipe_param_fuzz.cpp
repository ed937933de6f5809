// libFuzzer target: ISF .param reader, and the native TOML round trip of whatever it accepts.
// Property checked: a tree that converts to TOML reads back identical (key order and number types included).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "silico/recipes/isf_param.hpp"
#include "silico/recipes/param_toml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto tree = silico::recipes::parse_isf_param(text, "fuzz.param", {{"IN_SILICO_FRAMEWORK_DIR", "/isf"}});
    if (!tree || !tree->is_object()) return 0;
    auto toml = silico::recipes::param_to_toml(*tree);
    // None, integers past 2^63 and non-UTF-8 strings have no TOML form: a clean error, not a crash.
    if (!toml) return 0;
    auto back = silico::recipes::parse_param_toml(*toml, "fuzz.toml");
    if (!back) {
        std::fprintf(stderr, "converted TOML does not parse: %s\n%s\n", back.error().what().c_str(),
                     toml->c_str());
        std::abort();
    }
    const auto dump = [](const nlohmann::ordered_json& j) {
        return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    };
    if (dump(*back) != dump(*tree)) {
        std::fprintf(stderr, "round trip differs:\n%s\n%s\n%s\n", dump(*tree).c_str(), dump(*back).c_str(),
                     toml->c_str());
        std::abort();
    }
    return 0;
}
