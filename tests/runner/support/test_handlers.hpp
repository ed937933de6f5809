// The checksum workloads: genuine, deterministic work for the executor tests and the runner benchmark.
// They live here, not in `silico`, because nothing but tests and benchmarks runs them; the executors start
// silico_test_worker (test_worker.cpp), which serves them with the production worker loop.
//
//   kind "checksum", model "rounds=N": the result is the hex SHA-256 of the request iterated N times
//     (digest of the digest ...). Request "abort" makes the handler print a line to stderr and call
//     std::abort(); request "fail" returns an error; request "sleep:MS:DATA" sleeps MS milliseconds, then
//     checksums DATA; request "noise:DATA" prints a line to stdout (as NEURON does), then checksums DATA.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "silico/runner/worker.hpp"

namespace silico::runner {

void register_test_handlers(HandlerRegistry& registry);
// The result the checksum kind computes, in-process, so tests can verify results.
std::string checksum_of(std::string_view request, std::uint32_t rounds);
// How many handlers the checksum factory has built in this process (proves "build once, run many").
std::uint64_t test_handler_builds();

}  // namespace silico::runner
