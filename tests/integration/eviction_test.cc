// maxmemory against the real server: every policy keeps used memory at the limit by evicting the
// keys it should, counts them, and noeviction refuses writes with Redis's OOM error.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

int64_t InfoField(Client& c, const std::string& section, const std::string& field) {
  std::string info = c.Command({"INFO", section})->str;
  size_t at = info.find("\r\n" + field + ":");
  if (at == std::string::npos) return -1;
  return std::stoll(info.substr(at + field.size() + 3));
}

constexpr int64_t kLimit = 4 << 20;
const std::string kValue(1000, 'v');  // ~1 KB a key: the limit holds about 4,000 keys

std::unique_ptr<ServerProcess> Start(const std::string& policy) {
  return ServerProcess::StartRedwing(
      {"--threads", "2", "--maxmemory", std::to_string(kLimit), "--maxmemory-policy", policy});
}

// Writes keys prefix0..prefix(n-1) in pipelined batches; returns how many writes were refused.
int Fill(Client& c, const std::string& prefix, int n, const std::vector<std::string>& extra = {}) {
  int refused = 0;
  for (int base = 0; base < n; base += 100) {
    std::vector<std::vector<std::string>> cmds;
    for (int i = base; i < std::min(n, base + 100); ++i) {
      std::vector<std::string> cmd = {"SET", prefix + std::to_string(i), kValue};
      cmd.insert(cmd.end(), extra.begin(), extra.end());
      cmds.push_back(cmd);
    }
    for (const std::string& r : c.Pipeline(cmds))
      refused += r.rfind("(error) OOM", 0) == 0 ? 1 : 0;
  }
  return refused;
}

void ExpectWithinLimit(Client& c) {
  int64_t used = InfoField(c, "memory", "used_memory");
  EXPECT_GT(used, kLimit / 2);
  // Eviction runs before each write: past the limit by at most about one key's worth.
  EXPECT_LE(used, kLimit + 64 * 1024);
}

TEST(Eviction, NoEvictionRefusesWritesButServesReadsAndDeletes) {
  auto server = Start("noeviction");
  Client c(server->port());
  int refused = Fill(c, "k", 8000);
  EXPECT_GT(refused, 3000);
  EXPECT_EQ(c({"SET", "another", "x"}),
            "(error) OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(c({"GET", "k0"}), "\"" + kValue + "\"");
  EXPECT_EQ(InfoField(c, "stats", "evicted_keys"), 0);
  // A transaction is refused as Redis refuses it.
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"GET", "k0"}), "(error) OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(c({"EXEC"}), "(error) EXECABORT Transaction discarded because of previous errors.");
  // Deleting makes room again.
  std::vector<std::vector<std::string>> dels;
  for (int i = 0; i < 4000; ++i)
    dels.push_back({"DEL", "k" + std::to_string(i)});
  c.Pipeline(dels);
  EXPECT_EQ(c({"SET", "another", "x"}), "OK");
  // Raising the limit at runtime lets writes through at once.
  EXPECT_EQ(c({"CONFIG", "SET", "maxmemory", "0"}), "OK");
  EXPECT_EQ(Fill(c, "more", 2000), 0);
}

TEST(Eviction, ExecWithQueuedWritesAbortsWhenMemoryRunsOut) {
  auto server = ServerProcess::StartRedwing({"--threads", "2"});
  Client c(server->port());
  Client admin(server->port());
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"SET", "a", "1"}), "QUEUED");
  EXPECT_EQ(admin({"CONFIG", "SET", "maxmemory", "1"}), "OK");
  EXPECT_EQ(c({"EXEC"}),
            "(error) EXECABORT Transaction discarded because of: OOM command not allowed when "
            "used memory > 'maxmemory'.");
  EXPECT_EQ(c({"GET", "a"}), "(nil)");
}

// Under every evicting policy the limit holds and evictions are counted.
class EvictionPolicyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EvictionPolicyTest, LimitHoldsUnderAWriteLoad) {
  auto server = Start(GetParam());
  Client c(server->port());
  bool volatile_policy = GetParam().rfind("volatile", 0) == 0;
  std::vector<std::string> ttl = {"EX", "3600"};
  EXPECT_EQ(Fill(c, "k", 12000, volatile_policy ? ttl : std::vector<std::string>{}), 0);
  ExpectWithinLimit(c);
  // Every key written is either stored or counted as evicted (once a shard asked to evict by
  // another has finished).
  int64_t evicted = 0;
  EXPECT_TRUE(PollUntil([&] {
    evicted = InfoField(c, "stats", "evicted_keys");
    return evicted + std::stoll(c({"DBSIZE"}).substr(10)) == 12000;
  }));
  EXPECT_GT(evicted, 4000);
  EXPECT_EQ(c({"CONFIG", "GET", "maxmemory-policy"}),
            "[\"maxmemory-policy\", \"" + GetParam() + "\"]");
}

