#include "storage/hash_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/entry.h"

namespace redwing {
namespace {

// Thin helpers over the table's link-based API, as Database uses it.
void Add(HashTable& t, const std::string& key, const std::string& value) {
  t.Insert(Entry::NewString(key, value, -1), HashKey(key));
}

const Entry* Lookup(HashTable& t, const std::string& key) {
  Entry** link = t.Find(key, HashKey(key));
  return link != nullptr ? *link : nullptr;
}

bool Remove(HashTable& t, const std::string& key) {
  uint64_t h = HashKey(key);
  Entry** link = t.Find(key, h);
  if (link == nullptr) return false;
  Entry* e = t.Unlink(link, h);
  EXPECT_EQ(e->key(), key);
  EXPECT_EQ(e->next(), nullptr);
  Entry::Free(e);
  t.MaybeShrink();
  return true;
}

std::unordered_map<std::string, std::string> Contents(const HashTable& t) {
  std::unordered_map<std::string, std::string> out;
  t.ForEach([&](const Entry* e) {
    bool inserted = out.emplace(std::string(e->key()), std::string(e->string_value())).second;
    EXPECT_TRUE(inserted) << "duplicate key " << e->key();
  });
  return out;
}

TEST(HashTableTest, EmptyTable) {
  HashTable t;
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.Find("x", HashKey("x")), nullptr);
  EXPECT_EQ(t.RandomEntry(42), nullptr);
  size_t calls = 0;
  EXPECT_EQ(t.Scan(0, [&](Entry*) { ++calls; }), 0u);
  EXPECT_EQ(calls, 0u);
  EXPECT_FALSE(t.RehashStep(10));
}

TEST(HashTableTest, InsertFindUnlink) {
  HashTable t;
  Add(t, "a", "1");
  Add(t, "b", "2");
  Add(t, "", "empty key");
  EXPECT_EQ(t.size(), 3u);
  ASSERT_NE(Lookup(t, "a"), nullptr);
  EXPECT_EQ(Lookup(t, "a")->string_value(), "1");
  EXPECT_EQ(Lookup(t, "b")->string_value(), "2");
  EXPECT_EQ(Lookup(t, "")->string_value(), "empty key");
  EXPECT_EQ(Lookup(t, "c"), nullptr);
  EXPECT_TRUE(Remove(t, "a"));
  EXPECT_FALSE(Remove(t, "a"));
  EXPECT_EQ(Lookup(t, "a"), nullptr);
  EXPECT_EQ(t.size(), 2u);
  t.Clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(Lookup(t, "b"), nullptr);
  Add(t, "again", "x");  // usable after Clear
  EXPECT_EQ(Lookup(t, "again")->string_value(), "x");
}

// Keys of each length up to 40 that differ from each other in one byte, at every position:
// thousands of them at load factor up to 1, so many chains hold keys of equal length, compared
// word by word. Every lookup must find its own key, and a variant never inserted nothing.
TEST(HashTableTest, EqualLengthKeysDifferingInOneByte) {
  HashTable t;
  std::vector<std::string> keys;
  for (size_t n = 1; n <= 40; ++n) {
    const std::string base(n, 'a');
    keys.push_back(base);
    for (size_t i = 0; i < n; ++i) {
      for (char c : {'b', 'c', 'd', 'e', 'f', 'g'}) {
        std::string k = base;
        k[i] = c;
        keys.push_back(k);
      }
    }
  }
  for (const std::string& k : keys)
    t.Insert(Entry::NewString(k, k, -1), HashKey(k));
  for (const std::string& k : keys) {
    const Entry* found = Lookup(t, k);
    ASSERT_NE(found, nullptr) << k;
    EXPECT_EQ(found->key(), k);
    const Entry* peeked = t.Peek(k, HashKey(k));
    ASSERT_NE(peeked, nullptr) << k;
    EXPECT_EQ(peeked->key(), k);
  }
  for (size_t n = 1; n <= 40; ++n) {
    for (size_t i = 0; i < n; ++i) {
      std::string absent(n, 'a');
      absent[i] = 'z';
      EXPECT_EQ(Lookup(t, absent), nullptr) << absent;
      EXPECT_EQ(t.Peek(absent, HashKey(absent)), nullptr) << absent;
    }
  }
}

TEST(HashTableTest, ReplaceThroughLink) {
  HashTable t;
  for (int i = 0; i < 100; ++i)
    Add(t, "k" + std::to_string(i), "old");
  uint64_t h = HashKey("k50");
  Entry** link = t.Find("k50", h);
  ASSERT_NE(link, nullptr);
  Entry* old = *link;
  Entry* fresh = Entry::NewString("k50", "new", -1);
  fresh->set_next(old->next());
  *link = fresh;
  Entry::Free(old);
  EXPECT_EQ(Lookup(t, "k50")->string_value(), "new");
  EXPECT_EQ(t.size(), 100u);
  EXPECT_EQ(Contents(t).size(), 100u);
}

TEST(HashTableTest, GrowsAndShrinks) {
  HashTable t;
  for (int i = 0; i < 10000; ++i)
    Add(t, "key:" + std::to_string(i), "v");
  while (t.RehashStep(1000)) {
  }
  EXPECT_GE(t.bucket_count(), 8192u);
  for (int i = 0; i < 10000; ++i)
    ASSERT_NE(Lookup(t, "key:" + std::to_string(i)), nullptr) << i;
  for (int i = 0; i < 9990; ++i)
    ASSERT_TRUE(Remove(t, "key:" + std::to_string(i))) << i;
  while (t.RehashStep(1000)) {
  }
  t.MaybeShrink();
  while (t.RehashStep(1000)) {
  }
  EXPECT_EQ(t.size(), 10u);
  EXPECT_LE(t.bucket_count(), 16u);
  for (int i = 9990; i < 10000; ++i)
    EXPECT_NE(Lookup(t, "key:" + std::to_string(i)), nullptr) << i;
}

// Random inserts, finds and unlinks checked against std::unordered_map, through several growth and
// shrink cycles with incremental rehashing in flight.
TEST(HashTableTest, ModelAgainstUnorderedMap) {
  HashTable t;
  std::unordered_map<std::string, std::string> model;
  std::mt19937_64 rng(12345);
  bool saw_rehashing = false;
  size_t max_buckets = 0;
  const int kOps = 200000;
  for (int op = 0; op < kOps; ++op) {
    // Phases bias towards inserting (growth) or deleting (shrink).
    int phase = (op / 25000) % 2;
    int insert_pct = phase == 0 ? 65 : 25;
    std::string key = "k" + std::to_string(rng() % 30000);
    int dice = static_cast<int>(rng() % 100);
    if (dice < insert_pct) {
      std::string value = "v" + std::to_string(op);
      const Entry* found = Lookup(t, key);
      ASSERT_EQ(found != nullptr, model.count(key) == 1) << key;
      if (found == nullptr) {
        Add(t, key, value);
        model[key] = value;
      }
    } else if (dice < insert_pct + 20) {
      bool removed = Remove(t, key);
      ASSERT_EQ(removed, model.erase(key) == 1) << key;
    } else {
      const Entry* found = Lookup(t, key);
      auto it = model.find(key);
      ASSERT_EQ(found != nullptr, it != model.end()) << key;
      if (found != nullptr) {
        ASSERT_EQ(found->string_value(), it->second);
      }
    }
    if (rng() % 64 == 0) t.RehashStep(1 + rng() % 8);
    saw_rehashing |= t.rehashing();
    max_buckets = std::max(max_buckets, t.bucket_count());
    ASSERT_EQ(t.size(), model.size());
    if (op % 20000 == 0) {
      ASSERT_EQ(Contents(t), model);
    }
  }
  EXPECT_TRUE(saw_rehashing);
  EXPECT_GE(max_buckets, 16384u);
  EXPECT_EQ(Contents(t), model);
  // Drain and check the table shrinks back.
  for (const auto& [k, v] : model)
    ASSERT_TRUE(Remove(t, k));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(Contents(t).empty());
}

// Runs a full scan, calling `between` after every Scan call, and returns every key emitted.
template <typename Between>
std::multiset<std::string> ScanAll(HashTable& t, Between&& between) {
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  size_t calls = 0;
  do {
    cursor = t.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
    between(calls++);
  } while (cursor != 0 && calls < 10000000);
  EXPECT_EQ(cursor, 0u);
  return seen;
}

TEST(HashTableTest, ScanStableTableVisitsEachKeyOnce) {
  HashTable t;
  for (int i = 0; i < 5000; ++i)
    Add(t, "s" + std::to_string(i), "");
  while (t.RehashStep(1000)) {
  }
  auto seen = ScanAll(t, [](size_t) {});
  EXPECT_EQ(seen.size(), 5000u);
  for (int i = 0; i < 5000; ++i)
    EXPECT_EQ(seen.count("s" + std::to_string(i)), 1u) << i;
}

TEST(HashTableTest, ScanCompleteWhileGrowing) {
  HashTable t;
  std::vector<std::string> stable;
  for (int i = 0; i < 200; ++i) {
    stable.push_back("stable" + std::to_string(i));
    Add(t, stable.back(), "");
  }
  int next = 0;
  auto seen = ScanAll(t, [&](size_t) {
    // Grow quickly: the first calls add keys, so the table doubles several times mid-scan (then
    // stops growing, so that the scan can finish).
    for (int j = 0; j < 20 && next < 8000; ++j)
      Add(t, "grow" + std::to_string(next++), "");
  });
  EXPECT_GT(t.bucket_count(), 256u);
  for (const auto& k : stable)
    EXPECT_GE(seen.count(k), 1u) << k;
}

TEST(HashTableTest, ScanCompleteWhileShrinking) {
  HashTable t;
  std::vector<std::string> stable;
  for (int i = 0; i < 100; ++i) {
    stable.push_back("stable" + std::to_string(i));
    Add(t, stable.back(), "");
  }
  const int kTransient = 20000;
  for (int i = 0; i < kTransient; ++i)
    Add(t, "tmp" + std::to_string(i), "");
  while (t.RehashStep(1000)) {
  }
  size_t start_buckets = t.bucket_count();
  size_t min_buckets = start_buckets;
  int next = 0;
  auto seen = ScanAll(t, [&](size_t) {
    for (int j = 0; j < 200 && next < kTransient; ++j)
      Remove(t, "tmp" + std::to_string(next++));
    t.RehashStep(20);  // let the shrink complete while the scan is still running
    if (!t.rehashing()) min_buckets = std::min(min_buckets, t.bucket_count());
  });
  EXPECT_LT(min_buckets, start_buckets);
  for (const auto& k : stable)
    EXPECT_GE(seen.count(k), 1u) << k;
}

TEST(HashTableTest, ScanCompleteUnderRandomChurn) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    HashTable t;
    std::vector<std::string> stable;
    for (int i = 0; i < 300; ++i) {
      stable.push_back("st" + std::to_string(i));
      Add(t, stable.back(), "");
    }
    std::unordered_set<std::string> churn;
    int next = 0;
    auto seen = ScanAll(t, [&](size_t calls) {
      // Alternate between growing and shrinking phases every 64 Scan calls.
      bool grow = (calls / 64) % 2 == 0;
      int n = static_cast<int>(rng() % 60);
      for (int j = 0; j < n; ++j) {
        if (grow || churn.empty()) {
          std::string k = "ch" + std::to_string(next++);
          Add(t, k, "");
          churn.insert(k);
        } else {
          auto it = churn.begin();
          Remove(t, *it);
          churn.erase(it);
        }
      }
      if (rng() % 4 == 0) t.RehashStep(rng() % 4);
    });
    for (const auto& k : stable)
      ASSERT_GE(seen.count(k), 1u) << "seed " << seed << " key " << k;
  }
}

