#include "silico/analysis/table.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace silico::analysis {
namespace {

Table sample() {
    return {{"whisker", "trials", "fraction"},
            {{std::string("C2"), std::int64_t{1800}, 0.5}, {std::string("B1,x"), std::int64_t{7}, NAN}}};
}

TEST(FormatTable, AlignedPadsColumnsAndRightAlignsNumbers) {
    EXPECT_EQ(format_table(sample(), TableFormat::aligned),
              "whisker  trials  fraction\n"
              "C2         1800       0.5\n"
              "B1,x          7       nan\n");
}

TEST(FormatTable, CsvQuotesFieldsWithCommas) {
    EXPECT_EQ(format_table(sample(), TableFormat::csv),
              "whisker,trials,fraction\nC2,1800,0.5\n\"B1,x\",7,nan\n");
}

TEST(FormatTable, JsonKeepsNumbersAsNumbersAndNanAsNull) {
    const auto json = format_table(sample(), TableFormat::json);
    EXPECT_NE(json.find("\"trials\": 1800"), std::string::npos) << json;
    EXPECT_NE(json.find("\"fraction\": null"), std::string::npos) << json;
}

TEST(FormatNumber, IsTheShortestRoundTrip) {
    EXPECT_EQ(format_number(0.1), "0.1");
    EXPECT_EQ(format_number(245.0), "245");
    EXPECT_EQ(format_number(1.0 / 3.0), "0.3333333333333333");
}

}  // namespace
}  // namespace silico::analysis
