// libFuzzer target: parse_swc must return a morphology or an error for any input, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto m = silico::experiments::parse_swc(text, "fuzz.swc");
    if (m) silico::experiments::fuzz::check_accepted(*m);
    return 0;
}
