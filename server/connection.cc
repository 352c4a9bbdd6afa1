#include "server/connection.h"

#include <poll.h>
#include <unistd.h>

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include "server/command_registry.h"
#include "server/connection_socket.h"
#include "server/engine.h"
#include "server/logging.h"
#include "server/pubsub.h"
#include "server/worker.h"
#include "server/worker_loop.h"
#include "storage/collection.h"
#include "storage/entry.h"
#include "storage/hash_table.h"

namespace redwing {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
// Past this many bytes of unsent replies we stop reading the client's requests until it drains.
constexpr size_t kBackpressureBytes = 4 * 1024 * 1024;
// A buffer that grew past this (a huge request or reply) is released once empty.
constexpr size_t kShrinkAbove = 1024 * 1024;
// Commands parsed ahead of execution (for the cache hints); bounds the per-connection batch.
constexpr size_t kParseBatch = 64;

// Consecutive commands for one other worker's shard before a connection follows them there.
// Keys spread over the shards never get there: 64 random keys all on one other shard of two
// happen once in 2^64 runs.
constexpr uint32_t kMigrateAfter = 64;

// A connection on its way to another worker: the socket's descriptor (closed if it never
// arrives, e.g. when the server stops first) and the client's state.
struct MovingConnection {
  int fd = -1;
  asio::ip::tcp protocol = asio::ip::tcp::v4();
  ClientState client;
  MovingConnection() = default;
  MovingConnection(const MovingConnection&) = delete;
  MovingConnection& operator=(const MovingConnection&) = delete;
  ~MovingConnection() {
    if (fd >= 0) ::close(fd);
  }
};

std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  std::string addr = ep.address().to_string();
  if (ep.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(ep.port());
}
}  // namespace

Connection::Connection(Engine* engine, Worker* worker, std::unique_ptr<ConnectionSocket> socket,
                       ClientState* adopted)
    : engine_(engine),
      worker_(worker),
      socket_(std::move(socket)),
      parser_(static_cast<size_t>(engine->config().proto_max_bulk_len())),
      session_(engine, worker, this, adopted) {
  asio::error_code ec;
  auto remote = socket_->socket.remote_endpoint(ec);
  if (!ec) peer_ = Endpoint(remote);
  auto local = socket_->socket.local_endpoint(ec);
  if (!ec) local_ = Endpoint(local);
}

Connection::~Connection() = default;

void Connection::Start() {
  asio::error_code ec;
  socket_->socket.set_option(asio::ip::tcp::no_delay(true), ec);
  // Replies are sent with a direct non-blocking send first (MaybeWrite).
  socket_->socket.non_blocking(true, ec);
  if (engine_->config().tcp_keepalive() > 0) {
    socket_->socket.set_option(asio::socket_base::keep_alive(true), ec);
  }
  registry_position = worker_->loop().connections.insert(worker_->loop().connections.end(), this);
  registered_ = true;
  DoRead();
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  socket_->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_->socket.close(ec);
  OnSessionUnblocked();
  session_.Close();
  if (registered_) {
    worker_->loop().connections.erase(registry_position);
    registered_ = false;
  }
  engine_->connected_clients.fetch_sub(1);
}

void Connection::DoRead() {
  if (reading_ || closed_ || session_.waiting()) return;
  if (write_in_flight_ && session_.out().size() > kBackpressureBytes) return;
  if (parse_pos_ > 0) {
    in_.Consume(parse_pos_);
    parse_pos_ = 0;
  }
  if (in_.empty()) in_.ShrinkIfIdleAbove(kShrinkAbove);
  size_t want = kReadChunk;
  if (parser_.BytesWanted() > in_.size()) {
    want = std::max(want, parser_.BytesWanted() - in_.size());
  }
  char* dst = in_.PrepareWrite(want);
  size_t room = in_.capacity() - in_.size();
  reading_ = true;
  auto self = shared_from_this();
  socket_->socket.async_read_some(asio::buffer(dst, room),
                                  [this, self](const asio::error_code& ec, size_t n) {
                                    reading_ = false;
                                    if (ec || closed_) {
                                      Close();
                                      return;
                                    }
                                    in_.Commit(n);
                                    WorkerCounters::Bump(worker_->counters().net_input_bytes, n);
                                    ProcessInput();
                                  });
}

