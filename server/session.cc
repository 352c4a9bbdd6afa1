#include "server/session.h"

#include <algorithm>
#include <cassert>
#include <thread>

#include "server/command_context.h"
#include "server/cycle_clock.h"
#include "server/engine.h"
#include "server/errors.h"
#include "server/worker.h"

namespace redwing {

// A slot whose reply CLIENT REPLY OFF/SKIP dropped.
constexpr int kSkipSlot = -2;
// A slot whose reply is the split group's command `begin` (SplitOp::Reply).
constexpr int kGroupSlot = -3;
// Split commands one group may carry: bounds how long the group keeps its first keys locked.
constexpr size_t kMaxSplitGroup = 64;

namespace {

// Whether any key of this invocation is locked by a split operation on `shard` (its owner's
// thread). Called only while some key of the shard is locked, so it may take its time.
bool CommandKeysLocked(const Shard& shard, const CommandSpec* spec,
                       std::span<const std::string_view> args) {
  thread_local std::vector<int> keys;
  keys.clear();
  spec->FindKeys(args, &keys);
  for (int i : keys) {
    if (shard.KeyLocked(HashKey(args[static_cast<size_t>(i)]))) return true;
  }
  return false;
}

// A round's reply buffers (the local replies, each shard's batch) keep their memory between
// rounds up to this size; past it they give it back once the round is over. A session may have
// one per shard, and memory held here counts against maxmemory: one big pipeline must not keep
// megabytes per client.
constexpr size_t kRoundBufferKept = 64 * 1024;

}  // namespace

// The commands of one round bound for one shard, and their replies. Travels to the shard's owner
// (as ShardWork), runs there when the shard is free, then returns home through `back_`.
class Session::Batch final : public ShardWork {
 public:
  Batch(Session* session, Shard* shard) : ShardWork(shard), session_(session), back_(this) {}

  void Reset() {
    next_ = 0;
    cmds_.clear();
    args_.clear();
    replies_.Clear();
    replies_.ShrinkIfIdleAbove(kRoundBufferKept);
    ends_.clear();
  }
  bool empty() const { return cmds_.empty(); }
  // Returns the command's index in the batch.
  // `db` and `resp` are the client's at the time (a pipeline may SELECT or HELLO midway).
  // `key_hash` is HashKey() of the command's first key (for the cache hints).
  uint32_t Add(const CommandSpec* spec, std::span<const std::string_view> args, uint64_t key_hash,
               int db, int resp) {
    cmds_.push_back(Cmd{spec, static_cast<uint32_t>(args_.size()),
                        static_cast<uint32_t>(args.size()), db, resp, key_hash});
    args_.insert(args_.end(), args.begin(), args.end());
    return static_cast<uint32_t>(cmds_.size() - 1);
  }
  // As Connection::ProcessInput does for a pipeline on its own shard: the buckets of every
  // command's first key, then their first entries, so the cache misses of independent lookups
  // overlap.
  void Prefetch(Shard& shard) {
    for (int stage = 0; stage < 2; ++stage) {
      for (const Cmd& c : cmds_) {
        if (c.db < shard.num_dbs()) shard.db(c.db).table().Prefetch(c.key_hash, stage);
      }
    }
  }
  std::string_view Reply(uint32_t i) const {
    uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(replies_.data() + begin, ends_[i] - begin);
  }
  void set_keep_alive(std::shared_ptr<void> k) { keep_alive_ = std::move(k); }

  // Shard owner's thread, shard not lent. Stops (and later resumes) at a command whose keys a
  // split operation has locked.
  WorkResult Execute() override {
    Shard& shard = *this->shard();
    shard.clock().now_ms = NowMs();
    if (next_ == 0 && cmds_.size() > 1) Prefetch(shard);
    for (; next_ < cmds_.size(); ++next_) {
      const Cmd& c = cmds_[next_];
      std::span<const std::string_view> args(args_.data() + c.arg_begin, c.argc);
      if (shard.AnyKeyLocked() && CommandKeysLocked(shard, c.spec, args)) {
        return WorkResult::kBlocked;
      }
      session_->RunOn(c.spec, args, &replies_, c.db, c.resp, nullptr);
      ends_.push_back(static_cast<uint32_t>(replies_.size()));
    }
    session_->worker_->Post(&back_);
    return WorkResult::kDone;
  }

 private:
  struct Cmd {
    const CommandSpec* spec;
    uint32_t arg_begin;
    uint32_t argc;
    int db;
    int resp;
    uint64_t key_hash;
  };
  class Back final : public Task {
   public:
    explicit Back(Batch* b) : batch_(b) {}
    void Run() override {
      auto keep = std::move(batch_->keep_alive_);
      batch_->session_->OnBatchDone();
    }

