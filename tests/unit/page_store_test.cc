#include "storage/page_store.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace redwing {
namespace {

// An in-memory file shared by the store under test and the test: writes are logged byte ranges,
// so a test can rebuild the file as it was after any prefix of them (a crash mid-write), and can
// be made to fail.
struct MemFileState {
  std::string data;
  std::string synced;  // the data as of the last Sync
  struct WriteOp {
    uint64_t offset;
    std::string bytes;
  };
  std::vector<WriteOp> log;
  int fail_writes = 0;  // errno to return from writes (0: none)
};

class MemPageFile final : public PageFile {
 public:
  explicit MemPageFile(std::shared_ptr<MemFileState> s) : s_(std::move(s)) {}
  IoStatus Read(uint64_t offset, char* buf, size_t n, size_t* got) override {
    *got = offset >= s_->data.size() ? 0 : std::min<size_t>(n, s_->data.size() - offset);
    std::memcpy(buf, s_->data.data() + std::min<uint64_t>(offset, s_->data.size()), *got);
    return IoStatus::Ok();
  }
  IoStatus Write(uint64_t offset, std::span<const char> d) override {
    if (s_->fail_writes != 0) return {s_->fail_writes, "write"};
    if (s_->data.size() < offset + d.size()) s_->data.resize(offset + d.size(), '\0');
    std::memcpy(s_->data.data() + offset, d.data(), d.size());
    s_->log.push_back({offset, std::string(d.data(), d.size())});
    return IoStatus::Ok();
  }
  IoStatus Sync() override {
    s_->synced = s_->data;
    return IoStatus::Ok();
  }
  uint64_t Size() override { return s_->data.size(); }

 private:
  std::shared_ptr<MemFileState> s_;
};

PageStoreOptions Options(uint32_t page_size = 1024) {
  PageStoreOptions o;
  o.name = "mem";
  o.page_size = page_size;
  return o;
}

std::unique_ptr<PageStore> OpenStore(const std::shared_ptr<MemFileState>& s,
                                     PageStoreOptions o = Options(), std::string* error = nullptr) {
  std::string err;
  auto store = PageStore::Open(std::make_unique<MemPageFile>(s), o, &err);
  if (error != nullptr) *error = err;
  return store;
}

// Replays the store into a key -> value model (Put/Delete/Clear of db 0 only).
std::map<std::string, std::string> Replay(PageStore* store, RecoveryStats* stats = nullptr,
                                          std::string* error = nullptr, bool* ok = nullptr) {
  std::map<std::string, std::string> model;
  RecoveryStats local;
  std::string err;
  bool r = store->Recover(
      [&](const RecordView& rec, RecordRef) {
        if (rec.op == RecordOp::kPut) model[std::string(rec.key)] = std::string(rec.value);
        if (rec.op == RecordOp::kDelete) model.erase(std::string(rec.key));
        if (rec.op == RecordOp::kClear) model.clear();
      },
      stats != nullptr ? stats : &local, &err);
  if (error != nullptr) *error = err;
  if (ok != nullptr) *ok = r;
  return model;
}

void Flush(PageStore* store) {
  auto b = store->TakeBatch();
  if (b == nullptr) return;
  ASSERT_TRUE(store->WriteBatch(*b).ok());
  ASSERT_TRUE(store->Sync().ok());
  store->Retire(std::move(b));
}

std::string Value(int i, size_t len) {
  std::string v(len, 'a' + static_cast<char>(i % 26));
  if (!v.empty()) v[0] = static_cast<char>(i);
  return v;
}

TEST(PageStoreTest, RecordsRoundTripAcrossPages) {
  auto s = std::make_shared<MemFileState>();
  std::map<std::string, std::string> want;
  {
    auto store = OpenStore(s);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(Replay(store.get()).empty());
    for (int i = 0; i < 300; ++i) {
      // Small, page-sized and multi-page values, some of them overwritten.
      std::string key = "k" + std::to_string(i % 200);
      std::string v = Value(i, i % 7 == 0 ? 3000 : (i % 5 == 0 ? 1000 : 20));
      ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, key, v));
      want[key] = v;
      if (i % 50 == 49) Flush(store.get());
    }
    ASSERT_TRUE(store->Append(RecordOp::kDelete, 0, 0, "k3", ""));
    want.erase("k3");
    Flush(store.get());
  }
  auto store = OpenStore(s);
  ASSERT_NE(store, nullptr);
  RecoveryStats stats;
  EXPECT_EQ(Replay(store.get(), &stats), want);
  EXPECT_EQ(stats.torn_pages, 0u);
  EXPECT_EQ(stats.torn_records, 0u);
  EXPECT_EQ(stats.records, 301u);
}