void Connection::ParseBatch() {
  batch_args_.clear();
  batch_.clear();
  batch_specs_.clear();
  batch_next_ = 0;
  batch_last_inline_ = false;
  parser_.set_max_bulk_len(static_cast<size_t>(engine_->config().proto_max_bulk_len()));
  while (batch_.size() < kParseBatch) {
    size_t consumed = 0;
    std::string_view input = in_.view().substr(parse_pos_);
    auto status = parser_.Parse(input, &consumed);
    if (status == RespParser::Status::kNeedMore) {
      auto limit = static_cast<size_t>(engine_->config().client_query_buffer_limit());
      if (input.size() > limit) {
        Log(LogLevel::kWarning, "Closing client that reached max query buffer length: " + peer_);
        query_limit_hit_ = true;
      }
      return;
    }
    if (status == RespParser::Status::kError) {
      protocol_error_ = parser_.error();
      return;
    }
    bool is_inline = input[0] != '*';
    parse_pos_ += consumed;
    const auto& args = parser_.args();
    if (args.empty()) continue;
    uint32_t begin = static_cast<uint32_t>(batch_args_.size());
    batch_args_.insert(batch_args_.end(), args.begin(), args.end());
    batch_.emplace_back(begin, static_cast<uint32_t>(batch_args_.size()));
    batch_specs_.push_back(CommandRegistry::Get().Find(args[0]));
    if (is_inline) {
      batch_last_inline_ = true;
      return;
    }
  }
}

void Connection::PrefetchBatch() {
  // Passes of cache hints before running anything: the keys' buckets, then their entries; then,
  // for commands that name a member of a big set, hash or sorted set (SADD, HGET, ZSCORE...), the
  // member's bucket in the collection's own table, then its entry. The first argument of each
  // command is hashed once for all of them.
  batch_hints_.clear();
  member_hints_.clear();
  for (size_t c = 0; c < batch_.size(); ++c) {
    auto [b, e] = batch_[c];
    if (e - b < 2) continue;
    std::string_view key = batch_args_[b + 1];
    uint64_t hash = HashKey(key);
    const HashTable* t = session_.HintTable(hash);
    if (t == nullptr) continue;
    batch_hints_.emplace_back(t, hash);
    int m = batch_specs_[c] != nullptr ? batch_specs_[c]->member_arg : 0;
    if (m < 0 && e - b >= 3) m = static_cast<int>(e - b) - 1;
    if (m > 1 && static_cast<uint32_t>(m) < e - b) {
      member_hints_.push_back({t, hash, key, batch_args_[b + static_cast<uint32_t>(m)]});
    }
  }
  for (int stage = 0; stage < 2; ++stage) {
    for (auto [table, hash] : batch_hints_)
      table->Prefetch(hash, stage);
  }
  for (MemberHint& h : member_hints_) {
    // Reads the key's entry (in cache by now, or on its way), as its command will.
    const Entry* entry = h.keys->Peek(h.key, h.key_hash);
    if (entry == nullptr || !entry->is_object()) continue;
    h.members = entry->object()->member_index();
    if (h.members == nullptr) continue;
    h.member_hash = HashKey(h.member);
    h.members->PrefetchBucket(h.member_hash);
  }
  for (const MemberHint& h : member_hints_) {
    if (h.members != nullptr) h.members->PrefetchChain(h.member_hash);
  }
}

