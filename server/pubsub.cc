#include "server/pubsub.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <new>

#include <asio/post.hpp>

#include "common/heap.h"
#include "protocol/glob.h"
#include "server/engine.h"
#include "server/session.h"
#include "server/task.h"
#include "server/worker.h"
#include "server/worker_loop.h"

namespace redwing {

namespace {

// Frame heads (RESP2 arrays; a RESP3 subscriber gets '>' instead of the first byte).
constexpr std::string_view kMessageHead = "*3\r\n$7\r\nmessage\r\n";
constexpr std::string_view kShardMessageHead = "*3\r\n$8\r\nsmessage\r\n";

void AppendBulk(std::string& out, std::string_view s) {
  out += '$';
  out += std::to_string(s.size());
  out += "\r\n";
  out += s;
  out += "\r\n";
}

// Writes "$<len>\r\n<s>\r\n" at `p`; returns the end. `BulkSize` is its length.
size_t BulkSize(std::string_view s) {
  size_t digits = 1;
  for (size_t n = s.size(); n >= 10; n /= 10)
    ++digits;
  return 1 + digits + 2 + s.size() + 2;
}
char* WriteBulk(char* p, std::string_view s) {
  *p++ = '$';
  char digits[24];
  size_t n = 0;
  size_t v = s.size();
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0)
    *p++ = digits[--n];
  *p++ = '\r';
  *p++ = '\n';
  std::memcpy(p, s.data(), s.size());
  p += s.size();
  *p++ = '\r';
  *p++ = '\n';
  return p;
}

}  // namespace

// One published message, serialised once, with the tasks that carry it to other workers. One
// heap block: this header, then `tasks` DeliveryTasks, then the shared bytes. Freed by the last
// delivery.
class PubSub::Publication {
 public:
  static Publication* Create(PubSubKind kind, std::string_view channel, std::string_view message,
                             int tasks);
  PubSubKind kind() const { return kind_; }
  std::string_view channel() const { return {bytes() + channel_offset_, channel_len_}; }
  // "$len\r\nchannel\r\n$len\r\nmessage\r\n": what follows the head in every frame.
  std::string_view tail() const { return {bytes(), tail_len_}; }
  // The task that delivers to `target` (to be run by its worker's thread).
  Task* DeliveryTo(int task, PubSub* target);
  // Delivered once more; the last one frees the publication.
  void Release();

 private:
  class DeliveryTask final : public Task {
   public:
    explicit DeliveryTask(Publication* p) : pub_(p) {}
    void set_target(PubSub* t) { target_ = t; }
    void Run() override {
      target_->Deliver(*pub_);
      pub_->Release();  // may free this task: nothing after it
    }

   private:
    Publication* pub_;
    PubSub* target_ = nullptr;
  };
  static_assert(alignof(DeliveryTask) <= alignof(std::max_align_t));

  Publication() = default;
  DeliveryTask* tasks() { return reinterpret_cast<DeliveryTask*>(this + 1); }
  const char* bytes() const {
    return reinterpret_cast<const char*>(this + 1) +
           static_cast<size_t>(tasks_) * sizeof(DeliveryTask);
  }

  std::atomic<int> refs_{0};
  PubSubKind kind_ = PubSubKind::kChannel;
  int tasks_ = 0;
  uint32_t channel_offset_ = 0;
  uint32_t channel_len_ = 0;
  uint32_t tail_len_ = 0;
};

PubSub::Publication* PubSub::Publication::Create(PubSubKind kind, std::string_view channel,
                                                 std::string_view message, int tasks) {
  static_assert(sizeof(Publication) % alignof(DeliveryTask) == 0);
  size_t channel_bulk = BulkSize(channel);
  size_t tail_len = channel_bulk + BulkSize(message);
  size_t size = sizeof(Publication) + static_cast<size_t>(tasks) * sizeof(DeliveryTask) + tail_len;
  void* mem = heap::Alloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  auto* p = new (mem) Publication();
  p->refs_.store(tasks, std::memory_order_relaxed);
  p->kind_ = kind;
  p->tasks_ = tasks;
  p->channel_offset_ = static_cast<uint32_t>(channel_bulk - channel.size() - 2);
  p->channel_len_ = static_cast<uint32_t>(channel.size());
  p->tail_len_ = static_cast<uint32_t>(tail_len);
  for (int i = 0; i < tasks; ++i)
    new (p->tasks() + i) DeliveryTask(p);
  WriteBulk(WriteBulk(const_cast<char*>(p->bytes()), channel), message);
  return p;
}