   private:
    Batch* batch_;
  };

  Session* session_;
  Back back_;
  size_t next_ = 0;  // the first command not run yet
  std::vector<Cmd> cmds_;
  std::vector<std::string_view> args_;
  ByteBuffer replies_;
  std::vector<uint32_t> ends_;
  std::shared_ptr<void> keep_alive_;
};

Session::Session(Engine* engine, Worker* worker, SessionOwner* owner, ClientState* adopted)
    : engine_(engine), worker_(worker), owner_(owner), op_(engine, worker), split_(engine, worker) {
  if (adopted != nullptr) {
    client_ = std::move(*adopted);
  } else {
    client_.id = engine->next_client_id.fetch_add(1);
    client_.created_ms = client_.last_interaction_ms = NowMs();
    client_.authenticated = !engine->config().requirepass_set();
  }
  for (int i = 0; i < engine->num_shards(); ++i) {
    batches_.push_back(std::make_unique<Batch>(this, &engine->shard(i)));
  }
}

Session::~Session() = default;

bool Session::Movable() const {
  return wait_ == Wait::kNone && !round_ && !split_group_ && pending_batches_ == 0 &&
         !has_stalled_ && blocked_ == nullptr && rerun_deadline_ms_ < 0 && !drop_output_ &&
         out_.empty() && held_pushes_.empty() && !client_.in_multi && client_.watched.empty() &&
         client_.watch_state == nullptr && !client_.subscribed() &&
         client_.reply_mode == ClientState::ReplyMode::kOn && !client_.skip_next_reply &&
         !client_.close_after_reply;
}

std::span<const std::string_view> Session::Stabilize(std::span<const std::string_view> args) {
  auto& views = arena_views_.emplace_back();
  for (std::string_view a : args)
    views.push_back(arena_.emplace_back(a));
  return views;
}

template <typename Fn>
void Session::EmitInOrder(Fn&& fn) {
  ReplyBuilder rb(&Sink(), client_.resp);
  uint32_t begin = static_cast<uint32_t>(round_out_.size());
  fn(rb);
  if (round_) slots_.push_back(Slot{-1, begin, static_cast<uint32_t>(round_out_.size())});
}

const HashTable* Session::HintTable(uint64_t hash) const {
  Shard& shard = engine_->shard(engine_->ShardOf(hash));
  // Only a shard this thread holds right now may be read, even for a hint.
  if (shard.owner() != worker_ || !shard.Available() || client_.db >= shard.num_dbs()) {
    return nullptr;
  }
  return &shard.db(client_.db).table();
}

bool Session::Execute(std::span<const std::string_view> args, bool stable,
                      const CommandSpec* spec) {
  assert(!waiting());
  if (args.empty()) return true;
  if (!round_ && !stable) {
    // Nothing in flight refers to earlier copies any more.
    arena_.clear();
    arena_views_.clear();
  }
  if (!stable) args = Stabilize(args);
  bool skip_this = client_.skip_next_reply;
  client_.skip_next_reply = false;
  if (!skip_this && client_.reply_mode == ClientState::ReplyMode::kOn) {
    return ExecuteOne(args, spec);
  }
  size_t sink_mark = round_ ? round_out_.size() : out_.size();
  size_t slot_mark = slots_.size();
  bool done = ExecuteOne(args, spec);
  // CLIENT REPLY ON answers even though replies were off when it arrived.
  if (skip_this || client_.reply_mode == ClientState::ReplyMode::kOff) {
    SuppressReply(sink_mark, slot_mark, done);
  }
  return done;
}

void Session::SuppressReply(size_t sink_mark, size_t slot_mark, bool finished) {
  if (!finished) {
    // Still running (held shards, async): its reply lands in out_ when it completes.
    if (!round_) {
      suppress_pending_ = true;
      suppress_mark_ = out_.size();
    }
    for (size_t i = slot_mark; i < slots_.size(); ++i)
      slots_[i].source = kSkipSlot;
    return;
  }
  if (slot_mark < slots_.size()) {
    for (size_t i = slot_mark; i < slots_.size(); ++i)
      slots_[i].source = kSkipSlot;
  } else if (!round_) {
    out_.Resize(sink_mark);
  }
}

bool Session::ExecuteOne(std::span<const std::string_view> args, const CommandSpec* found) {
  const CommandRegistry& registry = CommandRegistry::Get();
  auto reject = [&](std::string_view msg, const CommandSpec* spec) {
    if (client_.in_multi) client_.multi_error = true;
    if (spec != nullptr) WorkerCounters::Bump(worker_->counters().per_command[spec->id].rejected);
    EmitInOrder([&](ReplyBuilder& rb) { rb.Error(msg); });
    return true;
  };

  const CommandSpec* spec = found != nullptr ? found : registry.Find(args[0]);
  if (spec == nullptr) {
    return reject(errors::UnknownCommand(args[0], args.data() + 1, args.size() - 1), nullptr);
  }
  // A container runs its subcommand; alone, it runs itself only if its arity allows (COMMAND).
  if (!spec->subcommands.empty() && (args.size() >= 2 || spec->arity != -1)) {
    if (args.size() < 2) return reject(errors::WrongArity(spec->name), spec);
    const CommandSpec* sub = spec->FindSubcommand(args[1]);
    if (sub == nullptr) return reject(errors::UnknownSubcommand(args[1], args[0]), spec);
    spec = sub;
  }
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && argc != spec->arity) || argc < -spec->arity) {
    return reject(errors::WrongArity(spec->name), spec);
  }
  if (!client_.authenticated && (spec->flags & kCmdNoAuth) == 0) {
    if (engine_->config().requirepass_set()) return reject(errors::kNoAuth, spec);
    client_.authenticated = true;
  }
  if (engine_->config().maxmemory() > 0 && RefusedForMemory(spec)) {
    if ((spec->flags & kCmdExec) && client_.in_multi) {
      AbortExec(std::string(errors::kExecAbortBecause) + std::string(errors::kOom));
      return true;
    }
    return reject(errors::kOom, spec);
  }
  if (engine_->config().persistence() != PersistPolicy::kNone) {
    // As Redis with a failing AOF: writes (and PING) are refused while the disk refuses them.
    std::string why;
    if (((spec->flags & kCmdWrite) || spec->name == "ping") && engine_->PersistenceError(&why)) {
      return reject(std::string(errors::kMisconfPrefix) + why, spec);
    }
    if (engine_->loading() && (spec->flags & kCmdLoading) == 0) {
      return reject(errors::kLoading, spec);
    }
  }
  if (client_.resp == 2 && client_.subscribed() && (spec->flags & kCmdSubscribedContext) == 0) {
    return reject("ERR Can't execute '" + spec->name +
                      "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                      "allowed in this context",
                  spec);
  }
  // Refused in MULTI: Redis's no_multi commands, and commands that finish on other threads, which
  // cannot answer inside EXEC's single reply.
  if (client_.in_multi && (spec->flags & (kCmdRefusedInMulti | kCmdAsync))) {
    return reject(errors::kNotInTransaction, spec);
  }
  if (client_.in_multi && (spec->flags & kCmdNoMulti) == 0) {
    QueuedCommand q;
    q.spec = spec;
    for (std::string_view a : args)
      q.args.emplace_back(a);
    client_.queued.push_back(std::move(q));
    EmitInOrder([](ReplyBuilder& rb) { rb.SimpleString("QUEUED"); });
    return true;
  }
  if (IsPaused(spec)) {
    // Behind a round in flight, the command re-runs (and re-checks the pause) when it completes.
    if (round_) return StallBehindRound(args);
    Stall(args);
    wait_ = Wait::kPaused;
    // Nothing else is in flight for this connection while it waits: keep it alive.
    keep_alive_ = owner_->KeepAlive();
    return false;
  }
  client_.last_command = spec;
  return Dispatch(spec, args);
}

