#include "storage/page_store.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>

namespace redwing {

namespace {

// Pages read per call while scanning the file at recovery.
constexpr uint32_t kScanChunk = 256;

bool AllZero(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != 0) return false;
  return true;
}

std::atomic<int64_t> g_buffer_bytes{0};

void PushFree(std::vector<uint32_t>* heap, uint32_t slot) {
  heap->push_back(slot);
  std::push_heap(heap->begin(), heap->end(), std::greater<>());
}

}  // namespace

PageStore::PageStore(std::unique_ptr<PageFile> file, const PageStoreOptions& options,
                     uint32_t page_size)
    : file_(std::move(file)), options_(options), page_size_(page_size) {
  set_max_bytes(options.max_bytes);
  slot_gen_.assign(1, 0);
}

void PageStore::set_max_bytes(uint64_t max_bytes) {
  max_slots_ = max_bytes == 0 ? kNoPage : std::max<uint64_t>(max_bytes / page_size_, 2);
  max_slots_ = std::min<uint64_t>(max_slots_, kNoPage - 1);
}

std::unique_ptr<PageStore> PageStore::Open(std::unique_ptr<PageFile> file,
                                           const PageStoreOptions& options, std::string* error) {
  const std::string& name = options.name;
  if (options.page_size < kMinPageSize || options.page_size > kMaxPageSize ||
      (options.page_size & (options.page_size - 1)) != 0) {
    *error = "page-size must be a power of two between 1024 and 1048576";
    return nullptr;
  }
  uint64_t size = file->Size();
  if (size == 0) {
    std::unique_ptr<PageStore> store(new PageStore(std::move(file), options, options.page_size));
    IoStatus st = store->WriteSuperblock(1);
    if (st.ok()) st = store->file_->Sync();
    if (!st.ok()) {
      *error = name + ": " + st.ToString();
      return nullptr;
    }
    return store;
  }
  char sectors[2 * kSectorSize] = {};
  size_t got = 0;
  IoStatus st = file->Read(0, sectors, sizeof(sectors), &got);
  if (!st.ok()) {
    *error = name + ": " + st.ToString();
    return nullptr;
  }
  Superblock a{}, b{};
  bool va = got >= kSectorSize && DecodeSuperblock(sectors, &a);
  bool vb = got >= 2 * kSectorSize && DecodeSuperblock(sectors + kSectorSize, &b);
  if (!va && !vb) {
    *error = name + ": not a Redwing page file (no valid superblock in page 0)";
    return nullptr;
  }
  Superblock sb = !vb || (va && a.seq >= b.seq) ? a : b;
  if (sb.page_size < kMinPageSize || sb.page_size > kMaxPageSize ||
      (sb.page_size & (sb.page_size - 1)) != 0) {
    *error = name + ": bad page size in the superblock";
    return nullptr;
  }
  if (sb.shard_count != options.shard_count || sb.shard_index != options.shard_index) {
    *error = name + ": written by a server with " + std::to_string(sb.shard_count) +
             " threads (this file is shard " + std::to_string(sb.shard_index) +
             "); start with the same 'threads' setting";
    return nullptr;
  }
  std::unique_ptr<PageStore> store(new PageStore(std::move(file), options, sb.page_size));
  store->super_seq_ = sb.seq;
  store->active_gen_ = sb.active_gen;
  store->write_gen_ = sb.active_gen;
  return store;
}

IoStatus PageStore::WriteSuperblock(uint32_t active_gen) {
  Superblock sb{};
  sb.page_size = page_size_;
  sb.shard_index = options_.shard_index;
  sb.shard_count = options_.shard_count;
  sb.active_gen = active_gen;
  sb.seq = ++super_seq_;
  char sector[kSectorSize];
  EncodeSuperblock(sb, sector);
  // Alternate copies: a torn write can only damage the older one.
  return file_->Write((sb.seq % 2) * kSectorSize, {sector, kSectorSize});
}

