#include "storage/database.h"

#include <algorithm>
#include <cstring>

#include "storage/access_clock.h"

namespace redwing {

Database::Database(const CommandClock* clock, ShardStats* stats, const EvictionParams* params)
    : clock_(clock), stats_(stats), params_(params) {
  ApplyEvictionParams();
}

uint32_t Database::FreshAccess() const {
  if (params_ != nullptr && IsLfuPolicy(params_->policy)) {
    return access_clock::LfuPack(clock_->now_ms, access_clock::kLfuInitVal);
  }
  return access_clock::LruClock(clock_->now_ms);
}

void Database::Touch(Entry* e) {
  int64_t now = clock_->now_ms;
  if (params_ != nullptr && IsLfuPolicy(params_->policy)) {
    uint8_t counter = access_clock::LfuDecayed(e->access(), now, params_->lfu_decay_time);
    double r = static_cast<double>(SplitMix64(&random_) >> 11) * 0x1.0p-53;
    counter = access_clock::LfuIncrement(counter, params_->lfu_log_factor, r);
    e->set_access(access_clock::LfuPack(now, counter));
  } else {
    e->set_access(access_clock::LruClock(now));
  }
  if (Tracked(e)) policy_->Access(e, now);
}

KeyRef Database::Find(std::string_view key, bool for_read, bool touch, bool notify_miss) {
  uint64_t hash = HashKey(key);
  Entry** link = table_.Find(key, hash);
  if (link != nullptr && IsLogicallyExpired(*link)) {
    Raise(kNotifyExpired, "expired", key);
    Erase(KeyRef{link, hash});
    ++stats_->expired_keys;
    link = nullptr;
  }
  if (link != nullptr && (*link)->on_disk() && !LoadFromDisk(link)) link = nullptr;
  if (link != nullptr && touch) Touch(*link);
  if (for_read) {
    if (link != nullptr) {
      ++stats_->keyspace_hits;
    } else {
      ++stats_->keyspace_misses;
      if (notify_miss) Raise(kNotifyKeyMiss, "keymiss", key);
    }
  }
  return KeyRef{link, hash};
}

void Database::FreeEntry(Entry* e) {
  if (e->has_expire()) --expires_;
  if (e->on_disk()) --on_disk_;
  Entry::Free(e);
}

bool Database::LoadFromDisk(Entry** link) {
  Entry* stub = *link;
  Entry* e = changes_ != nullptr ? changes_->Load(index_, stub) : nullptr;
  if (e == nullptr) return false;
  if (e->has_links() != links_) e = Entry::WithLinks(e, links_);
  e->set_access(FreshAccess());
  e->set_next(stub->next());
  *link = e;
  --on_disk_;
  Entry::Free(stub);  // same expiry: expires_ is unchanged
  if (Tracked(e)) {
    policy_->Insert(e, clock_->now_ms);
    PublishEvictable();
  }
  return true;
}

void Database::DropToDisk(KeyRef at, uint64_t position) {
  Entry* old = *at.link;
  char pos[sizeof(position)];
  std::memcpy(pos, &position, sizeof(pos));
  Entry* stub = Entry::New(old->key(), old->type(), Encoding::kOnDisk, {pos, sizeof(pos)},
                           old->has_expire() ? old->expire_at_ms() : -1);
  if (Tracked(old)) {
    policy_->Remove(old);
    PublishEvictable();
  }
  stub->set_next(old->next());
  *at.link = stub;
  Entry::Free(old);  // same expiry: expires_ is unchanged
  ++on_disk_;
}

void Database::Put(KeyRef at, Entry* e) {
  if (e->has_links() != links_) e = Entry::WithLinks(e, links_);
  if (e->has_expire()) ++expires_;
  if (e->on_disk()) ++on_disk_;
  if (at.link != nullptr) {
    Entry* old = *at.link;
    // Under LFU a new value keeps the key's counter (as Redis's dbOverwrite).
    if (params_ != nullptr && IsLfuPolicy(params_->policy)) {
      e->set_access(old->access());
    } else if (e->access() == 0) {
      e->set_access(FreshAccess());
    }
    if (Tracked(old)) policy_->Remove(old);
    e->set_next(old->next());
    *at.link = e;
    FreeEntry(old);
  } else {
    if (e->access() == 0) e->set_access(FreshAccess());
    table_.Insert(e, at.hash != 0 ? at.hash : HashKey(e->key()));
    Raise(kNotifyNew, "new", e->key());
  }
  if (Tracked(e)) policy_->Insert(e, clock_->now_ms);
  if (policy_ != nullptr) PublishEvictable();
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
  if (Tracked(e)) {
    policy_->Remove(e);
    PublishEvictable();
  }
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
  if (Tracked(e)) {
    policy_->Remove(e);
    PublishEvictable();
  }
  Modified(e->key());
  if (e->has_expire()) --expires_;
  table_.MaybeShrink();
  return e;
}

Entry* Database::SetExpire(KeyRef at, int64_t expire_at_ms) {
  Entry* e = *at.link;
  bool had = e->has_expire();
  // Under a volatile policy a key is evictable exactly while it has a TTL.
  if (volatile_only_ && policy_ != nullptr && had && expire_at_ms < 0) policy_->Remove(e);
  Entry* next = e->next();
  e = Entry::WithExpire(e, expire_at_ms);
  e->set_next(next);
  *at.link = e;
  if (volatile_only_ && policy_ != nullptr && !had && e->has_expire()) {
    policy_->Insert(e, clock_->now_ms);
  }
  if (volatile_only_ && policy_ != nullptr) PublishEvictable();
  if (had && !e->has_expire()) --expires_;
  if (!had && e->has_expire()) ++expires_;
  Modified(e->key());
  return e;
}

void Database::Clear() {
  if (changes_ != nullptr) changes_->BeforeClear(index_);
  on_disk_ = 0;
  TouchAllWatched();
  if (policy_ != nullptr) policy_->Clear();
  table_.Clear();
  PublishEvictable();
  expires_ = 0;
  expire_cursor_ = 0;
}

void Database::Swap(Database& other) {
  if (changes_ != nullptr) changes_->BeforeSwap(index_, other.index_);
  TouchAllWatched();
  other.TouchAllWatched();
  table_.SwapWith(other.table_);
  std::swap(policy_, other.policy_);
  std::swap(applied_policy_, other.applied_policy_);
  std::swap(links_, other.links_);
  std::swap(volatile_only_, other.volatile_only_);
  std::swap(expires_, other.expires_);
  std::swap(on_disk_, other.on_disk_);
  std::swap(expire_cursor_, other.expire_cursor_);
  PublishEvictable();
  other.PublishEvictable();
  // Watchers stay with their database number; after the swap, touch the keys that now exist.
  TouchAllWatched();
  other.TouchAllWatched();
}

Entry* Database::EvictionVictim(uint64_t* rank) {
  if (policy_ == nullptr || policy_->size() == 0) return nullptr;
  Entry* e = policy_->Victim(table_, clock_->now_ms);
  if (e != nullptr) *rank = policy_->Rank(e, clock_->now_ms);
  return e;
}

bool Database::EvictVictim(Entry* victim) {
  std::string_view key = victim->key();
  uint64_t hash = HashKey(key);
  Entry** link = table_.Find(key, hash);
  if (link == nullptr) return true;
  if (changes_ != nullptr) {
    // Persistence: the key stays, its value goes to disk (no "evicted": nothing was lost).
    uint64_t position = 0;
    if (!changes_->WriteForEviction(index_, victim, &position)) return false;
    DropToDisk(KeyRef{link, hash}, position);
    ++stats_->evicted_to_disk;
    return true;
  }
  Raise(kNotifyEvicted, "evicted", key);  // `key` is the victim's own: raise before it is freed
  Erase(KeyRef{link, hash});
  ++stats_->evicted_keys;
  return true;
}

void Database::ApplyEvictionParams() {
  MaxmemoryPolicy want = params_ != nullptr ? params_->policy : MaxmemoryPolicy::kNoEviction;
  if (want == applied_policy_) return;
  applied_policy_ = want;
  if (policy_ != nullptr) policy_->Clear();  // forget the old order; the keys stay
  policy_ = params_ != nullptr ? NewEvictionPolicy(params_) : nullptr;
  bool links = policy_ != nullptr && policy_->needs_links();
  volatile_only_ = IsVolatilePolicy(want);
  // Give (or take) every key its links, then tell the new policy of every evictable key.
  std::vector<std::string> keys;
  if (links != links_) {
    keys.reserve(table_.size());
    table_.ForEach([&](Entry* e) { keys.emplace_back(e->key()); });
    for (const std::string& k : keys) {
      uint64_t hash = HashKey(k);
      Entry** link = table_.Find(k, hash);
      Entry* next = (*link)->next();
      Entry* moved = Entry::WithLinks(*link, links);
      moved->set_next(next);
      *link = moved;
    }
  }
  links_ = links;
  if (links) {
    // Links left from the old policy's lists are stale: no key is in a list now.
    table_.ForEach([](Entry* e) {
      e->set_list_prev(nullptr);
      e->set_list_next(nullptr);
    });
  }
  if (policy_ != nullptr) {
    // Oldest access first, so the lists start in the order the keys were last used (the LRU
    // clock; under LFU, the lists are by counter anyway).
    std::vector<Entry*> tracked;
    tracked.reserve(table_.size());
    table_.ForEach([&](Entry* e) {
      if (Tracked(e)) tracked.push_back(e);
    });
    int64_t now = clock_->now_ms;
    std::stable_sort(tracked.begin(), tracked.end(), [now](const Entry* a, const Entry* b) {
      return access_clock::IdleSeconds(a->access(), now) >
             access_clock::IdleSeconds(b->access(), now);
    });
    for (Entry* e : tracked)
      policy_->Insert(e, now);
  }
  PublishEvictable();
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
      Raise(kNotifyExpired, "expired", k);
      Erase(KeyRef{link, hash});
      ++stats_->expired_keys;
    }
  }
  return {examined, expired.size()};
}

}  // namespace redwing
