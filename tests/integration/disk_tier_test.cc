// Memory as the hot tier over disk (issue 6): with persistence on, maxmemory evicts values to the
// page store instead of deleting keys, and write-around keeps written values only on disk; every
// key stays readable, across restarts too.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/test_server.h"

namespace redwing::test {
namespace {

class DiskTierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/redwing-disktier-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    // A failed test leaves its page files for a look.
    if (HasFailure()) {
      std::printf("[          ] page files kept in %s\n", dir_.c_str());
    } else {
      std::filesystem::remove_all(dir_);
    }
  }

  // Starts a server on the test's directory and waits until it has loaded its page files.
  std::unique_ptr<ServerProcess> Start(std::vector<std::string> args) {
    args.insert(args.end(), {"--dir", dir_, "--threads", "2"});
    auto server = ServerProcess::StartRedwing(args);
    if (server != nullptr) {
      Client c(server->port());
      WaitLoaded(c);
    }
    return server;
  }

  // write-back under a 4 MB maxmemory that evicts any key (to disk).
  std::unique_ptr<ServerProcess> StartUnder4mb() {
    return Start(
        {"--persistence", "write-back", "--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"});
  }

  // An INFO field's value as a number (-1 if absent).
  static int64_t InfoField(Client& c, const std::string& section, const std::string& field) {
    auto r = c.Command({"INFO", section});
    if (r == nullptr || r->type != REDIS_REPLY_STRING) return -1;
    std::string text(r->str, r->len);
    size_t at = text.find("\r\n" + field + ":");
    if (at == std::string::npos) return -1;
    return std::atoll(text.c_str() + at + field.size() + 3);
  }

  // Waits (polling, up to 60 s) until the server has loaded its page files.
  static void WaitLoaded(Client& c) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (InfoField(c, "persistence", "loading") != 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(InfoField(c, "persistence", "loading"), 0);
  }

  static std::string Value(int i) {
    std::string v = "value-" + std::to_string(i) + "-";
    v.resize(4000, static_cast<char>('a' + i % 26));
    return v;
  }

  // Writes keys [0, n) in pipelines.
  static void WriteAll(Client& c, int n) {
    for (int start = 0; start < n; start += 500) {
      std::vector<std::vector<std::string>> cmds;
      for (int i = start; i < std::min(n, start + 500); ++i)
        cmds.push_back({"SET", "key:" + std::to_string(i), Value(i)});
      for (const std::string& r : c.Pipeline(cmds))
        ASSERT_EQ(r, "OK");
    }
  }

  // Reads keys [0, n), `chunk` per pipeline, and counts the ones whose value is wrong.
  static int CountWrong(Client& c, int n, int chunk = 500) {
    int wrong = 0;
    for (int start = 0; start < n; start += chunk) {
      std::vector<std::vector<std::string>> cmds;
      for (int i = start; i < std::min(n, start + chunk); ++i)
        cmds.push_back({"GET", "key:" + std::to_string(i)});
      std::vector<std::string> got = c.Pipeline(cmds);
      for (size_t j = 0; j < got.size(); ++j) {
        if (got[j] != "\"" + Value(start + static_cast<int>(j)) + "\"") ++wrong;
      }
    }
    return wrong;
  }

  std::string dir_;
};