bool PageStore::ReadPage(uint32_t slot, char* buf) {
  size_t got = 0;
  IoStatus st = file_->Read(uint64_t{slot} * page_size_, buf, page_size_, &got);
  return st.ok() && got == page_size_;
}

bool PageStore::Recover(const RecordFn& fn, RecoveryStats* stats, std::string* error) {
  struct Meta {
    uint32_t slot;
    uint64_t first_seq;
  };
  uint64_t size = file_->Size();
  uint32_t slots = static_cast<uint32_t>(std::min<uint64_t>(size / page_size_, kNoPage - 1));
  bool partial_last = size > page_size_ && size % page_size_ != 0;
  slot_gen_.assign(std::max<uint32_t>(slots, 1), 0);
  std::vector<PageHeader> headers(slots);
  std::vector<uint8_t> state(slots, 0);  // 0 free, 1 valid, 2 bad (classified below)
  std::vector<Meta> starts;
  uint64_t max_batch = 0, max_seq = 0;
  uint32_t max_gen = active_gen_;
  std::unique_ptr<char[]> chunk(new char[size_t{kScanChunk} * page_size_]);
  for (uint32_t first = 1; first < slots; first += kScanChunk) {
    uint32_t n = std::min(kScanChunk, slots - first);
    size_t got = 0;
    IoStatus st =
        file_->Read(uint64_t{first} * page_size_, chunk.get(), size_t{n} * page_size_, &got);
    if (!st.ok() || got < size_t{n} * page_size_) {
      *error = options_.name + ": " + (st.ok() ? "short read" : st.ToString());
      return false;
    }
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t slot = first + i;
      const char* page = chunk.get() + size_t{i} * page_size_;
      PageHeader h = ReadHeader(page);
      headers[slot] = h;
      if (AllZero(page, kPageHeaderSize)) continue;
      if (CheckPage(page, page_size_, slot)) {
        if (h.gen < active_gen_) continue;  // an older generation's page: free
        state[slot] = 1;
        max_batch = std::max(max_batch, h.batch);
        max_gen = std::max(max_gen, h.gen);
        if (h.first_seq != 0) starts.push_back({slot, h.first_seq});
      } else if (h.magic == kPageMagic && h.slot == slot && h.gen < active_gen_) {
        continue;  // free space, whatever happened to it
      } else {
        state[slot] = 2;
      }
    }
  }
  std::vector<uint32_t> erase;
  for (uint32_t slot = 1; slot < slots; ++slot) {
    if (state[slot] != 2) continue;
    const PageHeader& h = headers[slot];
    if (h.magic == kPageMagic && h.slot == slot && h.batch >= max_batch) {
      ++stats->torn_pages;  // the newest batch, cut short by the crash
      state[slot] = 0;
      erase.push_back(slot);
      continue;
    }
    if (!options_.skip_corrupt) {
      *error = options_.name + ": page " + std::to_string(slot) +
               " is corrupt (bad checksum or header); start with persistence-skip-corrupt yes " +
               "to drop it";
      return false;
    }
    ++stats->corrupt_pages;
    state[slot] = 0;
    erase.push_back(slot);
  }
  if (partial_last) ++stats->torn_pages;
  // Torn and dropped pages lose their header now, so that a later recovery, after newer batches,
  // sees free space there rather than an old torn page it would take for corruption.
  bool erased = !erase.empty();
  char zeros[kPageHeaderSize] = {};
  for (uint32_t slot : erase) {
    IoStatus st = file_->Write(uint64_t{slot} * page_size_, {zeros, sizeof(zeros)});
    if (!st.ok()) {
      *error = options_.name + ": " + st.ToString();
      return false;
    }
  }
  if (erased) {
    IoStatus st = file_->Sync();
    if (!st.ok()) {
      *error = options_.name + ": " + st.ToString();
      return false;
    }
  }
  std::sort(starts.begin(), starts.end(),
            [](const Meta& a, const Meta& b) { return a.first_seq < b.first_seq; });

  // Replay, in sequence order: pages by their first record, records in page order.
  std::unique_ptr<char[]> page(new char[page_size_]);
  std::unique_ptr<char[]> cont(new char[page_size_]);
  std::string assembled;
  for (const Meta& m : starts) {
    if (!ReadPage(m.slot, page.get()) || !CheckPage(page.get(), page_size_, m.slot)) {
      *error = options_.name + ": page " + std::to_string(m.slot) + " changed while recovering";
      return false;
    }
    PageHeader h = ReadHeader(page.get());
    const char* payload = page.get() + kPageHeaderSize;
    uint32_t off = h.cont_bytes;
    while (off + kRecordHeadSize <= h.used) {
      uint64_t total = RecordTotalSize(payload + off);
      std::string_view bytes;
      if (off + total <= h.used) {
        bytes = {payload + off, static_cast<size_t>(total)};
      } else {
        // Gather the rest from the continuation chain.
        assembled.assign(payload + off, h.used - off);
        uint32_t next = h.next;
        bool ok = total < (uint64_t{1} << 32);
        while (ok && assembled.size() < total) {
          ok = next != kNoPage && next < slots && state[next] == 1 && ReadPage(next, cont.get()) &&
               CheckPage(cont.get(), page_size_, next);
          if (!ok) break;
          PageHeader ch = ReadHeader(cont.get());
          size_t take = std::min<size_t>(ch.cont_bytes, total - assembled.size());
          ok = take > 0;
          assembled.append(cont.get() + kPageHeaderSize, take);
          next = ch.next;
        }
        if (ok) bytes = assembled;
      }
      RecordView view;
      if (!bytes.empty() && DecodeRecord(bytes, &view)) {
        ++stats->records;
        max_seq = std::max(max_seq, view.seq);
        fn(view, RecordRef{m.slot, off});
      } else {
        ++stats->torn_records;
      }
      if (off + total > h.used) break;  // the page's last record continued elsewhere
      off += static_cast<uint32_t>(total);
    }
  }

  // Ready the writer: valid pages stay, everything else is free.
  file_slots_ = std::max<uint32_t>(slots, 1);
  free_.clear();
  used_slots_ = 0;
  for (uint32_t slot = 1; slot < slots; ++slot) {
    if (state[slot] == 1) {
      slot_gen_[slot] = headers[slot].gen;
      ++used_slots_;
      ++stats->pages;
    } else {
      free_.push_back(slot);
    }
  }
  std::make_heap(free_.begin(), free_.end(), std::greater<>());
  write_gen_ = max_gen;
  next_batch_ = max_batch + 1;
  for (const Meta& m : starts)
    max_seq = std::max(max_seq, m.first_seq);
  next_seq_ = max_seq + 1;
  return true;
}

