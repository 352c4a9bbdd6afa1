// Disk persistence (issue 6) against the real server, each test on a directory of its own: a
// restart recovers every type in its compact and big encodings with its TTL; keyspace commands
// (DEL, FLUSHDB, FLUSHALL, SWAPDB, RENAME, EXPIRE, PERSIST) survive it; write-through keeps every
// acknowledged write across SIGKILL and write-back everything it reports flushed; SHUTDOWN, SAVE
// and BGSAVE flush; persistence switched on at runtime writes what was there; compaction bounds
// the files under overwrites; max-disk-size refuses writes with -MISCONF while reads go on; a
// corrupt page or a file of another thread count refuses the start; a loading server answers
// -LOADING. The crash harness (SIGKILL at random moments) is crash_test.cc.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_server.h"
#include "storage/page_format.h"

namespace redwing::test {
namespace {

using Commands = std::vector<std::vector<std::string>>;

// Generous bound for anything the server does in the background (flushes, compactions, retries).
constexpr int kWaitMs = 30000 * kSanitizerSlowdown;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// A value that names its key, `size` bytes long.
std::string ValueFor(const std::string& key, size_t size, int version = 0) {
  std::string v = key + "@" + std::to_string(version) + ":";
  while (v.size() < size)
    v += static_cast<char>('a' + v.size() % 26);
  v.resize(std::max(size, v.size()));
  return v;
}

std::string KeyName(const std::string& prefix, int i) {
  return prefix + std::to_string(i);
}

// Runs the commands in pipelines of 200 and expects every reply to be `reply`.
void ExpectReplies(Client& c, const Commands& cmds, const std::string& reply) {
  for (size_t base = 0; base < cmds.size(); base += 200) {
    Commands part(cmds.begin() + static_cast<long>(base),
                  cmds.begin() + static_cast<long>(std::min(cmds.size(), base + 200)));
    std::vector<std::string> replies = c.Pipeline(part);
    ASSERT_EQ(replies.size(), part.size());
    for (size_t i = 0; i < part.size(); ++i)
      ASSERT_EQ(replies[i], reply) << part[i][0] << " " << part[i][1];
  }
}

// SETs prefix0..prefix(n-1) to ValueFor(key, size, version).
void WriteKeys(Client& c, const std::string& prefix, int n, size_t size, int version = 0) {
  Commands cmds;
  for (int i = 0; i < n; ++i)
    cmds.push_back({"SET", KeyName(prefix, i), ValueFor(KeyName(prefix, i), size, version)});
  ExpectReplies(c, cmds, "OK");
}

// Expects prefix0..prefix(n-1) to hold what WriteKeys wrote.
void ExpectKeys(Client& c, const std::string& prefix, int n, size_t size, int version = 0) {
  Commands gets;
  std::vector<std::string> want;
  for (int i = 0; i < n; ++i) {
    gets.push_back({"GET", KeyName(prefix, i)});
    want.push_back(Quoted(ValueFor(KeyName(prefix, i), size, version)));
  }
  std::vector<std::string> got;
  for (size_t base = 0; base < gets.size(); base += 200) {
    Commands part(gets.begin() + static_cast<long>(base),
                  gets.begin() + static_cast<long>(std::min(gets.size(), base + 200)));
    for (std::string& r : c.Pipeline(part))
      got.push_back(std::move(r));
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(got[i], want[i]) << gets[i][1];
}

// The keyspace of databases 0..kDbs-1 as "db key" -> "type encoding ttl content", the content
// in a canonical order where the type has none (set members and hash fields sorted).
constexpr int kDbs = 4;
using Keyspace = std::map<std::string, std::string>;

std::string Joined(std::vector<std::string> items, bool sort) {
  if (sort) std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& s : items)
    out += s + ",";
  return out;
}

std::string Describe(Client& c, const std::string& key) {
  std::string type = c({"TYPE", key});
  std::string content;
  if (type == "string") {
    content = c({"GET", key});
  } else if (type == "hash") {
    std::vector<std::string> flat = c.Strings({"HGETALL", key});
    std::vector<std::string> pairs;
    for (size_t i = 0; i + 1 < flat.size(); i += 2)
      pairs.push_back(flat[i] + "=" + flat[i + 1]);
    content = Joined(pairs, true);
  } else if (type == "list") {
    content = Joined(c.Strings({"LRANGE", key, "0", "-1"}), false);
  } else if (type == "set") {
    content = Joined(c.Strings({"SMEMBERS", key}), true);
  } else if (type == "zset") {
    content = Joined(c.Strings({"ZRANGE", key, "0", "-1", "WITHSCORES"}), false);
  }
  std::string ttl = c({"PTTL", key}) == "(integer) -1" ? "persistent" : "volatile";
  return type + " " + c({"OBJECT", "ENCODING", key}) + " " + ttl + " " + content;
}

Keyspace Dump(Client& c) {
  Keyspace out;
  for (int db = 0; db < kDbs; ++db) {
    EXPECT_EQ(c({"SELECT", std::to_string(db)}), "OK");
    for (const std::string& k : c.Strings({"KEYS", "*"}))
      out[std::to_string(db) + " " + k] = Describe(c, k);
  }
  EXPECT_EQ(c({"SELECT", "0"}), "OK");
  return out;
}

// Keys of every type in its compact and its big encoding (strings as int, embstr and raw, a
// string spanning pages), some with a TTL, in databases 0 and 1. Returns "db key" -> the
// encoding each must have.
std::map<std::string, std::string> FillEveryType(Client& c) {
  Commands cmds = {
      {"SET", "str:int", "12345"},
      {"SET", "str:negative", "-9000000000"},
      {"INCRBY", "str:counter", "41"},
      {"SET", "str:embstr", "hello"},
      {"SET", "str:binary", std::string("a\0b\r\nc", 6)},
      {"SET", "str:raw", std::string(200, 'r')},
      {"SET", "str:appended", "ab"},
      {"APPEND", "str:appended", "cd"},
      {"SET", "str:big", ValueFor("str:big", 20000)},
      {"HSET", "hash:small", "f1", "v1", "f2", "2", "f3", ""},
      {"RPUSH", "list:small", "a", "1", "b", "-2"},
      {"SADD", "set:int", "1", "2", "3", "-5", "1000000"},
      {"SADD", "set:small", "a", "b", "c"},
      {"ZADD", "zset:small", "1.5", "a", "-inf", "b", "+inf", "c", "0", "d"},
      {"SET", "ttl:string", "v", "EX", "100000"},
      {"HSET", "ttl:hash", "f", "v"},
      {"EXPIRE", "ttl:hash", "100000"},
  };
  std::vector<std::string> hash_big = {"HSET", "hash:big"};
  std::vector<std::string> list_big = {"RPUSH", "list:big"};
  std::vector<std::string> set_big = {"SADD", "set:big"};
  std::vector<std::string> zset_big = {"ZADD", "zset:big"};
  for (int i = 0; i < 300; ++i) {
    hash_big.insert(hash_big.end(), {"field" + std::to_string(i), ValueFor("h", 20, i)});
    set_big.push_back("member" + std::to_string(i));
    zset_big.insert(zset_big.end(), {std::to_string(i * 0.5 - 10), "m" + std::to_string(i)});
  }
  for (int i = 0; i < 2000; ++i)
    list_big.push_back(i % 3 == 0 ? std::to_string(i) : ValueFor("l", 12, i));
  cmds.insert(cmds.end(), {hash_big, list_big, set_big, zset_big});
  for (const std::string& r : c.Pipeline(cmds))
    EXPECT_EQ(r.rfind("(error)", 0), std::string::npos) << r;
  EXPECT_EQ(c({"SELECT", "1"}), "OK");
  EXPECT_EQ(c({"SET", "db1:str", "in db 1", "EX", "100000"}), "OK");
  EXPECT_EQ(c({"ZADD", "db1:zset", "1", "x"}), "(integer) 1");
  EXPECT_EQ(c({"SELECT", "0"}), "OK");
  return {
      {"0 str:int", "int"},         {"0 str:negative", "int"},    {"0 str:counter", "int"},
      {"0 str:embstr", "embstr"},   {"0 str:binary", "embstr"},   {"0 str:raw", "raw"},
      {"0 str:appended", "raw"},    {"0 str:big", "raw"},         {"0 hash:small", "listpack"},
      {"0 hash:big", "hashtable"},  {"0 list:small", "listpack"}, {"0 list:big", "quicklist"},
      {"0 set:int", "intset"},      {"0 set:small", "listpack"},  {"0 set:big", "hashtable"},
      {"0 zset:small", "listpack"}, {"0 zset:big", "skiplist"},   {"0 ttl:string", "embstr"},
      {"0 ttl:hash", "listpack"},   {"1 db1:str", "embstr"},      {"1 db1:zset", "listpack"},
  };
}

// Expects the keyspace to have the keys FillEveryType wrote, in their encodings.
void ExpectEncodings(const Keyspace& keys, const std::map<std::string, std::string>& encodings) {
  EXPECT_EQ(keys.size(), encodings.size());
  for (const auto& [key, encoding] : encodings) {
    auto it = keys.find(key);
    ASSERT_NE(it, keys.end()) << key;
    std::string described = it->second;
    EXPECT_EQ(described.substr(described.find(' ') + 1, encoding.size() + 3),
              Quoted(encoding) + " ")
        << key;
  }
}

bool ExitedWith(int status, int code) {
  return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

// The test's own directory, and servers started on it logging to server.log there.
class PersistenceTest : public ::testing::Test {
 protected:
  std::vector<std::string> Args(std::vector<std::string> args) const {
    if (std::find(args.begin(), args.end(), "--threads") == args.end()) {
      args.insert(args.end(), {"--threads", "2"});
    }
    args.insert(args.end(), {"--dir", dir_.path(), "--logfile", log_path()});
    return args;
  }
  // Starts a server and waits until it has loaded (it answers PING).
  std::unique_ptr<ServerProcess> Start(std::vector<std::string> args) {
    auto server = ServerProcess::StartRedwing(Args(std::move(args)));
    EXPECT_NE(server, nullptr) << "the server did not start; its log:\n" << Log();
    return server;
  }
  // Starts a server and writes prefix0..prefix(n-1) as WriteKeys does.
  std::unique_ptr<ServerProcess> StartWithKeys(const std::vector<std::string>& args,
                                               const std::string& prefix, int n, size_t size) {
    auto server = Start(args);
    if (server != nullptr) {
      Client c(server->port());
      WriteKeys(c, prefix, n, size);
    }
    return server;
  }
  // Writes `n` keys of 20 bytes ("k0"...) under `args`, stops the server cleanly, and restarts it
  // without waiting for it to load them: it listens, and may still be loading.
  std::unique_ptr<ServerProcess> RestartWhileLoading(const std::vector<std::string>& args, int n) {
    auto server = StartWithKeys(args, "k", n, 20);
    if (server == nullptr) return nullptr;
    EXPECT_TRUE(ExitedWith(server->Stop(), 0));
    server = ServerProcess::StartRedwingListening(Args(args));
    EXPECT_NE(server, nullptr) << Log();
    return server;
  }
  // Runs a server that must refuse to start; returns its exit status.
  int RunToExit(std::vector<std::string> args) {
    return ServerProcess::RunRedwingToExit(Args(std::move(args)), kWaitMs);
  }
  std::string log_path() const { return dir_.File("server.log"); }
  std::string Log() const { return ReadFileBytes(log_path()); }
  std::string PageFile(int shard) const {
    return dir_.File("redwing-shard-" + std::to_string(shard) + ".pages");
  }

  TempDir dir_;
};

// Restarts under each policy: write-through is stopped by SIGKILL (every reply waited for its
// fsync), write-back by a clean shutdown with a writeback-delay so long that only the shutdown
// can have written its data.
class PersistenceRestartTest : public PersistenceTest,
                               public ::testing::WithParamInterface<std::string> {
 protected:
  std::vector<std::string> PolicyArgs() const {
    if (GetParam() == "write-back") {
      return {"--persistence", "write-back", "--writeback-delay", "600000"};
    }
    return {"--persistence", GetParam()};
  }
  std::unique_ptr<ServerProcess> Start() { return PersistenceTest::Start(PolicyArgs()); }
  void Down(std::unique_ptr<ServerProcess>& server) {
    if (GetParam() == "write-back") {
      EXPECT_TRUE(ExitedWith(server->Stop(), 0));
    } else {
      server->Kill();
    }
    server.reset();
  }
  std::unique_ptr<ServerProcess> Restart(std::unique_ptr<ServerProcess>& server) {
    Down(server);
    return Start();
  }
};

TEST_P(PersistenceRestartTest, RecoversEveryTypeInItsEncodingAndHonoursTtls) {
  auto server = Start();
  ASSERT_TRUE(server);
  Client c(server->port());
  std::map<std::string, std::string> encodings = FillEveryType(c);
  Keyspace before = Dump(c);
  ExpectEncodings(before, encodings);
  int64_t ttl_before = std::stoll(c({"PTTL", "ttl:string"}).substr(10));
  // A key whose TTL passes while the server is down.
  int64_t expire_at = WallMs() + 300;
  EXPECT_EQ(c({"SET", "ttl:short", "gone after the restart"}), "OK");
  EXPECT_EQ(c({"PEXPIREAT", "ttl:short", std::to_string(expire_at)}), "(integer) 1");

  Down(server);
  ASSERT_TRUE(PollUntil([&] { return WallMs() > expire_at + 10; }, kWaitMs));
  server = Start();
  ASSERT_TRUE(server);
  Client after(server->port());
  EXPECT_EQ(after({"EXISTS", "ttl:short"}), "(integer) 0");
  EXPECT_EQ(Dump(after), before);
  int64_t ttl_after = std::stoll(after({"PTTL", "ttl:string"}).substr(10));
  EXPECT_GT(ttl_after, 0);
  EXPECT_LE(ttl_after, ttl_before);
  EXPECT_GT(after.InfoNumber("persistence", "persistence_records_loaded"), 0);
}

TEST_P(PersistenceRestartTest, KeyspaceCommandsSurviveRestarts) {
  auto server = Start();
  ASSERT_TRUE(server);
  {
    Client c(server->port());
    ExpectReplies(c,
                  {{"SET", "del:me", "1"},
                   {"SET", "rename:src", "moved"},
                   {"SET", "expire:me", "1"},
                   {"SET", "persist:me", "1", "EX", "100000"},
                   {"SELECT", "1"},
                   {"SET", "flushed:a", "1"},
                   {"RENAME", "flushed:a", "flushed:b"},
                   {"SELECT", "2"},
                   {"SET", "swap:a", "was in 2"},
                   {"SELECT", "3"},
                   {"SET", "swap:b", "was in 3"},
                   {"SELECT", "0"},
                   {"SAVE"}},
                  "OK");
    // Each of these undoes something already on disk.
    EXPECT_EQ(c({"DEL", "del:me"}), "(integer) 1");
    EXPECT_EQ(c({"RENAME", "rename:src", "rename:dst"}), "OK");
    EXPECT_EQ(c({"EXPIRE", "expire:me", "100000"}), "(integer) 1");
    EXPECT_EQ(c({"PERSIST", "persist:me"}), "(integer) 1");
    EXPECT_EQ(c({"SELECT", "1"}), "OK");
    EXPECT_EQ(c({"FLUSHDB"}), "OK");
    EXPECT_EQ(c({"SET", "after:flushdb", "1"}), "OK");
    EXPECT_EQ(c({"SWAPDB", "2", "3"}), "OK");
  }
  server = Restart(server);
  ASSERT_TRUE(server);
  {
    Client c(server->port());
    EXPECT_EQ(c({"EXISTS", "del:me", "rename:src"}), "(integer) 0");
    EXPECT_EQ(c({"GET", "rename:dst"}), "\"moved\"");
    EXPECT_GT(std::stoll(c({"TTL", "expire:me"}).substr(10)), 0);
    EXPECT_EQ(c({"TTL", "persist:me"}), "(integer) -1");
    EXPECT_EQ(c({"SELECT", "1"}), "OK");
    EXPECT_EQ(c.Strings({"KEYS", "*"}), std::vector<std::string>{"after:flushdb"});
    EXPECT_EQ(c({"SELECT", "2"}), "OK");
    EXPECT_EQ(c.Strings({"KEYS", "*"}), std::vector<std::string>{"swap:b"});
    EXPECT_EQ(c({"SELECT", "3"}), "OK");
    EXPECT_EQ(c.Strings({"KEYS", "*"}), std::vector<std::string>{"swap:a"});
    // FLUSHALL empties every database on disk too.
    EXPECT_EQ(c({"FLUSHALL"}), "OK");
    EXPECT_EQ(c({"SET", "after:flushall", "1"}), "OK");
  }
  server = Restart(server);
  ASSERT_TRUE(server);
  Client c(server->port());
  Keyspace left = Dump(c);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left.begin()->first, "3 after:flushall");
}

INSTANTIATE_TEST_SUITE_P(Persistence, PersistenceRestartTest,
                         ::testing::Values("write-through", "write-back"), [](const auto& p) {
                           return p.param == "write-back" ? "WriteBack" : "WriteThrough";
                         });

TEST_F(PersistenceTest, WriteThroughKeepsEveryAcknowledgedWriteAcrossSigkill) {
  auto server = Start({"--persistence", "write-through"});
  ASSERT_TRUE(server);
  constexpr int kWriters = 4;
  constexpr int kRounds = 50;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Client c(server->port());
      std::string p = "w" + std::to_string(w) + ":";
      for (int i = 0; i < kRounds; ++i) {
        std::string n = std::to_string(i);
        std::vector<std::string> replies = c.Pipeline({{"SET", p + n, ValueFor(p + n, 100)},
                                                       {"HSET", p + "hash", "f" + n, n},
                                                       {"RPUSH", p + "list", n},
                                                       {"SADD", p + "set", n}});
        ASSERT_EQ(replies[0], "OK");
      }
    });
  }
  for (std::thread& t : writers)
    t.join();
  int64_t syncs = Client(server->port()).InfoNumber("persistence", "persistence_disk_syncs");
  server->Kill();

  server = Start({"--persistence", "write-through"});
  ASSERT_TRUE(server);
  Client c(server->port());
  for (int w = 0; w < kWriters; ++w) {
    std::string p = "w" + std::to_string(w) + ":";
    ExpectKeys(c, p, kRounds, 100);
    std::vector<std::string> list = c.Strings({"LRANGE", p + "list", "0", "-1"});
    ASSERT_EQ(list.size(), size_t{kRounds});
    for (int i = 0; i < kRounds; ++i)
      EXPECT_EQ(list[static_cast<size_t>(i)], std::to_string(i));
    EXPECT_EQ(c({"HLEN", p + "hash"}), "(integer) " + std::to_string(kRounds));
    EXPECT_EQ(c({"HGET", p + "hash", "f" + std::to_string(kRounds - 1)}),
              Quoted(std::to_string(kRounds - 1)));
    EXPECT_EQ(c({"SCARD", p + "set"}), "(integer) " + std::to_string(kRounds));
  }
  // Concurrent writers share fsyncs (group commit).
  EXPECT_GT(syncs, 0);
  EXPECT_LT(syncs, kWriters * kRounds * 4);
}

