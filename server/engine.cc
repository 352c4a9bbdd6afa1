#include "server/engine.h"

#include <asio/ip/tcp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <sstream>

#include "common/heap.h"
#include "server/command_registry.h"
#include "server/connection.h"
#include "server/connection_socket.h"
#include "server/cycle_clock.h"
#include "server/logging.h"
#include "server/shard_persistence.h"
#include "server/worker_loop.h"
#include "storage/hash_table.h"
#include "storage/page_store.h"

namespace redwing {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Listener {
  explicit Listener(asio::io_context& io) : acceptor(io) {}
  asio::ip::tcp::acceptor acceptor;
};

Engine::Engine(Config* config) : config_(config) {}

Engine::~Engine() {
  Stop();
}

int Engine::command_ids() const {
  return CommandRegistry::Get().id_count();
}

int Engine::ShardOfKey(std::string_view key) const {
  return shards_.size() == 1 ? 0 : ShardOf(HashKey(key));
}

std::string Engine::Start(bool listen) {
  start_time_ms = NowMs();
  CycleClock::Calibrate();
  int n = config_->threads() > 0 ? config_->threads() : 1;
  for (int i = 0; i < n; ++i)
    workers_.push_back(std::make_unique<Worker>(i, this));
  for (int i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Shard>(i, config_->databases(), workers_[i].get()));
    shards_.back()->SetEvictionParams(CurrentEvictionParams());
    workers_[static_cast<size_t>(i)]->set_shard(shards_.back().get());
  }
  if (listen) {
    // "bind" lists addresses; a leading '-' marks one that may be unavailable; "*" is any IPv4
    // address and "::*" any IPv6 address.
    std::istringstream addrs(config_->bind());
    std::string addr;
    bool any_bound = false;
    std::string first_error;
    while (addrs >> addr) {
      bool optional = addr[0] == '-';
      if (optional) addr = addr.substr(1);
      if (addr == "*") addr = "0.0.0.0";
      if (addr == "::*") addr = "::";
      auto l = std::make_unique<Listener>(workers_[0]->loop().io);
      asio::error_code ec;
      auto address = asio::ip::make_address(addr, ec);
      if (!ec) {
        asio::ip::tcp::endpoint ep(address, static_cast<unsigned short>(config_->port()));
        l->acceptor.open(ep.protocol(), ec);
        if (!ec) l->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
        if (!ec && address.is_v6()) l->acceptor.set_option(asio::ip::v6_only(true), ec);
        if (!ec) l->acceptor.bind(ep, ec);
        if (!ec) l->acceptor.listen(511, ec);
      }
      if (ec) {
        if (!optional && first_error.empty()) {
          first_error = "Could not create server TCP listening socket " + addr + ":" +
                        std::to_string(config_->port()) + ": " + ec.message();
        }
        continue;
      }
      bound_port_ = l->acceptor.local_endpoint().port();
      any_bound = true;
      listeners_.push_back(std::move(l));
    }
    if (!first_error.empty()) return first_error;
    if (!any_bound) return "Failed listening on port " + std::to_string(config_->port());
  }
  for (auto& w : workers_)
    ArmCron(*w);
  for (auto& l : listeners_)
    StartAccept(*l);
  startup_memory = heap::UsedBytes();
  // Loading starts before any worker runs, so no client ever sees loading:0 before it.
  std::string error = ApplyPersistence(/*startup=*/true);
  if (!error.empty()) return error;
  for (auto& w : workers_)
    w->Start();
  return "";
}

void Engine::StartAccept(Listener& l) {
  unsigned target = next_worker_.fetch_add(1) % static_cast<unsigned>(workers_.size());
  Worker* w = workers_[target].get();
  l.acceptor.async_accept(
      w->loop().io, [this, &l, w](const asio::error_code& ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
          if (connected_clients.load() >= config_->maxclients()) {
            // As Redis: tell the client why, then close.
            asio::error_code wec;
            static constexpr char kMsg[] = "-ERR max number of clients reached\r\n";
            asio::write(socket, asio::buffer(kMsg, sizeof(kMsg) - 1), wec);
            socket.close(wec);
            rejected_connections.fetch_add(1);
          } else {
            connected_clients.fetch_add(1);
            total_connections.fetch_add(1);
            auto holder = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
            asio::post(w->loop().io, [this, w, holder] {
              auto conn = std::make_shared<Connection>(
                  this, w, std::make_unique<ConnectionSocket>(std::move(*holder)));
              conn->Start();
            });
          }
        } else {
          Log(LogLevel::kWarning, "Accepting client connection: " + ec.message());
        }
        StartAccept(l);
      });
}

