#include "server/worker.h"

#include <asio/post.hpp>

#include "server/engine.h"
#include "server/pubsub.h"
#include "server/worker_loop.h"

namespace redwing {
namespace {
thread_local Worker* t_current = nullptr;
}  // namespace

Worker::Worker(int index, Engine* engine)
    : index_(index),
      engine_(engine),
      loop_(std::make_unique<WorkerLoop>()),
      pubsub_(std::make_unique<PubSub>(engine, this)) {
  counters_.per_command =
      std::make_unique<WorkerCounters::PerCommand[]>(static_cast<size_t>(engine->command_ids()));
}

Worker::~Worker() = default;

Worker* Worker::Current() {
  return t_current;
}

void Worker::Post(Task* t) {
  // Whatever the sender published before this message reaches its targets first (a command's
  // notifications before its reply, as in Redis).
  if (Worker* from = t_current; from != nullptr) from->pubsub_->FlushOutbox();
  inbox_.Push(t);
  Wake();
}

void Worker::PostBatch(std::span<Task* const> tasks) {
  for (Task* t : tasks)
    inbox_.Push(t);
  if (!tasks.empty()) Wake();
}

void Worker::Wake() {
  // Wake the loop only on the idle -> busy edge; Drain clears the flag before it pops, so a task
  // pushed after the last pop always finds the flag clear and posts another wake-up.
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) {
    asio::post(loop_->io, [this] { Drain(); });
  }
}

void Worker::Defer(EndOfEventWork* work, std::shared_ptr<void> keep) {
  if (event_depth_ > 0) {
    deferred_.emplace_back(work, std::move(keep));
    return;
  }
  asio::post(loop_->io, [work, keep = std::move(keep)] { work->AtEventEnd(); });
}

void Worker::EndEvent() {
  // What runs here may queue more (a write never publishes, but stay general): it is still
  // inside the event, and this loop runs until nothing is left.
  ++event_depth_;
  while (true) {
    pubsub_->FlushOutbox();
    if (deferred_.empty()) break;
    auto work = std::move(deferred_);
    deferred_.clear();
    for (auto& [w, keep] : work)
      w->AtEventEnd();
  }
  --event_depth_;
}

void Worker::AwaitDurable(EndOfEventWork* work, std::shared_ptr<void> keep) {
  durable_waiters_.emplace_back(work, std::move(keep));
}

void Worker::AtNextTurn(Task* t) {
  asio::post(loop_->io, [this, t] {
    EventScope scope(this);
    t->Run();
  });
}

void Worker::NotifyDurable() {
  if (t_current == this && event_depth_ > 0) {
    // From this worker's own commit: its waiters check again at the end of this event.
    RecheckDurableWaiters();
    return;
  }
  if (durable_task_.Arm()) Post(&durable_task_);
}

void Worker::RecheckDurableWaiters() {
  auto waiters = std::move(durable_waiters_);
  durable_waiters_.clear();
  for (auto& [work, keep] : waiters)
    Defer(work, std::move(keep));
}

void Worker::Drain() {
  EventScope scope(this);
  // An exchange, not a store: reading the producers' `true` synchronizes with them, so every push
  // that preceded their flag update is visible to the pops below.
  wake_pending_.exchange(false, std::memory_order_acq_rel);
  while (MpscNode* n = inbox_.Pop())
    static_cast<Task*>(n)->Run();
}

void Worker::Start() {
  thread_ = std::thread([this] { ThreadMain(); });
}

void Worker::ThreadMain() {
  t_current = this;
  loop_->io.run();
  t_current = nullptr;
}

void Worker::Stop() {
  loop_->guard.reset();
  loop_->io.stop();
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace redwing