TEST(PageStoreTest, ReadRecordFromMemoryAndDisk) {
  auto s = std::make_shared<MemFileState>();
  auto store = OpenStore(s);
  Replay(store.get());
  RecordRef small, big;
  std::string bigv = Value(7, 5000);
  ASSERT_TRUE(store->Append(RecordOp::kPut, 2, 12345, "small", "v", &small));
  ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, "big", bigv, &big));
  std::string buf;
  RecordView view;
  // Still in memory (no batch taken), then in flight, then on disk only.
  ASSERT_TRUE(store->ReadRecord(big, &buf, &view));
  EXPECT_EQ(view.value, bigv);
  auto b = store->TakeBatch();
  ASSERT_TRUE(store->ReadRecord(small, &buf, &view));
  EXPECT_EQ(view.key, "small");
  EXPECT_EQ(view.db, 2);
  EXPECT_EQ(view.arg, 12345);
  ASSERT_TRUE(store->WriteBatch(*b).ok());
  store->Retire(std::move(b));
  ASSERT_TRUE(store->ReadRecord(big, &buf, &view));
  EXPECT_EQ(view.value, bigv);
  EXPECT_FALSE(store->ReadRecord(RecordRef{small.slot, small.offset + 1}, &buf, &view));
}

TEST(PageStoreTest, GenerationSwitchFreesOldPagesAndKeepsFileBounded) {
  auto s = std::make_shared<MemFileState>();
  auto store = OpenStore(s);
  Replay(store.get());
  // An overwrite workload: 20 keys rewritten again and again, compacted every 100 writes.
  std::map<std::string, std::string> model;
  uint32_t max_slots = 0;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 100; ++i) {
      std::string key = "key" + std::to_string(i % 20);
      model[key] = Value(round * 100 + i, 200);
      ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, key, model[key]));
    }
    Flush(store.get());
    store->BeginGeneration();
    for (auto& [k, v] : model)
      ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, k, v));
    auto sw = store->TakeSwitchBatch();
    ASSERT_TRUE(store->WriteBatch(*sw).ok());
    ASSERT_TRUE(store->Sync().ok());
    store->Retire(std::move(sw));
    max_slots = std::max(max_slots, store->total_slots());
  }
  EXPECT_LT(max_slots, 60u);
  store.reset();
  auto again = OpenStore(s);
  EXPECT_EQ(Replay(again.get()), model);
}

TEST(PageStoreTest, MaxBytesRefusesAppends) {
  auto s = std::make_shared<MemFileState>();
  PageStoreOptions o = Options();
  o.max_bytes = 8 * 1024;
  auto store = OpenStore(s, o);
  Replay(store.get());
  int appended = 0;
  while (store->Append(RecordOp::kPut, 0, -1, "k" + std::to_string(appended), Value(1, 500)))
    ++appended;
  EXPECT_GT(appended, 5);
  EXPECT_LT(appended, 20);
  EXPECT_FALSE(store->Append(RecordOp::kPut, 0, -1, "x", Value(1, 5000)));
}

