// COMMAND DOCS / COMMAND INFO rows of the pub/sub commands (see command_args.h for the grammar),
// as redis-server 7.0 prints them.

#include "server/commands/command_args.h"

namespace redwing {
namespace {

// Shard channels are cluster "keys" that name no data (Redis's not_key flag).
std::vector<KeySpec> ShardChannels(int lastkey) {
  return {{.flags = "not_key", .begin_search = AtIndex(1), .find_keys = KeyRange(lastkey, 1, 0)}};
}

}  // namespace

void AppendPubSubCommandDocs(std::vector<CommandDoc>* rows) {
  std::vector<CommandDoc> pubsub = {
      {.name = "subscribe",
       .grammar = "channel...",
       .summary = "Listen for messages published to the given channels",
       .since = "2.0.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of channels to subscribe to."},
      {.name = "unsubscribe",
       .grammar = "[channel...]",
       .summary = "Stop listening for messages posted to the given channels",
       .since = "2.0.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of clients already subscribed to a channel."},
      {.name = "psubscribe",
       .grammar = "pattern:{pattern:pattern}...",
       .summary = "Listen for messages published to channels matching the given patterns",
       .since = "2.0.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of patterns the client is already subscribed to."},
      {.name = "punsubscribe",
       .grammar = "[pattern:pattern...]",
       .summary = "Stop listening for messages posted to channels matching the given patterns",
       .since = "2.0.0",
       .group = "pubsub",
       .complexity = "O(N+M) where N is the number of patterns the client is already subscribed "
                     "and M is the number of total patterns subscribed in the system (by any "
                     "client)."},
      {.name = "ssubscribe",
       .grammar = "shardchannel...",
       .summary = "Listen for messages published to the given shard channels",
       .since = "7.0.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of shard channels to subscribe to.",
       .key_specs = ShardChannels(-1)},
      {.name = "sunsubscribe",
       .grammar = "[shardchannel...]",
       .summary = "Stop listening for messages posted to the given shard channels",
       .since = "7.0.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of clients already subscribed to a shard channel.",
       .key_specs = ShardChannels(-1)},
      {.name = "publish",
       .grammar = "channel message",
       .summary = "Post a message to a channel",
       .since = "2.0.0",
       .group = "pubsub",
       .complexity = "O(N+M) where N is the number of clients subscribed to the receiving "
                     "channel and M is the total number of subscribed patterns (by any client)."},
      {.name = "spublish",
       .grammar = "shardchannel message",
       .summary = "Post a message to a shard channel",
       .since = "7.0.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of clients subscribed to the receiving shard "
                     "channel.",
       .key_specs = ShardChannels(0)},
      {.name = "pubsub",
       .summary = "A container for Pub/Sub commands",
       .since = "2.8.0",
       .group = "pubsub",
       .complexity = "Depends on subcommand."},
      {.name = "pubsub|channels",
       .grammar = "[pattern:pattern]",
       .summary = "List active channels",
       .since = "2.8.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of active channels, and assuming constant time "
                     "pattern matching (relatively short channels and patterns)"},
      {.name = "pubsub|help",
       .summary = "Show helpful text about the different subcommands",
       .since = "6.2.0",
       .group = "pubsub",
       .complexity = "O(1)"},
      {.name = "pubsub|numpat",
       .summary = "Get the count of unique patterns pattern subscriptions",
       .since = "2.8.0",
       .group = "pubsub",
       .complexity = "O(1)"},
      {.name = "pubsub|numsub",
       .grammar = "[channel...]",
       .summary = "Get the count of subscribers for channels",
       .since = "2.8.0",
       .group = "pubsub",
       .complexity = "O(N) for the NUMSUB subcommand, where N is the number of requested channels"},
      {.name = "pubsub|shardchannels",
       .grammar = "[pattern:pattern]",
       .summary = "List active shard channels",
       .since = "7.0.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of active shard channels, and assuming constant "
                     "time pattern matching (relatively short shard channels)."},
      {.name = "pubsub|shardnumsub",
       .grammar = "[shardchannel...]",
       .summary = "Get the count of subscribers for shard channels",
       .since = "7.0.0",
       .group = "pubsub",
       .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested "
                     "shard channels"},
  };
  rows->insert(rows->end(), pubsub.begin(), pubsub.end());
}

}  // namespace redwing