// A data set ten times maxmemory: every key written reads back with its value, before and after
// a restart, and memory stays near the limit.
TEST_F(DiskTierTest, DataSetLargerThanMemoryStaysWhole) {
  // ~40 MB of values (~20 MB under the sanitizers). The keys stay in memory (~70 bytes each with
  // their position), so the values are large enough for the keys to fit well under the limit.
  constexpr int kKeys = kSanitizerSlowdown > 1 ? 5000 : 10000;
  {
    auto server = StartUnder4mb();
    ASSERT_NE(server, nullptr);
    Client c(server->port());
    WriteAll(c, kKeys);
    EXPECT_GT(InfoField(c, "persistence", "persistence_keys_on_disk"), kKeys / 2);
    EXPECT_EQ(InfoField(c, "stats", "evicted_keys"), 0);
    EXPECT_EQ(c({"DBSIZE"}), "(integer) " + std::to_string(kKeys));
    EXPECT_EQ(CountWrong(c, kKeys), 0);
    EXPECT_GT(InfoField(c, "persistence", "persistence_disk_reads"), kKeys / 2);
    // Loading values back made room by evicting others: memory is near the limit, not the data
    // (page buffers on their way to disk aside, which maxmemory leaves out as Redis does its AOF
    // buffer). Near: the connection's buffers for 500 replies of 4 KB (kept up to 1 MB each once
    // used) count too. And once the cron has caught up: a command's eviction is bounded in time
    // (maxmemory-eviction-tenacity), so a slowed machine can leave memory above for a moment.
    auto counted = [&] {
      return InfoField(c, "memory", "used_memory") -
             InfoField(c, "persistence", "persistence_buffer_bytes");
    };
    PollUntil([&] { return counted() < 10 * 1024 * 1024; }, 10000);
    EXPECT_LT(counted(), 10 * 1024 * 1024)
        << c({"INFO", "memory"}) << c({"INFO", "persistence"}) << c({"INFO", "clients"});
    EXPECT_EQ(server->Stop(), 0);
  }
  auto server = StartUnder4mb();
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  EXPECT_EQ(c({"DBSIZE"}), "(integer) " + std::to_string(kKeys));
  // Loaded as positions once memory passed three quarters of maxmemory.
  EXPECT_GT(InfoField(c, "persistence", "persistence_keys_on_disk"), kKeys / 2);
  EXPECT_EQ(CountWrong(c, kKeys), 0);
}

// Reading back a data set larger than memory loads values and evicts others: a value unchanged
// since it was loaded still has its record, so evicting it again writes nothing (no compaction
// either, since the file does not grow); one changed after its load is written again.
TEST_F(DiskTierTest, EvictingAnUnchangedLoadedValueWritesNothing) {
  constexpr int kKeys = 3000;  // ~12 MB of values under 4 MB
  constexpr int kChanged = 200;
  // Small pipelines: a connection keeps buffers the size of a pipeline's requests and replies (up
  // to 1 MB each), which count against maxmemory; 500 values of 4 KB would leave little of 4 MB
  // to the data.
  constexpr int kChunk = 50;
  auto server = StartUnder4mb();
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  WriteAll(c, kKeys);
  // A first pass evicts what the writes left in memory: values with no record to fall back on
  // (and the file grows, so a compaction may follow). Then everything on disk was loaded once.
  EXPECT_EQ(CountWrong(c, kKeys, kChunk), 0);
  // A compaction (due after the growth above) moves every record, and values loaded before it
  // or while it ran are written again when evicted: measure a pass that follows a whole pass, with
  // no compaction during either.
  int64_t pass_writes = -1;
  for (int attempt = 0; attempt < 5 && pass_writes < 0; ++attempt) {
    PollUntil([&] { return InfoField(c, "persistence", "persistence_compacting") == 0; }, 60000);
    const int64_t compactions = InfoField(c, "persistence", "persistence_compactions");
    EXPECT_EQ(CountWrong(c, kKeys, kChunk), 0);
    EXPECT_EQ(c({"SAVE"}), "OK");
    const int64_t writes = InfoField(c, "persistence", "persistence_disk_writes");
    const int64_t reads = InfoField(c, "persistence", "persistence_disk_reads");
    EXPECT_EQ(CountWrong(c, kKeys, kChunk), 0);
    EXPECT_EQ(c({"SAVE"}), "OK");
    if (InfoField(c, "persistence", "persistence_compactions") != compactions ||
        InfoField(c, "persistence", "persistence_compacting") != 0) {
      continue;
    }
    // Most values came back from disk, so about as many went back out.
    EXPECT_GT(InfoField(c, "persistence", "persistence_disk_reads") - reads, kKeys / 2);
    pass_writes = InfoField(c, "persistence", "persistence_disk_writes") - writes;
  }
  // A 4 KB value fills a page: rewriting them would have taken over a thousand.
  EXPECT_GE(pass_writes, 0) << "a compaction ran during every pass";
  EXPECT_LT(pass_writes, 50);

  // Values changed after their load, then pushed out by reading everything else: each is
  // written again, and reads back changed, before and after a restart.
  for (int i = 0; i < kChanged; ++i) {
    ASSERT_EQ(c({"APPEND", "key:" + std::to_string(i), "!"}),
              "(integer) " + std::to_string(Value(i).size() + 1))
        << c({"INFO", "memory"});
  }
  EXPECT_EQ(CountWrong(c, kKeys, kChunk) - kChanged, 0);
  auto changed_wrong = [&](Client& client) {
    int wrong = 0;
    for (int i = 0; i < kChanged; ++i) {
      if (client({"GET", "key:" + std::to_string(i)}) != "\"" + Value(i) + "!\"") ++wrong;
    }
    return wrong;
  };
  EXPECT_EQ(changed_wrong(c), 0);
  EXPECT_EQ(server->Stop(), 0);
  server = StartUnder4mb();
  ASSERT_NE(server, nullptr);
  Client after(server->port());
  EXPECT_EQ(changed_wrong(after), 0);
  EXPECT_EQ(CountWrong(after, kKeys, kChunk) - kChanged, 0);
}

