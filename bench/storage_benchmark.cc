// Micro-benchmarks of the key table and the database layer.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/entry.h"
#include "storage/hash_table.h"
#include "storage/zset.h"

namespace redwing {
namespace {

std::string Key(uint64_t i) {
  return "key:" + std::to_string(i);
}

// A table of `n` entries, built once per size and shared by the lookup benchmarks.
HashTable& TableOf(size_t n) {
  static std::unique_ptr<HashTable> table;
  static size_t built = 0;
  if (table == nullptr || built != n) {
    table = std::make_unique<HashTable>();
    for (size_t i = 0; i < n; ++i) {
      std::string k = Key(i);
      table->Insert(Entry::NewString(k, "value", -1), HashKey(k));
    }
    while (table->RehashStep(1 << 20)) {
    }
    built = n;
  }
  return *table;
}

// Lookup cost at 1M entries. Arg 1: hit, 0: miss. Keys are precomputed so that only hashing and
// the table walk are measured.
void BM_HashTableFind(benchmark::State& state) {
  const size_t n = 1 << 20;
  const bool hit = state.range(0) != 0;
  HashTable& table = TableOf(n);
  constexpr size_t kProbe = 4096;
  std::vector<std::string> keys;
  keys.reserve(kProbe);
  for (size_t i = 0; i < kProbe; ++i) {
    uint64_t id = (i * 2654435761u) % n;  // spread over the whole table
    keys.push_back(hit ? Key(id) : "miss:" + std::to_string(id));
  }
  size_t i = 0;
  for (auto _ : state) {
    const std::string& k = keys[i++ & (kProbe - 1)];
    Entry** link = table.Find(k, HashKey(k));
    benchmark::DoNotOptimize(link);
    if ((link != nullptr) != hit) {
      state.SkipWithError("unexpected lookup result");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashTableFind)->ArgName("hit")->Arg(1)->Arg(0);

// A pipeline's lookups: batches of 16 random hits in a 1M-entry table (far larger than the
// caches), as a connection runs them. Arg 1: the two prefetch passes a batch gets before it runs
// (buckets, then first entries), so the misses overlap; arg 0: none, each miss waits in turn.
void BM_HashTableFindBatch(benchmark::State& state) {
  const size_t n = 1 << 20;
  const bool prefetch = state.range(0) != 0;
  HashTable& table = TableOf(n);
  constexpr size_t kBatch = 16;
  constexpr size_t kProbe = 1 << 16;
  std::vector<std::string> keys;
  std::vector<uint64_t> hashes;
  uint64_t seed = 7;
  for (size_t i = 0; i < kProbe; ++i) {
    keys.push_back(Key(SplitMix64(&seed) % n));
    hashes.push_back(HashKey(keys.back()));
  }
  size_t next = 0;
  for (auto _ : state) {
    size_t first = next;
    next = (next + kBatch) & (kProbe - 1);
    if (prefetch) {
      for (int stage = 0; stage < 2; ++stage) {
        for (size_t i = first; i < first + kBatch; ++i)
          table.Prefetch(hashes[i], stage);
      }
    }
    for (size_t i = first; i < first + kBatch; ++i) {
      Entry** link = table.Find(keys[i], hashes[i]);
      benchmark::DoNotOptimize(link);
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_HashTableFindBatch)->ArgName("prefetch")->Arg(0)->Arg(1);

// Insert cost including growth and incremental rehashing: fills a fresh table of `range(0)` keys
// per iteration.
void BM_HashTableInsert(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<std::string> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i)
    keys.push_back(Key(i));
  for (auto _ : state) {
    HashTable table;
    for (const auto& k : keys)
      table.Insert(Entry::NewString(k, "value", -1), HashKey(k));
    benchmark::DoNotOptimize(table.size());
    state.PauseTiming();
    table.Clear();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_HashTableInsert)->Arg(1 << 16);

// A SET (new entry, replacing the old one) followed by a GET of the same key, through the
// database layer that the commands use.
void BM_DatabaseSetGet(benchmark::State& state) {
  CommandClock clock{1};
  ShardStats stats;
  Database db(&clock, &stats);
  constexpr size_t kKeys = 1 << 16;
  std::vector<std::string> keys;
  keys.reserve(kKeys);
  for (size_t i = 0; i < kKeys; ++i)
    keys.push_back(Key(i));
  const std::string value(32, 'v');
  size_t i = 0;
  for (auto _ : state) {
    const std::string& k = keys[i++ & (kKeys - 1)];
    KeyRef at = db.Find(k);
    db.Put(at, Entry::NewString(k, value, -1));
    KeyRef got = db.Find(k, /*for_read=*/true);
    benchmark::DoNotOptimize(got.entry()->string_value().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DatabaseSetGet);

// A big sorted set (Arg members, named as redis-benchmark's ZADD names them) whose members get
// new random scores: the skiplist walks that ZADD makes (find the node's neighbours, unlink, walk
// again to link), cache misses on every node visited.
void BM_ZSkipListUpdateScore(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  ZSkipList zs;
  std::vector<Entry*> nodes;
  nodes.reserve(n);
  uint64_t seed = 42;
  auto next = [&seed] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 33;
  };
  for (size_t i = 0; i < n; ++i) {
    char member[32];
    int len = std::snprintf(member, sizeof(member), "element:%012zu", i);
    nodes.push_back(zs.Insert(std::string_view(member, static_cast<size_t>(len)),
                              static_cast<double>(next() % 1000000)));
  }
  for (auto _ : state) {
    Entry* node = nodes[next() % n];
    zs.UpdateScore(node, static_cast<double>(next() % 1000000));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ZSkipListUpdateScore)->Arg(1 << 19);

}  // namespace
}  // namespace redwing
