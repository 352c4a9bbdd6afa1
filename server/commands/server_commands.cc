// Server commands: DBSIZE FLUSHDB FLUSHALL SWAPDB TIME SHUTDOWN INFO. The keyspace-wide ones run
// with every shard held (kCmdAllShards), so they see one consistent instant.

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "common/heap.h"
#include "server/blocking.h"
#include "server/commands/command_helpers.h"
#include "server/cycle_clock.h"
#include "server/logging.h"
#include "server/memory_info.h"
#include "server/pubsub.h"
#include "server/shard_persistence.h"
#include "server/version.h"
#include "server/worker.h"
#include "storage/page_store.h"

namespace redwing {
namespace {

void DbSize(CommandContext& ctx) {
  size_t n = 0;
  for (int s = 0; s < ctx.engine->num_shards(); ++s)
    n += ctx.DbOnShard(s, ctx.db).size();
  ctx.reply->Integer(static_cast<int64_t>(n));
}

// FLUSHDB/FLUSHALL take [ASYNC|SYNC]; anything else is a syntax error.
bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.argc() == 1) return true;
  if (ctx.argc() == 2 &&
      (EqualsIgnoreCase(ctx.arg(1), "async") || EqualsIgnoreCase(ctx.arg(1), "sync"))) {
    return true;
  }
  ctx.reply->Error(errors::kSyntax);
  return false;
}

void FlushDb(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  for (int s = 0; s < ctx.engine->num_shards(); ++s)
    ctx.DbOnShard(s, ctx.db).Clear();
  ctx.reply->Ok();
}

void FlushAll(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  for (int s = 0; s < ctx.engine->num_shards(); ++s) {
    Shard& shard = ctx.engine->shard(s);
    for (int d = 0; d < shard.num_dbs(); ++d)
      shard.db(d).Clear();
  }
  ctx.reply->Ok();
}

void SwapDb(CommandContext& ctx) {
  auto a = ParseInt64(ctx.arg(1));
  if (!a) {
    ctx.reply->Error("ERR invalid first DB index");
    return;
  }
  auto b = ParseInt64(ctx.arg(2));
  if (!b) {
    ctx.reply->Error("ERR invalid second DB index");
    return;
  }
  int n = ctx.engine->config().databases();
  if (*a < 0 || *a >= n || *b < 0 || *b >= n) {
    ctx.reply->Error(errors::kDbIndexOutOfRange);
    return;
  }
  if (*a != *b) {
    for (int s = 0; s < ctx.engine->num_shards(); ++s) {
      Shard& shard = ctx.engine->shard(s);
      shard.db(static_cast<int>(*a)).Swap(shard.db(static_cast<int>(*b)));
      // Clients blocked on keys the swap brought in are served after this command.
      shard.blocking().OnDatabasesSwapped(static_cast<int>(*a), static_cast<int>(*b));
    }
  }
  ctx.reply->Ok();
}

void Time(CommandContext& ctx) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  ctx.reply->ArrayHeader(2);
  ctx.reply->BulkInt(us / 1000000);
  ctx.reply->BulkInt(us % 1000000);
}

void Shutdown(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (!EqualsIgnoreCase(a, "nosave") && !EqualsIgnoreCase(a, "save") &&
        !EqualsIgnoreCase(a, "now") && !EqualsIgnoreCase(a, "force") &&
        !EqualsIgnoreCase(a, "abort")) {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
    if (EqualsIgnoreCase(a, "abort")) {
      ctx.reply->Error("ERR No shutdown in progress.");
      return;
    }
  }
  bool nosave = false, force = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    nosave = nosave || EqualsIgnoreCase(ctx.arg(i), "nosave");
    force = force || EqualsIgnoreCase(ctx.arg(i), "force");
  }
  // As Redis when its final save fails: a disk that refuses writes would lose what is still only
  // in memory, so the server stays up unless told NOSAVE or FORCE.
  std::string why;
  if (!nosave && !force && ctx.engine->PersistenceError(&why)) {
    Log(LogLevel::kWarning, "Error trying to shut down: the page store cannot be written (" + why +
                                "); use SHUTDOWN NOSAVE or FORCE to exit anyway.");
    ctx.reply->Error("ERR Errors trying to SHUTDOWN. Check logs.");
    return;
  }
  // As Redis: no reply; the connection closes as the server exits.
  ctx.client->close_after_reply = true;
  ctx.engine->RequestShutdown();
}

