// COMMAND DOCS / COMMAND INFO rows of SORT and SORT_RO (see command_args.h for the grammar).
//
// Their BY and GET patterns carry a key spec index (the spec of the keys the patterns name),
// which the grammar gives only to key arguments: the rows are parsed here and the pattern
// arguments given their index, leaving the row's grammar empty.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/commands/command_args.h"

namespace redwing {
namespace {

constexpr std::string_view kSortComplexity =
    "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
    "number of returned elements. When the elements are not sorted, complexity is O(N).";

constexpr std::string_view kSortArgs =
    "key:key [BY pattern:pattern] [LIMIT offset_count:{offset:integer count:integer}] "
    "[GET pattern:pattern...+] [order:(ASC | DESC)] [sorting=ALPHA]";

// Gives every pattern argument (at any depth) the key spec index `index`.
void IndexPatterns(std::vector<CommandArg>* args, int index) {
  for (CommandArg& a : *args) {
    if (a.type == ArgType::kPattern) a.key_spec_index = index;
    IndexPatterns(&a.args, index);
  }
}

CommandDoc SortRow(std::string_view name, std::string_view summary, std::string_view since,
                   bool store) {
  CommandDoc row{
      .name = name,
      .summary = summary,
      .since = since,
      .group = "generic",
      .complexity = kSortComplexity,
      .key_specs = {
          {.flags = "RO access", .begin_search = AtIndex(1), .find_keys = KeyRange(0, 1, 0)},
          {.notes = "For the optional BY/GET keyword. It is marked 'unknown' because the key "
                    "names derive from the content of the key we sort",
           .flags = "RO access"}}};
  if (store) {
    row.key_specs.push_back(
        {.notes = "For the optional STORE keyword. It is marked 'unknown' because the keyword "
                  "can appear anywhere in the argument array",
         .flags = "OW update"});
  }
  std::string grammar(kSortArgs);
  if (store) grammar += " [STORE destination:key#2]";
  std::string error;
  if (!ParseArgGrammar(grammar, &row.args, &error)) {
    std::fprintf(stderr, "COMMAND DOCS table, %.*s: %s\n", static_cast<int>(name.size()),
                 name.data(), error.c_str());
    std::abort();
  }
  IndexPatterns(&row.args, 1);
  return row;
}

}  // namespace

void AppendSortCommandDocs(std::vector<CommandDoc>* rows) {
  rows->push_back(
      SortRow("sort", "Sort the elements in a list, set or sorted set", "1.0.0", /*store=*/true));
  rows->push_back(SortRow("sort_ro",
                          "Sort the elements in a list, set or sorted set. Read-only variant of "
                          "SORT.",
                          "7.0.0", /*store=*/false));
}

}  // namespace redwing
