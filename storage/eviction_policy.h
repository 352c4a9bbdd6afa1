#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "storage/entry.h"
#include "storage/maxmemory_policy.h"

namespace redwing {

class HashTable;

// The maxmemory settings a shard's policies read (copied from the configuration by the shard's
// owner, so storage/ needs nothing of the server).
struct EvictionParams {
  MaxmemoryPolicy policy = MaxmemoryPolicy::kNoEviction;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;
  int64_t slru_protected_percent = 50;
  int64_t samples = 5;
};

// Orders the evictable keys of one database under one maxmemory-policy. The Database tells it of
// every evictable key stored, accessed and removed, and asks it which key to evict next; each of
// these is O(1). A policy that keeps lists threads them through the keys' Entry links
// (needs_links): its database then gives every key links.
//
// Adding a policy: one file with its class, and one line in eviction_policy.cc's table.
//
// Not thread-safe: owned by its Database, touched by whoever holds the shard.
class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;

  virtual bool needs_links() const = 0;
  // `e` is now stored and evictable (a new key, a replaced value, or a key that got a TTL under
  // a volatile policy). Its access() is already set for the current policy.
  virtual void Insert(Entry* e, int64_t now_ms) = 0;
  // An inserted key was read or written (its access() is already updated).
  virtual void Access(Entry* e, int64_t now_ms) = 0;
  // An inserted key is about to be freed or to leave the database, or lost its TTL under a
  // volatile policy.
  virtual void Remove(Entry* e) = 0;
  // The key this policy would evict next (still stored), or nullptr when it has none.
  virtual Entry* Victim(HashTable& table, int64_t now_ms) = 0;
  // Orders victims of different databases of a shard: the lowest goes first.
  virtual uint64_t Rank(const Entry* victim, int64_t now_ms) const = 0;
  // Evictable keys.
  virtual size_t size() const = 0;
  // The table dropped every key.
  virtual void Clear() = 0;
};

// The policy object for `params.policy`; nullptr for noeviction.
std::unique_ptr<EvictionPolicy> NewEvictionPolicy(const EvictionParams* params);

}  // namespace redwing
