// COMMAND DOCS, COMMAND INFO and COMMAND GETKEYS compared with Debian's redis-server 7.0 byte for
// byte, for every command and subcommand Redwing registers, in RESP2 and in RESP3: redis-cli 7.0
// builds its interactive hints from the argument trees, cluster-aware clients route by the key
// specs and tips, and client libraries read the rest.
//
// Principled exceptions, both at the level of one entry (everything else must match exactly):
// - A container's (CLIENT, COMMAND, CONFIG, OBJECT) subcommands (DOCS's "subcommands" map, INFO's
//   last element): redis-server orders them by a hash seeded at random in every process, and
//   lists subcommands Redwing does not implement. They are compared entry by entry: each of
//   Redwing's subcommands must be described exactly as Redis describes it.
// - Commands redis-server 7.0 does not have (kNewerThanRedis70): it describes nothing for them.

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

// Commands Redwing implements from a later Redis, with the reason.
const std::map<std::string, std::string> kNewerThanRedis70 = {
    {"client|setinfo",
     "added in Redis 7.2 (client libraries send it on connect); documented from 7.2's metadata"},
};

// Commands Redwing implements with a later Redis's arguments, so their metadata is that Redis's
// (not compared with 7.0's), with the reason.
const std::map<std::string, std::string> kExtendedAsRedis72 = {
    {"zrank", "WITHSCORE is Redis 7.2's (issue 3 asks for it): arity -3, one more argument"},
    {"zrevrank", "WITHSCORE is Redis 7.2's (issue 3 asks for it): arity -3, one more argument"},
};

// The raw bytes of each element of the aggregate reply `reply` (a map's keys and values
// alternate).
std::vector<std::string> Elements(const std::string& reply) {
  std::vector<std::string> out;
  size_t eol = reply.find("\r\n");
  if (eol == std::string::npos || std::string_view("*%~").find(reply[0]) == std::string::npos) {
    ADD_FAILURE() << "not an aggregate: " << reply.substr(0, 40);
    return out;
  }
  long n = std::stol(reply.substr(1, eol - 1)) * (reply[0] == '%' ? 2 : 1);
  size_t pos = eol + 2;
  for (long i = 0; i < n; ++i) {
    size_t len = RespReplyLength(reply, pos);
    if (len == 0) {
      ADD_FAILURE() << "truncated reply";
      return out;
    }
    out.push_back(reply.substr(pos, len));
    pos += len;
  }
  EXPECT_EQ(pos, reply.size());
  return out;
}

// The text of a bulk string reply's bytes.
std::string BulkText(const std::string& bulk) {
  size_t eol = bulk.find("\r\n");
  return bulk.substr(eol + 2, bulk.size() - eol - 4);
}

// The parameter is the protocol version (2 or 3).
class CommandDocsTest : public ServerPairTest<int> {
 protected:
  // A connection speaking the protocol version under test.
  static std::unique_ptr<RawClient> Connect(const ServerProcess& server) {
    auto c = std::make_unique<RawClient>(server.port());
    if (GetParam() == 3) {
      EXPECT_NE(c->Run({"HELLO", "3"}), "");
    }
    return c;
  }

  // Every command and subcommand Redwing registers.
  static std::vector<std::string> RedwingCommands() {
    RawClient c(redwing_server().port());
    std::vector<std::string> names;
    for (const std::string& e : Elements(c.Run({"COMMAND", "LIST"})))
      names.push_back(BulkText(e));
    return names;
  }

  using ContainerCompare = void (*)(const std::string& name, const std::string& redis,
                                    const std::string& redwing);

  // Runs COMMAND <what> <name> on both servers for every command and subcommand Redwing
  // registers. The replies must be equal byte for byte, but for a container's, which
  // `same_container` compares, and for a command Redis 7.0 does not have (it answers `absent`).
  static void ExpectEveryCommandSame(const std::string& what, const std::string& absent,
                                     ContainerCompare same_container) {
    auto redis = Connect(redis_server());
    auto redwing = Connect(redwing_server());
    std::vector<std::string> names = RedwingCommands();
    ASSERT_GT(names.size(), 60u);
    std::set<std::string> containers;
    for (const std::string& name : names) {
      if (size_t bar = name.find('|'); bar != std::string::npos)
        containers.insert(name.substr(0, bar));
    }
    for (const std::string& name : names) {
      std::string a = redis->Run({"COMMAND", what, name});
      std::string b = redwing->Run({"COMMAND", what, name});
      ASSERT_FALSE(a.empty() || b.empty()) << name;
      if (kExtendedAsRedis72.count(name) > 0) {
        EXPECT_NE(a, b) << name << " matches redis-server again: compare it";
      } else if (kNewerThanRedis70.count(name) > 0) {
        EXPECT_EQ(a, absent) << name << " now exists in redis-server: compare it";
        EXPECT_NE(b, absent) << name;
      } else if (containers.count(name) > 0 && a != b) {
        same_container(name, a, b);
      } else {
        EXPECT_EQ(a, b) << name;
      }
    }
  }
};

