// SORT and SORT_RO over a real redwing-server, for what the differential script (tests/
// differential/sort.txt) cannot check: BY/GET patterns whose keys live on every shard (with one
// thread and with four), STORE to a destination on another shard (TTL dropped, emptied result
// deleting it, WATCH, MULTI, waking a blocked BLPOP), and big lists, sets and sorted sets against
// an in-test model of Redis's order.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

class SortCommandTest : public SharedServerTest<SortCommandTest> {
 public:
  static std::vector<std::string> ServerArgs() { return {"--threads", "4"}; }
};

class SortSingleThreadTest : public SharedServerTest<SortSingleThreadTest> {
 public:
  static std::vector<std::string> ServerArgs() { return {"--threads", "1"}; }
};

// Sends a long argument list in chunks (SADD/RPUSH/ZADD key ...).
void AddAll(Client& c, const std::string& cmd, const std::string& key,
            const std::vector<std::string>& args, size_t per_chunk = 1000) {
  for (size_t i = 0; i < args.size(); i += per_chunk) {
    std::vector<std::string> chunk{cmd, key};
    chunk.insert(chunk.end(), args.begin() + static_cast<long>(i),
                 args.begin() + static_cast<long>(std::min(args.size(), i + per_chunk)));
    auto r = c.Command(chunk);
    ASSERT_NE(r, nullptr);
    ASSERT_NE(r->type, REDIS_REPLY_ERROR) << r->str;
  }
}

double Score(const std::string& s) {
  return std::strtod(s.c_str(), nullptr);
}

// Redis's numeric order: by score, ties by the elements' bytes.
bool NumericLess(const std::string& a, const std::string& b) {
  double x = Score(a), y = Score(b);
  if (x != y) return x < y;
  return a < b;
}

// The window LIMIT offset count takes of `v`, as Redis clamps it.
std::vector<std::string> Window(const std::vector<std::string>& v, int64_t offset, int64_t count) {
  auto n = static_cast<int64_t>(v.size());
  int64_t start = std::clamp<int64_t>(offset, 0, n);
  int64_t end = count < 0 ? n : std::min(n, start + count);
  if (end <= start) return {};
  return {v.begin() + start, v.begin() + end};
}