bool Session::RefusedForMemory(const CommandSpec* spec) const {
  // As Redis: commands that may use memory, EXEC if it queued any, and, inside MULTI, anything
  // but what ends the transaction (queueing itself takes memory).
  bool may_use = (spec->flags & kCmdDenyOom) != 0;
  if (spec->flags & kCmdExec) {
    for (const QueuedCommand& q : client_.queued)
      may_use = may_use || (q.spec->flags & kCmdDenyOom) != 0;
  } else if (client_.in_multi && (spec->flags & kCmdEndsTransaction) == 0) {
    may_use = true;
  }
  return may_use && engine_->OutOfMemory();
}

bool Session::IsPaused(const CommandSpec* spec) const {
  int64_t until = engine_->pause_until_ms.load(std::memory_order_relaxed);
  if (until == 0 || until <= NowMs()) return false;
  if (engine_->pause_writes_only.load(std::memory_order_relaxed)) {
    return (spec->flags & kCmdWrite) != 0;
  }
  return true;
}

void Session::Stall(std::span<const std::string_view> args) {
  stalled_.assign(args.begin(), args.end());
  has_stalled_ = true;
}

bool Session::StallBehindRound(std::span<const std::string_view> args) {
  Stall(args);
  return Flush();  // false: the command re-runs from Resume() when the round completes
}

