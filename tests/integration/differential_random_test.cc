// Randomized differential test: seeded random sequences of string and key commands over a small
// keyspace (so commands collide on keys, types and values) run on Debian's redis-server and on
// redwing-server, and every reply must match byte for byte. Deterministic per seed; a failure
// names the seed and step, and the script replays it.

#include <gtest/gtest.h>

#include <random>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

class CommandGenerator {
 public:
  explicit CommandGenerator(uint32_t seed) : rng_(seed) {}

  std::vector<std::string> Next() {
    // Now and then: a transaction boundary, a database switch, a keyspace-wide command.
    if (Pick(25) == 0) {
      if (!in_multi_) {
        in_multi_ = true;
        return {"MULTI"};
      }
      in_multi_ = false;
      return {Pick(4) == 0 ? "DISCARD" : "EXEC"};
    }
    switch (Pick(60)) {
      case 0:
        return {"SELECT", Pick(2) ? "1" : "0"};
      case 1:
        return {"SWAPDB", "0", "1"};
      case 2:
        return {"DBSIZE"};
      case 3:
        return {"FLUSHDB"};
      case 4:
        return {"MOVE", Key(), Pick(2) ? "1" : "0"};
      case 5:
        return {"OBJECT", "ENCODING", Key()};
      default:
        break;
    }
    switch (Pick(22)) {
      case 0:
        return {"SET", Key(), Value()};
      case 1:
        return {"GET", Key()};
      case 2:
        return {"APPEND", Key(), Value()};
      case 3:
        return {"INCR", Key()};
      case 4:
        return {"INCRBY", Key(), std::to_string(static_cast<int>(Pick(2001)) - 1000)};
      case 5:
        return {"DEL", Key(), Key()};
      case 6:
        return {"EXISTS", Key(), Key(), Key()};
      case 7:
        return {"GETRANGE", Key(), Index(), Index()};
      case 8:
        return {"SETRANGE", Key(), std::to_string(Pick(12)), Value()};
      case 9:
        return {"STRLEN", Key()};
      case 10:
        return {"MSET", Key(), Value(), Key(), Value()};
      case 11:
        return {"MGET", Key(), Key(), Key()};
      case 12:
        return {"RENAME", Key(), Key()};
      case 13:
        return {"RENAMENX", Key(), Key()};
      case 14:
        return {"COPY", Key(), Key(), Pick(2) ? "REPLACE" : "DB", Pick(2) ? "0" : "1"};
      case 15:
        return {"GETDEL", Key()};
      case 16:
        return {"SETNX", Key(), Value()};
      case 17:
        return {"MSETNX", Key(), Value(), Key(), Value()};
      case 18:
        return {"GETSET", Key(), Value()};
      case 19:
        // Absolute times: a relative TTL compared with one set moments earlier depends on
        // whether the clock ticked in between, on either server.
        return {"EXPIREAT", Key(), std::to_string(4000000000 + Pick(3)), Flag()};
      case 20:
        return {"PERSIST", Key()};
      default:
        return {"TYPE", Key()};
    }
  }

 private:
  uint32_t Pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }
  // Eight keys whose names spread over both shards.
  std::string Key() { return "k" + std::to_string(Pick(8)); }
  std::string Value() {
    switch (Pick(4)) {
      case 0:
        return std::to_string(static_cast<int>(Pick(200)) - 100);
      case 1:
        return "";
      case 2:
        return "v" + std::to_string(Pick(1000));
      default:
        return std::string(Pick(20), static_cast<char>('a' + Pick(26)));
    }
  }
  std::string Index() { return std::to_string(static_cast<int>(Pick(21)) - 10); }
  std::string Flag() {
    static const char* const kFlags[] = {"NX", "XX", "GT", "LT"};
    return kFlags[Pick(4)];
  }

  std::mt19937 rng_;
  bool in_multi_ = false;
};

std::string Printable(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args)
    s += (s.empty() ? "" : " ") + ("\"" + a + "\"");
  return s;
}

TEST(DifferentialRandom, StringAndKeyCommandsMatchRedis) {
  ServerPair servers = ServerPair::Start();
  if (servers.redis == nullptr) GTEST_SKIP() << "redis-server is not installed";
  ASSERT_NE(servers.redwing, nullptr);
  RawClient a(servers.redis->port()), b(servers.redwing->port());
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    // Leave any transaction and database the previous seed ended in.
    a.Run({"DISCARD"});
    b.Run({"DISCARD"});
    a.Run({"SELECT", "0"});
    b.Run({"SELECT", "0"});
    ASSERT_EQ(a.Run({"FLUSHALL"}), "+OK\r\n");
    ASSERT_EQ(b.Run({"FLUSHALL"}), "+OK\r\n");
    CommandGenerator gen(seed);
    for (int step = 0; step < 500; ++step) {
      std::vector<std::string> cmd = gen.Next();
      std::string want = a.Run(cmd);
      std::string got = b.Run(cmd);
      ASSERT_EQ(got, want) << "seed " << seed << " step " << step << ": " << Printable(cmd);
    }
    a.Run({"DISCARD"});
    b.Run({"DISCARD"});
    // The whole keyspace ends the same, in both databases used.
    for (const char* db : {"0", "1"}) {
      a.Run({"SELECT", db});
      b.Run({"SELECT", db});
      for (int k = 0; k < 8; ++k) {
        std::string key = "k" + std::to_string(k);
        ASSERT_EQ(b.Run({"GET", key}), a.Run({"GET", key})) << "seed " << seed << " db " << db;
      }
    }
    a.Run({"SELECT", "0"});
    b.Run({"SELECT", "0"});
  }
}

}  // namespace
}  // namespace redwing::test
