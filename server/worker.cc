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

void Worker::Drain() {
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
