// Sorted-set commands over a real redwing-server with four shards, for what the differential
// script (tests/differential/zsets.txt) cannot check: conversions past the thresholds, big sorted
// sets against an in-test model, ZSCAN's guarantee on the skiplist encoding, ZRANDMEMBER's
// properties, multi-key commands whose keys live on different shards, COPY/RENAME, and WATCH.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

using Elem = std::pair<double, std::string>;
using Model = std::set<Elem>;

class ZSetCommandsTest : public SharedServerTest<ZSetCommandsTest> {
 public:
  static std::vector<std::string> ServerArgs() { return {"--threads", "4"}; }
};

std::string Quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string ScoreText(double d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

// A WITHSCORES reply as (score, member) pairs, in reply order.
std::vector<Elem> Pairs(Client& c, const std::vector<std::string>& args) {
  std::vector<std::string> flat = c.Strings(args);
  std::vector<Elem> out;
  EXPECT_EQ(flat.size() % 2, 0u);
  for (size_t i = 0; i + 1 < flat.size(); i += 2)
    out.emplace_back(std::stod(flat[i + 1]), flat[i]);
  return out;
}

std::vector<Elem> All(Client& c, const std::string& key) {
  return Pairs(c, {"ZRANGE", key, "0", "-1", "WITHSCORES"});
}

void ExpectOk(Client& c, const std::vector<std::vector<std::string>>& cmds) {
  for (const std::string& r : c.Pipeline(cmds))
    ASSERT_EQ(r.rfind("(error)", 0), std::string::npos) << r;
}

std::vector<std::string> Keys(const std::string& prefix, int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i)
    keys.push_back(prefix + std::to_string(i));
  return keys;
}

TEST_F(ZSetCommandsTest, ConvertsPastTheEntryThresholdAndNeverBack) {
  Client c(port());
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < 128; ++i)
    cmds.push_back({"ZADD", "z", std::to_string(i), "m" + std::to_string(i)});
  ExpectOk(c, cmds);
  EXPECT_EQ(c({"OBJECT", "ENCODING", "z"}), Quoted("listpack"));
  EXPECT_EQ(c({"ZADD", "z", "5", "m5"}), "(integer) 0");  // an update does not convert
  EXPECT_EQ(c({"OBJECT", "ENCODING", "z"}), Quoted("listpack"));
  EXPECT_EQ(c({"ZADD", "z", "-1", "extra"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "z"}), Quoted("skiplist"));
  EXPECT_EQ(c({"ZCARD", "z"}), "(integer) 129");
  EXPECT_EQ(c({"ZRANGE", "z", "0", "1"}), "[\"extra\", \"m0\"]");
  EXPECT_EQ(c({"ZREMRANGEBYRANK", "z", "0", "125"}), "(integer) 126");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "z"}), Quoted("skiplist"));
  EXPECT_EQ(c({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            "[\"m125\", \"125\", \"m126\", \"126\", \"m127\", \"127\"]");
}

TEST_F(ZSetCommandsTest, ConvertsOnALongMemberFromEveryWriter) {
  Client c(port());
  std::string long_member(65, 'x');
  EXPECT_EQ(c({"ZADD", "a", "1", "short"}), "(integer) 1");
  EXPECT_EQ(c({"ZADD", "a", "2", long_member}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "a"}), Quoted("skiplist"));
  EXPECT_EQ(c({"ZINCRBY", "b", "1", long_member}), Quoted("1"));
  EXPECT_EQ(c({"OBJECT", "ENCODING", "b"}), Quoted("skiplist"));
  EXPECT_EQ(c({"ZADD", "c", "1", "short"}), "(integer) 1");
  EXPECT_EQ(c({"ZUNIONSTORE", "d", "2", "a", "c"}), "(integer) 2");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "d"}), Quoted("skiplist"));
  // A store whose result fits goes back to a listpack, as Redis's ZUNIONSTORE does.
  EXPECT_EQ(c({"ZREM", "a", long_member}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "a"}), Quoted("skiplist"));
  EXPECT_EQ(c({"ZUNIONSTORE", "d", "1", "a"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "d"}), Quoted("listpack"));
  EXPECT_EQ(c({"ZRANGESTORE", "e", "a", "0", "-1"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "e"}), Quoted("listpack"));
}