void Engine::ArmCron(Worker& w) {
  int hz = config_->hz();
  w.loop().cron.expires_after(std::chrono::milliseconds(1000 / (hz > 0 ? hz : 10)));
  w.loop().cron.async_wait([this, &w](const asio::error_code& ec) {
    if (ec) return;
    Worker::EventScope event(&w);
    int64_t now = NowMs();
    UpdatePeakMemory();
    w.cpu_wait().Sample();
    Shard* s = w.shard();
    if (s != nullptr && s->Available() && !s->loading.load(std::memory_order_acquire)) {
      // Redis's slow expire cycle may use up to 25% of a cron period.
      s->Cron(now, 250000 / std::max(1, config_->hz()));
      MakeRoomOn(*s);
      if (ShardPersistence* p = s->persistence()) p->Cron(now);
    }
    int64_t timeout = config_->timeout();
    std::vector<Connection*> idle;
    std::vector<Connection*> paused;
    for (Connection* c : w.loop().connections) {
      const ClientState& cs = c->session().client_const();
      if (c->session().paused()) paused.push_back(c);
      if (timeout > 0 && !c->session().waiting() && now - cs.last_interaction_ms > timeout * 1000) {
        idle.push_back(c);
      }
    }
    for (Connection* c : idle)
      c->Close();
    for (Connection* c : paused)
      c->session().RetryPaused();
    ArmCron(w);
  });
}

bool Engine::CpuContended() const {
  constexpr uint32_t kContendedPermille = 100;
  uint64_t sum = 0;
  for (const auto& w : workers_)
    sum += w->cpu_wait().share_permille();
  return !workers_.empty() && sum >= kContendedPermille * workers_.size();
}

bool Engine::MigrationWanted() const {
  switch (config_->connection_migration()) {
    case Config::Migration::kYes:
      return true;
    case Config::Migration::kAuto:
      return CpuContended();
    case Config::Migration::kNo:
      break;
  }
  return false;
}

void Engine::Broadcast(Worker* origin, std::function<std::string(Worker&)> fn,
                       std::function<void(std::vector<std::string>)> done) {
  struct State {
    std::vector<std::string> results;
    std::atomic<int> left;
    std::function<std::string(Worker&)> fn;
    std::function<void(std::vector<std::string>)> done;
  };
  auto st = std::make_shared<State>();
  st->results.resize(workers_.size());
  st->left = static_cast<int>(workers_.size());
  st->fn = std::move(fn);
  st->done = std::move(done);
  for (size_t i = 0; i < workers_.size(); ++i) {
    Worker* w = workers_[i].get();
    w->Post(new FunctionTask([st, w, i, origin] {
      st->results[i] = st->fn(*w);
      if (st->left.fetch_sub(1) == 1) {
        origin->Post(new FunctionTask([st] { st->done(std::move(st->results)); }));
      }
    }));
  }
}

int64_t Engine::CountedMemory() const {
  return heap::UsedBytes() - PageStore::BufferBytes();
}

bool Engine::OverMaxmemory() const {
  int64_t max = config_->maxmemory();
  return max > 0 && CountedMemory() > max;
}

bool Engine::OutOfMemory() const {
  if (!OverMaxmemory()) return false;
  MaxmemoryPolicy policy = config_->maxmemory_policy();
  if (policy == MaxmemoryPolicy::kNoEviction) return true;
  for (const auto& s : shards_) {
    if (s->evictable_keys() > 0) return false;
  }
  return true;
}

