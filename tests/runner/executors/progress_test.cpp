#include "silico/runner/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace silico::runner {
namespace {

TEST(Progress, FormatsDoneCacheHitsFailuresRateAndEta) {
    std::ostringstream out;
    Progress p(out, 100, 20, ProgressOptions{false, {}, std::chrono::hours(1)});
    for (int i = 0; i < 10; ++i) p.trial_finished(i != 3);
    // 10 trials in 5 s: 2/s; 70 left: 35 s.
    EXPECT_EQ(p.format(5.0), "30/100 done (20 cached), 1 failed, 2.0 trials/s, ETA 0:00:35");
}

TEST(Progress, BeforeAnyTrialRanThereIsNoRateOrEta) {
    std::ostringstream out;
    Progress p(out, 5, 0);
    EXPECT_EQ(p.format(3.0), "0/5 done");
}

TEST(Progress, PlainOutputPrintsWholeLinesAtTheInterval) {
    std::ostringstream out;
    Progress p(out, 3, 0, ProgressOptions{false, {}, std::chrono::hours(1)});
    p.trial_finished(true);  // first line at once
    p.trial_finished(true);  // within the interval: silent
    p.finish();
    const std::string text = out.str();
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
    EXPECT_TRUE(text.starts_with("progress: 1/3 done")) << text;
    EXPECT_NE(text.find("progress: 2/3 done"), std::string::npos) << text;
}

TEST(Progress, ATerminalRedrawsOneLineInPlace) {
    std::ostringstream out;
    Progress p(out, 2, 1, ProgressOptions{true, std::chrono::milliseconds(0), {}});
    p.trial_finished(false);
    p.finish();
    const std::string text = out.str();
    EXPECT_EQ(text.front(), '\r');
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << "only the final newline";
    EXPECT_NE(text.find("2/2 done (1 cached), 1 failed"), std::string::npos) << text;
}

}  // namespace
}  // namespace silico::runner
