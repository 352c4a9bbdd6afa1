// Hash commands over a real redwing-server with four shards, for what the differential script
// (tests/differential/hashes.txt) cannot check: conversions past the thresholds, big hashes
// against an in-test model, HSCAN's guarantee on the hashtable encoding, HRANDFIELD's properties,
// COPY/RENAME of both encodings across shards, and WATCH.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

using Model = std::map<std::string, std::string>;

class HashCommandsTest : public SharedServerTest<HashCommandsTest> {
 public:
  static std::vector<std::string> ServerArgs() { return {"--threads", "4"}; }
};

std::string Quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// HGETALL as a map (fails the test on a repeated field).
Model GetAll(Client& c, const std::string& key) {
  std::vector<std::string> flat = c.Strings({"HGETALL", key});
  Model m;
  EXPECT_EQ(flat.size() % 2, 0u);
  for (size_t i = 0; i + 1 < flat.size(); i += 2)
    EXPECT_TRUE(m.emplace(flat[i], flat[i + 1]).second) << "repeated field " << flat[i];
  return m;
}

// A whole HSCAN: every field returned (with its value), `between` run after every call.
std::multimap<std::string, std::string> ScanAll(Client& c, const std::string& key,
                                                const std::vector<std::string>& options,
                                                const std::function<void()>& between = nullptr) {
  std::multimap<std::string, std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::vector<std::string> args = {"HSCAN", key, cursor};
    args.insert(args.end(), options.begin(), options.end());
    Client::ReplyPtr r = c.Command(args);
    EXPECT_TRUE(r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2) break;
    cursor.assign(r->element[0]->str, r->element[0]->len);
    std::vector<std::string> flat = ReplyStrings(r->element[1]);
    EXPECT_EQ(flat.size() % 2, 0u);
    for (size_t i = 0; i + 1 < flat.size(); i += 2)
      seen.emplace(flat[i], flat[i + 1]);
    if (between) between();
    if (++calls > 1000000) {
      ADD_FAILURE() << "HSCAN does not terminate";
      break;
    }
  } while (cursor != "0");
  return seen;
}

// HSETs `n` fields f<i> = v<i> in pipelined batches.
void Fill(Client& c, const std::string& key, int from, int to) {
  std::vector<std::vector<std::string>> cmds;
  for (int i = from; i < to; ++i) {
    cmds.push_back({"HSET", key, "f" + std::to_string(i), "v" + std::to_string(i)});
  }
  for (const std::string& r : c.Pipeline(cmds))
    ASSERT_EQ(r, "(integer) 1");
}

TEST_F(HashCommandsTest, ConvertsPastTheEntryThresholdAndNeverBack) {
  Client c(port());
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(c({"HSET", "h", "f" + std::to_string(i), "v"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "h"}), "\"listpack\"");
  EXPECT_EQ(c({"HSET", "h", "f0", "updated"}), "(integer) 0");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "h"}), "\"listpack\"");
  EXPECT_EQ(c({"HSET", "h", "f128", "v"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "h"}), "\"hashtable\"");
  EXPECT_EQ(c({"HLEN", "h"}), "(integer) 129");
  EXPECT_EQ(c({"HGET", "h", "f0"}), "\"updated\"");
  for (int i = 1; i < 129; ++i)
    ASSERT_EQ(c({"HDEL", "h", "f" + std::to_string(i)}), "(integer) 1");
  EXPECT_EQ(c({"HLEN", "h"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "h"}), "\"hashtable\"");
  EXPECT_EQ(c({"HDEL", "h", "f0"}), "(integer) 1");
  EXPECT_EQ(c({"EXISTS", "h"}), "(integer) 0");
  EXPECT_EQ(c({"TYPE", "h"}), "none");
}

