#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace redwing {

class Engine;
class Session;
class Task;
class Worker;

// Redis keeps three separate namespaces of subscriptions.
enum class PubSubKind : uint8_t { kChannel = 0, kPattern = 1, kShard = 2 };
constexpr int kPubSubKinds = 3;

// A change of one worker's subscriptions, told to every worker's directory.
struct SubscriptionChange {
  PubSubKind kind;
  std::string name;
  int delta;  // +1 subscribed, -1 unsubscribed
};

// One worker's part of pub/sub. Touched only by its worker's thread.
//
// - The *local registry*: which of this worker's sessions subscribe to each channel, pattern and
//   shard channel, in subscription order. Deliveries read it.
// - The *directory*: for every channel, pattern and shard channel subscribed anywhere, how many
//   subscriptions each worker has. Every worker keeps its own replica, so a PUBLISH reads only
//   its own thread's data: it counts the receivers and knows which workers to send the message to
//   without a lock or a round trip. Replicas are updated by messages (BroadcastChanges); a
//   (un)subscription is acknowledged to its client only once every replica has it, so a publish
//   that follows the acknowledgement, on any thread, sees it.
//
// A publication is serialised once: the bytes after the frame's type word ("$len\r\nchannel\r\n
// $len\r\nmessage\r\n") are shared by every delivery, on every worker; each subscriber gets a
// copy of a small per-kind head and of those bytes. Deliveries to another worker travel as one
// task per worker through its inbox, so messages from one publisher reach every subscriber in
// publish order (FIFO per producer). They leave together when the handler that published them
// ends (PostBatch: one wake-up for a whole pipeline of publishes).
class PubSub {
 public:
  PubSub(Engine* engine, Worker* worker);
  ~PubSub();
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Local registry. Add returns false if `s` already had the subscription; Remove, if it had not.
  bool AddLocal(PubSubKind kind, std::string_view name, Session* s);
  bool RemoveLocal(PubSubKind kind, std::string_view name, Session* s);

  // Directory: applies changes made by the sessions of worker `from`.
  void Apply(int from, const std::vector<SubscriptionChange>& changes);

  // Publishes `message` on `channel` (kChannel: to channel and pattern subscribers; kShard: to
  // shard-channel subscribers). Returns the number of receivers on all workers. Delivers to this
  // worker's subscribers before returning; other workers' deliveries are on their way.
  int64_t Publish(PubSubKind kind, std::string_view channel, std::string_view message);

  // Introspection from the directory (PUBSUB).
  std::vector<std::string> Channels(PubSubKind kind, std::optional<std::string_view> pattern) const;
  int64_t Subscribers(PubSubKind kind, std::string_view channel) const;
  int64_t Patterns() const { return static_cast<int64_t>(directory_[1].size()); }
  size_t DirectorySize(PubSubKind kind) const { return directory_[static_cast<int>(kind)].size(); }

  // Sends the deliveries queued for other workers: at the end of each event (Worker::EndEvent),
  // and before anything else leaves this worker (a message to another worker, a write to a
  // socket), so that whatever happens after a publish, as seen from outside, happens after its
  // deliveries are on their way.
  void FlushOutbox();

  class Publication;
  // Delivers `p` to this worker's subscribers.
  void Deliver(const Publication& p);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Interest {
    int64_t total = 0;
    std::vector<std::pair<int, int64_t>> by_worker;  // (worker, subscriptions), non-zero only
  };
  using Directory = std::unordered_map<std::string, Interest, Hash, std::equal_to<>>;
  // A channel's (or pattern's) local subscribers, and the head of the frames they get.
  struct LocalSubscribers {
    std::string head;
    std::vector<Session*> sessions;
  };
  using Registry = std::unordered_map<std::string, LocalSubscribers, Hash, std::equal_to<>>;

  // Queues a delivery for another worker. Deliveries leave together once the current handler has
  // finished (a pipeline's publishes cost the target one wake-up, not one each), in order.
  void Send(int worker, Task* delivery);
  // Adds `i`'s workers to targets_ (each once) and returns its subscriptions.
  int64_t Target(const Interest& i);

  Engine* const engine_;
  Worker* const worker_;
  Directory directory_[kPubSubKinds];
  Registry local_[kPubSubKinds];
  // Publish scratch: the workers to deliver to, and a per-worker mark of those already listed.
  std::vector<int> targets_;
  std::vector<uint64_t> target_mark_;
  uint64_t publish_seq_ = 0;
  // Deliveries not sent yet, by target worker, and the targets with any.
  std::vector<std::vector<Task*>> outbox_;
  std::vector<int> outbox_targets_;
  bool flush_posted_ = false;
};

// Applies `changes`, made by `origin`'s sessions, to every worker's directory: at once on
// `origin` (the calling thread), by message elsewhere. `done` (if set) runs on `origin`'s thread
// once every worker has them (at once with a single worker).
void BroadcastSubscriptionChanges(Engine* engine, Worker* origin,
                                  std::vector<SubscriptionChange> changes,
                                  std::function<void()> done);

}  // namespace redwing
