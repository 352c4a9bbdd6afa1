#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "server/task.h"
#include "storage/database.h"

namespace redwing {

class BlockingTable;
class Engine;
class ShardPersistence;
class Worker;
class Shard;

// What ShardWork::Execute did.
enum class WorkResult {
  kDone,     // finished with the shard
  kLent,     // lent the shard out: it stays held until Release()
  kBlocked,  // needs keys (or, for a lend, the whole shard) that a split operation has locked:
             // stays queued and runs again when they are unlocked
};

// Work that must run with a shard held: a batch of a connection's commands, a part of a split
// operation, or the acquisition step of a multi-shard operation. Delivered to the shard's owner
// (Worker::Post), it runs at once if it can, else waits in the shard's queue.
class ShardWork : public Task {
 public:
  explicit ShardWork(Shard* shard = nullptr) : shard_(shard) {}
  void set_shard(Shard* s) { shard_ = s; }
  Shard* shard() const { return shard_; }
  // Called on the owner thread, the shard not lent. May be called again after kBlocked.
  virtual WorkResult Execute() = 0;
  // A request to lend the whole shard: work queued behind it waits for it (no starvation).
  virtual bool is_lend() const { return false; }
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
// makes the data written by one holder visible to the next.
//
// Key locks: a split operation (split_op.h) runs its part at each shard's owner and keeps that
// part's keys locked until its last part has run. Locks are striped by key hash (a collision only
// makes an unrelated command wait briefly). Work that touches a locked key waits (kBlocked) in
// the shard's queue; a lend waits until no key is locked, and work arriving behind a waiting lend
// queues behind it.
//
// Deadlock is impossible because every multi-shard operation, lending or split, takes its
// shards in ascending index order, and whatever waits on a shard holds nothing on higher ones.
//
// All methods are owner-thread only unless stated.
class Shard {
 public:
  Shard(int index, int num_dbs, Worker* owner);
  ~Shard();
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
  // The clients blocked on this shard's keys (thread holding the shard only).
  BlockingTable& blocking() { return *blocking_; }
  ShardStats& stats() { return stats_; }

  // True when the owner may run work on the shard now: not lent and no lend waiting. Work that
  // touches keys must also check KeysLocked().
  bool Available() const { return lent_to_ == nullptr && pending_lends_ == 0; }
  // True when the whole shard could be lent now (available, no key locked).
  bool CanLend() const { return Available() && locked_keys_ == 0; }
  // Runs `w` now if it can run, else queues it.
  void Enqueue(ShardWork* w);
  // Marks the shard as lent to `holder` (the coordinator's worker): nothing else runs on it until
  // Release().
  void Lend(Worker* holder) { lent_to_ = holder; }
  // Ends a lend and runs the queued work in order, until some of it lends the shard again.
  void Release();

  // Key locks (owner thread only; see above). `hashes` are HashKey() values of the keys.
  bool AnyKeyLocked() const { return locked_keys_ != 0; }
  bool KeysLocked(std::span<const uint64_t> hashes) const;
  bool KeyLocked(uint64_t hash) const { return locks_[Stripe(hash)] != 0; }
  void LockKeys(std::span<const uint64_t> hashes);
  // Unlocks and runs the work that was waiting.
  void UnlockKeys(std::span<const uint64_t> hashes);
  // The message a remote holder posts to the owner to end its lend (it runs Release()). Owned by
  // the shard, not the holder: the holder may be gone before the owner reads it. One suffices,
  // because only the current holder posts it, and nobody else can hold the shard until it ran.
  Task* release_task() { return &release_task_; }

  // Periodic maintenance (owner thread, shard available): active expiry with a CPU budget,
  // background rehashing. `budget_us` bounds the time spent.
  void Cron(int64_t now_ms, int64_t budget_us);

  // Eviction (thread holding the shard). SetEvictionParams adopts the maxmemory settings (a new
  // policy re-threads every key: O(keys)). Evict deletes victims, the best across the databases
  // first, until `enough()` or nothing is left to evict, and returns how many it deleted.
  void SetEvictionParams(const EvictionParams& params);
  const EvictionParams& eviction_params() const { return eviction_params_; }
  size_t Evict(const std::function<bool()>& enough);
  // Keys the policy could evict here (any thread; a relaxed sum).
  size_t evictable_keys() const;
  // Set while an eviction request from another shard waits in the owner's queue (any thread).
  std::atomic<bool> eviction_requested{false};

  // Persistence (server/shard_persistence.h): null when `persistence` is none. Set at start-up
  // (or by CONFIG SET, holding every shard); owned by the shard.
  ShardPersistence* persistence() const { return persistence_.get(); }
  void set_persistence(std::unique_ptr<ShardPersistence> p);
  // Runs the persistence's write-through commit (ShardPersistence::CommitAtTurn) when the owner
  // posts it to its loop's next turn. The shard's, not the persistence's: a commit still queued
  // when CONFIG SET replaces the persistence finds the new one (or none).
  Task* persistence_commit_task() { return &commit_task_; }
  // Keyspace notifications from the databases on or off (off while a loader thread replays the
  // page file: it must not publish, and a load is no event).
  void EnableKeyEvents(bool on);
  // Set while the shard's page file is being loaded by a loader thread: nobody else touches the
  // shard then (commands get -LOADING, the cron skips it). Any thread.
  std::atomic<bool> loading{false};

  // Debug builds: aborts if the calling thread does not hold this shard.
  void AssertHeld() const;

 private:
  // Publishes the key events the databases raise (expired, evicted, new, keymiss) as keyspace
  // notifications. Checks notify-keyspace-events first: one relaxed load when they are off.
  class KeyEventPublisher final : public KeyEventListener {
   public:
    explicit KeyEventPublisher(Engine* engine) : engine_(engine) {}
    void OnKeyEvent(uint32_t cls, std::string_view event, std::string_view key, int db) override;

   private:
    Engine* const engine_;
  };

  class CommitTask final : public Task {
   public:
    explicit CommitTask(Shard* shard) : shard_(shard) {}
    void Run() override;

   private:
    Shard* const shard_;
  } commit_task_{this};

  const int index_;
  Worker* const owner_;
  // Null when the shard has no engine (unit tests drive shards without one).
  std::unique_ptr<KeyEventPublisher> key_events_;
  std::vector<std::unique_ptr<Database>> dbs_;
  std::unique_ptr<BlockingTable> blocking_;
  std::unique_ptr<ShardPersistence> persistence_;
  CommandClock clock_;
  ShardStats stats_;
  EvictionParams eviction_params_;
  static constexpr size_t kStripes = 1 << 14;
  static size_t Stripe(uint64_t hash) { return (hash >> 40) & (kStripes - 1); }
  // Runs queued work in order: whatever is no longer blocked, up to a waiting lend.
  void Pump();
  // Appends `w` to deferred_, counting it if it is a lend.
  void Defer(ShardWork* w);

  Worker* lent_to_ = nullptr;
  TaskList deferred_;
  TaskList incoming_;      // work enqueued while Pump() walks deferred_
  int pending_lends_ = 0;  // lend requests in deferred_
  bool pumping_ = false;
  bool repump_ = false;
  uint32_t locked_keys_ = 0;
  std::array<uint32_t, kStripes> locks_{};
  class ReleaseTask final : public Task {
   public:
    explicit ReleaseTask(Shard* s) : shard_(s) {}
    void Run() override { shard_->Release(); }

   private:
    Shard* shard_;
  } release_task_{this};
};

}  // namespace redwing
