// allkeys-lfu and volatile-lfu: keys in one list per LFU counter value (Redis's logarithmic
// counter, storage/access_clock.h), each list in access order, with a bitmap of the non-empty
// ones. A key's counter decays with time only when it is read, so the back of each list (its
// least recently read key) is that list's most decayed key: the victim is the lowest decayed
// counter among the at most 256 list backs, ties going to the longest idle.

#include <bit>

#include "storage/access_clock.h"
#include "storage/eviction_policies.h"
#include "storage/key_list.h"

namespace redwing {
namespace {

class LfuPolicy final : public EvictionPolicy {
 public:
  explicit LfuPolicy(const EvictionParams* params) : params_(params) {}

  bool needs_links() const override { return true; }
  // A key's list is its stored counter, kept in policy_bits (access() may change before Access).
  void Insert(Entry* e, int64_t) override { Push(e, Counter(e)); }
  void Access(Entry* e, int64_t) override {
    uint8_t now = Counter(e);
    if (now == e->policy_bits()) {
      Bucket(now).MoveToFront(e);
      return;
    }
    Remove(e);
    Push(e, now);
  }
  void Remove(Entry* e) override {
    uint8_t b = e->policy_bits();
    KeyList& list = Bucket(b);
    list.Remove(e);
    if (list.empty()) nonempty_[b / 64] &= ~(1ull << (b % 64));
    --size_;
  }
  Entry* Victim(HashTable&, int64_t now_ms) override {
    Entry* best = nullptr;
    unsigned best_counter = 256;
    for (int w = 0; w < 4; ++w) {
      for (uint64_t bits = nonempty_[w]; bits != 0; bits &= bits - 1) {
        int b = w * 64 + std::countr_zero(bits);
        Entry* e = buckets_[b]->Back();
        unsigned d = access_clock::LfuDecayed(e->access(), now_ms, params_->lfu_decay_time);
        if (d < best_counter) {
          best = e;
          best_counter = d;
          if (d == 0) return best;
        }
      }
    }
    return best;
  }
  uint64_t Rank(const Entry* victim, int64_t now_ms) const override {
    uint64_t counter = access_clock::LfuDecayed(victim->access(), now_ms, params_->lfu_decay_time);
    return (counter << 32) |
           (0xffffffffull - access_clock::LfuElapsedMinutes(victim->access(), now_ms));
  }
  size_t size() const override { return size_; }
  void Clear() override {
    for (auto& b : buckets_) {
      if (b) b->Reset();
    }
    for (auto& w : nonempty_)
      w = 0;
    size_ = 0;
  }

 private:
  static uint8_t Counter(const Entry* e) { return static_cast<uint8_t>(e->access() & 0xff); }
  KeyList& Bucket(uint8_t b) {
    if (!buckets_[b]) buckets_[b] = std::make_unique<KeyList>();
    return *buckets_[b];
  }
  void Push(Entry* e, uint8_t b) {
    e->set_policy_bits(b);
    Bucket(b).PushFront(e);
    nonempty_[b / 64] |= 1ull << (b % 64);
    ++size_;
  }

  const EvictionParams* params_;
  std::unique_ptr<KeyList> buckets_[256];
  uint64_t nonempty_[4] = {0, 0, 0, 0};
  size_t size_ = 0;
};

}  // namespace

std::unique_ptr<EvictionPolicy> NewLfuPolicy(const EvictionParams* params) {
  return std::make_unique<LfuPolicy>(params);
}

}  // namespace redwing
