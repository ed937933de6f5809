// A temporary folder with a tiny ISF-style cell and network, and a valid recipe that uses them.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "silico/recipes/recipe.hpp"

namespace silico::recipes::testing {

namespace fs = std::filesystem;

// 11 lines; tests append to it or replace parts of it, so error positions are stable.
inline constexpr const char* k_base_recipe =
    "[experiment]\n"
    "name = \"t\"\n"
    "protocol = \"current_step\"\n"
    "[cell]\n"
    "biophysics = \"cell.param\"\n"
    "[[stimulus.step]]\n"
    "amplitude = 0.5\n"
    "delay = 10.0\n"
    "duration = 100.0\n"
    "[simulation]\n"
    "tstop = 200.0\n";

class RecipeFolder : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device rd;
        m_dir =
            fs::temp_directory_path() / ("silico-recipe-test-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(m_dir);
        write("cell.hoc", "{create soma}\n{pt3dadd(0,0,0,10)}\n{pt3dadd(0,10,0,10)}\n");
        write("other.hoc", "{create soma}\n{pt3dadd(0,0,0,12)}\n{pt3dadd(0,12,0,12)}\n");
        write("cell.param",
              "{'neuron': {'filename': 'cell.hoc', 'Soma': {'properties': {'Ra': 100.0, 'cm': 1.0}}},\n"
              " 'sim': {'T': 34, 'Vinit': -75.0},}\n");
        write("cell.syn", "# syn\nL2_C2\t0\t0.5\n");
        write("cell.con", "# con\n# 1\nL2_C2\t0\t0\n");
        write("net.param",
              "{'network': {'L2_C2': {'cellNr': 1, 'celltype': 'spiketrain', 'interval': 100.0,\n"
              "  'synapses': {'releaseProb': 0.6, 'distributionFile': 'cell.syn', 'connectionFile': "
              "'cell.con',\n"
              "               'receptors': {}}}}}\n");
        write("activation.csv", "# synapse type\tsynapse ID\n");
        write("sites.landmarkAscii", "@1\n0 5 0\n");
    }
    void TearDown() override { fs::remove_all(m_dir); }

    void write(const std::string& name, const std::string& text) const {
        fs::create_directories((m_dir / name).parent_path());
        std::ofstream(m_dir / name, std::ios::binary) << text;
    }

    std::expected<Recipe, Diagnostics> parse(const std::string& text, const LoadOptions& options = {}) const {
        return parse_recipe(text, "recipe.toml", m_dir, options);
    }

    std::expected<Recipe, Diagnostics> load(const std::string& name, const std::string& text) const {
        write(name, text);
        return load_recipe(m_dir / name);
    }

    static std::string replaced(std::string text, const std::string& from, const std::string& to) {
        const auto at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos) text.replace(at, from.size(), to);
        return text;
    }

    static std::string all(const Diagnostics& ds) {
        std::string out;
        for (const auto& d : ds) out += d.what() + "\n";
        return out;
    }

    fs::path m_dir;
};

}  // namespace silico::recipes::testing