// Compares the COMMAND DOCS replies of a container: everything but "subcommands" byte for byte,
// then each of Redwing's subcommands against Redis's entry of the same name.
void ExpectSameContainerDocs(const std::string& name, const std::string& redis,
                             const std::string& redwing) {
  std::vector<std::string> a = Elements(redis), b = Elements(redwing);
  ASSERT_EQ(a.size(), 2u) << name;
  ASSERT_EQ(b.size(), 2u) << name;
  EXPECT_EQ(a[0], b[0]);
  std::vector<std::string> fields_a = Elements(a[1]), fields_b = Elements(b[1]);
  ASSERT_EQ(fields_a.size(), fields_b.size()) << name;
  for (size_t i = 0; i + 1 < fields_a.size(); i += 2) {
    ASSERT_EQ(fields_a[i], fields_b[i]) << name;
    if (BulkText(fields_a[i]) != "subcommands") {
      EXPECT_EQ(fields_a[i + 1], fields_b[i + 1]) << name << " " << BulkText(fields_a[i]);
      continue;
    }
    std::map<std::string, std::string> subs_redis;
    std::vector<std::string> sa = Elements(fields_a[i + 1]), sb = Elements(fields_b[i + 1]);
    for (size_t j = 0; j + 1 < sa.size(); j += 2)
      subs_redis[BulkText(sa[j])] = sa[j + 1];
    for (size_t j = 0; j + 1 < sb.size(); j += 2) {
      std::string sub = BulkText(sb[j]);
      if (kNewerThanRedis70.count(sub) > 0) continue;
      auto it = subs_redis.find(sub);
      ASSERT_NE(it, subs_redis.end()) << sub << " is not a subcommand in Redis 7.0";
      EXPECT_EQ(it->second, sb[j + 1]) << sub;
    }
  }
}

TEST_P(CommandDocsTest, EveryCommandMatchesRedis) {
  ExpectEveryCommandSame("DOCS", GetParam() == 3 ? "%0\r\n" : "*0\r\n", ExpectSameContainerDocs);
}

TEST_P(CommandDocsTest, SeveralNamesAndUnknownNames) {
  auto redis = Connect(redis_server());
  auto redwing = Connect(redwing_server());
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"COMMAND", "DOCS", "get", "nosuchcommand", "SET", "Config|Get"},
           {"COMMAND", "DOCS", "nosuchcommand"},
           {"COMMAND", "DOCS", "config|nosuchsubcommand", "client|kill"},
       }) {
    EXPECT_EQ(redis->Run(cmd), redwing->Run(cmd)) << cmd[2];
  }
}

// Without names, COMMAND DOCS documents every top-level command (their set differs from Redis's).
TEST_P(CommandDocsTest, AllCommandsWithoutNames) {
  auto redwing = Connect(redwing_server());
  std::string count = redwing->Run({"COMMAND", "COUNT"});
  std::vector<std::string> all = Elements(redwing->Run({"COMMAND", "DOCS"}));
  ASSERT_EQ(":" + std::to_string(all.size() / 2) + "\r\n", count);
  std::set<std::string> names;
  for (size_t i = 0; i < all.size(); i += 2)
    names.insert(BulkText(all[i]));
  EXPECT_EQ(names.size(), all.size() / 2);
  EXPECT_TRUE(names.count("set") > 0 && names.count("config") > 0);
}

