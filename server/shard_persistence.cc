#include "server/shard_persistence.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "common/heap.h"
#include "server/collection_limits.h"
#include "server/config.h"
#include "server/engine.h"
#include "server/logging.h"
#include "server/shard.h"
#include "server/task.h"
#include "storage/value_codec.h"

namespace redwing {

namespace {

// A compaction starts once the file holds this many data pages and twice what the last one left.
constexpr uint32_t kMinCompactionSlots = 256;
// Time a cron tick may spend copying keys for a compaction.
constexpr int64_t kCompactBudgetUs = 20000;
// Values evicted to disk are sent to the flusher once this many bytes of them wait.
constexpr uint64_t kEvictionBatchBytes = 1 << 20;
// Batches a shard keeps in the flusher at once. One: letting a second wait behind it (so the
// flusher need not wait for the owner to hear of the last round) measured slower, with twice the
// fsyncs for smaller groups.
constexpr size_t kMaxInFlight = 1;
// Failed writes are retried this often.
constexpr int64_t kRetryIntervalMs = 1000;

std::mutex g_error_mu;

// An on-disk entry's value: its record's position, packed.
uint64_t PackPosition(RecordRef ref) {
  return (uint64_t{ref.slot} << 32) | ref.offset;
}
RecordRef PositionOf(const Entry* e) {
  uint64_t p = 0;
  std::memcpy(&p, e->value().data(), sizeof(p));
  return RecordRef{static_cast<uint32_t>(p >> 32), static_cast<uint32_t>(p)};
}  // guards ShardPersistence::error_ (read by other threads for -MISCONF)

}  // namespace

ShardPersistence::ShardPersistence(Engine* engine, Shard* shard, std::unique_ptr<PageStore> store)
    : engine_(engine),
      shard_(shard),
      store_(std::move(store)),
      clean_(static_cast<size_t>(shard->num_dbs())) {}

ShardPersistence::~ShardPersistence() {
  if (flusher_ != nullptr) flusher_->Stop();
}

std::unique_ptr<ShardPersistence> ShardPersistence::Open(Engine* engine, Shard* shard,
                                                         std::string* error) {
  const Config& c = engine->config();
  std::string dir = c.dir();
  if (dir.empty()) dir.push_back('.');  // (not `= "."`: GCC 12 -O3 warns, -Wrestrict)
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "Can't create the directory '" + dir + "': " + ec.message();
    return nullptr;
  }
  PageStoreOptions o;
  o.name = dir + "/redwing-shard-" + std::to_string(shard->index()) + ".pages";
  o.page_size = static_cast<uint32_t>(c.page_size());
  o.max_bytes =
      static_cast<uint64_t>(c.max_disk_size()) / static_cast<uint64_t>(engine->num_shards());
  o.shard_index = static_cast<uint32_t>(shard->index());
  o.shard_count = static_cast<uint32_t>(engine->num_shards());
  o.skip_corrupt = c.persistence_skip_corrupt();
  IoStatus st;
  auto file = OpenPosixPageFile(o.name, &st);
  if (file == nullptr) {
    *error = o.name + ": " + st.ToString();
    return nullptr;
  }
  auto store = PageStore::Open(std::move(file), o, error);
  if (store == nullptr) return nullptr;
  return std::make_unique<ShardPersistence>(engine, shard, std::move(store));
}

