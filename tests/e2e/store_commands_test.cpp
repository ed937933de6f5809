// The `silico store ...` commands (runner/src/commands/store_commands.cpp), run as the real executable.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "raw_db.hpp"
#include "shell.hpp"
#include "silico/store/store.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

using testing::TempDir;

const std::string k_silico = std::string(SILICO_EXE);

silico::testing::ShellRun silico(const TempDir& tmp, const std::string& args,
                                 const std::string& store = "s") {
    return silico::testing::run_shell("cd '" + tmp.path().string() + "' && '" + k_silico + "' --store " +
                                      store + " " + args);
}

void write_file(const std::filesystem::path& p, std::string_view bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(StoreCommands, PutGetLsMetaAndRmWorkOnNamedItems) {
    TempDir tmp;
    write_file(tmp / "table.csv", "a,b\n1,2\n");
    auto put = silico(tmp, "store put tables/x table.csv --encoding csv");
    ASSERT_EQ(put.status, 0) << put.out;
    EXPECT_NE(put.out.find(sha256("a,b\n1,2\n").hex()), std::string::npos);
    auto get = silico(tmp, "store get tables/x");
    EXPECT_EQ(get.status, 0);
    EXPECT_EQ(get.out, "a,b\n1,2\n");
    ASSERT_EQ(silico(tmp, "store get tables/x -o copy.csv").status, 0);
    EXPECT_EQ(read_file(tmp / "copy.csv"), "a,b\n1,2\n");
    auto ls = silico(tmp, "store ls");
    EXPECT_EQ(ls.out, "tables/x\n");
    auto meta = silico(tmp, "store meta tables/x --json");
    EXPECT_EQ(meta.status, 0);
    EXPECT_NE(meta.out.find("\"encoding\": \"csv\""), std::string::npos) << meta.out;
    EXPECT_EQ(silico(tmp, "store rm tables/x").status, 0);
    auto gone = silico(tmp, "store get tables/x");
    EXPECT_EQ(gone.status, 1);
    EXPECT_NE(gone.out.find("no item named 'tables/x'"), std::string::npos) << gone.out;
}

TEST(StoreCommands, ExportAndImportCarryNamedItemsToAnotherStore) {
    TempDir tmp;
    write_file(tmp / "figure.svg", "<svg/>");
    ASSERT_EQ(silico(tmp, "store put figures/psth figure.svg --encoding svg").status, 0);
    auto exported = silico(tmp, "store export --items figures/psth shared.bundle");
    ASSERT_EQ(exported.status, 0) << exported.out;
    EXPECT_NE(exported.out.find("1 named items"), std::string::npos) << exported.out;
    auto imported = silico(tmp, "store import shared.bundle", "other");
    ASSERT_EQ(imported.status, 0) << imported.out;
    EXPECT_NE(imported.out.find("1 named items (1 new)"), std::string::npos) << imported.out;
    auto get = silico(tmp, "store get figures/psth", "other");
    EXPECT_EQ(get.out, "<svg/>");
    auto neither = silico(tmp, "store export x.bundle");
    EXPECT_NE(neither.status, 0);
    EXPECT_NE(neither.out.find("--all"), std::string::npos) << neither.out;
}

TEST(StoreCommands, ReadingAMissingStoreIsAClearError) {
    TempDir tmp;
    auto info = silico(tmp, "store info");
    EXPECT_EQ(info.status, 1);
    EXPECT_NE(info.out.find("no silico store here"), std::string::npos) << info.out;
    EXPECT_FALSE(std::filesystem::exists(tmp / "s"));
}

TEST(StoreCommands, SecondWriterExitsWithStatus3AndNamesTheHolder) {
    TempDir tmp;
    write_file(tmp / "f", "x");
    int ready[2], done[2];
    ASSERT_EQ(pipe(ready), 0);
    ASSERT_EQ(pipe(done), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto store = Store::open(tmp / "s");
        char c = store ? 'y' : 'n';
        (void)!write(ready[1], &c, 1);
        (void)!read(done[0], &c, 1);
        _exit(0);
    }
    char c = 0;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    auto put = silico(tmp, "store put name f");
    auto ls = silico(tmp, "store ls");  // readers are not blocked by the writer
    (void)!write(done[1], "x", 1);
    waitpid(child, nullptr, 0);
    EXPECT_EQ(put.status, 3) << put.out;
    EXPECT_NE(put.out.find("is in use by PID " + std::to_string(child) + " on "), std::string::npos)
        << put.out;
    EXPECT_EQ(ls.status, 0) << ls.out;
}

TEST(StoreCommands, VerifyExitsNonZeroAndListsACorruptBlob) {
    TempDir tmp;
    write_file(tmp / "f", "payload");
    ASSERT_EQ(silico(tmp, "store put item f").status, 0);
    ASSERT_EQ(silico(tmp, "store verify").status, 0);
    ASSERT_TRUE(testing::write_raw(tmp / "s", cf_blobs, sha256("payload").view(), "garbage"));
    auto verify = silico(tmp, "store verify");
    EXPECT_EQ(verify.status, 1);
    EXPECT_NE(verify.out.find("corrupt " + sha256("payload").hex()), std::string::npos) << verify.out;
}

TEST(StoreCommands, GcIsADryRunUnlessToldYes) {
    TempDir tmp;
    write_file(tmp / "f", "orphan soon");
    ASSERT_EQ(silico(tmp, "store put item f").status, 0);
    ASSERT_EQ(silico(tmp, "store rm item").status, 0);
    auto dry = silico(tmp, "store gc");
    EXPECT_EQ(dry.status, 0);
    EXPECT_NE(dry.out.find("would delete " + sha256("orphan soon").hex()), std::string::npos) << dry.out;
    auto info = silico(tmp, "store info --json");
    EXPECT_NE(info.out.find("\"blobs\": 1"), std::string::npos) << info.out;
    auto yes = silico(tmp, "store gc --yes");
    EXPECT_NE(yes.out.find("deleted " + sha256("orphan soon").hex()), std::string::npos) << yes.out;
    EXPECT_NE(silico(tmp, "store info --json").out.find("\"blobs\": 0"), std::string::npos);
}

TEST(StoreCommands, ExportAndImportMoveTrialsBetweenStores) {
    TempDir tmp;
    {
        auto store = Store::open(tmp / "s");
        ASSERT_TRUE(store->commit_trial(sha256("k1"), {}, {{"v", "one"}}));
        ASSERT_TRUE(store->commit_trial(sha256("k2"), {}, {{"v", "two"}}));
    }
    auto bad = silico(tmp, "store export b.bundle");
    EXPECT_EQ(bad.status, 2) << bad.out;
    auto exp = silico(tmp, "store export --trials " + sha256("k1").hex() + " -- one.bundle");
    ASSERT_EQ(exp.status, 0) << exp.out;
    ASSERT_EQ(silico(tmp, "store export --all all.bundle").status, 0);
    const std::string other = "cd '" + tmp.path().string() + "' && '" + k_silico + "' --store t store ";
    EXPECT_EQ(std::system((other + "import all.bundle >/dev/null").c_str()), 0);
    auto target = Store::open(tmp / "t", {.read_only = true});
    ASSERT_TRUE(target);
    EXPECT_TRUE(*target->contains(sha256("k1")));
    EXPECT_TRUE(*target->contains(sha256("k2")));
}

}  // namespace
}  // namespace silico::store
