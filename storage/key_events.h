#pragma once

#include <cstdint>
#include <string_view>

namespace redwing {

// Keyspace notification classes: the letters of `notify-keyspace-events`, with Redis's meaning.
// They live in storage because some events start here (expired, evicted); the server publishes
// them (server/keyspace_events.h).
enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K: __keyspace@<db>__:<key> channels
  kNotifyKeyevent = 1u << 1,  // E: __keyevent@<db>__:<event> channels
  kNotifyGeneric = 1u << 2,   // g: DEL, EXPIRE, RENAME, ...
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m (not part of A)
  kNotifyModule = 1u << 13,   // d
  kNotifyNew = 1u << 14,      // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Told of the key events a Database raises itself (a key expired or was evicted). Runs on the
// thread holding the database's shard, before the key's memory is freed.
class KeyEventListener {
 public:
  virtual void OnKeyEvent(uint32_t cls, std::string_view event, std::string_view key, int db) = 0;

 protected:
  ~KeyEventListener() = default;
};

}  // namespace redwing
