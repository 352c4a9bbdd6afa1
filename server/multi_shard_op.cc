#include "server/multi_shard_op.h"

#include <cassert>
#include <chrono>

#include "server/engine.h"
#include "server/worker.h"

namespace redwing {

class MultiShardOp::GrantTask final : public Task {
 public:
  explicit GrantTask(MultiShardOp* op) : op_(op) {}
  void Run() override { op_->OnGranted(); }

 private:
  MultiShardOp* op_;
};

class MultiShardOp::AcquireWork final : public ShardWork {
 public:
  AcquireWork(MultiShardOp* op, Shard* shard) : ShardWork(shard), op_(op) {}
  WorkResult Execute() override {
    if (shard()->AnyKeyLocked()) return WorkResult::kBlocked;
    shard()->Lend(op_->coordinator_);
    op_->coordinator_->Post(op_->grant_.get());
    return WorkResult::kLent;
  }
  bool is_lend() const override { return true; }

 private:
  MultiShardOp* op_;
};

MultiShardOp::MultiShardOp(Engine* engine, Worker* coordinator)
    : engine_(engine), coordinator_(coordinator), grant_(std::make_unique<GrantTask>(this)) {
  for (int i = 0; i < engine->num_shards(); ++i) {
    acquire_.push_back(std::make_unique<AcquireWork>(this, &engine->shard(i)));
  }
}

MultiShardOp::~MultiShardOp() = default;

bool MultiShardOp::Run(std::vector<int> shards, std::function<void()> on_held,
                       std::function<void()> on_done) {
  assert(!active_ && "one operation at a time per session");
  shards_ = std::move(shards);
  on_held_ = std::move(on_held);
  on_done_ = std::move(on_done);
  next_ = 0;
  active_ = true;
  async_ = false;
  AcquireNext();
  return !async_;
}

void MultiShardOp::AcquireNext() {
  while (next_ < shards_.size()) {
    Shard& s = engine_->shard(shards_[next_]);
    if (s.owner() == coordinator_ && s.CanLend()) {
      s.Lend(coordinator_);
      ++next_;
      continue;
    }
    // Remote, or local but busy: ask the owner; the grant comes back through our inbox.
    async_ = true;
    s.owner()->Post(acquire_[static_cast<size_t>(shards_[next_])].get());
    return;
  }
  Finish();
}

void MultiShardOp::OnGranted() {
  ++next_;
  AcquireNext();
}

void MultiShardOp::Finish() {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  for (int i : shards_)
    engine_->shard(i).clock().now_ms = now;
  assert(on_held_ && "an operation finishes once");
  auto fn = std::move(on_held_);
  on_held_ = nullptr;
  active_ = false;
  fn();
  for (int i : shards_) {
    Shard& s = engine_->shard(i);
    if (s.owner() == coordinator_) {
      s.Release();
    } else {
      s.owner()->Post(s.release_task());
    }
  }
  // `done` may drop the last reference to the session that owns this operation: touch no member
  // after calling it.
  if (async_) {
    auto done = std::move(on_done_);
    on_done_ = nullptr;
    done();
  }
}

namespace {
class FunctionShardWork final : public ShardWork {
 public:
  FunctionShardWork(Shard* shard, std::function<void()> fn)
      : ShardWork(shard), fn_(std::move(fn)) {}
  WorkResult Execute() override {
    fn_();
    delete this;
    return WorkResult::kDone;
  }

 private:
  std::function<void()> fn_;
};
}  // namespace

void RunOnShardAsync(Shard* shard, std::function<void()> fn) {
  auto* w = new FunctionShardWork(shard, std::move(fn));
  if (Worker::Current() == shard->owner()) {
    shard->Enqueue(w);
  } else {
    shard->owner()->Post(w);
  }
}

}  // namespace redwing
