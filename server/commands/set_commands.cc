// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN, with Redis 7.0's replies and
// error texts and Redis 7.2's encodings (storage/set_type.h: intset, listpack, hashtable).
//
// Each handler runs with the shards of its keys held (see command_context.h), so the multi-key
// commands (SMOVE, the STORE forms) are atomic across shards. A table link (KeyRef) is only good
// until the next lookup in the same table, so multi-key handlers keep Entry pointers while they
// read (blocks do not move unless edited) and look a key up again right before editing it.

#include <algorithm>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "protocol/glob.h"
#include "server/collection_limits.h"
#include "server/commands/command_helpers.h"
#include "storage/set_type.h"

namespace redwing {
namespace {

constexpr std::string_view kTooManyKeys = "ERR Number of keys can't be greater than number of args";

// SPOP with a count builds a new set of the remaining members when fewer than 1/5 of the count
// would remain (Redis's SPOP_MOVE_STRATEGY_MUL); SRANDMEMBER copies the whole set when the count
// is above a third of it (SRANDMEMBER_SUB_STRATEGY_MUL).
constexpr uint64_t kSpopMoveStrategyMul = 5;
constexpr uint64_t kSrandSubStrategyMul = 3;

SetLimits Limits(const CommandContext& ctx) {
  return SetLimitsOf(ctx.engine->config());
}

uint64_t RandomBits() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

void ReplyMember(CommandContext& ctx, const SetMember& m) {
  if (m.is_int) {
    ctx.reply->BulkInt(m.integer);
  } else {
    ctx.reply->Bulk(m.str);
  }
}

// Replies every member of the set `e` under a set header (RESP3 '~').
void ReplyAll(CommandContext& ctx, const Entry* e) {
  ctx.reply->SetHeader(set_type::Size(e));
  set_type::ForEach(e, [&](const SetMember& m) { ReplyMember(ctx, m); });
}

// ---------------------------------------------------------------------------------------------
// Single-key commands.

void SAdd(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  if (IsWrongType(ctx, at.entry(), ValueType::kSet)) return;
  SetLimits limits = Limits(ctx);
  size_t n = ctx.argc() - 2;
  int64_t added = 0;
  if (at.entry() == nullptr) {
    Entry* e = set_type::Create(key, ctx.arg(2), n, limits);
    for (size_t i = 2; i < ctx.argc(); ++i)
      added += set_type::Add(&e, ctx.arg(i), limits) ? 1 : 0;
    db.Put(at, e);
  } else {
    set_type::MaybeConvert(at.link, n, limits);
    for (size_t i = 2; i < ctx.argc(); ++i)
      added += set_type::Add(at.link, ctx.arg(i), limits) ? 1 : 0;
    if (added != 0) db.Modified(key);
  }
  if (added != 0) ctx.Notify(kNotifySet, "sadd", key);
  ctx.reply->Integer(added);
}

void SRem(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  if (IsWrongType(ctx, at.entry(), ValueType::kSet)) return;
  int64_t deleted = 0;
  if (at.entry() != nullptr) {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (!set_type::Remove(at.link, ctx.arg(i))) continue;
      ++deleted;
      if (set_type::Size(at.entry()) == 0) {
        db.Erase(at);
        at.link = nullptr;
        break;
      }
    }
    if (deleted != 0 && at.link != nullptr) db.Modified(key);
  }
  if (deleted != 0) {
    ctx.Notify(kNotifySet, "srem", key);
    if (at.link == nullptr) ctx.Notify(kNotifyGeneric, "del", key);
  }
  ctx.reply->Integer(deleted);
}

void SIsMember(CommandContext& ctx) {
  Entry* e = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), true).entry();
  if (IsWrongType(ctx, e, ValueType::kSet)) return;
  ctx.reply->Integer(e != nullptr && set_type::Contains(e, ctx.arg(2)) ? 1 : 0);
}

void SMIsMember(CommandContext& ctx) {
  Entry* e = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), true).entry();
  if (IsWrongType(ctx, e, ValueType::kSet)) return;
  ctx.reply->ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i)
    ctx.reply->Integer(e != nullptr && set_type::Contains(e, ctx.arg(i)) ? 1 : 0);
}

