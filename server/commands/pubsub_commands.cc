// Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB. They run on the
// connection's thread (kCmdClient) against its worker's part of pub/sub (server/pubsub.h).
//
// A subscription change is acknowledged only once every worker's directory has it
// (kCmdAwaitsWorkers): the replies are built here, then held until the last worker has applied
// the change. Inside EXEC they are written at once.

#include "server/commands/command_helpers.h"
#include "server/pubsub.h"
#include "server/session.h"
#include "server/worker.h"

namespace redwing {
namespace {

// The reply's first word per kind, for subscribing and unsubscribing.
constexpr std::string_view kSubscribeWord[] = {"subscribe", "psubscribe", "ssubscribe"};
constexpr std::string_view kUnsubscribeWord[] = {"unsubscribe", "punsubscribe", "sunsubscribe"};

// Writes one (un)subscription confirmation: [word, name (or null), the client's count].
void Confirm(ReplyBuilder& rb, const ClientState& c, PubSubKind kind, std::string_view word,
             const std::string_view* name) {
  rb.PushHeader(3);
  rb.Bulk(word);
  if (name != nullptr) {
    rb.Bulk(*name);
  } else {
    rb.Null();
  }
  size_t count = kind == PubSubKind::kShard ? c.shard_subscription_count() : c.subscription_count();
  rb.Integer(static_cast<int64_t>(count));
}

// Tells every worker's directory, then replies `replies` (at once if there is nothing to wait
// for: a single worker, no change, or inside EXEC).
void Finish(CommandContext& ctx, std::vector<SubscriptionChange> changes, ByteBuffer& replies) {
  Session& s = *ctx.session;
  bool wait = !changes.empty() && ctx.engine->num_workers() > 1 && !ctx.client->in_exec;
  if (!wait) {
    if (!changes.empty()) {
      BroadcastSubscriptionChanges(ctx.engine, s.worker(), std::move(changes), nullptr);
    }
    ctx.reply->Raw(replies.view());
    return;
  }
  auto deliver = s.Suspend();
  BroadcastSubscriptionChanges(
      ctx.engine, s.worker(), std::move(changes),
      [deliver, bytes = std::string(replies.view())]() mutable { deliver(std::move(bytes)); });
}

void SubscribeTo(CommandContext& ctx, PubSubKind kind) {
  ByteBuffer replies;
  ReplyBuilder rb(&replies, ctx.client->resp);
  std::vector<SubscriptionChange> changes;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view name = ctx.arg(i);
    if (ctx.session->Subscribe(kind, name)) {
      changes.push_back(SubscriptionChange{kind, std::string(name), +1});
    }
    Confirm(rb, *ctx.client, kind, kSubscribeWord[static_cast<int>(kind)], &name);
  }
  Finish(ctx, std::move(changes), replies);
}

void UnsubscribeFrom(CommandContext& ctx, PubSubKind kind) {
  ByteBuffer replies;
  ReplyBuilder rb(&replies, ctx.client->resp);
  std::vector<SubscriptionChange> changes;
  std::string_view word = kUnsubscribeWord[static_cast<int>(kind)];
  if (ctx.argc() == 1) {
    std::vector<std::string> all = ctx.session->UnsubscribeAll(kind);
    if (all.empty()) Confirm(rb, *ctx.client, kind, word, nullptr);
    // Each confirmation counts the subscriptions left after it, as Redis's one-by-one removal.
    size_t left = all.size();
    for (std::string& name : all) {
      --left;
      rb.PushHeader(3);
      rb.Bulk(word);
      rb.Bulk(name);
      size_t others = kind == PubSubKind::kShard ? 0 : ctx.client->subscription_count();
      rb.Integer(static_cast<int64_t>(left + others));
      changes.push_back(SubscriptionChange{kind, std::move(name), -1});
    }
  } else {
    for (size_t i = 1; i < ctx.argc(); ++i) {
      std::string_view name = ctx.arg(i);
      if (ctx.session->Unsubscribe(kind, name)) {
        changes.push_back(SubscriptionChange{kind, std::string(name), -1});
      }
      Confirm(rb, *ctx.client, kind, word, &name);
    }
  }
  Finish(ctx, std::move(changes), replies);
}

void Subscribe(CommandContext& ctx) {
  SubscribeTo(ctx, PubSubKind::kChannel);
}
void PSubscribe(CommandContext& ctx) {
  SubscribeTo(ctx, PubSubKind::kPattern);
}
void SSubscribe(CommandContext& ctx) {
  SubscribeTo(ctx, PubSubKind::kShard);
}
void Unsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, PubSubKind::kChannel);
}
void PUnsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, PubSubKind::kPattern);
}
void SUnsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, PubSubKind::kShard);
}

void PublishTo(CommandContext& ctx, PubSubKind kind) {
  // Nothing of the reply is written yet: a message to this very client may go out first, as in
  // Redis (not inside EXEC, whose array is open).
  Session& s = *ctx.session;
  bool was_running = s.command_running();
  if (!ctx.client->in_exec) s.set_command_running(false);
  int64_t receivers = s.worker()->pubsub().Publish(kind, ctx.arg(1), ctx.arg(2));
  s.set_command_running(was_running);
  ctx.reply->Integer(receivers);
}

void Publish(CommandContext& ctx) {
  PublishTo(ctx, PubSubKind::kChannel);
}
void SPublish(CommandContext& ctx) {
  PublishTo(ctx, PubSubKind::kShard);
}

