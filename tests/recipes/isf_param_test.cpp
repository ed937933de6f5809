#include "silico/recipes/isf_param.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace silico::recipes {
namespace {

namespace fs = std::filesystem;
const fs::path k_example = fs::path(SILICO_SHARED_DIR) / "isf/getting_started/example_data";

TEST(IsfParam, ReadsPythonLiteralsTuplesTrailingCommasAndNone) {
    auto p = parse_isf_param(R"({'a': (1, 2.5,), "b": None, 'c': {'d': [True, False],}, 'e': -1e-3,})");
    ASSERT_TRUE(p.has_value()) << p.error().what();
    EXPECT_EQ((*p)["a"], nlohmann::ordered_json::array({1, 2.5}));
    EXPECT_TRUE((*p)["b"].is_null());
    EXPECT_EQ((*p)["c"]["d"][0], true);
    EXPECT_DOUBLE_EQ((*p)["e"].get<double>(), -1e-3);
    EXPECT_TRUE((*p)["a"][0].is_number_integer());
}

TEST(IsfParam, PreservesKeyOrder) {
    auto p = parse_isf_param("{'z': 1, 'a': 2, 'm': 3}");
    ASSERT_TRUE(p.has_value());
    std::vector<std::string> keys;
    for (auto& [k, v] : p->items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m"}));
}

TEST(IsfParam, KeepsApostrophesAndParenthesesInsideStrings) {
    auto p = parse_isf_param(R"({"name": "O'Brien (2015).hoc", 'x': 'say "hi"'})");
    ASSERT_TRUE(p.has_value()) << p.error().what();
    EXPECT_EQ((*p)["name"], "O'Brien (2015).hoc");
    EXPECT_EQ((*p)["x"], "say \"hi\"");
}

TEST(IsfParam, SubstitutesPlaceholdersInStringValues) {
    auto p = parse_isf_param(R"({"f": "[IN_SILICO_FRAMEWORK_DIR]/a/[IN_SILICO_FRAMEWORK_DIR].hoc"})", "t",
                             {{"IN_SILICO_FRAMEWORK_DIR", "/isf"}});
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ((*p)["f"], "/isf/a//isf.hoc");
}

struct BadCase {
    const char* text;
    const char* message;
    const char* position;
};

class IsfParamErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(IsfParamErrors, NameTheProblemAndItsPosition) {
    auto p = parse_isf_param(GetParam().text, "bad.param");
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().code, Errc::parse);
    EXPECT_NE(p.error().message.find(GetParam().message), std::string::npos) << p.error().what();
    EXPECT_EQ(p.error().context, std::string("bad.param:") + GetParam().position) << p.error().what();
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, IsfParamErrors,
    ::testing::Values(BadCase{"{'a': 1", "unterminated dictionary", "1:8"},
                      BadCase{"{'a' 1}", "expected ':'", "1:6"},
                      BadCase{"{\n  'a': 1\n  'b': 2}", "expected ',' or '}'", "3:3"},
                      BadCase{"{'a': 'open}", "unterminated string", "1:13"},
                      BadCase{"{'a': 1.2.3}", "malformed number", "1:7"},
                      BadCase{"{'a': nothing}", "unexpected character 'n'", "1:7"},
                      BadCase{"{'a': 1, 'a': 2}", "duplicate key 'a'", "1:10"},
                      BadCase{"{1: 2}", "expected a quoted key", "1:2"},
                      BadCase{"{} {}", "unexpected text after", "1:4"},
                      BadCase{"", "unexpected end of file", "1:1"}));

TEST(IsfParam, AMissingFileIsNotFound) {
    auto p = read_isf_param("/nonexistent/x.param");
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().code, Errc::not_found);
}

TEST(IsfParam, ParsesEveryShippedParameterFile) {
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(k_example)) {
        const std::string name = entry.path().filename().string();
        if (name.find(".param") == std::string::npos) continue;
        auto p = read_isf_param(entry.path(), {{"IN_SILICO_FRAMEWORK_DIR", "/isf"}});
        ASSERT_TRUE(p.has_value()) << p.error().what();
        EXPECT_TRUE(p->is_object()) << entry.path();
        ++files;
    }
    EXPECT_GE(files, 25);
}

TEST(IsfParam, NetworkParameterFileHas278PopulationsInFileOrder) {
    auto p = read_isf_param(k_example / "functional_constraints/network.param.TEMPLATE");
    ASSERT_TRUE(p.has_value()) << p.error().what();
    const auto& network = (*p)["network"];
    EXPECT_EQ(network.size(), 278u);
    const auto& first = network.begin().value();
    EXPECT_TRUE(first.contains("cellNr"));
    EXPECT_TRUE(first.contains("synapses"));
}

TEST(IsfParam, CellParameterFileKeepsLabelsAndValues) {
    auto p = read_isf_param(k_example / "biophysical_constraints/86_C2_center.param.TEMPLATE",
                            {{"IN_SILICO_FRAMEWORK_DIR", "/isf"}});
    ASSERT_TRUE(p.has_value()) << p.error().what();
    const auto& neuron = (*p)["neuron"];
    EXPECT_EQ(neuron["filename"], "/isf/getting_started/example_data/anatomical_constraints/86_C2_center.hoc");
    EXPECT_DOUBLE_EQ(neuron["Soma"]["properties"]["Ra"].get<double>(), 100.0);
    EXPECT_TRUE(neuron.contains("AIS"));
    EXPECT_DOUBLE_EQ((*p)["sim"]["T"].get<double>(), 34.0);
}

}  // namespace
}  // namespace silico::recipes
