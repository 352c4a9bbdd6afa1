#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace redwing {

// A cheap clock for timing commands (INFO commandstats): the CPU's time-stamp counter where there
// is one (a few ns, no system call), converted to microseconds only when read, against a steady
// clock baseline taken at start-up. Thread-safe.
class CycleClock {
 public:
  static uint64_t Now() {
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
  }

  // Cycles -> microseconds, using the rate observed since Calibrate() was first called.
  static uint64_t ToMicros(uint64_t cycles) {
    const Baseline& b = baseline();
    uint64_t elapsed_cycles = Now() - b.cycles;
    auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - b.time)
                          .count();
    if (elapsed_cycles == 0 || elapsed_us <= 0) return 0;
    return static_cast<uint64_t>(static_cast<double>(cycles) * static_cast<double>(elapsed_us) /
                                 static_cast<double>(elapsed_cycles));
  }

  // Fixes the baseline (call at start-up, before any ToMicros).
  static void Calibrate() {
    (void)baseline();
  }

 private:
  struct Baseline {
    uint64_t cycles = Now();
    std::chrono::steady_clock::time_point time = std::chrono::steady_clock::now();
  };
  static const Baseline& baseline() {
    static const Baseline b;
    return b;
  }
};

}  // namespace redwing
