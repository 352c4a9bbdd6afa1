#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/byte_buffer.h"
#include "protocol/resp_parser.h"
#include "server/session.h"
#include "server/worker.h"

namespace redwing {

class Engine;
class Worker;
struct ConnectionSocket;

// One client connection: the socket, the read buffer and parser, and the Session that runs its
// commands. Reads are parsed in place; every reply produced by one read is sent with one write
// (replies accumulate while a write is in flight and leave in the next one). A client that stops
// reading its replies is not read from either (backpressure instead of unbounded buffering).
//
// Migration: a connection whose commands all go to one other worker's shard (a hot key, a hash
// tag) may move to that worker (connection-migration), so its commands stop crossing threads.
// It moves only between reads, with nothing in flight or buffered: its socket and ClientState
// are handed to a new Connection there, and this one is dropped without closing the socket.
//
// Owned by (shared_ptr) its pending I/O and in-flight work; lives on one worker's thread and is
// touched only there.
class Connection final : public SessionOwner,
                         public EndOfEventWork,
                         public std::enable_shared_from_this<Connection> {
 public:
  // `adopted`: the client state of a connection that moved here from another worker.
  Connection(Engine* engine, Worker* worker, std::unique_ptr<ConnectionSocket> socket,
             ClientState* adopted = nullptr);
  ~Connection() override;

  void Start();
  // Closes the socket; in-flight work completes and is dropped. Idempotent.
  void Close();
  bool closed() const { return closed_; }

  Session& session() { return session_; }
  // One CLIENT LIST / CLIENT INFO line (without the trailing newline).
  std::string Describe(int64_t now_ms) const override;
  std::string peer_address() const { return peer_; }
  std::string local_address() const { return local_; }

  // SessionOwner.
  void OnSessionResumed() override;
  std::shared_ptr<void> KeepAlive() override { return shared_from_this(); }
  void OnSessionBlocked(int64_t deadline_ms) override;
  void OnSessionUnblocked() override;
  void OnPushed() override;
  // EndOfEventWork: writes the messages delivered during the event.
  void AtEventEnd() override;

  // Position in the worker's connection list (worker thread only).
  std::list<Connection*>::iterator registry_position;

 private:
  void DoRead();
  void ProcessInput();
  // Cache hints for a batch of several commands, before any runs.
  void PrefetchBatch();
  // Parses up to kParseBatch complete commands into batch_ (stopping after an inline command,
  // whose arguments live in the parser until its next call).
  void ParseBatch();
  void MaybeWrite();
  // Between reads: moves the connection to the worker that owns the shard its latest commands
  // all went to, when that is wanted (Engine::MigrationWanted) and nothing is in flight. True if
  // it moved (this object is then finished: closed_, unlisted, its socket released).
  bool TryMigrate();
  // While blocked: waits for the peer's close on peer_watch.
  void WatchPeer();
  bool PeerClosed() const;
  // client-output-buffer-limit for this client's class (pubsub if it has subscriptions, else
  // normal), with Redis's rules: over the hard limit, or over the soft one for longer than its
  // seconds. Past it, the connection is closed from the loop (never from inside a delivery).
  void EnforceOutputLimit();

  bool awaiting_durable_ = false;  // registered with Worker::AwaitDurable
  // Write-through: the durability point the replies in out_ wait for, taken when out_ had this
  // many bytes (Engine::CaptureDurability).
  std::vector<uint64_t> durable_point_;
  size_t durable_point_bytes_ = 0;
  Engine* const engine_;
  Worker* const worker_;
  std::unique_ptr<ConnectionSocket> socket_;
  std::string peer_;
  std::string local_;
  ByteBuffer in_;
  size_t parse_pos_ = 0;
  RespParser parser_;
  Session session_;
  ByteBuffer writing_;
  bool reading_ = false;
  bool write_in_flight_ = false;
  bool closed_ = false;
  bool close_after_write_ = false;
  bool registered_ = false;
  std::string protocol_error_;
  // Commands parsed from the read buffer and not yet executed: arguments of all of them, flat,
  // and each command's [begin, end) in it. Views into in_ (stable while they wait), except the
  // last command's if it was inline.
  std::vector<std::string_view> batch_args_;
  std::vector<std::pair<uint32_t, uint32_t>> batch_;
  // For the cache hints: each command's first argument's HashKey() and the table it is looked
  // up in (Session::HintTable).
  std::vector<std::pair<const HashTable*, uint64_t>> batch_hints_;
  // Each command's spec (nullptr: unknown), looked up once when parsed, for the member hints and
  // the run.
  std::vector<const CommandSpec*> batch_specs_;
  // For commands that name a member of a big collection (CommandSpec::member_arg): the key's
  // table and hash, the member, then the collection's table and the member's hash.
  struct MemberHint {
    const HashTable* keys;
    uint64_t key_hash;
    std::string_view key;
    std::string_view member;
    const HashTable* members = nullptr;
    uint64_t member_hash = 0;
  };
  std::vector<MemberHint> member_hints_;
  size_t batch_next_ = 0;
  bool batch_last_inline_ = false;
  bool query_limit_hit_ = false;
  // Pub/sub: a write is queued for messages delivered outside of ProcessInput.
  bool push_write_scheduled_ = false;
  bool output_limit_hit_ = false;
  int64_t soft_limit_since_ms_ = 0;  // 0: under the soft limit
};

// Calls fn for every open connection served by `w`. Worker `w`'s thread only.
void ForEachConnection(Worker& w, const std::function<void(Connection&)>& fn);

}  // namespace redwing