TEST_F(ZSetCommandsTest, ThresholdsFollowConfigSet) {
  Client c(port());
  ASSERT_EQ(c({"CONFIG", "SET", "zset-max-listpack-entries", "2"}), "OK");
  EXPECT_EQ(c({"ZADD", "z", "1", "a", "2", "b"}), "(integer) 2");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "z"}), Quoted("listpack"));
  EXPECT_EQ(c({"ZADD", "z", "3", "c"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "z"}), Quoted("skiplist"));
  ASSERT_EQ(c({"CONFIG", "SET", "zset-max-listpack-entries", "128"}), "OK");
  ASSERT_EQ(c({"CONFIG", "SET", "zset-max-listpack-value", "3"}), "OK");
  EXPECT_EQ(c({"ZADD", "y", "1", "abcd"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "y"}), Quoted("skiplist"));
  EXPECT_EQ(c({"ZADD", "x", "1", "abc"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "x"}), Quoted("listpack"));
  ASSERT_EQ(c({"CONFIG", "SET", "zset-max-listpack-value", "64"}), "OK");
}

// A big sorted set driven by random writes, compared with a model after each round: order,
// scores, ranks, score ranges, counts, range removals and pops.
TEST_F(ZSetCommandsTest, BigSortedSetMatchesAModel) {
  Client c(port());
  std::mt19937_64 rng(7);
  Model model;
  std::map<std::string, double> scores;
  auto set_score = [&](const std::string& m, double s) {
    auto it = scores.find(m);
    if (it != scores.end()) model.erase({it->second, m});
    scores[m] = s;
    model.insert({s, m});
  };
  auto remove = [&](const std::string& m) {
    auto it = scores.find(m);
    if (it == scores.end()) return;
    model.erase({it->second, m});
    scores.erase(it);
  };
  for (int round = 0; round < 4; ++round) {
    std::vector<std::vector<std::string>> cmds;
    for (int i = 0; i < 10000; ++i) {
      std::string m = "member:" + std::to_string(rng() % 30000);
      int op = static_cast<int>(rng() % 10);
      if (op < 6) {
        double s = static_cast<double>(static_cast<int64_t>(rng() % 20000) - 10000) / 8;
        cmds.push_back({"ZADD", "big", ScoreText(s), m});
        set_score(m, s);
      } else if (op < 8) {
        double inc = static_cast<double>(rng() % 100) / 4;
        cmds.push_back({"ZINCRBY", "big", ScoreText(inc), m});
        set_score(m, (scores.count(m) ? scores[m] : 0) + inc);
      } else {
        cmds.push_back({"ZREM", "big", m});
        remove(m);
      }
    }
    ExpectOk(c, cmds);
    ASSERT_EQ(c({"OBJECT", "ENCODING", "big"}), Quoted("skiplist"));
    ASSERT_EQ(c({"ZCARD", "big"}), "(integer) " + std::to_string(model.size()));
    std::vector<Elem> want(model.begin(), model.end());
    ASSERT_EQ(All(c, "big"), want);
    std::vector<Elem> reversed(want.rbegin(), want.rend());
    ASSERT_EQ(Pairs(c, {"ZREVRANGE", "big", "0", "-1", "WITHSCORES"}), reversed);
    for (int probe = 0; probe < 50; ++probe) {
      size_t rank = rng() % want.size();
      EXPECT_EQ(c({"ZRANK", "big", want[rank].second}), "(integer) " + std::to_string(rank));
      EXPECT_EQ(c({"ZREVRANK", "big", want[rank].second}),
                "(integer) " + std::to_string(want.size() - 1 - rank));
      double lo = static_cast<double>(static_cast<int64_t>(rng() % 2000) - 1000);
      double hi = lo + static_cast<double>(rng() % 200);
      std::vector<Elem> in_range;
      for (const Elem& e : want) {
        if (e.first > lo && e.first <= hi) in_range.push_back(e);
      }
      std::string min = "(" + ScoreText(lo);
      std::string max = ScoreText(hi);
      EXPECT_EQ(c({"ZCOUNT", "big", min, max}), "(integer) " + std::to_string(in_range.size()));
      EXPECT_EQ(Pairs(c, {"ZRANGEBYSCORE", "big", min, max, "WITHSCORES"}), in_range);
      std::vector<Elem> limited;
      for (size_t i = 2; i < in_range.size() && limited.size() < 5; ++i)
        limited.push_back(in_range[in_range.size() - 1 - i]);
      EXPECT_EQ(Pairs(c, {"ZREVRANGEBYSCORE", "big", max, min, "WITHSCORES", "LIMIT", "2", "5"}),
                limited);
      size_t start = rng() % want.size();
      std::vector<Elem> slice(
          want.begin() + static_cast<std::ptrdiff_t>(start),
          want.begin() + static_cast<std::ptrdiff_t>(std::min(want.size(), start + 20)));
      EXPECT_EQ(Pairs(c, {"ZRANGE", "big", std::to_string(start), std::to_string(start + 19),
                          "WITHSCORES"}),
                slice);
    }
    // Remove a slice by rank and pop from both ends.
    size_t start = rng() % (model.size() - 100);
    EXPECT_EQ(c({"ZREMRANGEBYRANK", "big", std::to_string(start), std::to_string(start + 49)}),
              "(integer) 50");
    auto it = std::next(model.begin(), static_cast<std::ptrdiff_t>(start));
    for (int i = 0; i < 50; ++i) {
      scores.erase(it->second);
      it = model.erase(it);
    }
    std::vector<Elem> low(model.begin(), std::next(model.begin(), 3));
    EXPECT_EQ(Pairs(c, {"ZPOPMIN", "big", "3"}), low);
    for (const Elem& e : low)
      remove(e.second);
    std::vector<Elem> high(model.rbegin(), std::next(model.rbegin(), 3));
    EXPECT_EQ(Pairs(c, {"ZPOPMAX", "big", "3"}), high);
    for (const Elem& e : high)
      remove(e.second);
  }
  EXPECT_EQ(All(c, "big"), std::vector<Elem>(model.begin(), model.end()));
}