bool ShardPersistence::Load(bool replay, std::string* error) {
  CollectionLimits limits = CollectionLimitsOf(engine_->config());
  const int64_t now = NowMs();
  shard_->clock().now_ms = now;
  RecoveryStats stats;
  uint64_t undecodable = 0;
  // Values stay on disk under write-around, and once memory is three quarters of maxmemory.
  const bool around = engine_->config().persistence() == PersistPolicy::kWriteAround;
  const int64_t maxmemory = engine_->config().maxmemory();
  bool as_positions = around;
  uint64_t applied = 0;
  // Deletes without Database::Find, which would try to load an on-disk value (and count a miss).
  auto erase = [](Database& db, std::string_view key) {
    uint64_t hash = HashKey(key);
    Entry** link = db.table().Find(key, hash);
    if (link != nullptr) db.Erase(KeyRef{link, hash});
  };
  uint64_t put_bytes = 0, puts = 0;
  auto apply = [&](const RecordView& r, RecordRef ref) {
    if (r.op == RecordOp::kPut) {
      put_bytes += RecordSize(r.key.size(), r.value.size());
      ++puts;
    }
    if (!replay || r.db >= shard_->num_dbs()) return;
    Database& db = shard_->db(r.db);
    switch (r.op) {
      case RecordOp::kPut: {
        if (r.arg >= 0 && r.arg <= now) {
          erase(db, r.key);  // expired while the server was down
          return;
        }
        if (!as_positions && maxmemory > 0 && ++applied % 256 == 0) {
          as_positions = heap::UsedBytes() > maxmemory / 4 * 3;
        }
        Entry* e = nullptr;
        ValueType type;
        if (as_positions && EncodedType(r.value, &type)) {
          uint64_t position = PackPosition(ref);
          e = Entry::New(r.key, type, Encoding::kOnDisk,
                         {reinterpret_cast<const char*>(&position), sizeof(position)}, r.arg);
        } else {
          e = DecodeValue(r.key, r.value, r.arg, limits);
        }
        if (e == nullptr) {
          ++undecodable;
          return;
        }
        db.Put(e);
        return;
      }
      case RecordOp::kDelete:
        erase(db, r.key);
        return;
      case RecordOp::kClear:
        db.Clear();
        return;
      case RecordOp::kSwap:
        if (r.arg >= 0 && r.arg < shard_->num_dbs()) db.Swap(shard_->db(static_cast<int>(r.arg)));
        return;
    }
  };
  shard_->EnableKeyEvents(false);
  bool ok = store_->Recover(apply, &stats, error);
  shard_->EnableKeyEvents(true);
  if (!ok) return false;
  records_loaded_ = stats.records;
  // The pages the live keys would fill (from the average Put record): the compaction baseline, so
  // that a file full of dead records after a restart is compacted soon, not after doubling again.
  uint64_t keys = 0;
  for (int i = 0; i < shard_->num_dbs(); ++i)
    keys += shard_->db(i).size();
  live_pages_estimate_ =
      puts == 0 ? 0 : static_cast<uint32_t>(put_bytes / puts * keys / store_->payload_size() + 1);
  if (stats.torn_pages + stats.torn_records + stats.corrupt_pages + undecodable > 0) {
    Log(LogLevel::kWarning, store_->name() + ": recovered past " +
                                std::to_string(stats.torn_pages) + " torn page(s), " +
                                std::to_string(stats.torn_records) + " incomplete record(s), " +
                                std::to_string(stats.corrupt_pages) + " skipped corrupt page(s), " +
                                std::to_string(undecodable) + " undecodable value(s)");
  }
  return true;
}

void ShardPersistence::Start(bool full_rewrite) {
  Worker* owner = shard_->owner();
  Engine* engine = engine_;
  flusher_ = std::make_unique<PageFlusher>(
      store_.get(),
      [this, owner, engine](std::vector<std::unique_ptr<PageBatch>> batches, IoStatus status) {
        // Handed back through a list this object owns and a task that is one of its members.
        // The batches are never freed here: until the owner retires them their pages serve
        // reads (PageStore::InMemoryPage), and a shutdown's last compaction still reads them
        // on the stopping thread. What the owner has not taken is freed with this object.
        {
          std::lock_guard<std::mutex> lock(written_mu_);
          written_.emplace_back(std::move(batches), status);
        }
        // Stopping: the workers are gone or going, and a task posted now would never run.
        if (engine->stopping()) return;
        if (written_task_.Arm()) owner->Post(&written_task_);
        if (status.ok()) engine->NotifyDurable();
      });
  for (int i = 0; i < shard_->num_dbs(); ++i)
    shard_->db(i).set_change_listener(this);
  started_ = true;
  slots_after_compaction_ = std::min(store_->used_slots(), live_pages_estimate_);
  last_save_ms_ = NowMs();
  if (full_rewrite) {
    store_->BeginGeneration();
    ForgetAllClean();
    compacting_ = true;
    compact_db_ = 0;
    compact_cursor_ = 0;
  }
}

