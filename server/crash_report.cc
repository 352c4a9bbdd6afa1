#include "server/crash_report.h"

#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <typeinfo>

namespace redwing {
namespace {

void PrintTrace(const char* why) {
  // Async-signal-safe output only: write(2) and backtrace_symbols_fd.
  const char header[] = "\n=== REDWING BUG REPORT START: ";
  (void)!write(STDERR_FILENO, header, sizeof(header) - 1);
  (void)!write(STDERR_FILENO, why, std::strlen(why));
  (void)!write(STDERR_FILENO, " ===\n", 5);
  void* frames[64];
  int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, STDERR_FILENO);
  const char footer[] = "=== REDWING BUG REPORT END ===\n";
  (void)!write(STDERR_FILENO, footer, sizeof(footer) - 1);
}

void OnFatalSignal(int sig) {
  PrintTrace(sigdescr_np(sig));
  signal(sig, SIG_DFL);
  raise(sig);
}

void OnTerminate() {
  char why[256] = "uncaught exception";
  if (auto e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      std::snprintf(why, sizeof(why), "uncaught exception: %s", ex.what());
    } catch (...) {
    }
  }
  PrintTrace(why);
  std::abort();
}

}  // namespace

void InstallCrashReport() {
  std::set_terminate(OnTerminate);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL})
    signal(sig, OnFatalSignal);
}

}  // namespace redwing
