// allkeys-random and volatile-random: a uniformly random key (HashTable::RandomEntry); under
// volatile-random, a random key with a TTL. Keeps no lists.

#include "storage/eviction_policies.h"
#include "storage/hash_table.h"

namespace redwing {
namespace {

class RandomPolicy final : public UnlinkedPolicy {
 public:
  explicit RandomPolicy(bool volatile_only) : volatile_only_(volatile_only) {}

  Entry* Victim(HashTable& table, int64_t) override {
    if (size() == 0) return nullptr;
    if (!volatile_only_) return table.RandomEntry(SplitMix64(&seed_));
    // Keys with a TTL are size() of table.size(): random draws find one quickly unless they are
    // rare; then walk the table from a cursor (each key is passed at most once per cycle).
    if (size() * 16 >= table.size()) {
      for (int i = 0; i < 64; ++i) {
        Entry* e = table.RandomEntry(SplitMix64(&seed_));
        if (e != nullptr && e->has_expire()) return e;
      }
    }
    Entry* found = nullptr;
    do {
      cursor_ = table.Scan(cursor_, [&](Entry* e) {
        if (found == nullptr && e->has_expire()) found = e;
      });
    } while (found == nullptr && cursor_ != 0);
    if (found == nullptr) {
      cursor_ = table.Scan(0, [&](Entry* e) {
        if (found == nullptr && e->has_expire()) found = e;
      });
    }
    return found;
  }
  uint64_t Rank(const Entry*, int64_t) const override { return SplitMix64(&rank_seed_); }

 private:
  const bool volatile_only_;
  uint64_t seed_ = 0x2545F4914F6CDD1DULL;
  mutable uint64_t rank_seed_ = 0x9E3779B97F4A7C15ULL;
  uint64_t cursor_ = 0;
};

}  // namespace

std::unique_ptr<EvictionPolicy> NewRandomPolicy(const EvictionParams* params) {
  return std::make_unique<RandomPolicy>(IsVolatilePolicy(params->policy));
}

}  // namespace redwing
