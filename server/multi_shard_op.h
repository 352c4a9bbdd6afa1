#pragma once

#include <functional>
#include <vector>

#include "server/shard.h"
#include "server/task.h"

namespace redwing {

class Engine;
class Worker;

// Holds a set of shards for one atomic step (a multi-key command, EXEC, an all-shard command),
// run on the coordinating connection's thread.
//
// Protocol: shards are acquired one at a time in ascending index order. Acquiring shard s sends
// an AcquireWork to s's owner, which runs it when s is free (behind all work queued earlier,
// including this connection's own earlier commands) and lends s to the coordinator, replying with
// a grant. With every shard held, `on_held` runs on the coordinator's thread and may touch all
// of them; then each is released (a message to its owner, which resumes its queued work).
// Ordered acquisition makes deadlock impossible; holding every shard for the whole step makes it
// atomic: no other command observes part of it.
//
// Owned by one Session and reused; one operation at a time. Coordinator-thread only.
class MultiShardOp {
 public:
  MultiShardOp(Engine* engine, Worker* coordinator);
  ~MultiShardOp();
  MultiShardOp(const MultiShardOp&) = delete;
  MultiShardOp& operator=(const MultiShardOp&) = delete;

  // `shards` must be sorted and unique. Runs `on_held` with every shard held, then releases them.
  // If every shard was local and free, all of that happens before Run returns true. Otherwise
  // Run returns false and `on_done` is called on the coordinator's thread after the release.
  bool Run(std::vector<int> shards, std::function<void()> on_held, std::function<void()> on_done);

 private:
  class AcquireWork;
  class GrantTask;

  void AcquireNext();
  void OnGranted();
  void Finish();

  Engine* const engine_;
  Worker* const coordinator_;
  std::vector<int> shards_;
  size_t next_ = 0;
  bool active_ = false;  // checked by assertions only
  bool async_ = false;
  std::function<void()> on_held_;
  std::function<void()> on_done_;
  std::vector<std::unique_ptr<AcquireWork>> acquire_;
  std::unique_ptr<GrantTask> grant_;
};

// Runs `fn` on `shard` once it is free, on its owner's thread, and deletes itself. For rare
// bookkeeping (WATCH removal), not for requests.
void RunOnShardAsync(Shard* shard, std::function<void()> fn);

}  // namespace redwing
