#pragma once

#include <cstdint>

namespace redwing {

// The `maxmemory-policy` values: Redis's eight, in the order Redis lists them in its error
// message, then Redwing's own. Which keys a policy may evict (all, or only those with a TTL) and
// how it picks them is in storage/eviction.h.
enum class MaxmemoryPolicy : uint8_t {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kNoEviction,
  kVolatileSlru,
  kAllkeysSlru,
  kAllkeysFifo,
};

inline constexpr const char* kMaxmemoryPolicyNames[] = {
    "volatile-lru",  "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru",   "allkeys-lfu",  "allkeys-random",  "noeviction",
    "volatile-slru", "allkeys-slru", "allkeys-fifo",
};

// Whether the policy evicts only keys with a TTL.
inline constexpr bool IsVolatilePolicy(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLru || p == MaxmemoryPolicy::kVolatileLfu ||
         p == MaxmemoryPolicy::kVolatileRandom || p == MaxmemoryPolicy::kVolatileTtl ||
         p == MaxmemoryPolicy::kVolatileSlru;
}

inline constexpr bool IsLfuPolicy(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLfu || p == MaxmemoryPolicy::kAllkeysLfu;
}

}  // namespace redwing