void Connection::ProcessInput() {
  Worker::EventScope event(worker_);
  while (!closed_ && !session_.waiting() && !close_after_write_) {
    if (batch_next_ == batch_.size()) {
      if (!protocol_error_.empty()) break;
      ParseBatch();
      if (query_limit_hit_) {
        Close();
        return;
      }
      if (batch_.empty()) break;
      session_.Touch(NowMs());
      if (batch_.size() > 1) PrefetchBatch();
    }
    const CommandSpec* spec = batch_specs_[batch_next_];
    auto [b, e] = batch_[batch_next_++];
    bool stable = !(batch_last_inline_ && batch_next_ == batch_.size());
    if (!session_.Execute({batch_args_.data() + b, e - b}, stable, spec)) break;
    if (session_.client().close_after_reply) close_after_write_ = true;
  }
  if (closed_) return;
  if (!session_.waiting()) session_.Flush();
  session_.FlushHeldPushes();
  if (!session_.waiting() && !protocol_error_.empty() && batch_next_ == batch_.size()) {
    Log(LogLevel::kVerbose, "Protocol error (" + protocol_error_ + ") from client: " + peer_);
    session_.AppendError(protocol_error_);
    close_after_write_ = true;
  }
  MaybeWrite();
  if (!session_.waiting() && !close_after_write_ && !TryMigrate()) DoRead();
}

bool Connection::TryMigrate() {
  if (session_.affinity_run() < kMigrateAfter) return false;
  Worker* target = engine_->shard(session_.affinity_shard()).owner();
  if (target == worker_ || engine_->stopping() || !engine_->MigrationWanted()) return false;
  // Between reads, with nothing in flight, held or half-parsed: the socket and the ClientState
  // are then the whole connection.
  if (closed_ || reading_ || write_in_flight_ || !writing_.empty() || close_after_write_ ||
      !protocol_error_.empty() || output_limit_hit_ || awaiting_durable_ || push_write_scheduled_ ||
      socket_->peer_watch != nullptr || parse_pos_ != in_.size() || batch_next_ != batch_.size() ||
      !session_.Movable()) {
    return false;
  }
  asio::error_code ec;
  auto local = socket_->socket.local_endpoint(ec);
  if (ec) return false;
  auto moving = std::make_shared<MovingConnection>();
  moving->protocol = local.protocol();
  // Takes the descriptor out of this worker's reactor; no operation is pending on it.
  int fd = socket_->socket.release(ec);
  if (ec) return false;
  moving->fd = fd;
  moving->client = std::move(session_.client());
  closed_ = true;
  if (registered_) {
    worker_->loop().connections.erase(registry_position);
    registered_ = false;
  }
  engine_->migrated_connections.fetch_add(1);
  Engine* engine = engine_;
  asio::post(target->loop().io, [engine, target, moving] {
    asio::ip::tcp::socket socket(target->loop().io);
    asio::error_code error;
    socket.assign(moving->protocol, moving->fd, error);
    if (error) {
      engine->connected_clients.fetch_sub(1);
      return;  // ~MovingConnection closes the descriptor
    }
    moving->fd = -1;
    auto conn = std::make_shared<Connection>(
        engine, target, std::make_unique<ConnectionSocket>(std::move(socket)), &moving->client);
    conn->Start();
  });
  return true;
}

void Connection::OnSessionBlocked(int64_t deadline_ms) {
  if (closed_) return;
  auto self = shared_from_this();
  if (deadline_ms > 0) {
    socket_->block_timer.expires_after(std::chrono::milliseconds(
        std::max<int64_t>(0, std::min<int64_t>(deadline_ms - NowMs(), int64_t{1} << 40))));
    socket_->block_timer.async_wait([this, self](const asio::error_code& ec) {
      if (ec || closed_) return;
      session_.OnBlockTimeout();
    });
  }
  int fd = ::dup(socket_->socket.native_handle());
  if (fd < 0) return;  // no watch: a close is noticed when the client is unblocked
  socket_->peer_watch =
      std::make_unique<asio::posix::stream_descriptor>(socket_->socket.get_executor(), fd);
  WatchPeer();
}

