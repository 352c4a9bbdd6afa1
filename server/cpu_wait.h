#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>

namespace redwing {

// How much of the time a thread spent runnable but waiting for a CPU (the kernel's run-queue
// delay, /proc/thread-self/schedstat). Near zero when the machine has a free core whenever the
// thread wakes; large when more threads want to run than there are cores (a worker sharing a
// small machine with its clients). The engine uses it to decide whether a cross-thread hop is
// worth removing at the cost of spreading less (Engine::CpuContended).
//
// Threading: Sample() runs on the measured thread only (the worker's cron); share_permille()
// may be read from any thread.
class CpuWaitMeter {
 public:
  CpuWaitMeter() = default;
  ~CpuWaitMeter();
  CpuWaitMeter(const CpuWaitMeter&) = delete;
  CpuWaitMeter& operator=(const CpuWaitMeter&) = delete;

  // Reads the calling thread's counters and folds the share of the time since the previous
  // sample that it spent waiting into a moving average (each sample weighs half: at the default
  // hz a burst of clients is seen within one or two cron periods). Opens the counters on first
  // use; without them (no /proc, no schedstat) the share stays 0.
  void Sample();
  // The moving average, in thousandths of wall time.
  uint32_t share_permille() const { return share_permille_.load(std::memory_order_relaxed); }

  // The run-queue wait (ns) from the text of a schedstat file: "<on cpu ns> <waiting ns>
  // <timeslices>". nullopt if it does not parse.
  static std::optional<uint64_t> ParseWaitNs(std::string_view text);
  // The next average given the previous one and a new sample: `waited_ns` of waiting over
  // `elapsed_ns` of wall time (capped at 1000 permille).
  static uint32_t Fold(uint32_t previous_permille, uint64_t waited_ns, uint64_t elapsed_ns);

 private:
  int fd_ = -1;
  bool unavailable_ = false;
  uint64_t last_wait_ns_ = 0;
  int64_t last_now_ns_ = 0;
  std::atomic<uint32_t> share_permille_{0};
};

}  // namespace redwing