TEST_F(PersistenceTest, WriteBackLosesNothingOnceFlushed) {
  std::vector<std::string> args = {"--persistence", "write-back", "--writeback-delay", "100"};
  auto server = StartWithKeys(args, "k", 2000, 300);
  ASSERT_TRUE(server);
  {
    Client c(server->port());
    EXPECT_EQ(c({"HSET", "hash", "a", "1", "b", "2"}), "(integer) 2");
    EXPECT_EQ(c({"SET", "deleted", "1"}), "OK");
    EXPECT_EQ(c({"DEL", "deleted"}), "(integer) 1");
    ASSERT_TRUE(WaitPersisted(c, kWaitMs));
  }
  server->Kill();
  server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  ExpectKeys(c, "k", 2000, 300);
  EXPECT_EQ(c.Strings({"HGETALL", "hash"}), (std::vector<std::string>{"a", "1", "b", "2"}));
  EXPECT_EQ(c({"EXISTS", "deleted"}), "(integer) 0");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 2001");
}

// A flush writes each changed key once, however often it changed (the dirty log keeps every
// change; the repeats are dropped when it is written), and keeps keys of the same name in
// different databases apart.
TEST_F(PersistenceTest, AFlushWritesEachChangedKeyOnce) {
  std::vector<std::string> args = {"--persistence", "write-back", "--writeback-delay", "600000"};
  auto server = Start(args);
  ASSERT_TRUE(server);
  {
    Client c(server->port());
    for (int i = 0; i < 500; ++i)
      ASSERT_EQ(c({"INCR", "counter"}), "(integer) " + std::to_string(i + 1));
    for (int db = 0; db < 2; ++db) {
      ASSERT_EQ(c({"SELECT", std::to_string(db)}), "OK");
      for (int i = 0; i < 200; ++i)
        ASSERT_EQ(c({"SET", "same", "db" + std::to_string(db) + ":" + std::to_string(i)}), "OK");
    }
    ASSERT_EQ(c({"SELECT", "0"}), "OK");
    for (int round = 0; round < 5; ++round) {
      for (int k = 0; k < 10; ++k)
        ASSERT_EQ(c({"SET", "k" + std::to_string(k), std::to_string(round)}), "OK");
    }
    EXPECT_EQ(c.InfoNumber("persistence", "persistence_dirty_keys"), 500 + 400 + 50);
    ASSERT_EQ(c({"SAVE"}), "OK");
    EXPECT_EQ(c.InfoNumber("persistence", "persistence_dirty_keys"), 0);
  }
  ASSERT_TRUE(ExitedWith(server->Stop(), 0));
  server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  // counter, "same" in databases 0 and 1, k0..k9.
  EXPECT_EQ(c.InfoNumber("persistence", "persistence_records_loaded"), 13);
  EXPECT_EQ(c({"GET", "counter"}), "\"500\"");
  EXPECT_EQ(c({"GET", "same"}), "\"db0:199\"");
  EXPECT_EQ(c({"GET", "k9"}), "\"4\"");
  ASSERT_EQ(c({"SELECT", "1"}), "OK");
  EXPECT_EQ(c({"GET", "same"}), "\"db1:199\"");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 1");
}

