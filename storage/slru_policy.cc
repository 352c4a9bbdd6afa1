// allkeys-slru and volatile-slru: segmented LRU. A stored key enters the probationary segment; a
// hit there promotes it to the protected segment, whose overflow past `slru-protected-percent` of
// the keys is demoted back to probation's front. Victims come from probation's back (protected's
// only when probation is empty), so keys read once (a scan) leave before keys read twice.

#include "storage/access_clock.h"
#include "storage/eviction_policies.h"
#include "storage/key_list.h"

namespace redwing {
namespace {

constexpr uint8_t kProtected = 1;  // in Entry::policy_bits

class SlruPolicy final : public EvictionPolicy {
 public:
  explicit SlruPolicy(const EvictionParams* params) : params_(params) {}

  bool needs_links() const override { return true; }
  void Insert(Entry* e, int64_t) override {
    e->set_policy_bits(0);
    probation_.PushFront(e);
    Rebalance();
  }
  void Access(Entry* e, int64_t) override {
    if (e->policy_bits() & kProtected) {
      protected_.MoveToFront(e);
      return;
    }
    probation_.Remove(e);
    e->set_policy_bits(kProtected);
    protected_.PushFront(e);
    Rebalance();
  }
  void Remove(Entry* e) override {
    ((e->policy_bits() & kProtected) ? protected_ : probation_).Remove(e);
  }
  Entry* Victim(HashTable&, int64_t) override {
    Entry* e = probation_.Back();
    return e != nullptr ? e : protected_.Back();
  }
  uint64_t Rank(const Entry* victim, int64_t now_ms) const override {
    // Probationary victims of any database before protected ones; then the longest idle.
    uint64_t segment = (victim->policy_bits() & kProtected) ? 1ull << 32 : 0;
    return segment + access_clock::kLruClockMax -
           access_clock::IdleSeconds(victim->access(), now_ms);
  }
  size_t size() const override { return probation_.size() + protected_.size(); }
  void Clear() override {
    probation_.Reset();
    protected_.Reset();
  }

 private:
  void Rebalance() {
    size_t cap = size() * static_cast<size_t>(params_->slru_protected_percent) / 100;
    if (cap == 0) cap = 1;
    while (protected_.size() > cap) {
      Entry* e = protected_.Back();
      protected_.Remove(e);
      e->set_policy_bits(0);
      probation_.PushFront(e);
    }
  }

  const EvictionParams* params_;
  KeyList probation_;
  KeyList protected_;
};

}  // namespace

std::unique_ptr<EvictionPolicy> NewSlruPolicy(const EvictionParams* params) {
  return std::make_unique<SlruPolicy>(params);
}

}  // namespace redwing