// ---- INFO ----

struct InfoSection {
  const char* name;
  bool in_default;
  void (*fill)(CommandContext& ctx, std::string* out);
};

void Field(std::string* out, std::string_view name, const std::string& value) {
  out->append(name);
  out->push_back(':');
  out->append(value);
  out->append("\r\n");
}

template <typename T>
void Field(std::string* out, std::string_view name, T value) {
  Field(out, name, std::to_string(value));
}

void InfoServer(CommandContext& ctx, std::string* out) {
  utsname u{};
  uname(&u);
  int64_t uptime = (NowMs() - ctx.engine->start_time_ms) / 1000;
  Field(out, "redis_version", std::string(kRedisVersion));
  Field(out, "redwing_version", std::string(kRedwingVersion));
  Field(out, "redis_git_sha1", std::string("00000000"));
  Field(out, "redis_git_dirty", 0);
  Field(out, "redis_mode", std::string("standalone"));
  Field(out, "os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  Field(out, "arch_bits", 64);
  Field(out, "multiplexing_api", std::string("epoll"));
  Field(out, "process_id", static_cast<int64_t>(getpid()));
  Field(out, "tcp_port", ctx.engine->port());
  Field(out, "server_time_usec", NowMs() * 1000);
  Field(out, "uptime_in_seconds", uptime);
  Field(out, "uptime_in_days", uptime / 86400);
  Field(out, "hz", ctx.engine->config().hz());
  Field(out, "io_threads_active", 0);
  Field(out, "threads", ctx.engine->num_workers());
  Field(out, "executable", ctx.engine->executable);
  Field(out, "config_file", ctx.engine->config().config_file());
}

void InfoClients(CommandContext& ctx, std::string* out) {
  Field(out, "connected_clients", ctx.engine->connected_clients.load());
  Field(out, "maxclients", ctx.engine->config().maxclients());
  Field(out, "blocked_clients", ctx.engine->blocked_clients.load());
}

void InfoMemory(CommandContext& ctx, std::string* out) {
  const Config& config = ctx.engine->config();
  auto used = static_cast<size_t>(heap::UsedBytes());
  auto peak = static_cast<size_t>(ctx.engine->UpdatePeakMemory());
  size_t rss = ResidentBytes();
  size_t allocated = AllocatedBytes();
  auto ratio = [](size_t a, size_t b) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f",
                  b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b));
    return std::string(buf);
  };
  Field(out, "used_memory", used);
  Field(out, "used_memory_human", BytesToHuman(used));
  Field(out, "used_memory_rss", rss);
  Field(out, "used_memory_rss_human", BytesToHuman(rss));
  Field(out, "used_memory_peak", peak);
  Field(out, "used_memory_peak_human", BytesToHuman(peak));
  char peak_perc[32];
  std::snprintf(peak_perc, sizeof(peak_perc), "%.2f%%",
                peak == 0 ? 0.0 : 100.0 * static_cast<double>(used) / static_cast<double>(peak));
  Field(out, "used_memory_peak_perc", std::string(peak_perc));
  auto max = static_cast<size_t>(config.maxmemory());
  Field(out, "maxmemory", max);
  Field(out, "maxmemory_human", BytesToHuman(max));
  Field(out, "maxmemory_policy",
        std::string(kMaxmemoryPolicyNames[static_cast<int>(config.maxmemory_policy())]));
  Field(out, "allocator_allocated", allocated);
  Field(out, "allocator_resident", rss);
  Field(out, "mem_fragmentation_ratio", ratio(rss, used));
  Field(out, "mem_fragmentation_bytes", static_cast<int64_t>(rss) - static_cast<int64_t>(used));
  Field(out, "mem_allocator", AllocatorName());
}

