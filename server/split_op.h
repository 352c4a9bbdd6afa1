#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/byte_buffer.h"
#include "server/command_registry.h"
#include "server/shard.h"

namespace redwing {

class Engine;
class Worker;

// Runs one multi-key command whose work divides by key (CommandSpec::split: MSET, MGET, DEL,
// EXISTS, ...) across several shards, atomically, without lending any shard: each shard's owner
// runs the command on that shard's keys, and the coordinator merges the parts' replies.
//
// Protocol (see docs/ARCHITECTURE.md): the parts run one after another in ascending shard order.
// A part runs when none of its keys is locked; every part but the last then locks its keys
// (Shard::LockKeys). When the last part has run, every key of the command has been locked at once,
// which is the command's atomic point; then the locks are released. Anyone reading a key that a
// part already wrote waits until the release, so no client can observe half of the command, while
// the rest of each shard keeps serving. Waits go in ascending shard order, like MultiShardOp's,
// so the two protocols cannot deadlock each other.
//
// Owned by one Session and reused (no allocation per command in steady state); one operation at a
// time. Coordinator-thread only, except each Part's Execute, which runs at its shard's owner.
class SplitOp {
 public:
  SplitOp(Engine* engine, Worker* coordinator);
  ~SplitOp();
  SplitOp(const SplitOp&) = delete;
  SplitOp& operator=(const SplitOp&) = delete;

  // Runs `spec` (split != kNone) with `args` in database `db`, appending the merged reply to
  // `out`. Returns true if it completed before returning (every part local and free). Otherwise
  // returns false and calls `on_done` on the coordinator's thread once the reply is in `out`.
  // `keep_alive` keeps the caller (and so this object) alive until remote unlocks have run.
  bool Run(const CommandSpec* spec, std::span<const std::string_view> args, int db, int resp,
           ByteBuffer* out, std::shared_ptr<void> keep_alive, std::function<void()> on_done);

 private:
  class Part;
  class GrantTask;
  class UnlockTask;

  void Step();
  void OnGranted();
  void Finish();
  void MergeReplies();

  Engine* const engine_;
  Worker* const coordinator_;
  std::vector<std::unique_ptr<Part>> parts_;  // by shard index, reused
  std::unique_ptr<GrantTask> grant_;
  // The current operation.
  const CommandSpec* spec_ = nullptr;
  int resp_ = 2;
  ByteBuffer* out_ = nullptr;
  std::vector<int> shards_;     // shards with a part, ascending
  std::vector<int> key_shard_;  // per key, in argument order: its shard
  size_t next_ = 0;             // index into shards_ of the part to run next
  bool async_ = false;
  std::shared_ptr<void> keep_alive_;
  std::function<void()> on_done_;
  std::vector<int> key_index_scratch_;
};

}  // namespace redwing