void ShardPersistence::Stop() {
  if (!started_) return;
  uint64_t want = FlushNow();
  if (compacting_) CompactStep(/*finish=*/true);
  want = std::max(want, last_taken_);
  if (!flusher_->WaitDurable(want) || !dirty_.empty()) {
    Log(LogLevel::kWarning, store_->name() + ": " + std::to_string(dirty_.size()) +
                                " changed key(s) could not be written at shutdown (" +
                                error_text() + ")");
  }
  for (int i = 0; i < shard_->num_dbs(); ++i)
    shard_->db(i).set_change_listener(nullptr);
  flusher_->Stop();
  started_ = false;
}

void ShardPersistence::ForgetClean(int db, std::string_view key) {
  auto& m = clean_[static_cast<size_t>(db)];
  auto it = m.find(key);
  if (it == m.end()) return;
  m.erase(it);
  --clean_count_;
}

void ShardPersistence::ForgetAllClean() {
  for (auto& m : clean_)
    std::unordered_map<std::string, uint64_t, KeyHash, std::equal_to<>>().swap(m);
  clean_count_ = 0;
}

void ShardPersistence::OnKeyChanged(int db, std::string_view key) {
  if (clean_count_ > 0) ForgetClean(db, key);
  if (dirty_.empty()) oldest_dirty_ms_ = NowMs();
  dirty_.push_back(Dirty{HashKey(key), static_cast<uint32_t>(arena_.size()),
                         static_cast<uint32_t>(key.size()), static_cast<uint16_t>(db)});
  arena_.append(key);
  ++changes_since_save_;
  if (required_.load(std::memory_order_relaxed) != last_taken_ + 1) {
    required_.store(last_taken_ + 1, std::memory_order_release);
  }
  PersistPolicy policy = engine_->config().persistence();
  if (AcksAfterSync(policy) ||
      static_cast<int64_t>(arena_.size()) >= engine_->config().writeback_max_dirty()) {
    ScheduleFlush();
  }
}

void ShardPersistence::ScheduleFlush() {
  if (Worker::Current() != shard_->owner()) {
    changed_while_lent_ = true;  // the owner flushes when the shard comes back
    return;
  }
  if (AcksAfterSync(engine_->config().persistence())) {
    if (commit_queued_) return;
    commit_queued_ = true;
    shard_->owner()->AtNextTurn(shard_->persistence_commit_task());
    return;
  }
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  shard_->owner()->Defer(this, nullptr);
}

void ShardPersistence::CommitAtTurn() {
  commit_queued_ = false;
  if (!started_ || !shard_->Available()) {
    // Lent out: the owner commits when it comes back.
    if (started_) changed_while_lent_ = true;
    return;
  }
  // Replies made since the last batch may wait for the next one (required_), even if the keys
  // they changed need no record now (values already on disk): it must come, empty if need be.
  const bool promised = required_.load(std::memory_order_relaxed) > last_taken_;
  if (!SerializeDirty()) SetDiskFull();
  // (Not an empty batch while keys stay dirty, max-disk-size having stopped them: their replies
  // wait for the cron's retry.)
  if (in_flight_ > 0 || !(store_->has_pending() || (promised && dirty_.empty()))) {
    // The flusher's batches come first: OnWritten schedules the next commit.
    UpdateRequired();
    return;
  }
  std::unique_ptr<PageBatch> batch = store_->TakeBatch(/*even_empty=*/true);
  last_taken_ = batch->number;
  UpdateRequired();
  IoStatus status = flusher_->WriteHere(*batch);
  std::vector<std::unique_ptr<PageBatch>> done;
  done.push_back(std::move(batch));
  ++in_flight_;  // as if the flusher had it: OnWritten does the bookkeeping either way
  OnWritten(std::move(done), status);
  if (!status.ok()) return;
  // Replies waiting on this shard: this worker's go out at the end of this event, the others'
  // when their workers wake.
  engine_->NotifyDurable();
}

