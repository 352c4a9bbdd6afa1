#pragma once

#include <atomic>

namespace redwing {

// A node of MpscQueue: embed it (first) in whatever travels between threads, so pushing never
// allocates.
struct MpscNode {
  std::atomic<MpscNode*> mpsc_next{nullptr};
};

// Dmitry Vyukov's intrusive multi-producer single-consumer queue: Push is wait-free (one
// exchange), Pop is lock-free and run by the single consumer thread. Push/Pop carry
// release/acquire ordering, so everything a producer wrote before Push is visible to the consumer
// after Pop: the happens-before edge that hands work (and lent shards) between threads.
//
// Pop may report empty while a producer is between its two steps; the producer then completes and
// the element is seen by a later Pop (Worker's wake-up protocol covers that window).
class MpscQueue {
 public:
  MpscQueue() : head_(&stub_), tail_(&stub_) {}
  MpscQueue(const MpscQueue&) = delete;
  MpscQueue& operator=(const MpscQueue&) = delete;

  // Any thread.
  void Push(MpscNode* n) {
    n->mpsc_next.store(nullptr, std::memory_order_relaxed);
    MpscNode* prev = head_.exchange(n, std::memory_order_acq_rel);
    prev->mpsc_next.store(n, std::memory_order_release);
  }

  // Consumer thread only. Returns nullptr if (momentarily) empty.
  MpscNode* Pop() {
    MpscNode* tail = tail_;
    MpscNode* next = tail->mpsc_next.load(std::memory_order_acquire);
    if (tail == &stub_) {
      if (next == nullptr) return nullptr;
      tail_ = next;
      tail = next;
      next = next->mpsc_next.load(std::memory_order_acquire);
    }
    if (next != nullptr) {
      tail_ = next;
      return tail;
    }
    if (tail != head_.load(std::memory_order_acquire)) return nullptr;
    Push(&stub_);
    next = tail->mpsc_next.load(std::memory_order_acquire);
    if (next != nullptr) {
      tail_ = next;
      return tail;
    }
    return nullptr;
  }

 private:
  std::atomic<MpscNode*> head_;
  MpscNode* tail_;
  MpscNode stub_;
};

}  // namespace redwing
