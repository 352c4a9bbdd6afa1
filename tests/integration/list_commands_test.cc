// List commands over a real redwing-server: the listpack/quicklist encodings and their
// conversions both ways (Redis 7.2's rules; redis-server 7.0 says "quicklist" for every list, so
// the differential script cannot check them), big lists against an in-test model, moves between
// keys on different shards under concurrency, WATCH, expiry kept across conversions, COPY.
// Exact reply bytes for every option and error are in tests/differential/lists.txt.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

class ListCommandsTest : public SharedServerTest<ListCommandsTest> {
 public:
  static std::vector<std::string> ServerArgs() { return {"--threads", "4"}; }
  void SetUp() override {
    SharedServerTest::SetUp();
    Client c(port());
    ASSERT_EQ(c({"CONFIG", "SET", "list-max-listpack-size", "-2"}), "OK");
  }
};

// The formatted reply of LRANGE for `elements`.
std::string Formatted(const std::vector<std::string>& elements) {
  std::string out = "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"" + elements[i] + "\"";
  }
  return out + "]";
}

std::vector<std::string> Range(Client& c, const std::string& key) {
  auto r = c.Command({"LRANGE", key, "0", "-1"});
  std::vector<std::string> out;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; ++i)
    out.emplace_back(r->element[i]->str, r->element[i]->len);
  return out;
}

std::string Encoding(Client& c, const std::string& key) {
  return c({"OBJECT", "ENCODING", key});
}

TEST_F(ListCommandsTest, ConvertsByCountAndBackAtHalf) {
  Client c(port());
  ASSERT_EQ(c({"CONFIG", "SET", "list-max-listpack-size", "4"}), "OK");
  EXPECT_EQ(c({"RPUSH", "l", "a", "b", "c", "d"}), "(integer) 4");
  EXPECT_EQ(Encoding(c, "l"), "\"listpack\"");
  EXPECT_EQ(c({"RPUSH", "l", "e"}), "(integer) 5");
  EXPECT_EQ(Encoding(c, "l"), "\"quicklist\"");
  EXPECT_EQ(c({"RPOP", "l"}), "\"e\"");
  // 4 elements in one node, but not within half the limit: stays a quicklist.
  EXPECT_EQ(Encoding(c, "l"), "\"quicklist\"");
  EXPECT_EQ(c({"LPOP", "l"}), "\"a\"");
  EXPECT_EQ(Encoding(c, "l"), "\"quicklist\"");
  EXPECT_EQ(c({"LPOP", "l"}), "\"b\"");
  EXPECT_EQ(Encoding(c, "l"), "\"listpack\"");
  EXPECT_EQ(Range(c, "l"), (std::vector<std::string>{"c", "d"}));
  // A single push of many elements converts before it starts.
  EXPECT_EQ(c({"LPUSH", "m", "1", "2", "3", "4", "5", "6"}), "(integer) 6");
  EXPECT_EQ(Encoding(c, "m"), "\"quicklist\"");
  EXPECT_EQ(c({"LRANGE", "m", "0", "-1"}), Formatted({"6", "5", "4", "3", "2", "1"}));
  // LTRIM, LREM and LMPOP shrink too.
  EXPECT_EQ(c({"LTRIM", "m", "0", "1"}), "OK");
  EXPECT_EQ(Encoding(c, "m"), "\"listpack\"");
  EXPECT_EQ(c({"RPUSH", "r", "x", "y", "x", "y", "x"}), "(integer) 5");
  EXPECT_EQ(c({"LREM", "r", "0", "x"}), "(integer) 3");
  EXPECT_EQ(Encoding(c, "r"), "\"listpack\"");
  EXPECT_EQ(c({"RPUSH", "p", "1", "2", "3", "4", "5"}), "(integer) 5");
  // Nodes [1 2 3 4] [5]: popping 3 leaves two nodes, as in Redis (no merge at the ends).
  EXPECT_EQ(c({"LMPOP", "1", "p", "LEFT", "COUNT", "3"}), "[\"p\", [\"1\", \"2\", \"3\"]]");
  EXPECT_EQ(Encoding(c, "p"), "\"quicklist\"");
  EXPECT_EQ(c({"LMPOP", "1", "p", "LEFT"}), "[\"p\", [\"4\"]]");
  EXPECT_EQ(Encoding(c, "p"), "\"listpack\"");
  // LINSERT and LSET convert for the new element as 7.2 does, LINSERT even without a pivot.
  EXPECT_EQ(c({"RPUSH", "i", "a", "b", "c", "d"}), "(integer) 4");
  EXPECT_EQ(c({"LINSERT", "i", "BEFORE", "zz", "x"}), "(integer) -1");
  EXPECT_EQ(Encoding(c, "i"), "\"quicklist\"");
  EXPECT_EQ(c({"RPUSH", "s", "a", "b", "c", "d"}), "(integer) 4");
  EXPECT_EQ(c({"LSET", "s", "0", "x"}), "OK");
  EXPECT_EQ(Encoding(c, "s"), "\"quicklist\"");
  EXPECT_EQ(c({"LRANGE", "s", "0", "-1"}), Formatted({"x", "b", "c", "d"}));
}

