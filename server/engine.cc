#include "server/engine.h"

#include <asio/ip/tcp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <sstream>

#include "server/command_registry.h"
#include "server/connection.h"
#include "server/connection_socket.h"
#include "server/cycle_clock.h"
#include "server/logging.h"
#include "server/worker_loop.h"
#include "storage/hash_table.h"

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
    int64_t now = NowMs();
    Shard* s = w.shard();
    if (s != nullptr && s->Available()) {
      // Redis's slow expire cycle may use up to 25% of a cron period.
      s->Cron(now, 250000 / std::max(1, config_->hz()));
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

void Engine::RequestShutdown() {
  // main() waits for SIGTERM; in-process tests have no such waiter and call Stop() themselves.
  ::kill(::getpid(), SIGTERM);
}

void Engine::Stop() {
  if (stopped_) return;
  stopped_ = true;
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
}

}  // namespace redwing
