#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/entry.h"
#include "storage/eviction_policy.h"
#include "storage/hash_table.h"
#include "storage/key_events.h"

namespace redwing {

// Counters of one shard, summed across shards by INFO. Written only by the thread that holds the
// shard (see server/shard.h); read by INFO while it holds every shard.
struct ShardStats {
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t expire_cycle_cpu_us = 0;
  uint64_t evicted_keys = 0;
  uint64_t evicted_to_disk = 0;  // values persistence moved to disk under maxmemory
};

// The shard's notion of "now", fixed when a batch of commands starts so that one command (and one
// transaction) sees one instant, as Redis's command time snapshot. Tests set it directly: the seam
// through which TTL tests run without sleeping.
struct CommandClock {
  int64_t now_ms = 0;
};

// One client's WATCH: shards set `dirty` when a watched key changes. Shared between the
// connection (which reads it at EXEC) and the shards whose watch tables list it, so `dirty` is
// atomic; everything else is immutable after creation.
struct WatchState {
  std::atomic<bool> dirty{false};
};

// Where a key is (or would be inserted) in a Database: the table link and the key's hash.
struct KeyRef {
  Entry** link = nullptr;
  uint64_t hash = 0;
  Entry* entry() const { return link != nullptr ? *link : nullptr; }
  explicit operator bool() const { return link != nullptr; }
};

// Told when a list or sorted set is stored under a key: clients blocked on that key may now be
// served (server/blocking.h). Installed only while some client is blocked in the database.
class CollectionStoredListener {
 public:
  virtual void OnCollectionStored(std::string_view key) = 0;

 protected:
  ~CollectionStoredListener() = default;
};

// Told of every change to a database's keys, so that persistence (server/shard_persistence.h)
// can write them out: a key changed (set, modified in place, expired, evicted or deleted: the
// listener reads what it holds now), a database about to be emptied or swapped. Called on the
// thread holding the shard, inside the change.
//
// It also keeps values that live only on disk (Encoding::kOnDisk entries): WriteForEviction
// writes a victim's value (or finds it already there, unchanged since Load) and gives its
// position (the database then keeps only the key), and Load reads one back (null if it cannot
// be read).
class KeyChangeListener {
 public:
  virtual void OnKeyChanged(int db, std::string_view key) = 0;
  virtual void BeforeClear(int db) = 0;
  virtual void BeforeSwap(int db, int other) = 0;
  virtual bool WriteForEviction(int db, const Entry* e, uint64_t* position) = 0;
  virtual Entry* Load(int db, const Entry* on_disk) = 0;

 protected:
  ~KeyChangeListener() = default;
};

// One logical database (SELECT n) inside one shard: the key table, TTL bookkeeping, lazy and
// active expiry, the WATCH hooks, and the keys' eviction order (an EvictionPolicy, told of every
// key stored, read and removed here). Every lookup goes through Find(), which deletes a key whose
// TTL has passed, so an expired key is never returned.
//
// Key events: the database raises those that start here to its KeyEventListener, if one is set,
// as Redis raises them from its db layer: "expired" (lazy or active expiry), "evicted", "new" (a
// key added by Put, as dbAdd) and "keymiss" (a read lookup that finds nothing). Commands raise
// their own events.
//
// Owned by its shard: touched only by the thread holding the shard. Not thread-safe.
class Database {
 public:
  // `params` (the shard's maxmemory settings) must outlive the database; null: no eviction.
  Database(const CommandClock* clock, ShardStats* stats, const EvictionParams* params = nullptr);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  size_t size() const { return table_.size(); }
  size_t expires() const { return expires_; }
  // Estimated average remaining TTL of keys with a TTL (ms), sampled by active expiry as Redis's
  // avg_ttl in INFO keyspace.
  int64_t avg_ttl_ms() const { return expires_ == 0 ? 0 : avg_ttl_ms_; }
  int64_t now_ms() const { return clock_->now_ms; }

  // Looks the key up, expiring it first if its time has passed ("expired"). `for_read` counts a
  // keyspace hit or miss and raises "keymiss" on a miss (unless `notify_miss` is false: OBJECT,
  // Redis's LOOKUP_NONOTIFY), as Redis's lookupKeyRead. A found key counts as accessed (its idle
  // time restarts, its LFU counter may grow) unless `touch` is false (TYPE, TTL, EXISTS, OBJECT:
  // Redis's LOOKUP_NOTOUCH).
  KeyRef Find(std::string_view key, bool for_read = false, bool touch = true,
              bool notify_miss = true);
  // As Find but never deletes or counts: for introspection of a key that may be logically expired.
  bool IsLogicallyExpired(const Entry* e) const {
    return e->has_expire() && e->expire_at_ms() <= clock_->now_ms;
  }

  // Stores `e` under its key: replaces (and frees) an existing value at `at` (from Find), or
  // inserts (raising "new"). Takes ownership of `e`.
  void Put(KeyRef at, Entry* e);
  // Stores `e`, replacing any existing key of the same name.
  void Put(Entry* e);
  // Stores a block that was reallocated from *at.link (same key): `e` replaces the stale pointer.
  void Relink(KeyRef at, Entry* e) { *at.link = e; }
  // Deletes the key at `at`; returns nothing (the caller knows it existed).
  void Erase(KeyRef at);
  bool Erase(std::string_view key);
  // Sets (ms >= 0) or removes (ms < 0) the key's expiry. Returns the (possibly moved) entry.
  Entry* SetExpire(KeyRef at, int64_t expire_at_ms);
  // Takes the entry out of this database without freeing it (for MOVE/RENAME/SWAPDB-style moves).
  Entry* Detach(KeyRef at);