void SCard(CommandContext& ctx) {
  Entry* e = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), true).entry();
  if (IsWrongType(ctx, e, ValueType::kSet)) return;
  ctx.reply->Integer(e == nullptr ? 0 : static_cast<int64_t>(set_type::Size(e)));
}

void SMembers(CommandContext& ctx) {
  Entry* e = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), true).entry();
  if (IsWrongType(ctx, e, ValueType::kSet)) return;
  if (e == nullptr) {
    ctx.reply->SetHeader(0);
    return;
  }
  ReplyAll(ctx, e);
}

// SPOP key count, count >= 1 and below the set's size.
void SPopSome(CommandContext& ctx, Database& db, KeyRef at, uint64_t count) {
  std::string_view key = ctx.arg(1);
  uint64_t size = set_type::Size(at.entry());
  uint64_t remaining = size - count;
  ctx.reply->SetHeader(count);
  if (remaining * kSpopMoveStrategyMul > count) {
    // Few members leave: pop them one by one.
    for (uint64_t i = 0; i < count; ++i)
      set_type::PopRandom(at.link, RandomBits(), [&](const SetMember& m) { ReplyMember(ctx, m); });
    db.Modified(key);
    return;
  }
  // Most members leave: move the few that stay to a new set, reply what is left of the old one,
  // and store the new set in its place. As in Redis, the new set starts compact (an intset if
  // the old one was, else a listpack) and grows by the usual rules.
  Encoding start =
      at.entry()->encoding() == Encoding::kIntset ? Encoding::kIntset : Encoding::kListpack;
  Entry* kept = set_type::CreateEmpty(key, start);
  SetLimits limits = Limits(ctx);
  for (uint64_t i = 0; i < remaining; ++i) {
    set_type::PopRandom(at.link, RandomBits(),
                        [&](const SetMember& m) { set_type::Add(&kept, m, limits); });
  }
  set_type::ForEach(at.entry(), [&](const SetMember& m) { ReplyMember(ctx, m); });
  if (at.entry()->has_expire()) kept = Entry::WithExpire(kept, at.entry()->expire_at_ms());
  db.Put(at, kept);
}

void SPop(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  std::string_view key = ctx.arg(1);
  int64_t count = 1;
  if (ctx.argc() == 3) {
    auto n = NonNegativeCountArg(ctx, ctx.arg(2));
    if (!n) return;
    count = *n;
  }
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  Entry* e = at.entry();
  if (e == nullptr) {
    if (ctx.argc() == 3) {
      ctx.reply->SetHeader(0);
    } else {
      ctx.reply->Null();
    }
    return;
  }
  if (IsWrongType(ctx, e, ValueType::kSet)) return;
  if (ctx.argc() == 2) {
    set_type::PopRandom(at.link, RandomBits(), [&](const SetMember& m) { ReplyMember(ctx, m); });
    ctx.Notify(kNotifySet, "spop", key);
    if (set_type::Size(at.entry()) == 0) {
      db.Erase(at);
      ctx.Notify(kNotifyGeneric, "del", key);
    } else {
      db.Modified(key);
    }
    return;
  }
  if (count == 0) {
    ctx.reply->SetHeader(0);
    return;
  }
  ctx.Notify(kNotifySet, "spop", key);
  if (static_cast<uint64_t>(count) >= set_type::Size(e)) {
    ReplyAll(ctx, e);
    db.Erase(at);
    ctx.Notify(kNotifyGeneric, "del", key);
    return;
  }
  SPopSome(ctx, db, at, static_cast<uint64_t>(count));
}

