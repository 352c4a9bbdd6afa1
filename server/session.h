#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/byte_buffer.h"
#include "protocol/reply_builder.h"
#include "server/blocking.h"
#include "server/client_state.h"
#include "server/command_registry.h"
#include "server/multi_shard_op.h"
#include "server/pubsub.h"
#include "server/split_op.h"

namespace redwing {

class Engine;
class HashTable;
class Worker;

// What a Session needs from the connection that owns it.
class SessionOwner {
 public:
  virtual ~SessionOwner() = default;
  // The session, which was waiting, can take commands again (its replies are in out()).
  virtual void OnSessionResumed() = 0;
  // Keeps the owner (and so the session) alive while work for it is on other threads.
  virtual std::shared_ptr<void> KeepAlive() = 0;
  // The CLIENT LIST line of this connection.
  virtual std::string Describe(int64_t now_ms) const = 0;
  // The session blocked (BLPOP...) until `deadline_ms` (wall clock; 0: no deadline): call
  // Session::OnBlockTimeout then, and close the connection if the peer goes away meanwhile.
  virtual void OnSessionBlocked(int64_t deadline_ms) = 0;
  // The session is no longer blocked: stop the timer and the watch.
  virtual void OnSessionUnblocked() = 0;
  // A pub/sub message was added to the session's output (out() or the held pushes): send it
  // soon, and enforce the output buffer limits. Never closes synchronously.
  virtual void OnPushed() = 0;
};

// Executes one client's commands, in order, against the sharded keyspace; replies accumulate in
// out() in request order. Transport-free: the Connection feeds it parsed commands and writes out();
// tests drive it directly.
//
// Routing of one command (see docs/ARCHITECTURE.md):
//  - no keys: runs here, with the ClientState;
//  - keys on one shard that this thread owns and that is free: runs here, at once;
//  - keys on one other shard: appended to that shard's batch for this round; a round's batches
//    are sent together (one message per shard per pipeline read) by Flush();
//  - keys on several shards, for a command whose work divides by key (MSET, MGET, DEL...): each
//    shard's owner runs that shard's part under key locks (SplitOp), after the round's earlier
//    commands have completed; the split commands that follow in the same read join it as one
//    group (one message per shard for all of them), and anything else waits for the group;
//  - other commands with keys on several shards, every shard (DBSIZE, FLUSHALL...), EXEC, WATCH:
//    runs here with the shards held through a MultiShardOp, after the round's earlier commands.
// A command whose keys a SplitOp has locked waits for them (in its shard's queue).
// Replies of a round are reassembled in request order when its batches come back.
//
// Owned by one connection; runs on that connection's worker thread only.
class Session {
 public:
  // `adopted`: the state of a client that moves here from another worker (its id, name,
  // database...); otherwise a new client.
  Session(Engine* engine, Worker* worker, SessionOwner* owner, ClientState* adopted = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  ClientState& client() { return client_; }
  const ClientState& client_const() const { return client_; }
  ByteBuffer& out() { return out_; }
  const ByteBuffer& out_const() const { return out_; }
  Engine* engine() const { return engine_; }
  const SessionOwner& owner() const { return *owner_; }
  Worker* worker() const { return worker_; }

  // Runs or queues one command. `stable` says whether `args` stay valid until the session stops
  // waiting (true for bulk arguments in the read buffer; false for inline ones, which are copied).
  // Returns false when the session must wait: the caller stops feeding commands until
  // OnSessionResumed().
  // `spec`, when given, is what the registry returns for args[0] (the caller looked it up already).
  bool Execute(std::span<const std::string_view> args, bool stable = true,
               const CommandSpec* spec = nullptr);
  // Records that the client sent commands at `now_ms` (wall clock, once per batch of commands;
  // also the time single-shard commands run at).
  void Touch(int64_t now_ms) { client_.last_interaction_ms = now_ms; }

  // For cache hints on a command about to run, given HashKey() of its first argument: the table
  // its lookup will read, or nullptr when this thread may not read that shard now (then no hint).
  // The caller prefetches through it (HashTable::Prefetch) before running anything. Treating the
  // first argument as the key is a guess: a wrong one costs one useless prefetch.
  const HashTable* HintTable(uint64_t hash) const;
  // Ends the current round: sends its cross-shard batches. Returns false if replies are still
  // outstanding.
  bool Flush();
  bool waiting() const { return wait_ != Wait::kNone; }
  // Appends an error reply after everything already executed (e.g. a protocol error).
  void AppendError(std::string_view msg);
  // The connection is closing: drop WATCH registrations. Work in flight still completes.
  void Close();

  // For commands that finish on another thread (kCmdAsync): called by the handler, returns the
  // function that later delivers the reply bytes (on this session's thread).
  std::function<void(std::string)> Suspend();
  // Retries a command held back by CLIENT PAUSE (worker cron or CLIENT UNPAUSE).
  void RetryPaused();
  bool paused() const { return wait_ == Wait::kPaused; }

  // Blocking commands (server/blocking.h). CanBlock: false inside EXEC (the command then answers
  // as if it timed out). Block: called by a kCmdBlocking handler that found nothing to take;
  // registers the client under `keys` and suspends it until a serve, the timeout (ms; 0: none)
  // or the connection's end.
  bool CanBlock() const { return !client_.in_exec; }
  void Block(const CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms,
             BlockedServeFn serve);
  bool blocked() const { return wait_ == Wait::kBlocked; }
  // On this session's thread: a shard served the blocked client `c` (its reply is `bytes`), or
  // asks it to run its command again (`rerun`).
  void OnBlockedWake(const BlockedClient* c, const std::string& bytes, bool rerun);
  // On this session's thread: the blocking timeout expired.
  void OnBlockTimeout();

  // Pub/sub (server/pubsub.h). Subscribe/Unsubscribe update the client's list and this worker's
  // registry; they return false if nothing changed. The caller tells the workers' directories.
  bool Subscribe(PubSubKind kind, std::string_view name);
  bool Unsubscribe(PubSubKind kind, std::string_view name);
  // Drops every subscription of `kind` from the registry and the client's list; returns them.
  std::vector<std::string> UnsubscribeAll(PubSubKind kind);
  // Drops every subscription and tells the directories, without waiting (RESET, close).
  void LeavePubSub();
  // Appends a message frame (`head` with its first byte '>' for RESP3, then `tail`). While a
  // command of this session runs or replies are pending (a round, an operation), the message
  // is held and follows those replies, so it never lands inside one.
  void DeliverPush(std::string_view head, std::string_view tail);
  // Moves held messages to out() if nothing is pending any more.
  void FlushHeldPushes();
  // The connection is being closed for its output limit: drops what is buffered and every
  // message from now on.
  void DropOutput();
  size_t held_push_bytes() const { return held_pushes_.size(); }
  // Whether a command of this session is running on its thread now. PUBLISH clears it while it
  // delivers, before writing its reply: a message to its own client precedes the reply, as in
  // Redis.
  bool command_running() const { return command_running_; }
  void set_command_running(bool running) { command_running_ = running; }

  // Connection migration (Connection::TryMigrate). The shard that this session's latest keyed
  // commands all went to, and how many in a row; the run restarts at 0 when a command runs on
  // this worker's own shard or spans shards. Commands without keys leave it as it is.
  int affinity_shard() const { return affinity_shard_; }
  uint32_t affinity_run() const { return affinity_run_; }
  // Whether nothing of this session is in flight, waiting or buffered, and nothing ties it to
  // this worker: no round, operation, block or pause; no transaction, WATCH or subscription;
  // replies on (CLIENT REPLY ON) and all sent. Its whole state is then its ClientState, which
  // a new session on another worker can take over.
  bool Movable() const;

  // Transactions (called by their command handlers, on this thread).
  void DiscardTransaction();
  void UnwatchAll();

 private:
  class Batch;
  friend class Batch;
  struct Slot {
    int source;  // -1: round_out_; -3: the split group; otherwise the shard whose batch holds it
    uint32_t begin;
    uint32_t end;
  };
  enum class Wait { kNone, kRound, kOp, kAsync, kPaused, kBlocked };

  ByteBuffer& Sink() { return round_ ? round_out_ : out_; }
  bool ExecuteOne(std::span<const std::string_view> args, const CommandSpec* found = nullptr);
  bool Dispatch(const CommandSpec* spec, std::span<const std::string_view> args);
  // CLIENT REPLY OFF/SKIP: drops the reply of the command that just ran (or, if it is still
  // waiting, the reply it will write from `out_mark`).
  void SuppressReply(size_t sink_mark, size_t slot_mark, bool finished);
  void RunHere(const CommandSpec* spec, std::span<const std::string_view> args, ByteBuffer* sink,
               ClientState* client);
  // Runs the handler on the calling thread (which holds the command's shards) and counts it.
  void RunOn(const CommandSpec* spec, std::span<const std::string_view> args, ByteBuffer* sink,
             int db, int resp, ClientState* client);
  // Writes a reply produced here (not by a handler) in request order.
  template <typename Fn>
  void EmitInOrder(Fn&& fn);
  void RunLocal(const CommandSpec* spec, std::span<const std::string_view> args);
  void QueueRemote(int shard, const CommandSpec* spec, std::span<const std::string_view> args,
                   uint64_t key_hash);
  bool RunHeld(std::vector<int> shards, std::span<const std::string_view> args,
               std::function<void()> on_held);
  bool RunSplit(const CommandSpec* spec, std::span<const std::string_view> args);
  // After starting a MultiShardOp: returns true if it already finished, else waits for
  // OnOpDone().
  bool AwaitOp(bool done);
  void OnOpDone();
  // After a command that called Block(): suspends the session. Returns false.
  bool EnterBlocked();
  // Ends the blocked state (the caller has settled the BlockedClient's fate).
  void LeaveBlocked();
  bool Exec(std::span<const std::string_view> args);
  void ExecHeld();
  // EXEC refused as a whole: the transaction and its WATCHes are dropped, `error` is the reply.
  void AbortExec(std::string_view error);
  // Whether maxmemory refuses `spec` now (the OOM error; EXEC aborts).
  bool RefusedForMemory(const CommandSpec* spec) const;
  bool IsPaused(const CommandSpec* spec) const;
  void Stall(std::span<const std::string_view> args);
  // Holds the command until the round in flight completes (sending the round now). Returns false.
  bool StallBehindRound(std::span<const std::string_view> args);
  void OnBatchDone();
  // The round's replies, in request order, into out_; the round ends.
  void FinishRound();
  void Resume();
  std::span<const std::string_view> Stabilize(std::span<const std::string_view> args);

  Engine* const engine_;
  Worker* const worker_;
  SessionOwner* const owner_;
  ClientState client_;
  ByteBuffer out_;

  Wait wait_ = Wait::kNone;
  bool suspend_requested_ = false;
  // A waiting command whose reply CLIENT REPLY says to drop, from this offset of out_.
  bool suppress_pending_ = false;
  size_t suppress_mark_ = 0;
  // The current round (pipelined commands sent to other shards and the replies around them).
  bool round_ = false;
  // The round is a group of split commands (split_), and nothing else runs until it is done.
  bool split_group_ = false;
  ByteBuffer round_out_;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<Batch>> batches_;  // by shard, reused
  std::vector<int> used_batches_;
  int pending_batches_ = 0;
  // A command that had to wait for the round to finish (or for CLIENT PAUSE).
  std::vector<std::string_view> stalled_;
  std::vector<std::string_view> resumed_args_;  // the stalled command while it re-runs
  bool has_stalled_ = false;
  // Copies of arguments that would not stay valid while we wait (inline commands).
  std::deque<std::string> arena_;
  std::deque<std::vector<std::string_view>> arena_views_;
  MultiShardOp op_;
  SplitOp split_;
  std::shared_ptr<void> keep_alive_;
  // Blocking: the client while blocked; the deadline (wall clock ms, 0: none) it keeps when woken
  // to run its command again (-1: none pending); the arguments of that re-run.
  std::shared_ptr<BlockedClient> blocked_;
  bool block_requested_ = false;
  int64_t block_deadline_ms_ = 0;
  int64_t rerun_deadline_ms_ = -1;
  std::vector<std::string> rerun_args_;
  std::vector<int> key_index_scratch_;
  std::vector<int> shard_scratch_;
  // Pub/sub messages waiting for pending replies (DeliverPush).
  ByteBuffer held_pushes_;
  bool command_running_ = false;
  bool drop_output_ = false;
  int affinity_shard_ = -1;
  uint32_t affinity_run_ = 0;
};

}  // namespace redwing