void InfoPersistence(CommandContext& ctx, std::string* out) {
  Engine* engine = ctx.engine;
  const bool loading = engine->loading();
  Field(out, "loading", loading ? 1 : 0);
  Field(out, "async_loading", 0);
  // The shards' page stores (server/shard_persistence.h), summed; not read while loading, when
  // a loader thread still owns them.
  ShardPersistence::Info sum;
  uint64_t evicted_to_disk = 0;
  bool any = false;
  int64_t now = NowMs();
  int64_t last_save = engine->start_time_ms;
  std::string error;
  bool failing = engine->PersistenceError(&error);
  for (int s = 0; s < engine->num_shards() && !loading; ++s) {
    const ShardPersistence* p = engine->shard(s).persistence();
    if (p == nullptr) continue;
    ShardPersistence::Info i = p->GetInfo(now);
    last_save = any ? std::min(last_save, p->last_save_ms()) : p->last_save_ms();
    any = true;
    sum.dirty_keys += i.dirty_keys;
    sum.dirty_bytes += i.dirty_bytes;
    sum.oldest_dirty_ms = std::max(sum.oldest_dirty_ms, i.oldest_dirty_ms);
    sum.disk_bytes += i.disk_bytes;
    sum.pages_used += i.pages_used;
    sum.pages_free += i.pages_free;
    sum.pages_written += i.pages_written;
    sum.syncs += i.syncs;
    sum.records_loaded += i.records_loaded;
    sum.disk_reads += i.disk_reads;
    evicted_to_disk += engine->shard(s).stats().evicted_to_disk;
    sum.keys_on_disk += i.keys_on_disk;
    sum.changes_since_save += i.changes_since_save;
    sum.compacting = sum.compacting || i.compacting;
    sum.compactions += i.compactions;
  }
  Field(out, "rdb_changes_since_last_save", sum.changes_since_save);
  Field(out, "rdb_bgsave_in_progress", 0);
  Field(out, "rdb_last_save_time", last_save / 1000);
  Field(out, "rdb_last_bgsave_status", std::string(failing ? "err" : "ok"));
  // "appendonly" is a view of the persistence policy (server/config.cc): the same here.
  Field(out, "aof_enabled", engine->config().persistence() != PersistPolicy::kNone ? 1 : 0);
  Field(out, "aof_rewrite_in_progress", 0);
  Field(out, "persistence_policy", std::string(PersistPolicyName(engine->config().persistence())));
  Field(out, "persistence_dirty_keys", sum.dirty_keys);
  Field(out, "persistence_dirty_bytes", sum.dirty_bytes);
  Field(out, "persistence_oldest_dirty_ms", sum.oldest_dirty_ms);
  Field(out, "persistence_disk_bytes", sum.disk_bytes);
  Field(out, "persistence_pages_used", sum.pages_used);
  Field(out, "persistence_pages_free", sum.pages_free);
  Field(out, "persistence_disk_writes", sum.pages_written);
  Field(out, "persistence_buffer_bytes", PageStore::BufferBytes());
  Field(out, "persistence_disk_syncs", sum.syncs);
  Field(out, "persistence_records_loaded", sum.records_loaded);
  Field(out, "persistence_keys_on_disk", sum.keys_on_disk);
  Field(out, "persistence_disk_reads", sum.disk_reads);
  Field(out, "persistence_evicted_to_disk", evicted_to_disk);
  Field(out, "persistence_compacting", sum.compacting ? 1 : 0);
  Field(out, "persistence_compactions", sum.compactions);
  Field(out, "persistence_write_error", failing ? error : std::string());
}

void Save(CommandContext& ctx) {
  if (!ctx.engine->SaveAll(/*wait=*/true)) {
    ctx.reply->Error("ERR");
    return;
  }
  ctx.reply->Ok();
}

void BgSave(CommandContext& ctx) {
  if (ctx.argc() > 2 || (ctx.argc() == 2 && !EqualsIgnoreCase(ctx.arg(1), "schedule"))) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  ctx.engine->SaveAll(/*wait=*/false);
  ctx.reply->SimpleString("Background saving started");
}

// When every shard last had nothing left to write (the server's start without persistence).
void LastSave(CommandContext& ctx) {
  int64_t last = ctx.engine->start_time_ms;
  bool any = false;
  for (int s = 0; s < ctx.engine->num_shards(); ++s) {
    const ShardPersistence* p = ctx.engine->shard(s).persistence();
    if (p == nullptr) continue;
    last = any ? std::min(last, p->last_save_ms()) : p->last_save_ms();
    any = true;
  }
  ctx.reply->Integer(last / 1000);
}

