#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/maxmemory_policy.h"
#include "storage/persist_policy.h"

namespace redwing {

// Server configuration: every directive, its default, bounds and whether it can change at runtime,
// in one table (config.cc). Values that the request path reads are atomics; strings sit behind a
// mutex (read only on admin paths: AUTH, CONFIG, logging).
//
// Thread-safety: Get/Set/Rewrite may be called from any thread; they serialise on an internal
// mutex. The typed accessors are lock-free.
class Config {
 public:
  Config();

  // Loads redis.conf-syntax text (one directive per line, '#' comments, quoted arguments).
  // Returns an error message naming the line on failure.
  std::optional<std::string> LoadFile(const std::string& path);
  std::optional<std::string> LoadText(std::string_view text, std::string_view origin);
  // Applies one directive (start-up: every directive is allowed). Returns an error on failure.
  std::optional<std::string> Apply(std::string_view name, const std::vector<std::string>& args);

  // CONFIG GET: (name, value) pairs for every directive matching any of the glob patterns.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string_view>& patterns) const;
  // CONFIG SET with Redis's all-or-nothing semantics and error texts. Returns the error (without
  // "ERR ") or nothing.
  std::optional<std::string> Set(const std::vector<std::pair<std::string, std::string>>& pairs);
  // CONFIG REWRITE: rewrites the file keeping comments and unknown lines, updating directives
  // whose value differs from the default. Returns an error text on failure.
  std::optional<std::string> Rewrite();

  const std::string& config_file() const { return config_file_; }

  // Typed accessors (lock-free).
  int port() const { return static_cast<int>(port_.load(std::memory_order_relaxed)); }
  int threads() const { return static_cast<int>(threads_.load(std::memory_order_relaxed)); }
  int databases() const { return static_cast<int>(databases_.load(std::memory_order_relaxed)); }
  int64_t maxclients() const { return maxclients_.load(std::memory_order_relaxed); }
  int64_t timeout() const { return timeout_.load(std::memory_order_relaxed); }
  int64_t tcp_keepalive() const { return tcp_keepalive_.load(std::memory_order_relaxed); }
  int64_t proto_max_bulk_len() const { return proto_max_bulk_len_.load(std::memory_order_relaxed); }
  int64_t client_query_buffer_limit() const {
    return client_query_buffer_limit_.load(std::memory_order_relaxed);
  }
  int hz() const { return static_cast<int>(hz_.load(std::memory_order_relaxed)); }
  // connection-migration: whether a connection whose commands all go to another worker's shard
  // moves to that worker (Connection::TryMigrate): never, always, or when the workers wait for
  // a CPU (Engine::CpuContended).
  enum class Migration { kNo = 0, kYes = 1, kAuto = 2 };
  Migration connection_migration() const {
    return static_cast<Migration>(connection_migration_.load(kRelaxed));
  }
  // Compact-encoding thresholds (Redis's directive names).
  int64_t hash_max_listpack_entries() const { return hash_max_listpack_entries_.load(kRelaxed); }
  int64_t hash_max_listpack_value() const { return hash_max_listpack_value_.load(kRelaxed); }
  int64_t list_max_listpack_size() const { return list_max_listpack_size_.load(kRelaxed); }
  int64_t set_max_intset_entries() const { return set_max_intset_entries_.load(kRelaxed); }
  int64_t set_max_listpack_entries() const { return set_max_listpack_entries_.load(kRelaxed); }
  int64_t set_max_listpack_value() const { return set_max_listpack_value_.load(kRelaxed); }
  int64_t zset_max_listpack_entries() const { return zset_max_listpack_entries_.load(kRelaxed); }
  int64_t zset_max_listpack_value() const { return zset_max_listpack_value_.load(kRelaxed); }
  // Memory limit and eviction.
  int64_t maxmemory() const { return maxmemory_.load(kRelaxed); }
  MaxmemoryPolicy maxmemory_policy() const {
    return static_cast<MaxmemoryPolicy>(maxmemory_policy_.load(kRelaxed));
  }
  int64_t maxmemory_samples() const { return maxmemory_samples_.load(kRelaxed); }
  int64_t maxmemory_eviction_tenacity() const {
    return maxmemory_eviction_tenacity_.load(kRelaxed);
  }
  // Persistence (server/shard_persistence.h).
  PersistPolicy persistence() const {
    return static_cast<PersistPolicy>(persistence_.load(kRelaxed));
  }
  int64_t page_size() const { return page_size_.load(kRelaxed); }
  int64_t writeback_delay_ms() const { return writeback_delay_.load(kRelaxed); }
  int64_t writeback_max_dirty() const { return writeback_max_dirty_.load(kRelaxed); }
  int64_t max_disk_size() const { return max_disk_size_.load(kRelaxed); }
  std::string dir() const;
  bool persistence_skip_corrupt() const;
  int64_t lfu_log_factor() const { return lfu_log_factor_.load(kRelaxed); }
  int64_t lfu_decay_time() const { return lfu_decay_time_.load(kRelaxed); }
  int64_t slru_protected_percent() const { return slru_protected_percent_.load(kRelaxed); }
  // Keyspace notifications: the enabled NotifyClass bits (storage/key_events.h).
  uint32_t notify_keyspace_events() const {
    return static_cast<uint32_t>(notify_keyspace_events_.load(kRelaxed));
  }
  // client-output-buffer-limit, per client class (bytes; seconds). 0 disables a limit.
  enum ClientClass { kClientNormal = 0, kClientReplica = 1, kClientPubSub = 2 };
  static constexpr size_t kClientClasses = 3;
  struct OutputBufferLimit {
    int64_t hard = 0;
    int64_t soft = 0;
    int64_t soft_seconds = 0;
  };
  OutputBufferLimit output_buffer_limit(ClientClass c) const {
    const auto& l = output_buffer_limits_[c];
    return {l.hard.load(kRelaxed), l.soft.load(kRelaxed), l.soft_seconds.load(kRelaxed)};
  }
  bool requirepass_set() const { return has_requirepass_.load(std::memory_order_acquire); }
  std::string requirepass() const;
  std::string bind() const;
  std::string loglevel() const;
  std::string logfile() const;
  bool daemonize() const;
  int loglevel_rank() const { return static_cast<int>(loglevel_rank_.load()); }

