// redwing-server [config-file] [--directive value ...]: the same command line as redis-server.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "server/config.h"
#include "server/crash_report.h"
#include "server/engine.h"
#include "server/logging.h"
#include "server/version.h"

namespace {

void Usage() {
  std::fprintf(stderr,
               "Usage: ./redwing-server [/path/to/redwing.conf] [options]\n"
               "       ./redwing-server - (read config from stdin)\n"
               "       ./redwing-server -v or --version\n"
               "       ./redwing-server -h or --help\n\n"
               "Examples:\n"
               "       ./redwing-server (run the server with default conf)\n"
               "       ./redwing-server /etc/redwing/6379.conf\n"
               "       ./redwing-server --port 7777\n"
               "       ./redwing-server /etc/myredwing.conf --loglevel verbose\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace redwing;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
    std::printf("Redwing server v=%s (Redis-compatible %s)\n", kRedwingVersion, kRedisVersion);
    return 0;
  }
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    Usage();
    return 0;
  }

  InstallCrashReport();
  Config config;
  size_t i = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    if (auto err = config.LoadFile(args[0])) {
      std::fprintf(stderr, "%s\n", err->c_str());
      return 1;
    }
    i = 1;
  }
  // "--name v1 v2 --other v" : each --directive takes the words up to the next --directive.
  std::string overrides;
  for (; i < args.size(); ++i) {
    if (args[i].rfind("--", 0) == 0) {
      if (!overrides.empty()) overrides += "\n";
      overrides += args[i].substr(2);
    } else {
      overrides += " \"" + args[i] + "\"";
    }
  }
  if (auto err = config.LoadText(overrides, "(command line)")) {
    std::fprintf(stderr, "%s\n", err->c_str());
    return 1;
  }
  ConfigureLogging(config.loglevel_rank(), config.logfile());
  // Detach before any thread exists (fork keeps only the calling thread). As redis-server,
  // a daemon with no logfile logs nowhere.
  if (config.daemonize() && daemon(/*nochdir=*/1, /*noclose=*/0) != 0) {
    std::perror("daemonize");
    return 1;
  }

  // Every thread inherits this mask: SIGINT/SIGTERM are taken only by sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Engine engine(&config);
  engine.executable = argv[0];
  std::string err = engine.Start();
  if (!err.empty()) {
    Log(LogLevel::kWarning, err);
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  Log(LogLevel::kNotice, std::string("Redwing ") + kRedwingVersion + " started, port " +
                             std::to_string(engine.port()) + ", " +
                             std::to_string(engine.num_workers()) + " threads, pid " +
                             std::to_string(getpid()));
  Log(LogLevel::kNotice, "Ready to accept connections tcp");

  int sig = 0;
  sigwait(&stop_signals, &sig);
  Log(LogLevel::kWarning, std::string("Received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                              " scheduling shutdown...");
  engine.Stop();
  Log(LogLevel::kWarning, "Redwing is now ready to exit, bye bye...");
  return 0;
}
