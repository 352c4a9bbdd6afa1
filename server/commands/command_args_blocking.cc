// COMMAND DOCS / COMMAND INFO rows of the blocking list and sorted-set commands (see
// command_args.h for the grammar).

#include "server/commands/command_args.h"

namespace redwing {
namespace {

constexpr std::string_view kDoubleTimeout =
    "`timeout` is interpreted as a double instead of an integer.";

// BLPOP-style: key [key ...] timeout, every key read and emptied.
CommandDoc PopAnyKey(std::string_view name, std::string_view summary, std::string_view since,
                     std::string_view group, std::string_view complexity) {
  return {.name = name,
          .grammar = "key:key... timeout:double",
          .summary = summary,
          .since = since,
          .group = group,
          .complexity = complexity,
          .history = {{"6.0.0", kDoubleTimeout}},
          .key_specs = {{.flags = "RW access delete",
                         .begin_search = AtIndex(1),
                         .find_keys = KeyRange(-2, 1, 0)}}};
}

// BLMPOP-style: timeout numkeys key [key ...] <where> [COUNT count].
CommandDoc MultiPop(std::string_view name, std::string_view where, std::string_view summary,
                    std::string_view group, std::string_view complexity) {
  return {
      .name = name,
      .grammar = where,
      .summary = summary,
      .since = "7.0.0",
      .group = group,
      .complexity = complexity,
      .key_specs = {
          {.flags = "RW access delete", .begin_search = AtIndex(2), .find_keys = KeyNum(0, 1, 1)}}};
}

// BLMOVE-style: source then destination.
std::vector<KeySpec> SourceAndDestination() {
  return {{.flags = "RW access delete", .begin_search = AtIndex(1), .find_keys = KeyRange(0, 1, 0)},
          {.flags = "RW insert", .begin_search = AtIndex(2), .find_keys = KeyRange(0, 1, 0)}};
}

}  // namespace

void AppendBlockingCommandDocs(std::vector<CommandDoc>* rows) {
  constexpr std::string_view kKeysComplexity = "O(N) where N is the number of provided keys.";
  rows->push_back(PopAnyKey(
      "blpop", "Remove and get the first element in a list, or block until one is available",
      "2.0.0", "list", kKeysComplexity));
  rows->push_back(PopAnyKey(
      "brpop", "Remove and get the last element in a list, or block until one is available",
      "2.0.0", "list", kKeysComplexity));
  rows->push_back({.name = "blmove",
                   .grammar = "source:key destination:key#1 wherefrom:(LEFT | RIGHT) "
                              "whereto:(LEFT | RIGHT) timeout:double",
                   .summary = "Pop an element from a list, push it to another list and return it; "
                              "or block until one is available",
                   .since = "6.2.0",
                   .group = "list",
                   .complexity = "O(1)",
                   .key_specs = SourceAndDestination()});
  rows->push_back({.name = "brpoplpush",
                   .grammar = "source:key destination:key#1 timeout:double",
                   .summary = "Pop an element from a list, push it to another list and return it; "
                              "or block until one is available",
                   .since = "2.2.0",
                   .group = "list",
                   .complexity = "O(1)",
                   .doc_flags = "deprecated",
                   .deprecated_since = "6.2.0",
                   .replaced_by = "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
                   .history = {{"6.0.0", kDoubleTimeout}},
                   .key_specs = SourceAndDestination()});
  rows->push_back(MultiPop("blmpop",
                           "timeout:double numkeys:integer key:key... where:(LEFT | RIGHT) "
                           "[COUNT count:integer]",
                           "Pop elements from a list, or block until one is available", "list",
                           "O(N+M) where N is the number of provided keys and M is the number of "
                           "elements returned."));
  constexpr std::string_view kPopComplexity =
      "O(log(N)) with N being the number of elements in the sorted set.";
  rows->push_back(PopAnyKey("bzpopmin",
                            "Remove and return the member with the lowest score from one or more "
                            "sorted sets, or block until one is available",
                            "5.0.0", "sorted-set", kPopComplexity));
  rows->push_back(PopAnyKey("bzpopmax",
                            "Remove and return the member with the highest score from one or more "
                            "sorted sets, or block until one is available",
                            "5.0.0", "sorted-set", kPopComplexity));
  rows->push_back(MultiPop(
      "bzmpop", "timeout:double numkeys:integer key:key... where:(MIN | MAX) [COUNT count:integer]",
      "Remove and return members with scores in a sorted set or block until one is available",
      "sorted-set",
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
      "in the sorted set, and M being the number of elements popped."));
}

}  // namespace redwing