bool Session::Dispatch(const CommandSpec* spec, std::span<const std::string_view> args) {
  // Behind a split group nothing else joins the round: it would run before the group does.
  if (split_group_ && spec->split == SplitReply::kNone) return StallBehindRound(args);
  if (spec->flags & kCmdExec) return Exec(args);
  if (spec->HoldsAllShards(args) && engine_->loading()) {
    // INFO while shards load: it reads no shard then, and a loading shard cannot be held.
    RunLocal(spec, args);
    return true;
  }
  if (spec->HoldsAllShards(args)) {
    std::vector<int> all(static_cast<size_t>(engine_->num_shards()));
    for (int i = 0; i < engine_->num_shards(); ++i)
      all[static_cast<size_t>(i)] = i;
    return RunHeld(std::move(all), args,
                   [this, spec, args] { RunHere(spec, args, &out_, &client_); });
  }
  if (spec->routes_by_keys()) {
    key_index_scratch_.clear();
    spec->FindKeys(args, &key_index_scratch_);
    shard_scratch_.clear();
    uint64_t first_key_hash = 0;
    for (int i : key_index_scratch_) {
      uint64_t hash = HashKey(args[static_cast<size_t>(i)]);
      if (shard_scratch_.empty()) first_key_hash = hash;
      shard_scratch_.push_back(engine_->ShardOf(hash));
    }
    std::sort(shard_scratch_.begin(), shard_scratch_.end());
    shard_scratch_.erase(std::unique(shard_scratch_.begin(), shard_scratch_.end()),
                         shard_scratch_.end());
    bool single = shard_scratch_.size() == 1;
    if (!single || engine_->shard(shard_scratch_[0]).owner() == worker_) {
      affinity_run_ = 0;
    } else if (shard_scratch_[0] == affinity_shard_) {
      ++affinity_run_;
    } else {
      affinity_shard_ = shard_scratch_[0];
      affinity_run_ = 1;
    }
    // Behind a split group, a split command joins it even with its keys on one shard.
    if (split_group_ && spec->split != SplitReply::kNone) return RunSplit(spec, args);
    if (single && (spec->flags & (kCmdClient | kCmdAsync | kCmdBlocking)) == 0) {
      int s = shard_scratch_[0];
      Shard& shard = engine_->shard(s);
      bool batch_used = !batches_[static_cast<size_t>(s)]->empty();
      if (shard.owner() == worker_ && shard.Available() && !batch_used &&
          !(shard.AnyKeyLocked() && CommandKeysLocked(shard, spec, args))) {
        shard.clock().now_ms = client_.last_interaction_ms;
        RunLocal(spec, args);
      } else {
        QueueRemote(s, spec, args, first_key_hash);
      }
      return true;
    }
    if (!shard_scratch_.empty()) {
      if (spec->split != SplitReply::kNone) return RunSplit(spec, args);
      return RunHeld(shard_scratch_, args,
                     [this, spec, args] { RunHere(spec, args, &out_, &client_); });
    }
    // A keyed command whose key arguments turned out empty (e.g. numkeys 0): run here.
  }
  if (spec->flags & (kCmdAsync | kCmdAwaitsWorkers)) {
    if (round_) return StallBehindRound(args);
    RunHere(spec, args, &out_, &client_);
    if (suspend_requested_) {
      suspend_requested_ = false;
      wait_ = Wait::kAsync;
      return false;
    }
    return true;
  }
  RunLocal(spec, args);
  return true;
}

void Session::RunLocal(const CommandSpec* spec, std::span<const std::string_view> args) {
  if (!round_) {
    RunHere(spec, args, &out_, &client_);
    return;
  }
  uint32_t begin = static_cast<uint32_t>(round_out_.size());
  RunHere(spec, args, &round_out_, &client_);
  slots_.push_back(Slot{-1, begin, static_cast<uint32_t>(round_out_.size())});
}

void Session::RunHere(const CommandSpec* spec, std::span<const std::string_view> args,
                      ByteBuffer* sink, ClientState* client) {
  RunOn(spec, args, sink, client_.db, client_.resp, client);
}

