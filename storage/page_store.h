#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/page_file.h"
#include "storage/page_format.h"

namespace redwing {

// Where a record starts: its first page and its offset in that page's payload.
struct RecordRef {
  uint32_t slot = kNoPage;
  uint32_t offset = 0;
};

struct PageStoreOptions {
  std::string name;  // the file's path, for messages
  uint32_t page_size = 4096;
  uint64_t max_bytes = 0;  // 0: no limit
  uint32_t shard_index = 0;
  uint32_t shard_count = 1;
  bool skip_corrupt = false;  // drop corrupt pages at recovery instead of refusing to start
};

// The pages one flush writes, in order, and, for a generation switch, the superblock that follows
// them. Built by the owner thread (TakeBatch), written by the flusher (WriteBatch), handed back to
// the owner (Retire) once durable. The page buffers belong to the batch until then.
struct PageBatch {
  struct Page {
    uint32_t slot;
    std::unique_ptr<char[]> data;
  };
  uint64_t number = 0;
  std::vector<Page> pages;
  uint32_t switch_to_gen = 0;  // nonzero: after the pages, make this generation the active one
};

struct RecoveryStats {
  uint64_t records = 0;
  uint64_t pages = 0;          // valid data pages of the active generations
  uint64_t torn_pages = 0;     // invalid pages of the last batch: a write the crash cut short
  uint64_t torn_records = 0;   // records that could not be assembled or failed their checksum
  uint64_t corrupt_pages = 0;  // dropped because skip_corrupt was set
};

// One shard's page store: a file of fixed-size pages holding a log of records (page_format.h),
// cleaned by generations.
//
// Writing. Records are appended in sequence order to a tail page in memory, spilling into further
// pages; TakeBatch seals everything appended since the last one into a PageBatch (the tail is
// closed: the next record starts a new page, so a page on disk is never rewritten while its
// generation is live). Slots for new pages come from the free list, then from the end of the file,
// within max_bytes.
//
// Generations. Compaction (driven by the server, see server/shard_persistence.h) calls
// BeginGeneration, rewrites every live key, then queues a batch with switch_to_gen set: once its
// pages are durable the superblock names the new generation active, and every page of the older
// ones is free. Recovery reads only the pages of the active generation and newer, so records of a
// dropped key in an old generation can never come back, and deletes need no tombstone past the
// next compaction.
//
// Crash safety. A page is reused only once the superblock that freed it is durable. Recovery
// replays the valid records of the active generations in sequence order; a page that fails its
// checksum is a torn write if it belongs to the newest batch (skipped) and corruption otherwise
// (reported with the file and page number; refused unless skip_corrupt). The superblock has two
// copies in separate sectors, written alternately.
//
// Threads: everything is owner-thread only (the shard's owner), except WriteBatch and the
// counters, which the shard's flusher thread calls; batches pass between them through the
// flusher's queue, which orders the accesses.
class PageStore {
 public:
  // Opens the store on `file`, creating the superblock of an empty file. Null with *error set if
  // the file is not a page file of this shard or cannot be read.
  static std::unique_ptr<PageStore> Open(std::unique_ptr<PageFile> file,
                                         const PageStoreOptions& options, std::string* error);

  // Replays every valid record of the active generations, in sequence order, then readies the
  // writer. Call once, before any Append. False with *error set on corruption (unless
  // skip_corrupt) or a read error.
  using RecordFn = std::function<void(const RecordView&, RecordRef)>;
  bool Recover(const RecordFn& fn, RecoveryStats* stats, std::string* error);

  // Appends a record; *where (if not null) receives its position. False if the store has no room
  // for it (max_bytes; `past_limit` ignores it, for the few records that must not be lost: a
  // database emptied or swapped): nothing is appended then.
  [[nodiscard]] bool Append(RecordOp op, uint16_t db, int64_t arg, std::string_view key,
                            std::string_view value, RecordRef* where = nullptr,
                            bool past_limit = false);
  bool has_pending() const { return !pending_.empty() || tail_ != nullptr; }
  // Bytes appended since the last TakeBatch (the batch's payload).
  uint64_t pending_bytes() const { return pending_bytes_; }
  // Seals what was appended since the last call into a batch (null if nothing was, unless
  // `even_empty`: a batch with no pages still takes a number, for a reply promised it).
  std::unique_ptr<PageBatch> TakeBatch(bool even_empty = false);

