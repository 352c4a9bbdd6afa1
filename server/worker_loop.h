#pragma once

// The Asio side of a Worker. Included only by the few .cc files that do I/O or timers, so Asio
// stays out of widely included headers (it is most of the build time on two cores).

#include <asio/detail/concurrency_hint.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <functional>
#include <list>

namespace redwing {

class Connection;

struct WorkerLoop {
  // One thread runs it, and only that thread starts or completes socket operations on it (the
  // acceptor hands sockets over by posting to it), so Asio may skip the per-descriptor locking of
  // its reactor; posting from other threads (Worker::Post) and registering descriptors stay locked.
  asio::io_context io{ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  asio::steady_timer cron{io};
  // Connections served by this worker (for CLIENT LIST/KILL, timeouts, shutdown).
  std::list<Connection*> connections;
};

}  // namespace redwing
