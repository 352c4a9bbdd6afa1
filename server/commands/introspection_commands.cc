// COMMAND [COUNT|INFO|DOCS|GETKEYS|LIST|HELP]: the command table described to clients (redis-cli
// hints, cluster-aware clients' key extraction), read straight from the registry.

#include <algorithm>
#include <sstream>

#include "protocol/glob.h"
#include "server/commands/command_helpers.h"

namespace redwing {
namespace {

// Flag names as COMMAND INFO prints them, in Redis's order.
const std::pair<uint32_t, const char*> kFlagNames[] = {
    {kCmdWrite, "write"},     {kCmdReadonly, "readonly"},    {kCmdDenyOom, "denyoom"},
    {kCmdAdmin, "admin"},     {kCmdPubSub, "pubsub"},        {kCmdNoScript, "noscript"},
    {kCmdLoading, "loading"}, {kCmdStale, "stale"},          {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},  {kCmdAllowBusy, "allow_busy"},
};

void WriteWords(ReplyBuilder& r, const std::string& words) {
  std::istringstream in(words);
  std::vector<std::string> parts;
  for (std::string w; in >> w;)
    parts.push_back(w);
  r.SetHeader(parts.size());
  for (const auto& p : parts)
    r.SimpleString(p);
}

// Redis 7 key specs, derived from the legacy (first, last, step) triple.
void WriteKeySpecs(ReplyBuilder& r, const CommandSpec& c) {
  if (c.first_key <= 0) {
    r.ArrayHeader(0);
    return;
  }
  r.ArrayHeader(1);
  r.MapHeader(3);
  r.Bulk("flags");
  r.SetHeader(2);
  r.SimpleString((c.flags & kCmdWrite) ? "RW" : "RO");
  r.SimpleString((c.flags & kCmdWrite) ? "update" : "access");
  r.Bulk("begin_search");
  r.MapHeader(2);
  r.Bulk("type");
  r.Bulk("index");
  r.Bulk("spec");
  r.MapHeader(1);
  r.Bulk("index");
  r.Integer(c.first_key);
  r.Bulk("find_keys");
  r.MapHeader(2);
  r.Bulk("type");
  r.Bulk("range");
  r.Bulk("spec");
  r.MapHeader(3);
  r.Bulk("lastkey");
  r.Integer(c.last_key < 0 ? c.last_key : c.last_key - c.first_key);
  r.Bulk("keystep");
  r.Integer(c.key_step);
  r.Bulk("limit");
  r.Integer(0);
}

void WriteInfo(ReplyBuilder& r, const CommandSpec& c) {
  r.ArrayHeader(10);
  r.Bulk(c.name);
  r.Integer(c.arity);
  size_t nflags = 0;
  for (auto [bit, name] : kFlagNames)
    nflags += (c.flags & bit) ? 1 : 0;
  r.SetHeader(nflags);
  for (auto [bit, name] : kFlagNames) {
    if (c.flags & bit) r.SimpleString(name);
  }
  r.Integer(c.first_key);
  r.Integer(c.last_key);
  r.Integer(c.key_step);
  WriteWords(r, c.acl_categories);
  r.ArrayHeader(0);  // tips
  WriteKeySpecs(r, c);
  std::vector<const CommandSpec*> subs;
  for (const auto& [name, sub] : c.subcommands)
    subs.push_back(sub.get());
  std::sort(subs.begin(), subs.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  r.ArrayHeader(subs.size());
  for (const CommandSpec* s : subs)
    WriteInfo(r, *s);
}

void WriteDocs(ReplyBuilder& r, const CommandSpec& c) {
  bool has_subs = !c.subcommands.empty();
  r.MapHeader(has_subs ? 5 : 4);
  r.Bulk("summary");
  r.Bulk(c.summary);
  r.Bulk("since");
  r.Bulk(c.since);
  r.Bulk("group");
  r.Bulk(c.group);
  r.Bulk("complexity");
  r.Bulk(c.complexity);
  if (has_subs) {
    r.Bulk("subcommands");
    r.MapHeader(c.subcommands.size());
    for (const auto& [name, sub] : c.subcommands) {
      r.Bulk(sub->name);
      WriteDocs(r, *sub);
    }
  }
}

const CommandSpec* Lookup(std::string_view name) {
  const CommandRegistry& reg = CommandRegistry::Get();
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return reg.Find(name);
  const CommandSpec* parent = reg.Find(name.substr(0, bar));
  return parent == nullptr ? nullptr : parent->FindSubcommand(name.substr(bar + 1));
}

void CommandAll(CommandContext& ctx) {
  const auto& all = CommandRegistry::Get().all();
  ctx.reply->ArrayHeader(all.size());
  for (const CommandSpec* c : all)
    WriteInfo(*ctx.reply, *c);
}

void CommandCount(CommandContext& ctx) {
  ctx.reply->Integer(static_cast<int64_t>(CommandRegistry::Get().count()));
}

void CommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    CommandAll(ctx);
    return;
  }
  ctx.reply->ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const CommandSpec* c = Lookup(ctx.arg(i));
    if (c == nullptr) {
      ctx.reply->NullArray();
    } else {
      WriteInfo(*ctx.reply, *c);
    }
  }
}

void CommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> list;
  if (ctx.argc() == 2) {
    list = CommandRegistry::Get().all();
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (const CommandSpec* c = Lookup(ctx.arg(i))) list.push_back(c);
    }
  }
  ctx.reply->MapHeader(list.size());
  for (const CommandSpec* c : list) {
    ctx.reply->Bulk(c->name);
    WriteDocs(*ctx.reply, *c);
  }
}

void CommandGetKeys(CommandContext& ctx) {
  std::span<const std::string_view> target = ctx.args.subspan(2);
  const CommandSpec* c = CommandRegistry::Get().Find(target[0]);
  if (c != nullptr && !c->subcommands.empty() && target.size() > 1) {
    if (const CommandSpec* sub = c->FindSubcommand(target[1])) c = sub;
  }
  if (c == nullptr) {
    ctx.reply->Error("ERR Invalid command specified");
    return;
  }
  int argc = static_cast<int>(target.size());
  if ((c->arity > 0 && argc != c->arity) || argc < -c->arity) {
    ctx.reply->Error(errors::WrongArity("command|getkeys"));
    return;
  }
  std::vector<int> keys;
  if (!c->has_keys() || !c->FindKeys(target, &keys) || keys.empty()) {
    ctx.reply->Error("ERR The command has no key arguments");
    return;
  }
  ctx.reply->ArrayHeader(keys.size());
  for (int k : keys)
    ctx.reply->Bulk(target[static_cast<size_t>(k)]);
}

void CommandList(CommandContext& ctx) {
  std::vector<std::string> names;
  for (const CommandSpec* c : CommandRegistry::Get().all()) {
    names.push_back(c->name);
    for (const auto& [n, sub] : c->subcommands)
      names.push_back(sub->name);
  }
  if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(2), "filterby")) {
    std::string_view kind = ctx.arg(3), value = ctx.arg(4);
    std::vector<std::string> kept;
    for (const auto& n : names) {
      const CommandSpec* c = Lookup(n);
      bool keep = false;
      if (EqualsIgnoreCase(kind, "pattern")) {
        keep = GlobMatch(value, n, true);
      } else if (EqualsIgnoreCase(kind, "aclcat")) {
        keep = (" " + c->acl_categories + " ").find(" @" + std::string(value) + " ") !=
               std::string::npos;
      } else if (EqualsIgnoreCase(kind, "module")) {
        keep = false;
      } else {
        ctx.reply->Error(errors::kSyntax);
        return;
      }
      if (keep) kept.push_back(n);
    }
    names = std::move(kept);
  } else if (ctx.argc() != 2) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  ctx.reply->ArrayHeader(names.size());
  for (const auto& n : names)
    ctx.reply->Bulk(n);
}

void CommandHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "HELP",
      "    Prints this help."};
  ReplyHelp(ctx, kLines);
}

}  // namespace

void RegisterIntrospectionCommands(CommandRegistry& r) {
  const uint32_t kFlags = kCmdLoading | kCmdStale;
  CommandSpec& command =
      r.Add({.name = "command",
             .arity = -1,
             .flags = kFlags,
             .handler = CommandAll,
             .acl_categories = "@slow @connection",
             .group = "server",
             .summary = "Returns detailed information about all commands.",
             .since = "2.8.13",
             .complexity = "O(N) where N is the total number of Redis commands"});
  struct Sub {
    const char* name;
    int arity;
    CommandHandler handler;
    const char* summary;
  };
  const Sub subs[] = {
      {"count", 2, CommandCount, "Returns a count of commands."},
      {"info", -2, CommandInfo, "Returns information about one, multiple or all commands."},
      {"docs", -2, CommandDocs,
       "Returns documentary information about one, multiple or all "
       "commands."},
      {"getkeys", -3, CommandGetKeys, "Extracts the key names from an arbitrary command."},
      {"list", -2, CommandList, "Returns a list of command names."},
      {"help", 2, CommandHelp, "Returns helpful text about the different subcommands."},
  };
  for (const Sub& s : subs) {
    r.AddSubcommand(command, {.name = s.name,
                              .arity = s.arity,
                              .flags = kFlags,
                              .handler = s.handler,
                              .acl_categories = "@slow @connection",
                              .group = "server",
                              .summary = s.summary,
                              .since = "7.0.0",
                              .complexity = "O(N) where N is the number of commands"});
  }
}

}  // namespace redwing