bool PageStore::Reserve(size_t n) const {
  uint64_t max = past_limit_ ? kNoPage - 1 : max_slots_;
  return free_.size() + (max - std::min<uint64_t>(max, file_slots_)) >= n;
}

uint32_t PageStore::AllocateSlot() {
  uint32_t slot;
  if (!free_.empty()) {
    std::pop_heap(free_.begin(), free_.end(), std::greater<>());
    slot = free_.back();
    free_.pop_back();
  } else {
    if (file_slots_ >= (past_limit_ ? kNoPage - 1 : max_slots_)) return kNoPage;
    slot = file_slots_++;
    slot_gen_.resize(file_slots_, 0);
  }
  slot_gen_[slot] = write_gen_;
  ++used_slots_;
  return slot;
}

int64_t PageStore::BufferBytes() {
  return g_buffer_bytes.load(std::memory_order_relaxed);
}

PageStore::~PageStore() {
  g_buffer_bytes.fetch_sub(
      static_cast<int64_t>(spare_buffers_.size() + pending_.size()) * page_size_,
      std::memory_order_relaxed);
}

char* PageStore::NewBuffer() {
  if (spare_buffers_.empty()) {
    g_buffer_bytes.fetch_add(page_size_, std::memory_order_relaxed);
    return new char[page_size_];
  }
  char* b = spare_buffers_.back().release();
  spare_buffers_.pop_back();
  return b;
}

