// Sorted-set commands: ZADD ZINCRBY ZREM ZCARD ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK, the
// ZRANGE family (ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
// ZREVRANGEBYLEX), ZREMRANGEBYRANK/SCORE/LEX, the pops (ZPOPMIN ZPOPMAX ZMPOP), ZRANDMEMBER,
// ZSCAN and the set operations (ZUNION ZINTER ZDIFF, their STORE forms, ZINTERCARD), with
// Redis 7.0's option rules, replies (RESP3 doubles and pairs) and error texts.
//
// The encodings and their shared operations are in storage/zset.h. Every range query becomes an
// interval of ranks first (score and lex bounds, LIMIT, negative indexes), which is then replied,
// stored or removed in one pass.

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/glob.h"
#include "server/collection_limits.h"
#include "server/commands/command_helpers.h"
#include "server/commands/multi_pop_args.h"
#include "server/commands/zset_ops.h"
#include "storage/set_type.h"
#include "storage/zset.h"

namespace redwing {
namespace {

constexpr std::string_view kErrNaN = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kErrNotFloatRange = "ERR min or max is not a float";
constexpr std::string_view kErrLexRange = "ERR min or max not valid string range item";
constexpr std::string_view kErrXXAndNX =
    "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kErrGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kErrIncrPair =
    "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kErrLimitNeedsBy =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kErrWithScoresByLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
constexpr std::string_view kErrWeight = "ERR weight value is not a float";

zset::Limits LimitsOf(const CommandContext& ctx) {
  return ZSetLimitsOf(ctx.engine->config());
}

void ReplyScore(CommandContext& ctx, double d) {
  if (ctx.reply->resp() >= 3) {
    ctx.reply->Double(d);
    return;
  }
  char buf[zlp::kScoreBufSize];
  ctx.reply->Bulk(FormatScore(d, buf));
}

// Replies one element of a member/score list: RESP3 nests each pair in an array.
void ReplyElement(CommandContext& ctx, std::string_view member, double score, bool withscores) {
  if (withscores && ctx.reply->resp() >= 3) ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(member);
  if (withscores) ReplyScore(ctx, score);
}

// The header of a list of `n` elements (with their scores: RESP2 flattens the pairs).
void ReplyElementsHeader(CommandContext& ctx, size_t n, bool withscores) {
  ctx.reply->ArrayHeader(withscores && ctx.reply->resp() < 3 ? 2 * n : n);
}

// Looks `key` up; replies WRONGTYPE and returns false if it holds another type.
bool Lookup(CommandContext& ctx, std::string_view key, bool for_read, KeyRef* at) {
  *at = ctx.Db(key).Find(key, for_read);
  return !IsWrongType(ctx, at->entry(), ValueType::kZSet);
}

// After elements were removed from the set at `at` by the command raising `event`: notifies it,
// then deletes the set if empty ("del"), else signals WATCH. `key` must not point into the entry.
void AfterRemoval(const CommandContext& ctx, Database& db, KeyRef at, std::string_view key,
                  std::string_view event) {
  ctx.Notify(kNotifyZset, event, key);
  if (zset::Size(at.entry()) == 0) {
    db.Erase(at);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else {
    db.Modified(key);
  }
}

// Stores a result sorted by (score, member) under `dst` and raises `event`, or deletes `dst`
// ("del") when the result is empty; replies the count.
void StoreResult(CommandContext& ctx, std::string_view dst,
                 const std::vector<std::pair<std::string, double>>& elems, std::string_view event) {
  Database& db = ctx.Db(dst);
  KeyRef at = db.Find(dst);
  if (elems.empty()) {
    if (at) {
      db.Erase(at);
      ctx.Notify(kNotifyGeneric, "del", dst);
    }
  } else {
    db.Put(at, zset::BuildSorted(dst, elems.data(), elems.size(), LimitsOf(ctx)));
    ctx.Notify(kNotifyZset, event, dst);
  }
  ctx.reply->Integer(static_cast<int64_t>(elems.size()));
}

bool ByScoreThenMember(const std::pair<std::string, double>& a,
                       const std::pair<std::string, double>& b) {
  return a.second < b.second || (a.second == b.second && a.first < b.first);
}

// ---------------------------------------------------------------------------------------------
// ZADD ZINCRBY ZREM

void ZAddGeneric(CommandContext& ctx, int flags) {
  size_t idx = 2;
  bool ch = false;
  for (; idx < ctx.argc(); ++idx) {
    std::string_view opt = ctx.arg(idx);
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= zset::kAddNX;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= zset::kAddXX;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      ch = true;
    } else if (EqualsIgnoreCase(opt, "incr")) {
      flags |= zset::kAddIncr;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= zset::kAddGT;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= zset::kAddLT;
    } else {
      break;
    }
  }
  size_t args = ctx.argc() - idx;
  if (args == 0 || args % 2 != 0) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  bool nx = (flags & zset::kAddNX) != 0;
  bool gt = (flags & zset::kAddGT) != 0;
  bool lt = (flags & zset::kAddLT) != 0;
  bool incr = (flags & zset::kAddIncr) != 0;
  if (nx && (flags & zset::kAddXX) != 0) {
    ctx.reply->Error(kErrXXAndNX);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply->Error(kErrGtLtNx);
    return;
  }
  if (incr && args > 2) {
    ctx.reply->Error(kErrIncrPair);
    return;
  }
  for (size_t i = idx; i < ctx.argc(); i += 2) {
    if (!ParseDouble(ctx.arg(i))) {
      ctx.reply->Error(errors::kNotFloat);
      return;
    }
  }
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at;
  if (!Lookup(ctx, key, false, &at)) return;
  int64_t added = 0;
  int64_t updated = 0;
  bool processed = false;
  double score = 0;
  // What a ZADD that changed something raises (also when a NaN stops it part way, as Redis).
  auto notify = [&] {
    if (added + updated > 0) ctx.Notify(kNotifyZset, incr ? "zincr" : "zadd", key);
  };
  if (at || (flags & zset::kAddXX) == 0) {
    // A new key is built aside and stored whole, so that it never exists empty.
    Entry* fresh = at ? nullptr : zset::NewListpack(key);
    Entry** link = at ? at.link : &fresh;
    zset::Limits limits = LimitsOf(ctx);
    for (size_t i = idx; i < ctx.argc(); i += 2) {
      double newscore = 0;
      switch (zset::Add(link, ctx.arg(i + 1), *ParseDouble(ctx.arg(i)), flags, &newscore, limits)) {
        case zset::AddResult::kNaN:
          if (fresh != nullptr) Entry::Free(fresh);
          if (added + updated > 0) db.Modified(key);
          notify();
          ctx.reply->Error(kErrNaN);
          return;
        case zset::AddResult::kAdded:
          ++added;
          processed = true;
          score = newscore;
          break;
        case zset::AddResult::kUpdated:
          ++updated;
          processed = true;
          score = newscore;
          break;
        case zset::AddResult::kUnchanged:
          processed = true;
          score = newscore;
          break;
        case zset::AddResult::kNop:
          break;
      }
    }
    if (fresh != nullptr) {
      if (zset::Size(fresh) > 0) {
        db.Put(at, fresh);
      } else {
        Entry::Free(fresh);
      }
    } else if (added + updated > 0) {
      db.Modified(key);
    }
    notify();
  }
  if (incr) {
    if (processed) {
      ReplyScore(ctx, score);
    } else {
      ctx.reply->Null();
    }
  } else {
    ctx.reply->Integer(ch ? added + updated : added);
  }
}

void ZAdd(CommandContext& ctx) {
  ZAddGeneric(ctx, 0);
}

void ZIncrBy(CommandContext& ctx) {
  ZAddGeneric(ctx, zset::kAddIncr);
}

void ZRem(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KeyRef at;
  if (!Lookup(ctx, key, false, &at)) return;
  if (!at) {
    ctx.reply->Integer(0);
    return;
  }
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (zset::Remove(at.link, ctx.arg(i))) ++removed;
    if (zset::Size(at.entry()) == 0) break;
  }
  if (removed > 0) AfterRemoval(ctx, ctx.Db(key), at, key, "zrem");
  ctx.reply->Integer(removed);
}

// ---------------------------------------------------------------------------------------------
// ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT

void ZCard(CommandContext& ctx) {
  KeyRef at;
  if (!Lookup(ctx, ctx.arg(1), true, &at)) return;
  ctx.reply->Integer(at ? static_cast<int64_t>(zset::Size(at.entry())) : 0);
}

void ZScore(CommandContext& ctx) {
  KeyRef at;
  if (!Lookup(ctx, ctx.arg(1), true, &at)) return;
  double score;
  if (at && zset::Score(at.entry(), ctx.arg(2), &score)) {
    ReplyScore(ctx, score);
  } else {
    ctx.reply->Null();
  }
}

void ZMScore(CommandContext& ctx) {
  KeyRef at;
  if (!Lookup(ctx, ctx.arg(1), true, &at)) return;
  ctx.reply->ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    double score;
    if (at && zset::Score(at.entry(), ctx.arg(i), &score)) {
      ReplyScore(ctx, score);
    } else {
      ctx.reply->Null();
    }
  }
}