TEST_F(PersistenceTest, CleanShutdownFlushesEverythingWhateverTheDelay) {
  std::vector<std::string> args = {"--persistence", "write-back", "--writeback-delay", "600000"};
  auto server = StartWithKeys(args, "k", 1000, 300);
  ASSERT_TRUE(server);
  {
    Client c(server->port());
    // Nothing is written before ten minutes, but for the shutdown.
    EXPECT_GT(c.InfoNumber("persistence", "persistence_dirty_keys"), 0);
    EXPECT_EQ(c({"SHUTDOWN"}), "(disconnected)");
  }
  EXPECT_TRUE(ExitedWith(server->WaitExit(kWaitMs), 0));
  server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  ExpectKeys(c, "k", 1000, 300);
}

TEST_F(PersistenceTest, SaveAndBgsaveFlushAndAdvanceLastsave) {
  std::vector<std::string> args = {"--persistence", "write-back", "--writeback-delay", "600000"};
  auto server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  auto lastsave = [&] { return std::stoll(c({"LASTSAVE"}).substr(10)); };
  const int64_t started = lastsave();
  EXPECT_EQ(c.InfoNumber("persistence", "rdb_last_save_time"), started);
  // LASTSAVE counts seconds: let one pass.
  ASSERT_TRUE(PollUntil([&] { return std::time(nullptr) > started; }, kWaitMs));
  WriteKeys(c, "saved", 500, 300);
  EXPECT_EQ(lastsave(), started);  // nothing written yet (the delay is ten minutes)
  EXPECT_GE(c.InfoNumber("persistence", "rdb_changes_since_last_save"), 500);
  EXPECT_EQ(c({"SAVE"}), "OK");
  EXPECT_EQ(c.InfoNumber("persistence", "persistence_dirty_keys"), 0);
  EXPECT_EQ(c.InfoNumber("persistence", "persistence_dirty_bytes"), 0);
  // The shards hear that their batches are durable just after SAVE's reply (unlike Redis,
  // where LASTSAVE has moved by then).
  ASSERT_TRUE(WaitPersisted(c, kWaitMs));
  const int64_t saved = lastsave();
  EXPECT_GT(saved, started);
  EXPECT_EQ(c.InfoNumber("persistence", "rdb_last_save_time"), saved);
  EXPECT_EQ(c.InfoField("persistence", "rdb_last_bgsave_status"), "ok");

  WriteKeys(c, "background", 500, 300);
  EXPECT_EQ(c({"BGSAVE"}), "Background saving started");
  ASSERT_TRUE(WaitPersisted(c, kWaitMs));
  EXPECT_GE(lastsave(), saved);

  // SAVE, then a crash: nothing is lost.
  WriteKeys(c, "last", 500, 300);
  EXPECT_EQ(c({"SAVE"}), "OK");
  server->Kill();
  server = Start(args);
  ASSERT_TRUE(server);
  Client after(server->port());
  ExpectKeys(after, "saved", 500, 300);
  ExpectKeys(after, "background", 500, 300);
  ExpectKeys(after, "last", 500, 300);
}

