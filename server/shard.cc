#include "server/shard.h"

#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "server/blocking.h"
#include "server/engine.h"
#include "server/keyspace_events.h"
#include "server/shard_persistence.h"
#include "server/worker.h"

namespace redwing {

void ShardWork::Run() {
  shard_->Enqueue(this);
}

Shard::Shard(int index, int num_dbs, Worker* owner) : index_(index), owner_(owner) {
  if (owner != nullptr && owner->engine() != nullptr) {
    key_events_ = std::make_unique<KeyEventPublisher>(owner->engine());
  }
  dbs_.reserve(static_cast<size_t>(num_dbs));
  for (int i = 0; i < num_dbs; ++i) {
    dbs_.push_back(std::make_unique<Database>(&clock_, &stats_, &eviction_params_));
    dbs_.back()->set_key_events(key_events_.get(), i);
  }
  blocking_ = std::make_unique<BlockingTable>(this);
}

void Shard::KeyEventPublisher::OnKeyEvent(uint32_t cls, std::string_view event,
                                          std::string_view key, int db) {
  if (engine_->config().notify_keyspace_events() & cls)
    PublishKeyEvent(engine_, cls, event, key, db);
}

Shard::~Shard() {
  // The page store's flusher goes first: it may still hand batches back.
  persistence_.reset();
}

void Shard::Enqueue(ShardWork* w) {
  if (pumping_) {
    // Pump() is walking deferred_: hand it over when the walk is done.
    incoming_.PushBack(w);
    return;
  }
  if (lent_to_ == nullptr && pending_lends_ == 0 && w->Execute() != WorkResult::kBlocked) return;
  Defer(w);
}

void Shard::Defer(ShardWork* w) {
  deferred_.PushBack(w);
  if (w->is_lend()) ++pending_lends_;
}

void Shard::Release() {
  lent_to_ = nullptr;
  if (persistence_ != nullptr) persistence_->OnShardReturned();
  Pump();
}

void Shard::EnableKeyEvents(bool on) {
  for (size_t i = 0; i < dbs_.size(); ++i)
    dbs_[i]->set_key_events(on ? key_events_.get() : nullptr, static_cast<int>(i));
}

void Shard::set_persistence(std::unique_ptr<ShardPersistence> p) {
  persistence_ = std::move(p);
}

void Shard::CommitTask::Run() {
  if (ShardPersistence* p = shard_->persistence()) p->CommitAtTurn();
}

void Shard::Pump() {
  if (pumping_) {
    repump_ = true;
    return;
  }
  pumping_ = true;
  do {
    repump_ = false;
    Task* prev = nullptr;
    Task* t = deferred_.front();
    while (t != nullptr && lent_to_ == nullptr) {
      // Read the link first: finished work may already be reused by its sender, or deleted.
      // Nothing is appended to deferred_ during the walk (Enqueue uses incoming_).
      Task* next = t->list_next;
      auto* w = static_cast<ShardWork*>(t);
      const bool lend = w->is_lend();
      WorkResult r = w->Execute();
      if (r == WorkResult::kBlocked) {
        if (lend) break;  // what is queued behind a waiting lend waits for it
        prev = t;
      } else {
        deferred_.RemoveAfter(prev, t, next);
        if (lend) --pending_lends_;
      }
      t = next;
    }
    while (Task* in = incoming_.PopFront()) {
      Defer(static_cast<ShardWork*>(in));
      repump_ = true;
    }
  } while (repump_ && lent_to_ == nullptr);
  pumping_ = false;
}

bool Shard::KeysLocked(std::span<const uint64_t> hashes) const {
  if (locked_keys_ == 0) return false;
  for (uint64_t h : hashes) {
    if (locks_[Stripe(h)] != 0) return true;
  }
  return false;
}

void Shard::LockKeys(std::span<const uint64_t> hashes) {
  for (uint64_t h : hashes)
    ++locks_[Stripe(h)];
  locked_keys_ += static_cast<uint32_t>(hashes.size());
}

void Shard::UnlockKeys(std::span<const uint64_t> hashes) {
  for (uint64_t h : hashes) {
    assert(locks_[Stripe(h)] > 0);
    --locks_[Stripe(h)];
  }
  locked_keys_ -= static_cast<uint32_t>(hashes.size());
  if (!deferred_.empty()) Pump();
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

void Shard::SetEvictionParams(const EvictionParams& params) {
  bool changed = params.policy != eviction_params_.policy;
  eviction_params_ = params;
  if (!changed) return;
  clock_.now_ms = NowMs();
  for (auto& db : dbs_)
    db->ApplyEvictionParams();
}

size_t Shard::evictable_keys() const {
  size_t n = 0;
  for (const auto& db : dbs_)
    n += db->evictable_keys();
  return n;
}

size_t Shard::Evict(const std::function<bool()>& enough) {
  size_t evicted = 0;
  while (!enough()) {
    // The best victim across the databases: the lowest rank.
    Database* from = nullptr;
    Entry* victim = nullptr;
    uint64_t best = 0;
    for (auto& db : dbs_) {
      uint64_t rank = 0;
      Entry* e = db->EvictionVictim(&rank);
      if (e != nullptr && (victim == nullptr || rank < best)) {
        from = db.get();
        victim = e;
        best = rank;
      }
    }
    if (victim == nullptr || !from->EvictVictim(victim)) break;
    ++evicted;
  }
  return evicted;
}

}  // namespace redwing