void ShardPersistence::TakeWritten() {
  std::vector<std::pair<std::vector<std::unique_ptr<PageBatch>>, IoStatus>> done;
  {
    std::lock_guard<std::mutex> lock(written_mu_);
    done.swap(written_);
  }
  for (auto& [batches, status] : done) {
    // Only while the owner holds the shard: lent out (to INFO, a transaction...), the batches
    // wait for its return.
    if (!shard_->Available()) {
      returned_.emplace_back(std::move(batches), status);
      continue;
    }
    OnWritten(std::move(batches), status);
  }
}

void ShardPersistence::OnShardReturned() {
  auto returned = std::move(returned_);
  returned_.clear();
  for (auto& [batches, status] : returned)
    OnWritten(std::move(batches), status);
  if (!changed_while_lent_) return;
  changed_while_lent_ = false;
  ScheduleFlush();
}

void ShardPersistence::AtEventEnd() {
  flush_scheduled_ = false;
  if (!started_) return;
  if (!shard_->Available()) {
    changed_while_lent_ = true;
    return;
  }
  FlushNow(/*force=*/false);
}

void ShardPersistence::BeforeClear(int db) {
  ForgetAllClean();
  // The database's dirty keys are about to go: the Clear record covers them.
  size_t kept = 0;
  for (const Dirty& d : dirty_) {
    if (d.db != db) dirty_[kept++] = d;
  }
  dirty_.resize(kept);
  // Past max-disk-size if need be: losing it would bring the keys back after a restart.
  if (!store_->Append(RecordOp::kClear, static_cast<uint16_t>(db), 0, "", "", nullptr,
                      /*past_limit=*/true)) {
    SetDiskFull();
  }
  required_.store(last_taken_ + 1, std::memory_order_release);
  ScheduleFlush();
}

void ShardPersistence::BeforeSwap(int db, int other) {
  ForgetAllClean();
  // Dirty keys are named by database number: write them before the numbers change meaning.
  // Past max-disk-size if need be: a dirty key left behind would be written to the wrong database.
  if (!SerializeDirty(/*past_limit=*/true) ||
      !store_->Append(RecordOp::kSwap, static_cast<uint16_t>(db), other, "", "", nullptr,
                      /*past_limit=*/true)) {
    SetDiskFull();
  }
  required_.store(last_taken_ + 1, std::memory_order_release);
  ScheduleFlush();
}

bool ShardPersistence::WriteKey(int db, std::string_view key, uint64_t hash, bool copy,
                                bool past_limit) {
  Entry** link = shard_->db(db).table().Find(key, hash);
  if (link == nullptr) {
    return store_->Append(RecordOp::kDelete, static_cast<uint16_t>(db), 0, key, "", nullptr,
                          past_limit);
  }
  Entry* e = *link;
  const int64_t expire = e->has_expire() ? e->expire_at_ms() : -1;
  RecordRef ref;
  if (e->on_disk()) {
    if (!copy) return true;  // its record was written when it left memory
    RecordView view;
    if (!store_->ReadRecord(PositionOf(e), &read_buf_, &view)) {
      Log(LogLevel::kWarning, store_->name() + ": cannot read the value of a key to compact it");
      return true;
    }
    if (!store_->Append(RecordOp::kPut, static_cast<uint16_t>(db), expire, key, view.value, &ref)) {
      return false;
    }
    uint64_t position = PackPosition(ref);
    std::memcpy(e->mutable_value_data(), &position, sizeof(position));
    return true;
  }
  value_buf_.clear();
  EncodeValue(e, &value_buf_);
  if (!store_->Append(RecordOp::kPut, static_cast<uint16_t>(db), expire, key, value_buf_, &ref,
                      past_limit)) {
    return false;
  }
  if (!copy && engine_->config().persistence() == PersistPolicy::kWriteAround) {
    shard_->db(db).DropToDisk(KeyRef{link, hash}, PackPosition(ref));
  }
  return true;
}

