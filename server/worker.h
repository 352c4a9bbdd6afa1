#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "server/cpu_wait.h"
#include "server/mpsc_queue.h"
#include "server/task.h"

namespace redwing {

class Engine;
class PubSub;
class Shard;
struct WorkerLoop;

// Per-worker counters: written only by the worker's own thread (relaxed load+store, no locked
// instruction), read by INFO from any thread.
struct WorkerCounters {
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> net_input_bytes{0};
  std::atomic<uint64_t> net_output_bytes{0};
  // Per command id: calls, time spent (CycleClock cycles), failed calls, rejected calls.
  struct PerCommand {
    std::atomic<uint64_t> calls{0};
    std::atomic<uint64_t> cycles{0};
    std::atomic<uint64_t> failed{0};
    std::atomic<uint64_t> rejected{0};
  };
  std::unique_ptr<PerCommand[]> per_command;

  static void Bump(std::atomic<uint64_t>& c, uint64_t by = 1) {
    c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
};

// Work a worker does once the event it is handling has ended (a read handler, a drain of its
// inbox, a cron tick): a connection's write of the messages delivered to it meanwhile.
class EndOfEventWork {
 public:
  virtual void AtEventEnd() = 0;

 protected:
  ~EndOfEventWork() = default;
};

// One event-loop thread: an Asio io_context (kept out of this header: see worker_loop.h), an
// inbox for work from other threads, the shard it owns, and the connections it serves.
//
// Threading: Post() may be called from any thread; everything else runs on the worker's thread.
// The inbox is a lock-free MPSC queue; a wake-up is posted to the io_context only when the queue
// was idle, so a burst of tasks costs one wake-up. An idle worker sleeps in epoll: no spinning.
class Worker {
 public:
  Worker(int index, Engine* engine);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  int index() const { return index_; }
  Engine* engine() const { return engine_; }
  Shard* shard() const { return shard_; }
  void set_shard(Shard* s) { shard_ = s; }
  WorkerLoop& loop() { return *loop_; }
  WorkerCounters& counters() { return counters_; }
  // How long this thread waits for a CPU (sampled by its cron; read from any thread).
  CpuWaitMeter& cpu_wait() { return cpu_wait_; }
  // This worker's part of pub/sub (server/pubsub.h): its thread only.
  PubSub& pubsub() { return *pubsub_; }

  // Any thread: queues `t` to run on this worker's thread.
  void Post(Task* t);
  // Any thread: queues `tasks` in order, with at most one wake-up for all of them.
  void PostBatch(std::span<Task* const> tasks);

  // Worker thread. An EventScope spans the handling of one event; when the outermost ends, the
  // pub/sub deliveries queued for other workers leave (PubSub::FlushOutbox) and the work
  // deferred with Defer() runs. So the messages of a pipeline of publishes cost each target
  // worker one wake-up and each subscriber one write, and no extra turn of the event loop.
  class EventScope {
   public:
    explicit EventScope(Worker* w) : w_(w) { ++w_->event_depth_; }
    ~EventScope() {
      if (--w_->event_depth_ == 0) w_->EndEvent();
    }
    EventScope(const EventScope&) = delete;
    EventScope& operator=(const EventScope&) = delete;

   private:
    Worker* w_;
  };
  bool in_event() const { return event_depth_ > 0; }
  // Runs `work->AtEventEnd()` when the current event ends (`keep` holds its owner alive until
  // then). Outside of any event it runs from the loop, soon.
  void Defer(EndOfEventWork* work, std::shared_ptr<void> keep);
  // Replies that wait for persistence (write-through): `work->AtEventEnd()` runs once a page
  // store has made more durable, to check again (worker thread). NotifyDurable: any thread.
  void AwaitDurable(EndOfEventWork* work, std::shared_ptr<void> keep);
  void NotifyDurable();
  // Worker thread: runs `t` (which the caller keeps alive) inside an event once the handlers
  // that are ready now have run: the loop's next turn, after one more non-blocking poll of the
  // sockets. Redis's beforeSleep: work that many events feed (a write-through group commit) is
  // done once for all of them.
  void AtNextTurn(Task* t);
  // The worker running the calling thread, or nullptr.
  static Worker* Current();

  void Start();  // starts the thread
  void Stop();   // any thread: makes the loop return
  void Join();

 private:
  void Wake();
  void EndEvent();
  // Hands every reply waiting for durability to Defer, to check again.
  void RecheckDurableWaiters();
  void Drain();
  void ThreadMain();

  const int index_;
  Engine* const engine_;
  Shard* shard_ = nullptr;
  std::unique_ptr<WorkerLoop> loop_;
  std::unique_ptr<PubSub> pubsub_;
  MpscQueue inbox_;
  std::atomic<bool> wake_pending_{false};
  int event_depth_ = 0;
  std::vector<std::pair<EndOfEventWork*, std::shared_ptr<void>>> deferred_;
  std::vector<std::pair<EndOfEventWork*, std::shared_ptr<void>>> durable_waiters_;
  // Runs RecheckDurableWaiters, once for any number of NotifyDurable calls before it runs.
  CoalescedTask durable_task_{[this] { RecheckDurableWaiters(); }};
  WorkerCounters counters_;
  CpuWaitMeter cpu_wait_;
  std::thread thread_;
};

}  // namespace redwing
