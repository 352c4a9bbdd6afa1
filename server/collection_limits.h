#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "server/config.h"
#include "storage/value_codec.h"

namespace redwing {

// The compact-encoding thresholds as the configuration sets them now (Redis's directive names):
// what the commands convert by, and what persistence rebuilds loaded values with. A few relaxed
// loads each.
inline HashLimits HashLimitsOf(const Config& c) {
  return {.max_entries = static_cast<size_t>(std::max<int64_t>(0, c.hash_max_listpack_entries())),
          .max_value = static_cast<size_t>(std::max<int64_t>(0, c.hash_max_listpack_value()))};
}

inline SetLimits SetLimitsOf(const Config& c) {
  return {.max_intset_entries = c.set_max_intset_entries(),
          .max_listpack_entries = c.set_max_listpack_entries(),
          .max_listpack_value = c.set_max_listpack_value()};
}

inline zset::Limits ZSetLimitsOf(const Config& c) {
  return {static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_entries())),
          static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_value()))};
}

inline CollectionLimits CollectionLimitsOf(const Config& c) {
  return {.hash = HashLimitsOf(c),
          .set = SetLimitsOf(c),
          .zset = ZSetLimitsOf(c),
          .list_fill = c.list_max_listpack_size()};
}

}  // namespace redwing