Task* PubSub::Publication::DeliveryTo(int task, PubSub* target) {
  DeliveryTask* t = tasks() + task;
  t->set_target(target);
  return t;
}

void PubSub::Publication::Release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  for (int i = 0; i < tasks_; ++i)
    tasks()[i].~DeliveryTask();
  this->~Publication();
  heap::Free(this);
}

PubSub::PubSub(Engine* engine, Worker* worker) : engine_(engine), worker_(worker) {}

PubSub::~PubSub() = default;

bool PubSub::AddLocal(PubSubKind kind, std::string_view name, Session* s) {
  Registry& reg = local_[static_cast<int>(kind)];
  auto it = reg.find(name);
  if (it == reg.end()) {
    LocalSubscribers entry;
    switch (kind) {
      case PubSubKind::kChannel:
        entry.head = kMessageHead;
        break;
      case PubSubKind::kShard:
        entry.head = kShardMessageHead;
        break;
      case PubSubKind::kPattern:
        entry.head = "*4\r\n$8\r\npmessage\r\n";
        AppendBulk(entry.head, name);
        break;
    }
    it = reg.emplace(std::string(name), std::move(entry)).first;
  }
  auto& subs = it->second.sessions;
  if (std::find(subs.begin(), subs.end(), s) != subs.end()) return false;
  subs.push_back(s);
  return true;
}

bool PubSub::RemoveLocal(PubSubKind kind, std::string_view name, Session* s) {
  Registry& reg = local_[static_cast<int>(kind)];
  auto it = reg.find(name);
  if (it == reg.end()) return false;
  auto& subs = it->second.sessions;
  auto pos = std::find(subs.begin(), subs.end(), s);
  if (pos == subs.end()) return false;
  subs.erase(pos);  // keeps the others in subscription order (delivery order)
  if (subs.empty()) reg.erase(it);
  return true;
}

void PubSub::Apply(int from, const std::vector<SubscriptionChange>& changes) {
  for (const SubscriptionChange& c : changes) {
    Directory& dir = directory_[static_cast<int>(c.kind)];
    auto it = dir.find(c.name);
    if (it == dir.end()) {
      if (c.delta <= 0) continue;
      it = dir.emplace(c.name, Interest{}).first;
    }
    Interest& in = it->second;
    auto w = std::find_if(in.by_worker.begin(), in.by_worker.end(),
                          [from](const auto& e) { return e.first == from; });
    if (w == in.by_worker.end()) {
      if (c.delta <= 0) continue;
      w = in.by_worker.emplace(in.by_worker.end(), from, 0);
    }
    w->second += c.delta;
    in.total += c.delta;
    if (w->second <= 0) in.by_worker.erase(w);
    if (in.by_worker.empty()) dir.erase(it);
  }
}

int64_t PubSub::Target(const Interest& i) {
  for (const auto& [w, n] : i.by_worker) {
    if (target_mark_[static_cast<size_t>(w)] != publish_seq_) {
      target_mark_[static_cast<size_t>(w)] = publish_seq_;
      targets_.push_back(w);
    }
  }
  return i.total;
}

