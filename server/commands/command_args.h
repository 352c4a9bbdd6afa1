#pragma once

// What COMMAND DOCS prints for each command, and the parts of COMMAND INFO that describe rather
// than run it, as data: one table row per command or subcommand (summary, version, group,
// complexity, history, deprecation; tips and key specs) with its arguments written in a small
// grammar, parsed once into Redis 7.0's argument tree (what redis-cli's interactive hints read).
// The registry (server/command_registry.h) keeps what the server itself acts on: arity, flags,
// key positions.
//
// Argument grammar (one string per command; arguments separated by blanks):
//   name              a string argument; `name:TYPE` gives another leaf type: key, integer,
//                     double, pattern, unix-time (or string). Names are lower case and may hold
//                     ':' or '/' ("ip:port", "yes/no"): the part after the last ':' is a type
//                     only if it names one.
//   name:key#N        a key whose key spec is the command's Nth (default 0)
//   TOKEN             a pure token (name: the token in lower case); a word with no lower-case
//                     letter is a token, or any text in single quotes ('lib-name')
//   name=TOKEN        a pure token with another name (never binds to what follows)
//   TOKEN arg         a token introducing the argument after it (a leaf, a oneof or a block)
//   name:(a | b | c)  one of the alternatives          name:{a b c}   a block (all, in order)
//   [arg]             optional
// followed by any of the suffixes
//   ...               may repeat ("multiple");  ...+  the token repeats too ("multiple_token")
//   @7.0.0            the version that added the argument
//   @deprecated:2.8.12  the version that deprecated it
// Example (SET): key:key value [condition:(NX | XX)]@2.6.12 [GET]@6.2.0 [...]
//
// Thread-safety: the table is built and parsed on first use (start-up, when the CommandRegistry
// checks that every command has a row) and read-only afterwards; any thread may read it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redwing {

enum class ArgType {
  kString,
  kInteger,
  kDouble,
  kKey,
  kPattern,
  kUnixTime,
  kPureToken,
  kOneOf,
  kBlock
};

// The type's name as COMMAND DOCS prints it ("pure-token", "unix-time", ...).
std::string_view ArgTypeName(ArgType type);

// One node of a command's argument tree.
struct CommandArg {
  std::string name;
  ArgType type = ArgType::kString;
  int key_spec_index = -1;  // keys only: index into the command's key specs
  std::string token;        // empty: none
  std::string since;        // empty: since the command itself
  std::string deprecated_since;
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;
  std::vector<CommandArg> args;  // oneof / block: the alternatives / the parts
};

struct CommandHistoryEntry {
  std::string_view version;
  std::string_view change;
};

// Where a key spec's keys start (COMMAND INFO's "begin_search").
struct BeginSearch {
  enum class Type : uint8_t { kIndex, kKeyword, kUnknown };
  Type type = Type::kUnknown;
  int index = 0;             // kIndex: the argument index of the first key
  std::string_view keyword;  // kKeyword: the keys follow this token...
  int startfrom = 0;         // ...searched for from this index (negative: from the end, backwards)
};

// Which arguments, from where the search began, are the keys (COMMAND INFO's "find_keys").
struct FindKeys {
  enum class Type : uint8_t { kRange, kKeynum, kUnknown };
  Type type = Type::kUnknown;
  int lastkey = 0;    // kRange: the last key, relative to the first (negative: from the end)
  int keystep = 1;    // kRange and kKeynum: the distance between keys
  int limit = 0;      // kRange with lastkey -1: only 1/limit of the remaining arguments (0, 1: all)
  int keynumidx = 0;  // kKeynum: the argument holding the number of keys, relative to the start
  int firstkey = 0;   // kKeynum: the first key, relative to the start
};

constexpr BeginSearch AtIndex(int index) {
  return {.type = BeginSearch::Type::kIndex, .index = index};
}
constexpr BeginSearch AfterKeyword(std::string_view keyword, int startfrom) {
  return {.type = BeginSearch::Type::kKeyword, .keyword = keyword, .startfrom = startfrom};
}
constexpr FindKeys KeyRange(int lastkey, int keystep, int limit) {
  return {.type = FindKeys::Type::kRange, .lastkey = lastkey, .keystep = keystep, .limit = limit};
}
constexpr FindKeys KeyNum(int keynumidx, int firstkey, int keystep) {
  return {.type = FindKeys::Type::kKeynum,
          .keystep = keystep,
          .keynumidx = keynumidx,
          .firstkey = firstkey};
}

// One of a command's key specs, as Redis 7 describes where its keys are and what it does with
// them. A key argument's `key:key#N` in the grammar names the Nth spec.
struct KeySpec {
  std::string_view notes;  // printed only when set
  // Blank-separated, in Redis's order: one of RW/RO/OW/RM, then access/update/insert/delete,
  // then e.g. incomplete, variable_flags.
  std::string_view flags;
  BeginSearch begin_search;
  FindKeys find_keys;
};

// One row of the table: a command ("set") or a subcommand ("config|get").
struct CommandDoc {
  std::string_view name;
  std::string_view grammar;  // the arguments, in the grammar above
  std::string_view summary;
  std::string_view since;
  std::string_view group;
  std::string_view complexity;
  std::string_view doc_flags;  // blank-separated: "deprecated", "syscmd"
  std::string_view deprecated_since;
  std::string_view replaced_by;
  std::vector<CommandHistoryEntry> history;
  // COMMAND INFO: the tips (blank-separated, in Redis's order) and the key specs.
  std::string_view tips;
  std::vector<KeySpec> key_specs;
  std::vector<CommandArg> args;  // parsed from `grammar` when the table is built
};

// Parses an argument grammar into `out`. Returns false and sets `error` (with the offset) if it
// is malformed.
bool ParseArgGrammar(std::string_view grammar, std::vector<CommandArg>* out, std::string* error);

// The row for `name` (lower case, "config|get" for a subcommand), or nullptr. The first call
// builds the table and aborts the process if a row's grammar is malformed (a programming error
// that the unit tests catch).
const CommandDoc* FindCommandDoc(std::string_view name);
// Every row, in table order.
const std::vector<CommandDoc>& AllCommandDocs();

// The rows as written (grammar not yet parsed): defined in command_args_table.cc, which appends
// the rows of the data-type families, each kept in its own file (command_args_<family>.cc).
std::vector<CommandDoc> CommandDocRows();
void AppendHashCommandDocs(std::vector<CommandDoc>* rows);
void AppendListCommandDocs(std::vector<CommandDoc>* rows);
void AppendSetCommandDocs(std::vector<CommandDoc>* rows);
void AppendSortedSetCommandDocs(std::vector<CommandDoc>* rows);
void AppendBlockingCommandDocs(std::vector<CommandDoc>* rows);
void AppendSortCommandDocs(std::vector<CommandDoc>* rows);
void AppendPubSubCommandDocs(std::vector<CommandDoc>* rows);

}  // namespace redwing