// SRANDMEMBER key count with 1 < count < size: `count` distinct members.
void SRandDistinct(CommandContext& ctx, Entry* e, uint64_t count) {
  uint64_t size = set_type::Size(e);
  ctx.reply->ArrayHeader(count);
  if (e->encoding() != Encoding::kHashtable) {
    // Compact sets are small: one pass choosing each member with the probability that leaves
    // exactly `count` chosen (selection sampling), in the set's order.
    uint64_t left = size;
    uint64_t need = count;
    set_type::ForEach(e, [&](const SetMember& m) {
      if (need != 0 && RandomBits() % left < need) {
        ReplyMember(ctx, m);
        --need;
      }
      --left;
    });
    return;
  }
  auto* set = e->object_as<SetObject>();
  std::vector<std::string_view> picked;
  picked.reserve(count);
  if (count * kSrandSubStrategyMul > size) {
    // Near the whole set: shuffle a copy of the member list partially.
    std::vector<std::string_view> all;
    all.reserve(size);
    set->ForEach([&](std::string_view m) { all.push_back(m); });
    for (uint64_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + RandomBits() % (size - i)]);
      picked.push_back(all[i]);
    }
  } else {
    std::unordered_set<std::string_view> seen;
    seen.reserve(count);
    while (picked.size() < count) {
      std::string_view m = set->Random(RandomBits());
      if (seen.insert(m).second) picked.push_back(m);
    }
  }
  for (std::string_view m : picked)
    ctx.reply->Bulk(m);
}

