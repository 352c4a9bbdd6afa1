#include "storage/database.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/entry.h"

namespace redwing {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void Set(const std::string& key, const std::string& value, int64_t expire_at_ms = -1) {
    db_.Put(Entry::NewString(key, value, expire_at_ms));
  }
  // The value under `key`, or "(nil)".
  std::string Get(const std::string& key) {
    KeyRef at = db_.Find(key, /*for_read=*/true);
    return at ? std::string(at.entry()->string_value()) : "(nil)";
  }

  CommandClock clock_{1000};
  ShardStats stats_;
  Database db_{&clock_, &stats_};
};

TEST_F(DatabaseTest, PutFindErase) {
  EXPECT_EQ(db_.size(), 0u);
  Set("a", "1");
  Set("b", "2");
  EXPECT_EQ(db_.size(), 2u);
  EXPECT_EQ(Get("a"), "1");
  Set("a", "one");  // replace
  EXPECT_EQ(db_.size(), 2u);
  EXPECT_EQ(Get("a"), "one");
  EXPECT_TRUE(db_.Erase("a"));
  EXPECT_FALSE(db_.Erase("a"));
  EXPECT_EQ(Get("a"), "(nil)");
  EXPECT_EQ(db_.size(), 1u);
}

TEST_F(DatabaseTest, PutAtFoundLinkAndMissingKey) {
  KeyRef at = db_.Find("k");
  EXPECT_FALSE(at);
  EXPECT_NE(at.hash, 0u);
  db_.Put(at, Entry::NewString("k", "v1", -1));
  at = db_.Find("k");
  ASSERT_TRUE(at);
  db_.Put(at, Entry::NewString("k", "v2", -1));
  EXPECT_EQ(Get("k"), "v2");
  EXPECT_EQ(db_.size(), 1u);
}

TEST_F(DatabaseTest, KeyspaceHitsAndMisses) {
  Set("k", "v");
  Get("k");
  Get("k");
  Get("missing");
  db_.Find("k");  // not a read: not counted
  EXPECT_EQ(stats_.keyspace_hits, 2u);
  EXPECT_EQ(stats_.keyspace_misses, 1u);
}

TEST_F(DatabaseTest, LazyExpiryFollowsCommandClock) {
  Set("k", "v", 1500);
  EXPECT_EQ(db_.expires(), 1u);
  clock_.now_ms = 1499;
  EXPECT_EQ(Get("k"), "v");
  EXPECT_FALSE(db_.IsLogicallyExpired(db_.Find("k").entry()));
  clock_.now_ms = 1500;  // expiry time reached: the key is gone
  // Still physically present until a lookup touches it.
  Entry** raw = db_.table().Find("k", HashKey("k"));
  ASSERT_NE(raw, nullptr);
  EXPECT_TRUE(db_.IsLogicallyExpired(*raw));
  EXPECT_EQ(db_.size(), 1u);
  EXPECT_EQ(Get("k"), "(nil)");
  EXPECT_EQ(db_.size(), 0u);
  EXPECT_EQ(db_.expires(), 0u);
  EXPECT_EQ(stats_.expired_keys, 1u);
  EXPECT_EQ(stats_.keyspace_misses, 1u);
  // Rewinding the clock does not resurrect it.
  clock_.now_ms = 0;
  EXPECT_EQ(Get("k"), "(nil)");
}

TEST_F(DatabaseTest, PutOverExpiredKeyInserts) {
  Set("k", "old", 1200);
  clock_.now_ms = 5000;
  KeyRef at = db_.Find("k");
  EXPECT_FALSE(at);
  db_.Put(at, Entry::NewString("k", "new", -1));
  EXPECT_EQ(Get("k"), "new");
  EXPECT_EQ(db_.size(), 1u);
  EXPECT_EQ(db_.expires(), 0u);
}

TEST_F(DatabaseTest, ExpiresCountThroughPutEraseSetExpireDetach) {
  Set("a", "1", 9000);
  Set("b", "2", 9000);
  Set("c", "3");
  EXPECT_EQ(db_.expires(), 2u);
  Set("a", "1");  // overwrite without TTL
  EXPECT_EQ(db_.expires(), 1u);
  Set("c", "3", 9000);  // overwrite adding a TTL
  EXPECT_EQ(db_.expires(), 2u);
  Set("c", "33", 9500);  // TTL to TTL
  EXPECT_EQ(db_.expires(), 2u);

  KeyRef at = db_.Find("a");
  Entry* e = db_.SetExpire(at, 7000);
  EXPECT_EQ(e->expire_at_ms(), 7000);
  EXPECT_EQ(db_.expires(), 3u);
  e = db_.SetExpire(db_.Find("a"), 8000);  // change only
  EXPECT_EQ(e->expire_at_ms(), 8000);
  EXPECT_EQ(db_.expires(), 3u);
  e = db_.SetExpire(db_.Find("a"), -1);  // PERSIST
  EXPECT_FALSE(e->has_expire());
  EXPECT_EQ(e->string_value(), "1");
  EXPECT_EQ(db_.expires(), 2u);
  db_.SetExpire(db_.Find("a"), -1);  // already persistent
  EXPECT_EQ(db_.expires(), 2u);

  EXPECT_TRUE(db_.Erase("b"));
  EXPECT_EQ(db_.expires(), 1u);

  Entry* detached = db_.Detach(db_.Find("c"));
  EXPECT_EQ(detached->key(), "c");
  EXPECT_EQ(detached->string_value(), "33");
  EXPECT_EQ(detached->expire_at_ms(), 9500);
  EXPECT_EQ(db_.expires(), 0u);
  EXPECT_EQ(db_.size(), 1u);
  EXPECT_EQ(Get("c"), "(nil)");

  // A detached entry can move to another database with its TTL.
  ShardStats other_stats;
  Database other(&clock_, &other_stats);
  other.Put(detached);
  EXPECT_EQ(other.expires(), 1u);
  EXPECT_EQ(other.size(), 1u);

  db_.Clear();
  EXPECT_EQ(db_.size(), 0u);
  EXPECT_EQ(db_.expires(), 0u);
}

