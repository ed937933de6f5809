// Shared by the analysis tests: ISF's published data, a fresh store per test, and python3 with pandas.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "shell.hpp"
#include "silico/store/store.hpp"
#include "temp_dir.hpp"

namespace silico::analysis::testing {

inline const std::string k_example_data = SILICO_SHARED_DIR "/isf/getting_started/example_data";
inline const std::string k_spike_table = k_example_data + "/simulation_data/18000_trials/spike_times.csv";
inline const std::string k_simrun_parent =
    k_example_data + "/simulation_data/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center";
inline const std::string k_simrun_2015 = k_simrun_parent + "/20150815-1530_20240";

// Debian's interpreter: python3-pandas is installed for it (scripts/install-deps.sh --with-tests).
inline const std::string k_python = "/usr/bin/python3";

struct StoreFixture : ::testing::Test {
    store::testing::TempDir tmp;
    store::Store open_writer() {
        auto s = store::Store::open(tmp / "store");
        if (!s) throw std::runtime_error(s.error().what());
        return std::move(*s);
    }
};

inline void write_text(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
}

// A python3 script's stdout (the script goes into a file, so quoting does not matter).
inline std::string python(const std::filesystem::path& dir, const std::string& script) {
    const auto file = dir / "check.py";
    write_text(file, script);
    auto run = silico::testing::run_shell(k_python + " '" + file.string() + "'");
    EXPECT_EQ(run.status, 0) << run.out;
    return run.out;
}

}  // namespace silico::analysis::testing
