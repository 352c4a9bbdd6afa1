#pragma once

// The Asio socket of a Connection, kept out of connection.h so that header stays Asio-free.
// Included only by connection.cc and engine.cc.

#include <asio/ip/tcp.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>

#include <memory>
#include <utility>

namespace redwing {

struct ConnectionSocket {
  explicit ConnectionSocket(asio::ip::tcp::socket s)
      : socket(std::move(s)), block_timer(socket.get_executor()) {}
  asio::ip::tcp::socket socket;
  // While the session is blocked (BLPOP...): its deadline, and a second descriptor of the socket
  // that watches for the peer's close (the socket itself is not read while blocked).
  asio::steady_timer block_timer;
  std::unique_ptr<asio::posix::stream_descriptor> peer_watch;
};

}  // namespace redwing