void SRandMember(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  std::string_view key = ctx.arg(1);
  int64_t count = 0;
  if (ctx.argc() == 3) {
    auto n = ParseInt64(ctx.arg(2));
    if (!n) {
      ctx.reply->Error(errors::kNotInteger);
      return;
    }
    if (*n == INT64_MIN) {
      ctx.reply->Error(errors::kCountOutOfRange);
      return;
    }
    count = *n;
  }
  Entry* e = ctx.Db(key).Find(key, true).entry();
  if (e == nullptr) {
    if (ctx.argc() == 3) {
      ctx.reply->ArrayHeader(0);
    } else {
      ctx.reply->Null();
    }
    return;
  }
  if (IsWrongType(ctx, e, ValueType::kSet)) return;
  if (ctx.argc() == 2) {
    ReplyMember(ctx, set_type::Random(e, RandomBits()));
    return;
  }
  if (count == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  if (count < 0 || count == 1) {
    // Repetitions allowed: independent draws.
    uint64_t n = count < 0 ? static_cast<uint64_t>(-count) : 1;
    ctx.reply->ArrayHeader(n);
    for (uint64_t i = 0; i < n; ++i)
      ReplyMember(ctx, set_type::Random(e, RandomBits()));
    return;
  }
  if (static_cast<uint64_t>(count) >= set_type::Size(e)) {
    ctx.reply->ArrayHeader(set_type::Size(e));
    set_type::ForEach(e, [&](const SetMember& m) { ReplyMember(ctx, m); });
    return;
  }
  SRandDistinct(ctx, e, static_cast<uint64_t>(count));
}

void SMove(CommandContext& ctx) {
  std::string_view src = ctx.arg(1);
  std::string_view dst = ctx.arg(2);
  std::string_view member = ctx.arg(3);
  Database& src_db = ctx.Db(src);
  Database& dst_db = ctx.Db(dst);
  Entry* s = src_db.Find(src).entry();
  Entry* d = dst_db.Find(dst).entry();
  if (s == nullptr) {
    ctx.reply->Integer(0);
    return;
  }
  if (IsWrongType(ctx, s, ValueType::kSet) || IsWrongType(ctx, d, ValueType::kSet)) return;
  if (s == d) {
    ctx.reply->Integer(set_type::Contains(s, member) ? 1 : 0);
    return;
  }
  KeyRef src_at = src_db.Find(src);
  if (!set_type::Remove(src_at.link, member)) {
    ctx.reply->Integer(0);
    return;
  }
  ctx.Notify(kNotifySet, "srem", src);
  if (set_type::Size(src_at.entry()) == 0) {
    src_db.Erase(src_at);
    ctx.Notify(kNotifyGeneric, "del", src);
  } else {
    src_db.Modified(src);
  }
  SetLimits limits = Limits(ctx);
  KeyRef dst_at = dst_db.Find(dst);
  if (dst_at.entry() == nullptr) {
    Entry* e = set_type::Create(dst, member, 1, limits);
    set_type::Add(&e, member, limits);
    dst_db.Put(dst_at, e);
    ctx.Notify(kNotifySet, "sadd", dst);
  } else if (set_type::Add(dst_at.link, member, limits)) {
    dst_db.Modified(dst);
    ctx.Notify(kNotifySet, "sadd", dst);
  }
  ctx.reply->Integer(1);
}

// ---------------------------------------------------------------------------------------------
// Multi-set commands.

// Looks up the sets named by args[first, last): a missing key is a null entry. Replies WRONGTYPE
// and returns false if one holds another type (every key is checked, as Redis does).
bool LookupSets(CommandContext& ctx, size_t first, size_t last, std::vector<Entry*>* sets) {
  sets->reserve(last - first);
  for (size_t i = first; i < last; ++i) {
    std::string_view key = ctx.arg(i);
    Entry* e = ctx.Db(key).Find(key, true).entry();
    if (IsWrongType(ctx, e, ValueType::kSet)) return false;
    sets->push_back(e);
  }
  return true;
}

// Stores a computed set under `dstkey` (replacing any value, TTL included), raises `event` and
// replies its size; an empty result deletes the key ("del") and replies 0. Takes ownership of
// `result`.
void StoreResult(CommandContext& ctx, std::string_view dstkey, Entry* result,
                 std::string_view event) {
  Database& db = ctx.Db(dstkey);
  KeyRef at = db.Find(dstkey);
  size_t size = set_type::Size(result);
  if (size == 0) {
    Entry::Free(result);
    if (at) {
      db.Erase(at);
      ctx.Notify(kNotifyGeneric, "del", dstkey);
    }
    ctx.reply->Integer(0);
    return;
  }
  db.Put(at, result);
  ctx.Notify(kNotifySet, event, dstkey);
  ctx.reply->Integer(static_cast<int64_t>(size));
}

bool IsInteger(const SetMember& m) {
  return m.is_int || ParseInt64(m.str).has_value();
}

enum class InterMode { kReply, kStore, kCardinality };

// SINTER / SINTERSTORE / SINTERCARD over the keys args[first, last). The smallest set's members
// are tested against the others.
void Intersect(CommandContext& ctx, size_t first, size_t last, InterMode mode,
               std::string_view dstkey = {}, uint64_t limit = 0) {
  std::vector<Entry*> sets;
  if (!LookupSets(ctx, first, last, &sets)) return;
  bool empty = std::find(sets.begin(), sets.end(), nullptr) != sets.end();
  if (empty) {
    if (mode == InterMode::kStore) {
      StoreResult(ctx, dstkey, set_type::CreateEmpty(dstkey, Encoding::kIntset), "sinterstore");
    } else if (mode == InterMode::kCardinality) {
      ctx.reply->Integer(0);
    } else {
      ctx.reply->SetHeader(0);
    }
    return;
  }
  std::stable_sort(sets.begin(), sets.end(), [](const Entry* a, const Entry* b) {
    return set_type::Size(a) < set_type::Size(b);
  });
  auto in_all = [&](const SetMember& m) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != sets[0] && !set_type::Contains(sets[j], m)) return false;
    }
    return true;
  };
  if (mode == InterMode::kCardinality) {
    uint64_t n = 0;
    set_type::ForEach(sets[0], [&](const SetMember& m) {
      if ((limit == 0 || n < limit) && in_all(m)) ++n;
    });
    ctx.reply->Integer(static_cast<int64_t>(n));
    return;
  }
  if (mode == InterMode::kReply) {
    std::vector<SetMember> out;
    set_type::ForEach(sets[0], [&](const SetMember& m) {
      if (in_all(m)) out.push_back(m);
    });
    ctx.reply->SetHeader(out.size());
    for (const SetMember& m : out)
      ReplyMember(ctx, m);
    return;
  }
  // As Redis 7.2: the result starts as an intset when the smallest set is one, else as a
  // listpack; it grows by the usual rules, and ends as an intset if every member is an integer.
  SetLimits limits = Limits(ctx);
  Encoding start =
      sets[0]->encoding() == Encoding::kIntset ? Encoding::kIntset : Encoding::kListpack;
  Entry* result = set_type::CreateEmpty(dstkey, start);
  bool only_integers = true;
  set_type::ForEach(sets[0], [&](const SetMember& m) {
    if (!in_all(m)) return;
    only_integers = only_integers && IsInteger(m);
    set_type::Add(&result, m, limits);
  });
  if (only_integers && set_type::Size(result) != 0) set_type::MaybeConvertToIntset(&result, limits);
  StoreResult(ctx, dstkey, result, "sinterstore");
}