TEST_F(ZSetCommandsTest, ScanReturnsEveryMemberOfASkiplist) {
  Client c(port());
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < 5000; ++i)
    cmds.push_back({"ZADD", "s", std::to_string(i), "m" + std::to_string(i)});
  ExpectOk(c, cmds);
  std::map<std::string, std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    Client::ReplyPtr r = c.Command({"ZSCAN", "s", cursor, "COUNT", "50"});
    ASSERT_TRUE(r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    cursor.assign(r->element[0]->str, r->element[0]->len);
    std::vector<std::string> flat = ReplyStrings(r->element[1]);
    for (size_t i = 0; i + 1 < flat.size(); i += 2)
      seen[flat[i]] = flat[i + 1];
    // Deleting other members while scanning shrinks the index; the rest must still appear.
    if (calls == 5) c({"ZREMRANGEBYSCORE", "s", "4000", "+inf"});
    ++calls;
  } while (cursor != "0" && calls < 10000);
  EXPECT_GT(calls, 2);
  for (int i = 0; i < 4000; ++i) {
    auto it = seen.find("m" + std::to_string(i));
    ASSERT_NE(it, seen.end()) << i;
    EXPECT_EQ(it->second, std::to_string(i));
  }
  // The cursor, then m3990..m3999 and their scores.
  EXPECT_EQ(c.Strings({"ZSCAN", "s", "0", "MATCH", "m399?", "COUNT", "100000"}).size(), 21u);
}

