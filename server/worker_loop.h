#pragma once

// The Asio side of a Worker. Included only by the few .cc files that do I/O or timers, so Asio
// stays out of widely included headers (it is most of the build time on two cores).

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <functional>
#include <list>

namespace redwing {

class Connection;

struct WorkerLoop {
  asio::io_context io{1};  // concurrency hint 1: one thread runs it, so Asio skips its locking
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  asio::steady_timer cron{io};
  // Connections served by this worker (for CLIENT LIST/KILL, timeouts, shutdown).
  std::list<Connection*> connections;
};

}  // namespace redwing
