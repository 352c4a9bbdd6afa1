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

// Runs multi-key commands whose work divides by key (CommandSpec::split: MSET, MGET, DEL,
// EXISTS, ...) across several shards, each atomically, without lending any shard: each shard's
// owner runs the commands on that shard's keys, and the coordinator merges the parts' replies.
//
// Protocol (see docs/ARCHITECTURE.md): the parts run one after another in ascending shard order.
// A part runs when none of its keys is locked; every part but a command's last then locks that
// command's keys there (Shard::LockKeys). When a command's last part has run, every key of the
// command has been locked at once, which is its atomic point; the locks are released when the
// operation ends. Anyone reading a key that a part already wrote waits until the release, so no
// client can observe half of a command, while the rest of each shard keeps serving. Waits go in
// ascending shard order, like MultiShardOp's, so the two protocols cannot deadlock each other.
//
// One operation may carry a group of commands (a pipeline's consecutive split commands): each
// shard then gets one message with its part of every command, run in the commands' order, so
// the group costs the round trips of one command. The result is that of running the commands
// one after another, each atomically.
//
// Owned by one Session and reused (no allocation per command in steady state); one operation at a
// time. Coordinator-thread only, except each Part's Execute, which runs at its shard's owner.
class SplitOp {
 public:
  SplitOp(Engine* engine, Worker* coordinator);
  ~SplitOp();
  SplitOp(const SplitOp&) = delete;
  SplitOp& operator=(const SplitOp&) = delete;

  // Starts a new group (dropping the previous one's replies).
  void Clear();
  // Adds a command (split != kNone) to the group: `args` must stay valid until the operation
  // ends. Counts the call. Returns the command's index in the group.
  size_t Add(const CommandSpec* spec, std::span<const std::string_view> args, int db, int resp);
  size_t size() const { return commands_.size(); }
  // Runs the group. Returns true if it completed before returning (every part local and free).
  // Otherwise returns false and calls `on_done` on the coordinator's thread once every reply is
  // ready. `keep_alive` keeps the caller (and so this object) alive until remote unlocks have run.
  bool Start(std::shared_ptr<void> keep_alive, std::function<void()> on_done);
  // After the operation: command `i`'s merged reply.
  std::string_view Reply(size_t i) const;

 private:
  class Part;
  class GrantTask;
  class UnlockTask;

  struct Command {
    const CommandSpec* spec;
    int resp;
    uint32_t keys_begin, keys_end;  // into key_part_: per key, in argument order
    uint32_t subs_begin, subs_end;  // into command_subs_: (part, sub index) per shard touched
  };

  void Step();
  void OnGranted();
  void Finish();
  void MergeReplies();

  Engine* const engine_;
  Worker* const coordinator_;
  std::vector<std::unique_ptr<Part>> parts_;  // by shard index, reused
  std::unique_ptr<GrantTask> grant_;
  // The current operation.
  std::vector<Command> commands_;
  // Per key of every command, in argument order: its part's shard and sub index there.
  std::vector<std::pair<int, uint32_t>> key_part_;
  std::vector<std::pair<int, uint32_t>> command_subs_;
  std::vector<int> shards_;  // shards with a part, ascending
  size_t next_ = 0;          // index into shards_ of the part to run next
  bool async_ = false;
  ByteBuffer replies_;                               // merged, in command order
  std::vector<std::pair<size_t, size_t>> reply_at_;  // per command: [begin, end) in replies_
  std::shared_ptr<void> keep_alive_;
  std::function<void()> on_done_;
  std::vector<int> key_index_scratch_;
};

}  // namespace redwing