// ZRANK / ZREVRANK key member [WITHSCORE]: WITHSCORE is Redis 7.2's (the issue asks for it; 7.0
// has arity 3), with 7.2's replies: [rank, score], or a null array when absent.
void ZRankGeneric(CommandContext& ctx, bool reverse) {
  if (ctx.argc() > 4) {
    ctx.reply->Error(errors::WrongArity(ctx.spec->name));
    return;
  }
  bool withscore = ctx.argc() == 4;
  if (withscore && !EqualsIgnoreCase(ctx.arg(3), "withscore")) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  KeyRef at;
  if (!Lookup(ctx, ctx.arg(1), true, &at)) return;
  size_t rank;
  double score;
  if (!at || !zset::Rank(at.entry(), ctx.arg(2), reverse, &rank, &score)) {
    withscore ? ctx.reply->NullArray() : ctx.reply->Null();
    return;
  }
  if (withscore) {
    ctx.reply->ArrayHeader(2);
    ctx.reply->Integer(static_cast<int64_t>(rank));
    ctx.reply->Double(score);
  } else {
    ctx.reply->Integer(static_cast<int64_t>(rank));
  }
}

void ZRank(CommandContext& ctx) {
  ZRankGeneric(ctx, false);
}

void ZRevRank(CommandContext& ctx) {
  ZRankGeneric(ctx, true);
}