void PageStore::OpenTail(uint32_t slot, uint32_t cont) {
  char* buf = NewBuffer();
  PageHeader h{};
  h.magic = kPageMagic;
  h.version = kPageFormatVersion;
  h.kind = 1;
  h.slot = slot;
  h.gen = write_gen_;
  h.cont_bytes = cont;
  h.next = kNoPage;
  std::memcpy(buf, &h, sizeof(h));
  pending_.push_back({slot, std::unique_ptr<char[]>(buf)});
  in_memory_[slot] = buf;
  tail_ = buf;
  tail_slot_ = slot;
  tail_used_ = 0;
}

void PageStore::CloseTail(uint32_t next) {
  PageHeader h = ReadHeader(tail_);
  h.used = tail_used_;
  h.next = next;
  std::memcpy(tail_, &h, sizeof(h));
  tail_ = nullptr;
  tail_slot_ = kNoPage;
}

void PageStore::Write(const char* p, size_t n) {
  while (n > 0) {
    uint32_t room = payload_size() - tail_used_;
    if (room == 0) {
      uint32_t slot = AllocateSlot();  // Append reserved it
      CloseTail(slot);
      OpenTail(slot, static_cast<uint32_t>(std::min<uint64_t>(record_left_, payload_size())));
      room = payload_size();
    }
    size_t take = std::min<size_t>(room, n);
    std::memcpy(tail_ + kPageHeaderSize + tail_used_, p, take);
    tail_used_ += static_cast<uint32_t>(take);
    p += take;
    n -= take;
    record_left_ -= take;
  }
}

bool PageStore::Append(RecordOp op, uint16_t db, int64_t arg, std::string_view key,
                       std::string_view value, RecordRef* where, bool past_limit) {
  struct Scope {
    bool* flag;
    ~Scope() { *flag = false; }
  } scope{&past_limit_};
  past_limit_ = past_limit;
  size_t total = RecordSize(key.size(), value.size());
  bool new_tail = tail_ == nullptr || payload_size() - tail_used_ < kRecordHeadSize;
  size_t room = new_tail ? payload_size() : payload_size() - tail_used_;
  size_t more = total > room ? (total - room + payload_size() - 1) / payload_size() : 0;
  if (!Reserve(more + (new_tail ? 1 : 0))) return false;
  if (new_tail) {
    if (tail_ != nullptr) CloseTail(kNoPage);
    OpenTail(AllocateSlot(), 0);
  }
  RecordView r;
  r.op = op;
  r.db = db;
  r.seq = next_seq_++;
  r.arg = arg;
  r.key = key;
  r.value = value;
  PageHeader h = ReadHeader(tail_);
  if (h.first_seq == 0) {
    h.first_seq = r.seq;
    std::memcpy(tail_, &h, sizeof(h));
  }
  if (where != nullptr) *where = RecordRef{tail_slot_, tail_used_};
  char head[kRecordHeadSize];
  EncodeRecordHead(r, head);
  uint64_t sum = RecordChecksum(head, key, value);
  record_left_ = total;
  Write(head, sizeof(head));
  Write(key.data(), key.size());
  Write(value.data(), value.size());
  Write(reinterpret_cast<const char*>(&sum), sizeof(sum));
  pending_bytes_ += total;
  return true;
}

std::unique_ptr<PageBatch> PageStore::TakeBatch(bool even_empty) {
  if (pending_.empty() && !even_empty) return nullptr;
  if (tail_ != nullptr) CloseTail(kNoPage);
  auto batch = std::make_unique<PageBatch>();
  batch->number = next_batch_++;
  for (PageBatch::Page& p : pending_) {
    PageHeader h = ReadHeader(p.data.get());
    h.batch = batch->number;
    std::memcpy(p.data.get(), &h, sizeof(h));
    SealPage(p.data.get());
  }
  batch->pages = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  return batch;
}