TEST_F(HashCommandsTest, ConvertsOnALongFieldOrValueFromEveryWriter) {
  Client c(port());
  const std::string at_limit(64, 'x');
  const std::string too_long(65, 'x');
  EXPECT_EQ(c({"HSET", "a", at_limit, at_limit}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "a"}), "\"listpack\"");
  const std::vector<std::vector<std::string>> writers = {{"HSET", "k", "f", too_long},
                                                         {"HSET", "k", too_long, "v"},
                                                         {"HMSET", "k", "g", "1", "f", too_long},
                                                         {"HSETNX", "k", too_long, "v"},
                                                         {"HINCRBY", "k", too_long, "1"},
                                                         {"HINCRBYFLOAT", "k", too_long, "1.5"}};
  for (const auto& w : writers) {
    ASSERT_EQ(c({"DEL", "k"}), "(integer) 0") << w[0];
    ASSERT_EQ(c({"HSET", "k", "f", "1"}), "(integer) 1");
    std::string r = c.Run(w);
    EXPECT_EQ(r.rfind("(error)", 0), std::string::npos) << w[0] << ": " << r;
    EXPECT_EQ(c({"OBJECT", "ENCODING", "k"}), "\"hashtable\"") << w[0];
    EXPECT_EQ(c({"DEL", "k"}), "(integer) 1");
  }
}

TEST_F(HashCommandsTest, ThresholdsFollowConfigSet) {
  Client c(port());
  ASSERT_EQ(c({"CONFIG", "SET", "hash-max-listpack-entries", "2"}), "OK");
  ASSERT_EQ(c({"CONFIG", "SET", "hash-max-listpack-value", "3"}), "OK");
  EXPECT_EQ(c({"HSET", "a", "f1", "1", "f2", "2"}), "(integer) 2");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "a"}), "\"listpack\"");
  EXPECT_EQ(c({"HSET", "a", "f3", "3"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "a"}), "\"hashtable\"");
  EXPECT_EQ(c({"HSET", "b", "f", "abcd"}), "(integer) 1");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "b"}), "\"hashtable\"");
  // HINCRBYFLOAT's result is longer than the limit: the hash converts.
  EXPECT_EQ(c({"HSET", "c", "f", "1"}), "(integer) 1");
  EXPECT_EQ(c({"HINCRBYFLOAT", "c", "f", "0.125"}), "\"1.125\"");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "c"}), "\"hashtable\"");
  ASSERT_EQ(c({"CONFIG", "SET", "hash-max-listpack-entries", "128"}), "OK");
  ASSERT_EQ(c({"CONFIG", "SET", "hash-max-listpack-value", "64"}), "OK");
  EXPECT_EQ(c({"HSET", "d", "f1", "1", "f2", "2", "f3", "3"}), "(integer) 3");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "d"}), "\"listpack\"");
  EXPECT_EQ(c({"OBJECT", "ENCODING", "a"}), "\"hashtable\"");
}