TEST_F(ListCommandsTest, ConvertsBySize) {
  Client c(port());
  std::string big(5000, 'x');
  EXPECT_EQ(c({"RPUSH", "l", big}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "l"), "\"listpack\"");
  EXPECT_EQ(c({"RPUSH", "l", big}), "(integer) 2");  // over 8 KB
  EXPECT_EQ(Encoding(c, "l"), "\"quicklist\"");
  EXPECT_EQ(c({"LINDEX", "l", "1"}), "\"" + big + "\"");
  EXPECT_EQ(c({"LPOP", "l"}), "\"" + big + "\"");
  EXPECT_EQ(Encoding(c, "l"), "\"quicklist\"");  // 5 KB is over half the limit
  EXPECT_EQ(c({"LSET", "l", "0", "small"}), "OK");
  EXPECT_EQ(Encoding(c, "l"), "\"listpack\"");
  // LSET with a big value converts a listpack.
  EXPECT_EQ(c({"RPUSH", "l", "b"}), "(integer) 2");
  EXPECT_EQ(c({"LSET", "l", "1", std::string(9000, 'y')}), "OK");
  EXPECT_EQ(Encoding(c, "l"), "\"quicklist\"");
  EXPECT_EQ(c({"LINDEX", "l", "0"}), "\"small\"");
  // -1 means 4 KB nodes.
  ASSERT_EQ(c({"CONFIG", "SET", "list-max-listpack-size", "-1"}), "OK");
  EXPECT_EQ(c({"RPUSH", "m", std::string(3000, 'a')}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "m"), "\"listpack\"");
  EXPECT_EQ(c({"RPUSH", "m", std::string(2000, 'a')}), "(integer) 2");
  EXPECT_EQ(Encoding(c, "m"), "\"quicklist\"");
}

