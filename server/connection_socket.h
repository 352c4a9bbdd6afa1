#pragma once

// The Asio socket of a Connection, kept out of connection.h so that header stays Asio-free.
// Included only by connection.cc and engine.cc.

#include <asio/ip/tcp.hpp>

#include <utility>

namespace redwing {

struct ConnectionSocket {
  explicit ConnectionSocket(asio::ip::tcp::socket s) : socket(std::move(s)) {}
  asio::ip::tcp::socket socket;
};

}  // namespace redwing
