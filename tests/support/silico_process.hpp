// Running the real `silico` from e2e tests (SILICO_EXE) without a shell, argument by argument: its output, exit status, and the blob digests of
// every complete trial of a store, for bit-for-bit comparisons. Needs silico_runner_exec (run_command) and
// runner/src on the include path.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "executors/child_process.hpp"
#include "silico/store/store.hpp"

namespace silico::testing {

inline runner::CommandOutput run_silico(std::vector<std::string> args) {
    args.insert(args.begin(), SILICO_EXE);
    auto out = runner::run_command(args);
    EXPECT_TRUE(out.has_value());
    return out ? *out : runner::CommandOutput{};
}

inline int exit_code(const runner::CommandOutput& out) {
    return WIFEXITED(out.status) ? WEXITSTATUS(out.status) : -1;
}

// trial key (hex) -> output name -> blob digest (hex), of every complete trial.
inline std::map<std::string, std::map<std::string, std::string>> stored_digests(
    const std::filesystem::path& dir) {
    std::map<std::string, std::map<std::string, std::string>> out;
    auto store = store::Store::open(dir, {.read_only = true});
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().what());
    if (!store) return out;
    EXPECT_TRUE(store->for_each_trial([&](const Digest& key, const store::TrialRecord& record) {
        for (const auto& [name, ref] : record.outputs) out[key.hex()][name] = ref.digest.hex();
        return true;
    }));
    return out;
}

}  // namespace silico::testing