// write-around: a written value leaves memory at once (its reply waits until it is durable); a
// read brings it back, and a later write drops it again.
TEST_F(DiskTierTest, WriteAroundKeepsWrittenValuesOnDiskOnly) {
  {
    auto server = Start({"--persistence", "write-around"});
    ASSERT_NE(server, nullptr);
    Client c(server->port());
    EXPECT_EQ(c({"SET", "s", "hello"}), "OK");
    EXPECT_EQ(c({"HSET", "h", "f", "v"}), "(integer) 1");
    EXPECT_EQ(c({"RPUSH", "l", "a", "b"}), "(integer) 2");
    EXPECT_EQ(InfoField(c, "persistence", "persistence_keys_on_disk"), 3);
    EXPECT_EQ(c({"GET", "s"}), "\"hello\"");
    EXPECT_EQ(c({"TYPE", "h"}), "hash");
    EXPECT_EQ(c({"OBJECT", "ENCODING", "h"}), "\"listpack\"");
    EXPECT_EQ(InfoField(c, "persistence", "persistence_keys_on_disk"), 1);
    EXPECT_EQ(InfoField(c, "persistence", "persistence_disk_reads"), 2);
    EXPECT_EQ(c({"LPUSH", "l", "z"}), "(integer) 3");  // loads, modifies, writes, drops
    EXPECT_EQ(c({"LRANGE", "l", "0", "-1"}), "[\"z\", \"a\", \"b\"]");
    EXPECT_EQ(c({"APPEND", "s", "!"}), "(integer) 6");
    EXPECT_EQ(c({"DEL", "h"}), "(integer) 1");
    EXPECT_EQ(server->Stop(), 0);
  }
  auto server = Start({"--persistence", "write-around"});
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 2");
  EXPECT_EQ(InfoField(c, "persistence", "persistence_keys_on_disk"), 2);
  EXPECT_EQ(c({"GET", "s"}), "\"hello!\"");
  EXPECT_EQ(c({"LRANGE", "l", "0", "-1"}), "[\"z\", \"a\", \"b\"]");
  EXPECT_EQ(c({"EXISTS", "h"}), "(integer) 0");
}

// Keys whose value is on disk keep their TTL: they expire on time without being loaded, and a
// compaction moves their values (their old pages are then reused) without losing them.
TEST_F(DiskTierTest, OnDiskValuesExpireAndSurviveCompaction) {
  auto server = Start({"--persistence", "write-around", "--page-size", "1024"});
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  EXPECT_EQ(c({"SET", "short", "x", "PX", "50"}), "OK");
  EXPECT_EQ(c({"SET", "kept", "y"}), "OK");
  // Overwrites until at least one compaction has run over the on-disk values.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int round = 0;
  while (InfoField(c, "persistence", "persistence_compactions") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::vector<std::vector<std::string>> cmds;
    for (int i = 0; i < 200; ++i)
      cmds.push_back({"SET", "churn:" + std::to_string(i % 50), Value(round * 200 + i)});
    c.Pipeline(cmds);
    ++round;
  }
  ASSERT_GE(InfoField(c, "persistence", "persistence_compactions"), 1);
  EXPECT_EQ(c({"GET", "kept"}), "\"y\"");
  // Its 50 ms pass (polling: the test does not sleep a fixed time).
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (c({"GET", "short"}) != "(nil)" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(c({"GET", "short"}), "(nil)");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 51");
}

}  // namespace
}  // namespace redwing::test