bool ShardPersistence::WriteForEviction(int db, const Entry* e, uint64_t* position) {
  if (clean_count_ > 0) {
    // Unchanged since it was loaded: its record is still the key's latest.
    auto& m = clean_[static_cast<size_t>(db)];
    if (auto it = m.find(e->key()); it != m.end()) {
      *position = it->second;
      m.erase(it);
      --clean_count_;
      return true;
    }
  }
  value_buf_.clear();
  EncodeValue(e, &value_buf_);
  RecordRef ref;
  if (!store_->Append(RecordOp::kPut, static_cast<uint16_t>(db),
                      e->has_expire() ? e->expire_at_ms() : -1, e->key(), value_buf_, &ref)) {
    return false;
  }
  *position = PackPosition(ref);
  // Eviction under a burst of writes: send the values out now rather than at the next flush,
  // so that their pages do not pile up in memory.
  if (store_->pending_bytes() >= kEvictionBatchBytes) SubmitPending();
  return true;
}

void ShardPersistence::SubmitPending() {
  if (auto batch = store_->TakeBatch()) {
    last_taken_ = batch->number;
    Submit(std::move(batch));
  }
  UpdateRequired();
}

void ShardPersistence::UpdateRequired() {
  bool all = dirty_.empty() && !store_->has_pending();
  required_.store(all ? last_taken_ : last_taken_ + 1, std::memory_order_release);
}

Entry* ShardPersistence::Load(int db, const Entry* on_disk) {
  const RecordRef at = PositionOf(on_disk);
  RecordView view;
  if (!store_->ReadRecord(at, &read_buf_, &view)) {
    Log(LogLevel::kWarning, store_->name() + ": cannot read the value of a key from disk");
    return nullptr;
  }
  disk_reads_.fetch_add(1, std::memory_order_relaxed);
  Entry* e =
      DecodeValue(on_disk->key(), view.value, on_disk->has_expire() ? on_disk->expire_at_ms() : -1,
                  CollectionLimitsOf(engine_->config()));
  // A compaction is moving records to a new generation: a position from before may not outlive
  // it, so none is kept meanwhile.
  if (e != nullptr && started_ && !compacting_ &&
      clean_[static_cast<size_t>(db)]
          .insert_or_assign(std::string(on_disk->key()), PackPosition(at))
          .second) {
    ++clean_count_;
  }
  return e;
}

bool ShardPersistence::SerializeDirty(bool past_limit) {
  if (dirty_.empty()) return true;
  auto key_of = [&](uint32_t i) {
    return std::string_view(arena_.data() + dirty_[i].offset, dirty_[i].len);
  };
  // A key changed many times is written once: the first entry for each (database, key) goes to
  // order_, the repeats are found in seen_ (at most half full; linear probing).
  constexpr uint32_t kFree = UINT32_MAX;
  const size_t mask = std::bit_ceil(dirty_.size() * 2) - 1;
  seen_.assign(mask + 1, kFree);
  order_.clear();
  for (uint32_t i = 0; i < dirty_.size(); ++i) {
    const Dirty& d = dirty_[i];
    for (size_t slot = (d.hash + d.db) & mask;; slot = (slot + 1) & mask) {
      uint32_t at = seen_[slot];
      if (at == kFree) {
        seen_[slot] = i;
        order_.push_back(i);
        break;
      }
      const Dirty& o = dirty_[at];
      if (o.hash == d.hash && o.db == d.db && key_of(at) == key_of(i)) break;
    }
  }
  const size_t unique = order_.size();
  // Each key is looked up again to read its value: a cache miss on its bucket and one on its
  // entry, in a table far larger than the cache. Hints run ahead of the writes (buckets
  // kPrefetchAhead keys ahead, entries half as far, once their bucket has arrived) so the
  // misses overlap, as they do for a pipeline's commands.
  constexpr size_t kPrefetchAhead = 16;
  auto hint = [&](size_t i, int stage) {
    if (i >= unique) return;
    const Dirty& d = dirty_[order_[i]];
    shard_->db(d.db).table().Prefetch(d.hash, stage);
  };
  for (size_t i = 0; i < kPrefetchAhead; ++i) {
    hint(i, 0);
    if (i < kPrefetchAhead / 2) hint(i, 1);
  }
  for (size_t i = 0; i < unique; ++i) {
    hint(i + kPrefetchAhead, 0);
    hint(i + kPrefetchAhead / 2, 1);
    uint32_t at = order_[i];
    if (!WriteKey(dirty_[at].db, key_of(at), dirty_[at].hash, /*copy=*/false, past_limit)) {
      return false;
    }
  }
  dirty_.clear();
  arena_.clear();
  if (arena_.capacity() > (1u << 20)) arena_.shrink_to_fit();
  // The scratch of a burst goes back too (it counts as used memory).
  if (seen_.capacity() > (1u << 18)) std::vector<uint32_t>().swap(seen_);
  if (order_.capacity() > (1u << 18)) std::vector<uint32_t>().swap(order_);
  oldest_dirty_ms_ = 0;
  return true;
}