  // Changes the size limit (0: none). Pages already past a lower limit stay; new ones are refused.
  void set_max_bytes(uint64_t max_bytes);

  // Generations (see above).
  void BeginGeneration();
  uint32_t write_gen() const { return write_gen_; }
  uint32_t active_gen() const { return active_gen_; }
  std::unique_ptr<PageBatch> TakeSwitchBatch();
  // The owner takes back a batch the flusher made durable: its slots' buffers return to the pool
  // and, after a switch, the older generations' slots become free.
  void Retire(std::unique_ptr<PageBatch> batch);

  // Flusher thread: writes the batch's pages (then, for a switch, syncs and writes the
  // superblock). Sync makes the writes durable; a group of batches shares one Sync.
  IoStatus WriteBatch(const PageBatch& batch);
  IoStatus Sync() { return file_->Sync(); }

  // Reads the record at `ref` (pages still in memory are read there) into *buf; *view points into
  // it. False if it cannot be read or fails its checksum.
  bool ReadRecord(RecordRef ref, std::string* buf, RecordView* view);

  // Bytes of page buffers held by every store in the process (pages waiting to be written, and a
  // pool of spares): not counted against maxmemory, as Redis leaves out its AOF buffers. Any
  // thread.
  static int64_t BufferBytes();
  ~PageStore();

  uint32_t page_size() const { return page_size_; }
  uint32_t payload_size() const { return page_size_ - static_cast<uint32_t>(kPageHeaderSize); }
  // Slots in the file, slot 0 included; slots free for reuse; data slots in use.
  uint32_t total_slots() const { return file_slots_; }
  size_t free_slots() const { return free_.size(); }
  uint32_t used_slots() const { return used_slots_; }
  uint64_t disk_bytes() const { return uint64_t{file_slots_} * page_size_; }
  const std::string& name() const { return options_.name; }

 private:
  PageStore(std::unique_ptr<PageFile> file, const PageStoreOptions& options, uint32_t page_size);
  IoStatus WriteSuperblock(uint32_t active_gen);
  // Slots: a free one (lowest first) or one past the end of the file; kNoPage if max_bytes stops
  // it. `Reserve(n)` says whether n more can be had.
  uint32_t AllocateSlot();
  bool Reserve(size_t n) const;
  char* NewBuffer();
  // Starts a new tail page; `cont` payload bytes of it continue the record being written.
  void OpenTail(uint32_t slot, uint32_t cont);
  // Moves the tail to pending_ with `next` as its continuation.
  void CloseTail(uint32_t next);
  // Copies record bytes into the tail, spilling into new pages.
  void Write(const char* p, size_t n);
  const char* InMemoryPage(uint32_t slot) const;
  bool ReadPage(uint32_t slot, char* buf);

  std::unique_ptr<PageFile> file_;
  PageStoreOptions options_;
  const uint32_t page_size_;
  uint64_t max_slots_;
  bool past_limit_ = false;  // within an Append that may go past max_bytes

  // Superblock state (flusher thread after Open).
  uint64_t super_seq_ = 0;

  // Owner-thread state.
  uint32_t active_gen_ = 1;
  uint32_t write_gen_ = 1;
  uint64_t next_seq_ = 1;
  uint64_t next_batch_ = 1;
  uint32_t file_slots_ = 1;  // slot 0 is the superblock's
  uint32_t used_slots_ = 0;
  std::vector<uint32_t> slot_gen_;  // per slot: the generation of its page; 0: free
  std::vector<uint32_t> free_;      // a min-heap of free slots
  std::vector<std::unique_ptr<char[]>> spare_buffers_;
  // Pages appended but not yet in a batch, and the tail (the last of them, still filling).
  std::vector<PageBatch::Page> pending_;
  char* tail_ = nullptr;
  uint32_t tail_slot_ = kNoPage;
  uint32_t tail_used_ = 0;
  uint64_t record_left_ = 0;  // bytes of the record being written not yet copied
  uint64_t pending_bytes_ = 0;
  // Pages not yet durable (pending or in a batch in flight), by slot: reads find them here.
  std::unordered_map<uint32_t, const char*> in_memory_;
};

}  // namespace redwing
