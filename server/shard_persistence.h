#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/page_flusher.h"
#include "server/worker.h"
#include "storage/database.h"
#include "storage/page_store.h"
#include "storage/persist_policy.h"

namespace redwing {

class Engine;
class Shard;

// One shard's persistence: its PageStore and flusher thread, the log of keys changed since they
// were last written, and the policy that decides when they are written.
//
// What is written. The databases report every changed key (KeyChangeListener); the key goes into
// the dirty log (an arena of key bytes, no allocation per write in steady state). A flush
// serialises the current value of each dirty key once (a hash set drops the repeats) as a
// Put record, or a Delete record if the key is gone, and hands the pages to the flusher. FLUSHDB
// and SWAPDB first flush what is dirty, then log a Clear or Swap record, so replay in sequence
// order rebuilds exactly the databases' state.
//
// When. write-through (and write-around): once per turn of the owner's event loop that changed
// the shard, after all the events that were ready (Worker::AtNextTurn, Redis's beforeSleep), the
// owner itself writes and syncs the batch (PageFlusher::WriteHere): one fdatasync for every write
// of the turn, and no thread hop on the way to the replies, which wait until it is durable
// (Engine::CaptureDurability). The owner blocks for that sync, as Redis's event loop does under
// appendfsync always. While the flusher thread still has batches (a compaction's switch, a retry),
// the commit goes to it instead and the next one waits for its return. write-back: the flusher
// thread writes, from the cron once the oldest change is writeback-delay old or the log holds
// writeback-max-dirty bytes; replies do not wait. SAVE and shutdown flush at once.
//
// Larger than memory. Under maxmemory, eviction keeps the key and writes its value out
// (WriteForEviction): the entry shrinks to the record's position (Encoding::kOnDisk), and the next
// lookup loads it back (Load). A loaded value remembers its record while it stays unchanged
// (clean_), so evicting it again writes nothing: a read-mostly data set larger than memory costs
// reads, not rewrites. (Not across a compaction: it moves the records.) write-around drops every
// value it writes the same way. A restart loads values as such positions once memory passes
// three quarters of maxmemory (under write-around, always). The keys themselves stay in memory.
//
// Space. Every write appends; when the file has grown to twice what the last compaction left (and
// past a minimum), a compaction copies every live key into a new generation, a few hundred keys
// per event, then switches the superblock to it (storage/page_store.h), freeing all older pages.
//
// Failures. A write or sync error (a full disk, an I/O error) puts the shard in error: write
// commands get -MISCONF, reads go on, and the cron retries the failed batches each second until
// they succeed. Nothing acknowledged is dropped: under write-through the waiting replies wait.
//
// Threads: owned by the shard; everything runs on the thread holding the shard, except Load (the
// loader thread, before the shard serves anyone), the flusher's completion (which posts back to
// the owner) and the atomic counters.
class ShardPersistence final : public KeyChangeListener, public EndOfEventWork {
 public:
  ShardPersistence(Engine* engine, Shard* shard, std::unique_ptr<PageStore> store);
  ~ShardPersistence();

  // Opens the shard's page file under `dir`. Null with *error set on failure.
  static std::unique_ptr<ShardPersistence> Open(Engine* engine, Shard* shard, std::string* error);

  // Replays the file into the shard's databases (`replay`) or just reads it (`!replay`: a store
  // enabled at runtime, whose old content the first compaction replaces). Before the shard
  // serves anyone; any thread.
  bool Load(bool replay, std::string* error);
  // Owner thread, after Load: starts the flusher and listens to the databases. `full_rewrite`
  // starts a compaction at once (a store enabled at runtime writes everything).
  void Start(bool full_rewrite);
  // Owner thread: flushes everything, waits for it to be durable, and detaches from the databases
  // (persistence switched off, or shutdown).
  void Stop();

  // KeyChangeListener (thread holding the shard).
  void OnKeyChanged(int db, std::string_view key) override;
  void BeforeClear(int db) override;
  void BeforeSwap(int db, int other) override;
  bool WriteForEviction(int db, const Entry* e, uint64_t* position) override;
  Entry* Load(int db, const Entry* on_disk) override;
  // EndOfEventWork: a write-back flush past writeback-max-dirty, at the end of the event.
  void AtEventEnd() override;
  // Write-through: the group commit of the loop's turn (Shard::persistence_commit_task). Owner
  // thread.
  void CommitAtTurn();

  // Owner thread: the shard came back from a lend (its changes may need a flush).
  void OnShardReturned();
  void Cron(int64_t now_ms);
  // Serialises everything dirty and submits it, at once if `force` (SAVE, shutdown), else once
  // no batch of the shard is being written; returns the newest batch submitted (with `force`:
  // the one that makes everything durable).
  uint64_t FlushNow(bool force = true);
  bool WaitDurable(uint64_t batch) { return flusher_->WaitDurable(batch); }
  // SAVE, once what FlushNow returned is durable: LASTSAVE moves now, before SAVE replies.
  void MarkSaved();
  // Whether everything dirty could be written (false: max-disk-size stopped it).
  bool all_written() const { return dirty_.empty(); }