TEST_F(PersistenceTest, SwitchingWriteBackOnAtRuntimeWritesWhatIsThere) {
  auto server = Start({"--persistence", "none"});
  ASSERT_TRUE(server);
  Client c(server->port());
  std::map<std::string, std::string> encodings = FillEveryType(c);
  EXPECT_FALSE(std::filesystem::exists(PageFile(0)));
  EXPECT_EQ(c({"CONFIG", "SET", "persistence", "write-back"}), "OK");
  EXPECT_EQ(c.Strings({"CONFIG", "GET", "persistence"}),
            (std::vector<std::string>{"persistence", "write-back"}));
  EXPECT_EQ(c({"SET", "after:switch", "1"}), "OK");
  encodings["0 after:switch"] = "int";
  Keyspace before = Dump(c);
  ExpectEncodings(before, encodings);
  // Each shard rewrites its keys as a compaction.
  ASSERT_TRUE(PollUntil(
      [&] {
        return c.InfoNumber("persistence", "persistence_compactions") >= 2 &&
               c.InfoNumber("persistence", "persistence_compacting") == 0;
      },
      kWaitMs));
  ASSERT_TRUE(WaitPersisted(c, kWaitMs));
  server->Kill();
  server = Start({"--persistence", "write-back"});
  ASSERT_TRUE(server);
  Client after(server->port());
  EXPECT_EQ(Dump(after), before);
}

