// allkeys-lru and volatile-lru: one list in access order; the victim is its back.
// allkeys-fifo: the same list, in the order keys were stored (a new value counts as a new key);
// reads do not move a key.

#include "storage/access_clock.h"
#include "storage/eviction_policies.h"
#include "storage/key_list.h"

namespace redwing {
namespace {

class RecencyPolicy final : public EvictionPolicy {
 public:
  explicit RecencyPolicy(bool reorder_on_access) : reorder_on_access_(reorder_on_access) {}

  bool needs_links() const override { return true; }
  void Insert(Entry* e, int64_t) override { list_.PushFront(e); }
  void Access(Entry* e, int64_t) override {
    if (reorder_on_access_) list_.MoveToFront(e);
  }
  void Remove(Entry* e) override { list_.Remove(e); }
  Entry* Victim(HashTable&, int64_t) override { return list_.Back(); }
  uint64_t Rank(const Entry* victim, int64_t now_ms) const override {
    // Longest idle first.
    return access_clock::kLruClockMax - access_clock::IdleSeconds(victim->access(), now_ms);
  }
  size_t size() const override { return list_.size(); }
  void Clear() override { list_.Reset(); }

 private:
  const bool reorder_on_access_;
  KeyList list_;
};

}  // namespace

std::unique_ptr<EvictionPolicy> NewLruPolicy(const EvictionParams*) {
  return std::make_unique<RecencyPolicy>(/*reorder_on_access=*/true);
}

std::unique_ptr<EvictionPolicy> NewFifoPolicy(const EvictionParams*) {
  return std::make_unique<RecencyPolicy>(/*reorder_on_access=*/false);
}

}  // namespace redwing