// ZCOUNT (score bounds) and ZLEXCOUNT (member bounds).
void ZCountGeneric(CommandContext& ctx, bool lex) {
  ZScoreRange score_range;
  ZLexRange lex_range;
  if (lex ? !ParseZLexRange(ctx.arg(2), ctx.arg(3), &lex_range)
          : !ParseZScoreRange(ctx.arg(2), ctx.arg(3), &score_range)) {
    ctx.reply->Error(lex ? kErrLexRange : kErrNotFloatRange);
    return;
  }
  KeyRef at;
  if (!Lookup(ctx, ctx.arg(1), true, &at)) return;
  if (!at) {
    ctx.reply->Integer(0);
    return;
  }
  auto [first, last] = lex ? zset::LexRanks(at.entry(), lex_range, false)
                           : zset::ScoreRanks(at.entry(), score_range);
  ctx.reply->Integer(static_cast<int64_t>(last - first));
}

void ZCount(CommandContext& ctx) {
  ZCountGeneric(ctx, false);
}

void ZLexCount(CommandContext& ctx) {
  ZCountGeneric(ctx, true);
}

// ---------------------------------------------------------------------------------------------
// The ZRANGE family.

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// The elements a range selects: ranks [start, end), walked downwards when reverse.
struct RankInterval {
  size_t start = 0;
  size_t end = 0;
  bool reverse = false;
};

// A rank range ("start stop", negative from the end) over `n` elements, as Redis sanitises it.
RankInterval RankRange(int64_t start, int64_t stop, size_t n, bool reverse) {
  int64_t len = static_cast<int64_t>(n);
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  RankInterval r;
  r.reverse = reverse;
  if (start > stop || start >= len) return r;
  if (stop >= len) stop = len - 1;
  if (reverse) {
    r.start = static_cast<size_t>(len - 1 - stop);
    r.end = static_cast<size_t>(len - start);
  } else {
    r.start = static_cast<size_t>(start);
    r.end = static_cast<size_t>(stop + 1);
  }
  return r;
}

// Applies LIMIT offset count to the elements of ranks [first, last).
RankInterval Limit(size_t first, size_t last, bool reverse, int64_t offset, int64_t limit) {
  RankInterval r;
  r.reverse = reverse;
  size_t count = last - first;
  if (offset < 0 || static_cast<uint64_t>(offset) >= count) return r;
  count -= static_cast<size_t>(offset);
  if (limit >= 0 && static_cast<uint64_t>(limit) < count) count = static_cast<size_t>(limit);
  if (reverse) {
    r.end = last - static_cast<size_t>(offset);
    r.start = r.end - count;
  } else {
    r.start = first + static_cast<size_t>(offset);
    r.end = r.start + count;
  }
  return r;
}

