#include "server/split_op.h"

#include <algorithm>
#include <cassert>
#include <charconv>

#include "protocol/reply_builder.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/cycle_clock.h"
#include "server/engine.h"
#include "server/worker.h"

namespace redwing {

// A reply buffer that grew past this (a huge MGET) is released when the next operation starts.
constexpr size_t kReplyBufferKept = 64 * 1024;

// Posted back to the coordinator when a remote part has run.
class SplitOp::GrantTask final : public Task {
 public:
  explicit GrantTask(SplitOp* op) : op_(op) {}
  void Run() override { op_->OnGranted(); }

 private:
  SplitOp* op_;
};

// Posted to a remote shard's owner to release a part's key locks. Carries its own copy of the
// locked hashes, so the next operation can refill the part while this is still queued, and a
// reference that keeps the session, and so this task, alive until it has run. It is refilled
// only by the next operation's Unlock, after that operation's part ran at the same owner, which
// was behind this task in the owner's inbox.
class SplitOp::UnlockTask final : public Task {
 public:
  explicit UnlockTask(Shard* shard) : shard_(shard) {}
  std::vector<uint64_t>& hashes() { return hashes_; }
  void set_keep_alive(std::shared_ptr<void> k) { keep_alive_ = std::move(k); }
  void Run() override {
    shard_->UnlockKeys(hashes_);
    auto keep = std::move(keep_alive_);  // may destroy this task: touch nothing after
  }

 private:
  Shard* shard_;
  std::vector<uint64_t> hashes_;
  std::shared_ptr<void> keep_alive_;
};

// The group's commands restricted to one shard's keys: one sub-command per command, run in the
// commands' order.
class SplitOp::Part final : public ShardWork {
 public:
  struct Sub {
    uint32_t command;
    int db;
    uint32_t args_begin, args_end;
    uint32_t hashes_begin, hashes_end;
    bool lock;  // its keys stay locked until the operation ends (not the command's last part)
    size_t reply_begin, reply_end;
    size_t cursor;  // the next unread element of an array reply, for reassembly
  };

  Part(SplitOp* op, Shard* shard) : ShardWork(shard), op_(op), unlock_(shard) {}

  void Reset() {
    args_.clear();
    hashes_.clear();
    subs_.clear();
    reply_.Clear();
    reply_.ShrinkIfIdleAbove(kReplyBufferKept);
    active_ = false;
  }
  // Adds a key of command `command`; returns its sub-command's index and whether it is new.
  std::pair<uint32_t, bool> AddKey(uint32_t command, int db, std::string_view name,
                                   std::span<const std::string_view> key_and_values,
                                   uint64_t hash) {
    bool created = subs_.empty() || subs_.back().command != command;
    if (created) {
      auto at = static_cast<uint32_t>(args_.size());
      auto h = static_cast<uint32_t>(hashes_.size());
      subs_.push_back(Sub{command, db, at, at, h, h, false, 0, 0, 0});
      args_.push_back(name);
    }
    Sub& sub = subs_.back();
    args_.insert(args_.end(), key_and_values.begin(), key_and_values.end());
    hashes_.push_back(hash);
    sub.args_end = static_cast<uint32_t>(args_.size());
    sub.hashes_end = static_cast<uint32_t>(hashes_.size());
    return {static_cast<uint32_t>(subs_.size() - 1), created};
  }
  Sub& sub(uint32_t i) { return subs_[i]; }

  // Owner's thread, shard not lent.
  WorkResult Execute() override {
    if (shard()->KeysLocked(hashes_)) return WorkResult::kBlocked;
    RunHere();
    op_->coordinator_->Post(op_->grant_.get());
    return WorkResult::kDone;
  }

  // On the thread holding the shard, none of the part's keys locked by anyone else. The group's
  // own locks do not stop its later commands: they were checked once, before the first ran.
  void RunHere() {
    Shard& s = *shard();
    s.clock().now_ms = NowMs();
    Worker* w = Worker::Current() != nullptr ? Worker::Current() : op_->coordinator_;
    for (Sub& sub : subs_) {
      const Command& command = op_->commands_[sub.command];
      if (sub.lock) s.LockKeys(Hashes(sub));
      sub.reply_begin = reply_.size();
      ReplyBuilder rb(&reply_, command.resp);
      CommandContext ctx;
      ctx.args = std::span<const std::string_view>(args_).subspan(sub.args_begin,
                                                                  sub.args_end - sub.args_begin);
      ctx.spec = command.spec;
      ctx.reply = &rb;
      ctx.engine = op_->engine_;
      ctx.db = sub.db;
      uint64_t start = CycleClock::Now();
      command.spec->handler(ctx);
      // Split commands (MSET, DEL, ...) never store a list or sorted set, so they wake no blocked
      // client: nothing to serve here (Session::RunOn serves after other commands).
      assert(!HasReadyKeys());
      // The coordinator counts the call; each part adds the time it took.
      WorkerCounters::Bump(w->counters().per_command[command.spec->id].cycles,
                           CycleClock::Now() - start);
      sub.reply_end = reply_.size();
      sub.cursor = sub.reply_begin;
    }
  }