void Session::RunOn(const CommandSpec* spec, std::span<const std::string_view> args,
                    ByteBuffer* sink, int db, int resp, ClientState* client) {
  ReplyBuilder rb(sink, resp);
  CommandContext ctx;
  ctx.args = args;
  ctx.spec = spec;
  ctx.reply = &rb;
  ctx.engine = engine_;
  ctx.db = db;
  ctx.client = client;
  ctx.session = client != nullptr ? this : nullptr;
  size_t before = sink->size();
  uint64_t start = CycleClock::Now();
  // Make room first for a command that may use memory (not inside EXEC: Redis evicts before a
  // transaction, never in the middle of one). With persistence, reads may use memory too: they
  // bring values back from disk.
  if (((spec->flags & kCmdDenyOom) || engine_->config().persistence() != PersistPolicy::kNone) &&
      spec->has_keys() && engine_->OverMaxmemory() && (client == nullptr || !client->in_exec)) {
    thread_local std::vector<int> keys;
    keys.clear();
    spec->FindKeys(args, &keys);
    if (!keys.empty()) engine_->MakeRoom(args[static_cast<size_t>(keys[0])]);
  }
  bool was_running = command_running_;
  if (client != nullptr) command_running_ = true;
  spec->handler(ctx);
  command_running_ = was_running;
  // Clients blocked on keys this command filled are served now, while their shards are held
  // (after the whole transaction, inside EXEC).
  if (HasReadyKeys() && (client == nullptr || !client->in_exec)) ServeReadyKeys(engine_);
  uint64_t spent = CycleClock::Now() - start;
  Worker* w = Worker::Current() != nullptr ? Worker::Current() : worker_;
  auto& c = w->counters().per_command[spec->id];
  WorkerCounters::Bump(c.calls);
  WorkerCounters::Bump(c.cycles, spent);
  WorkerCounters::Bump(w->counters().commands);
  if (sink->size() > before && sink->data()[before] == '-') WorkerCounters::Bump(c.failed);
}

void Session::QueueRemote(int shard, const CommandSpec* spec,
                          std::span<const std::string_view> args, uint64_t key_hash) {
  if (!round_) {
    round_ = true;
    round_out_.Clear();
    slots_.clear();
  }
  Batch& b = *batches_[static_cast<size_t>(shard)];
  if (b.empty()) used_batches_.push_back(shard);
  uint32_t index = b.Add(spec, args, key_hash, client_.db, client_.resp);
  slots_.push_back(Slot{shard, index, index});
}

bool Session::Flush() {
  if (!round_) return true;
  if (split_group_) {
    pending_batches_ = 1;
    wait_ = Wait::kRound;
    keep_alive_ = owner_->KeepAlive();
    // A worker owns one shard, so a command over two shards has a part on another worker's: the
    // group always completes later, in OnBatchDone.
    [[maybe_unused]] bool done = split_.Start(keep_alive_, [this] { OnBatchDone(); });
    assert(!done);
    return false;
  }
  pending_batches_ = static_cast<int>(used_batches_.size());
  wait_ = Wait::kRound;
  keep_alive_ = owner_->KeepAlive();
  for (int s : used_batches_) {
    Batch& b = *batches_[static_cast<size_t>(s)];
    b.set_keep_alive(keep_alive_);
    engine_->shard(s).owner()->Post(&b);
  }
  return false;
}

void Session::OnBatchDone() {
  if (--pending_batches_ > 0) return;
  FinishRound();
  wait_ = Wait::kNone;
  Resume();
}

void Session::FinishRound() {
  for (const Slot& slot : slots_) {
    if (slot.source == kSkipSlot) continue;
    if (slot.source == kGroupSlot) {
      out_.Append(split_.Reply(slot.begin));
    } else if (slot.source < 0) {
      out_.Append(round_out_.data() + slot.begin, slot.end - slot.begin);
    } else {
      out_.Append(batches_[static_cast<size_t>(slot.source)]->Reply(slot.begin));
    }
  }
  for (int s : used_batches_)
    batches_[static_cast<size_t>(s)]->Reset();
  used_batches_.clear();
  slots_.clear();
  round_out_.Clear();
  round_out_.ShrinkIfIdleAbove(kRoundBufferKept);
  round_ = false;
  split_group_ = false;
}

void Session::Resume() {
  auto keep = std::move(keep_alive_);
  if (suppress_pending_) {
    suppress_pending_ = false;
    out_.Resize(suppress_mark_);
  }
  if (has_stalled_) {
    has_stalled_ = false;
    // Re-run from the top: the pause may still hold, or the command may need shards now. The
    // arguments live in a member: an operation it starts may outlive this call.
    resumed_args_ = std::move(stalled_);
    stalled_.clear();
    if (!Execute(resumed_args_, /*stable=*/true)) return;
  }
  owner_->OnSessionResumed();
}