  // Any thread: the batch that makes everything done on the shard so far durable, and whether
  // batch `n` is durable.
  uint64_t required() const { return required_.load(std::memory_order_acquire); }
  bool DurableAt(uint64_t n) const {
    return n == 0 || (flusher_ != nullptr && flusher_->durable() >= n);
  }
  // Any thread: the shard's write error ("" if none), for -MISCONF.
  bool in_error() const { return in_error_.load(std::memory_order_acquire); }
  std::string error_text() const;

  // INFO persistence (thread holding the shard).
  struct Info {
    uint64_t dirty_keys = 0;
    uint64_t dirty_bytes = 0;
    int64_t oldest_dirty_ms = 0;  // 0: nothing dirty
    uint64_t disk_bytes = 0;
    uint64_t pages_used = 0;
    uint64_t pages_free = 0;
    uint64_t pages_written = 0;
    uint64_t syncs = 0;
    uint64_t records_loaded = 0;
    uint64_t disk_reads = 0;    // values loaded back from disk
    uint64_t keys_on_disk = 0;  // keys whose value is only on disk
    uint64_t changes_since_save = 0;
    bool compacting = false;
    uint64_t compactions = 0;
  };
  Info GetInfo(int64_t now_ms) const;
  // Any thread: when the shard last had nothing left to write (ms since the epoch).
  int64_t last_save_ms() const { return last_save_ms_.load(std::memory_order_relaxed); }

 private:
  struct Dirty {
    uint64_t hash;
    uint32_t offset;
    uint32_t len;
    uint16_t db;
  };
  void ScheduleFlush();
  // Appends a record for each dirty key, then forgets them. False if the store ran out of room
  // (they stay dirty).
  bool SerializeDirty(bool past_limit = false);
  // Writes the key's current value (or its deletion). Values already on disk are skipped, except
  // by a compaction (`copy`), which moves them into the new generation. Under write-around the
  // value then leaves memory.
  bool WriteKey(int db, std::string_view key, uint64_t hash, bool copy = false,
                bool past_limit = false);
  void Submit(std::unique_ptr<PageBatch> batch);
  // Hands the pages appended so far to the flusher.
  void SubmitPending();
  // required_ after a flush: the newest batch, or the next if anything still waits for one.
  void UpdateRequired();
  // Flusher thread → owner thread.
  void OnWritten(std::vector<std::unique_ptr<PageBatch>> batches, IoStatus status);
  void SetError(const std::string& text);
  // max-disk-size stopped a flush: the error stays until the dirty keys fit (cron retries).
  void SetDiskFull();
  void ClearError();
  // Compaction.
  void MaybeStartCompaction();
  // Copies keys into the new generation for a few milliseconds (or, `finish`, to the end); at
  // the end queues the switch.
  void CompactStep(bool finish);

  Engine* const engine_;
  Shard* const shard_;
  std::unique_ptr<PageStore> store_;
  std::unique_ptr<PageFlusher> flusher_;
  bool started_ = false;

  std::string arena_;
  std::vector<Dirty> dirty_;
  // Flush scratch, reused: the dirty log's first entry for each key, in the order they were
  // logged, and the open-addressing table (indices into dirty_) that finds the repeats.
  std::vector<uint32_t> order_;
  std::vector<uint32_t> seen_;
  int64_t oldest_dirty_ms_ = 0;
  std::string value_buf_;
  std::string read_buf_;
  // Per database: values loaded from disk and unchanged since, by key, with their record's
  // position. Dropped on any change to the key, FLUSHDB/SWAPDB, and when a compaction starts.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return HashKey(k); }
  };
  std::vector<std::unordered_map<std::string, uint64_t, KeyHash, std::equal_to<>>> clean_;
  size_t clean_count_ = 0;
  void ForgetClean(int db, std::string_view key);
  void ForgetAllClean();
  std::atomic<uint64_t> disk_reads_{0};
  bool flush_scheduled_ = false;
  bool commit_queued_ = false;  // the shard's commit task is posted to the owner's next turn
  bool changed_while_lent_ = false;
  uint64_t last_taken_ = 0;            // the newest batch handed to the flusher
  size_t in_flight_ = 0;               // batches handed to the flusher and not yet back
  std::atomic<uint64_t> required_{0};  // the batch that makes everything so far durable
  std::atomic<bool> in_error_{false};
  bool disk_full_ = false;
  std::vector<std::unique_ptr<PageBatch>> failed_;
  // Rounds the flusher handed back while the shard was lent (owner thread only; handled on return).
  std::vector<std::pair<std::vector<std::unique_ptr<PageBatch>>, IoStatus>> returned_;
  // Rounds the flusher finished, for the owner: pushed by the flusher thread under written_mu_,
  // taken by TakeWritten on the owner's thread through written_task_.
  std::mutex written_mu_;
  std::vector<std::pair<std::vector<std::unique_ptr<PageBatch>>, IoStatus>> written_;
  void TakeWritten();
  CoalescedTask written_task_{[this] { TakeWritten(); }};
  std::string error_;
  int64_t last_retry_ms_ = 0;

  // Compaction state.
  bool compacting_ = false;
  int compact_db_ = 0;
  uint64_t compact_cursor_ = 0;
  uint32_t slots_after_compaction_ = 0;
  uint32_t live_pages_estimate_ = 0;  // from Load
  uint64_t compactions_ = 0;

  uint64_t records_loaded_ = 0;
  uint64_t changes_since_save_ = 0;
  std::atomic<int64_t> last_save_ms_{0};
};

}  // namespace redwing