// Redis's switches select the policies: "appendonly yes" with "appendfsync always" is
// write-through, so a crash right after the replies loses nothing.
TEST_F(PersistenceTest, RedisAppendOnlySwitchesSelectThePolicy) {
  const std::vector<std::string> args = {"--appendonly", "yes", "--appendfsync", "always"};
  auto server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  EXPECT_EQ(c.InfoField("persistence", "persistence_policy"), "write-through");
  EXPECT_EQ(c.InfoField("persistence", "aof_enabled"), "1");
  WriteKeys(c, "aof", 200, 100);
  server->Kill();
  server = Start(args);
  ASSERT_TRUE(server);
  Client after(server->port());
  ExpectKeys(after, "aof", 200, 100);
  EXPECT_EQ(after({"CONFIG", "SET", "appendfsync", "everysec"}), "OK");
  EXPECT_EQ(after.InfoField("persistence", "persistence_policy"), "write-back");
  EXPECT_EQ(after({"CONFIG", "SET", "appendonly", "no"}), "OK");
  EXPECT_EQ(after.InfoField("persistence", "persistence_policy"), "none");
  EXPECT_EQ(after.InfoField("persistence", "aof_enabled"), "0");
  EXPECT_EQ(after.Strings({"CONFIG", "GET", "appendonly"}),
            (std::vector<std::string>{"appendonly", "no"}));
}

