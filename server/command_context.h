#pragma once

#include <span>
#include <string_view>

#include "protocol/reply_builder.h"
#include "server/client_state.h"
#include "server/command_registry.h"
#include "server/engine.h"
#include "server/keyspace_events.h"
#include "storage/database.h"

namespace redwing {

class Session;

// What a command handler sees: its arguments, where to reply, and the keyspace. A handler runs on
// a thread that holds every shard its keys map to (its own shard's owner, or a coordinator with
// the shards lent; see shard.h), so it reaches data only through Db(key) for its declared keys, or
// DbOnShard() for commands flagged kCmdAllShards.
struct CommandContext {
  std::span<const std::string_view> args;
  const CommandSpec* spec = nullptr;
  ReplyBuilder* reply = nullptr;
  Engine* engine = nullptr;
  int db = 0;
  // The connection's state and session: set only when the command runs on the connection's
  // thread (commands flagged kCmdClient always do); null when it runs on a shard's thread.
  ClientState* client = nullptr;
  Session* session = nullptr;

  Database& Db(std::string_view key) const { return engine->shard(engine->ShardOfKey(key)).db(db); }
  Database& DbOnShard(int shard, int db_index) const { return engine->shard(shard).db(db_index); }
  // Raises the keyspace notification `event` of class `cls` (storage/key_events.h) for `key` in
  // this command's database, as Redis's notifyKeyspaceEvent. One relaxed load when off.
  void Notify(uint32_t cls, std::string_view event, std::string_view key) const {
    if (engine->config().notify_keyspace_events() & cls)
      PublishKeyEvent(engine, cls, event, key, db);
  }
  std::string_view arg(size_t i) const { return args[i]; }
  size_t argc() const { return args.size(); }
};

}  // namespace redwing