TEST(HashTableTest, RandomEntryReturnsMembers) {
  HashTable t;
  std::unordered_set<std::string> keys;
  for (int i = 0; i < 100; ++i) {
    keys.insert("r" + std::to_string(i));
    Add(t, "r" + std::to_string(i), "");
  }
  std::mt19937_64 rng(7);
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    Entry* e = t.RandomEntry(rng());
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(keys.count(std::string(e->key())), 1u) << e->key();
    seen.emplace(e->key());
  }
  // Near-uniform: with 200 draws per key on average, every key comes up.
  EXPECT_EQ(seen.size(), keys.size());
}

// Every entry is drawn about equally often, whatever the length of its chain: 1000 entries in
// 1024 buckets (chains of 1 to 5+), 400 draws each on average.
TEST(HashTableTest, RandomEntryIsUniformAcrossChains) {
  HashTable t;
  constexpr int kKeys = 1000;
  for (int i = 0; i < kKeys; ++i)
    Add(t, "u" + std::to_string(i), "");
  ASSERT_FALSE(t.rehashing());
  std::unordered_map<std::string, int> counts;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 400 * kKeys; ++i)
    ++counts[std::string(t.RandomEntry(rng())->key())];
  ASSERT_EQ(counts.size(), static_cast<size_t>(kKeys));
  // Binomial(400000, 1/1000): sd 20. A chain of 3 drawn by "random bucket, then random element"
  // would get about a third of its share; chains over 4 get a little less (4/len) by design.
  int low = 0;
  for (const auto& [key, n] : counts) {
    EXPECT_LT(n, 500) << key;
    if (n < 300) ++low;
  }
  EXPECT_LE(low, 10);
}