  // Coordinator, after the operation: releases the locks taken by RunHere.
  void Unlock(Worker* coordinator, const std::shared_ptr<void>& keep_alive) {
    std::vector<uint64_t>& locked = unlock_.hashes();
    locked.clear();
    for (const Sub& sub : subs_) {
      if (!sub.lock) continue;
      std::span<const uint64_t> h = Hashes(sub);
      locked.insert(locked.end(), h.begin(), h.end());
    }
    if (locked.empty()) return;
    if (shard()->owner() == coordinator) {
      shard()->UnlockKeys(locked);
      return;
    }
    unlock_.set_keep_alive(keep_alive);
    shard()->owner()->Post(&unlock_);
  }

  std::span<const uint64_t> hashes() const { return hashes_; }
  std::string_view Reply(const Sub& sub) const {
    return {reply_.data() + sub.reply_begin, sub.reply_end - sub.reply_begin};
  }
  // The next unread element of sub-command `i`'s (array) reply, for reassembly.
  std::string_view NextElement(uint32_t i);

  bool active_ = false;  // has keys in the current operation

 private:
  std::span<const uint64_t> Hashes(const Sub& sub) const {
    return std::span<const uint64_t>(hashes_).subspan(sub.hashes_begin,
                                                      sub.hashes_end - sub.hashes_begin);
  }