TEST_F(ListCommandsTest, TtlAndCopyAcrossEncodings) {
  Client c(port());
  ASSERT_EQ(c({"CONFIG", "SET", "list-max-listpack-size", "4"}), "OK");
  EXPECT_EQ(c({"RPUSH", "l", "a", "b"}), "(integer) 2");
  EXPECT_EQ(c({"EXPIRE", "l", "1000"}), "(integer) 1");
  EXPECT_EQ(c({"RPUSH", "l", "c", "d", "e", "f"}), "(integer) 6");
  EXPECT_EQ(Encoding(c, "l"), "\"quicklist\"");
  EXPECT_EQ(c({"TTL", "l"}), "(integer) 1000");
  EXPECT_EQ(c({"COPY", "l", "l2"}), "(integer) 1");
  EXPECT_EQ(Encoding(c, "l2"), "\"quicklist\"");
  EXPECT_EQ(c({"LRANGE", "l2", "0", "-1"}), Formatted({"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(c({"RPOP", "l2"}), "\"f\"");
  EXPECT_EQ(c({"LLEN", "l"}), "(integer) 6");
  EXPECT_EQ(c({"LTRIM", "l", "0", "0"}), "OK");
  EXPECT_EQ(Encoding(c, "l"), "\"listpack\"");
  EXPECT_EQ(c({"TTL", "l"}), "(integer) 1000");
  // A rotation of a one-element list keeps the key and its TTL.
  EXPECT_EQ(c({"LMOVE", "l", "l", "LEFT", "RIGHT"}), "\"a\"");
  EXPECT_EQ(c({"TTL", "l"}), "(integer) 1000");
  EXPECT_EQ(c({"RPOPLPUSH", "l", "l"}), "\"a\"");
  EXPECT_EQ(c({"TTL", "l"}), "(integer) 1000");
  EXPECT_EQ(c({"TYPE", "l"}), "list");
}

// Every command on a list of tens of thousands of elements (many quicklist nodes), against a
// deque, with small nodes so that splits and merges happen often.
TEST_F(ListCommandsTest, BigListMatchesAModel) {
  for (const char* fill : {"-2", "16"}) {
    Client c(port());
    c({"DEL", "big"});
    ASSERT_EQ(c({"CONFIG", "SET", "list-max-listpack-size", fill}), "OK");
    std::mt19937 rng(42);
    std::deque<std::string> model;
    auto value = [&] {
      switch (rng() % 4) {
        case 0:
          return std::to_string(static_cast<int>(rng() % 100000) - 50000);
        case 1:
          return std::string(1 + rng() % 100, static_cast<char>('a' + rng() % 26));
        default:
          return "v" + std::to_string(rng() % 50);
      }
    };
    // Fill with pipelined pushes at both ends.
    std::vector<std::vector<std::string>> cmds;
    // 40,000 elements (10,000 under the sanitizers, whose model operations crawl): many nodes.
    for (int i = 0; i < (kSanitizerSlowdown > 1 ? 100 : 400); ++i) {
      std::vector<std::string> cmd = {i % 2 ? "RPUSH" : "LPUSH", "big"};
      for (int j = 0; j < 100; ++j) {
        std::string v = value();
        cmd.push_back(v);
        if (i % 2) {
          model.push_back(v);
        } else {
          model.push_front(v);
        }
      }
      cmds.push_back(cmd);
    }
    c.Pipeline(cmds);
    ASSERT_EQ(c({"LLEN", "big"}), "(integer) " + std::to_string(model.size()));
    EXPECT_EQ(Encoding(c, "big"), "\"quicklist\"");
    for (int step = 0; step < 600; ++step) {
      int64_t n = static_cast<int64_t>(model.size());
      int64_t i = static_cast<int64_t>(rng() % model.size());
      std::string is = std::to_string(i), neg = std::to_string(i - n);
      switch (rng() % 9) {
        case 0:
          ASSERT_EQ(c({"LINDEX", "big", is}), "\"" + model[i] + "\"") << step;
          ASSERT_EQ(c({"LINDEX", "big", neg}), "\"" + model[i] + "\"") << step;
          break;
        case 1: {
          std::vector<std::string> want(model.begin() + i,
                                        model.begin() + std::min<int64_t>(n, i + 100));
          ASSERT_EQ(c({"LRANGE", "big", is, std::to_string(i + 99)}), Formatted(want)) << step;
          break;
        }
        case 2: {
          std::string v = value();
          ASSERT_EQ(c({"LSET", "big", neg, v}), "OK");
          model[i] = v;
          break;
        }
        case 3: {
          std::string v = value();
          bool after = rng() % 2;
          std::string pivot = model[i];
          auto it = std::find(model.begin(), model.end(), pivot);
          model.insert(after ? it + 1 : it, v);
          ASSERT_EQ(c({"LINSERT", "big", after ? "AFTER" : "BEFORE", pivot, v}),
                    "(integer) " + std::to_string(model.size()));
          break;
        }
        case 4: {
          std::string v = "v" + std::to_string(rng() % 50);
          int64_t count = static_cast<int64_t>(rng() % 7) - 3;
          size_t removed = 0;
          if (count >= 0) {
            for (auto it = model.begin(); it != model.end();) {
              if (*it == v && (count == 0 || removed < static_cast<size_t>(count))) {
                it = model.erase(it);
                ++removed;
              } else {
                ++it;
              }
            }
          } else {
            for (size_t k = model.size(); k-- > 0;) {
              if (model[k] == v && removed < static_cast<size_t>(-count)) {
                model.erase(model.begin() + static_cast<ptrdiff_t>(k));
                ++removed;
              }
            }
          }
          ASSERT_EQ(c({"LREM", "big", std::to_string(count), v}),
                    "(integer) " + std::to_string(removed));
          break;
        }
        case 5: {
          int64_t count = 1 + static_cast<int64_t>(rng() % 30);
          bool left = rng() % 2;
          std::vector<std::string> want;
          for (int64_t k = 0; k < count && !model.empty(); ++k) {
            want.push_back(left ? model.front() : model.back());
            if (left) {
              model.pop_front();
            } else {
              model.pop_back();
            }
          }
          ASSERT_EQ(c({left ? "LPOP" : "RPOP", "big", std::to_string(count)}), Formatted(want));
          break;
        }
        case 6: {
          std::vector<int64_t> want;
          const std::string& v = model[i];
          for (int64_t k = 0; k < n; ++k) {
            if (model[k] == v) want.push_back(k);
          }
          auto r = c.Command({"LPOS", "big", v, "COUNT", "0"});
          ASSERT_EQ(r->elements, want.size());
          for (size_t k = 0; k < want.size(); ++k)
            ASSERT_EQ(r->element[k]->integer, want[k]);
          ASSERT_EQ(c({"LPOS", "big", v, "RANK", "-1"}),
                    "(integer) " + std::to_string(want.back()));
          break;
        }
        case 7: {
          // Trim a few elements off each end.
          int64_t a = static_cast<int64_t>(rng() % 20), b = static_cast<int64_t>(rng() % 20);
          ASSERT_EQ(c({"LTRIM", "big", std::to_string(a), std::to_string(-1 - b)}), "OK");
          model.erase(model.begin(), model.begin() + std::min<int64_t>(a, n));
          for (int64_t k = 0; k < b && !model.empty(); ++k)
            model.pop_back();
          break;
        }
        default: {
          ASSERT_EQ(c({"LMOVE", "big", "big", "LEFT", "RIGHT"}), "\"" + model.front() + "\"");
          model.push_back(model.front());
          model.pop_front();
          break;
        }
      }
      if (model.empty()) break;
    }
    EXPECT_EQ(Range(c, "big"), std::vector<std::string>(model.begin(), model.end())) << fill;
    EXPECT_EQ(c({"LLEN", "big"}), "(integer) " + std::to_string(model.size()));
    // Drain from both ends: the key goes when empty.
    while (!model.empty()) {
      auto r = c.Command({"RPOP", "big", "1000"});
      ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
      for (size_t k = 0; k < r->elements; ++k) {
        ASSERT_EQ(std::string(r->element[k]->str, r->element[k]->len), model.back());
        model.pop_back();
      }
    }
    EXPECT_EQ(c({"EXISTS", "big"}), "(integer) 0");
  }
}

// Clients move elements around a ring of lists whose keys spread over the four shards; LMOVE
// and RPOPLPUSH are atomic, so no element is ever lost or duplicated.
TEST_F(ListCommandsTest, MovesAcrossShardsKeepEveryElement) {
  constexpr int kLists = 8;
  constexpr int kElements = 200;
  std::vector<std::string> keys;
  for (int i = 0; i < kLists; ++i)
    keys.push_back("ring:" + std::to_string(i));
  {
    Client c(port());
    std::vector<std::string> cmd = {"RPUSH", keys[0]};
    for (int i = 0; i < kElements; ++i)
      cmd.push_back("e" + std::to_string(i));
    ASSERT_EQ(c.Run(cmd), "(integer) " + std::to_string(kElements));
  }
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Client c(port());
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int i = 0; i < 500; ++i) {
        const std::string& src = keys[rng() % kLists];
        const std::string& dst = keys[rng() % kLists];
        std::string r;
        switch (rng() % 3) {
          case 0:
            r = c({"LMOVE", src, dst, rng() % 2 ? "LEFT" : "RIGHT", rng() % 2 ? "LEFT" : "RIGHT"});
            break;
          case 1:
            r = c({"RPOPLPUSH", src, dst});
            break;
          default: {
            // LMPOP from a few keys, then push the popped elements back somewhere.
            auto reply = c.Command({"LMPOP", "3", src, dst, keys[0], "LEFT", "COUNT", "5"});
            if (reply == nullptr) {
              ++errors;
              break;
            }
            if (reply->type == REDIS_REPLY_NIL) break;
            if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
              ++errors;
              break;
            }
            std::vector<std::string> push = {"RPUSH", keys[rng() % kLists]};
            redisReply* els = reply->element[1];
            for (size_t k = 0; k < els->elements; ++k)
              push.emplace_back(els->element[k]->str, els->element[k]->len);
            r = c.Run(push);
          }
        }
        if (r.rfind("(error)", 0) == 0 || r == "(disconnected)") ++errors;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(errors.load(), 0);
  Client c(port());
  std::map<std::string, int> seen;
  size_t total = 0;
  for (const std::string& k : keys) {
    for (const std::string& e : Range(c, k)) {
      ++seen[e];
      ++total;
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kElements));
  EXPECT_EQ(seen.size(), static_cast<size_t>(kElements));
}

TEST_F(ListCommandsTest, MultiKeyCommandsAcrossShards) {
  Client c(port());
  // LMPOP skips missing keys and stops at the first list, wherever the keys live.
  std::vector<std::string> cmd = {"LMPOP", "20"};
  for (int i = 0; i < 20; ++i)
    cmd.push_back("mk:" + std::to_string(i));
  cmd.push_back("RIGHT");
  EXPECT_EQ(c.Run(cmd), "(nil)");
  EXPECT_EQ(c({"RPUSH", "mk:17", "a", "b"}), "(integer) 2");
  EXPECT_EQ(c({"RPUSH", "mk:19", "c"}), "(integer) 1");
  EXPECT_EQ(c.Run(cmd), "[\"mk:17\", [\"b\"]]");
  EXPECT_EQ(c({"SET", "mk:3", "x"}), "OK");
  EXPECT_EQ(c.Run(cmd),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(c({"LRANGE", "mk:17", "0", "-1"}), "[\"a\"]");
  // LMOVE to a new key on another shard, emptying the source.
  for (int i = 0; i < 10; ++i) {
    std::string dst = "dst:" + std::to_string(i);
    EXPECT_EQ(c({"RPUSH", "src", std::to_string(i)}), "(integer) 1");
    EXPECT_EQ(c({"LMOVE", "src", dst, "LEFT", "RIGHT"}), "\"" + std::to_string(i) + "\"");
    EXPECT_EQ(c({"EXISTS", "src"}), "(integer) 0");
    EXPECT_EQ(c({"LRANGE", dst, "0", "-1"}), "[\"" + std::to_string(i) + "\"]");
  }
}

TEST_F(ListCommandsTest, WatchSeesListChanges) {
  Client c(port()), other(port());
  struct Case {
    std::vector<std::string> change;
    bool touches;
  };
  const std::vector<Case> cases = {
      {{"LPUSH", "w", "x"}, true},
      {{"RPOP", "w"}, true},
      {{"LSET", "w", "0", "z"}, true},
      {{"LINSERT", "w", "BEFORE", "a", "y"}, true},
      {{"LINSERT", "w", "BEFORE", "nothere", "y"}, false},
      {{"LREM", "w", "0", "a"}, true},
      {{"LREM", "w", "0", "nothere"}, false},
      {{"LTRIM", "w", "0", "0"}, true},
      {{"LMOVE", "w", "w2", "LEFT", "LEFT"}, true},
      {{"LMOVE", "w2", "w", "LEFT", "LEFT"}, true},
      {{"LMPOP", "1", "w", "LEFT"}, true},
      {{"LRANGE", "w", "0", "-1"}, false},
      {{"LPOS", "w", "a"}, false},
  };
  for (const Case& k : cases) {
    ASSERT_EQ(c({"DEL", "w", "w2"}).rfind("(integer)", 0), 0u);
    ASSERT_EQ(c({"RPUSH", "w", "a", "b", "c"}), "(integer) 3");
    ASSERT_EQ(c({"RPUSH", "w2", "q"}), "(integer) 1");
    ASSERT_EQ(c({"WATCH", "w"}), "OK");
    other.Run(k.change);
    ASSERT_EQ(c({"MULTI"}), "OK");
    ASSERT_EQ(c({"LLEN", "w"}), "QUEUED");
    std::string exec = c({"EXEC"});
    EXPECT_EQ(exec == "(nil)", k.touches) << k.change[0] << " " << exec;
  }
}

TEST_F(ListCommandsTest, PopsDeleteEmptiedKeys) {
  Client c(port());
  for (const char* pop : {"LPOP", "RPOP"}) {
    EXPECT_EQ(c({"RPUSH", "e", "a"}), "(integer) 1");
    EXPECT_EQ(c({pop, "e"}), "\"a\"");
    EXPECT_EQ(c({"EXISTS", "e"}), "(integer) 0");
    EXPECT_EQ(c({"RPUSH", "e", "a", "b"}), "(integer) 2");
    EXPECT_EQ(c({pop, "e", "5"}), std::string(pop) == "LPOP" ? "[\"a\", \"b\"]" : "[\"b\", \"a\"]");
    EXPECT_EQ(c({"EXISTS", "e"}), "(integer) 0");
  }
  EXPECT_EQ(c({"RPUSH", "e", "a", "a"}), "(integer) 2");
  EXPECT_EQ(c({"LREM", "e", "0", "a"}), "(integer) 2");
  EXPECT_EQ(c({"EXISTS", "e"}), "(integer) 0");
  EXPECT_EQ(c({"RPUSH", "e", "a"}), "(integer) 1");
  EXPECT_EQ(c({"RPOPLPUSH", "e", "f"}), "\"a\"");
  EXPECT_EQ(c({"EXISTS", "e"}), "(integer) 0");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 1");
}

TEST_F(ListCommandsTest, Resp3Replies) {
  RawClient r(port());
  ASSERT_NE(r.Run({"HELLO", "3"}), "");
  EXPECT_EQ(r.Run({"LPOP", "nokey"}), "_\r\n");
  EXPECT_EQ(r.Run({"LPOP", "nokey", "2"}), "_\r\n");
  EXPECT_EQ(r.Run({"LMPOP", "1", "nokey", "LEFT"}), "_\r\n");
  EXPECT_EQ(r.Run({"RPUSH", "l", "a", "1"}), ":2\r\n");
  EXPECT_EQ(r.Run({"LPOP", "l", "1"}), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(r.Run({"LINDEX", "l", "5"}), "_\r\n");
  EXPECT_EQ(r.Run({"LMPOP", "1", "l", "RIGHT"}), "*2\r\n$1\r\nl\r\n*1\r\n$1\r\n1\r\n");
}

}  // namespace
}  // namespace redwing::test