// SUNION / SDIFF and their STORE forms over the keys args[first, last). The result is built as
// a new set starting from an empty intset (so its encoding follows the usual growth rules); the
// plain forms reply its members (RESP3 set) and free it.
void UnionOrDiff(CommandContext& ctx, size_t first, size_t last, bool diff, std::string_view dstkey,
                 bool store) {
  std::vector<Entry*> sets;
  if (!LookupSets(ctx, first, last, &sets)) return;
  SetLimits limits = Limits(ctx);
  Entry* result = set_type::CreateEmpty(dstkey, Encoding::kIntset);
  if (!diff) {
    for (Entry* s : sets) {
      if (s == nullptr) continue;
      set_type::ForEach(s, [&](const SetMember& m) { set_type::Add(&result, m, limits); });
    }
  } else if (sets[0] != nullptr && std::find(sets.begin() + 1, sets.end(), sets[0]) == sets.end()) {
    // Redis's choice of algorithm: test each member of the first set against the others
    // (work ~ |first| * sets / 2), or copy the first set and remove the others' members
    // (work ~ sum of sizes).
    uint64_t one = 0;
    uint64_t two = 0;
    for (Entry* s : sets) {
      if (s == nullptr) continue;
      one += set_type::Size(sets[0]);
      two += set_type::Size(s);
    }
    if (one / 2 <= two) {
      set_type::ForEach(sets[0], [&](const SetMember& m) {
        for (size_t j = 1; j < sets.size(); ++j) {
          if (sets[j] != nullptr && set_type::Contains(sets[j], m)) return;
        }
        set_type::Add(&result, m, limits);
      });
    } else {
      set_type::ForEach(sets[0], [&](const SetMember& m) { set_type::Add(&result, m, limits); });
      char buf[kMaxIntChars];
      for (size_t j = 1; j < sets.size() && set_type::Size(result) != 0; ++j) {
        if (sets[j] == nullptr) continue;
        set_type::ForEach(sets[j],
                          [&](const SetMember& m) { set_type::Remove(&result, m.Text(buf)); });
      }
    }
  }
  if (store) {
    StoreResult(ctx, dstkey, result, diff ? "sdiffstore" : "sunionstore");
    return;
  }
  ReplyAll(ctx, result);
  Entry::Free(result);
}

void SInter(CommandContext& ctx) {
  Intersect(ctx, 1, ctx.argc(), InterMode::kReply);
}

void SInterStore(CommandContext& ctx) {
  Intersect(ctx, 2, ctx.argc(), InterMode::kStore, ctx.arg(1));
}

void SInterCard(CommandContext& ctx) {
  auto n = ParseInt64(ctx.arg(1));
  if (!n || *n < 1) {
    ctx.reply->Error(errors::kNumKeysPositive);
    return;
  }
  if (*n > static_cast<int64_t>(ctx.argc()) - 2) {
    ctx.reply->Error(kTooManyKeys);
    return;
  }
  size_t end = 2 + static_cast<size_t>(*n);
  uint64_t limit = 0;
  for (size_t i = end; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "limit") && i + 1 < ctx.argc()) {
      auto l = ParseInt64(ctx.arg(++i));
      if (!l || *l < 0) {
        ctx.reply->Error(errors::kLimitNegative);
        return;
      }
      limit = static_cast<uint64_t>(*l);
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  Intersect(ctx, 2, end, InterMode::kCardinality, {}, limit);
}

void SUnion(CommandContext& ctx) {
  UnionOrDiff(ctx, 1, ctx.argc(), false, {}, false);
}