  SplitOp* const op_;
  std::vector<std::string_view> args_;
  std::vector<uint64_t> hashes_;
  std::vector<Sub> subs_;
  ByteBuffer reply_;
  UnlockTask unlock_;
};

namespace {

// Length of the CRLF-terminated line at `p` (including the CRLF), or 0 if incomplete.
size_t LineLength(std::string_view s, size_t p) {
  size_t crlf = s.find("\r\n", p);
  return crlf == std::string_view::npos ? 0 : crlf + 2 - p;
}

int64_t LineInteger(std::string_view s, size_t p) {
  int64_t v = 0;
  size_t len = LineLength(s, p);
  if (len < 3) return 0;
  std::from_chars(s.data() + p + 1, s.data() + p + len - 2, v);
  return v;
}

}  // namespace

std::string_view SplitOp::Part::NextElement(uint32_t i) {
  Sub& sub = subs_[i];
  std::string_view s(reply_.data(), sub.reply_end);
  if (sub.cursor == sub.reply_begin) sub.cursor += LineLength(s, sub.cursor);  // the array header
  size_t start = sub.cursor;
  size_t len = LineLength(s, start);
  if (len != 0 && s[start] == '$') {
    int64_t n = LineInteger(s, start);
    if (n >= 0) len += static_cast<size_t>(n) + 2;
  }
  sub.cursor = std::min(s.size(), start + len);
  return s.substr(start, sub.cursor - start);
}

SplitOp::SplitOp(Engine* engine, Worker* coordinator)
    : engine_(engine), coordinator_(coordinator), grant_(std::make_unique<GrantTask>(this)) {
  for (int i = 0; i < engine->num_shards(); ++i)
    parts_.push_back(std::make_unique<Part>(this, &engine->shard(i)));
}

SplitOp::~SplitOp() = default;

void SplitOp::Clear() {
  for (int s : shards_)
    parts_[static_cast<size_t>(s)]->Reset();
  shards_.clear();
  commands_.clear();
  key_part_.clear();
  command_subs_.clear();
  replies_.Clear();
  replies_.ShrinkIfIdleAbove(kReplyBufferKept);
  reply_at_.clear();
  next_ = 0;
  async_ = false;
}

size_t SplitOp::Add(const CommandSpec* spec, std::span<const std::string_view> args, int db,
                    int resp) {
  assert(spec->split != SplitReply::kNone && spec->key_step > 0);
  const auto index = static_cast<uint32_t>(commands_.size());
  Command command{spec,
                  resp,
                  static_cast<uint32_t>(key_part_.size()),
                  0,
                  static_cast<uint32_t>(command_subs_.size()),
                  0};

  auto& counters = coordinator_->counters();
  WorkerCounters::Bump(counters.per_command[spec->id].calls);
  WorkerCounters::Bump(counters.commands);

  key_index_scratch_.clear();
  spec->FindKeys(args, &key_index_scratch_);
  const size_t step = static_cast<size_t>(spec->key_step);
  int last_shard = -1;
  for (int i : key_index_scratch_) {
    auto at = static_cast<size_t>(i);
    std::string_view key = args[at];
    uint64_t hash = HashKey(key);
    int s = engine_->ShardOf(hash);
    Part& part = *parts_[static_cast<size_t>(s)];
    if (!part.active_) {
      part.active_ = true;
      shards_.push_back(s);
    }
    auto [sub, created] =
        part.AddKey(index, db, args[0], args.subspan(at, std::min(step, args.size() - at)), hash);
    if (created) command_subs_.emplace_back(s, sub);
    key_part_.emplace_back(s, sub);
    last_shard = std::max(last_shard, s);
  }
  command.keys_end = static_cast<uint32_t>(key_part_.size());
  command.subs_end = static_cast<uint32_t>(command_subs_.size());
  // Every part of the command but the last (in shard order) keeps its keys locked.
  for (uint32_t i = command.subs_begin; i < command.subs_end; ++i) {
    auto [s, sub] = command_subs_[i];
    parts_[static_cast<size_t>(s)]->sub(sub).lock = s != last_shard;
  }
  commands_.push_back(command);
  return index;
}

bool SplitOp::Start(std::shared_ptr<void> keep_alive, std::function<void()> on_done) {
  keep_alive_ = std::move(keep_alive);
  on_done_ = std::move(on_done);
  async_ = false;
  next_ = 0;
  std::sort(shards_.begin(), shards_.end());
  Step();
  return !async_;
}

std::string_view SplitOp::Reply(size_t i) const {
  auto [begin, end] = reply_at_[i];
  return {replies_.data() + begin, end - begin};
}

void SplitOp::Step() {
  while (next_ < shards_.size()) {
    Part& part = *parts_[static_cast<size_t>(shards_[next_])];
    Shard& s = *part.shard();
    if (s.owner() == coordinator_ && s.Available() && !s.KeysLocked(part.hashes())) {
      part.RunHere();
      ++next_;
      continue;
    }
    // Remote, or local but busy: the owner runs it when its keys are free and posts a grant.
    async_ = true;
    s.owner()->Post(&part);
    return;
  }
  Finish();
}

void SplitOp::OnGranted() {
  ++next_;
  Step();
}

void SplitOp::Finish() {
  MergeReplies();
  for (int s : shards_)
    parts_[static_cast<size_t>(s)]->Unlock(coordinator_, keep_alive_);
  keep_alive_.reset();
  // `done` may drop the last reference to the session that owns this operation: touch no member
  // after calling it.
  if (async_) {
    auto done = std::move(on_done_);
    on_done_ = nullptr;
    done();
  }
}

void SplitOp::MergeReplies() {
  reply_at_.clear();
  for (const Command& command : commands_) {
    size_t begin = replies_.size();
    ReplyBuilder rb(&replies_, command.resp);
    bool failed = false;
    // A part that failed as a whole (e.g. out of memory) answers for the command.
    for (uint32_t i = command.subs_begin; i < command.subs_end && !failed; ++i) {
      auto [s, sub] = command_subs_[i];
      Part& part = *parts_[static_cast<size_t>(s)];
      std::string_view r = part.Reply(part.sub(sub));
      if (!r.empty() && r[0] == '-') {
        replies_.Append(r);
        failed = true;
      }
    }
    if (!failed) {
      switch (command.spec->split) {
        case SplitReply::kOk:
          rb.Ok();
          break;
        case SplitReply::kSum: {
          int64_t sum = 0;
          for (uint32_t i = command.subs_begin; i < command.subs_end; ++i) {
            auto [s, sub] = command_subs_[i];
            Part& part = *parts_[static_cast<size_t>(s)];
            sum += LineInteger(part.Reply(part.sub(sub)), 0);
          }
          rb.Integer(sum);
          break;
        }
        case SplitReply::kArray:
          rb.ArrayHeader(command.keys_end - command.keys_begin);
          for (uint32_t k = command.keys_begin; k < command.keys_end; ++k) {
            auto [s, sub] = key_part_[k];
            replies_.Append(parts_[static_cast<size_t>(s)]->NextElement(sub));
          }
          break;
        case SplitReply::kNone:
          assert(false && "not a split command");
          break;
      }
    }
    reply_at_.emplace_back(begin, replies_.size());
  }
}

}  // namespace redwing
