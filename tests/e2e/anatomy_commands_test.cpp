// `silico anatomy generate-synthetic`, `anatomy map` (with --cache) and `plan` of a recipe with
// [input.anatomy] (runner/src/commands/anatomy_command.cpp, recipe_commands.cpp), run as the real executable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "shell.hpp"

namespace {

namespace fs = std::filesystem;
const std::string k_silico = std::string(SILICO_EXE);
const std::string k_cell86 =
    SILICO_SHARED_DIR "/isf/getting_started/example_data/anatomical_constraints/86_C2_center.hoc";

silico::testing::ShellRun run(const std::string& arguments) {
    return silico::testing::run_shell(k_silico + " " + arguments);
}

std::string slurp(const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(AnatomyCommands, GenerateMapCacheAndRecipeStep) {
    const fs::path dir = fs::temp_directory_path() / ("silico_anatomy_e2e_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const std::string store = "--store " + (dir / "store").string() + " ";
    auto gen = run("anatomy generate-synthetic -o " + (dir / "bc").string() +
                   " --columns C1 C2 C3 --cell-types L2 L5tt VPM SymLocal1 --scale 0.2 --lattices 2");
    ASSERT_EQ(gen.status, 0) << gen.out;
    const std::string map = "anatomy map --morphology " + k_cell86 + " --cell-type L5tt --barrel-cortex " +
                            (dir / "bc").string() + " --realisations 8 --seed 4 --json --cache ";
    auto first = run(store + map + "-o " + (dir / "a").string());
    ASSERT_EQ(first.status, 0) << first.out;
    auto j1 = nlohmann::json::parse(first.out);
    EXPECT_FALSE(j1["cached"].get<bool>());
    EXPECT_GT(j1["synapses"].get<int>(), 50);
    auto second = run(store + map + "--threads 1 -o " + (dir / "b").string());
    ASSERT_EQ(second.status, 0) << second.out;
    auto j2 = nlohmann::json::parse(second.out);
    EXPECT_TRUE(j2["cached"].get<bool>());
    EXPECT_EQ(j2["key"], j1["key"]);
    for (auto name : {"86_C2_center_synapses.syn", "86_C2_center_synapses.con", "NumberOfConnectedCells.csv",
                      "86_C2_center_summary.csv"})
        EXPECT_EQ(slurp(dir / "a" / name), slurp(dir / "b" / name)) << name;
    // Computed without the cache at one thread: the same bytes.
    auto plain =
        run("anatomy map --morphology " + k_cell86 + " --cell-type L5tt --barrel-cortex " +
            (dir / "bc").string() + " --realisations 8 --seed 4 --threads 1 -o " + (dir / "c").string());
    ASSERT_EQ(plain.status, 0) << plain.out;
    EXPECT_EQ(slurp(dir / "a" / "86_C2_center_synapses.syn"), slurp(dir / "c" / "86_C2_center_synapses.syn"));

    // Bad input: exit status 2 (validation) or 1, with the file named.
    auto missing = run("anatomy map --morphology " + k_cell86 + " --cell-type L5tt --barrel-cortex " +
                       (dir / "nope").string() + " -o " + (dir / "d").string());
    EXPECT_NE(missing.status, 0);
    EXPECT_NE(missing.out.find("nrCells.csv"), std::string::npos) << missing.out;
    auto post = run("anatomy map --morphology " + k_cell86 + " --cell-type L9 --barrel-cortex " +
                    (dir / "bc").string() + " -o " + (dir / "d").string());
    EXPECT_EQ(post.status, 2) << post.out;
    EXPECT_NE(post.out.find("unknown postsynaptic cell type 'L9'"), std::string::npos) << post.out;

    // The recipe step (the example cell, C2's axis through its soma, pia 1300 µm above): mapped on the first
    // plan, from the store on the second; the command line's mapping is a different key.
    auto gen2 = run("anatomy generate-synthetic -o " + (dir / "bc2").string() +
                    " --c2-centre 0 0 --pia-z 1300 --columns C1 C2 C3 --cell-types L2 L5tt VPM --scale 0.2 "
                    "--lattices 2");
    ASSERT_EQ(gen2.status, 0) << gen2.out;
    const std::string recipe = SILICO_SOURCE_DIR "/recipes/examples/anatomy/anatomy_evoked.toml";
    auto plan = run(store + "plan " + recipe + " --path barrel_cortex=" + (dir / "bc2").string());
    ASSERT_EQ(plan.status, 0) << plan.out;
    EXPECT_NE(plan.out.find(": mapped 50 realisations"), std::string::npos) << plan.out;
    auto again = run(store + "plan " + recipe + " --path barrel_cortex=" + (dir / "bc2").string());
    ASSERT_EQ(again.status, 0) << again.out;
    EXPECT_NE(again.out.find(": from the store"), std::string::npos) << again.out;
    auto ls = run(store + "store ls");
    EXPECT_NE(ls.out.find("anatomy/" + j1["key"].get<std::string>() + "/syn"), std::string::npos) << ls.out;
    fs::remove_all(dir);
}

}  // namespace
