#include "server/shard.h"

#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "server/worker.h"

namespace redwing {

void ShardWork::Run() {
  shard_->Enqueue(this);
}

Shard::Shard(int index, int num_dbs, Worker* owner) : index_(index), owner_(owner) {
  dbs_.reserve(static_cast<size_t>(num_dbs));
  for (int i = 0; i < num_dbs; ++i)
    dbs_.push_back(std::make_unique<Database>(&clock_, &stats_));
}

void Shard::Enqueue(ShardWork* w) {
  if (Available()) {
    w->Execute();
    return;
  }
  deferred_.PushBack(w);
}

void Shard::Release() {
  lent_to_ = nullptr;
  while (lent_to_ == nullptr) {
    Task* t = deferred_.PopFront();
    if (t == nullptr) break;
    static_cast<ShardWork*>(t)->Execute();
  }
}

void Shard::AssertHeld() const {
#ifndef NDEBUG
  Worker* me = Worker::Current();
  Worker* holder = lent_to_ != nullptr ? lent_to_ : owner_;
  // Tests drive shards from their own thread with no workers running (Current() is null).
  if (me != nullptr && me != holder) {
    std::fprintf(stderr, "shard %d touched by worker %d while held by worker %d\n", index_,
                 me->index(), holder->index());
    std::abort();
  }
#endif
}

void Shard::Cron(int64_t now_ms, int64_t budget_us) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  clock_.now_ms = now_ms;
  for (auto& db : dbs_) {
    db->RehashStep();
    bool first = true;
    // Adaptive, as Redis's expire cycle: keep going while more than 10% of the keys with a TTL
    // that we look at turn out to be expired, within the time budget.
    while (true) {
      auto [examined, expired] = db->ActiveExpireStep(first ? 1000 : 200);
      first = false;
      if (examined == 0 || expired * 10 <= examined) break;
      auto spent =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
      if (spent >= budget_us) break;
    }
  }
  stats_.expire_cycle_cpu_us += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

}  // namespace redwing