  // Drops every key. Watched keys that existed are touched first, as Redis's FLUSHDB does.
  void Clear();
  // Exchanges all keys with `other` (SWAPDB); touches watched keys of both.
  void Swap(Database& other);

  // Eviction: the policy's next victim (nullptr if it has none) and its rank among databases
  // (lower goes first); EvictVictim deletes it. ApplyEvictionParams adopts a changed policy:
  // every key is re-threaded, O(keys).
  Entry* EvictionVictim(uint64_t* rank);
  // Deletes the victim, or, with persistence, keeps only its key (the value stays on disk).
  // False if neither could be done (the disk refused the value): eviction stops then.
  bool EvictVictim(Entry* victim);
  // Replaces the key's value by its position on disk (eviction, write-around).
  void DropToDisk(KeyRef at, uint64_t position);
  // Keys whose value lives only on disk.
  size_t on_disk_keys() const { return on_disk_; }
  // Any thread (a relaxed mirror of the policy's count, for the out-of-memory check).
  size_t evictable_keys() const { return evictable_.load(std::memory_order_relaxed); }
  // Whether keys stored here carry eviction-list links: an entry made with them (Entry::New's
  // `links`) is stored by Put without being copied.
  bool key_links() const { return links_; }
  void ApplyEvictionParams();

  // Signals that `key` changed (WATCH). Called by Put/Erase/SetExpire; commands that modify a value
  // in place (INCR, APPEND, SETRANGE) call it themselves.
  void Modified(std::string_view key) {
    if (!watches_.empty()) TouchWatched(key);
    if (changes_ != nullptr) changes_->OnKeyChanged(index_, key);
  }
  // Where key changes go (null: nowhere). Set by the shard's persistence once it has loaded.
  void set_change_listener(KeyChangeListener* l) { changes_ = l; }

  // WATCH bookkeeping: a watcher is listed under each key it watches until removed.
  void AddWatch(std::string_view key, std::shared_ptr<WatchState> w);
  void RemoveWatch(std::string_view key, const WatchState* w);
  size_t watched_keys() const { return watches_.size(); }

  // One step of active expiry: looks at up to `max_buckets` buckets from the expiry cursor and
  // deletes expired keys. Returns {keys with a TTL examined, keys expired}.
  std::pair<size_t, size_t> ActiveExpireStep(size_t max_buckets);
  // One step of background rehashing (bounded work).
  void RehashStep() { table_.RehashStep(100); }

  void set_stored_listener(CollectionStoredListener* l) { listener_ = l; }
  // Where the key events raised here go (null: nowhere), and this database's number (SELECT
  // index) that they carry. Set by the shard.
  void set_key_events(KeyEventListener* l, int index) {
    events_ = l;
    index_ = index;
  }
  int index() const { return index_; }

  HashTable& table() { return table_; }
  const HashTable& table() const { return table_; }

 private:
  void Raise(uint32_t cls, std::string_view event, std::string_view key) {
    if (events_ != nullptr) events_->OnKeyEvent(cls, event, key, index_);
  }
  void TouchWatched(std::string_view key);
  void TouchAllWatched();
  void FreeEntry(Entry* e);
  // Whether `e` is one of the keys the policy orders (all keys, or those with a TTL; never one
  // whose value is already on disk).
  bool Tracked(const Entry* e) const {
    return policy_ != nullptr && (!volatile_only_ || e->has_expire()) && !e->on_disk();
  }
  // Brings an on-disk value back into memory at `link`; false if it could not be read.
  bool LoadFromDisk(Entry** link);
  // Records an access in e->access() (LRU clock or LFU counter) and tells the policy.
  void Touch(Entry* e);
  uint32_t FreshAccess() const;
  void PublishEvictable() {
    evictable_.store(policy_ != nullptr ? policy_->size() : 0, std::memory_order_relaxed);
  }

  HashTable table_;
  size_t expires_ = 0;
  size_t on_disk_ = 0;
  uint64_t expire_cursor_ = 0;
  int64_t avg_ttl_ms_ = 0;
  const CommandClock* clock_;
  ShardStats* stats_;
  CollectionStoredListener* listener_ = nullptr;
  KeyEventListener* events_ = nullptr;
  KeyChangeListener* changes_ = nullptr;
  int index_ = 0;
  const EvictionParams* params_;
  MaxmemoryPolicy applied_policy_ = MaxmemoryPolicy::kNoEviction;
  std::unique_ptr<EvictionPolicy> policy_;
  bool links_ = false;                       // policy_->needs_links(): every key has list links
  bool volatile_only_ = false;               // the policy evicts only keys with a TTL
  uint64_t random_ = 0x853C49E6748FEA9BULL;  // for LFU increments
  std::atomic<size_t> evictable_{0};
  std::unordered_map<std::string, std::vector<std::shared_ptr<WatchState>>> watches_;
};

}  // namespace redwing