// Compares the COMMAND INFO replies of a container: everything but its subcommands (the last
// element) byte for byte, then each of Redwing's subcommands against Redis's entry of that name.
void ExpectSameContainerInfo(const std::string& name, const std::string& redis,
                             const std::string& redwing) {
  std::vector<std::string> a = Elements(redis), b = Elements(redwing);
  ASSERT_EQ(a.size(), 1u) << name;
  ASSERT_EQ(b.size(), 1u) << name;
  std::vector<std::string> fields_a = Elements(a[0]), fields_b = Elements(b[0]);
  ASSERT_EQ(fields_a.size(), 10u) << name;
  ASSERT_EQ(fields_b.size(), 10u) << name;
  for (size_t i = 0; i + 1 < fields_a.size(); ++i)
    EXPECT_EQ(fields_a[i], fields_b[i]) << name << " element " << i;
  EXPECT_EQ(fields_a[9][0], fields_b[9][0]) << name << ": the subcommands' aggregate type";
  std::map<std::string, std::string> subs_redis;
  for (const std::string& sub : Elements(fields_a[9]))
    subs_redis[BulkText(Elements(sub).at(0))] = sub;
  for (const std::string& sub : Elements(fields_b[9])) {
    std::string sub_name = BulkText(Elements(sub).at(0));
    if (kNewerThanRedis70.count(sub_name) > 0) continue;
    auto it = subs_redis.find(sub_name);
    ASSERT_NE(it, subs_redis.end()) << sub_name << " is not a subcommand in Redis 7.0";
    EXPECT_EQ(it->second, sub) << sub_name;
  }
}

TEST_P(CommandDocsTest, EveryCommandInfoMatchesRedis) {
  ExpectEveryCommandSame("INFO", GetParam() == 3 ? "*1\r\n_\r\n" : "*1\r\n$-1\r\n",
                         ExpectSameContainerInfo);
}

TEST_P(CommandDocsTest, InfoForSeveralNamesAndUnknownNames) {
  auto redis = Connect(redis_server());
  auto redwing = Connect(redwing_server());
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"COMMAND", "INFO", "get", "nosuchcommand", "SET", "Config|Get", "RENAME"},
           {"COMMAND", "INFO", "nosuchcommand"},
           {"COMMAND", "INFO", "config|nosuchsubcommand", "client|kill", "get|x"},
       }) {
    EXPECT_EQ(redis->Run(cmd), redwing->Run(cmd)) << cmd[2];
  }
}

// COMMAND GETKEYS for every command and subcommand with as many arguments as its arity asks and a
// few more or fewer: the same keys, or the same error, as Redis.
TEST_P(CommandDocsTest, GetKeysMatchesRedis) {
  auto redis = Connect(redis_server());
  auto redwing = Connect(redwing_server());
  for (const std::string& name : RedwingCommands()) {
    if (kNewerThanRedis70.count(name) > 0 || kExtendedAsRedis72.count(name) > 0) continue;
    std::vector<std::string> info = Elements(Elements(redwing->Run({"COMMAND", "INFO", name}))[0]);
    const int arity = std::stoi(info.at(1).substr(1));
    std::vector<std::string> cmd = {"COMMAND", "GETKEYS"};
    for (size_t bar = 0, start = 0; bar != std::string::npos; start = bar + 1) {
      bar = name.find('|', start);
      cmd.push_back(name.substr(start, bar == std::string::npos ? bar : bar - start));
    }
    const int words = static_cast<int>(cmd.size()) - 2;
    for (int argc = words; argc <= std::abs(arity) + 3; ++argc) {
      std::vector<std::string> c = cmd;
      for (int i = words; i < argc; ++i)
        c.push_back("k" + std::to_string(i));
      EXPECT_EQ(redis->Run(c), redwing->Run(c)) << name << " with " << argc << " arguments";
    }
  }
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"COMMAND", "GETKEYS", "nosuchcommand", "a"},
           {"COMMAND", "GETKEYS", "object", "nosuchsubcommand", "k"},
           {"COMMAND", "GETKEYS", "OBJECT", "Encoding", "k"},
           {"COMMAND", "GETKEYS", "get"},
           {"COMMAND", "GETKEYS"},
       }) {
    EXPECT_EQ(redis->Run(cmd), redwing->Run(cmd)) << cmd.back();
  }
}

std::string ProtocolName(const ::testing::TestParamInfo<int>& p) {
  return "Resp" + std::to_string(p.param);
}

INSTANTIATE_TEST_SUITE_P(Resp, CommandDocsTest, ::testing::Values(2, 3), ProtocolName);

}  // namespace
}  // namespace redwing::test