TEST_F(PersistenceTest, OverwritesKeepTheFilesBounded) {
  // hz 100: compactions start from the cron, so the files grow by what is written between two
  // ticks (about 2.5 MB at full speed with the default hz 10) before one starts.
  std::vector<std::string> args = {"--persistence", "write-through", "--page-size",
                                   "1024",          "--hz",          "100"};
  auto server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  constexpr int kKeys = 200;
  constexpr int kRounds = 200;
  constexpr size_t kSize = 500;
  for (int round = 0; round < kRounds; ++round)
    WriteKeys(c, "k", kKeys, kSize, round);
  ASSERT_TRUE(PollUntil(
      [&] {
        return c.InfoNumber("persistence", "persistence_compactions") > 0 &&
               c.InfoNumber("persistence", "persistence_compacting") == 0;
      },
      kWaitMs));
  // 20 MB were written over 100 KB of live data (about 1 MB of files here).
  constexpr int64_t kWritten = int64_t{kKeys} * kRounds * kSize;
  const int64_t disk = c.InfoNumber("persistence", "persistence_disk_bytes");
  const auto files = static_cast<int64_t>(std::filesystem::file_size(PageFile(0)) +
                                          std::filesystem::file_size(PageFile(1)));
  EXPECT_GT(c.InfoNumber("persistence", "persistence_disk_writes") * 1024, kWritten);
  EXPECT_LE(files, disk);
  EXPECT_LT(disk, kWritten / 4);
  std::printf("[          ] %lld bytes on disk after %lld written, %lld compactions\n",
              static_cast<long long>(disk), static_cast<long long>(kWritten),
              static_cast<long long>(c.InfoNumber("persistence", "persistence_compactions")));
  // And the newest values survive the compactions.
  server->Kill();
  server = Start(args);
  ASSERT_TRUE(server);
  Client after(server->port());
  ExpectKeys(after, "k", kKeys, kSize, kRounds - 1);
  EXPECT_EQ(after({"DBSIZE"}), "(integer) " + std::to_string(kKeys));
}

// After a restart the compaction baseline is the live data (estimated from the records loaded),
// not every page in use: a server that restarts often still compacts.
TEST_F(PersistenceTest, OverwritesAcrossRestartsKeepTheFilesBounded) {
  std::vector<std::string> args = {"--persistence", "write-through", "--page-size", "1024"};
  int64_t first = 0;
  int64_t last = 0;
  for (int life = 0; life < 12; ++life) {
    auto server = Start(args);
    ASSERT_TRUE(server);
    Client c(server->port());
    if (life > 0) ExpectKeys(c, "k", 100, 500, life * 5 - 1);
    last = c.InfoNumber("persistence", "persistence_disk_bytes");
    if (life == 1) first = last;
    for (int round = 0; round < 5; ++round)
      WriteKeys(c, "k", 100, 500, life * 5 + round);
    server->Kill();
  }
  EXPECT_LT(last, 4 * first) << "after the first life: " << first;
}