INSTANTIATE_TEST_SUITE_P(Policies, EvictionPolicyTest,
                         ::testing::Values("allkeys-lru", "volatile-lru", "allkeys-lfu",
                                           "volatile-lfu", "allkeys-random", "volatile-random",
                                           "volatile-ttl", "allkeys-slru", "volatile-slru",
                                           "allkeys-fifo"),
                         [](const auto& p) {
                           std::string name = p.param;
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

// Keys read between writes survive under the policies that track use; FIFO keeps the newest.
TEST(Eviction, RecentlyReadKeysSurviveUnderLru) {
  for (const char* policy : {"allkeys-lru", "allkeys-slru", "allkeys-lfu"}) {
    auto server = Start(policy);
    Client c(server->port());
    EXPECT_EQ(Fill(c, "hot", 100), 0);
    for (int round = 0; round < 40; ++round) {
      Fill(c, "cold" + std::to_string(round) + ":", 300);
      std::vector<std::vector<std::string>> reads;
      for (int i = 0; i < 100; ++i)
        reads.push_back({"GET", "hot" + std::to_string(i)});
      for (const std::string& r : c.Pipeline(reads))
        ASSERT_EQ(r, "\"" + kValue + "\"") << policy << " round " << round;
    }
    EXPECT_GT(InfoField(c, "stats", "evicted_keys"), 5000) << policy;
  }
}

TEST(Eviction, FifoKeepsTheNewestKeys) {
  auto server = Start("allkeys-fifo");
  Client c(server->port());
  EXPECT_EQ(Fill(c, "k", 12000), 0);
  EXPECT_EQ(c({"EXISTS", "k0"}), "(integer) 0");
  EXPECT_EQ(c({"EXISTS", "k11999"}), "(integer) 1");
  EXPECT_EQ(c({"EXISTS", "k11000"}), "(integer) 1");
}

TEST(Eviction, VolatilePoliciesSparePersistentKeys) {
  for (const char* policy : {"volatile-lru", "volatile-ttl", "volatile-random"}) {
    auto server = Start(policy);
    Client c(server->port());
    EXPECT_EQ(Fill(c, "keep", 1000), 0);
    EXPECT_EQ(Fill(c, "t", 8000, {"EX", "3600"}), 0) << policy;
    std::vector<std::vector<std::string>> reads;
    for (int i = 0; i < 1000; ++i)
      reads.push_back({"EXISTS", "keep" + std::to_string(i)});
    for (const std::string& r : c.Pipeline(reads))
      ASSERT_EQ(r, "(integer) 1") << policy;
    // Once only persistent keys are left, writes are refused as under noeviction.
    int refused = Fill(c, "p", 6000);
    EXPECT_GT(refused, 0) << policy;
  }
}

TEST(Eviction, VolatileTtlEvictsShortTtlsFirst) {
  auto server = Start("volatile-ttl");
  Client c(server->port());
  EXPECT_EQ(Fill(c, "long", 1000, {"EX", "100000"}), 0);
  EXPECT_EQ(Fill(c, "short", 6000, {"EX", "1000"}), 0);
  int long_left = 0;
  std::vector<std::vector<std::string>> reads;
  for (int i = 0; i < 1000; ++i)
    reads.push_back({"EXISTS", "long" + std::to_string(i)});
  for (const std::string& r : c.Pipeline(reads))
    long_left += r == "(integer) 1" ? 1 : 0;
  EXPECT_GT(long_left, 900);
}

TEST(Eviction, PolicyAndLimitChangeAtRuntimeWithoutLosingKeysThatFit) {
  auto server = ServerProcess::StartRedwing({"--threads", "2"});
  Client c(server->port());
  EXPECT_EQ(Fill(c, "k", 3000), 0);
  for (const char* policy : {"allkeys-lru", "allkeys-lfu", "volatile-ttl", "allkeys-slru",
                             "allkeys-random", "allkeys-fifo", "noeviction", "allkeys-lru"}) {
    EXPECT_EQ(c({"CONFIG", "SET", "maxmemory-policy", policy}), "OK");
    EXPECT_EQ(c({"DBSIZE"}), "(integer) 3000") << policy;
  }
  EXPECT_EQ(c({"OBJECT", "FREQ", "k1"}).substr(0, 7), "(error)");
  // Lowering the limit below what is stored evicts down to it (the next write's shard at once,
  // the other shard on its request or at its next cron).
  EXPECT_EQ(c({"CONFIG", "SET", "maxmemory", std::to_string(kLimit / 2)}), "OK");
  EXPECT_EQ(c({"SET", "trigger", "x"}), "OK");
  EXPECT_LT(std::stoll(c({"DBSIZE"}).substr(10)), 3000);
  EXPECT_TRUE(
      PollUntil([&] { return InfoField(c, "memory", "used_memory") <= kLimit / 2 + 64 * 1024; }));
  // Under LFU the same field reads as a frequency (no limit now: nothing is evicted meanwhile).
  EXPECT_EQ(c({"CONFIG", "SET", "maxmemory", "0"}), "OK");
  EXPECT_EQ(c({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), "OK");
  std::string freq = c({"OBJECT", "FREQ", "trigger"});
  EXPECT_EQ(freq.substr(0, 9), "(integer)") << freq;
  EXPECT_EQ(c({"OBJECT", "IDLETIME", "trigger"}).substr(0, 7), "(error)");
}

// A shard that holds more than its share of the keys evicts for a write on another: a hot shard
// does not empty itself while the other keeps cold keys far past its share.
TEST(Eviction, TheShardPastItsShareEvictsForTheOther) {
  auto server = Start("allkeys-lru");
  Client c(server->port());
  auto set_all = [&](const std::vector<std::string>& keys) {
    std::vector<std::vector<std::string>> cmds;
    for (const std::string& k : keys)
      cmds.push_back({"SET", k, kValue});
    for (const std::string& r : c.Pipeline(cmds))
      ASSERT_EQ(r, "OK");
  };
  std::vector<std::string> cold = KeysOfShard("cold", 1, 3000);  // ~75% of the limit
  set_all(cold);
  set_all(KeysOfShard("hot", 0, 6000));
  std::vector<std::vector<std::string>> exists;
  for (const std::string& k : cold)
    exists.push_back({"EXISTS", k});
  int64_t cold_left = 0;
  for (const std::string& r : c.Pipeline(exists))
    cold_left += r == "(integer) 1" ? 1 : 0;
  int64_t keys = std::stoll(c({"DBSIZE"}).substr(10));
  // Balanced, each shard keeps about half; had the hot shard evicted only its own keys, the cold
  // shard would still hold all 3,000 and the hot one ~1,000.
  EXPECT_LT(cold_left, keys * 6 / 10) << cold_left << " of " << keys;
  EXPECT_GT(keys - cold_left, keys * 4 / 10);
}

TEST(Eviction, InfoMemoryReportsTheLimitAndPolicy) {
  auto server = Start("allkeys-slru");
  Client c(server->port());
  EXPECT_EQ(InfoField(c, "memory", "maxmemory"), kLimit);
  std::string info = c.Command({"INFO", "memory"})->str;
  EXPECT_NE(info.find("maxmemory_human:4.00M\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("maxmemory_policy:allkeys-slru\r\n"), std::string::npos) << info;
  EXPECT_GT(InfoField(c, "memory", "used_memory_peak"), 0);
}

}  // namespace
}  // namespace redwing::test

namespace redwing::test {
namespace {

// used_memory counts every block by the allocator's size: after each type's keys grow through
// their encodings and are deleted again, it comes back to where it was.
TEST(MemoryAccounting, UsedMemoryReturnsToItsBaselineAfterEveryType) {
  auto server = ServerProcess::StartRedwing({"--threads", "2"});
  Client c(server->port());
  ASSERT_EQ(c({"SET", "warm", "up"}), "OK");
  int64_t baseline = InfoField(c, "memory", "used_memory");
  std::vector<std::vector<std::string>> cmds;
  // Six keys each (fewer under the sanitizers: 300,000 commands take them half a minute).
  const int keys = kSanitizerSlowdown > 1 ? 60 : 200;
  for (int k = 0; k < keys; ++k) {
    std::string n = std::to_string(k);
    for (int i = 0; i < 300; ++i) {  // past every listpack threshold
      std::string m = std::to_string(i);
      cmds.push_back({"HSET", "h" + n, "f" + m, std::string(20, 'v')});
      cmds.push_back({"RPUSH", "l" + n, "e" + m + std::string(40, 'e')});
      cmds.push_back({"SADD", "s" + n, "m" + m});
      cmds.push_back({"SADD", "i" + n, m});
      cmds.push_back({"ZADD", "z" + n, m, "m" + m});
    }
    cmds.push_back({"APPEND", "str" + n, std::string(5000, 'x')});
    cmds.push_back({"EXPIRE", "str" + n, "1000"});
    cmds.push_back({"LPOP", "l" + n, "250"});  // back to a listpack
    cmds.push_back({"SPOP", "s" + n, "290"});
  }
  for (size_t i = 0; i < cmds.size(); i += 1000) {
    std::vector<std::vector<std::string>> part(
        cmds.begin() + static_cast<long>(i),
        cmds.begin() + static_cast<long>(std::min(cmds.size(), i + 1000)));
    c.Pipeline(part);
  }
  int64_t full = InfoField(c, "memory", "used_memory");
  EXPECT_GT(full, baseline + keys * 50'000);
  std::string stats = c({"MEMORY", "STATS"});
  EXPECT_NE(stats.find("\"keys.count\", (integer) " + std::to_string(6 * keys + 1)),
            std::string::npos)
      << stats;
  EXPECT_EQ(c({"FLUSHALL"}), "OK");
  ASSERT_EQ(c({"SET", "warm", "up"}), "OK");
  // Table buckets shrink back and buffers may keep some slack: within 256 KB of the start.
  EXPECT_TRUE(PollUntil([&] {
    return std::llabs(InfoField(c, "memory", "used_memory") - baseline) < 256 * 1024;
  })) << "baseline "
      << baseline << " now " << InfoField(c, "memory", "used_memory");
}

}  // namespace
}  // namespace redwing::test
