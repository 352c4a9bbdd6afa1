#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/database.h"

namespace redwing {

struct CommandSpec;

// A command queued between MULTI and EXEC, with its arguments copied (the read buffer they came
// from is reused long before EXEC).
struct QueuedCommand {
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;
};

// The per-connection state that commands may read or change: selected database, protocol
// version, name, authentication, transaction and WATCH state. Owned by the connection's thread;
// commands see it only when they run there (CommandContext::client is null on a shard thread).
struct ClientState {
  uint64_t id = 0;
  int db = 0;
  int resp = 2;
  bool authenticated = false;
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  const CommandSpec* last_command = nullptr;

  // Set by commands, honoured by the connection after the reply is written.
  bool close_after_reply = false;
  enum class ReplyMode { kOn, kOff, kSkip } reply_mode = ReplyMode::kOn;
  bool skip_next_reply = false;

  // MULTI/EXEC.
  bool in_multi = false;
  bool multi_error = false;  // a command failed to queue: EXEC answers EXECABORT
  bool in_exec = false;      // EXEC is running the queued commands (nothing blocks)
  std::vector<QueuedCommand> queued;

  // WATCH: keys (with their database) and the flag shards raise when one changes. A key that
  // existed when watched and has since expired also aborts EXEC, as in Redis.
  struct WatchedKey {
    int db;
    std::string key;
    bool existed;
  };
  std::vector<WatchedKey> watched;
  std::shared_ptr<WatchState> watch_state;

  // Pub/sub subscriptions, by PubSubKind (channels, patterns, shard channels), in subscription
  // order. A RESP2 client with any is in Redis's subscribed context.
  std::vector<std::string> subscriptions[3];
  // What SUBSCRIBE/UNSUBSCRIBE replies count: channels and patterns together; shard channels
  // apart.
  size_t subscription_count() const { return subscriptions[0].size() + subscriptions[1].size(); }
  size_t shard_subscription_count() const { return subscriptions[2].size(); }
  bool subscribed() const { return subscription_count() + shard_subscription_count() > 0; }
};

}  // namespace redwing