// Random writes on a hash growing to tens of thousands of fields, checked against a model.
TEST_F(HashCommandsTest, BigHashMatchesAModel) {
  Client c(port());
  Model model;
  std::mt19937 rng(7);
  std::vector<std::vector<std::string>> cmds;
  std::vector<std::string> expect;
  auto flush = [&] {
    std::vector<std::string> got = c.Pipeline(cmds);
    ASSERT_EQ(got.size(), expect.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(got[i], expect[i]) << i;
    cmds.clear();
    expect.clear();
  };
  for (int i = 0; i < 60000; ++i) {
    std::string f = "field:" + std::to_string(rng() % 30000);
    switch (rng() % 8) {
      case 0: {
        bool existed = model.erase(f) == 1;
        cmds.push_back({"HDEL", "big", f});
        expect.push_back(existed ? "(integer) 1" : "(integer) 0");
        break;
      }
      case 1: {
        auto it = model.find(f);
        int64_t v = 0;
        bool numeric = it == model.end() || it->second.rfind("n", 0) != 0;
        if (numeric && it != model.end()) v = std::stoll(it->second);
        cmds.push_back({"HINCRBY", "big", f, "3"});
        if (numeric) {
          model[f] = std::to_string(v + 3);
          expect.push_back("(integer) " + std::to_string(v + 3));
        } else {
          expect.push_back("(error) ERR hash value is not an integer");
        }
        break;
      }
      case 2:
        cmds.push_back({"HGET", "big", f});
        expect.push_back(model.count(f) ? Quoted(model[f]) : "(nil)");
        break;
      default: {
        std::string v = (rng() % 2) ? std::to_string(rng() % 1000) : "n" + std::to_string(rng());
        cmds.push_back({"HSET", "big", f, v});
        expect.push_back(model.count(f) ? "(integer) 0" : "(integer) 1");
        model[f] = v;
        break;
      }
    }
    if (cmds.size() == 1000) flush();
  }
  flush();
  ASSERT_GT(model.size(), 10000u);
  EXPECT_EQ(c({"OBJECT", "ENCODING", "big"}), "\"hashtable\"");
  EXPECT_EQ(c({"HLEN", "big"}), "(integer) " + std::to_string(model.size()));
  EXPECT_EQ(GetAll(c, "big"), model);
  std::vector<std::string> keys = c.Strings({"HKEYS", "big"});
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), model.size());
  EXPECT_EQ(keys.size(), model.size());
  std::vector<std::string> vals = c.Strings({"HVALS", "big"});
  EXPECT_EQ(vals.size(), model.size());
  // A full HSCAN returns every field with its value, and here (no resize during the scan) once.
  auto scanned = ScanAll(c, "big", {"COUNT", "100"});
  EXPECT_EQ(Model(scanned.begin(), scanned.end()), model);
  EXPECT_EQ(scanned.size(), model.size());
  // MATCH filters on fields.
  auto matched = ScanAll(c, "big", {"MATCH", "field:1*"});
  for (const auto& [f, v] : matched)
    EXPECT_EQ(f.rfind("field:1", 0), 0u) << f;
  size_t want = 0;
  for (const auto& [f, v] : model)
    want += f.rfind("field:1", 0) == 0 ? 1 : 0;
  EXPECT_EQ(Model(matched.begin(), matched.end()).size(), want);
  // HMGET of many fields, present and absent.
  std::vector<std::string> args = {"HMGET", "big"};
  for (int i = 0; i < 500; ++i)
    args.push_back("field:" + std::to_string(i));
  std::string expected = "[";
  for (int i = 0; i < 500; ++i) {
    auto it = model.find("field:" + std::to_string(i));
    expected += (i ? ", " : "") + (it == model.end() ? std::string("(nil)") : Quoted(it->second));
  }
  EXPECT_EQ(c.Run(args), expected + "]");
}

// HSCAN returns every field present for the whole scan, while the table grows and shrinks.
TEST_F(HashCommandsTest, ScanGuaranteeWhileTheTableResizes) {
  Client c(port()), writer(port());
  Fill(c, "s", 0, 2000);
  int next = 2000;
  int round = 0;
  auto seen = ScanAll(c, "s", {"COUNT", "20"}, [&] {
    if (round++ % 2 == 0) {
      Fill(writer, "s", next, next + 200);  // grow
      next += 200;
    } else {
      std::vector<std::vector<std::string>> dels;  // shrink: only fields added during the scan
      for (int i = next - 200; i < next; ++i)
        dels.push_back({"HDEL", "s", "f" + std::to_string(i)});
      writer.Pipeline(dels);
    }
  });
  for (int i = 0; i < 2000; ++i)
    EXPECT_GE(seen.count("f" + std::to_string(i)), 1u) << i;
}

// Checks one HRANDFIELD reply against the hash's contents.
void CheckRandom(Client& c, const std::string& key, const Model& model, int64_t count,
                 bool with_values) {
  std::vector<std::string> args = {"HRANDFIELD", key, std::to_string(count)};
  if (with_values) args.push_back("WITHVALUES");
  std::vector<std::string> flat = c.Strings(args);
  size_t per = with_values ? 2 : 1;
  size_t n = count >= 0 ? std::min<size_t>(static_cast<size_t>(count), model.size())
                        : static_cast<size_t>(-count);
  ASSERT_EQ(flat.size(), n * per) << count;
  std::set<std::string> distinct;
  for (size_t i = 0; i < flat.size(); i += per) {
    auto it = model.find(flat[i]);
    ASSERT_NE(it, model.end()) << flat[i];
    if (with_values) {
      EXPECT_EQ(flat[i + 1], it->second);
    }
    distinct.insert(flat[i]);
  }
  if (count >= 0) {
    EXPECT_EQ(distinct.size(), n) << "repeated field with count " << count;
  }
}