TEST_F(ZSetCommandsTest, RandMemberProperties) {
  Client c(port());
  ASSERT_EQ(c({"CONFIG", "SET", "zset-max-listpack-entries", "16"}), "OK");
  for (const std::string key : {"small", "large"}) {
    int n = key == "small" ? 10 : 300;
    std::vector<std::vector<std::string>> cmds;
    std::map<std::string, std::string> members;
    for (int i = 0; i < n; ++i) {
      cmds.push_back({"ZADD", key, std::to_string(i) + ".5", "m" + std::to_string(i)});
      members["m" + std::to_string(i)] = std::to_string(i) + ".5";
    }
    ExpectOk(c, cmds);
    EXPECT_EQ(c({"OBJECT", "ENCODING", key}), Quoted(key == "small" ? "listpack" : "skiplist"));
    for (int count : {1, 5, n - 1, n, n + 10}) {
      std::vector<std::string> flat =
          c.Strings({"ZRANDMEMBER", key, std::to_string(count), "WITHSCORES"});
      size_t want = static_cast<size_t>(std::min(count, n));
      ASSERT_EQ(flat.size(), 2 * want);
      std::set<std::string> distinct;
      for (size_t i = 0; i < flat.size(); i += 2) {
        ASSERT_TRUE(members.count(flat[i])) << flat[i];
        EXPECT_EQ(members[flat[i]], flat[i + 1]);
        distinct.insert(flat[i]);
      }
      EXPECT_EQ(distinct.size(), want) << "count " << count;
    }
    // Negative counts repeat members; over many picks every member shows up.
    std::vector<std::string> picks = c.Strings({"ZRANDMEMBER", key, std::to_string(-50 * n)});
    ASSERT_EQ(picks.size(), static_cast<size_t>(50 * n));
    std::set<std::string> distinct(picks.begin(), picks.end());
    EXPECT_EQ(distinct.size(), static_cast<size_t>(n));
    std::string one = c({"ZRANDMEMBER", key});
    EXPECT_TRUE(members.count(one.substr(1, one.size() - 2))) << one;
  }
  ASSERT_EQ(c({"CONFIG", "SET", "zset-max-listpack-entries", "128"}), "OK");
}

TEST_F(ZSetCommandsTest, EmptiedSortedSetsDisappear) {
  Client c(port());
  for (const std::vector<std::string>& emptying :
       std::vector<std::vector<std::string>>{{"ZREM", "k", "a", "b"},
                                             {"ZPOPMIN", "k", "5"},
                                             {"ZPOPMAX", "k", "2"},
                                             {"ZMPOP", "1", "k", "MIN", "COUNT", "9"},
                                             {"ZREMRANGEBYRANK", "k", "0", "-1"},
                                             {"ZREMRANGEBYSCORE", "k", "-inf", "+inf"},
                                             {"ZREMRANGEBYLEX", "k", "-", "+"}}) {
    for (const char* enc : {"128", "0"}) {
      ASSERT_EQ(c({"CONFIG", "SET", "zset-max-listpack-entries", enc}), "OK");
      ASSERT_EQ(c({"ZADD", "k", "0", "a", "0", "b"}), "(integer) 2");
      c.Run(emptying);
      EXPECT_EQ(c({"EXISTS", "k"}), "(integer) 0") << emptying[0] << " " << enc;
    }
  }
  ASSERT_EQ(c({"CONFIG", "SET", "zset-max-listpack-entries", "128"}), "OK");
}

