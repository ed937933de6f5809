// Cell modify functions and their registry.
#include <gtest/gtest.h>

#include "cell_test_data.hpp"
#include "silico/model/cell_model.hpp"

namespace silico::experiments {
namespace {

CellParameters params_86() {
    auto p = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}});
    EXPECT_TRUE(p.has_value()) << p.error().what();
    return *p;
}

TEST(CellModify, ScaleApicalMultipliesEveryApicalDiameter) {
    auto p = params_86();
    p.modify_functions = {{"scale_apical", nlohmann::ordered_json{{"scale", 10}}}};
    auto c = build_cell_model(p);
    ASSERT_TRUE(c.has_value()) << c.error().what();
    for (const auto& s : c->sections()) {
        const double factor = s.label == "ApicalDendrite" ? 10 : 1;
        for (std::size_t i = 0; i < s.points.size(); ++i)
            ASSERT_DOUBLE_EQ(s.diameters[i], factor * s.points[i].d);
    }
}

TEST(CellModify, ModifyFunctionsDoNotChangeNseg) {
    auto p = params_86();
    auto with = build_cell_model(p);
    p.modify_functions.clear();
    auto without = build_cell_model(p);
    ASSERT_TRUE(with && without);
    EXPECT_EQ(with->total_segments(), without->total_segments());
    EXPECT_EQ(with->applied_modify_functions(), std::vector<std::string>{"scale_apical_morph_86"});
    EXPECT_TRUE(without->applied_modify_functions().empty());
}

TEST(CellModify, UnknownFunctionIsAnErrorListingTheKnownOnes) {
    auto p = params_86();
    p.modify_functions = {{"BAC_injection", nlohmann::ordered_json::object()}};
    auto c = build_cell_model(p);
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("unknown cell modify function"), std::string::npos);
    EXPECT_NE(c.error().message.find("scale_apical_morph_86"), std::string::npos);
}

TEST(CellModify, BadArgumentsAreErrors) {
    auto p = params_86();
    p.modify_functions = {{"scale_apical", nlohmann::ordered_json{{"scale", 2}, {"compartment", "Trunk"}}}};
    EXPECT_FALSE(build_cell_model(p).has_value());
    p.modify_functions = {{"scale_apical_morph_86", nlohmann::ordered_json{{"scale", 2}}}};
    EXPECT_FALSE(build_cell_model(p).has_value());
}

TEST(CellModify, RegisteredFunctionsRunInFileOrder) {
    register_cell_modify_function("test_halve_soma",
                                  [](CellModel& cell, const nlohmann::ordered_json&) -> Status {
                                      const auto& soma = cell.section(cell.soma_id());
                                      std::vector<double> d;
                                      for (double x : soma.diameters) d.push_back(x / 2);
                                      cell.set_diameters(soma.id, std::move(d));
                                      return {};
                                  });
    auto p = params_86();
    p.modify_functions.push_back({"test_halve_soma", nlohmann::ordered_json::object()});
    p.modify_functions.push_back({"test_halve_soma", nlohmann::ordered_json::object()});
    auto c = build_cell_model(p);
    ASSERT_TRUE(c.has_value()) << c.error().what();
    const auto& soma = c->section(c->soma_id());
    EXPECT_DOUBLE_EQ(soma.diameters[0], soma.points[0].d / 4);
    EXPECT_EQ(c->applied_modify_functions().size(), 3u);
}

}  // namespace
}  // namespace silico::experiments