TEST_F(DatabaseTest, SetExpireKeepsValueAndChain) {
  // Many keys, so chains exist and the relinked entry must keep its successor.
  for (int i = 0; i < 1000; ++i)
    Set("k" + std::to_string(i), "v" + std::to_string(i));
  for (int i = 0; i < 1000; i += 2)
    db_.SetExpire(db_.Find("k" + std::to_string(i)), 100000 + i);
  EXPECT_EQ(db_.expires(), 500u);
  for (int i = 0; i < 1000; ++i) {
    KeyRef at = db_.Find("k" + std::to_string(i));
    ASSERT_TRUE(at) << i;
    EXPECT_EQ(at.entry()->string_value(), "v" + std::to_string(i));
    EXPECT_EQ(at.entry()->has_expire(), i % 2 == 0);
  }
}

TEST_F(DatabaseTest, ActiveExpireRemovesExpiredKeys) {
  for (int i = 0; i < 200; ++i)
    Set("ttl" + std::to_string(i), "x", 2000);
  for (int i = 0; i < 100; ++i)
    Set("late" + std::to_string(i), "x", 50000);
  for (int i = 0; i < 100; ++i)
    Set("forever" + std::to_string(i), "x");
  EXPECT_EQ(db_.expires(), 300u);

  // Nothing is due yet: keys with a TTL are examined, none removed.
  auto [examined, expired] = db_.ActiveExpireStep(1 << 20);
  EXPECT_EQ(examined, 300u);
  EXPECT_EQ(expired, 0u);
  EXPECT_EQ(db_.size(), 400u);

  clock_.now_ms = 2000;
  size_t total_expired = 0;
  for (int step = 0; step < 10000 && total_expired < 200; ++step)
    total_expired += db_.ActiveExpireStep(4).second;
  EXPECT_EQ(total_expired, 200u);
  EXPECT_EQ(stats_.expired_keys, 200u);
  EXPECT_EQ(db_.size(), 200u);
  EXPECT_EQ(db_.expires(), 100u);
  EXPECT_EQ(Get("late7"), "x");
  EXPECT_EQ(Get("forever7"), "x");
  EXPECT_EQ(Get("ttl7"), "(nil)");
  // No further work once nothing is due.
  EXPECT_EQ(db_.ActiveExpireStep(1 << 20).second, 0u);
  EXPECT_EQ(stats_.expired_keys, 200u);
}

TEST_F(DatabaseTest, ActiveExpireWithoutTtlsDoesNothing) {
  Set("a", "1");
  auto [examined, expired] = db_.ActiveExpireStep(100);
  EXPECT_EQ(examined, 0u);
  EXPECT_EQ(expired, 0u);
  EXPECT_EQ(db_.size(), 1u);
}

TEST_F(DatabaseTest, WatchDirtiedByModification) {
  auto w = std::make_shared<WatchState>();
  db_.AddWatch("k", w);
  EXPECT_EQ(db_.watched_keys(), 1u);
  Set("other", "v");
  EXPECT_FALSE(w->dirty.load());
  Set("k", "v");
  EXPECT_TRUE(w->dirty.load());

  w->dirty = false;
  db_.Modified("k");  // in-place change (INCR, APPEND)
  EXPECT_TRUE(w->dirty.load());

  w->dirty = false;
  db_.SetExpire(db_.Find("k"), 99999);
  EXPECT_TRUE(w->dirty.load());

  w->dirty = false;
  EXPECT_TRUE(db_.Erase("k"));
  EXPECT_TRUE(w->dirty.load());
}

