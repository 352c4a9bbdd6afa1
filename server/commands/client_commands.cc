// CLIENT subcommands. LIST and KILL reach every worker's connections (Engine::Broadcast) and
// answer when all have replied; the rest act on the calling connection only.

#include <algorithm>

#include "server/commands/command_helpers.h"
#include "server/connection.h"
#include "server/session.h"

namespace redwing {
namespace {

// Client names and library fields may not contain spaces or special characters.
bool PrintableWord(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '!' && c <= '~'; });
}

void ClientId(CommandContext& ctx) {
  ctx.reply->Integer(static_cast<int64_t>(ctx.client->id));
}

void ClientSetName(CommandContext& ctx) {
  if (!PrintableWord(ctx.arg(2))) {
    ctx.reply->Error("ERR Client names cannot contain spaces, newlines or special characters.");
    return;
  }
  ctx.client->name = std::string(ctx.arg(2));
  ctx.reply->Ok();
}

void ClientGetName(CommandContext& ctx) {
  if (ctx.client->name.empty()) {
    ctx.reply->Null();
  } else {
    ctx.reply->Bulk(ctx.client->name);
  }
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; clients send it on connect).
void ClientSetInfo(CommandContext& ctx) {
  std::string_view attr = ctx.arg(2), value = ctx.arg(3);
  bool is_name = EqualsIgnoreCase(attr, "lib-name");
  if (!is_name && !EqualsIgnoreCase(attr, "lib-ver")) {
    ctx.reply->Error("ERR Unrecognized option '" + std::string(attr) + "'");
    return;
  }
  if (!PrintableWord(value)) {
    ctx.reply->Error("ERR " + std::string(is_name ? "lib-name" : "lib-ver") +
                     " cannot contain spaces, newlines or special characters.");
    return;
  }
  (is_name ? ctx.client->lib_name : ctx.client->lib_ver) = std::string(value);
  ctx.reply->Ok();
}

void ClientInfo(CommandContext& ctx) {
  ctx.reply->Verbatim("txt", ctx.session->owner().Describe(NowMs()) + "\n");
}

// A client type named in CLIENT LIST/KILL TYPE. Redwing has no master or replica clients yet.
enum class ClientType { kAny, kNormal, kPubSub, kNone };

std::optional<ClientType> ParseClientType(std::string_view t) {
  if (EqualsIgnoreCase(t, "normal")) return ClientType::kNormal;
  if (EqualsIgnoreCase(t, "pubsub")) return ClientType::kPubSub;
  if (EqualsIgnoreCase(t, "master") || EqualsIgnoreCase(t, "replica") ||
      EqualsIgnoreCase(t, "slave")) {
    return ClientType::kNone;
  }
  return std::nullopt;
}

// Redis's client classes: a client with subscriptions is a pubsub client.
bool OfType(const ClientState& c, ClientType t) {
  switch (t) {
    case ClientType::kAny:
      return true;
    case ClientType::kNormal:
      return !c.subscribed();
    case ClientType::kPubSub:
      return c.subscribed();
    case ClientType::kNone:
      return false;
  }
  return false;
}

void ClientList(CommandContext& ctx) {
  std::vector<uint64_t> ids;
  ClientType type = ClientType::kAny;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "type") && i + 1 < ctx.argc()) {
      std::string_view t = ctx.arg(i + 1);
      auto parsed = ParseClientType(t);
      if (!parsed) {
        ctx.reply->Error("ERR Unknown client type '" + std::string(t) + "'");
        return;
      }
      type = *parsed;
      ++i;
    } else if (EqualsIgnoreCase(ctx.arg(i), "id") && i + 1 < ctx.argc()) {
      for (++i; i < ctx.argc(); ++i) {
        auto id = ParseInt64(ctx.arg(i));
        if (!id || *id <= 0) {
          ctx.reply->Error("ERR Invalid client ID");
          return;
        }
        ids.push_back(static_cast<uint64_t>(*id));
      }
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  auto deliver = ctx.session->Suspend();
  int resp = ctx.client->resp;
  int64_t now = NowMs();
  ctx.engine->Broadcast(
      ctx.session->worker(),
      [ids, type, now](Worker& w) {
        std::string lines;
        ForEachConnection(w, [&](Connection& c) {
          uint64_t id = c.session().client_const().id;
          if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) return;
          if (!OfType(c.session().client_const(), type)) return;
          lines += c.Describe(now) + "\n";
        });
        return lines;
      },
      [deliver, resp](std::vector<std::string> parts) {
        std::string all;
        for (auto& p : parts)
          all += p;
        ByteBuffer buf;
        ReplyBuilder rb(&buf, resp);
        rb.Verbatim("txt", all);
        deliver(std::string(buf.view()));
      });
}