bool Session::RunHeld(std::vector<int> shards, std::span<const std::string_view> args,
                      std::function<void()> on_held) {
  if (round_) return StallBehindRound(args);
  keep_alive_ = owner_->KeepAlive();
  return AwaitOp(op_.Run(std::move(shards), std::move(on_held), [this] { OnOpDone(); }));
}

bool Session::RunSplit(const CommandSpec* spec, std::span<const std::string_view> args) {
  // The parts would each check their own arguments: a malformed command must fail whole, before
  // any part writes (MSET with a key but no value).
  if ((args.size() - static_cast<size_t>(spec->first_key)) % static_cast<size_t>(spec->key_step)) {
    auto& c = worker_->counters().per_command[spec->id];
    WorkerCounters::Bump(c.calls);
    WorkerCounters::Bump(c.failed);
    EmitInOrder([&](ReplyBuilder& rb) { rb.Error(errors::WrongArity(spec->name)); });
    return true;
  }
  if (round_ && (!split_group_ || split_.size() >= kMaxSplitGroup)) {
    return StallBehindRound(args);
  }
  if (!split_group_) {
    // Open a group, which the split commands that follow in this read join, so they all cost one
    // message per shard (sent by Flush).
    round_ = true;
    split_group_ = true;
    round_out_.Clear();
    slots_.clear();
    split_.Clear();
  }
  auto index = static_cast<uint32_t>(split_.Add(spec, args, client_.db, client_.resp));
  slots_.push_back(Slot{kGroupSlot, index, index});
  return true;
}

bool Session::AwaitOp(bool done) {
  if (done) {
    keep_alive_.reset();
    if (block_requested_) return EnterBlocked();
    rerun_deadline_ms_ = -1;
    return true;
  }
  wait_ = Wait::kOp;
  return false;
}

void Session::OnOpDone() {
  wait_ = Wait::kNone;
  if (block_requested_) {
    EnterBlocked();
    return;
  }
  rerun_deadline_ms_ = -1;
  Resume();
}

// ---- Blocking commands (server/blocking.h) ----

void Session::Block(const CommandContext& ctx, std::span<const std::string_view> keys,
                    int64_t timeout_ms, BlockedServeFn serve) {
  auto c = std::make_shared<BlockedClient>();
  c->worker = worker_;
  c->session = this;
  c->owner = owner_->KeepAlive();
  c->spec = ctx.spec;
  c->args.assign(ctx.args.begin(), ctx.args.end());
  c->db = client_.db;
  c->resp = client_.resp;
  c->serve = serve;
  for (std::string_view k : keys) {
    if (std::find(c->keys.begin(), c->keys.end(), k) == c->keys.end()) c->keys.emplace_back(k);
  }
  // The caller holds every key's shard.
  for (const std::string& k : c->keys)
    engine_->shard(engine_->ShardOfKey(k)).blocking().Add(c->db, k, c);
  if (rerun_deadline_ms_ >= 0) {
    block_deadline_ms_ = rerun_deadline_ms_;
  } else if (timeout_ms == 0 || timeout_ms > INT64_MAX - client_.last_interaction_ms) {
    block_deadline_ms_ = 0;
  } else {
    block_deadline_ms_ = client_.last_interaction_ms + timeout_ms;
  }
  rerun_deadline_ms_ = -1;
  blocked_ = std::move(c);
  block_requested_ = true;
}

bool Session::EnterBlocked() {
  block_requested_ = false;
  wait_ = Wait::kBlocked;
  engine_->blocked_clients.fetch_add(1, std::memory_order_relaxed);
  keep_alive_ = owner_->KeepAlive();  // until LeaveBlocked, on this thread
  owner_->OnSessionBlocked(block_deadline_ms_);
  return false;
}

void Session::LeaveBlocked() {
  engine_->blocked_clients.fetch_sub(1, std::memory_order_relaxed);
  blocked_.reset();
  owner_->OnSessionUnblocked();
  wait_ = Wait::kNone;
}

void Session::OnBlockedWake(const BlockedClient* c, const std::string& bytes, bool rerun) {
  if (blocked_.get() != c || wait_ != Wait::kBlocked) return;
  if (rerun) {
    // Run the command again (through the normal routing, with every shard it needs), keeping
    // the deadline; it may block again.
    rerun_args_ = std::move(blocked_->args);
    stalled_.assign(rerun_args_.begin(), rerun_args_.end());
    has_stalled_ = true;
    rerun_deadline_ms_ = block_deadline_ms_;
  } else {
    out_.Append(bytes);
  }
  LeaveBlocked();
  Resume();
}

