// Shared fixtures of the anatomy mapper tests: temporary folders, a small synthetic barrel cortex around
// cell 86, and ISF's files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "silico/model/morphology.hpp"
#include "silico/model/synapse_mapper.hpp"
#include "silico/model/synthetic_barrel_cortex.hpp"

namespace silico::experiments::anatomy_test {

inline const std::filesystem::path k_shared = std::filesystem::path(SILICO_SHARED_DIR) / "isf";
inline const std::filesystem::path k_cell86 =
    k_shared / "getting_started" / "example_data" / "anatomical_constraints" / "86_C2_center.hoc";

class TempDir {
  public:
    explicit TempDir(const std::string& tag) {
        static std::atomic<int> counter{0};
        path_ =
            std::filesystem::temp_directory_path() /
            ("silico_anatomy_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

inline std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A few columns and types around C2, scaled down, for fast tests.
inline SyntheticBarrelCortexOptions small_options(int lattices = 3) {
    SyntheticBarrelCortexOptions o;
    o.columns = {"C1", "C2", "C3", "D2"};
    o.cell_types = {"L2", "L5tt", "VPM", "SymLocal1", "L1", "L45Sym"};
    o.cell_scale = 0.2;
    o.lattices_per_folder = lattices;
    return o;
}

inline Morphology cell86() {
    auto m = read_hoc(k_cell86);
    EXPECT_TRUE(m) << m.error().what();
    return m ? *m : Morphology{};
}

}  // namespace silico::experiments::anatomy_test