// A store limited by max-disk-size (64 KB in 1 KB pages, flushed every cron tick), written
// until the disk refuses; returns how many keys were acknowledged and sets *refused to the
// reply that refused one.
int FillUntilRefused(Client& c, std::string* refused) {
  int acked = 0;
  EXPECT_TRUE(PollUntil(
      [&] {
        std::string key = KeyName("k", acked);
        std::string r = c({"SET", key, ValueFor(key, 1000)});
        if (r != "OK") {
          *refused = r;
          return true;
        }
        ++acked;
        return false;
      },
      kWaitMs));
  return acked;
}

const std::vector<std::string> kSmallDisk = {
    "--persistence", "write-back", "--writeback-delay", "10",
    "--page-size",   "1024",       "--max-disk-size",   "65536"};
constexpr char kDiskFull[] =
    "(error) MISCONF Errors writing to the page store: max-disk-size reached";

TEST_F(PersistenceTest, MaxDiskSizeRefusesWritesWithMisconfButServesReads) {
  auto server = Start(kSmallDisk);
  ASSERT_TRUE(server);
  Client c(server->port());
  std::string refused;
  const int acked = FillUntilRefused(c, &refused);
  EXPECT_EQ(refused, kDiskFull);
  EXPECT_GT(acked, 20);
  EXPECT_LE(c.InfoNumber("persistence", "persistence_disk_bytes"), 65536);
  // Reads go on.
  ExpectKeys(c, "k", acked, 1000);
  EXPECT_EQ(c({"DBSIZE"}), "(integer) " + std::to_string(acked));
}

// The refusal lasts while the dirty keys do not fit (a batch in flight coming back does not end
// it), and SHUTDOWN refuses to exit with them unwritten, as Redis when its last save fails.
TEST_F(PersistenceTest, WritesStayRefusedWhileTheDiskIsFull) {
  auto server = Start(kSmallDisk);
  ASSERT_TRUE(server);
  Client c(server->port());
  std::string refused;
  FillUntilRefused(c, &refused);
  ASSERT_EQ(refused, kDiskFull);
  // Longer than the cron's retry interval (1 s).
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    ASSERT_EQ(c({"SET", KeyName("late", i), ValueFor("late", 1000)}), kDiskFull) << i;
    ASSERT_EQ(c({"PING"}), kDiskFull);
    ASSERT_EQ(c({"DEL", "k0"}), kDiskFull);
    ASSERT_EQ(c.InfoField("persistence", "persistence_write_error"), "max-disk-size reached");
    ASSERT_EQ(c.InfoField("persistence", "rdb_last_bgsave_status"), "err");
  }
  EXPECT_EQ(c({"SHUTDOWN"}), "(error) ERR Errors trying to SHUTDOWN. Check logs.");
  EXPECT_EQ(c({"GET", "k0"}), "\"" + ValueFor("k0", 1000) + "\"");
}

TEST_F(PersistenceTest, RaisingMaxDiskSizeAtRuntimeLetsWritesThroughAgain) {
  auto server = Start(kSmallDisk);
  ASSERT_TRUE(server);
  Client c(server->port());
  std::string refused;
  int acked = FillUntilRefused(c, &refused);
  ASSERT_EQ(refused, kDiskFull);
  EXPECT_EQ(c({"CONFIG", "SET", "max-disk-size", "0"}), "OK");
  // The cron retries each second; the keys that did not fit are written then.
  ASSERT_TRUE(PollUntil(
      [&] {
        return c.InfoNumber("persistence", "persistence_dirty_keys") == 0 && c({"PING"}) == "PONG";
      },
      5000 * kSanitizerSlowdown));
  WriteKeys(c, "more", 100, 1000);
  EXPECT_EQ(c.InfoField("persistence", "persistence_write_error"), "");
  ASSERT_TRUE(WaitPersisted(c, kWaitMs));
  server->Kill();
  server = Start({"--persistence", "write-back"});
  ASSERT_TRUE(server);
  Client after(server->port());
  ExpectKeys(after, "k", acked, 1000);
  ExpectKeys(after, "more", 100, 1000);
}

struct LivePages {
  uint32_t page_size = 0;
  std::vector<std::pair<uint32_t, PageHeader>> pages;  // slot, header
};

// The valid data pages of a page file's active generation.
LivePages ReadLivePages(const std::string& file) {
  LivePages out;
  std::string bytes = ReadFileBytes(file);
  Superblock a{}, b{};
  bool va = bytes.size() >= 2 * kSectorSize && DecodeSuperblock(bytes.data(), &a);
  bool vb = bytes.size() >= 2 * kSectorSize && DecodeSuperblock(bytes.data() + kSectorSize, &b);
  if (!va && !vb) {
    ADD_FAILURE() << file << " has no valid superblock";
    return out;
  }
  const Superblock& sb = !vb || (va && a.seq >= b.seq) ? a : b;
  out.page_size = sb.page_size;
  for (uint32_t slot = 1; uint64_t{slot + 1} * sb.page_size <= bytes.size(); ++slot) {
    const char* page = bytes.data() + uint64_t{slot} * sb.page_size;
    if (CheckPage(page, sb.page_size, slot) && ReadHeader(page).gen >= sb.active_gen) {
      out.pages.emplace_back(slot, ReadHeader(page));
    }
  }
  return out;
}

void FlipByte(const std::string& file, uint64_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char ch = 0;
  f.get(ch);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(ch ^ 0x5a));
  ASSERT_TRUE(f.good()) << file;
}

