// Integration tests of the generic key commands against a real redwing-server with two shards:
// SCAN's completeness guarantee (also while the tables grow), KEYS patterns, cross-shard RENAME,
// COPY and DEL, the EXPIRE flags, TTL replies, expiry observed over time, TYPE and OBJECT.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};

class KeyCommandsTest : public SharedServerTest<KeyCommandsTest> {
 public:
  static constexpr bool kFlushBetweenTests = false;

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    c_ = std::make_unique<Client>(server_->port());
    ASSERT_TRUE(c_->connected());
    ASSERT_EQ((*c_)({"FLUSHALL"}), "OK");
  }

  Client& c() { return *c_; }

  // SETs `n` keys named prefix+i, pipelined.
  void Fill(const std::string& prefix, int from, int to) {
    std::vector<std::vector<std::string>> cmds;
    for (int i = from; i < to; ++i)
      cmds.push_back({"SET", prefix + std::to_string(i), "v"});
    for (const std::string& r : c().Pipeline(cmds))
      ASSERT_EQ(r, "OK");
  }

  // One SCAN call, with its reply taken apart.
  ScanPage Scan(const std::string& cursor, const std::vector<std::string>& options = {}) {
    std::vector<std::string> args = {"SCAN", cursor};
    args.insert(args.end(), options.begin(), options.end());
    Client::ReplyPtr reply = c().Command(args);
    redisReply* r = reply.get();
    ScanPage page;
    EXPECT_NE(r, nullptr);
    if (r == nullptr) return page;
    EXPECT_EQ(r->type, REDIS_REPLY_ARRAY) << Client::Format(r);
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
      page.cursor.assign(r->element[0]->str, r->element[0]->len);
      for (size_t i = 0; i < r->element[1]->elements; ++i) {
        page.keys.emplace_back(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
      }
    }
    return page;
  }

  // A full SCAN; `between` runs after every call (to change the keyspace mid-scan).
  std::multiset<std::string> ScanAll(const std::vector<std::string>& options,
                                     const std::function<void()>& between = nullptr) {
    std::multiset<std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      ScanPage page = Scan(cursor, options);
      seen.insert(page.keys.begin(), page.keys.end());
      cursor = page.cursor;
      if (between) between();
      if (++calls > 1000000) {
        ADD_FAILURE() << "SCAN does not terminate";
        break;
      }
    } while (cursor != "0" && !cursor.empty());
    return seen;
  }

  // Polls `cmd` until it replies `want` or the deadline passes; returns the last reply.
  std::string PollUntil(const std::vector<std::string>& cmd, const std::string& want,
                        std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    auto end = std::chrono::steady_clock::now() + deadline;
    std::string got = c().Run(cmd);
    while (got != want && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      got = c().Run(cmd);
    }
    return got;
  }

  // Pipelined commands whose replies must all equal `want`.
  void ExpectAll(const std::vector<std::vector<std::string>>& cmds, const std::string& want) {
    for (const std::string& r : c().Pipeline(cmds))
      ASSERT_EQ(r, want);
  }

  std::unique_ptr<Client> c_;
};

TEST_F(KeyCommandsTest, ScanReturnsEveryKey) {
  Fill("k:", 0, 10000);
  std::multiset<std::string> seen = ScanAll({"COUNT", "7"});
  std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), 10000u);
  for (int i = 0; i < 10000; ++i)
    ASSERT_EQ(distinct.count("k:" + std::to_string(i)), 1u) << i;
}

TEST_F(KeyCommandsTest, ScanWhileInsertingReturnsEveryOriginalKey) {
  Fill("orig:", 0, 3000);
  int next = 0;
  // Every call adds 100 keys: the tables double several times during the scan.
  std::multiset<std::string> seen = ScanAll({"COUNT", "5"}, [&] {
    if (next < 30000) {
      Fill("new:", next, next + 100);
      next += 100;
    }
  });
  EXPECT_GT(next, 3000);
  for (int i = 0; i < 3000; ++i)
    ASSERT_EQ(seen.count("orig:" + std::to_string(i)) > 0, true) << i;
}

