// String commands over a real redwing-server: multi-shard atomicity of MSET/MGET, counters under
// contention and at their limits, large and binary values, size limits, and expiry (observed by
// polling with a deadline, never by fixed sleeps). Exact reply bytes for every option and error
// are covered by tests/differential/strings.txt.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

using Clock = std::chrono::steady_clock;

class StringCommandsTest : public SharedServerTest<StringCommandsTest> {};

std::string Quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::vector<std::string> KeyNames(int n) {
  std::vector<std::string> keys;
  for (int i = 1; i <= n; ++i)
    keys.push_back("k" + std::to_string(i));
  return keys;
}

TEST_F(StringCommandsTest, SetGetAndOptions) {
  Client c(port());
  EXPECT_EQ(c({"GET", "a"}), "(nil)");
  EXPECT_EQ(c({"SET", "a", "1"}), "OK");
  EXPECT_EQ(c({"GET", "a"}), "\"1\"");
  EXPECT_EQ(c({"SET", "a", "2", "NX"}), "(nil)");
  EXPECT_EQ(c({"SET", "a", "2", "XX", "GET"}), "\"1\"");
  EXPECT_EQ(c({"SET", "b", "2", "XX"}), "(nil)");
  EXPECT_EQ(c({"SET", "a", "3", "EX", "0"}), "(error) ERR invalid expire time in 'set' command");
  EXPECT_EQ(c({"SET", "a", "3", "NX", "XX"}), "(error) ERR syntax error");
  EXPECT_EQ(c({"GET", "a"}), "\"2\"");
  EXPECT_EQ(c({"GETDEL", "a"}), "\"2\"");
  EXPECT_EQ(c({"GET", "a"}), "(nil)");
}

// A writer sets ten keys (on both shards) to the same value with one MSET while readers MGET
// them: every MGET must see one MSET entirely, and values never go backwards.
TEST_F(StringCommandsTest, MsetMgetAreAtomicAcrossShards) {
  const std::vector<std::string> keys = KeyNames(10);
  constexpr int kRounds = 2000;
  Client setup(port());
  std::vector<std::string> mset = {"MSET"};
  for (const auto& k : keys) {
    mset.push_back(k);
    mset.push_back("0");
  }
  ASSERT_EQ(setup.Run(mset), "OK");

  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  auto reader = [&] {
    Client c(port());
    long last = 0;
    while (!stop.load()) {
      redisReply* r =
          static_cast<redisReply*>(redisCommand(c.raw(), "MGET k1 k2 k3 k4 k5 k6 k7 k8 k9 k10"));
      if (r == nullptr) break;
      if (r->type == REDIS_REPLY_ARRAY && r->elements == keys.size()) {
        std::string first(r->element[0]->str, r->element[0]->len);
        for (size_t i = 1; i < r->elements; ++i) {
          if (std::string(r->element[i]->str, r->element[i]->len) != first) ++torn;
        }
        long v = std::stol(first);
        if (v < last) ++torn;
        last = v;
        ++reads;
      } else {
        ++torn;
      }
      freeReplyObject(r);
    }
  };
  std::thread r1(reader), r2(reader);
  Client w(port());
  for (int i = 1; i <= kRounds; ++i) {
    for (size_t k = 0; k < keys.size(); ++k)
      mset[2 + 2 * k] = std::to_string(i);
    ASSERT_EQ(w.Run(mset), "OK");
  }
  // Make sure readers overlapped with at least some writes before stopping them.
  PollUntil([&] { return reads.load() > 10; });
  stop = true;
  r1.join();
  r2.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 10);
  std::vector<std::string> mget = {"MGET"};
  mget.insert(mget.end(), keys.begin(), keys.end());
  std::string want = "[";
  for (size_t k = 0; k < keys.size(); ++k)
    want += (k ? ", " : "") + Quoted(std::to_string(kRounds));
  EXPECT_EQ(w.Run(mget), want + "]");
}