void PageStore::BeginGeneration() {
  if (tail_ != nullptr) CloseTail(kNoPage);
  ++write_gen_;
}

std::unique_ptr<PageBatch> PageStore::TakeSwitchBatch() {
  auto batch = TakeBatch(/*even_empty=*/true);
  batch->switch_to_gen = write_gen_;
  return batch;
}

IoStatus PageStore::WriteBatch(const PageBatch& batch) {
  for (const PageBatch::Page& p : batch.pages) {
    IoStatus st = file_->Write(uint64_t{p.slot} * page_size_, {p.data.get(), page_size_});
    if (!st.ok()) return st;
  }
  if (batch.switch_to_gen != 0) {
    // The new generation's pages must be durable before the superblock lets the old ones go.
    IoStatus st = file_->Sync();
    if (!st.ok()) return st;
    return WriteSuperblock(batch.switch_to_gen);
  }
  return IoStatus::Ok();
}

void PageStore::Retire(std::unique_ptr<PageBatch> batch) {
  for (PageBatch::Page& p : batch->pages) {
    auto it = in_memory_.find(p.slot);
    if (it != in_memory_.end() && it->second == p.data.get()) in_memory_.erase(it);
    spare_buffers_.push_back(std::move(p.data));
  }
  if (spare_buffers_.size() > 64) {
    g_buffer_bytes.fetch_sub(static_cast<int64_t>(spare_buffers_.size() - 64) * page_size_,
                             std::memory_order_relaxed);
    spare_buffers_.resize(64);
  }
  if (batch->switch_to_gen != 0 && batch->switch_to_gen > active_gen_) {
    active_gen_ = batch->switch_to_gen;
    for (uint32_t slot = 1; slot < file_slots_; ++slot) {
      if (slot_gen_[slot] != 0 && slot_gen_[slot] < active_gen_) {
        slot_gen_[slot] = 0;
        --used_slots_;
        PushFree(&free_, slot);
      }
    }
  }
}

const char* PageStore::InMemoryPage(uint32_t slot) const {
  auto it = in_memory_.find(slot);
  return it == in_memory_.end() ? nullptr : it->second;
}

bool PageStore::ReadRecord(RecordRef ref, std::string* buf, RecordView* view) {
  std::unique_ptr<char[]> scratch;
  auto page_at = [&](uint32_t slot) -> const char* {
    if (slot >= file_slots_) return nullptr;
    if (const char* p = InMemoryPage(slot)) return p;
    if (!scratch) scratch.reset(new char[page_size_]);
    if (!ReadPage(slot, scratch.get()) || !CheckPage(scratch.get(), page_size_, slot)) {
      return nullptr;
    }
    return scratch.get();
  };
  const char* page = page_at(ref.slot);
  if (page == nullptr) return false;
  PageHeader h = ReadHeader(page);
  uint32_t used = page == tail_ ? tail_used_ : h.used;
  if (ref.offset + kRecordHeadSize > used) return false;
  uint64_t total = RecordTotalSize(page + kPageHeaderSize + ref.offset);
  if (total > (uint64_t{1} << 32)) return false;
  size_t first = std::min<uint64_t>(total, used - ref.offset);
  buf->assign(page + kPageHeaderSize + ref.offset, first);
  uint32_t next = h.next;
  while (buf->size() < total) {
    page = page_at(next);
    if (page == nullptr) return false;
    PageHeader ch = ReadHeader(page);
    size_t take = std::min<size_t>(ch.cont_bytes, total - buf->size());
    if (take == 0) return false;
    buf->append(page + kPageHeaderSize, take);
    next = ch.next;
  }
  return DecodeRecord(*buf, view);
}

}  // namespace redwing
