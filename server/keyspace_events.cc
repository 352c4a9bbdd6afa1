#include "server/keyspace_events.h"

#include "server/engine.h"
#include "server/pubsub.h"
#include "server/worker.h"

namespace redwing {

namespace {

struct Letter {
  char c;
  uint32_t flag;
};
// In the order Redis prints them (after "A", which stands for all of the first ten).
constexpr Letter kClassLetters[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZset},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNew},
};
constexpr Letter kTargetLetters[] = {
    {'K', kNotifyKeyspace}, {'E', kNotifyKeyevent}, {'m', kNotifyKeyMiss}};

}  // namespace

std::optional<uint32_t> ParseNotifyFlags(std::string_view letters) {
  uint32_t flags = 0;
  for (char c : letters) {
    if (c == 'A') {
      flags |= kNotifyAll;
      continue;
    }
    bool known = false;
    for (const auto& group :
         {std::span<const Letter>(kClassLetters), std::span<const Letter>(kTargetLetters)}) {
      for (const Letter& l : group) {
        if (l.c == c) {
          flags |= l.flag;
          known = true;
        }
      }
    }
    if (!known) return std::nullopt;
  }
  return flags;
}

std::string FormatNotifyFlags(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
  } else {
    for (const Letter& l : kClassLetters) {
      if (flags & l.flag) out += l.c;
    }
  }
  for (const Letter& l : kTargetLetters) {
    if (flags & l.flag) out += l.c;
  }
  return out;
}

void PublishKeyEvent(Engine* engine, uint32_t cls, std::string_view event, std::string_view key,
                     int db) {
  uint32_t flags = engine->config().notify_keyspace_events();
  if ((flags & cls) == 0 || (flags & (kNotifyKeyspace | kNotifyKeyevent)) == 0) return;
  Worker* w = Worker::Current();
  if (w == nullptr) return;  // not on a worker thread (in-process tests without workers)
  std::string channel;
  std::string db_text = std::to_string(db);
  if (flags & kNotifyKeyspace) {
    channel.reserve(16 + db_text.size() + key.size());
    channel.append("__keyspace@").append(db_text).append("__:").append(key);
    w->pubsub().Publish(PubSubKind::kChannel, channel, event);
  }
  if (flags & kNotifyKeyevent) {
    channel.clear();
    channel.append("__keyevent@").append(db_text).append("__:").append(event);
    w->pubsub().Publish(PubSubKind::kChannel, channel, key);
  }
}

}  // namespace redwing