void Session::OnBlockTimeout() {
  std::shared_ptr<BlockedClient> c = blocked_;
  if (c == nullptr || wait_ != Wait::kBlocked) return;
  int expected = BlockedClient::kWaiting;
  while (
      !c->state.compare_exchange_weak(expected, BlockedClient::kDone, std::memory_order_acq_rel)) {
    if (expected == BlockedClient::kDone) return;  // served: the reply is on its way
    expected = BlockedClient::kWaiting;            // a shard is serving it this instant
    std::this_thread::yield();
  }
  UnregisterBlocked(engine_, c, nullptr);
  ReplyBuilder rb(&out_, client_.resp);
  rb.NullArray();
  LeaveBlocked();
  Resume();
}

std::function<void(std::string)> Session::Suspend() {
  suspend_requested_ = true;
  auto keep = owner_->KeepAlive();
  return [this, keep](std::string bytes) {
    out_.Append(bytes);
    wait_ = Wait::kNone;
    Resume();
  };
}

void Session::RetryPaused() {
  if (wait_ != Wait::kPaused) return;
  const CommandSpec* spec = nullptr;
  if (has_stalled_) {
    spec = CommandRegistry::Get().Find(stalled_[0]);
    if (spec != nullptr && !spec->subcommands.empty() && stalled_.size() > 1) {
      if (const CommandSpec* sub = spec->FindSubcommand(stalled_[1])) spec = sub;
    }
  }
  if (spec != nullptr && IsPaused(spec)) return;
  wait_ = Wait::kNone;
  Resume();
}

void Session::AppendError(std::string_view msg) {
  ReplyBuilder rb(&out_, client_.resp);
  rb.Error(msg);
}

bool Session::Exec(std::span<const std::string_view> args) {
  if (!client_.in_multi) {
    EmitInOrder([](ReplyBuilder& rb) { rb.Error(errors::kExecWithoutMulti); });
    return true;
  }
  if (client_.multi_error) {
    AbortExec(errors::kExecAbort);
    return true;
  }
  std::vector<int> shards;
  std::vector<int> keys;
  for (const QueuedCommand& q : client_.queued) {
    std::vector<std::string_view> views(q.args.begin(), q.args.end());
    if (q.spec->HoldsAllShards(views)) {
      shards.clear();
      for (int i = 0; i < engine_->num_shards(); ++i)
        shards.push_back(i);
      break;
    }
    keys.clear();
    q.spec->FindKeys(views, &keys);
    for (int k : keys)
      shards.push_back(engine_->ShardOfKey(views[static_cast<size_t>(k)]));
  }
  for (const auto& w : client_.watched)
    shards.push_back(engine_->ShardOfKey(w.key));
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  return RunHeld(std::move(shards), args, [this] { ExecHeld(); });
}

void Session::AbortExec(std::string_view error) {
  DiscardTransaction();
  UnwatchAll();
  EmitInOrder([error](ReplyBuilder& rb) { rb.Error(error); });
}

void Session::ExecHeld() {
  ReplyBuilder rb(&out_, client_.resp);
  bool abort = client_.watch_state != nullptr && client_.watch_state->dirty.load();
  for (const auto& w : client_.watched) {
    if (abort) break;
    Database& db = engine_->shard(engine_->ShardOfKey(w.key)).db(w.db);
    Entry** link = db.table().Find(w.key, HashKey(w.key));
    if (w.existed && link != nullptr && db.IsLogicallyExpired(*link)) abort = true;
  }
  // We hold the watched keys' shards: drop their registrations directly.
  for (const auto& w : client_.watched) {
    engine_->shard(engine_->ShardOfKey(w.key))
        .db(w.db)
        .RemoveWatch(w.key, client_.watch_state.get());
  }
  client_.watched.clear();
  client_.watch_state.reset();
  std::vector<QueuedCommand> queued = std::move(client_.queued);
  client_.queued.clear();
  client_.in_multi = false;
  client_.multi_error = false;
  WorkerCounters::Bump(
      worker_->counters().per_command[CommandRegistry::Get().Find("exec")->id].calls);
  if (abort) {
    rb.NullArray();
    return;
  }
  rb.ArrayHeader(queued.size());
  client_.in_exec = true;
  command_running_ = true;  // messages wait until EXEC's whole reply is written
  for (const QueuedCommand& q : queued) {
    std::vector<std::string_view> views(q.args.begin(), q.args.end());
    RunHere(q.spec, views, &out_, &client_);
  }
  client_.in_exec = false;
  command_running_ = false;
  if (HasReadyKeys()) ServeReadyKeys(engine_);
}