// Runs `batches` flushes of distinct writes, then replays every prefix of the last flush's
// writes as the file a crash left: recovery must accept it, keep everything of the earlier
// flushes and give every key of the last one either its old or its new value.
TEST(PageStoreTest, RecoversFromAFileCutAtEveryPositionOfItsLastWrite) {
  auto s = std::make_shared<MemFileState>();
  std::map<std::string, std::string> before, after;
  {
    auto store = OpenStore(s);
    Replay(store.get());
    for (int i = 0; i < 40; ++i) {
      std::string k = "k" + std::to_string(i);
      before[k] = Value(i, i % 3 == 0 ? 1500 : 30);
      ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, k, before[k]));
    }
    Flush(store.get());
    s->log.clear();
    after = before;
    for (int i = 0; i < 40; i += 2) {
      std::string k = "k" + std::to_string(i);
      after[k] = Value(i + 100, i % 4 == 0 ? 2500 : 40);
      ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, k, after[k]));
    }
    ASSERT_TRUE(store->Append(RecordOp::kDelete, 0, 0, "k1", ""));
    after.erase("k1");
    Flush(store.get());
  }
  // No page was freed, so the last flush's pages extend the file: before it, the file ended
  // where its first write starts.
  std::vector<MemFileState::WriteOp> last = s->log;
  std::string start = s->data.substr(0, last.front().offset);
  size_t total = 0;
  for (auto& w : last)
    total += w.bytes.size();
  for (size_t cut = 0; cut <= total; cut += 37) {
    auto t = std::make_shared<MemFileState>();
    t->data = start;
    size_t left = cut;
    for (auto& w : last) {
      size_t n = std::min(left, w.bytes.size());
      if (t->data.size() < w.offset + n) t->data.resize(w.offset + n, '\0');
      std::memcpy(t->data.data() + w.offset, w.bytes.data(), n);
      left -= n;
      if (left == 0) break;
    }
    auto store = OpenStore(t);
    ASSERT_NE(store, nullptr) << cut;
    std::string err;
    bool ok = false;
    auto got = Replay(store.get(), nullptr, &err, &ok);
    ASSERT_TRUE(ok) << "cut " << cut << ": " << err;
    for (auto& [k, v] : before) {
      auto it = got.find(k);
      if (k == "k1" && it == got.end()) continue;
      ASSERT_NE(it, got.end()) << "cut " << cut << " lost " << k;
      const std::string& now = after.count(k) ? after[k] : v;
      EXPECT_TRUE(it->second == v || it->second == now) << "cut " << cut << " key " << k;
    }
    if (cut == total) {
      EXPECT_EQ(got, after);
    }
    // A second recovery, after new writes, still accepts the file.
    ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, "later", "x"));
    Flush(store.get());
    auto again = OpenStore(t);
    bool ok2 = false;
    auto got2 = Replay(again.get(), nullptr, &err, &ok2);
    ASSERT_TRUE(ok2) << "cut " << cut << " second recovery: " << err;
    EXPECT_EQ(got2.count("later"), 1u);
  }
}

TEST(PageStoreTest, CorruptPageIsReportedWithItsNumberOrSkipped) {
  auto s = std::make_shared<MemFileState>();
  {
    auto store = OpenStore(s);
    Replay(store.get());
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, "k" + std::to_string(i), Value(i, 100)));
      if (i % 10 == 9) Flush(store.get());
    }
  }
  s->data[1024 + 200] ^= 0x55;  // page 1, an old batch
  {
    auto store = OpenStore(s);
    std::string err;
    bool ok = true;
    Replay(store.get(), nullptr, &err, &ok);
    EXPECT_FALSE(ok);
    EXPECT_NE(err.find("page 1 is corrupt"), std::string::npos) << err;
  }
  PageStoreOptions o = Options();
  o.skip_corrupt = true;
  auto store = OpenStore(s, o);
  RecoveryStats stats;
  bool ok = false;
  auto got = Replay(store.get(), &stats, nullptr, &ok);
  EXPECT_TRUE(ok);
  EXPECT_EQ(stats.corrupt_pages, 1u);
  EXPECT_EQ(got.count("k29"), 1u);
  EXPECT_LT(got.size(), 30u);
}

TEST(PageStoreTest, WrongShardOrGarbageFileIsRefused) {
  auto s = std::make_shared<MemFileState>();
  { auto store = OpenStore(s); }
  PageStoreOptions o = Options();
  o.shard_count = 2;
  std::string err;
  EXPECT_EQ(OpenStore(s, o, &err), nullptr);
  EXPECT_NE(err.find("threads"), std::string::npos);
  auto g = std::make_shared<MemFileState>();
  g->data = std::string(5000, 'x');
  EXPECT_EQ(OpenStore(g, Options(), &err), nullptr);
  EXPECT_NE(err.find("not a Redwing page file"), std::string::npos);
}

TEST(PageStoreTest, WriteErrorsAreReported) {
  auto s = std::make_shared<MemFileState>();
  auto store = OpenStore(s);
  Replay(store.get());
  ASSERT_TRUE(store->Append(RecordOp::kPut, 0, -1, "k", "v"));
  auto b = store->TakeBatch();
  s->fail_writes = ENOSPC;
  IoStatus st = store->WriteBatch(*b);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.ToString(), "write: No space left on device");
  s->fail_writes = 0;
  EXPECT_TRUE(store->WriteBatch(*b).ok());  // the batch can be written again later
  store->Retire(std::move(b));
  store.reset();
  auto again = OpenStore(s);
  EXPECT_EQ(Replay(again.get()).at("k"), "v");
}

}  // namespace
}  // namespace redwing