TEST_F(DatabaseTest, WatchSeveralWatchersAndRemove) {
  auto w1 = std::make_shared<WatchState>();
  auto w2 = std::make_shared<WatchState>();
  db_.AddWatch("k", w1);
  db_.AddWatch("k", w2);
  EXPECT_EQ(db_.watched_keys(), 1u);
  db_.RemoveWatch("k", w1.get());
  Set("k", "v");
  EXPECT_FALSE(w1->dirty.load());
  EXPECT_TRUE(w2->dirty.load());
  db_.RemoveWatch("k", w2.get());
  EXPECT_EQ(db_.watched_keys(), 0u);
  w2->dirty = false;
  Set("k", "v2");
  EXPECT_FALSE(w2->dirty.load());
  db_.RemoveWatch("never-watched", w1.get());  // harmless
}

TEST_F(DatabaseTest, ClearTouchesOnlyExistingWatchedKeys) {
  Set("exists", "v");
  auto on_existing = std::make_shared<WatchState>();
  auto on_missing = std::make_shared<WatchState>();
  db_.AddWatch("exists", on_existing);
  db_.AddWatch("missing", on_missing);
  db_.Clear();
  EXPECT_TRUE(on_existing->dirty.load());
  EXPECT_FALSE(on_missing->dirty.load());
  EXPECT_EQ(db_.size(), 0u);
  // Clearing an empty database touches nobody.
  on_existing->dirty = false;
  db_.Clear();
  EXPECT_FALSE(on_existing->dirty.load());
}

TEST_F(DatabaseTest, SwapTouchesKeysExistingOnEitherSide) {
  ShardStats other_stats;
  Database other(&clock_, &other_stats);
  Set("here", "1", 5000);
  other.Put(Entry::NewString("there", "2", -1));
  auto w_here = std::make_shared<WatchState>();
  auto w_there = std::make_shared<WatchState>();
  auto w_none = std::make_shared<WatchState>();
  db_.AddWatch("here", w_here);
  db_.AddWatch("there", w_there);  // exists only in `other`, arrives with the swap
  db_.AddWatch("nowhere", w_none);
  db_.Swap(other);
  EXPECT_TRUE(w_here->dirty.load());
  EXPECT_TRUE(w_there->dirty.load());
  EXPECT_FALSE(w_none->dirty.load());
  EXPECT_EQ(Get("there"), "2");
  EXPECT_EQ(Get("here"), "(nil)");
  EXPECT_EQ(db_.expires(), 0u);
  EXPECT_EQ(other.expires(), 1u);
  EXPECT_EQ(other.size(), 1u);
}

// Records the key events a database raises, as "event key db".
class RecordingListener final : public KeyEventListener {
 public:
  void OnKeyEvent(uint32_t cls, std::string_view event, std::string_view key, int db) override {
    events.push_back(std::string(event) + " " + std::string(key) + " " + std::to_string(db));
    classes.push_back(cls);
  }
  void Clear() {
    events.clear();
    classes.clear();
  }
  std::vector<std::string> events;
  std::vector<uint32_t> classes;
};
using Events = std::vector<std::string>;

TEST_F(DatabaseTest, RaisesNewOnInsertOnly) {
  RecordingListener l;
  db_.set_key_events(&l, 3);
  EXPECT_EQ(db_.index(), 3);
  Set("k", "v");
  Set("k", "w");  // a replacement is not new
  db_.Put(db_.Find("j"), Entry::NewString("j", "v", -1));
  EXPECT_EQ(l.events, (Events{"new k 3", "new j 3"}));
  EXPECT_EQ(l.classes, (std::vector<uint32_t>{kNotifyNew, kNotifyNew}));
}

TEST_F(DatabaseTest, RaisesKeymissOnReadMissesOnly) {
  RecordingListener l;
  db_.set_key_events(&l, 0);
  Set("k", "v");
  l.Clear();
  Get("k");
  Get("missing");
  db_.Find("missing");                                                // a write lookup
  db_.Find("missing", true, /*touch=*/false, /*notify_miss=*/false);  // OBJECT's
  EXPECT_EQ(l.events, Events{"keymiss missing 0"});
  EXPECT_EQ(l.classes, std::vector<uint32_t>{kNotifyKeyMiss});
  EXPECT_EQ(stats_.keyspace_misses, 2u);
}

TEST_F(DatabaseTest, RaisesExpiredFromLazyAndActiveExpiry) {
  RecordingListener l;
  db_.set_key_events(&l, 1);
  Set("lazy", "v", 1500);
  Set("active", "v", 1500);
  l.Clear();
  clock_.now_ms = 2000;
  EXPECT_EQ(Get("lazy"), "(nil)");
  EXPECT_EQ(l.events, (Events{"expired lazy 1", "keymiss lazy 1"}));
  EXPECT_EQ(l.classes, (std::vector<uint32_t>{kNotifyExpired, kNotifyKeyMiss}));
  l.Clear();
  EXPECT_EQ(db_.ActiveExpireStep(1 << 20).second, 1u);
  EXPECT_EQ(l.events, Events{"expired active 1"});
}

TEST_F(DatabaseTest, RaisesNothingWithoutAListener) {
  Set("k", "v", 1500);
  clock_.now_ms = 2000;
  EXPECT_EQ(Get("k"), "(nil)");
  EXPECT_EQ(Get("k"), "(nil)");
}

}  // namespace
}  // namespace redwing