void Connection::WatchPeer() {
  auto self = shared_from_this();
  asio::posix::stream_descriptor* watch = socket_->peer_watch.get();
  watch->async_wait(asio::posix::stream_descriptor::wait_read,
                    [this, self, watch](const asio::error_code& ec) {
                      if (ec || closed_ || socket_->peer_watch.get() != watch) return;
                      if (PeerClosed()) {
                        Close();
                      } else {
                        WatchPeer();  // the client sent more (kept for after the unblock)
                      }
                    });
  // A close that came before the wait was armed raises no new edge: look now (from the loop, not
  // from inside the session that is blocking).
  asio::post(socket_->socket.get_executor(), [this, self] {
    if (!closed_ && socket_->peer_watch != nullptr && PeerClosed()) Close();
  });
}

bool Connection::PeerClosed() const {
  pollfd p{socket_->socket.native_handle(), POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

void Connection::OnSessionUnblocked() {
  socket_->block_timer.cancel();
  if (socket_->peer_watch != nullptr) {
    asio::error_code ec;
    socket_->peer_watch->close(ec);
    socket_->peer_watch.reset();
  }
}

void Connection::OnSessionResumed() {
  if (closed_) return;
  if (session_.client().close_after_reply) close_after_write_ = true;
  ProcessInput();
}

void Connection::OnPushed() {
  if (closed_ || output_limit_hit_) return;
  EnforceOutputLimit();
  if (output_limit_hit_ || push_write_scheduled_) return;
  push_write_scheduled_ = true;
  worker_->Defer(this, shared_from_this());
}

void Connection::AtEventEnd() {
  push_write_scheduled_ = false;
  awaiting_durable_ = false;
  if (closed_) return;
  session_.FlushHeldPushes();
  MaybeWrite();
}

void Connection::EnforceOutputLimit() {
  if (output_limit_hit_) return;
  auto cls = session_.client_const().subscribed() ? Config::kClientPubSub : Config::kClientNormal;
  Config::OutputBufferLimit limit = engine_->config().output_buffer_limit(cls);
  if (limit.hard == 0 && limit.soft == 0) return;
  auto used = static_cast<int64_t>(session_.out_const().size() + session_.held_push_bytes() +
                                   writing_.size());
  bool over = limit.hard > 0 && used >= limit.hard;
  if (!over && limit.soft > 0 && used >= limit.soft) {
    int64_t now = NowMs();
    if (soft_limit_since_ms_ == 0) {
      soft_limit_since_ms_ = now;
    } else {
      over = now - soft_limit_since_ms_ > limit.soft_seconds * 1000;
    }
  } else if (!over) {
    soft_limit_since_ms_ = 0;
  }
  if (!over) return;
  output_limit_hit_ = true;
  Log(LogLevel::kWarning,
      "Client " + Describe(NowMs()) +
          " scheduled to be closed ASAP for overcoming of output buffer limits.");
  session_.DropOutput();  // memory back now, not when the loop gets to the close
  auto self = shared_from_this();
  asio::post(socket_->socket.get_executor(), [this, self] { Close(); });
}

void Connection::MaybeWrite() {
  if (closed_) return;
  if (write_in_flight_) {
    // Replies pile up behind a write the client is slow to take.
    EnforceOutputLimit();
    return;
  }
  ByteBuffer& out = session_.out();
  if (out.empty()) {
    if (close_after_write_) Close();
    return;
  }
  // Under write-through, nothing leaves before the writes it may reflect are durable.
  if (engine_->durability_gate()) {
    // The point to wait for is taken when replies are added, not each time: see Engine.
    if (out.size() != durable_point_bytes_) {
      engine_->CaptureDurability(&durable_point_);
      durable_point_bytes_ = out.size();
    }
    if (!engine_->Durable(durable_point_)) {
      if (!awaiting_durable_) {
        awaiting_durable_ = true;
        worker_->AwaitDurable(this, shared_from_this());
      }
      return;
    }
  }
  durable_point_bytes_ = 0;
  // Messages this worker published go to other workers before any reply leaves (PUBLISH's
  // receivers have them before its publisher can act on its reply).
  worker_->pubsub().FlushOutbox();
  // Send directly first: usually the socket takes everything in one syscall, and no completion
  // handler is queued (which would also cost the loop an extra non-blocking epoll_wait).
  asio::error_code ec;
  size_t n = socket_->socket.write_some(asio::buffer(out.data(), out.size()), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    Close();
    return;
  }
  WorkerCounters::Bump(worker_->counters().net_output_bytes, n);
  if (n == out.size()) {
    out.Clear();
    out.ShrinkIfIdleAbove(kShrinkAbove);
    if (close_after_write_) Close();
    return;
  }
  // The socket's buffer is full: hand the rest to the reactor, and keep collecting new replies in
  // out_ meanwhile.
  writing_.Swap(out);
  EnforceOutputLimit();
  if (output_limit_hit_) return;
  write_in_flight_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_->socket, asio::buffer(writing_.data() + n, writing_.size() - n),
                    [this, self](const asio::error_code& error, size_t sent) {
                      write_in_flight_ = false;
                      if (error || closed_) {
                        Close();
                        return;
                      }
                      WorkerCounters::Bump(worker_->counters().net_output_bytes, sent);
                      writing_.Clear();
                      writing_.ShrinkIfIdleAbove(kShrinkAbove);
                      MaybeWrite();
                      if (!write_in_flight_ && !closed_) DoRead();
                    });
}

std::string Connection::Describe(int64_t now_ms) const {
  const ClientState& c = session_.client_const();
  // Redis's flag letters, in its order ('N': none).
  std::string flags;
  if (c.in_multi) flags += 'x';
  if (session_.blocked()) flags += 'b';
  if (c.subscribed()) flags += 'P';
  if (flags.empty()) flags = "N";
  std::string s;
  s += "id=" + std::to_string(c.id);
  s += " addr=" + peer_;
  s += " laddr=" + local_;
  s += " fd=" + std::to_string(const_cast<ConnectionSocket&>(*socket_).socket.native_handle());
  s += " name=" + c.name;
  s += " age=" + std::to_string((now_ms - c.created_ms) / 1000);
  s += " idle=" + std::to_string((now_ms - c.last_interaction_ms) / 1000);
  s += " flags=" + flags;
  s += " db=" + std::to_string(c.db);
  s += " sub=" + std::to_string(c.subscriptions[0].size());
  s += " psub=" + std::to_string(c.subscriptions[1].size());
  s += " ssub=" + std::to_string(c.subscriptions[2].size());
  s += " multi=" + std::to_string(c.in_multi ? static_cast<int64_t>(c.queued.size()) : -1);
  s += " qbuf=" + std::to_string(in_.size() - parse_pos_);
  s += " qbuf-free=" + std::to_string(in_.capacity() - in_.size());
  s += " argv-mem=0 multi-mem=0";
  s += " rbs=" + std::to_string(in_.capacity());
  s += " rbp=" + std::to_string(in_.size());
  s += " obl=0 oll=0";
  s += " omem=" +
       std::to_string(session_.out_const().size() + session_.held_push_bytes() + writing_.size());
  s += " tot-mem=" +
       std::to_string(in_.capacity() + writing_.capacity() + session_.out_const().capacity());
  s += " events=r";
  s += " cmd=" + (c.last_command != nullptr ? c.last_command->name : std::string("NULL"));
  s += " user=default redir=-1";
  s += " resp=" + std::to_string(c.resp);
  s += " lib-name=" + c.lib_name;
  s += " lib-ver=" + c.lib_ver;
  return s;
}

}  // namespace redwing

namespace redwing {

void ForEachConnection(Worker& w, const std::function<void(Connection&)>& fn) {
  // Copy first: fn may close (and so unlist) connections.
  std::vector<Connection*> all(w.loop().connections.begin(), w.loop().connections.end());
  for (Connection* c : all) {
    if (!c->closed()) fn(*c);
  }
}

}  // namespace redwing