// The filters of CLIENT KILL's new form.
struct KillFilter {
  std::string addr, laddr;
  uint64_t id = 0;
  bool skipme = true;
  int64_t max_age_s = -1;
  ClientType type = ClientType::kAny;
};

void ClientKill(CommandContext& ctx) {
  KillFilter f;
  bool old_form = ctx.argc() == 3;
  if (old_form) {
    f.addr = std::string(ctx.arg(2));
    f.skipme = false;
  } else {
    if (ctx.argc() % 2 != 0) {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
    for (size_t i = 2; i + 1 < ctx.argc(); i += 2) {
      std::string_view opt = ctx.arg(i), val = ctx.arg(i + 1);
      if (EqualsIgnoreCase(opt, "id")) {
        auto id = ParseInt64(val);
        if (!id || *id <= 0) {
          ctx.reply->Error("ERR client-id should be greater than 0");
          return;
        }
        f.id = static_cast<uint64_t>(*id);
      } else if (EqualsIgnoreCase(opt, "addr")) {
        f.addr = std::string(val);
      } else if (EqualsIgnoreCase(opt, "laddr")) {
        f.laddr = std::string(val);
      } else if (EqualsIgnoreCase(opt, "type")) {
        auto parsed = ParseClientType(val);
        if (!parsed) {
          ctx.reply->Error("ERR Unknown client type '" + std::string(val) + "'");
          return;
        }
        f.type = *parsed;
      } else if (EqualsIgnoreCase(opt, "user")) {
        if (!EqualsIgnoreCase(val, "default")) {
          ctx.reply->Error("ERR No such user '" + std::string(val) + "'");
          return;
        }
      } else if (EqualsIgnoreCase(opt, "skipme")) {
        if (EqualsIgnoreCase(val, "yes")) {
          f.skipme = true;
        } else if (EqualsIgnoreCase(val, "no")) {
          f.skipme = false;
        } else {
          ctx.reply->Error(errors::kSyntax);
          return;
        }
      } else if (EqualsIgnoreCase(opt, "maxage")) {
        auto age = ParseInt64(val);
        if (!age || *age <= 0) {
          ctx.reply->Error(errors::kSyntax);
          return;
        }
        f.max_age_s = *age;
      } else {
        ctx.reply->Error(errors::kSyntax);
        return;
      }
    }
  }
  auto deliver = ctx.session->Suspend();
  uint64_t self = ctx.client->id;
  int64_t now = NowMs();
  Session* me = ctx.session;
  ctx.engine->Broadcast(
      ctx.session->worker(),
      [f, self, now](Worker& w) {
        int64_t killed = 0;
        ForEachConnection(w, [&](Connection& c) {
          const ClientState& cs = c.session().client_const();
          if (!OfType(cs, f.type)) return;
          if (f.id != 0 && cs.id != f.id) return;
          if (!f.addr.empty() && c.peer_address() != f.addr) return;
          if (!f.laddr.empty() && c.local_address() != f.laddr) return;
          if (f.max_age_s > 0 && (now - cs.created_ms) / 1000 < f.max_age_s) return;
          if (cs.id == self) {
            if (f.skipme) return;
            // Our own connection closes after this reply, as in Redis.
            ++killed;
            c.session().client().close_after_reply = true;
            return;
          }
          c.Close();
          ++killed;
        });
        return std::to_string(killed);
      },
      [deliver, old_form, me](std::vector<std::string> parts) {
        int64_t total = 0;
        for (auto& p : parts)
          total += std::stoll(p);
        ByteBuffer buf;
        ReplyBuilder rb(&buf, me->client_const().resp);
        if (old_form) {
          if (total == 0) {
            rb.Error("ERR No such client");
          } else {
            rb.Ok();
          }
        } else {
          rb.Integer(total);
        }
        deliver(std::string(buf.view()));
      });
}

void ClientPause(CommandContext& ctx) {
  auto timeout = ParseInt64(ctx.arg(2));
  if (!timeout) {
    ctx.reply->Error("ERR timeout is not an integer or out of range");
    return;
  }
  if (*timeout < 0) {
    ctx.reply->Error(errors::kTimeoutNegative);
    return;
  }
  bool writes_only = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "write")) {
      writes_only = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "all")) {
      ctx.reply->Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  }
  ctx.engine->pause_writes_only.store(writes_only);
  ctx.engine->pause_until_ms.store(NowMs() + *timeout);
  ctx.reply->Ok();
}