// Keys spread over four shards: the multi-key commands see and write all of them atomically.
TEST_F(ZSetCommandsTest, MultiKeyCommandsAcrossShards) {
  Client c(port());
  std::vector<std::string> keys = Keys("src", 8);
  std::map<std::string, double> sum;
  std::map<std::string, int> seen_in;
  for (size_t k = 0; k < keys.size(); ++k) {
    std::vector<std::string> args = {"ZADD", keys[k]};
    for (int i = 0; i < 20; ++i) {
      int m = static_cast<int>(k) * 3 + i;  // overlapping members
      args.push_back(std::to_string(k + 1));
      args.push_back("m" + std::to_string(m));
      sum["m" + std::to_string(m)] += static_cast<double>(k + 1);
      seen_in["m" + std::to_string(m)]++;
    }
    ASSERT_EQ(c.Run(args), "(integer) 20");
  }
  std::vector<std::string> args = {"ZUNIONSTORE", "dst", std::to_string(keys.size())};
  args.insert(args.end(), keys.begin(), keys.end());
  EXPECT_EQ(c.Run(args), "(integer) " + std::to_string(sum.size()));
  std::vector<Elem> got = All(c, "dst");
  ASSERT_EQ(got.size(), sum.size());
  for (const Elem& e : got)
    EXPECT_EQ(e.first, sum[e.second]) << e.second;
  args[0] = "ZINTERSTORE";
  size_t in_all = 0;
  for (const auto& [m, n] : seen_in)
    in_all += n == static_cast<int>(keys.size()) ? 1 : 0;
  EXPECT_EQ(c.Run(args), "(integer) " + std::to_string(in_all));
  args = {"ZINTERCARD", "2", keys[0], keys[1]};
  EXPECT_EQ(c.Run(args), "(integer) 17");
  args = {"ZDIFFSTORE", "diff", "2", keys[0], keys[1]};
  EXPECT_EQ(c.Run(args), "(integer) 3");
  EXPECT_EQ(c({"ZRANGE", "diff", "0", "-1"}), "[\"m0\", \"m1\", \"m2\"]");
  EXPECT_EQ(c({"ZRANGESTORE", "copy", keys[7], "0", "4"}), "(integer) 5");
  EXPECT_EQ(c({"ZRANGE", "copy", "0", "-1"}), "[\"m21\", \"m22\", \"m23\", \"m24\", \"m25\"]");
  // ZMPOP takes from the first non-empty key, wherever it lives (equal scores: by member).
  args = {"ZMPOP", "4", "none1", "none2", keys[3], keys[4], "MAX", "COUNT", "2"};
  EXPECT_EQ(c.Run(args), "[\"" + keys[3] + "\", [[\"m9\", \"4\"], [\"m28\", \"4\"]]]");
  // A transaction over several shards.
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"ZUNIONSTORE", "u2", "2", keys[0], keys[5]}), "QUEUED");
  EXPECT_EQ(c({"ZCARD", "u2"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[(integer) 35, (integer) 35]");
}

TEST_F(ZSetCommandsTest, CopyAndRenameKeepTheEncoding) {
  Client c(port());
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < 200; ++i)
    cmds.push_back({"ZADD", "big", std::to_string(i), "m" + std::to_string(i)});
  ExpectOk(c, cmds);
  ASSERT_EQ(c({"ZADD", "small", "1", "a", "2", "b"}), "(integer) 2");
  for (const std::string key : {"big", "small"}) {
    std::vector<Elem> before = All(c, key);
    for (int i = 0; i < 8; ++i) {
      std::string dst = key + "-copy" + std::to_string(i);
      EXPECT_EQ(c({"COPY", key, dst}), "(integer) 1");
      EXPECT_EQ(All(c, dst), before);
      EXPECT_EQ(c({"OBJECT", "ENCODING", dst}), c({"OBJECT", "ENCODING", key}));
    }
    // The copies are independent.
    EXPECT_EQ(c({"ZADD", key + "-copy0", "100", "new"}), "(integer) 1");
    EXPECT_EQ(All(c, key), before);
    EXPECT_EQ(c({"RENAME", key + "-copy1", key + "-moved"}), "OK");
    EXPECT_EQ(All(c, key + "-moved"), before);
    EXPECT_EQ(c({"ZSCORE", key + "-moved", before.back().second}),
              Quoted(ScoreText(before.back().first)));
  }
  // MEMORY USAGE counts the skiplist's nodes (at least a node block per member) and index.
  for (const std::string samples : {"5", "0"}) {
    std::string usage = c({"MEMORY", "USAGE", "big", "SAMPLES", samples});
    ASSERT_EQ(usage.rfind("(integer) ", 0), 0u) << usage;
    EXPECT_GT(std::stoll(usage.substr(10)), 200 * 48);
    EXPECT_LT(std::stoll(usage.substr(10)), 200 * 160);
  }
}

TEST_F(ZSetCommandsTest, WritesTouchWatchedKeys) {
  Client c(port());
  Client other(port());
  const std::vector<std::vector<std::string>> writes = {
      {"ZADD", "w", "5", "x"},
      {"ZADD", "w", "9", "a"},
      {"ZINCRBY", "w", "1", "a"},
      {"ZREM", "w", "a"},
      {"ZPOPMIN", "w"},
      {"ZPOPMAX", "w", "1"},
      {"ZMPOP", "1", "w", "MIN"},
      {"ZREMRANGEBYRANK", "w", "0", "0"},
      {"ZREMRANGEBYSCORE", "w", "0", "1"},
      {"ZREMRANGEBYLEX", "w", "-", "+"},
      {"ZUNIONSTORE", "w", "1", "other"},
      {"ZRANGESTORE", "w", "other", "0", "-1"},
  };
  ASSERT_EQ(c({"ZADD", "other", "1", "o"}), "(integer) 1");
  for (const auto& write : writes) {
    ASSERT_EQ(c({"DEL", "w"}).rfind("(integer)", 0), 0u);
    ASSERT_EQ(c({"ZADD", "w", "0", "a", "1", "b", "2", "c"}), "(integer) 3");
    EXPECT_EQ(c({"WATCH", "w"}), "OK");
    other.Run(write);
    EXPECT_EQ(c({"MULTI"}), "OK");
    EXPECT_EQ(c({"ZCARD", "w"}), "QUEUED");
    EXPECT_EQ(c({"EXEC"}), "(nil)") << write[0];
  }
  // Commands that change nothing leave the watch alone.
  ASSERT_EQ(c({"DEL", "w"}).rfind("(integer)", 0), 0u);
  ASSERT_EQ(c({"ZADD", "w", "0", "a"}), "(integer) 1");
  EXPECT_EQ(c({"WATCH", "w"}), "OK");
  other({"ZADD", "w", "XX", "1", "nosuch"});
  other({"ZADD", "w", "0", "a"});
  other({"ZREM", "w", "nosuch"});
  other({"ZREMRANGEBYSCORE", "w", "100", "200"});
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"ZSCORE", "w", "a"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[\"0\"]");
}

TEST_F(ZSetCommandsTest, Resp3RepliesOnTheSkiplist) {
  Client c(port());
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < 200; ++i)
    cmds.push_back({"ZADD", "r", std::to_string(i) + ".25", "m" + std::to_string(i)});
  ExpectOk(c, cmds);
  RawClient raw(port());
  ASSERT_EQ(raw.Run({"HELLO", "3"}).substr(0, 3), "%7\r");
  EXPECT_EQ(raw.Run({"ZSCORE", "r", "m3"}), ",3.25\r\n");
  EXPECT_EQ(raw.Run({"ZRANGE", "r", "0", "1", "WITHSCORES"}),
            "*2\r\n*2\r\n$2\r\nm0\r\n,0.25\r\n*2\r\n$2\r\nm1\r\n,1.25\r\n");
  EXPECT_EQ(raw.Run({"ZPOPMAX", "r"}), "*2\r\n$4\r\nm199\r\n,199.25\r\n");
  EXPECT_EQ(raw.Run({"ZPOPMAX", "r", "1"}), "*1\r\n*2\r\n$4\r\nm198\r\n,198.25\r\n");
  EXPECT_EQ(raw.Run({"ZMSCORE", "r", "m0", "nosuch"}), "*2\r\n,0.25\r\n_\r\n");
  EXPECT_EQ(raw.Run({"ZADD", "r", "INCR", "1", "m0"}), ",1.25\r\n");
}