TEST_F(HashCommandsTest, RandFieldProperties) {
  Client c(port());
  for (int size : {5, 100, 1000}) {
    std::string key = "r" + std::to_string(size);
    Model model;
    std::vector<std::string> args = {"HSET", key};
    for (int i = 0; i < size; ++i) {
      args.push_back("f" + std::to_string(i));
      args.push_back("v" + std::to_string(i));
      model["f" + std::to_string(i)] = "v" + std::to_string(i);
    }
    ASSERT_EQ(c.Run(args), "(integer) " + std::to_string(size));
    EXPECT_EQ(c({"OBJECT", "ENCODING", key}), size <= 128 ? "\"listpack\"" : "\"hashtable\"");
    for (int64_t count :
         {int64_t{1}, int64_t{2}, int64_t{size / 4}, int64_t{size / 2}, int64_t{size - 1},
          int64_t{size}, int64_t{size + 5}, int64_t{-1}, int64_t{-3}, int64_t{-2 * size}}) {
      for (bool wv : {false, true})
        CheckRandom(c, key, model, count, wv);
    }
    // Every field comes up: negative counts draw with repetition over the whole hash.
    std::set<std::string> drawn;
    for (int i = 0; i < 50 && drawn.size() < model.size(); ++i) {
      for (const std::string& f : c.Strings({"HRANDFIELD", key, std::to_string(-size)}))
        drawn.insert(f);
    }
    EXPECT_EQ(drawn.size(), model.size());
    // ... and positive ones too, and the single-field form.
    drawn.clear();
    for (int i = 0; i < 200 && drawn.size() < model.size(); ++i) {
      for (const std::string& f : c.Strings({"HRANDFIELD", key, std::to_string(size / 3 + 1)}))
        drawn.insert(f);
    }
    EXPECT_EQ(drawn.size(), model.size());
    std::set<std::string> single;
    for (int i = 0; i < 20 * size && single.size() < model.size(); ++i) {
      Client::ReplyPtr r = c.Command({"HRANDFIELD", key});
      ASSERT_EQ(r->type, REDIS_REPLY_STRING);
      single.emplace(r->str, r->len);
    }
    EXPECT_EQ(single.size(), model.size());
  }
}

TEST_F(HashCommandsTest, EmptiedHashesDisappear) {
  Client c(port());
  EXPECT_EQ(c({"HSET", "small", "a", "1", "b", "2"}), "(integer) 2");
  EXPECT_EQ(c({"HDEL", "small", "a", "b", "c"}), "(integer) 2");
  EXPECT_EQ(c({"EXISTS", "small"}), "(integer) 0");
  Fill(c, "large", 0, 300);
  std::vector<std::string> args = {"HDEL", "large"};
  for (int i = 0; i < 300; ++i)
    args.push_back("f" + std::to_string(i));
  args.push_back("f0");
  EXPECT_EQ(c.Run(args), "(integer) 300");
  EXPECT_EQ(c({"EXISTS", "large"}), "(integer) 0");
  EXPECT_EQ(c({"HLEN", "large"}), "(integer) 0");
  EXPECT_EQ(c({"HGETALL", "large"}), "[]");
}