// Objects obj:<id> with a weight key and a hash, on every shard (the names spread), then SORT
// with BY and GET patterns against a model. The same scenario runs with one thread and four.
void PatternsMatchAModel(int port) {
  Client c(port);
  std::mt19937_64 rng(11);
  constexpr int kObjects = 600;
  std::vector<std::string> ids;
  std::map<std::string, double> weight;     // weight_<id>, absent for some
  std::map<std::string, std::string> name;  // obj_<id> -> name
  std::map<std::string, double> rank;       // obj_<id> -> rank field
  for (int i = 0; i < kObjects; ++i) {
    std::string id = std::to_string(i * 7 % 1000);
    ids.push_back(id);
    if (rng() % 5 != 0) {
      double w = static_cast<double>(rng() % 2000) / 4 - 200;
      weight[id] = w;
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.2f", w);
      ASSERT_EQ(c({"SET", "weight_" + id, buf}), "OK");
    }
    if (rng() % 6 != 0) {
      name[id] = "n" + std::to_string(rng() % 300);
      rank[id] = static_cast<double>(rng() % 100);
      ASSERT_EQ(c({"HSET", "obj_" + id, "name", name[id], "rank",
                   std::to_string(static_cast<int>(rank[id]))}),
                "(integer) 2");
    }
  }
  AddAll(c, "RPUSH", "ids", ids);
  AddAll(c, "SADD", "idset", ids);

  // BY a string key: missing weights count as 0, ties by the id's bytes.
  auto by_weight = [&](const std::string& a, const std::string& b) {
    double x = weight.count(a) ? weight[a] : 0, y = weight.count(b) ? weight[b] : 0;
    if (x != y) return x < y;
    return a < b;
  };
  std::vector<std::string> want = ids;
  std::sort(want.begin(), want.end(), by_weight);
  EXPECT_EQ(c.Strings({"SORT", "ids", "BY", "weight_*"}), want);
  EXPECT_EQ(c.Strings({"SORT_RO", "idset", "BY", "weight_*"}), want);
  std::vector<std::string> desc(want.rbegin(), want.rend());
  EXPECT_EQ(c.Strings({"SORT", "ids", "BY", "weight_*", "DESC", "LIMIT", "10", "50"}),
            Window(desc, 10, 50));

  // BY a hash field, GET the element, another field and a string key.
  auto by_rank = [&](const std::string& a, const std::string& b) {
    double x = rank.count(a) ? rank[a] : 0, y = rank.count(b) ? rank[b] : 0;
    if (x != y) return x < y;
    return a < b;
  };
  want = ids;
  std::sort(want.begin(), want.end(), by_rank);
  std::vector<std::string> got = c.Strings(
      {"SORT", "ids", "BY", "obj_*->rank", "GET", "#", "GET", "obj_*->name", "GET", "weight_*"});
  std::vector<std::string> expect;
  char buf[64];
  for (const std::string& id : want) {
    expect.push_back(id);
    expect.push_back(name.count(id) ? name[id] : "(nil)");
    if (weight.count(id)) {
      std::snprintf(buf, sizeof(buf), "%.2f", weight[id]);
      expect.push_back(buf);
    } else {
      expect.push_back("(nil)");
    }
  }
  EXPECT_EQ(got, expect);

  // ALPHA BY a hash field: missing names first, ties in the list's order (a stable sort).
  want = ids;
  std::stable_sort(want.begin(), want.end(), [&](const std::string& a, const std::string& b) {
    bool ha = name.count(a) != 0, hb = name.count(b) != 0;
    if (!ha || !hb) return !ha && hb;
    return name[a] < name[b];
  });
  EXPECT_EQ(c.Strings({"SORT", "ids", "BY", "obj_*->name", "ALPHA"}), want);

  // STORE the GET results on some shard; missing values are stored as "".
  EXPECT_EQ(c({"SORT", "ids", "BY", "nosort", "GET", "obj_*->name", "STORE", "names"}),
            "(integer) " + std::to_string(kObjects));
  expect.clear();
  for (const std::string& id : ids)
    expect.push_back(name.count(id) ? name[id] : "");
  EXPECT_EQ(c.Strings({"LRANGE", "names", "0", "-1"}), expect);

  // A pattern read inside MULTI, with a key changed earlier in the transaction.
  ASSERT_EQ(c({"MULTI"}), "OK");
  ASSERT_EQ(c({"SET", "weight_" + ids[0], "-1000000"}), "QUEUED");
  ASSERT_EQ(c({"SORT", "ids", "BY", "weight_*", "LIMIT", "0", "1"}), "QUEUED");
  auto exec = c.Command({"EXEC"});
  ASSERT_NE(exec, nullptr);
  ASSERT_EQ(exec->elements, 2u);
  EXPECT_EQ(ReplyStrings(exec->element[1]), std::vector<std::string>{ids[0]});
}

TEST_F(SortSingleThreadTest, PatternsMatchAModel) {
  PatternsMatchAModel(port());
}

TEST_F(SortCommandTest, PatternsReachEveryShard) {
  PatternsMatchAModel(port());
}

