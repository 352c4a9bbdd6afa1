#include "server/commands/command_args.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "server/command_registry.h"

namespace redwing {
namespace {

std::vector<CommandArg> Parse(std::string_view grammar) {
  std::vector<CommandArg> args;
  std::string error;
  EXPECT_TRUE(ParseArgGrammar(grammar, &args, &error)) << error;
  return args;
}

std::string ParseError(std::string_view grammar) {
  std::vector<CommandArg> args;
  std::string error;
  EXPECT_FALSE(ParseArgGrammar(grammar, &args, &error)) << grammar;
  return error;
}

// Every command and subcommand the registry holds, by name.
std::vector<const CommandSpec*> RegisteredCommands() {
  std::vector<const CommandSpec*> out;
  for (const CommandSpec* c : CommandRegistry::Get().all()) {
    out.push_back(c);
    for (const auto& [name, sub] : c->subcommands)
      out.push_back(sub.get());
  }
  return out;
}

// A version as Redis writes them: "7.0.0".
bool IsVersion(std::string_view v) {
  int dots = 0;
  bool digit_before = false;
  for (char ch : v) {
    if (ch == '.') {
      if (!digit_before) return false;
      ++dots;
      digit_before = false;
    } else if (ch >= '0' && ch <= '9') {
      digit_before = true;
    } else {
      return false;
    }
  }
  return dots == 2 && digit_before;
}

// A command added to the registry must get its COMMAND DOCS row (command_args_table.cc): it is
// the only place its documentation lives (the registry also refuses to start without it).
TEST(CommandDocsTable, EveryRegisteredCommandHasARow) {
  // Redis 7.0's command groups.
  const std::set<std::string_view> groups = {
      "bitmap",      "cluster",    "connection", "generic",   "geo",         "hash",
      "hyperloglog", "list",       "pubsub",     "scripting", "sentinel",    "server",
      "set",         "sorted-set", "stream",     "string",    "transactions"};
  for (const CommandSpec* c : RegisteredCommands()) {
    const CommandDoc* doc = FindCommandDoc(c->name);
    ASSERT_NE(doc, nullptr) << c->name << " has no row in command_args_table.cc";
    EXPECT_FALSE(doc->summary.empty()) << c->name;
    EXPECT_TRUE(IsVersion(doc->since)) << c->name << ": since " << doc->since;
    EXPECT_TRUE(groups.count(doc->group) > 0) << c->name << ": group " << doc->group;
    EXPECT_FALSE(doc->complexity.empty()) << c->name;
    for (const CommandHistoryEntry& h : doc->history)
      EXPECT_TRUE(IsVersion(h.version)) << c->name << ": history " << h.version;
    // Only containers and commands that take no argument may have an empty grammar (and
    // COMMAND GETKEYS, which Redis 7.0 documents without arguments).
    const int base = c->name.find('|') == std::string::npos ? 1 : 2;
    if ((c->arity < -base || c->arity > base) && c->subcommands.empty() &&
        c->name != "command|getkeys") {
      EXPECT_FALSE(doc->args.empty()) << c->name << " takes arguments but documents none";
    }
  }
}

TEST(CommandDocsTable, EveryRowIsARegisteredCommand) {
  std::set<std::string_view> registered;
  for (const CommandSpec* c : RegisteredCommands())
    registered.insert(c->name);
  std::set<std::string_view> seen;
  for (const CommandDoc& doc : AllCommandDocs()) {
    EXPECT_TRUE(registered.count(doc.name) > 0) << doc.name << " is documented, not registered";
    EXPECT_TRUE(seen.insert(doc.name).second) << doc.name << " has two rows";
    EXPECT_EQ(doc.deprecated_since.empty(), doc.doc_flags.find("deprecated") == std::string::npos)
        << doc.name;
  }
}

TEST(CommandDocsTable, KeysHaveKeySpecsAndTheRestDoNot) {
  for (const CommandDoc& doc : AllCommandDocs()) {
    std::vector<const std::vector<CommandArg>*> todo = {&doc.args};
    while (!todo.empty()) {
      const std::vector<CommandArg>* args = todo.back();
      todo.pop_back();
      for (const CommandArg& a : *args) {
        // Keys name a key spec; so may patterns that name keys (SORT's BY and GET, as Redis).
        if (a.type == ArgType::kKey) {
          EXPECT_GE(a.key_spec_index, 0) << doc.name << " " << a.name;
        } else if (a.type != ArgType::kPattern) {
          EXPECT_LT(a.key_spec_index, 0) << doc.name << " " << a.name;
        }
        todo.push_back(&a.args);
      }
    }
  }
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t pos = 0; pos < s.size();) {
    size_t end = std::min(s.find(' ', pos), s.size());
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// The argument indexes `specs` name as keys in an invocation of `argc` arguments (Redis 7's key
// spec semantics; only the kinds the table uses so far).
std::vector<int> KeysFromSpecs(const std::vector<KeySpec>& specs, int argc) {
  std::vector<int> keys;
  for (const KeySpec& k : specs) {
    if (k.begin_search.type != BeginSearch::Type::kIndex ||
        k.find_keys.type != FindKeys::Type::kRange) {
      ADD_FAILURE() << "teach KeysFromSpecs this kind of key spec";
      continue;
    }
    const int first = k.begin_search.index;
    const FindKeys& f = k.find_keys;
    int last = f.lastkey >= 0 ? first + f.lastkey : argc + f.lastkey;
    if (f.lastkey < 0 && f.limit > 1) last = first + (argc - first) / f.limit - 1;
    for (int i = first; i <= last && i < argc; i += f.keystep)
      keys.push_back(i);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

// COMMAND INFO prints a command's key specs from the table and its legacy key positions from the
// registry, which also routes it: both must name the same arguments, for any argument count.
TEST(CommandDocsTable, KeySpecsNameTheKeysTheRegistryRoutes) {
  for (const CommandSpec* c : RegisteredCommands()) {
    const CommandDoc* doc = FindCommandDoc(c->name);
    ASSERT_NE(doc, nullptr) << c->name;
    EXPECT_EQ(c->has_keys(), !doc->key_specs.empty()) << c->name;
    // Numkeys forms need real arguments: COMMAND GETKEYS covers them against redis-server.
    if (!c->has_keys() || c->key_finder != nullptr) continue;
    const int min_argc = std::abs(c->arity);
    for (int argc = min_argc; argc <= (c->arity < 0 ? min_argc + 5 : min_argc); ++argc) {
      std::vector<std::string> storage(static_cast<size_t>(argc), "x");
      std::vector<std::string_view> args(storage.begin(), storage.end());
      std::vector<int> routed;
      ASSERT_TRUE(c->FindKeys(args, &routed)) << c->name;
      std::sort(routed.begin(), routed.end());
      EXPECT_EQ(KeysFromSpecs(doc->key_specs, argc), routed) << c->name << " argc " << argc;
    }
  }
}

TEST(CommandDocsTable, KeySpecFlagsAndTipsAreRedisWords) {
  // Key spec flags in the order Redis prints them: one access kind, then the operations, then
  // the qualifiers.
  const std::vector<std::string_view> flag_order = {
      "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"};
  const std::set<std::string_view> kinds = {"RW", "RO", "OW", "RM"};
  for (const CommandDoc& doc : AllCommandDocs()) {
    for (const KeySpec& k : doc.key_specs) {
      std::vector<std::string_view> words = Words(k.flags);
      ASSERT_FALSE(words.empty()) << doc.name;
      // Shard channels are "keys" without an access kind (Redis prints only not_key).
      if (words.size() == 1 && words[0] == "not_key") continue;
      EXPECT_TRUE(kinds.count(words[0]) > 0) << doc.name << ": " << k.flags;
      size_t at = 0;
      for (size_t i = 1; i < words.size(); ++i) {
        auto it = std::find(flag_order.begin() + static_cast<long>(at), flag_order.end(), words[i]);
        EXPECT_NE(it, flag_order.end())
            << doc.name << ": " << k.flags << " (unknown or out of order)";
        if (it != flag_order.end()) at = static_cast<size_t>(it - flag_order.begin()) + 1;
      }
    }
    for (std::string_view tip : Words(doc.tips)) {
      EXPECT_TRUE(tip == "nondeterministic_output" || tip == "nondeterministic_output_order" ||
                  tip.starts_with("request_policy:") || tip.starts_with("response_policy:"))
          << doc.name << ": " << tip;
    }
    // A key argument names one of the command's key specs.
    std::vector<const std::vector<CommandArg>*> todo = {&doc.args};
    while (!todo.empty()) {
      const std::vector<CommandArg>* args = todo.back();
      todo.pop_back();
      for (const CommandArg& a : *args) {
        EXPECT_LT(a.key_spec_index, static_cast<int>(doc.key_specs.size()))
            << doc.name << " " << a.name;
        todo.push_back(&a.args);
      }
    }
  }
}

TEST(ArgGrammar, LeavesTokensAndSuffixes) {
  std::vector<CommandArg> a = Parse(
      "key:key newkey:key#1 value [MATCH pattern:pattern]@6.0.0 ip:port@deprecated:2.8.12 "
      "[count:integer]... [GET pattern]...+ [NX] len=LEN 'lib-name' libname");
  ASSERT_EQ(a.size(), 10u);
  EXPECT_EQ(a[0].name, "key");
  EXPECT_EQ(a[0].type, ArgType::kKey);
  EXPECT_EQ(a[0].key_spec_index, 0);
  EXPECT_EQ(a[1].key_spec_index, 1);
  EXPECT_EQ(a[2].type, ArgType::kString);
  EXPECT_EQ(a[2].key_spec_index, -1);
  EXPECT_EQ(a[3].name, "pattern");
  EXPECT_EQ(a[3].type, ArgType::kPattern);
  EXPECT_EQ(a[3].token, "MATCH");
  EXPECT_EQ(a[3].since, "6.0.0");
  EXPECT_TRUE(a[3].optional);
  EXPECT_FALSE(a[3].multiple);
  EXPECT_EQ(a[4].name, "ip:port");
  EXPECT_EQ(a[4].type, ArgType::kString);
  EXPECT_EQ(a[4].deprecated_since, "2.8.12");
  EXPECT_EQ(a[4].since, "");
  EXPECT_TRUE(a[5].optional && a[5].multiple && !a[5].multiple_token);
  EXPECT_EQ(a[5].type, ArgType::kInteger);
  EXPECT_TRUE(a[6].multiple && a[6].multiple_token);
  EXPECT_EQ(a[7].type, ArgType::kPureToken);
  EXPECT_EQ(a[7].name, "nx");
  EXPECT_EQ(a[7].token, "NX");
  EXPECT_EQ(a[8].type, ArgType::kPureToken);
  EXPECT_EQ(a[8].name, "len");
  EXPECT_EQ(a[8].token, "LEN");
  EXPECT_EQ(a[9].type, ArgType::kString);
  EXPECT_EQ(a[9].name, "libname");
  EXPECT_EQ(a[9].token, "lib-name");
}

TEST(ArgGrammar, OneOfAndBlocks) {
  std::vector<CommandArg> a = Parse(
      "[condition:(NX | XX@6.2.0)]@2.6.12 [ID id:{client-id:integer...}] "
      "kv:{key:key value}... [expiration:(EX seconds:integer | KEEPTTL)]");
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].type, ArgType::kOneOf);
  EXPECT_EQ(a[0].name, "condition");
  EXPECT_EQ(a[0].since, "2.6.12");
  ASSERT_EQ(a[0].args.size(), 2u);
  EXPECT_EQ(a[0].args[1].token, "XX");
  EXPECT_EQ(a[0].args[1].since, "6.2.0");
  EXPECT_EQ(a[1].type, ArgType::kBlock);
  EXPECT_EQ(a[1].token, "ID");
  ASSERT_EQ(a[1].args.size(), 1u);
  EXPECT_TRUE(a[1].args[0].multiple);
  EXPECT_TRUE(a[2].multiple);
  ASSERT_EQ(a[2].args.size(), 2u);
  EXPECT_EQ(a[2].args[0].type, ArgType::kKey);
  ASSERT_EQ(a[3].args.size(), 2u);
  EXPECT_EQ(a[3].args[0].token, "EX");
  EXPECT_EQ(a[3].args[0].type, ArgType::kInteger);
  EXPECT_EQ(a[3].args[1].type, ArgType::kPureToken);
  EXPECT_TRUE(Parse("").empty());
}

TEST(ArgGrammar, MalformedGrammarsAreRejected) {
  EXPECT_NE(ParseError("[key:key"), "");
  EXPECT_NE(ParseError("key:key]"), "");
  EXPECT_NE(ParseError("c:(NX | XX"), "");
  EXPECT_NE(ParseError("b:{}"), "");
  EXPECT_NE(ParseError("key@"), "");
  EXPECT_NE(ParseError("key:key#x"), "");
  EXPECT_NE(ParseError("len="), "");
  EXPECT_NE(ParseError("MATCH TOKEN=x"), "");
  EXPECT_NE(ParseError("'unterminated").find("offset"), std::string::npos);
}

}  // namespace
}  // namespace redwing
