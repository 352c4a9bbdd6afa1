// volatile-ttl: the key with the nearest expiry. Keeping every key with a TTL ordered by expiry
// would cost O(log n) per change; instead, as Redis does, each eviction looks at the next
// `maxmemory-samples` keys with a TTL along a cursor that sweeps the table, and takes the one that
// expires first. Keeps no lists.

#include "storage/eviction_policies.h"
#include "storage/hash_table.h"

namespace redwing {
namespace {

class TtlPolicy final : public UnlinkedPolicy {
 public:
  explicit TtlPolicy(const EvictionParams* params) : params_(params) {}

  Entry* Victim(HashTable& table, int64_t) override {
    if (size() == 0) return nullptr;
    Entry* best = nullptr;
    int64_t seen = 0;
    int64_t want = params_->samples > 0 ? params_->samples : 1;
    bool wrapped = false;
    while (seen < want) {
      cursor_ = table.Scan(cursor_, [&](Entry* e) {
        if (!e->has_expire()) return;
        ++seen;
        if (best == nullptr || e->expire_at_ms() < best->expire_at_ms()) best = e;
      });
      if (cursor_ == 0) {
        if (wrapped) break;  // a whole cycle: every key with a TTL was seen
        wrapped = true;
      }
    }
    return best;
  }
  uint64_t Rank(const Entry* victim, int64_t) const override {
    return static_cast<uint64_t>(victim->expire_at_ms());
  }

 private:
  const EvictionParams* params_;
  uint64_t cursor_ = 0;
};

}  // namespace

std::unique_ptr<EvictionPolicy> NewTtlPolicy(const EvictionParams* params) {
  return std::make_unique<TtlPolicy>(params);
}

}  // namespace redwing
