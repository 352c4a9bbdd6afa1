// Set commands over a real redwing-server (four shards): encodings and their conversions past
// the thresholds (OBJECT ENCODING; redis-server 7.0 has no listpack sets, so the differential
// script cannot compare them), big sets against an in-test model, the random commands'
// properties, multi-key commands whose keys live on different shards, WATCH, and RESP3 reply
// types. Exact reply bytes and errors are covered by tests/differential/sets.txt.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

class SetCommandsTest : public SharedServerTest<SetCommandsTest> {
 public:
  static std::vector<std::string> ServerArgs() { return {"--threads", "4"}; }
};

std::string Encoding(Client& c, const std::string& key) {
  return c({"OBJECT", "ENCODING", key});
}

std::set<std::string> Members(Client& c, const std::string& key) {
  auto r = c.Command({"SMEMBERS", key});
  auto v = ReplyStrings(r.get());
  return {v.begin(), v.end()};
}

std::vector<std::string> Cmd(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

std::vector<std::string> Range(const std::string& prefix, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i)
    out.push_back(prefix + std::to_string(i));
  return out;
}

// Restores the default thresholds when a test changed them.
struct DefaultLimits {
  explicit DefaultLimits(Client& c) : c_(c) {}
  ~DefaultLimits() {
    c_({"CONFIG", "SET", "set-max-intset-entries", "512"});
    c_({"CONFIG", "SET", "set-max-listpack-entries", "128"});
    c_({"CONFIG", "SET", "set-max-listpack-value", "64"});
  }
  Client& c_;
};