uint64_t ShardPersistence::FlushNow(bool force) {
  if (!started_) return last_taken_;
  if (!SerializeDirty()) SetDiskFull();
  // Group commit: while batches are being written, what follows waits and goes out as one batch
  // when one returns (OnWritten), so a busy shard writes fewer, fuller pages per fsync.
  if (force || in_flight_ < kMaxInFlight) {
    SubmitPending();
  } else {
    UpdateRequired();
  }
  return last_taken_;
}

void ShardPersistence::Submit(std::unique_ptr<PageBatch> batch) {
  ++in_flight_;
  flusher_->Submit(std::move(batch));
}

void ShardPersistence::OnWritten(std::vector<std::unique_ptr<PageBatch>> batches, IoStatus status) {
  if (!started_) return;
  if (!status.ok()) {
    for (auto& b : batches)
      failed_.push_back(std::move(b));
    SetError(status.ToString());
    Log(LogLevel::kWarning, store_->name() + ": " + status.ToString() +
                                "; write commands are refused until the retry succeeds");
    return;
  }
  in_flight_ -= std::min(in_flight_, batches.size());
  for (auto& b : batches) {
    bool switched = b->switch_to_gen != 0;
    store_->Retire(std::move(b));
    if (switched) {
      ++compactions_;
      slots_after_compaction_ = store_->used_slots();
    }
  }
  if (!disk_full_ && failed_.empty() && !flusher_->failed()) ClearError();
  // A burst of writes may have doubled the file since the last cron tick.
  if (!compacting_) MaybeStartCompaction();
  // What waited behind the batches goes out now: under write-through at the loop's next turn
  // (inline, once the flusher is idle), else to the flusher.
  if (in_flight_ < kMaxInFlight && (store_->has_pending() || !dirty_.empty())) {
    if (AcksAfterSync(engine_->config().persistence())) {
      if (in_flight_ == 0) ScheduleFlush();
    } else if (store_->has_pending()) {
      FlushNow(/*force=*/true);
    }
  }
  if (dirty_.empty() && !store_->has_pending() && flusher_->durable() >= last_taken_) {
    last_save_ms_ = NowMs();
    changes_since_save_ = 0;
  }
}

void ShardPersistence::SetError(const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(g_error_mu);
    error_ = text;
  }
  in_error_.store(true, std::memory_order_release);
}

void ShardPersistence::SetDiskFull() {
  disk_full_ = true;
  SetError("max-disk-size reached");
}

void ShardPersistence::MarkSaved() {
  if (!dirty_.empty() || store_->has_pending()) return;
  last_save_ms_ = NowMs();
  changes_since_save_ = 0;
}

void ShardPersistence::ClearError() {
  if (!in_error_.load(std::memory_order_relaxed)) return;
  in_error_.store(false, std::memory_order_release);
  Log(LogLevel::kNotice, store_->name() + ": writes to the page store work again");
}

