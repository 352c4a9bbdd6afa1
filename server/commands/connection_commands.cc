// Connection commands: PING ECHO QUIT RESET HELLO AUTH SELECT. They run on the connection's
// thread with its ClientState (kCmdClient).

#include "server/commands/command_helpers.h"
#include "server/session.h"
#include "server/version.h"

namespace redwing {
namespace {

void Ping(CommandContext& ctx) {
  // Arity is "at least one", but PING takes at most one message.
  if (ctx.argc() > 2) {
    ctx.reply->Error(errors::WrongArity("ping"));
    return;
  }
  // A RESP2 client in the subscribed context gets a pong it can tell from a message.
  if (ctx.client->resp == 2 && ctx.client->subscribed()) {
    ctx.reply->ArrayHeader(2);
    ctx.reply->Bulk("pong");
    ctx.reply->Bulk(ctx.argc() == 2 ? ctx.arg(1) : std::string_view());
    return;
  }
  if (ctx.argc() == 1) {
    ctx.reply->SimpleString("PONG");
  } else {
    ctx.reply->Bulk(ctx.arg(1));
  }
}

void Echo(CommandContext& ctx) {
  ctx.reply->Bulk(ctx.arg(1));
}

void Quit(CommandContext& ctx) {
  ctx.reply->Ok();
  ctx.client->close_after_reply = true;
}

void Reset(CommandContext& ctx) {
  ctx.session->DiscardTransaction();
  ctx.session->UnwatchAll();
  ctx.session->LeavePubSub();
  ClientState& c = *ctx.client;
  c.db = 0;
  c.resp = 2;
  c.name.clear();
  c.reply_mode = ClientState::ReplyMode::kOn;
  c.skip_next_reply = false;
  c.authenticated = !ctx.engine->config().requirepass_set();
  ctx.reply->set_resp(2);
  ctx.reply->SimpleString("RESET");
}

// Checks a password for the default user; replies with the error and returns false on mismatch.
bool CheckPassword(CommandContext& ctx, std::string_view user, std::string_view pass) {
  Config& cfg = ctx.engine->config();
  if (!EqualsIgnoreCase(user, "default") || (cfg.requirepass_set() && cfg.requirepass() != pass)) {
    ctx.reply->Error(errors::kWrongPass);
    return false;
  }
  ctx.client->authenticated = true;
  return true;
}

void Auth(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  if (ctx.argc() == 2 && !ctx.engine->config().requirepass_set()) {
    ctx.reply->Error(errors::kAuthNoPassword);
    return;
  }
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  if (CheckPassword(ctx, user, ctx.arg(ctx.argc() - 1))) ctx.reply->Ok();
}

void Hello(CommandContext& ctx) {
  int resp = ctx.client->resp;
  size_t i = 1;
  if (ctx.argc() > 1) {
    auto ver = ParseInt64(ctx.arg(1));
    if (!ver) {
      ctx.reply->Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (*ver < 2 || *ver > 3) {
      ctx.reply->Error("NOPROTO unsupported protocol version");
      return;
    }
    resp = static_cast<int>(*ver);
    i = 2;
  }
  std::string_view setname;
  bool has_setname = false;
  for (; i < ctx.argc(); ++i) {
    bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(i), "auth") && i + 2 < ctx.argc()) {
      if (!CheckPassword(ctx, ctx.arg(i + 1), ctx.arg(i + 2))) return;
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "setname") && more) {
      setname = ctx.arg(i + 1);
      has_setname = true;
      ++i;
    } else {
      ctx.reply->Error("ERR Syntax error in HELLO option '" + std::string(ctx.arg(i)) + "'");
      return;
    }
  }
  if (!ctx.client->authenticated) {
    ctx.reply->Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "<proto> AUTH <user> <pass> option can be used to authenticate the client and select "
        "the RESP protocol version at the same time");
    return;
  }
  if (has_setname) {
    for (char c : setname) {
      if (c < '!' || c > '~') {
        ctx.reply->Error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
    }
    ctx.client->name = std::string(setname);
  }
  ctx.client->resp = resp;
  ctx.reply->set_resp(resp);
  ReplyBuilder& r = *ctx.reply;
  r.MapHeader(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk(kRedisVersion);
  r.Bulk("proto");
  r.Integer(resp);
  r.Bulk("id");
  r.Integer(static_cast<int64_t>(ctx.client->id));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.ArrayHeader(0);
}

void Select(CommandContext& ctx) {
  auto db = IntArg(ctx, ctx.arg(1));
  if (!db) return;
  if (*db < 0 || *db >= ctx.engine->config().databases()) {
    ctx.reply->Error(errors::kDbIndexOutOfRange);
    return;
  }
  ctx.client->db = static_cast<int>(*db);
  ctx.reply->Ok();
}

}  // namespace

void RegisterConnectionCommands(CommandRegistry& r) {
  const uint32_t kConn = kCmdClient;
  r.Add({.name = "ping",
         .arity = -1,
         .flags = kCmdFast | kConn | kCmdSubscribedContext,
         .handler = Ping,
         .acl_categories = "@fast @connection"});
  r.Add({.name = "echo",
         .arity = 2,
         .flags = kCmdFast | kCmdLoading | kCmdStale | kConn,
         .handler = Echo,
         .acl_categories = "@fast @connection"});
  r.Add({.name = "quit",
         .arity = -1,
         .flags = kCmdNoAuth | kCmdNoScript | kCmdFast | kCmdStale | kCmdLoading | kCmdAllowBusy |
                  kCmdNoMulti | kCmdEndsTransaction | kConn | kCmdSubscribedContext,
         .handler = Quit,
         .acl_categories = "@fast @connection"});
  r.Add({.name = "reset",
         .arity = 1,
         .flags = kCmdNoAuth | kCmdNoScript | kCmdFast | kCmdStale | kCmdLoading | kCmdAllowBusy |
                  kCmdNoMulti | kCmdEndsTransaction | kConn | kCmdSubscribedContext,
         .handler = Reset,
         .acl_categories = "@fast @connection"});
  r.Add({.name = "hello",
         .arity = -1,
         .flags =
             kCmdNoAuth | kCmdNoScript | kCmdFast | kCmdStale | kCmdLoading | kCmdAllowBusy | kConn,
         .handler = Hello,
         .acl_categories = "@fast @connection"});
  r.Add({.name = "auth",
         .arity = -2,
         .flags =
             kCmdNoAuth | kCmdNoScript | kCmdFast | kCmdStale | kCmdLoading | kCmdAllowBusy | kConn,
         .handler = Auth,
         .acl_categories = "@fast @connection"});
  r.Add({.name = "select",
         .arity = 2,
         .flags = kCmdFast | kCmdLoading | kCmdStale | kConn,
         .handler = Select,
         .acl_categories = "@fast @connection"});
}

}  // namespace redwing
