// COMMAND DOCS / COMMAND INFO rows of the list commands (see command_args.h for the grammar).

#include "server/commands/command_args.h"

namespace redwing {
namespace {

constexpr std::string_view kPushComplexity =
    "O(1) for each element added, so O(N) to add N elements when the command is called with "
    "multiple arguments.";

// The key spec of a command whose only key is argument 1.
KeySpec OneKey(std::string_view flags) {
  return {.flags = flags, .begin_search = AtIndex(1), .find_keys = KeyRange(0, 1, 0)};
}

// LMOVE and RPOPLPUSH: the source, then the destination.
std::vector<KeySpec> SourceAndDestination() {
  return {OneKey("RW access delete"),
          {.flags = "RW insert", .begin_search = AtIndex(2), .find_keys = KeyRange(0, 1, 0)}};
}

}  // namespace

void AppendListCommandDocs(std::vector<CommandDoc>* rows) {
  rows->push_back({.name = "lindex",
                   .grammar = "key:key index:integer",
                   .summary = "Get an element from a list by its index",
                   .since = "1.0.0",
                   .group = "list",
                   .complexity = "O(N) where N is the number of elements to traverse to get to the "
                                 "element at index. This makes asking for the first or the last "
                                 "element of the list O(1).",
                   .key_specs = {OneKey("RO access")}});
  rows->push_back(
      {.name = "linsert",
       .grammar = "key:key where:(BEFORE | AFTER) pivot element",
       .summary = "Insert an element before or after another element in a list",
       .since = "2.2.0",
       .group = "list",
       .complexity =
           "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
           "means that inserting somewhere on the left end on the list (head) can be considered "
           "O(1) and inserting somewhere on the right end (tail) is O(N).",
       .key_specs = {OneKey("RW insert")}});
  rows->push_back({.name = "llen",
                   .grammar = "key:key",
                   .summary = "Get the length of a list",
                   .since = "1.0.0",
                   .group = "list",
                   .complexity = "O(1)",
                   .key_specs = {OneKey("RO")}});
  rows->push_back({.name = "lmove",
                   .grammar = "source:key destination:key#1 wherefrom:(LEFT | RIGHT) "
                              "whereto:(LEFT | RIGHT)",
                   .summary = "Pop an element from a list, push it to another list and return it",
                   .since = "6.2.0",
                   .group = "list",
                   .complexity = "O(1)",
                   .key_specs = SourceAndDestination()});
  rows->push_back(
      {.name = "lmpop",
       .grammar = "numkeys:integer key:key... where:(LEFT | RIGHT) [COUNT count:integer]",
       .summary = "Pop elements from a list",
       .since = "7.0.0",
       .group = "list",
       .complexity = "O(N+M) where N is the number of provided keys and M is the number of "
                     "elements returned.",
       .key_specs = {{.flags = "RW access delete",
                      .begin_search = AtIndex(1),
                      .find_keys = KeyNum(0, 1, 1)}}});
  for (std::string_view name : {"lpop", "rpop"}) {
    rows->push_back({.name = name,
                     .grammar = "key:key [count:integer]@6.2.0",
                     .summary = name == "lpop" ? "Remove and get the first elements in a list"
                                               : "Remove and get the last elements in a list",
                     .since = "1.0.0",
                     .group = "list",
                     .complexity = "O(N) where N is the number of elements returned",
                     .history = {{"6.2.0", "Added the `count` argument."}},
                     .key_specs = {OneKey("RW access delete")}});
  }
  rows->push_back(
      {.name = "lpos",
       .grammar = "key:key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN "
                  "len:integer]",
       .summary = "Return the index of matching elements on a list",
       .since = "6.0.6",
       .group = "list",
       .complexity =
           "O(N) where N is the number of elements in the list, for the average case. When "
           "searching for elements near the head or the tail of the list, or when the MAXLEN "
           "option is provided, the command may run in constant time.",
       .key_specs = {OneKey("RO access")}});
  struct Push {
    std::string_view name, summary, since, multiple_since;
  };
  for (const Push& p : {
           Push{"lpush", "Prepend one or multiple elements to a list", "1.0.0", "2.4.0"},
           Push{"lpushx", "Prepend an element to a list, only if the list exists", "2.2.0",
                "4.0.0"},
           Push{"rpush", "Append one or multiple elements to a list", "1.0.0", "2.4.0"},
           Push{"rpushx", "Append an element to a list, only if the list exists", "2.2.0", "4.0.0"},
       }) {
    rows->push_back({.name = p.name,
                     .grammar = "key:key element...",
                     .summary = p.summary,
                     .since = p.since,
                     .group = "list",
                     .complexity = kPushComplexity,
                     .history = {{p.multiple_since, "Accepts multiple `element` arguments."}},
                     .key_specs = {OneKey("RW insert")}});
  }
  rows->push_back({.name = "lrange",
                   .grammar = "key:key start:integer stop:integer",
                   .summary = "Get a range of elements from a list",
                   .since = "1.0.0",
                   .group = "list",
                   .complexity = "O(S+N) where S is the distance of start offset from HEAD for "
                                 "small lists, from nearest end (HEAD or TAIL) for large lists; "
                                 "and N is the number of elements in the specified range.",
                   .key_specs = {OneKey("RO access")}});
  rows->push_back({.name = "lrem",
                   .grammar = "key:key count:integer element",
                   .summary = "Remove elements from a list",
                   .since = "1.0.0",
                   .group = "list",
                   .complexity = "O(N+M) where N is the length of the list and M is the number of "
                                 "elements removed.",
                   .key_specs = {OneKey("RW delete")}});
  rows->push_back({.name = "lset",
                   .grammar = "key:key index:integer element",
                   .summary = "Set the value of an element in a list by its index",
                   .since = "1.0.0",
                   .group = "list",
                   .complexity = "O(N) where N is the length of the list. Setting either the first "
                                 "or the last element of the list is O(1).",
                   .key_specs = {OneKey("RW update")}});
  rows->push_back({.name = "ltrim",
                   .grammar = "key:key start:integer stop:integer",
                   .summary = "Trim a list to the specified range",
                   .since = "1.0.0",
                   .group = "list",
                   .complexity = "O(N) where N is the number of elements to be removed by the "
                                 "operation.",
                   .key_specs = {OneKey("RW delete")}});
  rows->push_back(
      {.name = "rpoplpush",
       .grammar = "source:key destination:key#1",
       .summary = "Remove the last element in a list, prepend it to another list and return it",
       .since = "1.2.0",
       .group = "list",
       .complexity = "O(1)",
       .doc_flags = "deprecated",
       .deprecated_since = "6.2.0",
       .replaced_by = "`LMOVE` with the `RIGHT` and `LEFT` arguments",
       .key_specs = SourceAndDestination()});
}

}  // namespace redwing
