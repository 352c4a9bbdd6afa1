#pragma once

namespace redwing {

// Installs handlers that, on a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) or an
// uncaught exception, print a stack trace to stderr before the process dies, so a crash in the
// field leaves something to debug. Call once from main().
void InstallCrashReport();

}  // namespace redwing
