// The checksum workloads of the executor tests and the runner benchmark (test_handlers.hpp).
#include "test_handlers.hpp"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "silico/core/digest.hpp"

namespace silico::runner {
namespace {

std::atomic<std::uint64_t> g_builds{0};

Result<std::uint32_t> parse_rounds(std::string_view model) {
    constexpr std::string_view prefix = "rounds=";
    std::uint32_t rounds = 0;
    if (!model.starts_with(prefix))
        return fail(Errc::parse, "checksum model must be \"rounds=N\", got \"" + std::string(model) + "\"");
    auto digits = model.substr(prefix.size());
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), rounds);
    if (ec != std::errc{} || end != digits.data() + digits.size() || rounds == 0)
        return fail(Errc::parse,
                    "checksum model must be \"rounds=N\" with N >= 1, got \"" + std::string(model) + "\"");
    return rounds;
}

}  // namespace

std::string checksum_of(std::string_view request, std::uint32_t rounds) {
    Digest d = sha256(request);
    for (std::uint32_t i = 1; i < rounds; ++i) d = sha256(d.view());
    return d.hex();
}

std::uint64_t test_handler_builds() {
    return g_builds.load();
}

void register_test_handlers(HandlerRegistry& registry) {
    registry.add("checksum", [](std::string_view model) -> Result<TrialHandler> {
        auto rounds = parse_rounds(model);
        if (!rounds) return std::unexpected(rounds.error());
        ++g_builds;
        return TrialHandler([r = *rounds](std::string_view request, TrialContext&) -> Result<std::string> {
            if (request == "abort") {
                std::cerr << "checksum handler: aborting as the trial requested" << std::endl;
                std::abort();
            }
            if (request == "fail") return fail(Errc::failed, "checksum handler: trial requested a failure");
            if (request.starts_with("noise:")) {
                // Chatter on stdout, as NEURON prints: the worker must keep it out of the frame stream.
                std::printf("checksum handler: chatter on stdout\n");
                std::fflush(stdout);
                return checksum_of(request.substr(6), r);
            }
            if (request.starts_with("sleep:")) {
                auto rest = request.substr(6);
                const auto colon = rest.find(':');
                unsigned ms = 0;
                std::from_chars(rest.data(), rest.data() + std::min(colon, rest.size()), ms);
                std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                return checksum_of(colon == std::string_view::npos ? "" : rest.substr(colon + 1), r);
            }
            return checksum_of(request, r);
        });
    });
}

}  // namespace silico::runner