void InfoStats(CommandContext& ctx, std::string* out) {
  uint64_t commands = 0, in = 0, outb = 0;
  for (int i = 0; i < ctx.engine->num_workers(); ++i) {
    WorkerCounters& c = ctx.engine->worker(i).counters();
    commands += c.commands.load(std::memory_order_relaxed);
    in += c.net_input_bytes.load(std::memory_order_relaxed);
    outb += c.net_output_bytes.load(std::memory_order_relaxed);
  }
  uint64_t hits = 0, misses = 0, expired = 0, expire_us = 0, evicted = 0;
  for (int s = 0; s < ctx.engine->num_shards() && !ctx.engine->loading(); ++s) {
    ShardStats& st = ctx.engine->shard(s).stats();
    hits += st.keyspace_hits;
    misses += st.keyspace_misses;
    expired += st.expired_keys;
    expire_us += st.expire_cycle_cpu_us;
    evicted += st.evicted_keys;
  }
  Field(out, "total_connections_received", ctx.engine->total_connections.load());
  Field(out, "total_commands_processed", commands);
  Field(out, "total_net_input_bytes", in);
  Field(out, "total_net_output_bytes", outb);
  Field(out, "rejected_connections", ctx.engine->rejected_connections.load());
  Field(out, "expired_keys", expired);
  Field(out, "expire_cycle_cpu_milliseconds", expire_us / 1000);
  Field(out, "evicted_keys", evicted);
  Field(out, "keyspace_hits", hits);
  Field(out, "keyspace_misses", misses);
  // From this worker's replica of the pub/sub directory (server/pubsub.h).
  const PubSub* ps = Worker::Current() != nullptr ? &Worker::Current()->pubsub() : nullptr;
  Field(out, "pubsub_channels", ps ? ps->DirectorySize(PubSubKind::kChannel) : 0);
  Field(out, "pubsub_patterns", ps ? ps->DirectorySize(PubSubKind::kPattern) : 0);
  Field(out, "pubsubshard_channels", ps ? ps->DirectorySize(PubSubKind::kShard) : 0);
  // Redwing's own: connections moved to the worker that owns their keys, and whether the
  // workers now wait for a CPU (which lets connection-migration auto move them).
  Field(out, "migrated_connections", ctx.engine->migrated_connections.load());
  Field(out, "cpu_contended", ctx.engine->CpuContended() ? 1 : 0);
}

void InfoReplication(CommandContext& ctx, std::string* out) {
  Field(out, "role", std::string("master"));
  Field(out, "connected_slaves", 0);
  (void)ctx;
}

void InfoCpu(CommandContext& ctx, std::string* out) {
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  char buf[32];
  auto secs = [&](const timeval& tv) {
    std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                  static_cast<long>(tv.tv_usec));
    return std::string(buf);
  };
  Field(out, "used_cpu_sys", secs(self.ru_stime));
  Field(out, "used_cpu_user", secs(self.ru_utime));
  (void)ctx;
}

void InfoCluster(CommandContext& ctx, std::string* out) {
  Field(out, "cluster_enabled", 0);
  (void)ctx;
}

void InfoKeyspace(CommandContext& ctx, std::string* out) {
  int dbs = ctx.engine->config().databases();
  for (int d = 0; d < dbs; ++d) {
    size_t keys = 0, expires = 0;
    double ttl_sum = 0;
    for (int s = 0; s < ctx.engine->num_shards() && !ctx.engine->loading(); ++s) {
      Database& db = ctx.DbOnShard(s, d);
      keys += db.size();
      expires += db.expires();
      ttl_sum += static_cast<double>(db.avg_ttl_ms()) * static_cast<double>(db.expires());
    }
    if (keys == 0) continue;
    int64_t avg = expires == 0 ? 0 : static_cast<int64_t>(ttl_sum / static_cast<double>(expires));
    out->append("db" + std::to_string(d) + ":keys=" + std::to_string(keys) +
                ",expires=" + std::to_string(expires) + ",avg_ttl=" + std::to_string(avg) + "\r\n");
  }
}

void InfoCommandStats(CommandContext& ctx, std::string* out) {
  const CommandRegistry& reg = CommandRegistry::Get();
  for (int id = 0; id < reg.id_count(); ++id) {
    uint64_t calls = 0, cycles = 0, failed = 0, rejected = 0;
    for (int w = 0; w < ctx.engine->num_workers(); ++w) {
      auto& c = ctx.engine->worker(w).counters().per_command[id];
      calls += c.calls.load(std::memory_order_relaxed);
      cycles += c.cycles.load(std::memory_order_relaxed);
      failed += c.failed.load(std::memory_order_relaxed);
      rejected += c.rejected.load(std::memory_order_relaxed);
    }
    if (calls == 0 && rejected == 0 && failed == 0) continue;
    uint64_t usec = CycleClock::ToMicros(cycles);
    char per_call[32];
    std::snprintf(per_call, sizeof(per_call), "%.2f",
                  calls == 0 ? 0.0 : static_cast<double>(usec) / static_cast<double>(calls));
    out->append("cmdstat_" + reg.ById(id)->name + ":calls=" + std::to_string(calls) +
                ",usec=" + std::to_string(usec) + ",usec_per_call=" + per_call +
                ",rejected_calls=" + std::to_string(rejected) +
                ",failed_calls=" + std::to_string(failed) + "\r\n");
  }
}