void SUnionStore(CommandContext& ctx) {
  UnionOrDiff(ctx, 2, ctx.argc(), false, ctx.arg(1), true);
}

void SDiff(CommandContext& ctx) {
  UnionOrDiff(ctx, 1, ctx.argc(), true, {}, false);
}

void SDiffStore(CommandContext& ctx) {
  UnionOrDiff(ctx, 2, ctx.argc(), true, ctx.arg(1), true);
}

// ---------------------------------------------------------------------------------------------
// SSCAN.

void SScan(CommandContext& ctx) {
  auto cursor = ScanCursorArg(ctx, ctx.arg(2));
  if (!cursor) return;
  Entry* e = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), true).entry();
  if (e == nullptr) {
    ReplyScanHeader(ctx, 0, 0);
    return;
  }
  if (IsWrongType(ctx, e, ValueType::kSet)) return;
  ScanOptions opt;
  if (!ParseScanOptions(ctx, 3, /*allow_type=*/false, &opt)) return;
  std::vector<SetMember> found;
  uint64_t next = 0;
  if (e->encoding() != Encoding::kHashtable) {
    // Compact sets answer whole, with cursor 0, as Redis does.
    set_type::ForEach(e, [&](const SetMember& m) { found.push_back(m); });
  } else {
    auto* set = e->object_as<SetObject>();
    int64_t steps = opt.MaxSteps();
    next = *cursor;
    do {
      next = set->Scan(next, [&](std::string_view m) {
        SetMember sm;
        sm.str = m;
        found.push_back(sm);
      });
    } while (next != 0 && steps-- > 0 && static_cast<int64_t>(found.size()) < opt.count);
  }
  if (opt.use_pattern) {
    char buf[kMaxIntChars];
    std::erase_if(found, [&](const SetMember& m) { return !opt.Matches(m.Text(buf)); });
  }
  ReplyScanHeader(ctx, next, found.size());
  for (const SetMember& m : found)
    ReplyMember(ctx, m);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Registration.

void RegisterSetCommands(CommandRegistry& r) {
  constexpr const char* kWriteFast = "@write @set @fast";
  constexpr const char* kWriteSlow = "@write @set @slow";
  constexpr const char* kReadFast = "@read @set @fast";
  constexpr const char* kReadSlow = "@read @set @slow";
  CommandAdder add(r);
  const uint32_t kW = kCmdWrite | kCmdDenyOom;
  const uint32_t kWF = kCmdWrite | kCmdFast;
  const uint32_t kRF = kCmdReadonly | kCmdFast;

  // name, arity, flags, handler, last key, ACL categories
  add("sadd", -3, kW | kCmdFast, SAdd, 1, kWriteFast).member_arg = 2;
  add("srem", -3, kWF, SRem, 1, kWriteFast).member_arg = 2;
  add("smembers", 2, kCmdReadonly, SMembers, 1, kReadSlow);
  add("sismember", 3, kRF, SIsMember, 1, kReadFast).member_arg = 2;
  add("smismember", -3, kRF, SMIsMember, 1, kReadFast).member_arg = 2;
  add("scard", 2, kRF, SCard, 1, kReadFast);
  add("spop", -2, kWF, SPop, 1, kWriteFast);
  add("srandmember", -2, kCmdReadonly, SRandMember, 1, kReadSlow);
  add("smove", 4, kWF, SMove, 2, kWriteFast);
  add("sinter", -2, kCmdReadonly, SInter, -1, kReadSlow);
  add("sinterstore", -3, kW, SInterStore, -1, kWriteSlow);
  add("sunion", -2, kCmdReadonly, SUnion, -1, kReadSlow);
  add("sunionstore", -3, kW, SUnionStore, -1, kWriteSlow);
  add("sdiff", -2, kCmdReadonly, SDiff, -1, kReadSlow);
  add("sdiffstore", -3, kW, SDiffStore, -1, kWriteSlow);
  add("sscan", -3, kCmdReadonly, SScan, 1, kReadSlow);
  add("sintercard", -3, kCmdReadonly, SInterCard, 0, kReadSlow).key_finder = KeysAfterNumKeys<1>;
}

}  // namespace redwing
