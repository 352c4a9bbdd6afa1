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

// Posted back to the coordinator when a remote part has run.
class SplitOp::GrantTask final : public Task {
 public:
  explicit GrantTask(SplitOp* op) : op_(op) {}
  void Run() override { op_->OnGranted(); }

 private:
  SplitOp* op_;
};

// Posted to a remote shard's owner to release a part's key locks. Carries its own copy of the
// hashes (swapped in), so the next operation can refill the part while this is still queued, and
// a reference that keeps the session, and so this task, alive until it has run.
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

// The command restricted to one shard's keys.
class SplitOp::Part final : public ShardWork {
 public:
  Part(SplitOp* op, Shard* shard) : ShardWork(shard), op_(op), unlock_(shard) {}

  void Reset() {
    args_.clear();
    hashes_.clear();
    reply_.Clear();
    cursor_ = 0;
    active_ = false;
  }
  void AddKey(std::string_view name, std::span<const std::string_view> key_and_values,
              uint64_t hash) {
    if (args_.empty()) args_.push_back(name);
    args_.insert(args_.end(), key_and_values.begin(), key_and_values.end());
    hashes_.push_back(hash);
  }

  // Owner's thread, shard not lent.
  WorkResult Execute() override {
    if (shard()->KeysLocked(hashes_)) return WorkResult::kBlocked;
    RunHere();
    op_->coordinator_->Post(op_->grant_.get());
    return WorkResult::kDone;
  }

  // On the thread holding the shard, none of the part's keys locked.
  void RunHere() {
    Shard& s = *shard();
    if (lock_) s.LockKeys(hashes_);
    s.clock().now_ms = NowMs();
    ReplyBuilder rb(&reply_, op_->resp_);
    CommandContext ctx;
    ctx.args = args_;
    ctx.spec = op_->spec_;
    ctx.reply = &rb;
    ctx.engine = op_->engine_;
    ctx.db = db_;
    uint64_t start = CycleClock::Now();
    op_->spec_->handler(ctx);
    // Split commands (MSET, DEL, ...) never store a list or sorted set, so they wake no blocked
    // client: nothing to serve here (Session::RunOn serves after other commands).
    assert(!HasReadyKeys());
    // The coordinator counts the call; each part adds the time it took.
    Worker* w = Worker::Current() != nullptr ? Worker::Current() : op_->coordinator_;
    WorkerCounters::Bump(w->counters().per_command[op_->spec_->id].cycles,
                         CycleClock::Now() - start);
  }

  // Coordinator, after the operation: releases the locks taken by RunHere.
  void Unlock(Worker* coordinator, const std::shared_ptr<void>& keep_alive) {
    if (!lock_) return;
    if (shard()->owner() == coordinator) {
      shard()->UnlockKeys(hashes_);
      return;
    }
    unlock_.hashes().swap(hashes_);
    unlock_.set_keep_alive(keep_alive);
    shard()->owner()->Post(&unlock_);
  }

  const ByteBuffer& reply() const { return reply_; }
  std::span<const uint64_t> hashes() const { return hashes_; }
  // The next unread element of this part's (array) reply, for reassembly.
  std::string_view NextElement();

  bool active_ = false;  // has keys in the current operation
  bool lock_ = false;    // keeps its keys locked until the operation finishes
  int db_ = 0;

 private:
  SplitOp* const op_;
  std::vector<std::string_view> args_;
  std::vector<uint64_t> hashes_;
  ByteBuffer reply_;
  size_t cursor_ = 0;
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

std::string_view SplitOp::Part::NextElement() {
  std::string_view s(reply_.data(), reply_.size());
  if (cursor_ == 0) cursor_ = LineLength(s, 0);  // skip the array header
  size_t start = cursor_;
  size_t len = LineLength(s, start);
  if (len != 0 && s[start] == '$') {
    int64_t n = LineInteger(s, start);
    if (n >= 0) len += static_cast<size_t>(n) + 2;
  }
  cursor_ = std::min(s.size(), start + len);
  return s.substr(start, cursor_ - start);
}

SplitOp::SplitOp(Engine* engine, Worker* coordinator)
    : engine_(engine), coordinator_(coordinator), grant_(std::make_unique<GrantTask>(this)) {
  for (int i = 0; i < engine->num_shards(); ++i)
    parts_.push_back(std::make_unique<Part>(this, &engine->shard(i)));
}

SplitOp::~SplitOp() = default;

bool SplitOp::Run(const CommandSpec* spec, std::span<const std::string_view> args, int db, int resp,
                  ByteBuffer* out, std::shared_ptr<void> keep_alive,
                  std::function<void()> on_done) {
  assert(spec->split != SplitReply::kNone && spec->key_step > 0);
  spec_ = spec;
  resp_ = resp;
  out_ = out;
  keep_alive_ = std::move(keep_alive);
  on_done_ = std::move(on_done);
  async_ = false;
  next_ = 0;
  for (int s : shards_)
    parts_[static_cast<size_t>(s)]->Reset();
  shards_.clear();
  key_shard_.clear();

  auto& counters = coordinator_->counters();
  WorkerCounters::Bump(counters.per_command[spec->id].calls);
  WorkerCounters::Bump(counters.commands);

  key_index_scratch_.clear();
  spec->FindKeys(args, &key_index_scratch_);
  const size_t step = static_cast<size_t>(spec->key_step);
  for (int i : key_index_scratch_) {
    auto index = static_cast<size_t>(i);
    std::string_view key = args[index];
    uint64_t hash = HashKey(key);
    int s = engine_->ShardOf(hash);
    Part& part = *parts_[static_cast<size_t>(s)];
    if (!part.active_) {
      part.active_ = true;
      part.db_ = db;
      shards_.push_back(s);
    }
    part.AddKey(args[0], args.subspan(index, std::min(step, args.size() - index)), hash);
    key_shard_.push_back(s);
  }
  std::sort(shards_.begin(), shards_.end());
  Step();
  return !async_;
}

void SplitOp::Step() {
  while (next_ < shards_.size()) {
    Part& part = *parts_[static_cast<size_t>(shards_[next_])];
    part.lock_ = next_ + 1 < shards_.size();
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
  for (size_t i = 0; i + 1 < shards_.size(); ++i)
    parts_[static_cast<size_t>(shards_[i])]->Unlock(coordinator_, keep_alive_);
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
  ReplyBuilder rb(out_, resp_);
  // A part that failed as a whole (e.g. out of memory) answers for the command.
  for (int s : shards_) {
    const ByteBuffer& r = parts_[static_cast<size_t>(s)]->reply();
    if (r.size() > 0 && r.data()[0] == '-') {
      out_->Append(std::string_view(r.data(), r.size()));
      return;
    }
  }
  switch (spec_->split) {
    case SplitReply::kOk:
      rb.Ok();
      return;
    case SplitReply::kSum: {
      int64_t sum = 0;
      for (int s : shards_) {
        const ByteBuffer& r = parts_[static_cast<size_t>(s)]->reply();
        sum += LineInteger(std::string_view(r.data(), r.size()), 0);
      }
      rb.Integer(sum);
      return;
    }
    case SplitReply::kArray:
      rb.ArrayHeader(key_shard_.size());
      for (int s : key_shard_)
        out_->Append(parts_[static_cast<size_t>(s)]->NextElement());
      return;
    case SplitReply::kNone:
      break;
  }
  assert(false && "not a split command");
}

}  // namespace redwing
