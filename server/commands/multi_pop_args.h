#pragma once

// The arguments shared by LMPOP, ZMPOP and their blocking forms, from the numkeys argument on:
//   numkeys key [key ...] <end> [COUNT count]
// where <end> is one of two tokens (LEFT | RIGHT, MIN | MAX). Their key finder is
// KeysAfterNumKeys<numkeys index> (command_helpers.h).

#include <cstdint>
#include <span>
#include <string_view>

#include "server/command_context.h"

namespace redwing {

struct MultiPopArgs {
  std::span<const std::string_view> keys;
  bool second_end = false;  // the second token (RIGHT, MAX) was given
  int64_t count = 1;
};

// Parses from argument `numkeys_index`; on error replies Redis 7.0's text and returns false.
bool ParseMultiPopArgs(CommandContext& ctx, size_t numkeys_index, std::string_view first_end,
                       std::string_view second_end, MultiPopArgs* out);

}  // namespace redwing