TEST_F(SortCommandTest, StoreToAnotherShard) {
  Client c(port());
  ASSERT_EQ(c({"RPUSH", "src", "3", "1", "2"}), "(integer) 3");
  // Twenty destinations: keys without hash tags spread over the four shards.
  for (int i = 0; i < 20; ++i) {
    std::string dst = "dst" + std::to_string(i);
    ASSERT_EQ(c({"SET", dst, "old", "EX", "100"}), "OK");
    EXPECT_EQ(c({"SORT", "src", "DESC", "STORE", dst}), "(integer) 3");
    EXPECT_EQ(c({"TYPE", dst}), "list");
    EXPECT_EQ(c({"TTL", dst}), "(integer) -1");
    EXPECT_EQ(c.Strings({"LRANGE", dst, "0", "-1"}), (std::vector<std::string>{"3", "2", "1"}));
    // An empty result deletes the destination.
    EXPECT_EQ(c({"SORT", "src", "LIMIT", "5", "1", "STORE", dst}), "(integer) 0");
    EXPECT_EQ(c({"EXISTS", dst}), "(integer) 0");
    EXPECT_EQ(c({"SORT", "missing" + std::to_string(i), "STORE", dst}), "(integer) 0");
    EXPECT_EQ(c({"EXISTS", dst}), "(integer) 0");
  }
  // "STORE by" hides the second STORE from the key finder (as Redis's sortGetKeys): the command
  // holds every shard for it and stores to the last destination.
  for (int i = 0; i < 8; ++i) {
    std::string dst = "final" + std::to_string(i);
    EXPECT_EQ(c({"SORT", "src", "STORE", "by", "STORE", dst}), "(integer) 3");
    EXPECT_EQ(c.Strings({"LRANGE", dst, "0", "-1"}), (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_EQ(c({"EXISTS", "by"}), "(integer) 0");
  }
  // The source is left as it was.
  EXPECT_EQ(c.Strings({"LRANGE", "src", "0", "-1"}), (std::vector<std::string>{"3", "1", "2"}));
  // SORT_RO has no STORE.
  EXPECT_EQ(c({"SORT_RO", "src", "STORE", "dst0"}), "(error) ERR syntax error");
}

TEST_F(SortCommandTest, StoreTouchesWatchedDestinationOnly) {
  Client c(port());
  Client other(port());
  ASSERT_EQ(c({"RPUSH", "src", "2", "1"}), "(integer) 2");
  // SORT without STORE changes nothing a watcher sees...
  ASSERT_EQ(c({"WATCH", "src"}), "OK");
  EXPECT_EQ(other({"SORT", "src"}), "[\"1\", \"2\"]");
  ASSERT_EQ(c({"MULTI"}), "OK");
  ASSERT_EQ(c({"PING"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[PONG]");
  // ...STORE touches the destination...
  ASSERT_EQ(c({"WATCH", "dest"}), "OK");
  EXPECT_EQ(other({"SORT", "src", "STORE", "dest"}), "(integer) 2");
  ASSERT_EQ(c({"MULTI"}), "OK");
  ASSERT_EQ(c({"PING"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "(nil)");
  // ...and so does deleting it with an empty result.
  ASSERT_EQ(c({"WATCH", "dest"}), "OK");
  EXPECT_EQ(other({"SORT", "nothing", "STORE", "dest"}), "(integer) 0");
  ASSERT_EQ(c({"MULTI"}), "OK");
  ASSERT_EQ(c({"PING"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "(nil)");
  // Inside MULTI, across shards.
  ASSERT_EQ(c({"MULTI"}), "OK");
  ASSERT_EQ(c({"RPUSH", "src", "0"}), "QUEUED");
  ASSERT_EQ(c({"SORT", "src", "STORE", "dest"}), "QUEUED");
  ASSERT_EQ(c({"LRANGE", "dest", "0", "-1"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[(integer) 3, (integer) 3, [\"0\", \"1\", \"2\"]]");
}

int BlockedClients(Client& c) {
  std::string info = c({"INFO", "clients"});
  size_t pos = info.find("blocked_clients:");
  if (pos == std::string::npos) return -1;
  return std::atoi(info.c_str() + pos + 16);
}

TEST_F(SortCommandTest, StoreWakesABlockedPop) {
  Client c(port());
  ASSERT_EQ(c({"SADD", "s", "b", "a", "c"}), "(integer) 3");
  RawClient waiter(port());
  waiter.Send(EncodeCommand({"BLPOP", "queue", "0"}));
  ASSERT_TRUE(PollUntil([&] { return BlockedClients(c) == 1; }));
  EXPECT_EQ(c({"SORT", "s", "ALPHA", "STORE", "queue"}), "(integer) 3");
  EXPECT_EQ(waiter.ReadReply(), "*2\r\n$5\r\nqueue\r\n$1\r\na\r\n");
  EXPECT_EQ(c({"LRANGE", "queue", "0", "-1"}), "[\"b\", \"c\"]");
}

TEST_F(SortCommandTest, BigListMatchesAModel) {
  Client c(port());
  std::mt19937_64 rng(5);
  std::vector<std::string> items;
  for (int i = 0; i < 30000; ++i) {
    switch (rng() % 4) {
      case 0:
        items.push_back(std::to_string(static_cast<int64_t>(rng() % 20000) - 10000));
        break;
      case 1: {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(rng() % 100000) / 7 - 5000);
        items.push_back(buf);
        break;
      }
      case 2:
        items.push_back(std::to_string(rng() % 50) + ".0");  // ties with the integers
        break;
      default:
        items.push_back(std::to_string(rng()));  // up to 20 digits
        break;
    }
  }
  AddAll(c, "RPUSH", "big", items);
  std::vector<std::string> sorted = items;
  std::stable_sort(sorted.begin(), sorted.end(), NumericLess);
  EXPECT_EQ(c.Strings({"SORT", "big"}), sorted);
  std::vector<std::string> desc(sorted.rbegin(), sorted.rend());
  EXPECT_EQ(c.Strings({"SORT", "big", "DESC"}), desc);
  for (int round = 0; round < 20; ++round) {
    int64_t offset = static_cast<int64_t>(rng() % 32000) - 1000;
    int64_t count = static_cast<int64_t>(rng() % 5000) - 100;
    bool rev = rng() % 2 == 0;
    std::vector<std::string> args{"SORT_RO", "big", "LIMIT", std::to_string(offset),
                                  std::to_string(count)};
    if (rev) args.push_back("DESC");
    EXPECT_EQ(c.Strings(args), Window(rev ? desc : sorted, offset, count))
        << offset << " " << count << " " << rev;
    // BY nosort takes the range of the list itself (from the tail with DESC).
    std::vector<std::string> reversed(items.rbegin(), items.rend());
    args.insert(args.begin() + 2, {"BY", "nosort"});
    EXPECT_EQ(c.Strings(args), Window(rev ? reversed : items, offset, count));
  }
  // ALPHA: byte order, equal strings adjacent.
  std::vector<std::string> alpha = items;
  std::sort(alpha.begin(), alpha.end());
  EXPECT_EQ(c.Strings({"SORT", "big", "ALPHA"}), alpha);
  // STORE a big result: a quicklist as Redis 7.2 (or 7.0) would make it.
  EXPECT_EQ(c({"SORT", "big", "STORE", "bigsorted"}), "(integer) 30000");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "bigsorted"}), "\"quicklist\"");
  EXPECT_EQ(c.Strings({"LRANGE", "bigsorted", "0", "-1"}), sorted);
  // One element that is not a number fails the whole sort, and stores nothing.
  ASSERT_EQ(c({"LSET", "big", "12345", "not-a-number"}), "OK");
  EXPECT_EQ(c({"SORT", "big", "STORE", "bigsorted"}),
            "(error) ERR One or more scores can't be converted into double");
  EXPECT_EQ(c({"LLEN", "bigsorted"}), "(integer) 30000");
}

TEST_F(SortCommandTest, BigSetsAndSortedSetsMatchAModel) {
  Client c(port());
  std::mt19937_64 rng(9);
  // An intset (numeric order) and a hashtable of strings (ALPHA).
  std::set<int64_t> ints;
  while (ints.size() < 400)
    ints.insert(static_cast<int64_t>(rng() % 100000) - 50000);
  std::vector<std::string> int_members;
  for (int64_t v : ints)
    int_members.push_back(std::to_string(v));
  std::shuffle(int_members.begin(), int_members.end(), rng);
  AddAll(c, "SADD", "ints", int_members);
  ASSERT_EQ(c({"OBJECT", "ENCODING", "ints"}), "\"intset\"");
  std::vector<std::string> want;
  for (int64_t v : ints)
    want.push_back(std::to_string(v));
  EXPECT_EQ(c.Strings({"SORT", "ints"}), want);
  EXPECT_EQ(c.Strings({"SORT", "ints", "BY", "nosort"}), want);  // the intset's own order
  // Stored unsorted, a set is sorted ALPHA.
  std::vector<std::string> alpha = want;
  std::sort(alpha.begin(), alpha.end());
  EXPECT_EQ(c({"SORT", "ints", "BY", "nosort", "STORE", "out"}), "(integer) 400");
  EXPECT_EQ(c.Strings({"LRANGE", "out", "0", "-1"}), alpha);

  std::set<std::string> strings;
  while (strings.size() < 20000)
    strings.insert("m" + std::to_string(rng() % 1000000));
  std::vector<std::string> members(strings.begin(), strings.end());
  std::shuffle(members.begin(), members.end(), rng);
  AddAll(c, "SADD", "strs", members);
  ASSERT_EQ(c({"OBJECT", "ENCODING", "strs"}), "\"hashtable\"");
  want.assign(strings.begin(), strings.end());
  EXPECT_EQ(c.Strings({"SORT", "strs", "ALPHA"}), want);
  EXPECT_EQ(c.Strings({"SORT", "strs", "ALPHA", "DESC", "LIMIT", "100", "1000"}),
            Window(std::vector<std::string>(want.rbegin(), want.rend()), 100, 1000));
  EXPECT_EQ(c({"SORT", "strs"}), "(error) ERR One or more scores can't be converted into double");
  auto unsorted = c.Strings({"SORT", "strs", "BY", "nosort"});
  EXPECT_EQ(std::set<std::string>(unsorted.begin(), unsorted.end()), strings);

  // A skiplist: BY nosort keeps the score order and takes LIMIT as a rank range.
  std::vector<std::pair<double, std::string>> elems;
  std::vector<std::string> zadd;
  for (int i = 0; i < 20000; ++i) {
    double score = static_cast<double>(rng() % 5000);
    std::string m = "z" + std::to_string(i);
    elems.emplace_back(score, m);
    zadd.push_back(std::to_string(static_cast<int>(score)));
    zadd.push_back(m);
  }
  AddAll(c, "ZADD", "zs", zadd);
  std::sort(elems.begin(), elems.end());
  std::vector<std::string> by_score;
  for (const auto& e : elems)
    by_score.push_back(e.second);
  std::vector<std::string> rev(by_score.rbegin(), by_score.rend());
  EXPECT_EQ(c.Strings({"SORT", "zs", "BY", "nosort"}), by_score);
  for (int round = 0; round < 20; ++round) {
    int64_t offset = static_cast<int64_t>(rng() % 21000) - 500;
    int64_t count = static_cast<int64_t>(rng() % 3000) - 50;
    EXPECT_EQ(c.Strings({"SORT", "zs", "BY", "nosort", "LIMIT", std::to_string(offset),
                         std::to_string(count)}),
              Window(by_score, offset, count));
    EXPECT_EQ(c.Strings({"SORT_RO", "zs", "BY", "nosort", "DESC", "LIMIT", std::to_string(offset),
                         std::to_string(count)}),
              Window(rev, offset, count));
  }
  want = by_score;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(c.Strings({"SORT", "zs", "ALPHA"}), want);
  // A small sorted set is converted to a skiplist by SORT, as in Redis 7.0.
  ASSERT_EQ(c({"ZADD", "small", "1", "b", "2", "a"}), "(integer) 2");
  ASSERT_EQ(c({"OBJECT", "ENCODING", "small"}), "\"listpack\"");
  EXPECT_EQ(c({"SORT_RO", "small", "BY", "nosort"}), "[\"b\", \"a\"]");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "small"}), "\"skiplist\"");
  EXPECT_EQ(c({"ZRANGE", "small", "0", "-1", "WITHSCORES"}), "[\"b\", \"1\", \"a\", \"2\"]");
}

}  // namespace
}  // namespace redwing::test
