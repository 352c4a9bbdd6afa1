#include "server/logging.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <mutex>

namespace redwing {
namespace {
std::mutex g_mu;
int g_min_level = 2;
std::string g_logfile;
}  // namespace

void ConfigureLogging(int min_level, const std::string& logfile) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_min_level = min_level;
  g_logfile = logfile;
}

void Log(LogLevel level, std::string_view message) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (static_cast<int>(level) < g_min_level) return;
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm t;
  localtime_r(&tv.tv_sec, &t);
  char when[64];
  size_t n = std::strftime(when, sizeof(when), "%d %b %Y %H:%M:%S", &t);
  std::snprintf(when + n, sizeof(when) - n, ".%03d", static_cast<int>(tv.tv_usec / 1000));
  static const char kMarks[] = {'.', '-', '*', '#'};
  FILE* f = stdout;
  bool close = false;
  if (!g_logfile.empty()) {
    f = std::fopen(g_logfile.c_str(), "a");
    if (f == nullptr) return;
    close = true;
  }
  std::fprintf(f, "%d:M %s %c %.*s\n", static_cast<int>(getpid()), when,
               kMarks[static_cast<int>(level)], static_cast<int>(message.size()), message.data());
  std::fflush(f);
  if (close) std::fclose(f);
}

}  // namespace redwing
