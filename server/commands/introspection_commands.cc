// COMMAND [COUNT|INFO|DOCS|GETKEYS|LIST|HELP]: the command table described to clients (redis-cli
// hints, cluster-aware clients' key extraction), read from the registry and the command table
// (command_args_table.cc).

#include <algorithm>
#include <initializer_list>

#include "protocol/glob.h"
#include "server/commands/command_args.h"
#include "server/commands/command_helpers.h"

namespace redwing {
namespace {

// A documentation field that is printed only when set (its map entry is counted by the caller).
void OptionalField(ReplyBuilder& r, std::string_view field, std::string_view value) {
  if (value.empty()) return;
  r.Bulk(field);
  r.Bulk(value);
}

// Flag names as COMMAND INFO prints them, in Redis's order.
const std::pair<uint32_t, const char*> kFlagNames[] = {
    {kCmdWrite, "write"},
    {kCmdReadonly, "readonly"},
    {kCmdDenyOom, "denyoom"},
    {kCmdAdmin, "admin"},
    {kCmdPubSub, "pubsub"},
    {kCmdNoScript, "noscript"},
    {kCmdBlocking, "blocking"},
    {kCmdLoading, "loading"},
    {kCmdStale, "stale"},
    {kCmdSkipSlowlog, "skip_slowlog"},
    {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},
    {kCmdNoAsyncLoading, "no_async_loading"},
    {kCmdRefusedInMulti, "no_multi"},
    {kCmdMovableKeys, "movablekeys"},
    {kCmdAllowBusy, "allow_busy"},
};

std::vector<std::string_view> SplitWords(std::string_view words) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos < words.size()) {
    size_t end = words.find(' ', pos);
    if (end == std::string_view::npos) end = words.size();
    if (end > pos) parts.push_back(words.substr(pos, end - pos));
    pos = end + 1;
  }
  return parts;
}

// Blank-separated words as a set of simple strings (flags, ACL categories).
void WriteWords(ReplyBuilder& r, std::string_view words) {
  std::vector<std::string_view> parts = SplitWords(words);
  r.SetHeader(parts.size());
  for (std::string_view p : parts)
    r.SimpleString(p);
}