TEST_F(SetCommandsTest, IntsetUpToItsLimitThenHashtable) {
  Client c(port());
  EXPECT_EQ(c.Run(Cmd({"SADD", "s"}, Range("", 0, 512))), "(integer) 512");
  EXPECT_EQ(Encoding(c, "s"), "\"intset\"");
  EXPECT_EQ(c({"SADD", "s", "512"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "s"), "\"hashtable\"");
  EXPECT_EQ(c.Run(Cmd({"SREM", "s"}, Range("", 1, 513))), "(integer) 512");
  EXPECT_EQ(Encoding(c, "s"), "\"hashtable\"");  // never converts back
  EXPECT_EQ(c.Run(Cmd({"SADD", "big"}, Range("", 0, 513))), "(integer) 513");
  EXPECT_EQ(Encoding(c, "big"), "\"hashtable\"");
  // Integers past 64 bits, or not canonical, are strings.
  EXPECT_EQ(c({"SADD", "i", "1", "9223372036854775807", "-9223372036854775808"}), "(integer) 3");
  EXPECT_EQ(Encoding(c, "i"), "\"intset\"");
  EXPECT_EQ(c({"SADD", "i", "9223372036854775808"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "i"), "\"listpack\"");
  EXPECT_EQ(c({"SADD", "j", "01"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "j"), "\"listpack\"");
}

TEST_F(SetCommandsTest, ListpackKeepsInsertionOrderUpToItsLimits) {
  Client c(port());
  EXPECT_EQ(c({"SADD", "s", "3", "1", "2"}), "(integer) 3");
  EXPECT_EQ(c({"SADD", "s", "b", "a", "0"}), "(integer) 3");
  EXPECT_EQ(Encoding(c, "s"), "\"listpack\"");
  // Converted from the intset in its (ascending) order, then appended in insertion order.
  EXPECT_EQ(c({"SMEMBERS", "s"}), "[\"1\", \"2\", \"3\", \"b\", \"a\", \"0\"]");
  EXPECT_EQ(c({"SREM", "s", "2", "b"}), "(integer) 2");
  EXPECT_EQ(c({"SMEMBERS", "s"}), "[\"1\", \"3\", \"a\", \"0\"]");
  EXPECT_EQ(c({"SSCAN", "s", "0"}), "[\"0\", [\"1\", \"3\", \"a\", \"0\"]]");
  EXPECT_EQ(c({"SSCAN", "s", "77", "MATCH", "[0-9]"}), "[\"0\", [\"1\", \"3\", \"0\"]]");

  EXPECT_EQ(c.Run(Cmd({"SADD", "l"}, Range("m", 0, 128))), "(integer) 128");
  EXPECT_EQ(Encoding(c, "l"), "\"listpack\"");
  EXPECT_EQ(c({"SADD", "l", "m0"}), "(integer) 0");
  EXPECT_EQ(Encoding(c, "l"), "\"listpack\"");
  EXPECT_EQ(c({"SADD", "l", "m128"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "l"), "\"hashtable\"");
  EXPECT_EQ(c.Run(Cmd({"SADD", "l2"}, Range("m", 0, 129))), "(integer) 129");
  EXPECT_EQ(Encoding(c, "l2"), "\"hashtable\"");

  EXPECT_EQ(c({"SADD", "v", "a", std::string(64, 'x')}), "(integer) 2");
  EXPECT_EQ(Encoding(c, "v"), "\"listpack\"");
  EXPECT_EQ(c({"SADD", "v", std::string(65, 'y')}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "v"), "\"hashtable\"");
  // An intset whose integers are longer than the value limit goes straight to a hashtable.
  DefaultLimits restore(c);
  EXPECT_EQ(c({"CONFIG", "SET", "set-max-listpack-value", "3"}), "OK");
  EXPECT_EQ(c({"SADD", "w", "1000"}), "(integer) 1");
  EXPECT_EQ(c({"SADD", "w", "a"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "w"), "\"hashtable\"");
}

TEST_F(SetCommandsTest, ThresholdsAreReadAtRunTime) {
  Client c(port());
  DefaultLimits restore(c);
  EXPECT_EQ(c({"CONFIG", "SET", "set-max-intset-entries", "2"}), "OK");
  EXPECT_EQ(c({"CONFIG", "SET", "set-max-listpack-entries", "3"}), "OK");
  EXPECT_EQ(c({"SADD", "s", "1", "2"}), "(integer) 2");
  EXPECT_EQ(Encoding(c, "s"), "\"intset\"");
  EXPECT_EQ(c({"SADD", "s", "3"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "s"), "\"hashtable\"");
  EXPECT_EQ(c({"SADD", "t", "a", "b", "c"}), "(integer) 3");
  EXPECT_EQ(Encoding(c, "t"), "\"listpack\"");
  EXPECT_EQ(c({"SADD", "t", "d"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "t"), "\"hashtable\"");
  // Three integers do not fit an intset: the new set starts as a listpack.
  EXPECT_EQ(c({"SADD", "u", "1", "2", "3"}), "(integer) 3");
  EXPECT_EQ(Encoding(c, "u"), "\"listpack\"");
}

TEST_F(SetCommandsTest, StoreDestinationsPickTheirEncodingAsRedis72) {
  Client c(port());
  // Intersections: a hashtable of integers whose small intersection is all integers -> intset.
  c.Run(Cmd({"SADD", "{h}a"}, Range("", 0, 1000)));
  c.Run(Cmd({"SADD", "{h}b"}, Range("", 990, 2000)));
  EXPECT_EQ(c({"SINTERSTORE", "{h}d", "{h}a", "{h}b"}), "(integer) 10");
  EXPECT_EQ(Encoding(c, "{h}d"), "\"intset\"");
  c.Run(Cmd({"SADD", "{h}s"}, Range("x", 0, 200)));
  c.Run(Cmd({"SADD", "{h}t"}, Range("x", 190, 400)));
  EXPECT_EQ(c({"SINTERSTORE", "{h}d", "{h}s", "{h}t"}), "(integer) 10");
  EXPECT_EQ(Encoding(c, "{h}d"), "\"listpack\"");
  EXPECT_EQ(c({"SINTERSTORE", "{h}d", "{h}s", "{h}s"}), "(integer) 200");
  EXPECT_EQ(Encoding(c, "{h}d"), "\"hashtable\"");
  // Unions and differences start from an intset and grow by the usual rules.
  EXPECT_EQ(c({"SADD", "p", "1", "2"}), "(integer) 2");
  EXPECT_EQ(c({"SADD", "q", "a", "b"}), "(integer) 2");
  EXPECT_EQ(c({"SUNIONSTORE", "d", "p", "q"}), "(integer) 4");
  EXPECT_EQ(Encoding(c, "d"), "\"listpack\"");
  EXPECT_EQ(c({"SDIFFSTORE", "d", "{h}s", "{h}t"}), "(integer) 190");
  EXPECT_EQ(Encoding(c, "d"), "\"hashtable\"");
  EXPECT_EQ(c({"SDIFFSTORE", "d", "{h}a", "{h}b"}), "(integer) 990");
  EXPECT_EQ(Encoding(c, "d"), "\"hashtable\"");
  EXPECT_EQ(c({"SDIFFSTORE", "d", "p", "q"}), "(integer) 2");
  EXPECT_EQ(Encoding(c, "d"), "\"intset\"");
  EXPECT_EQ(c({"SMOVE", "q", "new", "a"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "new"), "\"listpack\"");
  EXPECT_EQ(c({"SMOVE", "p", "new2", "1"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "new2"), "\"intset\"");
}

TEST_F(SetCommandsTest, SpopOfMostOfAHashtableLeavesACompactSet) {
  Client c(port());
  c.Run(Cmd({"SADD", "s"}, Range("m", 0, 300)));
  ASSERT_EQ(Encoding(c, "s"), "\"hashtable\"");
  auto r = c.Command({"SPOP", "s", "290"});
  std::vector<std::string> popped = ReplyStrings(r.get());
  EXPECT_EQ(popped.size(), 290u);
  EXPECT_EQ(c({"SCARD", "s"}), "(integer) 10");
  EXPECT_EQ(Encoding(c, "s"), "\"listpack\"");
  std::set<std::string> all(popped.begin(), popped.end());
  EXPECT_EQ(all.size(), 290u);
  for (const std::string& m : Members(c, "s"))
    EXPECT_TRUE(all.insert(m).second) << m;
  EXPECT_EQ(all.size(), 300u);
  // The same from an intset keeps an intset; the key's TTL survives.
  c.Run(Cmd({"SADD", "i"}, Range("", 0, 100)));
  c({"EXPIRE", "i", "1000"});
  EXPECT_EQ(c.Command({"SPOP", "i", "95"})->elements, 95u);
  EXPECT_EQ(Encoding(c, "i"), "\"intset\"");
  EXPECT_EQ(c({"SCARD", "i"}), "(integer) 5");
  EXPECT_NE(c({"TTL", "i"}), "(integer) -1");
}

TEST_F(SetCommandsTest, BigSetsMatchAModel) {
  Client c(port());
  std::mt19937_64 rng(1);
  std::set<std::string> model;
  std::vector<std::vector<std::string>> batch;
  for (int round = 0; round < 40; ++round) {
    std::vector<std::string> add{"SADD", "big"};
    std::vector<std::string> rem{"SREM", "big"};
    for (int i = 0; i < 1000; ++i) {
      std::string m = (rng() % 2 ? "" : "m") + std::to_string(rng() % 30000);
      add.push_back(m);
      model.insert(m);
    }
    for (int i = 0; i < 300; ++i) {
      std::string m = (rng() % 2 ? "" : "m") + std::to_string(rng() % 30000);
      rem.push_back(m);
      model.erase(m);
    }
    batch.push_back(add);
    batch.push_back(rem);
  }
  c.Pipeline(batch);
  EXPECT_EQ(c({"SCARD", "big"}), "(integer) " + std::to_string(model.size()));
  EXPECT_EQ(Members(c, "big"), model);
  // SSCAN returns every member at least once, never one that is absent.
  std::set<std::string> scanned;
  std::string cursor = "0";
  do {
    auto r = c.Command({"SSCAN", "big", cursor, "COUNT", "100"});
    ASSERT_EQ(r->elements, 2u);
    cursor.assign(r->element[0]->str, r->element[0]->len);
    for (const std::string& m : ReplyStrings(r->element[1])) {
      ASSERT_TRUE(model.count(m)) << m;
      scanned.insert(m);
    }
  } while (cursor != "0");
  EXPECT_EQ(scanned, model);
  for (int i = 0; i < 200; ++i) {
    std::string m = (rng() % 2 ? "" : "m") + std::to_string(rng() % 30000);
    EXPECT_EQ(c({"SISMEMBER", "big", m}), model.count(m) ? "(integer) 1" : "(integer) 0");
  }
  // An intersection, union and difference against a second big set, computed in the test.
  std::set<std::string> other;
  std::vector<std::string> add{"SADD", "{big}2"};
  for (int i = 0; i < 20000; ++i) {
    std::string m = (rng() % 2 ? "" : "m") + std::to_string(rng() % 30000);
    add.push_back(m);
    other.insert(m);
  }
  c.Run(add);
  c.Run({"SUNIONSTORE", "{big}1", "big"});
  std::set<std::string> inter, uni, diff;
  std::set_intersection(model.begin(), model.end(), other.begin(), other.end(),
                        std::inserter(inter, inter.end()));
  std::set_union(model.begin(), model.end(), other.begin(), other.end(),
                 std::inserter(uni, uni.end()));
  std::set_difference(model.begin(), model.end(), other.begin(), other.end(),
                      std::inserter(diff, diff.end()));
  auto as_set = [](const redisReply* r) {
    auto v = ReplyStrings(r);
    return std::set<std::string>(v.begin(), v.end());
  };
  EXPECT_EQ(as_set(c.Command({"SINTER", "{big}1", "{big}2"}).get()), inter);
  EXPECT_EQ(as_set(c.Command({"SUNION", "{big}1", "{big}2"}).get()), uni);
  EXPECT_EQ(as_set(c.Command({"SDIFF", "{big}1", "{big}2"}).get()), diff);
  EXPECT_EQ(c({"SINTERCARD", "2", "{big}1", "{big}2"}),
            "(integer) " + std::to_string(inter.size()));
  EXPECT_EQ(c({"SINTERCARD", "2", "{big}1", "{big}2", "LIMIT", "5"}), "(integer) 5");
}

TEST_F(SetCommandsTest, RandomCommandsKeepTheirPromises) {
  Client c(port());
  for (const std::string& prefix : {std::string(""), std::string("m")}) {
    for (int size : {5, 50, 1000}) {
      std::string key = "r" + prefix + std::to_string(size);
      std::vector<std::string> members = Range(prefix, 0, size);
      std::set<std::string> all(members.begin(), members.end());
      c.Run(Cmd({"SADD", key}, members));
      for (int count : {1, 2, size / 3, size / 2, size - 1}) {
        if (count < 1) continue;
        auto v = ReplyStrings(c.Command({"SRANDMEMBER", key, std::to_string(count)}).get());
        std::set<std::string> distinct(v.begin(), v.end());
        EXPECT_EQ(v.size(), static_cast<size_t>(count)) << key;
        EXPECT_EQ(distinct.size(), v.size()) << key << " " << count;
        for (const std::string& m : v)
          EXPECT_TRUE(all.count(m)) << m;
      }
      // Draws with repetition: 20 per member cover every member (all but surely).
      auto rep = ReplyStrings(c.Command({"SRANDMEMBER", key, std::to_string(-20 * size)}).get());
      EXPECT_EQ(rep.size(), static_cast<size_t>(20 * size));
      std::set<std::string> seen(rep.begin(), rep.end());
      for (const std::string& m : seen)
        EXPECT_TRUE(all.count(m)) << m;
      EXPECT_EQ(seen.size(), all.size()) << key;
      // SPOP removes exactly what it returns.
      std::set<std::string> left = all;
      for (int count : {1, size / 10, size / 2}) {
        auto popped = ReplyStrings(c.Command({"SPOP", key, std::to_string(count)}).get());
        EXPECT_EQ(popped.size(), std::min<size_t>(count, left.size())) << key;
        for (const std::string& m : popped)
          EXPECT_EQ(left.erase(m), 1u) << key << " " << m;
        EXPECT_EQ(Members(c, key), left) << key;
      }
      while (!left.empty()) {
        auto r = c.Command({"SPOP", key});
        ASSERT_EQ(r->type, REDIS_REPLY_STRING);
        EXPECT_EQ(left.erase(std::string(r->str, r->len)), 1u);
      }
      EXPECT_EQ(c({"EXISTS", key}), "(integer) 0");
    }
  }
}

TEST_F(SetCommandsTest, MultiKeyCommandsAcrossShards) {
  Client c(port());
  // Keys without hash tags land on different shards of the four.
  std::map<std::string, std::set<std::string>> model;
  std::mt19937_64 rng(3);
  std::vector<std::string> keys = Range("set", 0, 12);
  for (const std::string& k : keys) {
    std::vector<std::string> add{"SADD", k};
    for (int i = 0; i < 60; ++i) {
      std::string m = std::to_string(rng() % 80);
      if (rng() % 4 == 0) m = "x" + m;
      add.push_back(m);
      model[k].insert(m);
    }
    c.Run(add);
  }
  for (int round = 0; round < 50; ++round) {
    const std::string& a = keys[rng() % keys.size()];
    const std::string& b = keys[rng() % keys.size()];
    const std::string& d = keys[rng() % keys.size()];
    std::set<std::string> out;
    switch (rng() % 4) {
      case 0:
        std::set_intersection(model[a].begin(), model[a].end(), model[b].begin(), model[b].end(),
                              std::inserter(out, out.end()));
        EXPECT_EQ(c({"SINTERSTORE", d, a, b}), "(integer) " + std::to_string(out.size()));
        model[d] = out;
        break;
      case 1:
        std::set_union(model[a].begin(), model[a].end(), model[b].begin(), model[b].end(),
                       std::inserter(out, out.end()));
        EXPECT_EQ(c({"SUNIONSTORE", d, a, b}), "(integer) " + std::to_string(out.size()));
        model[d] = out;
        break;
      case 2:
        std::set_difference(model[a].begin(), model[a].end(), model[b].begin(), model[b].end(),
                            std::inserter(out, out.end()));
        EXPECT_EQ(c({"SDIFFSTORE", d, a, b}), "(integer) " + std::to_string(out.size()));
        model[d] = out;
        break;
      default: {
        std::string m = std::to_string(rng() % 80);
        bool moved = model[a].count(m) != 0;
        EXPECT_EQ(c({"SMOVE", a, b, m}), moved ? "(integer) 1" : "(integer) 0");
        if (moved && a != b) {
          model[a].erase(m);
          model[b].insert(m);
        }
        break;
      }
    }
    if (model[d].empty()) model.erase(d);
    if (model.count(a) && model[a].empty()) model.erase(a);
    for (const std::string& k : keys) {
      auto it = model.find(k);
      ASSERT_EQ(Members(c, k), it == model.end() ? std::set<std::string>{} : it->second)
          << "round " << round << " key " << k;
    }
  }
}

TEST_F(SetCommandsTest, WatchSeesSetChanges) {
  Client c(port());
  Client other(port());
  c({"SADD", "w", "a"});
  auto watched_exec = [&](const std::vector<std::string>& change) {
    EXPECT_EQ(c({"WATCH", "w"}), "OK");
    other.Run(change);
    EXPECT_EQ(c({"MULTI"}), "OK");
    c({"PING"});
    return c({"EXEC"});
  };
  EXPECT_EQ(watched_exec({"SADD", "w", "b"}), "(nil)");
  EXPECT_EQ(watched_exec({"SADD", "w", "b"}), "[PONG]");  // nothing added: untouched
  EXPECT_EQ(watched_exec({"SREM", "w", "zz"}), "[PONG]");
  EXPECT_EQ(watched_exec({"SREM", "w", "b"}), "(nil)");
  EXPECT_EQ(watched_exec({"SMOVE", "w", "elsewhere", "a"}), "(nil)");
  EXPECT_EQ(c({"EXISTS", "w"}), "(integer) 0");
  c({"SADD", "w", "1", "2", "3"});
  EXPECT_EQ(watched_exec({"SPOP", "w"}), "(nil)");
  EXPECT_EQ(watched_exec({"SINTERSTORE", "w", "w", "w"}), "(nil)");
  EXPECT_EQ(watched_exec({"SRANDMEMBER", "w"}), "[PONG]");
}

TEST_F(SetCommandsTest, Resp3RepliesSets) {
  RawClient c(port());
  ASSERT_EQ(c.Run({"HELLO", "3"})[0], '%');
  c.Run({"SADD", "s", "1", "2"});
  c.Run({"SADD", "t", "2", "3"});
  EXPECT_EQ(c.Run({"SMEMBERS", "s"}), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(c.Run({"SINTER", "s", "t"}), "~1\r\n$1\r\n2\r\n");
  EXPECT_EQ(c.Run({"SUNION", "s", "t"}), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(c.Run({"SDIFF", "s", "t"}), "~1\r\n$1\r\n1\r\n");
  EXPECT_EQ(c.Run({"SMEMBERS", "nokey"}), "~0\r\n");
  EXPECT_EQ(c.Run({"SPOP", "t", "1"}).substr(0, 4), "~1\r\n");
  EXPECT_EQ(c.Run({"SRANDMEMBER", "s", "2"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(c.Run({"SMISMEMBER", "s", "1", "9"}), "*2\r\n:1\r\n:0\r\n");
  EXPECT_EQ(c.Run({"SPOP", "nokey"}), "_\r\n");
}

TEST_F(SetCommandsTest, MemoryUsageAndCopyOfEachEncoding) {
  Client c(port());
  c({"SADD", "{m}i", "1", "2", "3"});
  c({"SADD", "{m}l", "a", "b"});
  c.Run(Cmd({"SADD", "{m}h"}, Range("member", 0, 1000)));
  for (std::string k : {"{m}i", "{m}l", "{m}h"}) {
    EXPECT_EQ(c({"COPY", k, k + "copy"}), "(integer) 1");
    EXPECT_EQ(Members(c, k + "copy"), Members(c, k));
    EXPECT_EQ(Encoding(c, k + "copy"), Encoding(c, k));
    EXPECT_EQ(c({"TYPE", k}), "set");
  }
  auto small = c.Command({"MEMORY", "USAGE", "{m}i"});
  auto big = c.Command({"MEMORY", "USAGE", "{m}h"});
  if (small->type == REDIS_REPLY_INTEGER && big->type == REDIS_REPLY_INTEGER) {
    EXPECT_GT(big->integer, 1000 * 20);
    EXPECT_LT(small->integer, 200);
  }
  EXPECT_EQ(c({"SREM", "{m}hcopy", "member0"}), "(integer) 1");
  EXPECT_EQ(c({"SCARD", "{m}h"}), "(integer) 1000");
}

// A pipeline's commands that name a member of a big collection prefetch its place in the
// collection's table before any of them runs (Connection::PrefetchBatch); one thread, so every
// key is local and hinted. The hints must change nothing: every reply as one at a time, across
// encodings, wrong types, missing keys, a missing member argument and keys that change within the
// pipeline.
TEST(MemberHints, PipelinedRepliesAreUnchanged) {
  auto server = ServerProcess::StartRedwing({"--threads", "1"});
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  ASSERT_EQ(c.Run(Cmd({"SADD", "bigset"}, Range("m", 0, 300))), "(integer) 300");
  ASSERT_EQ(c({"SADD", "smallset", "a", "b"}), "(integer) 2");
  std::vector<std::string> hset = {"HSET", "bighash"};
  std::vector<std::string> zadd = {"ZADD", "bigzset"};
  for (int i = 0; i < 300; ++i) {
    hset.insert(hset.end(), {"f" + std::to_string(i), std::to_string(i)});
    zadd.insert(zadd.end(), {std::to_string(i), "m" + std::to_string(i)});
  }
  ASSERT_EQ(c.Run(hset), "(integer) 300");
  ASSERT_EQ(c.Run(zadd), "(integer) 300");
  ASSERT_EQ(c({"SET", "str", "v"}), "OK");
  EXPECT_EQ(Encoding(c, "bigset"), "\"hashtable\"");
  EXPECT_EQ(Encoding(c, "bighash"), "\"hashtable\"");
  EXPECT_EQ(Encoding(c, "bigzset"), "\"skiplist\"");
  std::vector<std::vector<std::string>> cmds = {
      {"SISMEMBER", "bigset", "m7"},
      {"SISMEMBER", "bigset", "nope"},
      {"SADD", "bigset", "new", "m1"},
      {"SREM", "bigset", "new"},
      {"SISMEMBER", "smallset", "a"},
      {"SISMEMBER", "str", "a"},
      {"SISMEMBER", "bigset"},
      {"HGET", "bighash", "f42"},
      {"HSET", "bighash", "f42", "x"},
      {"HGET", "bighash", "f42"},
      {"HMGET", "bighash", "f1", "nope"},
      {"HGET", "missing", "f"},
      {"ZSCORE", "bigzset", "m9"},
      {"ZADD", "bigzset", "1000", "m9"},
      {"ZINCRBY", "bigzset", "1", "m9"},
      {"ZRANK", "bigzset", "m9"},
      {"DEL", "bigset"},
      {"SISMEMBER", "bigset", "m7"},
      {"SADD", "bigset", "m7"},
  };
  const std::vector<std::string> want = {
      "(integer) 1",
      "(integer) 0",
      "(integer) 1",
      "(integer) 1",
      "(integer) 1",
      "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
      "(error) ERR wrong number of arguments for 'sismember' command",
      "\"42\"",
      "(integer) 0",
      "\"x\"",
      "[\"1\", (nil)]",
      "(nil)",
      "\"9\"",
      "(integer) 0",
      "\"1001\"",
      "(integer) 299",
      "(integer) 1",
      "(integer) 0",
      "(integer) 1",
  };
  EXPECT_EQ(c.Pipeline(cmds), want);
}

}  // namespace
}  // namespace redwing::test