TEST_F(KeyCommandsTest, ScanWhileDeletingReturnsEveryRemainingKey) {
  Fill("keep:", 0, 2000);
  Fill("drop:", 0, 8000);
  int next = 0;
  // Deleting shrinks the tables mid-scan.
  std::multiset<std::string> seen = ScanAll({"COUNT", "10"}, [&] {
    std::vector<std::string> del = {"DEL"};
    for (int i = 0; i < 200 && next < 8000; ++i)
      del.push_back("drop:" + std::to_string(next++));
    if (del.size() > 1) c().Run(del);
  });
  for (int i = 0; i < 2000; ++i)
    ASSERT_GT(seen.count("keep:" + std::to_string(i)), 0u) << i;
}

TEST_F(KeyCommandsTest, ScanMatchTypeAndErrors) {
  Fill("user:", 0, 300);
  Fill("item:", 0, 200);
  std::multiset<std::string> users = ScanAll({"MATCH", "user:*", "COUNT", "20"});
  std::set<std::string> distinct(users.begin(), users.end());
  EXPECT_EQ(distinct.size(), 300u);
  for (const auto& k : distinct)
    EXPECT_EQ(k.rfind("user:", 0), 0u) << k;
  std::multiset<std::string> strings = ScanAll({"TYPE", "STRING"});
  EXPECT_EQ(std::set<std::string>(strings.begin(), strings.end()).size(), 500u);
  EXPECT_EQ(ScanAll({"TYPE", "list"}).size(), 0u);
  EXPECT_EQ(ScanAll({"MATCH", "nothing*"}).size(), 0u);
  EXPECT_EQ(c()({"SCAN", "x"}), "(error) ERR invalid cursor");
  EXPECT_EQ(c()({"SCAN", "0", "COUNT", "0"}), "(error) ERR syntax error");
  EXPECT_EQ(c()({"SCAN", "0", "COUNT", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(c()({"SCAN", "0", "MATCH"}), "(error) ERR syntax error");
  // A cursor naming a shard that does not exist ends the scan.
  EXPECT_EQ(c()({"SCAN", "255"}), "[\"0\", []]");
}

TEST_F(KeyCommandsTest, KeysPatterns) {
  for (const char* k : {"hello", "hallo", "hxllo", "hllo", "heeeello", "other", "h*llo"}) {
    ASSERT_EQ(c()({"SET", k, "1"}), "OK");
  }
  auto keys = [&](const std::string& pattern) {
    std::vector<std::string> out;
    auto* r = static_cast<redisReply*>(
        redisCommand(c().raw(), "KEYS %b", pattern.data(), pattern.size()));
    EXPECT_NE(r, nullptr);
    if (r == nullptr) return out;
    for (size_t i = 0; i < r->elements; ++i)
      out.emplace_back(r->element[i]->str, r->element[i]->len);
    freeReplyObject(r);
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(keys("h?llo"), (V{"h*llo", "hallo", "hello", "hxllo"}));
  EXPECT_EQ(keys("h*llo"), (V{"h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(keys("h[ae]llo"), (V{"hallo", "hello"}));
  EXPECT_EQ(keys("h[^e]llo"), (V{"h*llo", "hallo", "hxllo"}));
  EXPECT_EQ(keys("h[a-f]llo"), (V{"hallo", "hello"}));
  EXPECT_EQ(keys("h\\*llo"), (V{"h*llo"}));
  EXPECT_EQ(keys("*").size(), 7u);
  EXPECT_EQ(keys("nothing*"), V{});
}

TEST_F(KeyCommandsTest, RenameAcrossShards) {
  // With two shards, some of these 64 pairs are on different shards, some on the same one.
  for (int i = 0; i < 64; ++i) {
    std::string src = "src" + std::to_string(i), dst = "dst" + std::to_string(i);
    ASSERT_EQ(c()({"SET", src, "value" + std::to_string(i)}), "OK");
    ASSERT_EQ(c()({"PEXPIRE", src, "100000"}), "(integer) 1");
    if (i % 2 == 0) {
      ASSERT_EQ(c()({"SET", dst, "old"}), "OK");
    }
    ASSERT_EQ(c()({"RENAME", src, dst}), "OK");
    EXPECT_EQ(c()({"GET", dst}), "\"value" + std::to_string(i) + "\"");
    EXPECT_EQ(c()({"EXISTS", src}), "(integer) 0");
    std::string ttl = c()({"PTTL", dst});
    EXPECT_NE(ttl, "(integer) -1") << "the TTL moves with the value";
    EXPECT_NE(ttl, "(integer) -2");
  }
  EXPECT_EQ(c()({"RENAME", "missing", "x"}), "(error) ERR no such key");
  ASSERT_EQ(c()({"SET", "a", "1"}), "OK");
  ASSERT_EQ(c()({"SET", "b", "2"}), "OK");
  EXPECT_EQ(c()({"RENAMENX", "a", "b"}), "(integer) 0");
  EXPECT_EQ(c()({"RENAMENX", "a", "c"}), "(integer) 1");
  EXPECT_EQ(c()({"GET", "c"}), "\"1\"");
  EXPECT_EQ(c()({"RENAME", "c", "c"}), "OK");
  EXPECT_EQ(c()({"RENAMENX", "c", "c"}), "(integer) 0");
}

TEST_F(KeyCommandsTest, CopyAcrossShardsAndDatabases) {
  for (int i = 0; i < 32; ++i) {
    std::string src = "s" + std::to_string(i), dst = "d" + std::to_string(i);
    ASSERT_EQ(c()({"SET", src, "v" + std::to_string(i)}), "OK");
    EXPECT_EQ(c()({"COPY", src, dst}), "(integer) 1");
    EXPECT_EQ(c()({"COPY", src, dst}), "(integer) 0");
    ASSERT_EQ(c()({"SET", src, "w"}), "OK");
    EXPECT_EQ(c()({"COPY", src, dst, "REPLACE"}), "(integer) 1");
    EXPECT_EQ(c()({"GET", dst}), "\"w\"");
    EXPECT_EQ(c()({"COPY", src, dst, "DB", "3"}), "(integer) 1");
  }
  EXPECT_EQ(c()({"COPY", "s1", "s1"}), "(error) ERR source and destination objects are the same");
  EXPECT_EQ(c()({"COPY", "nope", "x"}), "(integer) 0");
  EXPECT_EQ(c()({"COPY", "s1", "x", "DB", "16"}), "(error) ERR DB index is out of range");
  ASSERT_EQ(c()({"SELECT", "3"}), "OK");
  EXPECT_EQ(c()({"GET", "d5"}), "\"w\"");
  EXPECT_EQ(c()({"EXISTS", "s5"}), "(integer) 0");
  ASSERT_EQ(c()({"SELECT", "0"}), "OK");
}

TEST_F(KeyCommandsTest, MoveBetweenDatabases) {
  ASSERT_EQ(c()({"SET", "m", "1"}), "OK");
  ASSERT_EQ(c()({"EXPIRE", "m", "1000"}), "(integer) 1");
  EXPECT_EQ(c()({"MOVE", "m", "0"}), "(error) ERR source and destination objects are the same");
  EXPECT_EQ(c()({"MOVE", "m", "2"}), "(integer) 1");
  EXPECT_EQ(c()({"MOVE", "m", "2"}), "(integer) 0");
  ASSERT_EQ(c()({"SELECT", "2"}), "OK");
  EXPECT_EQ(c()({"GET", "m"}), "\"1\"");
  EXPECT_EQ(c()({"TTL", "m"}), "(integer) 1000");
  ASSERT_EQ(c()({"SET", "n", "x"}), "OK");
  ASSERT_EQ(c()({"SELECT", "0"}), "OK");
  ASSERT_EQ(c()({"SET", "n", "y"}), "OK");
  EXPECT_EQ(c()({"MOVE", "n", "2"}), "(integer) 0") << "the target has the key";
}

TEST_F(KeyCommandsTest, ExpireFlags) {
  ASSERT_EQ(c()({"SET", "k", "v"}), "OK");
  EXPECT_EQ(c()({"EXPIRE", "k", "100", "XX"}), "(integer) 0") << "no TTL yet";
  EXPECT_EQ(c()({"EXPIRE", "k", "100", "GT"}), "(integer) 0") << "no TTL is infinite";
  EXPECT_EQ(c()({"EXPIRE", "k", "100", "NX"}), "(integer) 1");
  EXPECT_EQ(c()({"EXPIRE", "k", "200", "NX"}), "(integer) 0");
  EXPECT_EQ(c()({"TTL", "k"}), "(integer) 100");
  EXPECT_EQ(c()({"EXPIRE", "k", "50", "GT"}), "(integer) 0");
  EXPECT_EQ(c()({"EXPIRE", "k", "200", "GT"}), "(integer) 1");
  EXPECT_EQ(c()({"EXPIRE", "k", "300", "LT"}), "(integer) 0");
  EXPECT_EQ(c()({"EXPIRE", "k", "150", "XX", "LT"}), "(integer) 1");
  EXPECT_EQ(c()({"TTL", "k"}), "(integer) 150");
  EXPECT_EQ(c()({"PERSIST", "k"}), "(integer) 1");
  EXPECT_EQ(c()({"PERSIST", "k"}), "(integer) 0");
  EXPECT_EQ(c()({"EXPIRE", "k", "10", "LT"}), "(integer) 1") << "LT beats no TTL";
  EXPECT_EQ(c()({"EXPIRE", "k", "10", "NX", "XX"}),
            "(error) ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(c()({"EXPIRE", "k", "10", "GT", "LT"}),
            "(error) ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(c()({"EXPIRE", "k", "10", "FOO"}), "(error) ERR Unsupported option FOO");
  EXPECT_EQ(c()({"EXPIRE", "k", "9223372036854775807"}),
            "(error) ERR invalid expire time in 'expire' command");
  EXPECT_EQ(c()({"PEXPIRE", "k", "9223372036854775807"}),
            "(error) ERR invalid expire time in 'pexpire' command");
  EXPECT_EQ(c()({"EXPIRE", "missing", "10"}), "(integer) 0");

  // Absolute forms, and a time in the past deletes the key.
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string at = std::to_string(now + 1000);
  EXPECT_EQ(c()({"EXPIREAT", "k", at}), "(integer) 1");
  EXPECT_EQ(c()({"EXPIRETIME", "k"}), "(integer) " + at);
  EXPECT_EQ(c()({"PEXPIRETIME", "k"}), "(integer) " + at + "000");
  EXPECT_EQ(c()({"PEXPIREAT", "k", at + "000", "GT"}), "(integer) 0");
  EXPECT_EQ(c()({"EXPIREAT", "k", "1"}), "(integer) 1");
  EXPECT_EQ(c()({"EXISTS", "k"}), "(integer) 0");
  ASSERT_EQ(c()({"SET", "k", "v"}), "OK");
  EXPECT_EQ(c()({"EXPIRE", "k", "0"}), "(integer) 1");
  EXPECT_EQ(c()({"EXISTS", "k"}), "(integer) 0");
  ASSERT_EQ(c()({"SET", "k", "v"}), "OK");
  EXPECT_EQ(c()({"PEXPIRE", "k", "-5"}), "(integer) 1");
  EXPECT_EQ(c()({"GET", "k"}), "(nil)");
}

TEST_F(KeyCommandsTest, TtlReplies) {
  EXPECT_EQ(c()({"TTL", "missing"}), "(integer) -2");
  EXPECT_EQ(c()({"PTTL", "missing"}), "(integer) -2");
  EXPECT_EQ(c()({"EXPIRETIME", "missing"}), "(integer) -2");
  ASSERT_EQ(c()({"SET", "p", "v"}), "OK");
  EXPECT_EQ(c()({"TTL", "p"}), "(integer) -1");
  EXPECT_EQ(c()({"PTTL", "p"}), "(integer) -1");
  EXPECT_EQ(c()({"PEXPIRETIME", "p"}), "(integer) -1");
  ASSERT_EQ(c()({"PEXPIRE", "p", "100400"}), "(integer) 1");
  EXPECT_EQ(c()({"TTL", "p"}), "(integer) 100") << "rounded to the nearest second";
  std::string pttl = c()({"PTTL", "p"});
  int64_t ms = std::stoll(pttl.substr(std::string("(integer) ").size()));
  EXPECT_LE(ms, 100400);
  EXPECT_GT(ms, 90000);
}

TEST_F(KeyCommandsTest, ExpiryObservedOverTime) {
  ASSERT_EQ(c()({"SET", "soon", "v"}), "OK");
  ASSERT_EQ(c()({"SET", "stays", "v"}), "OK");
  ASSERT_EQ(c()({"PEXPIRE", "soon", "100"}), "(integer) 1");
  EXPECT_EQ(PollUntil({"EXISTS", "soon"}, "(integer) 0"), "(integer) 0");
  EXPECT_EQ(c()({"TTL", "soon"}), "(integer) -2");
  EXPECT_EQ(c()({"EXISTS", "stays"}), "(integer) 1");

  // Keys that expire are not listed by KEYS or SCAN once their time has passed.
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < 100; ++i)
    cmds.push_back({"SET", "t" + std::to_string(i), "v", "PX", "100"});
  ExpectAll(cmds, "OK");
  EXPECT_EQ(PollUntil({"KEYS", "t*"}, "[]"), "[]");
  for (int i = 0; i < 100; ++i)
    cmds[i] = {"SET", "u" + std::to_string(i), "v", "PX", "100"};
  ExpectAll(cmds, "OK");
  EXPECT_EQ(PollUntil({"SCAN", "0", "MATCH", "u*", "COUNT", "100000"}, "[\"0\", []]"),
            "[\"0\", []]");
  EXPECT_EQ(c()({"RANDOMKEY"}), "\"stays\"");
}

TEST_F(KeyCommandsTest, DelAndExistsManyKeysAcrossShards) {
  Fill("d:", 0, 500);
  std::vector<std::string> del = {"DEL"}, exists = {"EXISTS"};
  for (int i = 0; i < 500; ++i) {
    del.push_back("d:" + std::to_string(i));
    exists.push_back("d:" + std::to_string(i));
  }
  del.push_back("d:0");        // named twice: deleted once
  del.push_back("d:missing");  // absent: not counted
  exists.push_back("d:0");     // named twice: counted twice
  EXPECT_EQ(c().Run(exists), "(integer) 501");
  EXPECT_EQ(c()({"TOUCH", "d:1", "d:2", "nope"}), "(integer) 2");
  EXPECT_EQ(c().Run(del), "(integer) 500");
  EXPECT_EQ(c().Run(exists), "(integer) 0");
  EXPECT_EQ(c()({"DBSIZE"}), "(integer) 0");
  Fill("u:", 0, 10);
  EXPECT_EQ(c()({"UNLINK", "u:1", "u:2", "u:3", "zz"}), "(integer) 3");
  EXPECT_EQ(c()({"DBSIZE"}), "(integer) 7");
}

TEST_F(KeyCommandsTest, TypeAndObject) {
  EXPECT_EQ(c()({"TYPE", "missing"}), "none");
  ASSERT_EQ(c()({"SET", "i", "12345"}), "OK");
  ASSERT_EQ(c()({"SET", "small", "42"}), "OK");
  ASSERT_EQ(c()({"SET", "e", "hello"}), "OK");
  ASSERT_EQ(c()({"SET", "r", std::string(45, 'x')}), "OK");
  ASSERT_EQ(c()({"SET", "z", "0123"}), "OK");
  ASSERT_EQ(c()({"SET", "a", "1"}), "OK");
  ASSERT_EQ(c()({"APPEND", "a", "2"}), "(integer) 2");
  EXPECT_EQ(c()({"TYPE", "i"}), "string");
  EXPECT_EQ(c()({"OBJECT", "ENCODING", "i"}), "\"int\"");
  EXPECT_EQ(c()({"OBJECT", "ENCODING", "e"}), "\"embstr\"");
  EXPECT_EQ(c()({"OBJECT", "ENCODING", "r"}), "\"raw\"");
  EXPECT_EQ(c()({"OBJECT", "ENCODING", "z"}), "\"embstr\"") << "not a canonical integer";
  EXPECT_EQ(c()({"OBJECT", "ENCODING", "a"}), "\"raw\"") << "grown in place";
  EXPECT_EQ(c()({"OBJECT", "ENCODING", "missing"}), "(nil)");
  EXPECT_EQ(c()({"OBJECT", "REFCOUNT", "i"}), "(integer) 1");
  EXPECT_EQ(c()({"OBJECT", "REFCOUNT", "small"}), "(integer) 2147483647") << "shared integer";
  EXPECT_EQ(c()({"OBJECT", "FREQ", "i"}),
            "(error) ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
            "Please note that when switching between policies at runtime LRU and LFU data will "
            "take some time to adjust.");
  EXPECT_EQ(c()({"OBJECT", "FREQ", "missing"}), "(nil)");
  // Just written: 0 seconds idle, or 1 if the LRU clock (whole seconds, as Redis's) ticked since.
  std::string idle = c()({"OBJECT", "IDLETIME", "i"});
  EXPECT_TRUE(idle == "(integer) 0" || idle == "(integer) 1") << idle;
  std::string help = c()({"OBJECT", "HELP"});
  EXPECT_EQ(help.rfind("[OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", 0), 0u)
      << help;
  // RENAME keeps the encoding.
  ASSERT_EQ(c()({"RENAME", "a", "a2"}), "OK");
  EXPECT_EQ(c()({"OBJECT", "ENCODING", "a2"}), "\"raw\"");
}

TEST_F(KeyCommandsTest, RandomKey) {
  EXPECT_EQ(c()({"RANDOMKEY"}), "(nil)");
  Fill("r", 0, 20);
  std::set<std::string> seen;
  for (int i = 0; i < 400; ++i)
    seen.insert(c()({"RANDOMKEY"}));
  for (const auto& k : seen)
    EXPECT_EQ(k.rfind("\"r", 0), 0u) << k;
  EXPECT_GT(seen.size(), 10u) << "keys of both shards are drawn";
}

// MEMORY USAGE counts the key's block and, for a big collection, its structure (sampled).
TEST_F(KeyCommandsTest, MemoryUsageGrowsWithTheValue) {
  Client c(port());
  auto usage = [&](const std::vector<std::string>& cmd) {
    Client::ReplyPtr r = c.Command(cmd);
    EXPECT_EQ(r->type, REDIS_REPLY_INTEGER);
    return r->integer;
  };
  c({"SET", "small", "v"});
  c({"SET", "big", std::string(10000, 'x')});
  EXPECT_GT(usage({"MEMORY", "USAGE", "big"}), 10000);
  EXPECT_LT(usage({"MEMORY", "USAGE", "small"}), 64);
  std::vector<std::string> hset = {"HSET", "h"};
  for (int i = 0; i < 2000; ++i) {
    hset.push_back("field" + std::to_string(i));
    hset.push_back("value" + std::to_string(i));
  }
  c.Run(hset);
  int64_t all = usage({"MEMORY", "USAGE", "h", "SAMPLES", "0"});
  int64_t sampled = usage({"MEMORY", "USAGE", "h"});
  EXPECT_GT(all, 2000 * 24);  // at least the field and value bytes of every element
  EXPECT_GT(sampled, all / 2);
  EXPECT_LT(sampled, all * 2);
  EXPECT_EQ(c({"MEMORY", "USAGE", "missing"}), "(nil)");
}

}  // namespace
}  // namespace redwing::test
