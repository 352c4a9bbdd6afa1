#pragma once

#include <atomic>
#include <functional>
#include <utility>

#include "server/mpsc_queue.h"

namespace redwing {

// A unit of work sent to a Worker's inbox (Worker::Post). The sender owns the task's memory
// unless the task says otherwise; Run() executes on the receiving worker's thread.
class Task : public MpscNode {
 public:
  virtual ~Task() = default;
  virtual void Run() = 0;

  // Intrusive link for FIFO lists on the owning thread (Shard's deferred work).
  Task* list_next = nullptr;
};

// A task that runs a closure once and deletes itself: for rare admin paths (broadcasts, WATCH
// bookkeeping), never on the per-request path.
class FunctionTask final : public Task {
 public:
  explicit FunctionTask(std::function<void()> fn) : fn_(std::move(fn)) {}
  void Run() override {
    fn_();
    delete this;
  }

 private:
  std::function<void()> fn_;
};

// A task embedded in the object it serves, for notifications from any thread that the receiver
// handles in one go. Arm() says whether the caller must post it (false: it is queued and has not
// started yet); Run() disarms it before calling `fn`, so a notification that arrives while `fn`
// runs posts it again. Several notifications before it runs cost one post and one run, and it
// never sits in an inbox twice.
class CoalescedTask final : public Task {
 public:
  explicit CoalescedTask(std::function<void()> fn) : fn_(std::move(fn)) {}
  bool Arm() { return !queued_.exchange(true, std::memory_order_acq_rel); }
  void Run() override {
    queued_.store(false, std::memory_order_release);
    fn_();
  }

 private:
  std::function<void()> fn_;
  std::atomic<bool> queued_{false};
};

// A FIFO of tasks linked through Task::list_next. Owning thread only.
class TaskList {
 public:
  bool empty() const { return head_ == nullptr; }
  void PushBack(Task* t) {
    t->list_next = nullptr;
    if (tail_ != nullptr) {
      tail_->list_next = t;
    } else {
      head_ = t;
    }
    tail_ = t;
  }
  Task* front() const { return head_; }
  // Unlinks `t`, which follows `prev` (nullptr: `t` is the front). Does not touch `t` itself, so
  // another thread may already be reusing it.
  void RemoveAfter(Task* prev, Task* t, Task* next) {
    if (prev == nullptr) {
      head_ = next;
    } else {
      prev->list_next = next;
    }
    if (tail_ == t) tail_ = prev;
  }
  Task* PopFront() {
    Task* t = head_;
    if (t != nullptr) {
      head_ = t->list_next;
      if (head_ == nullptr) tail_ = nullptr;
      t->list_next = nullptr;
    }
    return t;
  }

 private:
  Task* head_ = nullptr;
  Task* tail_ = nullptr;
};

}  // namespace redwing