void Session::DiscardTransaction() {
  client_.queued.clear();
  client_.in_multi = false;
  client_.multi_error = false;
}

void Session::UnwatchAll() {
  if (client_.watched.empty()) {
    client_.watch_state.reset();
    return;
  }
  std::shared_ptr<WatchState> state = std::move(client_.watch_state);
  for (auto& w : client_.watched) {
    Shard* shard = &engine_->shard(engine_->ShardOfKey(w.key));
    RunOnShardAsync(shard, [shard, state, db = w.db, key = std::move(w.key)] {
      shard->db(db).RemoveWatch(key, state.get());
    });
  }
  client_.watched.clear();
}

// ---- Pub/sub ----

bool Session::Subscribe(PubSubKind kind, std::string_view name) {
  if (!worker_->pubsub().AddLocal(kind, name, this)) return false;
  client_.subscriptions[static_cast<int>(kind)].emplace_back(name);
  return true;
}

bool Session::Unsubscribe(PubSubKind kind, std::string_view name) {
  if (!worker_->pubsub().RemoveLocal(kind, name, this)) return false;
  auto& list = client_.subscriptions[static_cast<int>(kind)];
  list.erase(std::find(list.begin(), list.end(), name));
  return true;
}

std::vector<std::string> Session::UnsubscribeAll(PubSubKind kind) {
  std::vector<std::string> names = std::move(client_.subscriptions[static_cast<int>(kind)]);
  client_.subscriptions[static_cast<int>(kind)].clear();
  for (const std::string& n : names)
    worker_->pubsub().RemoveLocal(kind, n, this);
  return names;
}

void Session::DropOutput() {
  drop_output_ = true;
  out_.Clear();
  held_pushes_.Clear();
}

void Session::DeliverPush(std::string_view head, std::string_view tail) {
  if (drop_output_) return;
  bool now = !command_running_ && !round_ &&
             (wait_ == Wait::kNone || wait_ == Wait::kBlocked || wait_ == Wait::kPaused);
  ByteBuffer& dst = now ? out_ : held_pushes_;
  size_t at = dst.size();
  dst.Append(head);
  if (client_.resp == 3) dst.data()[at] = '>';
  dst.Append(tail);
  owner_->OnPushed();
}

void Session::FlushHeldPushes() {
  if (held_pushes_.empty() || command_running_ || round_ ||
      !(wait_ == Wait::kNone || wait_ == Wait::kBlocked || wait_ == Wait::kPaused)) {
    return;
  }
  out_.Append(held_pushes_.view());
  held_pushes_.Clear();
}

void Session::LeavePubSub() {
  std::vector<SubscriptionChange> changes;
  for (int k = 0; k < kPubSubKinds; ++k) {
    auto kind = static_cast<PubSubKind>(k);
    for (std::string& n : UnsubscribeAll(kind))
      changes.push_back(SubscriptionChange{kind, std::move(n), -1});
  }
  // At shutdown other workers may have stopped: their directories no longer matter.
  if (!changes.empty() && !engine_->stopping()) {
    BroadcastSubscriptionChanges(engine_, worker_, std::move(changes), nullptr);
  }
}

void Session::Close() {
  LeavePubSub();
  UnwatchAll();
  if (std::shared_ptr<BlockedClient> c = blocked_) {
    int expected = BlockedClient::kWaiting;
    while (!c->state.compare_exchange_weak(expected, BlockedClient::kDone,
                                           std::memory_order_acq_rel)) {
      if (expected == BlockedClient::kDone) break;  // served: its reply will be dropped
      expected = BlockedClient::kWaiting;
      std::this_thread::yield();
    }
    if (expected == BlockedClient::kWaiting) UnregisterBlocked(engine_, c, nullptr);
    blocked_.reset();
    block_requested_ = false;  // a Block() whose operation has not finished yet
    if (wait_ == Wait::kBlocked) {
      engine_->blocked_clients.fetch_sub(1, std::memory_order_relaxed);
      wait_ = Wait::kNone;
      // The connection may be what keep_alive_ holds last: let it go after this call returns.
      worker_->Post(new FunctionTask([k = std::move(keep_alive_)] {}));
    }
  }
}

}  // namespace redwing
