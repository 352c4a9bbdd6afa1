#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/key_events.h"

namespace redwing {

class Engine;

// notify-keyspace-events: the letters to NotifyClass bits (nothing on an unknown letter), and
// back to Redis's canonical text ("A" for all of g$lshzxetd, then K, E, m).
std::optional<uint32_t> ParseNotifyFlags(std::string_view letters);
std::string FormatNotifyFlags(uint32_t flags);

// Publishes a key event, as Redis's notifyKeyspaceEvent: the event name on
// __keyspace@<db>__:<key> (if K is on) and the key on __keyevent@<db>__:<event> (if E is on),
// when notify-keyspace-events enables `cls`. Call it on a worker thread holding the key's shard,
// after the change it reports. Cheap when notifications are off (one relaxed load).
void PublishKeyEvent(Engine* engine, uint32_t cls, std::string_view event, std::string_view key,
                     int db);

}  // namespace redwing