// COPY and RENAME between keys of different shards keep both encodings; a copy is deep.
TEST_F(HashCommandsTest, CopyAndRenameAcrossShards) {
  Client c(port());
  EXPECT_EQ(c({"HSET", "src-small", "a", "1", "b", "2"}), "(integer) 2");
  Fill(c, "src-big", 0, 500);
  for (int i = 0; i < 8; ++i) {
    std::string suffix = std::to_string(i);
    EXPECT_EQ(c({"COPY", "src-small", "copy-small" + suffix}), "(integer) 1");
    EXPECT_EQ(c({"COPY", "src-big", "copy-big" + suffix}), "(integer) 1");
  }
  EXPECT_EQ(c({"HSET", "src-small", "a", "changed"}), "(integer) 0");
  EXPECT_EQ(c({"HDEL", "src-big", "f0", "f1"}), "(integer) 2");
  for (int i = 0; i < 8; ++i) {
    std::string suffix = std::to_string(i);
    EXPECT_EQ(c({"HGETALL", "copy-small" + suffix}), "[\"a\", \"1\", \"b\", \"2\"]");
    EXPECT_EQ(c({"OBJECT", "ENCODING", "copy-big" + suffix}), "\"hashtable\"");
    EXPECT_EQ(c({"HLEN", "copy-big" + suffix}), "(integer) 500");
    EXPECT_EQ(c({"HGET", "copy-big" + suffix, "f0"}), "\"v0\"");
  }
  for (int i = 0; i < 8; ++i) {
    std::string to = "renamed" + std::to_string(i);
    std::string from = i == 0 ? "src-big" : "renamed" + std::to_string(i - 1);
    EXPECT_EQ(c({"RENAME", from, to}), "OK");
    EXPECT_EQ(c({"HLEN", to}), "(integer) " + std::to_string(498 + i));
    EXPECT_EQ(c({"HSET", to, "x" + std::to_string(i), "y"}), "(integer) 1");
  }
  EXPECT_EQ(c({"HLEN", "renamed7"}), "(integer) 506");
  EXPECT_EQ(c({"TYPE", "renamed7"}), "hash");
}

// Every kind of hash change, by another client, aborts a transaction watching the key.
TEST_F(HashCommandsTest, WritesTouchWatchedKeys) {
  Client c(port()), other(port());
  const std::vector<std::vector<std::string>> edits = {{"HSET", "w", "f", "2"},
                                                       {"HSET", "w", "new", "1"},
                                                       {"HMSET", "w", "f", "3"},
                                                       {"HSETNX", "w", "new", "1"},
                                                       {"HDEL", "w", "f"},
                                                       {"HINCRBY", "w", "f", "1"},
                                                       {"HINCRBYFLOAT", "w", "f", "1.5"},
                                                       {"HSET", "w", "f", std::string(100, 'x')}};
  for (bool big : {false, true}) {
    for (const auto& edit : edits) {
      c({"DEL", "w"});
      ASSERT_EQ(c({"HSET", "w", "f", "1", "g", "2"}), "(integer) 2");
      if (big) Fill(c, "w", 0, 200);
      EXPECT_EQ(c({"WATCH", "w"}), "OK");
      other.Run(edit);
      EXPECT_EQ(c({"MULTI"}), "OK");
      EXPECT_EQ(c({"HGET", "w", "f"}), "QUEUED");
      EXPECT_EQ(c({"EXEC"}), "(nil)") << edit[0] << " big=" << big;
    }
  }
  // Reads and writes that change nothing leave the transaction alone.
  ASSERT_EQ(c({"HSET", "w", "f", "1"}), "(integer) 0");
  EXPECT_EQ(c({"WATCH", "w"}), "OK");
  other.Run({"HGETALL", "w"});
  other.Run({"HSETNX", "w", "f", "9"});
  other.Run({"HDEL", "w", "absent"});
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"HGET", "w", "f"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[\"1\"]");
}

TEST_F(HashCommandsTest, Resp3RandFieldPairsAndMaps) {
  Client c(port());
  Fill(c, "big", 0, 200);
  RawClient raw(port());
  ASSERT_EQ(raw.Run({"HELLO", "3"}).substr(0, 1), "%");
  std::string pairs = raw.Run({"HRANDFIELD", "big", "3", "WITHVALUES"});
  // *3 then three nested pairs *2 $.. f.. $.. v..
  ASSERT_EQ(pairs.substr(0, 4), "*3\r\n");
  size_t pos = 4;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(pairs.substr(pos, 4), "*2\r\n") << pairs;
    size_t len = RespReplyLength(pairs, pos);
    ASSERT_GT(len, 0u);
    pos += len;
  }
  EXPECT_EQ(pos, pairs.size());
  std::string map = raw.Run({"HGETALL", "big"});
  EXPECT_EQ(map.substr(0, 6), "%200\r\n");
  EXPECT_EQ(RespReplyLength(map), map.size());
  EXPECT_EQ(raw.Run({"HRANDFIELD", "nokey"}), "_\r\n");
  EXPECT_EQ(raw.Run({"HGET", "big", "nofield"}), "_\r\n");
}

}  // namespace
}  // namespace redwing::test
