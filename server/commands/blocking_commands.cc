// Blocking pops: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (lists), BZPOPMIN BZPOPMAX BZMPOP (sorted
// sets). Each first tries what its non-blocking form does (list_ops.h, zset_ops.h); finding
// every key missing, it blocks the client on its keys
// (server/blocking.h) with a serve function that does the same pop once a key is filled. Inside
// MULTI/EXEC nothing blocks: the command answers as if it had timed out.

#include <cmath>
#include <optional>

#include "server/blocking.h"
#include "server/commands/command_helpers.h"
#include "server/commands/list_ops.h"
#include "server/commands/multi_pop_args.h"
#include "server/commands/zset_ops.h"
#include "server/session.h"

namespace redwing {
namespace {

// Redis 7.0's timeout argument: seconds as a long double, rounded up to whole milliseconds; 0
// waits forever. Replies the error and returns nothing when it is not one.
std::optional<int64_t> TimeoutArg(CommandContext& ctx, std::string_view arg) {
  auto seconds = ParseLongDouble(arg);
  if (!seconds) {
    ctx.reply->Error("ERR timeout is not a float or out of range");
    return std::nullopt;
  }
  long double ms = std::ceil(*seconds * 1000.0L);
  // Redis converts with a plain cast, so a timeout past the 64-bit range comes out negative.
  if (ms < 0 || !(ms < 9223372036854775807.0L)) {
    ctx.reply->Error(errors::kTimeoutNegative);
    return std::nullopt;
  }
  return static_cast<int64_t>(ms);
}

// Blocks the client on `keys`, or, where it may not block, answers at once what Redis does: a
// null array (a null bulk string for the move commands); a timeout always answers a null array.
void BlockOrGiveUp(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout,
                   BlockedServeFn serve, bool null_bulk = false) {
  if (ctx.session == nullptr || !ctx.session->CanBlock()) {
    null_bulk ? ctx.reply->Null() : ctx.reply->NullArray();
    return;
  }
  ctx.session->Block(ctx, keys, timeout, serve);
}

// The value at `key` if it has type `type`: nullptr if missing; replies WRONGTYPE (setting
// *wrong) if it holds another type.
KeyRef FindTyped(CommandContext& ctx, std::string_view key, ValueType type, bool* wrong) {
  KeyRef at = ctx.Db(key).Find(key);
  *wrong = at && IsWrongType(ctx, at.entry(), type);
  return *wrong ? KeyRef{} : at;
}

// A pop from the value at `key` (at `at` in `db`), found holding the command's type: pops and
// replies, reading its other arguments from ctx.
using PopFn = void (*)(CommandContext& ctx, Database& db, KeyRef at, std::string_view key);

// The serve function of a blocked pop: kPop once `key` holds a value of kType.
template <ValueType kType, PopFn kPop>
ServeResult ServeTypedPop(CommandContext& ctx, std::string_view key) {
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  if (!at || at.entry()->type() != kType) return ServeResult::kNotReady;
  kPop(ctx, db, at, key);
  return ServeResult::kServed;
}

// Pops with kPop from the first of `keys` that exists (WRONGTYPE if it holds another type than
// kType), or blocks on them all.
template <ValueType kType, PopFn kPop>
void PopOrBlock(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout) {
  for (std::string_view key : keys) {
    bool wrong;
    KeyRef at = FindTyped(ctx, key, kType, &wrong);
    if (wrong) return;
    if (at) {
      kPop(ctx, ctx.Db(key), at, key);
      return;
    }
  }
  BlockOrGiveUp(ctx, keys, timeout, ServeTypedPop<kType, kPop>);
}

// BLPOP BRPOP BZPOPMIN BZPOPMAX: key [key ...] timeout.
template <ValueType kType, PopFn kPop>
void BlockingPop(CommandContext& ctx) {
  auto timeout = TimeoutArg(ctx, ctx.args.back());
  if (!timeout) return;
  PopOrBlock<kType, kPop>(ctx, ctx.args.subspan(1, ctx.argc() - 2), *timeout);
}

template <ListEnd kEnd>
void PopListElement(CommandContext& ctx, Database& db, KeyRef at, std::string_view key) {
  ListPop(ctx, db, at, key, kEnd, 1, ListPopReply::kKeyAndElement);
}

template <bool kMax>
void PopZSetElement(CommandContext& ctx, Database& db, KeyRef at, std::string_view key) {
  ZPopAndReply(ctx, db, at, key, kMax, 1, ZPopShape::kBlock);
}

// BLMPOP BZMPOP: timeout numkeys key [key ...] <end> [COUNT count]. Their pops parse the
// arguments again (which succeeds: they were checked before the first try).
template <ValueType kType, PopFn kPop>
void BlockingMultiPop(CommandContext& ctx, std::string_view first_end,
                      std::string_view second_end) {
  auto timeout = TimeoutArg(ctx, ctx.arg(1));
  if (!timeout) return;
  MultiPopArgs args;
  if (!ParseMultiPopArgs(ctx, 2, first_end, second_end, &args)) return;
  PopOrBlock<kType, kPop>(ctx, args.keys, *timeout);
}

void MultiPopList(CommandContext& ctx, Database& db, KeyRef at, std::string_view key) {
  MultiPopArgs args;
  if (!ParseMultiPopArgs(ctx, 2, "left", "right", &args)) return;
  ListEnd end = args.second_end ? ListEnd::kTail : ListEnd::kHead;
  ListPop(ctx, db, at, key, end, args.count, ListPopReply::kKeyAndArray);
}

void MultiPopZSet(CommandContext& ctx, Database& db, KeyRef at, std::string_view key) {
  MultiPopArgs args;
  if (!ParseMultiPopArgs(ctx, 2, "min", "max", &args)) return;
  ZPopAndReply(ctx, db, at, key, args.second_end, args.count, ZPopShape::kKeyed);
}

void BlPop(CommandContext& ctx) {
  BlockingPop<ValueType::kList, PopListElement<ListEnd::kHead>>(ctx);
}

void BrPop(CommandContext& ctx) {
  BlockingPop<ValueType::kList, PopListElement<ListEnd::kTail>>(ctx);
}

void BzPopMin(CommandContext& ctx) {
  BlockingPop<ValueType::kZSet, PopZSetElement<false>>(ctx);
}

void BzPopMax(CommandContext& ctx) {
  BlockingPop<ValueType::kZSet, PopZSetElement<true>>(ctx);
}

void BlMPop(CommandContext& ctx) {
  BlockingMultiPop<ValueType::kList, MultiPopList>(ctx, "left", "right");
}

void BzMPop(CommandContext& ctx) {
  BlockingMultiPop<ValueType::kZSet, MultiPopZSet>(ctx, "min", "max");
}

// ---- BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout / BRPOPLPUSH ----

// The ends a move command names: BLMOVE's arguments, or BRPOPLPUSH's fixed RIGHT to LEFT.
struct MoveEnds {
  ListEnd from = ListEnd::kTail;
  ListEnd to = ListEnd::kHead;
};

std::optional<MoveEnds> ParseMoveEnds(CommandContext& ctx) {
  if (ctx.argc() != 6) return MoveEnds{};  // BRPOPLPUSH
  auto from = ParseListEnd(ctx.arg(3));
  auto to = ParseListEnd(ctx.arg(4));
  if (!from || !to) {
    ctx.reply->Error(errors::kSyntax);
    return std::nullopt;
  }
  return MoveEnds{*from, *to};
}

ServeResult ServeMove(CommandContext& ctx, std::string_view key) {
  std::string_view dst = ctx.arg(2);
  // Only the ready key's shard is held here: a destination elsewhere needs the full routing.
  if (ctx.engine->ShardOfKey(dst) != ctx.engine->ShardOfKey(key)) return ServeResult::kRerun;
  auto ends = ParseMoveEnds(ctx);
  if (!ends) return ServeResult::kServed;  // parsed when it blocked
  return ListMove(ctx, key, dst, ends->from, ends->to) ? ServeResult::kServed
                                                       : ServeResult::kNotReady;
}

void BlockingMove(CommandContext& ctx) {
  auto ends = ParseMoveEnds(ctx);
  if (!ends) return;
  auto timeout = TimeoutArg(ctx, ctx.args.back());
  if (!timeout) return;
  std::string_view src = ctx.arg(1);
  if (ListMove(ctx, src, ctx.arg(2), ends->from, ends->to)) return;
  BlockOrGiveUp(ctx, ctx.args.subspan(1, 1), *timeout, ServeMove, /*null_bulk=*/true);
}

}  // namespace

void RegisterBlockingCommands(CommandRegistry& r) {
  constexpr const char* kListAcl = "@write @list @slow @blocking";
  constexpr const char* kZSetFastAcl = "@write @sortedset @fast @blocking";
  const uint32_t kBlockingWrite = kCmdWrite | kCmdNoScript | kCmdBlocking;
  CommandAdder add(r);
  add("blpop", -3, kBlockingWrite, BlPop, -2, kListAcl);
  add("brpop", -3, kBlockingWrite, BrPop, -2, kListAcl);
  add("blmove", 6, kBlockingWrite | kCmdDenyOom, BlockingMove, 2, kListAcl);
  add("brpoplpush", 4, kBlockingWrite | kCmdDenyOom, BlockingMove, 2, kListAcl);
  add("blmpop", -5, kCmdWrite | kCmdBlocking, BlMPop, 0, kListAcl).key_finder = KeysAfterNumKeys<2>;
  add("bzpopmin", -3, kBlockingWrite | kCmdFast, BzPopMin, -2, kZSetFastAcl);
  add("bzpopmax", -3, kBlockingWrite | kCmdFast, BzPopMax, -2, kZSetFastAcl);
  add("bzmpop", -5, kCmdWrite | kCmdBlocking, BzMPop, 0, "@write @sortedset @slow @blocking")
      .key_finder = KeysAfterNumKeys<2>;
}

}  // namespace redwing
