#pragma once

// The cores of the list pops and moves, shared by LPOP/RPOP/LMPOP/LMOVE/RPOPLPUSH
// (list_commands.cc, where these are defined) and their blocking forms. Each runs with the shards
// of its keys held, like any handler (see server/command_context.h).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "server/command_context.h"
#include "storage/list_value.h"

namespace redwing {

// How a pop replies.
enum class ListPopReply : uint8_t {
  kElement,        // LPOP key: the element (a bulk string)
  kArray,          // LPOP key count: an array of the elements
  kKeyAndElement,  // BLPOP: [key, element]
  kKeyAndArray,    // LMPOP, BLMPOP: [key, [elements]]
};

// Pops min(count, length) elements (count >= 1; 1 for the element forms) from `end` of the list
// `key` found at `at` in `db` (it exists and is a list: the caller checked), replying them in
// `form`. An emptied key is deleted; a quicklist shrunk to one small node becomes a listpack
// again; WATCH is signalled.
void ListPop(CommandContext& ctx, Database& db, KeyRef at, std::string_view key, ListEnd end,
             int64_t count, ListPopReply form);

// LMOVE's core: moves the element at `from` of list `src` to `to` of list `dst` (which is created
// if missing; src == dst rotates) and replies the element. If `src` does not exist it replies
// nothing and returns false (LMOVE then replies null, BLMOVE blocks). If `src` or `dst` holds
// another type it replies WRONGTYPE (and returns true).
bool ListMove(CommandContext& ctx, std::string_view src, std::string_view dst, ListEnd from,
              ListEnd to);

// LEFT / RIGHT (any case), as LMOVE takes them.
std::optional<ListEnd> ParseListEnd(std::string_view arg);

}  // namespace redwing
