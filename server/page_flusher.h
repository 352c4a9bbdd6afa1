#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/page_store.h"

namespace redwing {

// The background thread that writes one shard's page batches and makes them durable, off the
// request path. Batches are written in submission order; all those waiting when the thread wakes
// share one fdatasync (group commit: concurrent writers under write-through cost one sync per
// round, not one each).
//
// After each round `done` runs on the flusher thread with the round's batches and its status;
// it hands them back to the shard's owner (ShardPersistence::OnWritten). After a failure the
// flusher writes nothing more until Resume(): a later batch must never become durable before an
// earlier one, or durable() would lie.
//
// Threading: Submit, Resume, Stop and durable() may be called from any thread; the store's
// WriteBatch/Sync run on the flusher thread, or in WriteHere on the caller's while the flusher
// is idle.
class PageFlusher {
 public:
  using Done = std::function<void(std::vector<std::unique_ptr<PageBatch>>, IoStatus)>;
  PageFlusher(PageStore* store, Done done);
  ~PageFlusher();  // Stop()
  PageFlusher(const PageFlusher&) = delete;
  PageFlusher& operator=(const PageFlusher&) = delete;

  void Submit(std::unique_ptr<PageBatch> batch);
  // Writes and syncs `batch` on the calling thread, then counts it durable. Only while nothing
  // submitted is queued or being written and the flusher has not failed (the caller tracks
  // that): batches still become durable in order. Under write-through the owner commits inline
  // this way, as Redis does, instead of waking this thread and being woken back.
  IoStatus WriteHere(const PageBatch& batch);
  // Clears a failure: `failed` (the batches `done` returned with the error, in order) are written
  // again, before anything submitted since.
  void Resume(std::vector<std::unique_ptr<PageBatch>> failed);
  bool failed() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }
  // Writes what was submitted (unless failed), then ends the thread.
  void Stop();
  // The highest batch number such that it and every earlier one are durable.
  uint64_t durable() const { return durable_.load(std::memory_order_acquire); }
  // Blocks until durable() >= n or a write fails; false on failure. Not from the flusher thread.
  bool WaitDurable(uint64_t n);
  // Counters for INFO (any thread).
  uint64_t pages_written() const { return pages_written_.load(std::memory_order_relaxed); }
  uint64_t syncs() const { return syncs_.load(std::memory_order_relaxed); }

 private:
  void Main();

  PageStore* const store_;
  Done done_;
  std::mutex mu_;
  std::condition_variable cv_;  // work queued or stop
  std::condition_variable durable_cv_;
  std::vector<std::unique_ptr<PageBatch>> queue_;
  bool stop_ = false;
  bool failed_ = false;
  std::atomic<uint64_t> durable_{0};
  std::atomic<uint64_t> pages_written_{0};
  std::atomic<uint64_t> syncs_{0};
  std::thread thread_;
};

}  // namespace redwing
