#pragma once

#include <string_view>

namespace redwing {

// How writes reach the page store (the `persistence` directive; server/shard_persistence.h).
enum class PersistPolicy : int {
  kNone = 0,          // memory only
  kWriteThrough = 1,  // a write is acknowledged once durable (group commit)
  kWriteBack = 2,     // acknowledged from memory; on disk within writeback-delay
  kWriteAround = 3,   // durable before acknowledged, and the cached copy is dropped
};

inline PersistPolicy ParsePersistPolicy(std::string_view name) {
  if (name == "write-through") return PersistPolicy::kWriteThrough;
  if (name == "write-back") return PersistPolicy::kWriteBack;
  if (name == "write-around") return PersistPolicy::kWriteAround;
  return PersistPolicy::kNone;
}

inline const char* PersistPolicyName(PersistPolicy p) {
  switch (p) {
    case PersistPolicy::kWriteThrough:
      return "write-through";
    case PersistPolicy::kWriteBack:
      return "write-back";
    case PersistPolicy::kWriteAround:
      return "write-around";
    case PersistPolicy::kNone:
      break;
  }
  return "none";
}

// Whether a write must be durable before its reply leaves.
inline bool AcksAfterSync(PersistPolicy p) {
  return p == PersistPolicy::kWriteThrough || p == PersistPolicy::kWriteAround;
}

}  // namespace redwing
