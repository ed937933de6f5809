// Readers in other processes, opened while a writer commits, never see a partial trial.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>

#include "silico/store/store.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

using testing::TempDir;

constexpr int k_trials = 300;

Digest key_of(int i) {
    return sha256("reader trial " + std::to_string(i));
}
std::string output_of(int i, int k) {
    return std::string(4096 + i, static_cast<char>('a' + k)) + std::to_string(i);
}

// Bytes of the store's write-ahead log files: what a reader replays when it opens. RocksDB's background
// threads delete obsolete logs at any moment, so a log listed but gone before its size is read counts as 0.
std::uintmax_t log_bytes(const std::filesystem::path& store_dir) {
    std::uintmax_t total = 0;
    for (const auto& e : std::filesystem::directory_iterator(store_dir / "db")) {
        if (e.path().extension() != ".log") continue;
        std::error_code gone;
        const auto size = std::filesystem::file_size(e.path(), gone);
        if (!gone) total += size;
    }
    return total;
}

// Bytes zstd cannot shrink, so a blob of them costs its size in the log.
std::string noise(int seed, std::size_t n) {
    std::mt19937_64 random(static_cast<std::uint64_t>(seed));
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(random());
    return out;
}

TEST(StoreReaders, ConcurrentReaderDuringWritesNeverSeesAPartialTrial) {
    TempDir tmp;
    { ASSERT_TRUE(Store::open(tmp.path())); }  // exists before the reader opens
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // A small memtable: the writer flushes and compacts many times while the reader reads.
        auto store = Store::open(tmp.path(), {.write_buffer_bytes = 128u << 10});
        if (!store) _exit(2);
        for (int i = 0; i < k_trials; ++i) {
            std::vector<NamedBlob> outputs;
            for (int k = 0; k < 4; ++k) outputs.push_back({"out" + std::to_string(k), output_of(i, k)});
            if (!store->commit_trial(key_of(i), {}, outputs)) _exit(3);
        }
        _exit(0);
    }
    auto reader = Store::open(tmp.path(), {.read_only = true});
    ASSERT_TRUE(reader) << reader.error().what();
    std::set<Digest> seen;
    int status = 0;
    bool writer_done = false;
    int rounds = 0;
    while (true) {
        ASSERT_TRUE(reader->refresh());
        std::size_t now = 0;
        ASSERT_TRUE(reader->for_each_trial([&](const Digest& key, const TrialRecord& record) {
            ++now;
            EXPECT_EQ(record.outputs.size(), 4u);
            if (seen.insert(key).second) {
                for (const auto& [name, ref] : record.outputs) {
                    auto bytes = reader->get_blob(ref.digest);
                    EXPECT_TRUE(bytes) << "trial " << key.hex() << " output " << name << ": "
                                       << (bytes ? "" : bytes.error().what());
                }
            }
            return true;
        }));
        EXPECT_EQ(now, seen.size()) << "a trial disappeared";
        ++rounds;
        if (writer_done || HasFailure()) break;
        writer_done = waitpid(child, &status, WNOHANG) == child;
    }
    if (!writer_done) waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(k_trials));
    EXPECT_GT(rounds, 2);
    // A second reader process opened at the end sees everything too.
    auto late = Store::open(tmp.path(), {.read_only = true});
    ASSERT_TRUE(late);
    EXPECT_EQ(late->info()->trials, static_cast<std::uint64_t>(k_trials));
}

std::vector<std::filesystem::path> reader_folders(const std::filesystem::path& temp) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(temp))
        if (e.path().filename().string().starts_with("silico-reader-")) out.push_back(e.path());
    return out;
}

// A reader killed before it could remove its scratch folder leaves it behind; the next reader removes it,
// and never touches the folder of a reader that still runs.
TEST(StoreReaders, AKilledReadersScratchFolderIsRemovedByTheNextReader) {
    TempDir tmp;
    const std::filesystem::path temp = tmp / "tmp";
    std::filesystem::create_directories(temp);
    const char* old = std::getenv("TMPDIR");
    const std::string saved = old ? old : "";
    ::setenv("TMPDIR", temp.c_str(), 1);
    {
        auto writer = Store::open(tmp / "s");
        ASSERT_TRUE(writer);
    }
    Options read_only;
    read_only.read_only = true;
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto reader = Store::open(tmp / "s", read_only);
        ::_exit(reader ? 0 : 1);  // no destructors: the folder stays, as after SIGKILL
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(reader_folders(temp).size(), 1u);

    {
        auto reader = Store::open(tmp / "s", read_only);
        ASSERT_TRUE(reader) << reader.error().what();
        EXPECT_EQ(reader_folders(temp).size(), 1u);  // only its own: the orphan is gone
        auto second = Store::open(tmp / "s", read_only);
        ASSERT_TRUE(second);
        EXPECT_EQ(reader_folders(temp).size(), 2u);  // a live reader's folder is kept
    }
    EXPECT_TRUE(reader_folders(temp).empty());
    if (old) {
        ::setenv("TMPDIR", saved.c_str(), 1);
    } else {
        ::unsetenv("TMPDIR");
    }
}

TEST(StoreReaders, AWriterThatClosesLeavesNoLogForLaterReadersToReplay) {
    TempDir tmp;
    {
        auto store = Store::open(tmp.path());
        ASSERT_TRUE(store) << store.error().what();
        for (int i = 0; i < 8; ++i)
            ASSERT_TRUE(store->commit_trial(key_of(i), {}, {{"v", noise(i, 256u << 10)}}));
        EXPECT_GT(log_bytes(tmp.path()), 2u << 20);  // 2 MB committed, all of it in the log so far
    }
    EXPECT_LT(log_bytes(tmp.path()), 64u << 10);
    auto reader = Store::open(tmp.path(), {.read_only = true});
    ASSERT_TRUE(reader) << reader.error().what();
    auto record = reader->find_trial(key_of(7));
    ASSERT_TRUE(record) << record.error().what();
    auto bytes = reader->get_blob(record->outputs.at("v").digest);
    ASSERT_TRUE(bytes) << bytes.error().what();
    EXPECT_EQ(*bytes, noise(7, 256u << 10));
}

// The records' column family fills its memtable far more slowly than the blobs' does; without a bound on the
// log it would pin every log file since the writer opened (here all 16 MB); with one, the log stays near it.
TEST(StoreReaders, TheLogStaysBoundedWhileAWriterCommitsFarMoreThanItsMemtablesHold) {
    TempDir tmp;
    auto store = Store::open(tmp.path(), {.write_buffer_bytes = 256u << 10, .max_log_bytes = 1u << 20});
    ASSERT_TRUE(store) << store.error().what();
    std::uintmax_t largest = 0;
    for (int i = 0; i < 64; ++i) {
        ASSERT_TRUE(store->commit_trial(key_of(i), {}, {{"v", noise(i, 256u << 10)}}));
        largest = std::max(largest, log_bytes(tmp.path()));
    }
    EXPECT_LT(largest, 4u << 20);
}

}  // namespace
}  // namespace silico::store