TEST(HashTableTest, RandomEntryWhileRehashing) {
  HashTable t;
  std::unordered_set<std::string> keys;
  std::mt19937_64 rng(99);
  int i = 0;
  // Insert until a resize is in flight, then sample without letting it finish.
  while (!t.rehashing() || t.size() < 64) {
    keys.insert("w" + std::to_string(i));
    Add(t, "w" + std::to_string(i++), "");
  }
  ASSERT_TRUE(t.rehashing());
  for (int j = 0; j < 5000; ++j) {
    Entry* e = t.RandomEntry(rng());
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(keys.count(std::string(e->key())), 1u);
  }
  // A single key left after removals is always the one returned.
  for (int j = 1; j < i; ++j)
    Remove(t, "w" + std::to_string(j));
  for (int j = 0; j < 100; ++j)
    ASSERT_EQ(t.RandomEntry(rng())->key(), "w0");
}

TEST(HashTableTest, SwapWith) {
  HashTable a, b;
  Add(a, "a1", "x");
  Add(a, "a2", "y");
  Add(b, "b1", "z");
  a.SwapWith(b);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_NE(Lookup(a, "b1"), nullptr);
  EXPECT_EQ(Lookup(a, "a1"), nullptr);
  EXPECT_EQ(Lookup(b, "a2")->string_value(), "y");
}

TEST(HashTableTest, HashKeyIsDeterministic) {
  EXPECT_EQ(HashKey("abc"), HashKey(std::string("abc")));
  EXPECT_NE(HashKey("abc"), HashKey("abd"));
  EXPECT_NE(HashKey(""), HashKey(std::string(1, '\0')));
}

}  // namespace
}  // namespace redwing
