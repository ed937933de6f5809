#include "silico/recipes/anatomy_step.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "silico/recipes/recipe.hpp"

namespace silico::recipes {
namespace {

namespace fs = std::filesystem;

struct Folder {
    fs::path dir = fs::temp_directory_path() / ("silico_anatomy_step_" + std::to_string(::getpid()));
    Folder() {
        fs::remove_all(dir);
        fs::create_directories(dir / "bc");
        std::ofstream(dir / "cell.hoc") << "x";
    }
    ~Folder() { fs::remove_all(dir); }
    fs::path write(const std::string& text) const {
        std::ofstream(dir / "r.toml") << text;
        return dir / "r.toml";
    }
};

TEST(AnatomyStep, AbsentWithoutTheTable) {
    Folder f;
    auto s = read_anatomy_step(f.write("[experiment]\nname = \"x\"\n"));
    ASSERT_TRUE(s);
    EXPECT_FALSE(*s);
}

TEST(AnatomyStep, ReadsKeysDefaultsAndPlaceholders) {
    Folder f;
    const std::string text =
        "[paths]\nbc = \"bc\"\n[cell]\nmorphology = \"cell.hoc\"\n[input.anatomy]\nbarrel_cortex = \"[bc]\"\n"
        "cell_type = \"L5tt\"\nseed = 7\n";
    auto s = read_anatomy_step(f.write(text));
    ASSERT_TRUE(s) << s.error().front().what();
    ASSERT_TRUE(*s);
    EXPECT_EQ((*s)->barrel_cortex, (f.dir / "bc").lexically_normal());
    EXPECT_EQ((*s)->morphology, (f.dir / "cell.hoc").lexically_normal());  // from [cell]
    EXPECT_EQ((*s)->cell_type, "L5tt");
    EXPECT_EQ((*s)->seed, 7u);
    EXPECT_EQ((*s)->realisations, 50);
    EXPECT_EQ((*s)->area, "amira");
    EXPECT_FALSE((*s)->isf_compat);
    auto o = read_anatomy_step(f.write(text), PathMap{{"bc", "/somewhere/else"}});
    ASSERT_TRUE(o);
    EXPECT_EQ((*o)->barrel_cortex, fs::path("/somewhere/else"));
}

TEST(AnatomyStep, ProblemsNameTheKey) {
    Folder f;
    auto s = read_anatomy_step(
        f.write("[input.anatomy]\nbarrel_cortex = \"[nope]\"\nrealisations = 0\narea = \"round\"\n"));
    ASSERT_FALSE(s);
    std::string all;
    for (const auto& d : s.error()) all += d.what() + "\n";
    EXPECT_NE(all.find("unknown placeholder [nope]"), std::string::npos) << all;
    EXPECT_NE(all.find("missing required key 'cell_type'"), std::string::npos) << all;
    EXPECT_NE(all.find("input.anatomy.realisations"), std::string::npos) << all;
    EXPECT_NE(all.find("is amira or geometric"), std::string::npos) << all;
    EXPECT_NE(all.find("needs 'morphology'"), std::string::npos) << all;
    EXPECT_NE(all.find("r.toml:3"), std::string::npos) << all;  // realisations is on line 3
}

TEST(AnatomyStep, TheRecipeSchemaAcceptsTheTable) {
    Folder f;
    std::ofstream(f.dir / "cell.param") << "{}";
    const auto file = f.write(
        "[experiment]\nname = \"a\"\nprotocol = \"current_step\"\n[cell]\nbiophysics = \"cell.param\"\n"
        "[input.anatomy]\nbarrel_cortex = \"bc\"\ncell_type = \"L5tt\"\nmorphology = \"cell.hoc\"\n"
        "[[stimulus.step]]\namplitude = 1.0\ndelay = 1.0\nduration = 1.0\n[simulation]\ntstop = 10.0\n");
    auto r = load_recipe(file);
    std::string all;
    if (!r)
        for (const auto& d : r.error()) all += d.what() + "\n";
    EXPECT_EQ(all.find("input.anatomy"), std::string::npos) << all;
}

}  // namespace
}  // namespace silico::recipes