// PUBSUB CHANNELS / SHARDCHANNELS [pattern].
void ListChannels(CommandContext& ctx, PubSubKind kind) {
  if (ctx.argc() > 3) {
    ctx.reply->Error("ERR unknown subcommand or wrong number of arguments for '" +
                     std::string(ctx.arg(1)) + "'. Try PUBSUB HELP.");
    return;
  }
  std::optional<std::string_view> pattern;
  if (ctx.argc() == 3) pattern = ctx.arg(2);
  std::vector<std::string> names = ctx.session->worker()->pubsub().Channels(kind, pattern);
  ctx.reply->ArrayHeader(names.size());
  for (const std::string& n : names)
    ctx.reply->Bulk(n);
}

// PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: pairs of channel and subscriber count.
void CountSubscribers(CommandContext& ctx, PubSubKind kind) {
  const PubSub& ps = ctx.session->worker()->pubsub();
  ctx.reply->ArrayHeader((ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply->Bulk(ctx.arg(i));
    ctx.reply->Integer(ps.Subscribers(kind, ctx.arg(i)));
  }
}

void PubSubChannels(CommandContext& ctx) {
  ListChannels(ctx, PubSubKind::kChannel);
}
void PubSubShardChannels(CommandContext& ctx) {
  ListChannels(ctx, PubSubKind::kShard);
}
void PubSubNumSub(CommandContext& ctx) {
  CountSubscribers(ctx, PubSubKind::kChannel);
}
void PubSubShardNumSub(CommandContext& ctx) {
  CountSubscribers(ctx, PubSubKind::kShard);
}
void PubSubNumPat(CommandContext& ctx) {
  ctx.reply->Integer(ctx.session->worker()->pubsub().Patterns());
}

void PubSubHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: "
      "'*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help."};
  ReplyHelp(ctx, kLines);
}

}  // namespace

void RegisterPubSubCommands(CommandRegistry& r) {
  const uint32_t kSub = kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale | kCmdClient |
                        kCmdAwaitsWorkers | kCmdSubscribedContext;
  const uint32_t kPub = kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast | kCmdClient;
  r.Add({.name = "subscribe",
         .arity = -2,
         .flags = kSub,
         .handler = Subscribe,
         .acl_categories = "@pubsub @slow"});
  r.Add({.name = "unsubscribe",
         .arity = -1,
         .flags = kSub,
         .handler = Unsubscribe,
         .acl_categories = "@pubsub @slow"});
  r.Add({.name = "psubscribe",
         .arity = -2,
         .flags = kSub,
         .handler = PSubscribe,
         .acl_categories = "@pubsub @slow"});
  r.Add({.name = "punsubscribe",
         .arity = -1,
         .flags = kSub,
         .handler = PUnsubscribe,
         .acl_categories = "@pubsub @slow"});
  // Shard channels are "keys" to a cluster (COMMAND INFO shows their positions, with Redis's
  // not_key flag), but name no data: they never route the command to a shard.
  r.Add({.name = "ssubscribe",
         .arity = -2,
         .flags = kSub | kCmdKeysAreChannels,
         .first_key = 1,
         .last_key = -1,
         .key_step = 1,
         .handler = SSubscribe,
         .acl_categories = "@pubsub @slow"});
  r.Add({.name = "sunsubscribe",
         .arity = -1,
         .flags = kSub | kCmdKeysAreChannels,
         .first_key = 1,
         .last_key = -1,
         .key_step = 1,
         .handler = SUnsubscribe,
         .acl_categories = "@pubsub @slow"});
  r.Add({.name = "publish",
         .arity = 3,
         .flags = kPub,
         .handler = Publish,
         .acl_categories = "@pubsub @fast"});
  r.Add({.name = "spublish",
         .arity = 3,
         .flags = kPub | kCmdKeysAreChannels,
         .first_key = 1,
         .last_key = 1,
         .key_step = 1,
         .handler = SPublish,
         .acl_categories = "@pubsub @fast"});

  CommandSpec& pubsub = r.Add({.name = "pubsub", .arity = -2, .acl_categories = "@slow"});
  const uint32_t kIntro = kCmdPubSub | kCmdLoading | kCmdStale | kCmdClient;
  r.AddSubcommand(pubsub, {.name = "channels",
                           .arity = -2,
                           .flags = kIntro,
                           .handler = PubSubChannels,
                           .acl_categories = "@pubsub @slow"});
  r.AddSubcommand(pubsub, {.name = "numsub",
                           .arity = -2,
                           .flags = kIntro,
                           .handler = PubSubNumSub,
                           .acl_categories = "@pubsub @slow"});
  r.AddSubcommand(pubsub, {.name = "numpat",
                           .arity = 2,
                           .flags = kIntro,
                           .handler = PubSubNumPat,
                           .acl_categories = "@pubsub @slow"});
  r.AddSubcommand(pubsub, {.name = "shardchannels",
                           .arity = -2,
                           .flags = kIntro,
                           .handler = PubSubShardChannels,
                           .acl_categories = "@pubsub @slow"});
  r.AddSubcommand(pubsub, {.name = "shardnumsub",
                           .arity = -2,
                           .flags = kIntro,
                           .handler = PubSubShardNumSub,
                           .acl_categories = "@pubsub @slow"});
  r.AddSubcommand(pubsub, {.name = "help",
                           .arity = 2,
                           .flags = kCmdLoading | kCmdStale | kCmdClient,
                           .handler = PubSubHelp,
                           .acl_categories = "@slow"});
}

}  // namespace redwing
