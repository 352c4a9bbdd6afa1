// MULTI EXEC DISCARD WATCH UNWATCH. The session runs EXEC itself (it needs the shards of every
// queued command held at once); these handlers manage the ClientState around it.

#include "server/commands/command_helpers.h"
#include "server/session.h"

namespace redwing {
namespace {

void Multi(CommandContext& ctx) {
  if (ctx.client->in_multi) {
    ctx.reply->Error(errors::kNestedMulti);
    return;
  }
  ctx.client->in_multi = true;
  ctx.client->multi_error = false;
  ctx.client->queued.clear();
  ctx.reply->Ok();
}

// Never called: the session intercepts EXEC (kCmdExec). Present so the table stays uniform.
void Exec(CommandContext& ctx) {
  ctx.reply->Error(errors::kExecWithoutMulti);
}

void Discard(CommandContext& ctx) {
  if (!ctx.client->in_multi) {
    ctx.reply->Error(errors::kDiscardWithoutMulti);
    return;
  }
  ctx.session->DiscardTransaction();
  ctx.session->UnwatchAll();
  ctx.reply->Ok();
}

// Runs on the connection's thread with the keys' shards held, so it can register with them.
void Watch(CommandContext& ctx) {
  ClientState& c = *ctx.client;
  if (c.in_multi) {
    ctx.reply->Error(errors::kWatchInMulti);
    return;
  }
  if (c.watch_state == nullptr) c.watch_state = std::make_shared<WatchState>();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view key = ctx.arg(i);
    bool already = false;
    for (const auto& w : c.watched) {
      if (w.db == ctx.db && w.key == key) already = true;
    }
    if (already) continue;
    Database& db = ctx.Db(key);
    bool existed = static_cast<bool>(db.Find(key));
    db.AddWatch(key, c.watch_state);
    c.watched.push_back({ctx.db, std::string(key), existed});
  }
  ctx.reply->Ok();
}

void Unwatch(CommandContext& ctx) {
  ctx.session->UnwatchAll();
  ctx.reply->Ok();
}

}  // namespace

void RegisterTransactionCommands(CommandRegistry& r) {
  r.Add({.name = "multi",
         .arity = 1,
         .flags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdNoMulti |
                  kCmdClient,
         .handler = Multi,
         .acl_categories = "@fast @transaction"});
  r.Add({.name = "exec",
         .arity = 1,
         .flags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog | kCmdNoMulti |
                  kCmdExec | kCmdClient,
         .handler = Exec,
         .acl_categories = "@slow @transaction"});
  r.Add({.name = "discard",
         .arity = 1,
         .flags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdNoMulti |
                  kCmdEndsTransaction | kCmdClient,
         .handler = Discard,
         .acl_categories = "@fast @transaction"});
  r.Add({.name = "watch",
         .arity = -2,
         .flags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdNoMulti |
                  kCmdClient,
         .first_key = 1,
         .last_key = -1,
         .key_step = 1,
         .handler = Watch,
         .acl_categories = "@fast @transaction"});
  r.Add({.name = "unwatch",
         .arity = 1,
         .flags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdClient,
         .handler = Unwatch,
         .acl_categories = "@fast @transaction"});
}

}  // namespace redwing