// Redis's zrangeGenericCommand: `first` is the index of the source key (2 for ZRANGESTORE).
void ZRangeGeneric(CommandContext& ctx, size_t first, bool store, RangeType type, Direction dir) {
  size_t minidx = first + 1;
  size_t maxidx = first + 2;
  bool withscores = false;
  int64_t offset = 0;
  int64_t limit = -1;
  for (size_t j = first + 3; j < ctx.argc(); ++j) {
    size_t left = ctx.argc() - j - 1;
    std::string_view opt = ctx.arg(j);
    if (!store && EqualsIgnoreCase(opt, "withscores")) {
      withscores = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      auto o = IntArg(ctx, ctx.arg(j + 1));
      if (!o) return;
      auto l = IntArg(ctx, ctx.arg(j + 2));
      if (!l) return;
      offset = *o;
      limit = *l;
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(opt, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(opt, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(opt, "byscore")) {
      type = RangeType::kScore;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  bool reverse = dir == Direction::kReverse;
  if (limit != -1 && type == RangeType::kRank) {
    ctx.reply->Error(kErrLimitNeedsBy);
    return;
  }
  if (withscores && type == RangeType::kLex) {
    ctx.reply->Error(kErrWithScoresByLex);
    return;
  }
  if (reverse && type != RangeType::kRank) std::swap(minidx, maxidx);
  int64_t start = 0;
  int64_t stop = 0;
  ZScoreRange score_range;
  ZLexRange lex_range;
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank: {
      auto a = IntArg(ctx, ctx.arg(minidx));
      if (!a) return;
      auto b = IntArg(ctx, ctx.arg(maxidx));
      if (!b) return;
      start = *a;
      stop = *b;
      break;
    }
    case RangeType::kScore:
      if (!ParseZScoreRange(ctx.arg(minidx), ctx.arg(maxidx), &score_range)) {
        ctx.reply->Error(kErrNotFloatRange);
        return;
      }
      break;
    case RangeType::kLex:
      if (!ParseZLexRange(ctx.arg(minidx), ctx.arg(maxidx), &lex_range)) {
        ctx.reply->Error(kErrLexRange);
        return;
      }
      break;
  }
  if (store) withscores = true;
  KeyRef at;
  if (!Lookup(ctx, ctx.arg(first), true, &at)) return;
  std::vector<std::pair<std::string, double>> result;
  if (!at) {
    if (store) {
      StoreResult(ctx, ctx.arg(1), result, "zrangestore");
    } else {
      ctx.reply->ArrayHeader(0);
    }
    return;
  }
  const Entry* e = at.entry();
  RankInterval r;
  if (type == RangeType::kRank) {
    r = RankRange(start, stop, zset::Size(e), reverse);
  } else if (type == RangeType::kScore) {
    auto [lo, hi] = zset::ScoreRanks(e, score_range);
    r = Limit(lo, hi, reverse, offset, limit);
  } else {
    auto [lo, hi] = zset::LexRanks(e, lex_range, reverse);
    r = Limit(lo, hi, reverse, offset, limit);
  }
  if (store) {
    result.reserve(r.end - r.start);
    zset::ForRanks(e, r.start, r.end, false,
                   [&](std::string_view m, double s) { result.emplace_back(std::string(m), s); });
    StoreResult(ctx, ctx.arg(1), result, "zrangestore");
    return;
  }
  ReplyElementsHeader(ctx, r.end - r.start, withscores);
  zset::ForRanks(e, r.start, r.end, r.reverse,
                 [&](std::string_view m, double s) { ReplyElement(ctx, m, s, withscores); });
}

// The handlers of the family: ZRangeCmd<source key index, store, range type, direction>.
template <size_t kFirst, bool kStore, RangeType kType, Direction kDir>
void ZRangeCmd(CommandContext& ctx) {
  ZRangeGeneric(ctx, kFirst, kStore, kType, kDir);
}

// ZREMRANGEBYRANK / BYSCORE / BYLEX.
void ZRemRangeGeneric(CommandContext& ctx, RangeType type) {
  int64_t start = 0;
  int64_t stop = 0;
  ZScoreRange score_range;
  ZLexRange lex_range;
  if (type == RangeType::kRank) {
    auto a = IntArg(ctx, ctx.arg(2));
    if (!a) return;
    auto b = IntArg(ctx, ctx.arg(3));
    if (!b) return;
    start = *a;
    stop = *b;
  } else if (type == RangeType::kScore) {
    if (!ParseZScoreRange(ctx.arg(2), ctx.arg(3), &score_range)) {
      ctx.reply->Error(kErrNotFloatRange);
      return;
    }
  } else if (!ParseZLexRange(ctx.arg(2), ctx.arg(3), &lex_range)) {
    ctx.reply->Error(kErrLexRange);
    return;
  }
  std::string_view key = ctx.arg(1);
  KeyRef at;
  if (!Lookup(ctx, key, false, &at)) return;
  if (!at) {
    ctx.reply->Integer(0);
    return;
  }
  RankInterval r;
  if (type == RangeType::kRank) {
    r = RankRange(start, stop, zset::Size(at.entry()), false);
  } else if (type == RangeType::kScore) {
    std::tie(r.start, r.end) = zset::ScoreRanks(at.entry(), score_range);
  } else {
    std::tie(r.start, r.end) = zset::LexRanks(at.entry(), lex_range, false);
  }
  size_t removed = zset::EraseRanks(at.link, r.start, r.end);
  std::string_view event = type == RangeType::kRank    ? "zremrangebyrank"
                           : type == RangeType::kScore ? "zremrangebyscore"
                                                       : "zremrangebylex";
  if (removed > 0) AfterRemoval(ctx, ctx.Db(key), at, key, event);
  ctx.reply->Integer(static_cast<int64_t>(removed));
}

void ZRemRangeByRank(CommandContext& ctx) {
  ZRemRangeGeneric(ctx, RangeType::kRank);
}
void ZRemRangeByScore(CommandContext& ctx) {
  ZRemRangeGeneric(ctx, RangeType::kScore);
}
void ZRemRangeByLex(CommandContext& ctx) {
  ZRemRangeGeneric(ctx, RangeType::kLex);
}

// ---------------------------------------------------------------------------------------------
// ZPOPMIN ZPOPMAX ZMPOP

void ZPopGeneric(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  int64_t count = 1;
  ZPopShape shape = ZPopShape::kSingle;
  if (ctx.argc() == 3) {
    auto n = NonNegativeCountArg(ctx, ctx.arg(2));
    if (!n) return;
    count = *n;
    shape = ZPopShape::kCount;
  }
  std::string_view key = ctx.arg(1);
  KeyRef at;
  if (!Lookup(ctx, key, false, &at)) return;
  if (!at || count == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  ZPopAndReply(ctx, ctx.Db(key), at, key, max, count, shape);
}

void ZPopMin(CommandContext& ctx) {
  ZPopGeneric(ctx, false);
}
void ZPopMax(CommandContext& ctx) {
  ZPopGeneric(ctx, true);
}

void ZMPop(CommandContext& ctx) {
  MultiPopArgs args;
  if (!ParseMultiPopArgs(ctx, 1, "min", "max", &args)) return;
  for (std::string_view key : args.keys) {
    KeyRef at;
    if (!Lookup(ctx, key, false, &at)) return;
    if (!at) continue;
    ZPopAndReply(ctx, ctx.Db(key), at, key, args.second_end, args.count, ZPopShape::kKeyed);
    return;
  }
  ctx.reply->NullArray();
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

uint64_t RandomBits() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

// Random access to a set's elements by rank (a listpack's positions are indexed once).
class ElementsByRank {
 public:
  explicit ElementsByRank(const Entry* e) : e_(e) {
    if (e->encoding() != Encoding::kListpack) return;
    ListpackView lp(e->value());
    for (size_t pos = lp.begin(); pos < lp.end(); pos = lp.Next(lp.Next(pos)))
      positions_.push_back(pos);
  }
  template <typename Fn>
  void At(size_t rank, Fn&& fn) const {
    if (e_->encoding() == Encoding::kListpack) {
      ListpackView lp(e_->value());
      char buf[kMaxIntChars];
      size_t pos = positions_[rank];
      fn(lp.Get(pos).Text(buf), zlp::DecodeScore(lp.Get(lp.Next(pos))));
      return;
    }
    Entry* n = e_->object_as<ZSkipList>()->AtRank(rank);
    fn(ZSkipList::Member(n), ZSkipList::Score(n));
  }

 private:
  const Entry* e_;
  std::vector<size_t> positions_;
};

void ZRandMember(CommandContext& ctx) {
  KeyRef at;
  if (ctx.argc() == 2) {
    if (!Lookup(ctx, ctx.arg(1), true, &at)) return;
    if (!at) {
      ctx.reply->Null();
      return;
    }
    const Entry* e = at.entry();
    ElementsByRank elems(e);
    elems.At(RandomBits() % zset::Size(e), [&](std::string_view m, double) { ctx.reply->Bulk(m); });
    return;
  }
  auto l = IntArg(ctx, ctx.arg(2));
  if (!l) return;
  if (*l == INT64_MIN) {
    ctx.reply->Error(errors::kCountOutOfRange);
    return;
  }
  bool withscores = false;
  if (ctx.argc() == 4 && EqualsIgnoreCase(ctx.arg(3), "withscores")) {
    withscores = true;
  } else if (ctx.argc() >= 4) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  if (withscores && (*l < -INT64_MAX / 2 || *l > INT64_MAX / 2)) {
    ctx.reply->Error(errors::kValueOutOfRange);
    return;
  }
  if (!Lookup(ctx, ctx.arg(1), true, &at)) return;
  if (!at || *l == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  const Entry* e = at.entry();
  size_t size = zset::Size(e);
  ElementsByRank elems(e);
  auto reply = [&](std::string_view m, double s) { ReplyElement(ctx, m, s, withscores); };
  if (*l < 0) {  // with repetitions
    size_t count = static_cast<size_t>(-*l);
    ReplyElementsHeader(ctx, count, withscores);
    for (size_t i = 0; i < count; ++i)
      elems.At(RandomBits() % size, reply);
    return;
  }
  size_t count = static_cast<size_t>(*l);
  if (count >= size) {  // the whole set, from the highest (as Redis replies it)
    ReplyElementsHeader(ctx, size, withscores);
    zset::ForRanks(e, 0, size, true, reply);
    return;
  }
  // `count` distinct ranks, in random order: a partial Fisher-Yates shuffle.
  std::vector<size_t> ranks(size);
  for (size_t i = 0; i < size; ++i)
    ranks[i] = i;
  for (size_t i = 0; i < count; ++i)
    std::swap(ranks[i], ranks[i + RandomBits() % (size - i)]);
  ReplyElementsHeader(ctx, count, withscores);
  for (size_t i = 0; i < count; ++i)
    elems.At(ranks[i], reply);
}

// ---------------------------------------------------------------------------------------------
// ZSCAN

void ZScan(CommandContext& ctx) {
  auto cursor = ScanCursorArg(ctx, ctx.arg(2));
  if (!cursor) return;
  KeyRef at;
  if (!Lookup(ctx, ctx.arg(1), true, &at)) return;
  if (!at) {
    ReplyScanHeader(ctx, 0, 0);
    return;
  }
  ScanOptions opt;
  if (!ParseScanOptions(ctx, 3, /*allow_type=*/false, &opt)) return;
  const Entry* e = at.entry();
  std::vector<std::pair<std::string, double>> found;
  uint64_t next = 0;
  if (e->encoding() == Encoding::kListpack) {
    zset::ForEach(e, [&](std::string_view m, double s) {
      if (opt.Matches(m)) found.emplace_back(std::string(m), s);
    });
  } else {
    HashTable& index = e->object_as<ZSkipList>()->index();
    int64_t steps = opt.MaxSteps();
    size_t visited = 0;
    next = *cursor;
    do {
      next = index.Scan(next, [&](Entry* n) {
        ++visited;
        if (opt.Matches(ZSkipList::Member(n)))
          found.emplace_back(std::string(ZSkipList::Member(n)), ZSkipList::Score(n));
      });
    } while (next != 0 && steps-- > 0 && static_cast<int64_t>(2 * visited) < opt.count);
  }
  ReplyScanHeader(ctx, next, 2 * found.size());
  char sbuf[zlp::kScoreBufSize];
  for (const auto& [m, s] : found) {
    ctx.reply->Bulk(m);
    ctx.reply->Bulk(FormatScore(s, sbuf));
  }
}

// ---------------------------------------------------------------------------------------------
// ZUNION ZINTER ZDIFF (and STORE), ZINTERCARD

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, a set (every member scores 1) or a missing key (empty).
struct Source {
  const Entry* e = nullptr;
  double weight = 1;

  size_t Size() const {
    if (e == nullptr) return 0;
    if (e->type() == ValueType::kSet) return set_type::Size(e);
    return zset::Size(e);
  }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (e == nullptr) return;
    if (e->type() == ValueType::kSet) {
      set_type::ForEach(e, [&](const SetMember& m) {
        char buf[kMaxIntChars];
        fn(m.Text(buf), 1.0);
      });
      return;
    }
    zset::ForEach(e, fn);
  }
  bool Find(std::string_view member, double* score) const {
    if (e == nullptr) return false;
    if (e->type() == ValueType::kSet) {
      *score = 1.0;
      return set_type::Contains(const_cast<Entry*>(e), member);
    }
    return zset::Score(e, member, score);
  }
};

void AggregateInto(double* target, double value, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case Aggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

// Redis's zunionInterDiffGenericCommand: `numkeys_idx` is where numkeys is (2 with a
// destination).
void ZSetOpGeneric(CommandContext& ctx, size_t numkeys_idx, SetOp op, bool card_only) {
  bool store = numkeys_idx == 2;
  auto setnum = IntArg(ctx, ctx.arg(numkeys_idx));
  if (!setnum) return;
  if (*setnum < 1) {
    std::string name = ctx.spec->name;
    ctx.reply->Error("ERR at least 1 input key is needed for '" + name + "' command");
    return;
  }
  if (static_cast<uint64_t>(*setnum) > ctx.argc() - numkeys_idx - 1) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  size_t n = static_cast<size_t>(*setnum);
  std::vector<Source> src(n);
  size_t j = numkeys_idx + 1;
  for (size_t i = 0; i < n; ++i, ++j) {
    std::string_view key = ctx.arg(j);
    Entry* e = ctx.Db(key).Find(key, true).entry();
    if (e != nullptr && e->type() != ValueType::kZSet && e->type() != ValueType::kSet) {
      ctx.reply->Error(errors::kWrongType);
      return;
    }
    src[i].e = e;
  }
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  while (j < ctx.argc()) {
    size_t remaining = ctx.argc() - j;
    std::string_view opt = ctx.arg(j);
    if (op != SetOp::kDiff && !card_only && remaining >= n + 1 &&
        EqualsIgnoreCase(opt, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        auto w = ParseDouble(ctx.arg(j));
        if (!w) {
          ctx.reply->Error(kErrWeight);
          return;
        }
        src[i].weight = *w;
      }
    } else if (op != SetOp::kDiff && !card_only && remaining >= 2 &&
               EqualsIgnoreCase(opt, "aggregate")) {
      std::string_view a = ctx.arg(j + 1);
      if (EqualsIgnoreCase(a, "sum")) {
        agg = Aggregate::kSum;
      } else if (EqualsIgnoreCase(a, "min")) {
        agg = Aggregate::kMin;
      } else if (EqualsIgnoreCase(a, "max")) {
        agg = Aggregate::kMax;
      } else {
        ctx.reply->Error(errors::kSyntax);
        return;
      }
      j += 2;
    } else if (!store && !card_only && EqualsIgnoreCase(opt, "withscores")) {
      withscores = true;
      ++j;
    } else if (card_only && remaining >= 2 && EqualsIgnoreCase(opt, "limit")) {
      auto l = ParseInt64(ctx.arg(j + 1));
      if (!l || *l < 0) {
        ctx.reply->Error(errors::kLimitNegative);
        return;
      }
      limit = *l;
      j += 2;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }

  std::vector<std::pair<std::string, double>> result;
  int64_t cardinality = 0;
  if (op != SetOp::kDiff) {
    // Smallest inputs first, as Redis (the order of a sum's terms follows).
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.Size() < b.Size(); });
  }
  if (op == SetOp::kInter) {
    if (src[0].Size() > 0) {
      bool done = false;
      src[0].ForEach([&](std::string_view m, double s) {
        if (done) return;
        double score = src[0].weight * s;
        if (std::isnan(score)) score = 0;
        size_t k = 1;
        for (; k < n; ++k) {
          double value;
          if (!src[k].Find(m, &value)) break;
          AggregateInto(&score, value * src[k].weight, agg);
        }
        if (k < n) return;
        if (card_only) {
          ++cardinality;
          if (limit != 0 && cardinality >= limit) done = true;
        } else {
          result.emplace_back(std::string(m), score);
        }
      });
    }
  } else if (op == SetOp::kUnion) {
    std::unordered_map<std::string, double> acc;
    acc.reserve(src.back().Size());
    for (const Source& s : src) {
      s.ForEach([&](std::string_view m, double v) {
        double score = s.weight * v;
        if (std::isnan(score)) score = 0;
        auto [it, inserted] = acc.try_emplace(std::string(m), score);
        if (!inserted) AggregateInto(&it->second, score, agg);
      });
    }
    result.reserve(acc.size());
    for (auto& [m, s] : acc)
      result.emplace_back(m, s);
  } else {
    src[0].ForEach([&](std::string_view m, double s) {
      double ignored;
      for (size_t k = 1; k < n; ++k) {
        if (src[k].Find(m, &ignored)) return;
      }
      result.emplace_back(std::string(m), s);
    });
  }
  if (card_only) {
    ctx.reply->Integer(cardinality);
    return;
  }
  std::sort(result.begin(), result.end(), ByScoreThenMember);
  if (store) {
    std::string_view event = op == SetOp::kUnion   ? "zunionstore"
                             : op == SetOp::kInter ? "zinterstore"
                                                   : "zdiffstore";
    StoreResult(ctx, ctx.arg(1), result, event);
    return;
  }
  ReplyElementsHeader(ctx, result.size(), withscores);
  for (const auto& [m, s] : result)
    ReplyElement(ctx, m, s, withscores);
}

// The handlers: ZSetOpCmd<numkeys index, operation, cardinality only>.
template <size_t kNumKeysIdx, SetOp kOp, bool kCardOnly>
void ZSetOpCmd(CommandContext& ctx) {
  ZSetOpGeneric(ctx, kNumKeysIdx, kOp, kCardOnly);
}

// ZUNIONSTORE-style keys: the destination, then the keys after numkeys.
bool DestAndKeysAfterNumKeys(std::span<const std::string_view> args, std::vector<int>* keys) {
  size_t before = keys->size();
  keys->push_back(1);
  if (FindKeysAfterNumKeys(args, 2, keys)) return true;
  keys->resize(before);
  return false;
}

}  // namespace

void ZPopAndReply(CommandContext& ctx, Database& db, KeyRef at, std::string_view key, bool max,
                  int64_t count, ZPopShape shape) {
  size_t n = zset::Size(at.entry());
  size_t k = static_cast<uint64_t>(count) < n ? static_cast<size_t>(count) : n;
  size_t start = max ? n - k : 0;
  size_t end = max ? n : k;
  bool nested =
      shape == ZPopShape::kKeyed || (shape == ZPopShape::kCount && ctx.reply->resp() >= 3);
  switch (shape) {
    case ZPopShape::kSingle:
    case ZPopShape::kCount:
      ctx.reply->ArrayHeader(nested ? k : 2 * k);
      break;
    case ZPopShape::kKeyed:
      ctx.reply->ArrayHeader(2);
      ctx.reply->Bulk(key);
      ctx.reply->ArrayHeader(k);
      break;
    case ZPopShape::kBlock:
      ctx.reply->ArrayHeader(3);
      ctx.reply->Bulk(key);
      break;
  }
  zset::ForRanks(at.entry(), start, end, max, [&](std::string_view m, double s) {
    if (nested) ctx.reply->ArrayHeader(2);
    ctx.reply->Bulk(m);
    ReplyScore(ctx, s);
  });
  zset::EraseRanks(at.link, start, end);
  AfterRemoval(ctx, db, at, key, max ? "zpopmax" : "zpopmin");
}

void RegisterSortedSetCommands(CommandRegistry& r) {
  constexpr const char* kWriteFast = "@write @sortedset @fast";
  constexpr const char* kWriteSlow = "@write @sortedset @slow";
  constexpr const char* kReadFast = "@read @sortedset @fast";
  constexpr const char* kReadSlow = "@read @sortedset @slow";
  const uint32_t kW = kCmdWrite | kCmdDenyOom;
  const uint32_t kWF = kCmdWrite | kCmdDenyOom | kCmdFast;
  const uint32_t kRF = kCmdReadonly | kCmdFast;

  CommandAdder add(r);
  // Keys after a numkeys argument (and a destination key at 1 when `dest`).
  auto add_numkeys = [&add](std::string name, int arity, uint32_t flags, CommandHandler h,
                            bool dest, const char* acl) {
    add(std::move(name), arity, flags, h, dest ? 1 : 0, acl).key_finder =
        dest ? DestAndKeysAfterNumKeys : KeysAfterNumKeys<1>;
  };

  add("zadd", -4, kWF, ZAdd, 1, kWriteFast).member_arg = -1;
  add("zincrby", 4, kWF, ZIncrBy, 1, kWriteFast).member_arg = -1;
  add("zrem", -3, kCmdWrite | kCmdFast, ZRem, 1, kWriteFast).member_arg = 2;
  add("zcard", 2, kRF, ZCard, 1, kReadFast);
  add("zcount", 4, kRF, ZCount, 1, kReadFast);
  add("zscore", 3, kRF, ZScore, 1, kReadFast).member_arg = 2;
  add("zmscore", -3, kRF, ZMScore, 1, kReadFast).member_arg = 2;
  add("zrank", -3, kRF, ZRank, 1, kReadFast).member_arg = 2;
  add("zrevrank", -3, kRF, ZRevRank, 1, kReadFast).member_arg = 2;
  add("zlexcount", 4, kRF, ZLexCount, 1, kReadFast);
  add("zrange", -4, kCmdReadonly, ZRangeCmd<1, false, RangeType::kAuto, Direction::kAuto>, 1,
      kReadSlow);
  add("zrangestore", -5, kW, ZRangeCmd<2, true, RangeType::kAuto, Direction::kAuto>, 2, kWriteSlow);
  add("zrevrange", -4, kCmdReadonly, ZRangeCmd<1, false, RangeType::kRank, Direction::kReverse>, 1,
      kReadSlow);
  add("zrangebyscore", -4, kCmdReadonly,
      ZRangeCmd<1, false, RangeType::kScore, Direction::kForward>, 1, kReadSlow);
  add("zrevrangebyscore", -4, kCmdReadonly,
      ZRangeCmd<1, false, RangeType::kScore, Direction::kReverse>, 1, kReadSlow);
  add("zrangebylex", -4, kCmdReadonly, ZRangeCmd<1, false, RangeType::kLex, Direction::kForward>, 1,
      kReadSlow);
  add("zrevrangebylex", -4, kCmdReadonly, ZRangeCmd<1, false, RangeType::kLex, Direction::kReverse>,
      1, kReadSlow);
  add("zremrangebyrank", 4, kCmdWrite, ZRemRangeByRank, 1, kWriteSlow);
  add("zremrangebyscore", 4, kCmdWrite, ZRemRangeByScore, 1, kWriteSlow);
  add("zremrangebylex", 4, kCmdWrite, ZRemRangeByLex, 1, kWriteSlow);
  add("zpopmin", -2, kCmdWrite | kCmdFast, ZPopMin, 1, kWriteFast);
  add("zpopmax", -2, kCmdWrite | kCmdFast, ZPopMax, 1, kWriteFast);
  add("zrandmember", -2, kCmdReadonly, ZRandMember, 1, kReadSlow);
  add("zscan", -3, kCmdReadonly, ZScan, 1, kReadSlow);
  add_numkeys("zmpop", -4, kCmdWrite, ZMPop, false, kWriteSlow);
  add_numkeys("zunion", -3, kCmdReadonly, (ZSetOpCmd<1, SetOp::kUnion, false>), false, kReadSlow);
  add_numkeys("zunionstore", -4, kW, (ZSetOpCmd<2, SetOp::kUnion, false>), true, kWriteSlow);
  add_numkeys("zinter", -3, kCmdReadonly, (ZSetOpCmd<1, SetOp::kInter, false>), false, kReadSlow);
  add_numkeys("zinterstore", -4, kW, (ZSetOpCmd<2, SetOp::kInter, false>), true, kWriteSlow);
  add_numkeys("zintercard", -3, kCmdReadonly, (ZSetOpCmd<1, SetOp::kInter, true>), false,
              kReadSlow);
  add_numkeys("zdiff", -3, kCmdReadonly, (ZSetOpCmd<1, SetOp::kDiff, false>), false, kReadSlow);
  add_numkeys("zdiffstore", -4, kW, (ZSetOpCmd<2, SetOp::kDiff, false>), true, kWriteSlow);
}

}  // namespace redwing
