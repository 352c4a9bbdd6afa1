#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "common/prefetch.h"
#include "storage/entry.h"

namespace redwing {

// 64-bit xxHash (XXH3) of a key: the shard is chosen from its high half, the bucket from its low
// bits, so one hash serves both.
uint64_t HashKey(std::string_view key);

// splitmix64: advances `state` and returns a well-mixed 64-bit value (random draws in storage).
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A chained hash table of Entry blocks, keyed by Entry::key(), with the chain pointer inside the
// entry (no node allocations). Power-of-two bucket arrays; resizing is incremental, as in Redis's
// dict: while two arrays exist every operation moves one bucket (and a background step moves more),
// so no single call pays for a whole rehash.
//
// Scan() uses Redis's reverse-binary cursor, which returns every entry present for the whole scan
// at least once even while the table grows or shrinks between calls.
//
// Owned by one shard; not thread-safe. The table owns its entries and frees them on destruction.
class HashTable {
 public:
  HashTable() = default;
  ~HashTable();
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;

  size_t size() const { return used_[0] + used_[1]; }
  size_t bucket_count() const { return size_[0] + size_[1]; }
  bool rehashing() const { return rehash_idx_ >= 0; }

  // The link that points at the entry with `key` (store through it to replace the entry), or
  // nullptr. Valid until the next mutating call.
  Entry** Find(std::string_view key, uint64_t hash);
  // The entry with `key`, or nullptr, without a step of resizing: a read for cache hints, which
  // changes nothing (the entry may have expired).
  const Entry* Peek(std::string_view key, uint64_t hash) const;
  // Cache hints for a coming Find(hash): PrefetchBucket pulls in the bucket slot; PrefetchChain,
  // issued later, reads the slot and pulls in the first entry. Issued for a batch of keys before
  // the batch runs, so the cache misses of independent lookups overlap.
  void PrefetchBucket(uint64_t hash) const {
    if (size_[0] != 0) PrefetchRead(Slot(hash));
  }
  void PrefetchChain(uint64_t hash) const {
    if (size_[0] == 0) return;
    const Entry* e = *Slot(hash);
    if (e != nullptr) PrefetchRead(e);
  }
  // Stage 0: PrefetchBucket; stage 1: PrefetchChain (for callers that loop over both stages).
  void Prefetch(uint64_t hash, int stage) const {
    if (stage == 0) {
      PrefetchBucket(hash);
    } else {
      PrefetchChain(hash);
    }
  }
  // Adds an entry whose key is not present.
  void Insert(Entry* e, uint64_t hash);
  // Unlinks the entry at `link` (from Find with the same hash) and returns it; the caller frees it.
  Entry* Unlink(Entry** link, uint64_t hash);
  // Frees every entry and the bucket arrays.
  void Clear();
  // Exchanges contents with `other` (SWAPDB).
  void SwapWith(HashTable& other) {
    std::swap(tables_, other.tables_);
    std::swap(size_, other.size_);
    std::swap(used_, other.used_);
    std::swap(rehash_idx_, other.rehash_idx_);
  }

  // Moves up to `buckets` buckets of an ongoing rehash; returns true if rehashing remains.
  bool RehashStep(size_t buckets);
  // Shrinks the bucket array when the table became sparse (called after deletions).
  void MaybeShrink();

  // Calls fn(entry) for the entries of the bucket(s) at `cursor`; returns the next cursor (0 when
  // the scan is complete). fn must not modify the table.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn);

  // A random entry (nullptr if empty), drawn uniformly (see the .cc) from the pseudo-random seed.
  Entry* RandomEntry(uint64_t random);

  // Visits every entry; fn must not modify the table.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (int t = 0; t < 2; ++t) {
      for (size_t i = 0; i < size_[t]; ++i) {
        for (Entry* e = tables_[t][i]; e != nullptr; e = e->next())
          fn(e);
      }
    }
  }

 private:
  void Expand(size_t min_size);
  void StartResize(size_t new_size);
  void MaybeGrow();
  // The table that holds (or would hold) a key with `hash`. While rehashing, the table-0 buckets
  // below rehash_idx_ have moved to table 1, and a key whose table-0 bucket has not moved yet is
  // in table 0 (Insert puts new keys there too, and the bucket moves with them): so every key has
  // exactly one bucket, and a lookup reads one chain. Requires size_[0] != 0.
  int TableOf(uint64_t hash) const {
    return rehash_idx_ >= 0 && (hash & (size_[0] - 1)) < static_cast<uint64_t>(rehash_idx_) ? 1 : 0;
  }
  // The key's chain walk, changing nothing: Find after its resize step, and Peek.
  Entry** LinkOf(std::string_view key, uint64_t hash) const;
  Entry** Slot(uint64_t hash) const {
    int t = TableOf(hash);
    return &tables_[t][hash & (size_[t] - 1)];
  }

  Entry** tables_[2] = {nullptr, nullptr};
  size_t size_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  int64_t rehash_idx_ = -1;
};

}  // namespace redwing
