#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "server/task.h"
#include "storage/database.h"

namespace redwing {

class Worker;
class Shard;

// Work that must run with a shard held: a batch of a connection's commands, or the acquisition
// step of a multi-shard operation. Delivered to the shard's owner (Worker::Post), it runs at once
// if the shard is free, else waits in the shard's FIFO.
class ShardWork : public Task {
 public:
  explicit ShardWork(Shard* shard = nullptr) : shard_(shard) {}
  void set_shard(Shard* s) { shard_ = s; }
  Shard* shard() const { return shard_; }
  // Called on the owner thread with the shard free. Returns true if it lent the shard out (the
  // shard stays held until Release), false if it is done with the shard.
  virtual bool Execute() = 0;
  void Run() final;

 private:
  Shard* shard_;
};

// One slice of the keyspace (keys whose hash maps here), with its logical databases, clock and
// counters.
//
// Ownership: a shard is owned by exactly one Worker and its data is touched only by the thread
// holding it: normally the owner; while lent to a multi-shard operation, only that operation's
// coordinating thread. Lending is the only way a thread other than the owner touches a shard, and
// it is a hand-over, not sharing: the owner queues everything for the shard until the lend ends.
// The grant and release travel through the workers' MPSC queues, whose release/acquire ordering
// makes the data written by one holder visible to the next. Deadlock is impossible because a
// multi-shard operation acquires its shards in ascending index order (see multi_shard_op.h).
//
// All methods are owner-thread only unless stated.
class Shard {
 public:
  Shard(int index, int num_dbs, Worker* owner);
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  int index() const { return index_; }
  Worker* owner() const { return owner_; }
  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  Database& db(int i) {
    AssertHeld();
    return *dbs_[static_cast<size_t>(i)];
  }
  CommandClock& clock() { return clock_; }
  ShardStats& stats() { return stats_; }

  // True when the owner may run work on the shard now: not lent, nobody queued ahead.
  bool Available() const { return lent_to_ == nullptr && deferred_.empty(); }
  // Runs `w` now if the shard is available, else queues it behind earlier work.
  void Enqueue(ShardWork* w);
  // Marks the shard as lent to `holder` (the coordinator's worker): nothing else runs on it until
  // Release().
  void Lend(Worker* holder) { lent_to_ = holder; }
  // Ends a lend and runs the queued work in order, until some of it lends the shard again.
  void Release();
  // The message a remote holder posts to the owner to end its lend (it runs Release()). Owned by
  // the shard, not the holder: the holder may be gone before the owner reads it. One suffices,
  // because only the current holder posts it, and nobody else can hold the shard until it ran.
  Task* release_task() { return &release_task_; }

  // Periodic maintenance (owner thread, shard available): active expiry with a CPU budget,
  // background rehashing. `budget_us` bounds the time spent.
  void Cron(int64_t now_ms, int64_t budget_us);

  // Debug builds: aborts if the calling thread does not hold this shard.
  void AssertHeld() const;

 private:
  const int index_;
  Worker* const owner_;
  std::vector<std::unique_ptr<Database>> dbs_;
  CommandClock clock_;
  ShardStats stats_;
  Worker* lent_to_ = nullptr;
  TaskList deferred_;
  class ReleaseTask final : public Task {
   public:
    explicit ReleaseTask(Shard* s) : shard_(s) {}
    void Run() override { shard_->Release(); }

   private:
    Shard* shard_;
  } release_task_{this};
};

}  // namespace redwing