// A container's subcommands in name order (the registry keeps them in a hash map).
std::vector<const CommandSpec*> SortedSubcommands(const CommandSpec& c) {
  std::vector<const CommandSpec*> subs;
  for (const auto& [name, sub] : c.subcommands)
    subs.push_back(sub.get());
  std::sort(subs.begin(), subs.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  return subs;
}

// A key spec's "begin_search" or "find_keys": its type and a map of its parameters.
void WriteKeySearch(ReplyBuilder& r, std::string_view type,
                    std::initializer_list<std::pair<std::string_view, int>> spec,
                    std::string_view keyword = {}) {
  r.MapHeader(2);
  r.Bulk("type");
  r.Bulk(type);
  r.Bulk("spec");
  r.MapHeader(spec.size() + (keyword.empty() ? 0 : 1));
  if (!keyword.empty()) {
    r.Bulk("keyword");
    r.Bulk(keyword);
  }
  for (auto [name, value] : spec) {
    r.Bulk(name);
    r.Integer(value);
  }
}

void WriteKeySpec(ReplyBuilder& r, const KeySpec& k) {
  r.MapHeader(3 + (k.notes.empty() ? 0 : 1));
  OptionalField(r, "notes", k.notes);
  r.Bulk("flags");
  WriteWords(r, k.flags);
  r.Bulk("begin_search");
  const BeginSearch& b = k.begin_search;
  switch (b.type) {
    case BeginSearch::Type::kIndex:
      WriteKeySearch(r, "index", {{"index", b.index}});
      break;
    case BeginSearch::Type::kKeyword:
      WriteKeySearch(r, "keyword", {{"startfrom", b.startfrom}}, b.keyword);
      break;
    case BeginSearch::Type::kUnknown:
      WriteKeySearch(r, "unknown", {});
      break;
  }
  r.Bulk("find_keys");
  const FindKeys& f = k.find_keys;
  switch (f.type) {
    case FindKeys::Type::kRange:
      WriteKeySearch(r, "range",
                     {{"lastkey", f.lastkey}, {"keystep", f.keystep}, {"limit", f.limit}});
      break;
    case FindKeys::Type::kKeynum:
      WriteKeySearch(
          r, "keynum",
          {{"keynumidx", f.keynumidx}, {"firstkey", f.firstkey}, {"keystep", f.keystep}});
      break;
    case FindKeys::Type::kUnknown:
      WriteKeySearch(r, "unknown", {});
      break;
  }
}

// A command's COMMAND INFO entry: arity, flags, legacy key positions and ACL categories from the
// registry; tips and key specs from its row of the command table (command_args_table.cc).
void WriteInfo(ReplyBuilder& r, const CommandSpec& c) {
  const CommandDoc* doc = FindCommandDoc(c.name);
  r.ArrayHeader(10);
  r.Bulk(c.name);
  r.Integer(c.arity);
  // Keys found by a key finder (a numkeys argument...) are "movable", as Redis says.
  const uint32_t flags =
      c.flags | (c.key_finder != nullptr ? static_cast<uint32_t>(kCmdMovableKeys) : 0u);
  size_t nflags = 0;
  for (auto [bit, name] : kFlagNames)
    nflags += (flags & bit) ? 1 : 0;
  r.SetHeader(nflags);
  for (auto [bit, name] : kFlagNames) {
    if (flags & bit) r.SimpleString(name);
  }
  r.Integer(c.first_key);
  r.Integer(c.last_key);
  r.Integer(c.key_step);
  WriteWords(r, c.acl_categories);
  std::vector<std::string_view> tips = SplitWords(doc->tips);
  r.SetHeader(tips.size());
  for (std::string_view tip : tips)
    r.Bulk(tip);
  r.SetHeader(doc->key_specs.size());
  for (const KeySpec& k : doc->key_specs)
    WriteKeySpec(r, k);
  // Redis 7.0 answers an empty set, but an array of subcommands (RESP3 tells them apart).
  std::vector<const CommandSpec*> subs = SortedSubcommands(c);
  if (subs.empty()) {
    r.SetHeader(0);
  } else {
    r.ArrayHeader(subs.size());
  }
  for (const CommandSpec* s : subs)
    WriteInfo(r, *s);
}

// One argument of COMMAND DOCS: its fields in Redis 7.0's order, each only when set.
void WriteArg(ReplyBuilder& r, const CommandArg& a) {
  const bool nested = a.type == ArgType::kOneOf || a.type == ArgType::kBlock;
  const size_t nflags = (a.optional ? 1 : 0) + (a.multiple ? 1 : 0) + (a.multiple_token ? 1 : 0);
  r.MapHeader(2 + (a.key_spec_index >= 0 ? 1 : 0) + (a.token.empty() ? 0 : 1) +
              (a.since.empty() ? 0 : 1) + (a.deprecated_since.empty() ? 0 : 1) +
              (nflags > 0 ? 1 : 0) + (nested ? 1 : 0));
  r.Bulk("name");
  r.Bulk(a.name);
  r.Bulk("type");
  r.Bulk(ArgTypeName(a.type));
  if (a.key_spec_index >= 0) {
    r.Bulk("key_spec_index");
    r.Integer(a.key_spec_index);
  }
  OptionalField(r, "token", a.token);
  OptionalField(r, "since", a.since);
  OptionalField(r, "deprecated_since", a.deprecated_since);
  if (nflags > 0) {
    r.Bulk("flags");
    r.SetHeader(nflags);
    if (a.optional) r.SimpleString("optional");
    if (a.multiple) r.SimpleString("multiple");
    if (a.multiple_token) r.SimpleString("multiple_token");
  }
  if (nested) {
    r.Bulk("arguments");
    r.ArrayHeader(a.args.size());
    for (const CommandArg& sub : a.args)
      WriteArg(r, sub);
  }
}

// A command's COMMAND DOCS entry, from its documentation row (command_args_table.cc). Every
// registered command has one: the registry refuses to start otherwise.
void WriteDocs(ReplyBuilder& r, const CommandSpec& c) {
  const CommandDoc* doc = FindCommandDoc(c.name);
  std::vector<const CommandSpec*> subs = SortedSubcommands(c);
  r.MapHeader(4 + (doc->doc_flags.empty() ? 0 : 1) + (doc->deprecated_since.empty() ? 0 : 1) +
              (doc->replaced_by.empty() ? 0 : 1) + (doc->history.empty() ? 0 : 1) +
              (doc->args.empty() ? 0 : 1) + (subs.empty() ? 0 : 1));
  r.Bulk("summary");
  r.Bulk(doc->summary);
  r.Bulk("since");
  r.Bulk(doc->since);
  r.Bulk("group");
  r.Bulk(doc->group);
  r.Bulk("complexity");
  r.Bulk(doc->complexity);
  if (!doc->doc_flags.empty()) {
    r.Bulk("doc_flags");
    WriteWords(r, doc->doc_flags);
  }
  OptionalField(r, "deprecated_since", doc->deprecated_since);
  OptionalField(r, "replaced_by", doc->replaced_by);
  if (!doc->history.empty()) {
    r.Bulk("history");
    r.SetHeader(doc->history.size());
    for (const CommandHistoryEntry& h : doc->history) {
      r.ArrayHeader(2);
      r.Bulk(h.version);
      r.Bulk(h.change);
    }
  }
  if (!doc->args.empty()) {
    r.Bulk("arguments");
    r.ArrayHeader(doc->args.size());
    for (const CommandArg& a : doc->args)
      WriteArg(r, a);
  }
  if (!subs.empty()) {
    r.Bulk("subcommands");
    r.MapHeader(subs.size());
    for (const CommandSpec* sub : subs) {
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
      ctx.reply->Null();
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

// COMMAND GETKEYS <command> <args>: the keys that command would touch, with Redis's errors, in
// its order: unknown command (or container's subcommand), command without keys, wrong number of
// arguments, arguments where no key is found.
void CommandGetKeys(CommandContext& ctx) {
  std::span<const std::string_view> target = ctx.args.subspan(2);
  const CommandSpec* c = CommandRegistry::Get().Find(target[0]);
  if (c != nullptr && !c->subcommands.empty()) {
    c = target.size() > 1 ? c->FindSubcommand(target[1]) : nullptr;
  }
  if (c == nullptr) {
    ctx.reply->Error(errors::kGetKeysInvalidCommand);
    return;
  }
  // Whatever its arguments; shard channels are not keys here either (Redis's not_key).
  if (!c->routes_by_keys()) {
    ctx.reply->Error(errors::kGetKeysNoKeys);
    return;
  }
  int argc = static_cast<int>(target.size());
  if ((c->arity > 0 && argc != c->arity) || argc < -c->arity) {
    ctx.reply->Error(errors::kGetKeysWrongArity);
    return;
  }
  std::vector<int> keys;
  if (!c->FindKeys(target, &keys) || keys.empty()) {
    ctx.reply->Error(errors::kGetKeysInvalidArguments);
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
  CommandSpec& command = r.Add({.name = "command",
                                .arity = -1,
                                .flags = kFlags,
                                .handler = CommandAll,
                                .acl_categories = "@slow @connection"});
  struct Sub {
    const char* name;
    int arity;
    CommandHandler handler;
  };
  // GETKEYS takes at least 4 arguments in Redis 7.0 (so a command without arguments gets the
  // arity error).
  const Sub subs[] = {
      {"count", 2, CommandCount},      {"info", -2, CommandInfo}, {"docs", -2, CommandDocs},
      {"getkeys", -4, CommandGetKeys}, {"list", -2, CommandList}, {"help", 2, CommandHelp},
  };
  for (const Sub& s : subs) {
    r.AddSubcommand(command, {.name = s.name,
                              .arity = s.arity,
                              .flags = kFlags,
                              .handler = s.handler,
                              .acl_categories = "@slow @connection"});
  }
}

}  // namespace redwing
