#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/config.h"
#include "server/shard.h"
#include "server/worker.h"

namespace redwing {

struct Listener;

// The server: N workers (threads), one shard per worker, the listening sockets and the global
// counters. Created and started by main(); lives until the process exits.
//
// Threading: the engine's structure (workers, shards) is fixed after Start() and may be read from
// any thread; counters are atomics. Shards are touched only under the ownership rules of shard.h.
class Engine {
 public:
  explicit Engine(Config* config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Creates the workers and shards and binds the listening sockets (no port when `listen` is
  // false: tests drive sessions in-process). Returns an error message on failure.
  std::string Start(bool listen = true);
  // Any thread: asks the process to shut down (main() stops the engine on SIGTERM).
  void RequestShutdown();
  // Closes every connection and stops and joins the workers. Not from a worker thread.
  void Stop();

  Config& config() { return *config_; }
  int num_shards() const { return static_cast<int>(shards_.size()); }
  Shard& shard(int i) { return *shards_[static_cast<size_t>(i)]; }
  int num_workers() const { return static_cast<int>(workers_.size()); }
  // Any thread: Stop() has begun (workers may already have left their loops, so nothing should
  // be sent to them any more).
  bool stopping() const { return stopped_.load(std::memory_order_acquire); }
  Worker& worker(int i) { return *workers_[static_cast<size_t>(i)]; }
  int command_ids() const;
  // The shard that owns a key with this hash (storage/hash_table.h: HashKey).
  int ShardOf(uint64_t hash) const {
    return shards_.size() == 1 ? 0 : static_cast<int>((hash >> 32) % shards_.size());
  }
  int ShardOfKey(std::string_view key) const;
  int port() const { return bound_port_; }

  // Runs `fn` on every worker's thread; then `done` with the results (in worker order) on
  // `origin`'s thread. For admin commands (CLIENT LIST/KILL, ...), not for requests.
  void Broadcast(Worker* origin, std::function<std::string(Worker&)> fn,
                 std::function<void(std::vector<std::string>)> done);

  // Any thread: whether the workers wait for a CPU (their mean run-queue wait, CpuWaitMeter, is
  // over 10% of the time): more threads want to run than there are cores, so a cross-thread hop
  // costs a CPU that some other thread (a client on the same machine) needed.
  bool CpuContended() const;
  // Any thread: whether a connection whose commands all go to another worker's shard should
  // move to that worker now (connection-migration: yes, or auto and CpuContended()).
  bool MigrationWanted() const;

  // Memory limit: whether used memory is over `maxmemory` and nothing can be evicted to make room,
  // so commands that may use memory get the OOM error. Any thread.
  bool OutOfMemory() const;
  // Used memory as maxmemory counts it: the heap less the page stores' write buffers.
  int64_t CountedMemory() const;
  // Whether used memory is over a set `maxmemory` (any thread; a few relaxed loads).
  bool OverMaxmemory() const;
  // Before a command that may use memory, on the thread holding the shard of `key`: while used
  // memory is over `maxmemory`, evicts from that shard, or, when another shard holds clearly more
  // of the evictable keys, asks that shard's owner to evict instead (so a hot shard does not
  // empty itself while others keep cold keys).
  void MakeRoom(std::string_view key);
  // The same for shard `s`, held by the calling thread (the cron, a delegated request).
  void MakeRoomOn(Shard& s);
  // The maxmemory settings now in the configuration. The shards adopt them when the server starts
  // and when CONFIG SET (holding every shard) changes them.
  EvictionParams CurrentEvictionParams() const;
  // Highest used memory seen (INFO's used_memory_peak); updated by the cron and by INFO.
  int64_t UpdatePeakMemory();

  // Persistence (server/shard_persistence.h). ApplyPersistence opens or closes the shards' page
  // stores to match the `persistence` directive; at start-up it loads them, on loader threads,
  // while commands get -LOADING; at runtime (CONFIG SET, every shard held) a newly opened store
  // writes everything. Returns an error message (the store could not be opened).
  std::string ApplyPersistence(bool startup);
  // Any thread: shards still loading.
  bool loading() const { return loading_shards_.load(std::memory_order_acquire) > 0; }
  // Any thread. Under a policy that acknowledges writes only once durable, a reply may leave only
  // when what every shard had done when it was made is durable: CaptureDurability records that
  // point (per shard, the batch that makes it durable), Durable says whether it is reached. A
  // fixed point, not "everything now": under a steady stream of writes the latter never holds.
  bool durability_gate() const { return durability_gate_.load(std::memory_order_relaxed); }
  void CaptureDurability(std::vector<uint64_t>* point) const;
  bool Durable(const std::vector<uint64_t>& point) const;
  // Any thread: a page store made more durable; the replies waiting on every worker check again
  // (Worker::NotifyDurable).
  void NotifyDurable();
  // Any thread: a shard's page store cannot write; *text says why (for -MISCONF).
  bool PersistenceError(std::string* text) const;
  // The shards' page stores flush everything and wait until it is durable (SAVE); false if a
  // write failed. `wait` false: only start the flush (BGSAVE). Every shard held.
  bool SaveAll(bool wait);
  // Process-wide counters.
  std::atomic<uint64_t> next_client_id{1};
  std::atomic<int64_t> connected_clients{0};
  std::atomic<int64_t> blocked_clients{0};  // sessions blocked in BLPOP and friends
  std::atomic<uint64_t> total_connections{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> migrated_connections{0};  // moved to another worker (TryMigrate)
  int64_t start_time_ms = 0;
  int64_t startup_memory = 0;  // used memory once started, before any client (MEMORY STATS)
  std::string executable;

  // CLIENT PAUSE: until when (ms since epoch; 0 = not paused) and whether only writes pause.
  std::atomic<int64_t> pause_until_ms{0};
  std::atomic<bool> pause_writes_only{false};
  std::atomic<int64_t> peak_memory{0};

 private:
  void StartAccept(Listener& l);
  // Evicts from `s` (held) while over the limit and it holds its share of the evictable keys;
  // otherwise posts the request to the shard that holds the most.
  void EvictOrDelegate(Shard& s);
  void ArmCron(Worker& w);
  void UpdateDurabilityGate();
  // Flushes every shard's page store, waits until it is durable and detaches it (persistence
  // switched off at runtime, every shard held; or shutdown, after the workers are gone).
  void StopPersistence();

  Config* config_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::atomic<unsigned> next_worker_{0};
  int bound_port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<int> loading_shards_{0};
  std::atomic<bool> durability_gate_{false};
  std::atomic<bool> persistence_on_{false};
  std::vector<std::thread> loaders_;
  // A loader thread hands its shard to the owner (a post) only while the engine is not stopping,
  // and Stop() sets stopped_ under this lock: a task posted to a worker that has already stopped
  // would never run nor be freed.
  std::mutex loader_handoff_mu_;
};

int64_t NowMs();  // wall clock, ms since the epoch
int64_t NowUs();

}  // namespace redwing
