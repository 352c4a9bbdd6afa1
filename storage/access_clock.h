#pragma once

#include <cstdint>

// What a key's Entry::access() holds, with Redis's meaning (so OBJECT IDLETIME and OBJECT FREQ
// read as they do in Redis): under an LFU policy, a logarithmic access counter (8 bits) and the
// minute it was last decremented (16 bits); under any other policy, the LRU clock of the last
// access (24 bits of seconds). Only the low 24 bits are used.
namespace redwing::access_clock {

inline constexpr uint32_t kLruClockMax = (1u << 24) - 1;
// A new key's LFU counter, so that it is not evicted before it had a chance to be read.
inline constexpr uint8_t kLfuInitVal = 5;

inline uint32_t LruClock(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 1000) & kLruClockMax;
}

// Seconds since the access recorded in `lru` (a clock that wrapped counts once around).
inline uint64_t IdleSeconds(uint32_t lru, int64_t now_ms) {
  uint32_t now = LruClock(now_ms);
  lru &= kLruClockMax;
  return now >= lru ? now - lru : (kLruClockMax - lru) + now;
}

inline uint32_t LfuMinutes(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 60000) & 0xffff;
}

inline uint32_t LfuPack(int64_t now_ms, uint8_t counter) {
  return (LfuMinutes(now_ms) << 8) | counter;
}

// Minutes since the counter's last decrement (a clock that wrapped counts once around).
inline uint32_t LfuElapsedMinutes(uint32_t access, int64_t now_ms) {
  uint32_t last = (access >> 8) & 0xffff;
  uint32_t now = LfuMinutes(now_ms);
  return now >= last ? now - last : 65535 - last + now;
}

// The counter after the decay owed since its last decrement: one per `decay_minutes` elapsed.
inline uint8_t LfuDecayed(uint32_t access, int64_t now_ms, int64_t decay_minutes) {
  auto counter = static_cast<uint8_t>(access & 0xff);
  uint32_t elapsed = LfuElapsedMinutes(access, now_ms);
  uint64_t periods = decay_minutes > 0 ? elapsed / static_cast<uint64_t>(decay_minutes) : 0;
  return periods >= counter ? 0 : static_cast<uint8_t>(counter - periods);
}

// One access: the counter grows with probability 1 / ((counter - init) * log_factor + 1), so it
// takes about log_factor * n^2 / 2 accesses to reach n above the initial value. `random01` is
// uniform in [0, 1).
inline uint8_t LfuIncrement(uint8_t counter, int64_t log_factor, double random01) {
  if (counter == 255) return 255;
  double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
  double p = 1.0 / (base * static_cast<double>(log_factor) + 1);
  return random01 < p ? static_cast<uint8_t>(counter + 1) : counter;
}

}  // namespace redwing::access_clock
