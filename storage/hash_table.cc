#include "storage/hash_table.h"

#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "common/heap.h"

namespace redwing {
namespace {

constexpr size_t kInitialSize = 4;

// Whether two keys of the same length `n` are equal. Keys of one application often share a
// length and a prefix ("user:1000", "user:1001"), so a chain walk compares equal-length keys that
// differ near the end: up to 32 bytes, compare 8-byte words inline, last word first, instead of
// calling memcmp.
inline bool SameKey(const char* a, const char* b, size_t n) {
  if (n < 8 || n > 32) return std::memcmp(a, b, n) == 0;
  uint64_t x;
  uint64_t y;
  std::memcpy(&x, a + n - 8, 8);
  std::memcpy(&y, b + n - 8, 8);
  if (x != y) return false;
  for (size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return false;
  }
  return true;
}

uint64_t Rev(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
  v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
  return (v >> 32) | (v << 32);
}

Entry** AllocBuckets(size_t n) {
  void* p = heap::Calloc(n, sizeof(Entry*));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<Entry**>(p);
}

}  // namespace

uint64_t HashKey(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

HashTable::~HashTable() {
  Clear();
}

void HashTable::Clear() {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_[t]; ++i) {
      Entry* e = tables_[t][i];
      while (e != nullptr) {
        Entry* next = e->next();
        Entry::Free(e);
        e = next;
      }
    }
    heap::Free(tables_[t]);
    tables_[t] = nullptr;
    size_[t] = used_[t] = 0;
  }
  rehash_idx_ = -1;
}

Entry** HashTable::Find(std::string_view key, uint64_t hash) {
  if (size() == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  return LinkOf(key, hash);
}

const Entry* HashTable::Peek(std::string_view key, uint64_t hash) const {
  Entry** link = LinkOf(key, hash);
  return link != nullptr ? *link : nullptr;
}

Entry** HashTable::LinkOf(std::string_view key, uint64_t hash) const {
  if (size() == 0) return nullptr;
  for (Entry** link = Slot(hash); *link != nullptr; link = &(*link)->mutable_next_link()) {
    std::string_view k = (*link)->key();
    if (k.size() == key.size() && SameKey(k.data(), key.data(), key.size())) return link;
  }
  return nullptr;
}

void HashTable::Insert(Entry* e, uint64_t hash) {
  if (rehashing()) RehashStep(1);
  MaybeGrow();
  int t = TableOf(hash);
  Entry** bucket = &tables_[t][hash & (size_[t] - 1)];
  e->set_next(*bucket);
  *bucket = e;
  ++used_[t];
}

Entry* HashTable::Unlink(Entry** link, uint64_t hash) {
  Entry* e = *link;
  int t = TableOf(hash);
  *link = e->next();
  e->set_next(nullptr);
  --used_[t];
  return e;
}

void HashTable::MaybeGrow() {
  if (size_[0] == 0) {
    Expand(kInitialSize);
    return;
  }
  if (rehashing()) return;
  if (used_[0] >= size_[0]) StartResize(size_[0] * 2);
}

void HashTable::MaybeShrink() {
  if (rehashing() || size_[0] <= kInitialSize) return;
  // Redis shrinks below 10% fill; we shrink below 1/8 to the next power of two >= used.
  if (used_[0] * 8 < size_[0]) {
    size_t n = kInitialSize;
    while (n < used_[0])
      n *= 2;
    StartResize(n);
  }
}

void HashTable::Expand(size_t min_size) {
  tables_[0] = AllocBuckets(min_size);
  size_[0] = min_size;
  used_[0] = 0;
}

void HashTable::StartResize(size_t new_size) {
  tables_[1] = AllocBuckets(new_size);
  size_[1] = new_size;
  used_[1] = 0;
  rehash_idx_ = 0;
}

bool HashTable::RehashStep(size_t buckets) {
  if (!rehashing()) return false;
  size_t empty_visits = buckets * 10;
  while (buckets-- > 0 && used_[0] != 0) {
    while (tables_[0][rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return true;
    }
    Entry* e = tables_[0][rehash_idx_];
    while (e != nullptr) {
      Entry* next = e->next();
      Entry** dst = &tables_[1][HashKey(e->key()) & (size_[1] - 1)];
      e->set_next(*dst);
      *dst = e;
      --used_[0];
      ++used_[1];
      e = next;
    }
    tables_[0][rehash_idx_] = nullptr;
    ++rehash_idx_;
  }
  // The next step (usually the next command's) moves this bucket: start loading its first entry
  // now, so that step does not wait for it.
  if (static_cast<size_t>(rehash_idx_) < size_[0]) {
    if (const Entry* next = tables_[0][rehash_idx_]; next != nullptr) PrefetchRead(next);
  }
  if (used_[0] == 0) {
    heap::Free(tables_[0]);
    tables_[0] = tables_[1];
    size_[0] = size_[1];
    used_[0] = used_[1];
    tables_[1] = nullptr;
    size_[1] = used_[1] = 0;
    rehash_idx_ = -1;
    return false;
  }
  return true;
}

uint64_t HashTable::Scan(uint64_t v, const std::function<void(Entry*)>& fn) {
  if (size() == 0) return 0;
  auto emit = [&](Entry* e) {
    while (e != nullptr) {
      Entry* next = e->next();
      fn(e);
      e = next;
    }
  };
  if (!rehashing()) {
    uint64_t m0 = size_[0] - 1;
    emit(tables_[0][v & m0]);
    v |= ~m0;
    v = Rev(v);
    ++v;
    v = Rev(v);
    return v;
  }
  // Two tables: visit the small one's bucket, then every bucket of the large one that expands it.
  int small = size_[0] <= size_[1] ? 0 : 1;
  int large = 1 - small;
  uint64_t m0 = size_[small] - 1, m1 = size_[large] - 1;
  emit(tables_[small][v & m0]);
  do {
    emit(tables_[large][v & m1]);
    v |= ~m1;
    v = Rev(v);
    ++v;
    v = Rev(v);
  } while (v & (m0 ^ m1));
  return v;
}

Entry* HashTable::RandomEntry(uint64_t random) {
  if (size() == 0) return nullptr;
  // Uniform over entries: pick a bucket at random, accept it with probability len / kMaxChain,
  // then take a random element of its chain; every entry is then drawn with probability
  // 1 / (buckets * kMaxChain), whatever the length of its chain. (Picking a random non-empty
  // bucket and a random element of it would favour entries alone in their bucket several times
  // over.) Chains longer than kMaxChain, rare at a load factor <= 1, are always accepted, so
  // their entries are drawn slightly less often. The table is kept at least 1/8 full, so this
  // takes about 4 to 32 bucket probes.
  constexpr uint64_t kMaxChain = 4;
  uint64_t r = random;
  auto next = [&r] { return SplitMix64(&r); };
  for (;;) {
    uint64_t pick = next();
    Entry* bucket;
    if (rehashing()) {
      size_t i = pick % (size_[0] + size_[1]);
      bucket = i < size_[0] ? tables_[0][i] : tables_[1][i - size_[0]];
    } else {
      bucket = tables_[0][pick & (size_[0] - 1)];
    }
    size_t len = 0;
    for (Entry* e = bucket; e != nullptr; e = e->next())
      ++len;
    if (len == 0) continue;
    uint64_t slot = next() % kMaxChain;
    if (len < kMaxChain && slot >= len) continue;
    size_t k = len <= kMaxChain ? slot : next() % len;
    Entry* e = bucket;
    while (k-- > 0)
      e = e->next();
    return e;
  }
}

}  // namespace redwing