// ZRANK/ZREVRANK WITHSCORE, as Redis 7.2 answers it (7.0 has no WITHSCORE).
TEST_F(ZSetCommandsTest, RankWithScore) {
  RawClient raw(port());
  raw.Run({"ZADD", "rz", "1.5", "a", "2", "b", "3", "c"});
  EXPECT_EQ(raw.Run({"ZRANK", "rz", "b", "WITHSCORE"}), "*2\r\n:1\r\n$1\r\n2\r\n");
  EXPECT_EQ(raw.Run({"ZREVRANK", "rz", "a", "withscore"}), "*2\r\n:2\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(raw.Run({"ZRANK", "rz", "nosuch", "WITHSCORE"}), "*-1\r\n");
  EXPECT_EQ(raw.Run({"ZRANK", "nokey", "a", "WITHSCORE"}), "*-1\r\n");
  EXPECT_EQ(raw.Run({"ZRANK", "nokey", "a"}), "$-1\r\n");
  EXPECT_EQ(raw.Run({"ZRANK", "rz", "a", "WITHSCORES"}), "-ERR syntax error\r\n");
  EXPECT_EQ(raw.Run({"ZRANK", "rz", "a", "WITHSCORE", "x"}),
            "-ERR wrong number of arguments for 'zrank' command\r\n");
  raw.Run({"HELLO", "3"});
  EXPECT_EQ(raw.Run({"ZRANK", "rz", "a", "WITHSCORE"}), "*2\r\n:0\r\n,1.5\r\n");
  EXPECT_EQ(raw.Run({"ZRANK", "rz", "nosuch", "WITHSCORE"}), "_\r\n");
}

}  // namespace
}  // namespace redwing::test
