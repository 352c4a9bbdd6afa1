#include "server/page_flusher.h"

#include <utility>

namespace redwing {

PageFlusher::PageFlusher(PageStore* store, Done done) : store_(store), done_(std::move(done)) {
  thread_ = std::thread([this] { Main(); });
}

PageFlusher::~PageFlusher() {
  Stop();
}

void PageFlusher::Submit(std::unique_ptr<PageBatch> batch) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(batch));
  }
  cv_.notify_one();
}

IoStatus PageFlusher::WriteHere(const PageBatch& batch) {
  IoStatus st = store_->WriteBatch(batch);
  if (st.ok()) st = store_->Sync();
  pages_written_.fetch_add(batch.pages.size(), std::memory_order_relaxed);
  syncs_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  if (st.ok()) {
    durable_.store(batch.number, std::memory_order_release);
  } else {
    failed_ = true;  // as after a round of Main: nothing more until Resume
  }
  durable_cv_.notify_all();
  return st;
}

void PageFlusher::Resume(std::vector<std::unique_ptr<PageBatch>> failed) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The failed batches go first: they precede everything submitted since.
    for (auto& b : queue_)
      failed.push_back(std::move(b));
    queue_ = std::move(failed);
    failed_ = false;
  }
  cv_.notify_one();
}

void PageFlusher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool PageFlusher::WaitDurable(uint64_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  durable_cv_.wait(lock, [&] { return durable() >= n || failed_; });
  return durable() >= n;
}

void PageFlusher::Main() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || (!queue_.empty() && !failed_); });
    if (queue_.empty() || failed_) {
      if (stop_) break;
      continue;
    }
    std::vector<std::unique_ptr<PageBatch>> round = std::move(queue_);
    queue_.clear();
    lock.unlock();
    IoStatus st = IoStatus::Ok();
    uint64_t pages = 0;
    for (const auto& b : round) {
      st = store_->WriteBatch(*b);
      if (!st.ok()) break;
      pages += b->pages.size();
    }
    if (st.ok()) st = store_->Sync();
    pages_written_.fetch_add(pages, std::memory_order_relaxed);
    syncs_.fetch_add(1, std::memory_order_relaxed);
    uint64_t last = round.back()->number;
    lock.lock();
    if (st.ok()) {
      durable_.store(last, std::memory_order_release);
    } else {
      failed_ = true;
    }
    durable_cv_.notify_all();
    lock.unlock();
    done_(std::move(round), st);
    lock.lock();
  }
}

}  // namespace redwing