int64_t PubSub::Publish(PubSubKind kind, std::string_view channel, std::string_view message) {
  if (target_mark_.size() != static_cast<size_t>(engine_->num_workers())) {
    target_mark_.assign(static_cast<size_t>(engine_->num_workers()), 0);
    outbox_.resize(static_cast<size_t>(engine_->num_workers()));
  }
  ++publish_seq_;
  targets_.clear();
  int64_t receivers = 0;
  const Directory& dir = directory_[static_cast<int>(kind)];
  if (auto it = dir.find(channel); it != dir.end()) receivers += Target(it->second);
  if (kind == PubSubKind::kChannel) {
    for (const auto& [pattern, interest] : directory_[static_cast<int>(PubSubKind::kPattern)]) {
      if (GlobMatch(pattern, channel)) receivers += Target(interest);
    }
  }
  if (targets_.empty()) return receivers;
  bool here = false;
  int remote = 0;
  for (int w : targets_) {
    if (w == worker_->index()) {
      here = true;
    } else {
      ++remote;
    }
  }
  // The publication's reference count is its remote deliveries; a local one holds an extra
  // reference until it is done.
  Publication* p = Publication::Create(kind, channel, message, remote + (here ? 1 : 0));
  int task = 0;
  for (int w : targets_) {
    if (w != worker_->index()) {
      Send(w, p->DeliveryTo(task++, &engine_->worker(w).pubsub()));
    }
  }
  if (here) {
    Deliver(*p);
    p->Release();
  }
  return receivers;
}

void PubSub::Send(int worker, Task* delivery) {
  auto& box = outbox_[static_cast<size_t>(worker)];
  if (box.empty()) outbox_targets_.push_back(worker);
  box.push_back(delivery);
  // Inside an event the worker flushes when it ends; otherwise the loop does, soon.
  if (!worker_->in_event() && !flush_posted_) {
    flush_posted_ = true;
    asio::post(worker_->loop().io, [this] { FlushOutbox(); });
  }
}

void PubSub::FlushOutbox() {
  if (outbox_targets_.empty()) return;
  flush_posted_ = false;
  for (int w : outbox_targets_) {
    auto& box = outbox_[static_cast<size_t>(w)];
    engine_->worker(w).PostBatch(box);
    box.clear();
  }
  outbox_targets_.clear();
}

void PubSub::Deliver(const Publication& p) {
  std::string_view tail = p.tail();
  std::string_view channel = p.channel();
  const Registry& exact = local_[static_cast<int>(p.kind())];
  if (auto it = exact.find(channel); it != exact.end()) {
    // A delivery never unsubscribes anyone synchronously (a client over its output limit is
    // closed later), so the list is stable while we walk it.
    for (Session* s : it->second.sessions)
      s->DeliverPush(it->second.head, tail);
  }
  if (p.kind() != PubSubKind::kChannel) return;
  for (const auto& [pattern, subs] : local_[static_cast<int>(PubSubKind::kPattern)]) {
    if (!GlobMatch(pattern, channel)) continue;
    for (Session* s : subs.sessions)
      s->DeliverPush(subs.head, tail);
  }
}

std::vector<std::string> PubSub::Channels(PubSubKind kind,
                                          std::optional<std::string_view> pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, interest] : directory_[static_cast<int>(kind)]) {
    if (!pattern || GlobMatch(*pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t PubSub::Subscribers(PubSubKind kind, std::string_view channel) const {
  const Directory& dir = directory_[static_cast<int>(kind)];
  auto it = dir.find(channel);
  return it == dir.end() ? 0 : it->second.total;
}

void BroadcastSubscriptionChanges(Engine* engine, Worker* origin,
                                  std::vector<SubscriptionChange> changes,
                                  std::function<void()> done) {
  origin->pubsub().Apply(origin->index(), changes);
  int others = engine->num_workers() - 1;
  if (others == 0) {
    if (done) done();
    return;
  }
  struct State {
    std::vector<SubscriptionChange> changes;
    std::atomic<int> left;
    std::function<void()> done;
  };
  auto st = std::make_shared<State>();
  st->changes = std::move(changes);
  st->left = others;
  st->done = std::move(done);
  int from = origin->index();
  for (int i = 0; i < engine->num_workers(); ++i) {
    if (i == from) continue;
    Worker* w = &engine->worker(i);
    w->Post(new FunctionTask([st, w, from, origin] {
      w->pubsub().Apply(from, st->changes);
      if (st->left.fetch_sub(1, std::memory_order_acq_rel) == 1 && st->done) {
        origin->Post(new FunctionTask([st] { st->done(); }));
      }
    }));
  }
}

}  // namespace redwing