  struct Directive;

 private:
  static constexpr std::memory_order kRelaxed = std::memory_order_relaxed;
  friend struct ConfigTable;
  std::string StringValue(const Directive& d) const;
  // Updates the lock-free mirrors of string-valued directives (caller holds mu_).
  // `value` is what CONFIG GET shows, `raw` what was set (they differ for directives with a
  // canonical form).
  void StoreDerived(const Directive& d, const std::string& value, const std::string& raw);
  // Sets `persistence` as if applied, with its derived values (caller holds mu_).
  void SetPersistenceName(const std::string& name);

  mutable std::mutex mu_;
  std::string config_file_;
  std::atomic<int64_t> port_{6379};
  std::atomic<int64_t> threads_{0};
  std::atomic<int64_t> databases_{16};
  std::atomic<int64_t> maxclients_{10000};
  std::atomic<int64_t> timeout_{0};
  std::atomic<int64_t> tcp_keepalive_{300};
  std::atomic<int64_t> proto_max_bulk_len_{512ll * 1024 * 1024};
  std::atomic<int64_t> client_query_buffer_limit_{1024ll * 1024 * 1024};
  std::atomic<int64_t> hz_{10};
  std::atomic<int64_t> connection_migration_{static_cast<int64_t>(Migration::kAuto)};
  std::atomic<int64_t> hash_max_listpack_entries_{128};
  std::atomic<int64_t> hash_max_listpack_value_{64};
  std::atomic<int64_t> list_max_listpack_size_{-2};
  std::atomic<int64_t> set_max_intset_entries_{512};
  std::atomic<int64_t> set_max_listpack_entries_{128};
  std::atomic<int64_t> set_max_listpack_value_{64};
  std::atomic<int64_t> zset_max_listpack_entries_{128};
  std::atomic<int64_t> zset_max_listpack_value_{64};
  std::atomic<int64_t> loglevel_rank_{2};
  std::atomic<int64_t> maxmemory_{0};
  std::atomic<int64_t> maxmemory_policy_{static_cast<int64_t>(MaxmemoryPolicy::kNoEviction)};
  std::atomic<int64_t> maxmemory_samples_{5};
  std::atomic<int64_t> maxmemory_eviction_tenacity_{10};
  std::atomic<int64_t> lfu_log_factor_{10};
  std::atomic<int64_t> lfu_decay_time_{1};
  std::atomic<int64_t> slru_protected_percent_{50};
  std::atomic<int64_t> notify_keyspace_events_{0};
  std::atomic<int64_t> persistence_{0};
  std::atomic<int64_t> page_size_{4096};
  std::atomic<int64_t> writeback_delay_{1000};
  std::atomic<int64_t> writeback_max_dirty_{64ll * 1024 * 1024};
  std::atomic<int64_t> max_disk_size_{0};
  std::string persistence_name_ = "none";
  std::string dir_ = "./";
  std::string persistence_skip_corrupt_ = "no";
  std::string save_;
  std::string appendonly_ = "no";
  std::string appendfsync_ = "everysec";
  struct AtomicLimit {
    std::atomic<int64_t> hard{0};
    std::atomic<int64_t> soft{0};
    std::atomic<int64_t> soft_seconds{0};
  };
  AtomicLimit output_buffer_limits_[kClientClasses];
  std::string notify_keyspace_events_text_;
  std::string client_output_buffer_limit_text_;
  std::atomic<bool> has_requirepass_{false};
  std::string requirepass_;
  std::string bind_ = "* -::*";
  std::string loglevel_ = "notice";
  std::string logfile_;
  std::string daemonize_ = "no";
  std::string maxmemory_policy_name_ = "noeviction";
  std::string connection_migration_name_ = "auto";
};

// Redis's memtoull: "100", "1k", "1kb", "5mb", "2gb" (k = 1000, kb = 1024; case-insensitive).
std::optional<int64_t> ParseMemory(std::string_view s);

}  // namespace redwing
