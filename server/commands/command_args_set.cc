// COMMAND DOCS / COMMAND INFO rows of the set commands (see command_args.h for the grammar), as
// redis-server 7.0 prints them.

#include "server/commands/command_args.h"

namespace redwing {
namespace {

constexpr std::string_view kInterComplexity =
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
    "sets.";
constexpr std::string_view kUnionComplexity =
    "O(N) where N is the total number of elements in all given sets.";

// The key specs of a STORE form: the destination (with its flags), then the source keys.
std::vector<KeySpec> StoreKeySpecs(std::string_view dst_flags) {
  return {{.flags = dst_flags, .begin_search = AtIndex(1), .find_keys = KeyRange(0, 1, 0)},
          {.flags = "RO access", .begin_search = AtIndex(2), .find_keys = KeyRange(-1, 1, 0)}};
}

std::vector<KeySpec> OneKey(std::string_view flags) {
  return {{.flags = flags, .begin_search = AtIndex(1), .find_keys = KeyRange(0, 1, 0)}};
}

std::vector<KeySpec> AllKeys() {
  return {{.flags = "RO access", .begin_search = AtIndex(1), .find_keys = KeyRange(-1, 1, 0)}};
}

}  // namespace

void AppendSetCommandDocs(std::vector<CommandDoc>* rows) {
  std::vector<CommandDoc> set = {
      {.name = "sadd",
       .grammar = "key:key member...",
       .summary = "Add one or more members to a set",
       .since = "1.0.0",
       .group = "set",
       .complexity = "O(1) for each element added, so O(N) to add N elements when the command is "
                     "called with multiple arguments.",
       .history = {{"2.4.0", "Accepts multiple `member` arguments."}},
       .key_specs = OneKey("RW insert")},
      {.name = "srem",
       .grammar = "key:key member...",
       .summary = "Remove one or more members from a set",
       .since = "1.0.0",
       .group = "set",
       .complexity = "O(N) where N is the number of members to be removed.",
       .history = {{"2.4.0", "Accepts multiple `member` arguments."}},
       .key_specs = OneKey("RW delete")},
      {.name = "smembers",
       .grammar = "key:key",
       .summary = "Get all the members in a set",
       .since = "1.0.0",
       .group = "set",
       .complexity = "O(N) where N is the set cardinality.",
       .tips = "nondeterministic_output_order",
       .key_specs = OneKey("RO access")},
      {.name = "sismember",
       .grammar = "key:key member",
       .summary = "Determine if a given value is a member of a set",
       .since = "1.0.0",
       .group = "set",
       .complexity = "O(1)",
       .key_specs = OneKey("RO")},
      {.name = "smismember",
       .grammar = "key:key member...",
       .summary = "Returns the membership associated with the given elements for a set",
       .since = "6.2.0",
       .group = "set",
       .complexity = "O(N) where N is the number of elements being checked for membership",
       .key_specs = OneKey("RO access")},
      {.name = "scard",
       .grammar = "key:key",
       .summary = "Get the number of members in a set",
       .since = "1.0.0",
       .group = "set",
       .complexity = "O(1)",
       .key_specs = OneKey("RO")},
      {.name = "spop",
       .grammar = "key:key [count:integer]@3.2.0",
       .summary = "Remove and return one or multiple random members from a set",
       .since = "1.0.0",
       .group = "set",
       .complexity = "Without the count argument O(1), otherwise O(N) where N is the value of the "
                     "passed count.",
       .history = {{"3.2.0", "Added the `count` argument."}},
       .tips = "nondeterministic_output",
       .key_specs = OneKey("RW access delete")},
      {.name = "srandmember",
       .grammar = "key:key [count:integer]@2.6.0",
       .summary = "Get one or multiple random members from a set",
       .since = "1.0.0",
       .group = "set",
       .complexity = "Without the count argument O(1), otherwise O(N) where N is the absolute "
                     "value of the passed count.",
       .history = {{"2.6.0", "Added the optional `count` argument."}},
       .tips = "nondeterministic_output",
       .key_specs = OneKey("RO access")},
      {.name = "smove",
       .grammar = "source:key destination:key#1 member",
       .summary = "Move a member from one set to another",
       .since = "1.0.0",
       .group = "set",
       .complexity = "O(1)",
       .key_specs = {{.flags = "RW access delete",
                      .begin_search = AtIndex(1),
                      .find_keys = KeyRange(0, 1, 0)},
                     {.flags = "RW insert",
                      .begin_search = AtIndex(2),
                      .find_keys = KeyRange(0, 1, 0)}}},
      {.name = "sinter",
       .grammar = "key:key...",
       .summary = "Intersect multiple sets",
       .since = "1.0.0",
       .group = "set",
       .complexity = kInterComplexity,
       .tips = "nondeterministic_output_order",
       .key_specs = AllKeys()},
      {.name = "sintercard",
       .grammar = "numkeys:integer key:key... [LIMIT limit:integer]",
       .summary = "Intersect multiple sets and return the cardinality of the result",
       .since = "7.0.0",
       .group = "set",
       .complexity = kInterComplexity,
       .key_specs = {{.flags = "RO access",
                      .begin_search = AtIndex(1),
                      .find_keys = KeyNum(0, 1, 1)}}},
      {.name = "sinterstore",
       .grammar = "destination:key key:key#1...",
       .summary = "Intersect multiple sets and store the resulting set in a key",
       .since = "1.0.0",
       .group = "set",
       .complexity = kInterComplexity,
       .key_specs = StoreKeySpecs("RW update")},
      {.name = "sunion",
       .grammar = "key:key...",
       .summary = "Add multiple sets",
       .since = "1.0.0",
       .group = "set",
       .complexity = kUnionComplexity,
       .tips = "nondeterministic_output_order",
       .key_specs = AllKeys()},
      {.name = "sunionstore",
       .grammar = "destination:key key:key#1...",
       .summary = "Add multiple sets and store the resulting set in a key",
       .since = "1.0.0",
       .group = "set",
       .complexity = kUnionComplexity,
       .key_specs = StoreKeySpecs("OW update")},
      {.name = "sdiff",
       .grammar = "key:key...",
       .summary = "Subtract multiple sets",
       .since = "1.0.0",
       .group = "set",
       .complexity = kUnionComplexity,
       .tips = "nondeterministic_output_order",
       .key_specs = AllKeys()},
      {.name = "sdiffstore",
       .grammar = "destination:key key:key#1...",
       .summary = "Subtract multiple sets and store the resulting set in a key",
       .since = "1.0.0",
       .group = "set",
       .complexity = kUnionComplexity,
       .key_specs = StoreKeySpecs("OW update")},
      {.name = "sscan",
       .grammar = "key:key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]",
       .summary = "Incrementally iterate Set elements",
       .since = "2.8.0",
       .group = "set",
       .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                     "command calls for the cursor to return back to 0. N is the number of "
                     "elements inside the collection..",
       .tips = "nondeterministic_output",
       .key_specs = OneKey("RO access")},
  };
  for (CommandDoc& d : set)
    rows->push_back(std::move(d));
}

}  // namespace redwing
