#include "silico/recipes/param_toml.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace silico::recipes {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::vector<fs::path> shipped_parameter_files() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(SILICO_SHARED_DIR) / "isf")) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && (name.ends_with(".param") || name.ends_with(".param.TEMPLATE"))) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(ParamToml, EveryShippedParameterFileRoundTripsWithKeyOrder) {
    const auto files = shipped_parameter_files();
    ASSERT_GE(files.size(), 21u) << "ISF reference data missing under " SILICO_SHARED_DIR;
    for (const auto& file : files) {
        auto tree = read_isf_param(file);
        ASSERT_TRUE(tree.has_value()) << tree.error().what();
        auto text = param_to_toml(*tree, "test");
        ASSERT_TRUE(text.has_value()) << file << ": " << text.error().what();
        auto back = parse_param_toml(*text, file.string());
        ASSERT_TRUE(back.has_value()) << file << ": " << back.error().what();
        // dump() compares key order and integer-vs-float spelling too.
        EXPECT_EQ(back->dump(), tree->dump()) << file;
    }
}

TEST(ParamToml, KeepsKeyOrderIntegersFloatsAndNesting) {
    const Json tree = Json::parse(R"({"z": 1, "a": 1.0, "m": {"y": [1, 2.5, "s"], "b": {}, "c": {"k": true}},
        "after": "scalar after a table", "q": {"x": {"deep": [[0.0, 1.0], [2.0, 3.0]]}},
        "weird key.with dots": "v", "": "empty key", "esc": "tab\t quote\" back\\ nl\n ctl\u0001"})");
    auto text = param_to_toml(tree);
    ASSERT_TRUE(text.has_value()) << text.error().what();
    auto back = parse_param_toml(*text);
    ASSERT_TRUE(back.has_value()) << back.error().what() << "\n" << *text;
    EXPECT_EQ(back->dump(), tree.dump()) << *text;
}

TEST(ParamToml, RefusesNoneWithItsKeyPath) {
    auto text = param_to_toml(Json::parse(R"({"a": {"b": [1, null]}})"));
    ASSERT_FALSE(text.has_value());
    EXPECT_EQ(text.error().code, Errc::invalid_argument);
    EXPECT_EQ(text.error().context, "a.b[1]");
}

TEST(ParamToml, RefusesStringsAndKeysThatAreNotUtf8) {
    Json tree = Json::object();
    tree["ok"] = "caf\xc3\xa9";
    EXPECT_TRUE(param_to_toml(tree).has_value());
    tree["bad"] = std::string("\xc0\x80");  // overlong NUL
    auto text = param_to_toml(tree);
    ASSERT_FALSE(text.has_value());
    EXPECT_EQ(text.error().context, "bad");
    Json keys = Json::object();
    keys[std::string("\xff")] = 1;
    EXPECT_FALSE(param_to_toml(keys).has_value());
}

TEST(ParamToml, SubstitutesPlaceholdersWhenReading) {
    auto tree = parse_param_toml("f = \"[ISF]/x.hoc\"\n", "t", {{"ISF", "/data"}});
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ((*tree)["f"], "/data/x.hoc");
}

TEST(ParamToml, ASyntaxErrorNamesFileLineAndColumn) {
    auto tree = parse_param_toml("a = 1\nb = [1,\n", "bad.toml");
    ASSERT_FALSE(tree.has_value());
    EXPECT_EQ(tree.error().code, Errc::parse);
    EXPECT_TRUE(tree.error().context.starts_with("bad.toml:2:")) << tree.error().what();
}

TEST(ParamToml, ImportWritesAFileThatReadsBackToTheSameTree) {
    const fs::path source =
        fs::path(SILICO_SHARED_DIR) /
        "isf/getting_started/example_data/biophysical_constraints/86_C2_center.param.TEMPLATE";
    const fs::path out = fs::temp_directory_path() / "silico_import_test_86_C2_center.toml";
    ASSERT_TRUE(import_param_file(source, out).has_value());
    auto a = read_isf_param(source);
    auto b = read_parameter_tree(out);
    ASSERT_TRUE(a.has_value() && b.has_value());
    EXPECT_EQ(a->dump(), b->dump());
    std::ifstream in(out);
    std::string first;
    std::getline(in, first);
    EXPECT_TRUE(first.starts_with("# Converted from 86_C2_center.param.TEMPLATE")) << first;
    fs::remove(out);
}

}  // namespace
}  // namespace silico::recipes
