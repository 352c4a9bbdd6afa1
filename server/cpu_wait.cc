#include "server/cpu_wait.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace redwing {

CpuWaitMeter::~CpuWaitMeter() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<uint64_t> CpuWaitMeter::ParseWaitNs(std::string_view text) {
  // The second of three numbers separated by spaces.
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(space + 1);
  uint64_t wait = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), wait);
  if (ec != std::errc() || end == rest.data()) return std::nullopt;
  return wait;
}

uint32_t CpuWaitMeter::Fold(uint32_t previous_permille, uint64_t waited_ns, uint64_t elapsed_ns) {
  if (elapsed_ns == 0) return previous_permille;
  uint64_t now = std::min<uint64_t>(1000, waited_ns * 1000 / elapsed_ns);
  return static_cast<uint32_t>((previous_permille + now) / 2);
}

void CpuWaitMeter::Sample() {
  if (unavailable_) return;
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
  if (fd_ < 0) {
    // The descriptor stays bound to the thread that opened it.
    fd_ = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      unavailable_ = true;
      return;
    }
  }
  char buf[128];
  ssize_t n = ::pread(fd_, buf, sizeof(buf) - 1, 0);
  std::optional<uint64_t> wait =
      n > 0 ? ParseWaitNs(std::string_view(buf, static_cast<size_t>(n))) : std::nullopt;
  if (!wait) {
    unavailable_ = true;
    return;
  }
  if (last_now_ns_ != 0 && now_ns > last_now_ns_ && *wait >= last_wait_ns_) {
    share_permille_.store(Fold(share_permille_.load(std::memory_order_relaxed),
                               *wait - last_wait_ns_, static_cast<uint64_t>(now_ns - last_now_ns_)),
                          std::memory_order_relaxed);
  }
  last_wait_ns_ = *wait;
  last_now_ns_ = now_ns;
}

}  // namespace redwing