void ClientUnpause(CommandContext& ctx) {
  ctx.engine->pause_until_ms.store(0);
  // Wake the paused connections everywhere now rather than at their worker's next cron tick.
  ctx.engine->Broadcast(
      ctx.session->worker(),
      [](Worker& w) {
        ForEachConnection(w, [](Connection& c) { c.session().RetryPaused(); });
        return std::string();
      },
      [](std::vector<std::string>) {});
  ctx.reply->Ok();
}

void ClientReply(CommandContext& ctx) {
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "on")) {
    ctx.client->reply_mode = ClientState::ReplyMode::kOn;
    ctx.reply->Ok();
  } else if (EqualsIgnoreCase(mode, "off")) {
    ctx.client->reply_mode = ClientState::ReplyMode::kOff;
  } else if (EqualsIgnoreCase(mode, "skip")) {
    if (ctx.client->reply_mode != ClientState::ReplyMode::kOff) ctx.client->skip_next_reply = true;
  } else {
    ctx.reply->Error(errors::kSyntax);
  }
}

void ClientHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "    * MAXAGE <maxage>",
      "      Kill connections older than the specified age.",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "HELP",
      "    Prints this help."};
  ReplyHelp(ctx, kLines);
}

}  // namespace

void RegisterClientCommands(CommandRegistry& r) {
  CommandSpec& client = r.Add({.name = "client", .arity = -2, .acl_categories = "@slow"});
  const uint32_t kBase = kCmdNoScript | kCmdLoading | kCmdStale | kCmdClient;
  struct Sub {
    const char* name;
    int arity;
    uint32_t flags;
    CommandHandler handler;
  };
  const Sub subs[] = {
      {"id", 2, kBase, ClientId},
      {"setname", 3, kBase, ClientSetName},
      {"getname", 2, kBase, ClientGetName},
      {"setinfo", 4, kBase, ClientSetInfo},
      {"info", 2, kBase, ClientInfo},
      {"list", -2, kBase | kCmdAdmin | kCmdAsync, ClientList},
      {"kill", -3, kBase | kCmdAdmin | kCmdAsync, ClientKill},
      {"pause", -3, kBase | kCmdAdmin, ClientPause},
      {"unpause", 2, kBase | kCmdAdmin, ClientUnpause},
      {"reply", 3, kBase, ClientReply},
      {"help", 2, kCmdLoading | kCmdStale | kCmdClient, ClientHelp},
  };
  for (const Sub& s : subs) {
    bool admin = (s.flags & kCmdAdmin) != 0;
    r.AddSubcommand(client, {.name = s.name,
                             .arity = s.arity,
                             .flags = s.flags,
                             .handler = s.handler,
                             .acl_categories = admin ? "@admin @slow @dangerous @connection"
                                                     : "@slow @connection"});
  }
}

}  // namespace redwing