TEST_F(PersistenceTest, CorruptPageRefusesTheStartUnlessToldToSkipIt) {
  std::vector<std::string> args = {"--threads", "1", "--persistence", "write-through"};
  auto server = StartWithKeys(args, "early", 200, 500);
  ASSERT_TRUE(server);
  {
    Client c(server->port());
    WriteKeys(c, "late", 200, 500);
  }
  EXPECT_TRUE(ExitedWith(server->Stop(), 0));
  server.reset();

  // Damage a page of an early batch: the newest batch's bad pages read as a torn write.
  LivePages live = ReadLivePages(PageFile(0));
  ASSERT_GE(live.pages.size(), 2u);
  uint64_t newest = 0;
  for (const auto& [slot, h] : live.pages) {
    uint64_t batch = h.batch;  // a copy: the header is packed, its fields unaligned
    newest = std::max(newest, batch);
  }
  auto victim = std::find_if(live.pages.begin(), live.pages.end(),
                             [&](const auto& p) { return p.second.batch < newest; });
  ASSERT_NE(victim, live.pages.end());
  const uint32_t slot = victim->first;
  FlipByte(PageFile(0),
           uint64_t{slot} * live.page_size + kPageHeaderSize + victim->second.used / 2);

  const int status = RunToExit(args);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
  EXPECT_NE(Log().find(PageFile(0) + ": page " + std::to_string(slot) + " is corrupt"),
            std::string::npos)
      << Log();
  EXPECT_NE(Log().find("persistence-skip-corrupt yes"), std::string::npos);

  // Told to skip it, the server starts without that page's records, and every key it has is
  // whole.
  args.insert(args.end(), {"--persistence-skip-corrupt", "yes"});
  server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  int present = 0;
  for (int i = 0; i < 200; ++i) {
    std::string key = KeyName("early", i);
    std::string r = c({"GET", key});
    if (r == "(nil)") continue;
    EXPECT_EQ(r, Quoted(ValueFor(key, 500)));
    ++present;
  }
  EXPECT_LT(present, 200);
  EXPECT_GT(present, 150);
  ExpectKeys(c, "late", 200, 500);
  EXPECT_NE(Log().find("1 skipped corrupt page(s)"), std::string::npos) << Log();
}

TEST_F(PersistenceTest, FileWrittenWithAnotherThreadCountRefusesTheStart) {
  std::vector<std::string> args = {"--threads", "2", "--persistence", "write-through"};
  auto server = StartWithKeys(args, "k", 100, 100);
  ASSERT_TRUE(server);
  EXPECT_TRUE(ExitedWith(server->Stop(), 0));
  server.reset();

  const int status = RunToExit({"--threads", "1", "--persistence", "write-through"});
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
  EXPECT_NE(Log().find(PageFile(0) + ": written by a server with 2 threads"), std::string::npos)
      << Log();
  // With the same count it starts, with everything.
  server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  ExpectKeys(c, "k", 100, 100);
}

// Keys for the restarts that are watched while loading: fewer under the (slower) sanitizer builds,
// for CI's time budget.
constexpr int kLoadingKeys = kSanitizerSlowdown > 1 ? 30000 : 100000;

TEST_F(PersistenceTest, ARestartAnswersLoadingUntilItHasLoaded) {
  constexpr int kKeys = kLoadingKeys;
  auto server = RestartWhileLoading({"--persistence", "write-back"}, kKeys);
  ASSERT_TRUE(server);
  Client c(server->port());
  // Every reply is -LOADING or the right value, never a wrong one.
  const std::string last = KeyName("k", kKeys - 1);
  int loading = 0;
  ASSERT_TRUE(PollUntil(
      [&] {
        std::string r = c({"GET", last});
        if (r == "(error) LOADING Redis is loading the dataset in memory") {
          ++loading;
          return false;
        }
        EXPECT_EQ(r, Quoted(ValueFor(last, 20)));
        return true;
      },
      kWaitMs));
  EXPECT_EQ(c({"DBSIZE"}), "(integer) " + std::to_string(kKeys));
  EXPECT_EQ(c.InfoNumber("persistence", "loading"), 0);
  // At least one record per key (a key written in two flushes has two).
  EXPECT_GE(c.InfoNumber("persistence", "persistence_records_loaded"), kKeys);
  std::printf("[          ] %d -LOADING replies before the data\n", loading);
}

TEST_F(PersistenceTest, AShutdownWhileLoadingExitsCleanlyAndKeepsTheData) {
  const std::vector<std::string> args = {"--persistence", "write-back"};
  // SIGTERM as soon as the restart listens, usually while its shards still load: the loaders
  // that finish after the workers stopped must not hand their shards to them (under ASan a task
  // left in a stopped worker's inbox is a leak, and the exit status says so).
  auto server = RestartWhileLoading(args, kLoadingKeys);
  ASSERT_TRUE(server);
  bool was_loading = false;
  {
    Client c(server->port());
    was_loading = c.InfoNumber("persistence", "loading") == 1;
  }
  EXPECT_TRUE(ExitedWith(server->Stop(), 0)) << Log();
  std::printf("[          ] stopped %s loading\n", was_loading ? "while" : "after");

  server = Start(args);
  ASSERT_TRUE(server);
  Client c(server->port());
  ExpectKeys(c, "k", kLoadingKeys, 20);
}
}  // namespace
}  // namespace redwing::test
