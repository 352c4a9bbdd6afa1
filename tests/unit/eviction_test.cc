// The eviction policies' order on small scripted access sequences, driven through a Database (as
// the server drives them): which key each policy gives up next.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/access_clock.h"
#include "storage/database.h"
#include "storage/entry.h"
#include "storage/eviction_policy.h"

namespace redwing {
namespace {

class EvictionTest : public ::testing::Test {
 protected:
  void Use(MaxmemoryPolicy policy) {
    params_.policy = policy;
    db_.ApplyEvictionParams();
  }
  void Set(const std::string& key, int64_t expire_at_ms = -1) {
    db_.Put(Entry::NewString(key, "value-" + key, expire_at_ms));
  }
  void Read(const std::string& key) { ASSERT_TRUE(db_.Find(key, /*for_read=*/true)) << key; }
  // Evicts `n` keys, returning them in eviction order.
  std::vector<std::string> Evict(size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i) {
      uint64_t rank = 0;
      Entry* victim = db_.EvictionVictim(&rank);
      if (victim == nullptr) break;
      out.emplace_back(victim->key());
      db_.EvictVictim(victim);
    }
    return out;
  }
  using Keys = std::vector<std::string>;

  CommandClock clock_{1'000'000};
  ShardStats stats_;
  EvictionParams params_;
  Database db_{&clock_, &stats_, &params_};
};

TEST_F(EvictionTest, NoEvictionHasNoVictims) {
  Set("a");
  EXPECT_EQ(db_.evictable_keys(), 0u);
  EXPECT_EQ(Evict(1), Keys{});
}

TEST_F(EvictionTest, LruEvictsLeastRecentlyUsedFirst) {
  Use(MaxmemoryPolicy::kAllkeysLru);
  for (const char* k : {"a", "b", "c", "d"})
    Set(k);
  Read("a");
  Read("c");
  Set("b");  // a write is a use
  EXPECT_EQ(Evict(4), (Keys{"d", "a", "c", "b"}));
  EXPECT_EQ(db_.size(), 0u);
  EXPECT_EQ(stats_.evicted_keys, 4u);
}

TEST_F(EvictionTest, EvictionRaisesEvictedBeforeTheKeyIsFreed) {
  // Copies the key while the database still holds it (a freed key would read garbage under
  // ASan).
  struct Listener final : KeyEventListener {
    void OnKeyEvent(uint32_t cls, std::string_view event, std::string_view key, int db) override {
      if (cls == kNotifyEvicted)
        seen.push_back(std::string(event) + " " + std::string(key) + " " + std::to_string(db));
    }
    std::vector<std::string> seen;
  } l;
  db_.set_key_events(&l, 2);
  Use(MaxmemoryPolicy::kAllkeysLru);
  Set("a");
  Set("b");
  EXPECT_EQ(Evict(2), (Keys{"a", "b"}));
  EXPECT_EQ(l.seen, (Keys{"evicted a 2", "evicted b 2"}));
}

TEST_F(EvictionTest, AnEntryMadeWithLinksIsStoredWithoutACopy) {
  Use(MaxmemoryPolicy::kAllkeysLru);
  ASSERT_TRUE(db_.key_links());
  Entry* e = Entry::NewString("k", "v", -1, db_.key_links());
  db_.Put(e);
  EXPECT_EQ(db_.Find("k").entry(), e);
  Entry* plain = Entry::NewString("p", "v", -1);
  db_.Put(plain);  // copied into a block with links
  EXPECT_TRUE(db_.Find("p").entry()->has_links());
  EXPECT_EQ(Evict(2), (Keys{"k", "p"}));
}

TEST_F(EvictionTest, VolatileLruEvictsOnlyKeysWithATtl) {
  Use(MaxmemoryPolicy::kVolatileLru);
  Set("persistent");
  Set("t1", clock_.now_ms + 100'000);
  Set("t2", clock_.now_ms + 100'000);
  Set("later");
  db_.SetExpire(db_.Find("later"), clock_.now_ms + 100'000);  // gains a TTL: now evictable
  db_.SetExpire(db_.Find("t2"), -1);                          // PERSIST: no longer evictable
  Read("t1");
  EXPECT_EQ(db_.evictable_keys(), 2u);
  EXPECT_EQ(Evict(5), (Keys{"later", "t1"}));
  EXPECT_EQ(db_.size(), 2u);
}

TEST_F(EvictionTest, FifoIgnoresReads) {
  Use(MaxmemoryPolicy::kAllkeysFifo);
  for (const char* k : {"a", "b", "c"})
    Set(k);
  Read("a");
  Read("a");
  Set("b");  // a new value is a new arrival
  EXPECT_EQ(Evict(3), (Keys{"a", "c", "b"}));
}

TEST_F(EvictionTest, SlruPromotesOnSecondUseAndDemotesProtectedOverflow) {
  params_.slru_protected_percent = 50;
  Use(MaxmemoryPolicy::kAllkeysSlru);
  for (const char* k : {"a", "b", "c", "d"})
    Set(k);
  // a and b are read again: protected. c and d, seen once, stay on probation.
  Read("a");
  Read("b");
  // A scan of new keys enters probation and leaves first, before the protected a and b.
  for (const char* k : {"s1", "s2", "s3", "s4"})
    Set(k);
  EXPECT_EQ(Evict(6), (Keys{"c", "d", "s1", "s2", "s3", "s4"}));
  // Protected may hold half the keys (rounded down): with e stored, 3 keys, it keeps one, and a,
  // its least recent, is demoted to probation's front. e, read again, joins b there.
  Set("e");
  Set("f");
  Read("e");
  EXPECT_EQ(Evict(4), (Keys{"a", "f", "b", "e"}));
}

TEST_F(EvictionTest, LfuEvictsLeastFrequentAndCountersDecay) {
  params_.lfu_log_factor = 0;  // every access counts: a deterministic script
  params_.lfu_decay_time = 1;
  Use(MaxmemoryPolicy::kAllkeysLfu);
  for (const char* k : {"a", "b", "c"})
    Set(k);
  for (int i = 0; i < 10; ++i)
    Read("a");
  for (int i = 0; i < 5; ++i)
    Read("b");
  Read("c");
  EXPECT_EQ(Evict(1), Keys{"c"});
  // Ten minutes later a fresh key reads five times; b (5 + 5) decayed by ten to 0, a (5 + 10) to 5.
  clock_.now_ms += 10 * 60'000;
  Set("d");
  for (int i = 0; i < 5; ++i)
    Read("d");
  EXPECT_EQ(Evict(3), (Keys{"b", "a", "d"}));
}

TEST_F(EvictionTest, LfuOverwriteKeepsTheCounter) {
  params_.lfu_log_factor = 0;
  Use(MaxmemoryPolicy::kAllkeysLfu);
  Set("a");
  Set("b");
  for (int i = 0; i < 3; ++i)
    Read("a");
  Set("a");  // a new value, the same key: its frequency stays
  EXPECT_EQ(
      access_clock::LfuDecayed(db_.Find("a", false, false).entry()->access(), clock_.now_ms, 1),
      access_clock::kLfuInitVal + 3);
  EXPECT_EQ(Evict(1), Keys{"b"});
}

TEST_F(EvictionTest, VolatileTtlEvictsTheNearestExpiryFirst) {
  params_.samples = 64;  // sees every key of this small table
  Use(MaxmemoryPolicy::kVolatileTtl);
  Set("persistent");
  Set("far", clock_.now_ms + 300'000);
  Set("near", clock_.now_ms + 10'000);
  Set("mid", clock_.now_ms + 60'000);
  EXPECT_EQ(Evict(4), (Keys{"near", "mid", "far"}));
}

TEST_F(EvictionTest, RandomEvictsEveryKeyEventually) {
  Use(MaxmemoryPolicy::kAllkeysRandom);
  for (int i = 0; i < 100; ++i)
    Set("k" + std::to_string(i));
  EXPECT_EQ(Evict(200).size(), 100u);
  EXPECT_EQ(db_.size(), 0u);
}

TEST_F(EvictionTest, VolatileRandomSparesPersistentKeys) {
  Use(MaxmemoryPolicy::kVolatileRandom);
  for (int i = 0; i < 100; ++i)
    Set("p" + std::to_string(i));
  Set("t", clock_.now_ms + 1000);
  EXPECT_EQ(Evict(5), Keys{"t"});
  EXPECT_EQ(db_.size(), 100u);
}

TEST_F(EvictionTest, SwitchingPolicyKeepsEveryKeyAndItsValue) {
  for (int i = 0; i < 1000; ++i)
    Set("k" + std::to_string(i), i % 2 ? clock_.now_ms + 100'000 : -1);
  for (MaxmemoryPolicy p :
       {MaxmemoryPolicy::kAllkeysLru, MaxmemoryPolicy::kAllkeysRandom,
        MaxmemoryPolicy::kVolatileLfu, MaxmemoryPolicy::kAllkeysSlru, MaxmemoryPolicy::kVolatileTtl,
        MaxmemoryPolicy::kNoEviction, MaxmemoryPolicy::kAllkeysFifo}) {
    Use(p);
    ASSERT_EQ(db_.size(), 1000u);
    size_t expected = p == MaxmemoryPolicy::kNoEviction ? 0 : IsVolatilePolicy(p) ? 500 : 1000;
    EXPECT_EQ(db_.evictable_keys(), expected) << kMaxmemoryPolicyNames[static_cast<int>(p)];
    for (int i = 0; i < 1000; i += 97) {
      KeyRef at = db_.Find("k" + std::to_string(i));
      ASSERT_TRUE(at);
      EXPECT_EQ(at.entry()->string_value(), "value-k" + std::to_string(i));
    }
  }
  // Values that grow (the block moves) stay linked: evicting everything visits every key once.
  for (int i = 0; i < 1000; i += 3) {
    KeyRef at = db_.Find("k" + std::to_string(i));
    db_.Relink(at, Entry::ResizeValue(at.entry(), 200));
  }
  EXPECT_EQ(Evict(2000).size(), 1000u);
}

}  // namespace
}  // namespace redwing
