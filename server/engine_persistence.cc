// The engine's side of persistence: opening, loading and closing the shards' page stores, the
// durability gate on replies, SAVE, and the write errors (server/shard_persistence.h).
#include <unistd.h>

#include "server/engine.h"
#include "server/logging.h"
#include "server/shard_persistence.h"
#include "server/task.h"

namespace redwing {

std::string Engine::ApplyPersistence(bool startup) {
  PersistPolicy policy = config_->persistence();
  bool want = policy != PersistPolicy::kNone;
  if (want && !persistence_on_.load()) {
    // Open every store first, so that a bad file refuses the start (or the CONFIG SET) whole.
    std::vector<std::unique_ptr<ShardPersistence>> opened;
    for (auto& s : shards_) {
      std::string error;
      auto p = ShardPersistence::Open(this, s.get(), &error);
      if (p == nullptr) return error;
      opened.push_back(std::move(p));
    }
    for (size_t i = 0; i < shards_.size(); ++i)
      shards_[i]->set_persistence(std::move(opened[i]));
    persistence_on_.store(true);
    if (startup) {
      // Each shard loads on a thread of its own while the workers already answer -LOADING; the
      // shard goes into service on its owner's thread once loaded.
      loading_shards_.store(static_cast<int>(shards_.size()), std::memory_order_release);
      for (auto& s : shards_) {
        Shard* shard = s.get();
        shard->loading.store(true, std::memory_order_release);
        loaders_.emplace_back([this, shard] {
          std::string error;
          int64_t start = NowMs();
          if (!shard->persistence()->Load(/*replay=*/true, &error)) {
            Log(LogLevel::kWarning, "Fatal error loading the page store: " + error);
            _exit(1);
          }
          Log(LogLevel::kNotice, "Shard " + std::to_string(shard->index()) + " loaded from disk: " +
                                     std::to_string(NowMs() - start) + " ms");
          // Shutting down already: the shard stays "loading", so StopPersistence leaves it alone
          // (it has nothing unwritten).
          std::lock_guard<std::mutex> lock(loader_handoff_mu_);
          if (stopping()) return;
          shard->owner()->Post(new FunctionTask([this, shard] {
            shard->persistence()->Start(/*full_rewrite=*/false);
            shard->loading.store(false, std::memory_order_release);
            loading_shards_.fetch_sub(1, std::memory_order_acq_rel);
          }));
        });
      }
    } else {
      for (auto& s : shards_) {
        std::string error;
        if (!s->persistence()->Load(/*replay=*/false, &error)) return error;
        s->persistence()->Start(/*full_rewrite=*/true);
      }
    }
  } else if (!want) {
    StopPersistence();
  }
  UpdateDurabilityGate();
  return "";
}

void Engine::StopPersistence() {
  if (!persistence_on_.load()) return;
  for (auto& s : shards_) {
    // A shard still loading has nothing unwritten (and its loader thread owns it).
    if (s->persistence() != nullptr && !s->loading.load()) s->persistence()->Stop();
  }
  persistence_on_.store(false);
}

void Engine::UpdateDurabilityGate() {
  durability_gate_.store(persistence_on_.load() && AcksAfterSync(config_->persistence()),
                         std::memory_order_relaxed);
}

void Engine::CaptureDurability(std::vector<uint64_t>* point) const {
  point->resize(shards_.size());
  for (size_t i = 0; i < shards_.size(); ++i) {
    const ShardPersistence* p = shards_[i]->persistence();
    (*point)[i] = p != nullptr ? p->required() : 0;
  }
}

bool Engine::Durable(const std::vector<uint64_t>& point) const {
  for (size_t i = 0; i < shards_.size() && i < point.size(); ++i) {
    const ShardPersistence* p = shards_[i]->persistence();
    if (p != nullptr && !p->DurableAt(point[i])) return false;
  }
  return true;
}

void Engine::NotifyDurable() {
  for (auto& w : workers_)
    w->NotifyDurable();
}

bool Engine::PersistenceError(std::string* text) const {
  if (!persistence_on_.load(std::memory_order_relaxed)) return false;
  for (const auto& s : shards_) {
    const ShardPersistence* p = s->persistence();
    if (p != nullptr && p->in_error()) {
      *text = p->error_text();
      return true;
    }
  }
  return false;
}

bool Engine::SaveAll(bool wait) {
  if (!persistence_on_.load()) return true;
  std::vector<uint64_t> want(shards_.size());
  for (size_t i = 0; i < shards_.size(); ++i)
    want[i] = shards_[i]->persistence()->FlushNow();
  if (!wait) return true;
  bool ok = true;
  for (size_t i = 0; i < shards_.size(); ++i) {
    ShardPersistence* p = shards_[i]->persistence();
    ok = p->WaitDurable(want[i]) && p->all_written() && ok;
  }
  if (ok) {
    for (auto& s : shards_)
      s->persistence()->MarkSaved();
  }
  return ok;
}

}  // namespace redwing
