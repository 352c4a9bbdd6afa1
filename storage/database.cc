#include "storage/database.h"

#include <algorithm>

namespace redwing {

KeyRef Database::Find(std::string_view key, bool for_read) {
  uint64_t hash = HashKey(key);
  Entry** link = table_.Find(key, hash);
  if (link != nullptr && IsLogicallyExpired(*link)) {
    Erase(KeyRef{link, hash});
    ++stats_->expired_keys;
    link = nullptr;
  }
  if (for_read) {
    if (link != nullptr) {
      ++stats_->keyspace_hits;
    } else {
      ++stats_->keyspace_misses;
    }
  }
  return KeyRef{link, hash};
}

void Database::FreeEntry(Entry* e) {
  if (e->has_expire()) --expires_;
  Entry::Free(e);
}

void Database::Put(KeyRef at, Entry* e) {
  if (e->has_expire()) ++expires_;
  if (at.link != nullptr) {
    Entry* old = *at.link;
    e->set_next(old->next());
    *at.link = e;
    FreeEntry(old);
  } else {
    table_.Insert(e, at.hash != 0 ? at.hash : HashKey(e->key()));
  }
  Modified(e->key());
  if (listener_ != nullptr && (e->type() == ValueType::kList || e->type() == ValueType::kZSet)) {
    listener_->OnCollectionStored(e->key());
  }
}

void Database::Put(Entry* e) {
  uint64_t hash = HashKey(e->key());
  Entry** link = table_.Find(e->key(), hash);
  Put(KeyRef{link, hash}, e);
}

void Database::Erase(KeyRef at) {
  Entry* e = table_.Unlink(at.link, at.hash);
  Modified(e->key());
  FreeEntry(e);
  table_.MaybeShrink();
}

bool Database::Erase(std::string_view key) {
  KeyRef at = Find(key);
  if (!at) return false;
  Erase(at);
  return true;
}

Entry* Database::Detach(KeyRef at) {
  Entry* e = table_.Unlink(at.link, at.hash);
  Modified(e->key());
  if (e->has_expire()) --expires_;
  table_.MaybeShrink();
  return e;
}

Entry* Database::SetExpire(KeyRef at, int64_t expire_at_ms) {
  Entry* e = *at.link;
  bool had = e->has_expire();
  Entry* next = e->next();
  e = Entry::WithExpire(e, expire_at_ms);
  e->set_next(next);
  *at.link = e;
  if (had && !e->has_expire()) --expires_;
  if (!had && e->has_expire()) ++expires_;
  Modified(e->key());
  return e;
}

void Database::Clear() {
  TouchAllWatched();
  table_.Clear();
  expires_ = 0;
  expire_cursor_ = 0;
}

void Database::Swap(Database& other) {
  TouchAllWatched();
  other.TouchAllWatched();
  table_.SwapWith(other.table_);
  std::swap(expires_, other.expires_);
  std::swap(expire_cursor_, other.expire_cursor_);
  // Watchers stay with their database number; after the swap, touch the keys that now exist.
  TouchAllWatched();
  other.TouchAllWatched();
}

void Database::AddWatch(std::string_view key, std::shared_ptr<WatchState> w) {
  watches_[std::string(key)].push_back(std::move(w));
}

void Database::RemoveWatch(std::string_view key, const WatchState* w) {
  auto it = watches_.find(std::string(key));
  if (it == watches_.end()) return;
  auto& v = it->second;
  v.erase(std::remove_if(v.begin(), v.end(), [w](const auto& p) { return p.get() == w; }), v.end());
  if (v.empty()) watches_.erase(it);
}

void Database::TouchWatched(std::string_view key) {
  auto it = watches_.find(std::string(key));
  if (it == watches_.end()) return;
  for (auto& w : it->second)
    w->dirty.store(true, std::memory_order_relaxed);
}

void Database::TouchAllWatched() {
  for (auto& [key, watchers] : watches_) {
    KeyRef at{table_.Find(key, HashKey(key)), 0};
    if (!at) continue;
    for (auto& w : watchers)
      w->dirty.store(true, std::memory_order_relaxed);
  }
}

std::pair<size_t, size_t> Database::ActiveExpireStep(size_t max_buckets) {
  if (expires_ == 0 || table_.size() == 0) return {0, 0};
  size_t examined = 0;
  std::vector<std::string> expired;
  const int64_t now = clock_->now_ms;
  int64_t ttl_sum = 0, ttl_count = 0;
  for (size_t i = 0; i < max_buckets; ++i) {
    expire_cursor_ = table_.Scan(expire_cursor_, [&](Entry* e) {
      if (!e->has_expire()) return;
      ++examined;
      if (e->expire_at_ms() <= now) {
        expired.emplace_back(e->key());
      } else {
        ttl_sum += e->expire_at_ms() - now;
        ++ttl_count;
      }
    });
    if (expire_cursor_ == 0) break;
  }
  if (ttl_count > 0) {
    // A moving average, so one unlucky sample does not swing the estimate.
    int64_t sample = ttl_sum / ttl_count;
    avg_ttl_ms_ = avg_ttl_ms_ == 0 ? sample : (avg_ttl_ms_ / 50) * 49 + sample / 50;
  }
  for (const auto& k : expired) {
    uint64_t hash = HashKey(k);
    Entry** link = table_.Find(k, hash);
    if (link != nullptr) {
      Erase(KeyRef{link, hash});
      ++stats_->expired_keys;
    }
  }
  return {examined, expired.size()};
}

}  // namespace redwing