std::string ShardPersistence::error_text() const {
  std::lock_guard<std::mutex> lock(g_error_mu);
  return error_;
}

void ShardPersistence::Cron(int64_t now_ms) {
  if (!started_) return;
  store_->set_max_bytes(static_cast<uint64_t>(engine_->config().max_disk_size()) /
                        static_cast<uint64_t>(engine_->num_shards()));
  if (in_error_.load(std::memory_order_relaxed) && now_ms - last_retry_ms_ >= kRetryIntervalMs) {
    last_retry_ms_ = now_ms;
    if (!failed_.empty()) {
      flusher_->Resume(std::move(failed_));
      failed_.clear();
    }
    if (disk_full_ && SerializeDirty()) disk_full_ = false;
    if (!disk_full_ && failed_.empty() && !flusher_->failed()) ClearError();
  }
  PersistPolicy policy = engine_->config().persistence();
  bool due = !dirty_.empty() &&
             (AcksAfterSync(policy) ||
              now_ms - oldest_dirty_ms_ >= engine_->config().writeback_delay_ms() -
                                               1000 / std::max(1, engine_->config().hz()));
  if (due || store_->has_pending()) FlushNow(/*force=*/false);
  if (compacting_) {
    CompactStep(/*finish=*/false);
  } else {
    MaybeStartCompaction();
  }
}

void ShardPersistence::MaybeStartCompaction() {
  if (in_error_.load(std::memory_order_relaxed)) return;
  uint32_t used = store_->used_slots();
  if (used < kMinCompactionSlots || used < 2 * slots_after_compaction_) return;
  FlushNow();
  store_->BeginGeneration();
  ForgetAllClean();
  compacting_ = true;
  compact_db_ = 0;
  compact_cursor_ = 0;
  CompactStep(/*finish=*/false);
}

void ShardPersistence::CompactStep(bool finish) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::vector<std::string> keys;
  while (compact_db_ < shard_->num_dbs()) {
    Database& db = shard_->db(compact_db_);
    keys.clear();
    for (int i = 0; i < 64 && (i == 0 || compact_cursor_ != 0); ++i) {
      compact_cursor_ =
          db.table().Scan(compact_cursor_, [&](Entry* e) { keys.emplace_back(e->key()); });
    }
    for (const std::string& k : keys) {
      if (!WriteKey(compact_db_, k, HashKey(k), /*copy=*/true)) {
        SetDiskFull();
        return;
      }
    }
    if (compact_cursor_ == 0) ++compact_db_;
    auto spent =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
    if (!finish && spent >= kCompactBudgetUs && compact_db_ < shard_->num_dbs()) {
      FlushNow();
      return;
    }
  }
  // Every key is in the new generation: once it is durable the superblock names it.
  if (!SerializeDirty()) {
    SetDiskFull();
    return;
  }
  auto batch = store_->TakeSwitchBatch();
  last_taken_ = batch->number;
  Submit(std::move(batch));
  UpdateRequired();
  compacting_ = false;
}

ShardPersistence::Info ShardPersistence::GetInfo(int64_t now_ms) const {
  Info info;
  info.dirty_keys = dirty_.size();
  info.dirty_bytes = arena_.size() + store_->pending_bytes();
  info.oldest_dirty_ms = dirty_.empty() ? 0 : now_ms - oldest_dirty_ms_;
  info.disk_bytes = store_->disk_bytes();
  info.pages_used = store_->used_slots();
  info.pages_free = store_->free_slots();
  if (flusher_ != nullptr) {
    info.pages_written = flusher_->pages_written();
    info.syncs = flusher_->syncs();
  }
  info.records_loaded = records_loaded_;
  info.disk_reads = disk_reads_.load(std::memory_order_relaxed);
  for (int i = 0; i < shard_->num_dbs(); ++i)
    info.keys_on_disk += shard_->db(i).on_disk_keys();
  info.changes_since_save = changes_since_save_;
  info.compacting = compacting_;
  info.compactions = compactions_;
  return info;
}

}  // namespace redwing