EvictionParams Engine::CurrentEvictionParams() const {
  EvictionParams p;
  p.policy = config_->maxmemory_policy();
  p.lfu_log_factor = config_->lfu_log_factor();
  p.lfu_decay_time = config_->lfu_decay_time();
  p.slru_protected_percent = config_->slru_protected_percent();
  p.samples = config_->maxmemory_samples();
  return p;
}

void Engine::MakeRoom(std::string_view key) {
  MakeRoomOn(shard(ShardOfKey(key)));
}

void Engine::EvictOrDelegate(Shard& s) {
  int64_t max = config_->maxmemory();
  // This shard evicts while it holds at least about its share (90% of the average) of the
  // evictable keys; past that, the shard holding the most is asked to go on.
  auto below_share = [this, &s] {
    size_t total = 0;
    for (const auto& other : shards_)
      total += other->evictable_keys();
    return s.evictable_keys() * 10 * shards_.size() < total * 9;
  };
  // Bounded in time per command, as Redis's maxmemory-eviction-tenacity bounds it; the rest waits
  // for the next command or the cron.
  int64_t tenacity = config_->maxmemory_eviction_tenacity();
  double limit_us = tenacity <= 10   ? 50.0 * static_cast<double>(tenacity)
                    : tenacity < 100 ? 500.0 * std::pow(1.15, static_cast<double>(tenacity - 10))
                                     : 1e18;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::microseconds(static_cast<int64_t>(std::min(limit_us, 1e15)));
  size_t evicted = 0;
  s.Evict([&] {
    // The clock is read every 16 evictions only.
    if (++evicted % 16 == 0 && std::chrono::steady_clock::now() >= deadline) return true;
    return CountedMemory() <= max || below_share();
  });
  if (CountedMemory() <= max) return;
  Shard* fullest = nullptr;
  size_t most = 0;
  for (auto& other : shards_) {
    size_t n = other->evictable_keys();
    // A shard a loader thread is filling is nobody else's to touch.
    if (other.get() != &s && n > most && !other->loading.load(std::memory_order_acquire)) {
      most = n;
      fullest = other.get();
    }
  }
  if (fullest == nullptr || fullest->eviction_requested.exchange(true)) return;
  fullest->owner()->Post(new FunctionTask([this, fullest] {
    fullest->eviction_requested.store(false);
    if (!fullest->Available()) return;  // lent: its cron evicts later
    MakeRoomOn(*fullest);
  }));
}

void Engine::MakeRoomOn(Shard& s) {
  if (!OverMaxmemory() || config_->maxmemory_policy() == MaxmemoryPolicy::kNoEviction) return;
  if (s.loading.load(std::memory_order_acquire)) return;
  EvictOrDelegate(s);
}

int64_t Engine::UpdatePeakMemory() {
  int64_t used = CountedMemory();
  int64_t peak = peak_memory.load(std::memory_order_relaxed);
  while (used > peak && !peak_memory.compare_exchange_weak(peak, used)) {
  }
  return std::max(used, peak);
}

void Engine::RequestShutdown() {
  // main() waits for SIGTERM; in-process tests have no such waiter and call Stop() themselves.
  ::kill(::getpid(), SIGTERM);
}

void Engine::Stop() {
  {
    std::lock_guard<std::mutex> lock(loader_handoff_mu_);
    if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
  }
  for (auto& l : listeners_) {
    asio::post(workers_[0]->loop().io, [&l] {
      asio::error_code ec;
      l->acceptor.close(ec);
    });
  }
  // Close every connection on its own thread, then stop the loops.
  for (auto& w : workers_) {
    Worker* wp = w.get();
    asio::post(wp->loop().io, [wp] {
      std::vector<Connection*> all(wp->loop().connections.begin(), wp->loop().connections.end());
      for (Connection* c : all)
        c->Close();
      wp->loop().cron.cancel();
      wp->Stop();
    });
  }
  for (auto& w : workers_)
    w->Join();
  listeners_.clear();
  for (auto& t : loaders_)
    t.join();
  // The workers are gone: this thread holds every shard now. Everything dirty goes to disk.
  StopPersistence();
}

}  // namespace redwing