TEST_F(StringCommandsTest, MsetnxSetsAllOrNothingAcrossShards) {
  Client c(port());
  EXPECT_EQ(c({"MSETNX", "k1", "a", "k2", "b", "k3", "c"}), "(integer) 1");
  EXPECT_EQ(c({"MSETNX", "k4", "x", "k5", "y", "k3", "z"}), "(integer) 0");
  EXPECT_EQ(c({"MGET", "k1", "k2", "k3", "k4", "k5"}), "[\"a\", \"b\", \"c\", (nil), (nil)]");
}

TEST_F(StringCommandsTest, ConcurrentIncrementsAreNotLost) {
  constexpr int kClients = 4, kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([this] {
      Client c(port());
      for (int i = 0; i < kEach; ++i)
        c({"INCR", "counter"});
    });
  }
  for (auto& t : threads)
    t.join();
  Client c(port());
  EXPECT_EQ(c({"GET", "counter"}), Quoted(std::to_string(kClients * kEach)));
}

TEST_F(StringCommandsTest, IncrOverflowLeavesValueUnchanged) {
  Client c(port());
  EXPECT_EQ(c({"SET", "n", "9223372036854775806"}), "OK");
  EXPECT_EQ(c({"INCR", "n"}), "(integer) 9223372036854775807");
  EXPECT_EQ(c({"INCR", "n"}), "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(c({"INCRBY", "n", "1"}), "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(c({"GET", "n"}), "\"9223372036854775807\"");
  EXPECT_EQ(c({"SET", "m", "-9223372036854775807"}), "OK");
  EXPECT_EQ(c({"DECR", "m"}), "(integer) -9223372036854775808");
  EXPECT_EQ(c({"DECR", "m"}), "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(c({"DECRBY", "x", "-9223372036854775808"}), "(error) ERR decrement would overflow");
  EXPECT_EQ(c({"INCRBY", "x", "9223372036854775808"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(c({"GET", "m"}), "\"-9223372036854775808\"");
  // Growing and shrinking the text of a counter in place.
  EXPECT_EQ(c({"SET", "g", "9"}), "OK");
  EXPECT_EQ(c({"INCR", "g"}), "(integer) 10");
  EXPECT_EQ(c({"INCRBY", "g", "-20"}), "(integer) -10");
  EXPECT_EQ(c({"INCRBY", "g", "10"}), "(integer) 0");
  EXPECT_EQ(c({"GET", "g"}), "\"0\"");
}

TEST_F(StringCommandsTest, IncrByFloat) {
  Client c(port());
  EXPECT_EQ(c({"INCRBYFLOAT", "f", "10.5"}), "\"10.5\"");
  EXPECT_EQ(c({"INCRBYFLOAT", "f", "0.1"}), "\"10.6\"");
  EXPECT_EQ(c({"INCRBYFLOAT", "f", "-10.6"}), "\"0\"");
  EXPECT_EQ(c({"INCRBYFLOAT", "f", "inf"}), "(error) ERR increment would produce NaN or Infinity");
  EXPECT_EQ(c({"SET", "s", "abc"}), "OK");
  EXPECT_EQ(c({"INCRBYFLOAT", "s", "1"}), "(error) ERR value is not a valid float");
}

TEST_F(StringCommandsTest, OneMegabyteValue) {
  Client c(port());
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>((i * 131 + 7) % 251);
  EXPECT_EQ(c({"SET", "big", big}), "OK");
  EXPECT_EQ(c({"GET", "big"}), Quoted(big));
  EXPECT_EQ(c({"STRLEN", "big"}), "(integer) 1048576");
  EXPECT_EQ(c({"APPEND", "big", big}), "(integer) 2097152");
  EXPECT_EQ(c({"GET", "big"}), Quoted(big + big));
  EXPECT_EQ(c({"GETRANGE", "big", "1048570", "1048585"}), Quoted((big + big).substr(1048570, 16)));
  EXPECT_EQ(c({"GETSET", "big", "small"}), Quoted(big + big));
  EXPECT_EQ(c({"GET", "big"}), "\"small\"");
}

TEST_F(StringCommandsTest, BinaryKeysAndValues) {
  Client c(port());
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  std::string key = std::string("k\0\r\n", 4) + all.substr(128);
  EXPECT_EQ(c({"SET", key, all}), "OK");
  EXPECT_EQ(c({"GET", key}), Quoted(all));
  EXPECT_EQ(c({"MSET", "a", std::string("\0", 1), key, "x"}), "OK");
  EXPECT_EQ(c({"MGET", "a", key}), "[" + Quoted(std::string("\0", 1)) + ", \"x\"]");
  EXPECT_EQ(c({"SETRANGE", "sr", "4", std::string("\0z", 2)}), "(integer) 6");
  EXPECT_EQ(c({"GET", "sr"}), Quoted(std::string("\0\0\0\0\0z", 6)));
  EXPECT_EQ(c({"APPEND", "sr", std::string("\r\n", 2)}), "(integer) 8");
  EXPECT_EQ(c({"LCS", "sr", "a"}), Quoted(std::string("\0", 1)));
}

TEST_F(StringCommandsTest, SetRangeAndAppendGrowthLimits) {
  Client c(port());
  const std::string kTooBig =
      "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  // Refused before allocating anything: 512 MB + 1.
  EXPECT_EQ(c({"SETRANGE", "r", "536870912", "x"}), kTooBig);
  EXPECT_EQ(c({"SETRANGE", "r", "9223372036854775807", "x"}), kTooBig);
  EXPECT_EQ(c({"SETRANGE", "r", "-1", "x"}), "(error) ERR offset is out of range");
  EXPECT_EQ(c({"GET", "r"}), "(nil)");

  ASSERT_EQ(c({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}), "OK");
  EXPECT_EQ(c({"SETRANGE", "r", "1048575", "x"}), "(integer) 1048576");
  EXPECT_EQ(c({"SETRANGE", "r", "1048576", "x"}), kTooBig);
  EXPECT_EQ(c({"SETRANGE", "r", "1048575", "xy"}), kTooBig);
  EXPECT_EQ(c({"APPEND", "r", "x"}), kTooBig);
  EXPECT_EQ(c({"APPEND", "r", ""}), "(integer) 1048576");
  EXPECT_EQ(c({"SETRANGE", "r", "0", "ab"}), "(integer) 1048576");
  EXPECT_EQ(c({"GETRANGE", "r", "0", "2"}), Quoted(std::string("ab\0", 3)));
  EXPECT_EQ(c({"GETRANGE", "r", "-1", "-1"}), "\"x\"");
  EXPECT_EQ(c({"CONFIG", "SET", "proto-max-bulk-len", "512mb"}), "OK");
  EXPECT_EQ(c({"APPEND", "r", "z"}), "(integer) 1048577");
}

TEST_F(StringCommandsTest, ExpiryIsHonoured) {
  Client c(port());
  auto start = Clock::now();
  EXPECT_EQ(c({"SET", "k", "v", "PX", "50"}), "OK");
  ASSERT_TRUE(PollUntil([&] { return c({"GET", "k"}) == "(nil)"; }));
  // It cannot have expired before its time.
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(49));
  EXPECT_EQ(c({"PSETEX", "p", "50", "v"}), "OK");
  EXPECT_TRUE(PollUntil([&] { return c({"GET", "p"}) == "(nil)"; }));
  EXPECT_EQ(c({"SET", "g", "v"}), "OK");
  EXPECT_EQ(c({"GETEX", "g", "PX", "50"}), "\"v\"");
  EXPECT_TRUE(PollUntil([&] { return c({"GET", "g"}) == "(nil)"; }));
  EXPECT_EQ(c({"SET", "x", "v", "EXAT", "1"}), "OK");
  EXPECT_EQ(c({"GET", "x"}), "(nil)");
}

// KEEPTTL and in-place edits keep the expiry; a plain SET, GETSET or GETEX PERSIST drop it.
TEST_F(StringCommandsTest, WhichCommandsKeepTheTtl) {
  Client c(port());
  for (const char* k : {"keep", "incr", "append", "setrange", "plain", "getset", "persist"}) {
    EXPECT_EQ(c({"SET", k, "1", "PX", "100"}), "OK");
  }
  EXPECT_EQ(c({"SET", "keep", "2", "KEEPTTL"}), "OK");
  EXPECT_EQ(c({"INCR", "incr"}), "(integer) 2");
  EXPECT_EQ(c({"APPEND", "append", "2"}), "(integer) 2");
  EXPECT_EQ(c({"SETRANGE", "setrange", "0", "2"}), "(integer) 1");
  EXPECT_EQ(c({"SET", "plain", "2"}), "OK");
  EXPECT_EQ(c({"GETSET", "getset", "2"}), "\"1\"");
  EXPECT_EQ(c({"GETEX", "persist", "PERSIST"}), "\"1\"");
  // Set after the others, so by the time it expires every original TTL has passed.
  EXPECT_EQ(c({"SET", "marker", "m", "PX", "100"}), "OK");
  ASSERT_TRUE(PollUntil([&] { return c({"GET", "marker"}) == "(nil)"; }));
  EXPECT_EQ(c({"MGET", "keep", "incr", "append", "setrange", "plain", "getset", "persist"}),
            "[(nil), (nil), (nil), (nil), \"2\", \"2\", \"1\"]");
}

// In-place modifications must still invalidate WATCH.
TEST_F(StringCommandsTest, InPlaceEditsTouchWatchedKeys) {
  Client c(port()), other(port());
  const std::vector<std::vector<std::string>> edits = {{"INCR", "w"},
                                                       {"APPEND", "w", "1"},
                                                       {"SETRANGE", "w", "0", "9"},
                                                       {"INCRBYFLOAT", "w", "1"},
                                                       {"SET", "w", "12"},
                                                       {"GETEX", "w", "EX", "100"}};
  for (const auto& edit : edits) {
    ASSERT_EQ(c({"SET", "w", "12"}), "OK");
    EXPECT_EQ(c({"WATCH", "w"}), "OK");
    other.Run(edit);
    EXPECT_EQ(c({"MULTI"}), "OK");
    EXPECT_EQ(c({"GET", "w"}), "QUEUED");
    EXPECT_EQ(c({"EXEC"}), "(nil)") << edit[0];
  }
}

TEST_F(StringCommandsTest, LcsAcrossShards) {
  Client c(port());
  EXPECT_EQ(c({"MSET", "key1", "ohmytext", "key2", "mynewtext"}), "OK");
  EXPECT_EQ(c({"LCS", "key1", "key2"}), "\"mytext\"");
  EXPECT_EQ(c({"LCS", "key1", "key2", "LEN"}), "(integer) 6");
  EXPECT_EQ(c({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "[\"matches\", [[[(integer) 4, (integer) 7], [(integer) 5, (integer) 8], "
            "(integer) 4]], \"len\", (integer) 6]");
  ASSERT_EQ(c({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}), "OK");
  EXPECT_EQ(c({"SET", "long", std::string(600, 'a')}), "OK");
  EXPECT_EQ(c({"LCS", "long", "long", "LEN"}),
            "(error) ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  EXPECT_EQ(c({"CONFIG", "SET", "proto-max-bulk-len", "512mb"}), "OK");
  EXPECT_EQ(c({"LCS", "long", "long", "LEN"}), "(integer) 600");
}

}  // namespace
}  // namespace redwing::test