const InfoSection kSections[] = {
    {"server", true, InfoServer},     {"clients", true, InfoClients},
    {"memory", true, InfoMemory},     {"persistence", true, InfoPersistence},
    {"stats", true, InfoStats},       {"replication", true, InfoReplication},
    {"cpu", true, InfoCpu},           {"cluster", true, InfoCluster},
    {"keyspace", true, InfoKeyspace}, {"commandstats", false, InfoCommandStats},
};

void Info(CommandContext& ctx) {
  bool all = false, everything = false, defaults = ctx.argc() == 1;
  std::vector<bool> wanted(std::size(kSections), false);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "all")) all = true;
    if (EqualsIgnoreCase(a, "everything")) everything = true;
    if (EqualsIgnoreCase(a, "default")) defaults = true;
    for (size_t s = 0; s < std::size(kSections); ++s) {
      if (EqualsIgnoreCase(a, kSections[s].name)) wanted[s] = true;
    }
  }
  std::string out;
  for (size_t s = 0; s < std::size(kSections); ++s) {
    const InfoSection& sec = kSections[s];
    bool take = wanted[s] || everything || all || (defaults && sec.in_default);
    if (!take) continue;
    if (!out.empty()) out.append("\r\n");
    std::string title = sec.name;
    title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    if (title == "Cpu") title = "CPU";
    out.append("# " + title + "\r\n");
    sec.fill(ctx, &out);
  }
  ctx.reply->Verbatim("txt", out);
}

}  // namespace

void RegisterServerCommands(CommandRegistry& r) {
  r.Add({.name = "dbsize",
         .arity = 1,
         .flags = kCmdReadonly | kCmdFast | kCmdAllShards,
         .handler = DbSize,
         .acl_categories = "@keyspace @read @fast"});
  r.Add({.name = "flushdb",
         .arity = -1,
         .flags = kCmdWrite | kCmdAllShards,
         .handler = FlushDb,
         .acl_categories = "@keyspace @write @slow @dangerous"});
  r.Add({.name = "flushall",
         .arity = -1,
         .flags = kCmdWrite | kCmdAllShards,
         .handler = FlushAll,
         .acl_categories = "@keyspace @write @slow @dangerous"});
  r.Add({.name = "swapdb",
         .arity = 3,
         .flags = kCmdWrite | kCmdFast | kCmdAllShards,
         .handler = SwapDb,
         .acl_categories = "@keyspace @write @fast @dangerous"});
  r.Add({.name = "save",
         .arity = 1,
         .flags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdRefusedInMulti | kCmdNoMulti |
                  kCmdAllShards,
         .handler = Save,
         .acl_categories = "@admin @slow @dangerous"});
  r.Add({.name = "bgsave",
         .arity = -1,
         .flags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdAllShards,
         .handler = BgSave,
         .acl_categories = "@admin @slow @dangerous"});
  r.Add({.name = "lastsave",
         .arity = 1,
         .flags = kCmdLoading | kCmdStale | kCmdFast,
         .handler = LastSave,
         .acl_categories = "@admin @fast @dangerous"});
  r.Add({.name = "time",
         .arity = 1,
         .flags = kCmdLoading | kCmdStale | kCmdFast,
         .handler = Time,
         .acl_categories = "@fast"});
  r.Add({.name = "shutdown",
         .arity = -1,
         .flags = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdRefusedInMulti |
                  kCmdAllowBusy | kCmdNoMulti | kCmdClient,
         .handler = Shutdown,
         .acl_categories = "@admin @slow @dangerous"});
  r.Add({.name = "info",
         .arity = -1,
         .flags = kCmdLoading | kCmdStale | kCmdAllShards,
         .handler = Info,
         .acl_categories = "@slow @dangerous"});
}

}  // namespace redwing
