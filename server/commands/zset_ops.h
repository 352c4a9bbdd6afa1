#pragma once

// The pop core of ZPOPMIN, ZPOPMAX and ZMPOP, shared with their blocking forms (BZPOPMIN,
// BZPOPMAX, BZMPOP), which run it when a waited key receives elements.

#include <cstdint>
#include <string_view>

#include "server/command_context.h"

namespace redwing {

// The reply shapes of the pop commands.
enum class ZPopShape {
  kSingle,  // ZPOPMIN key: [member, score]
  kCount,   // ZPOPMIN key count: RESP2 [m, s, m, s, ...]; RESP3 [[m, s], [m, s], ...]
  kKeyed,   // ZMPOP / BZMPOP: [key, [[m, s], ...]] in both protocols
  kBlock,   // BZPOPMIN / BZPOPMAX: [key, member, score]
};

// Pops up to `count` (>= 1) elements from the low end (max = false) or the high end of the
// sorted set at `at` in `db` (it must exist and be a sorted set) and replies them in `shape`.
// Deletes the key when it empties; signals the change to WATCH.
void ZPopAndReply(CommandContext& ctx, Database& db, KeyRef at, std::string_view key, bool max,
                  int64_t count, ZPopShape shape);

}  // namespace redwing
