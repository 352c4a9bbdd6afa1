// String commands: SET and its variants (SETNX SETEX PSETEX GETSET MSET MSETNX), reads (GET MGET
// GETEX GETDEL STRLEN GETRANGE SUBSTR LCS), in-place edits (APPEND SETRANGE) and counters (INCR
// DECR INCRBY DECRBY INCRBYFLOAT), with Redis 7.0's option rules, replies and error texts.
//
// Each handler runs with the shards of its keys held (see command_context.h). The common commands
// avoid heap temporaries: values are copied from the arguments straight into entries, and replies
// from entries straight into the output buffer.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "server/commands/command_helpers.h"

namespace redwing {
namespace {

// ---------------------------------------------------------------------------------------------
// Shared pieces.

// The longest string a command may build. Entries store lengths in 32 bits, so a configured
// proto-max-bulk-len above 4 GiB is capped here.
int64_t MaxStringLen(const CommandContext& ctx) {
  int64_t limit = ctx.engine->config().proto_max_bulk_len();
  return std::min<int64_t>(limit, std::numeric_limits<uint32_t>::max());
}

// Replies the size error (and returns true) if `base + extra` bytes would exceed the limit.
bool TooLong(CommandContext& ctx, uint64_t base, uint64_t extra) {
  uint64_t limit = static_cast<uint64_t>(MaxStringLen(ctx));
  if (base <= limit && extra <= limit - base) return false;
  ctx.reply->Error(errors::kStringTooLong);
  return true;
}

// Stores `value` under the key at `at`, with the given expiry (-1: none), replacing whatever is
// there. Overwrites in place when the block has the right shape, which saves an allocation for
// the common "same-size value" update.
void StoreString(Database& db, KeyRef at, std::string_view key, std::string_view value,
                 int64_t expire_at_ms) {
  Entry* old = at.entry();
  bool want_expire = expire_at_ms >= 0;
  if (old != nullptr && old->type() == ValueType::kString && !old->raw_encoding() &&
      old->string_len() == value.size() && old->has_expire() == want_expire) {
    if (!value.empty()) std::memcpy(old->mutable_string_data(), value.data(), value.size());
    if (want_expire) old->set_expire_at_ms(expire_at_ms);
    db.Modified(key);
    return;
  }
  db.Put(at, Entry::NewString(key, value, expire_at_ms, db.key_links()));
}

// Replaces the value of the existing string entry at `at`, keeping its expiry (INCR and friends).
// A value grown by APPEND/SETRANGE gets a fresh block so that it no longer reports "raw".
void ReplaceValueKeepTtl(Database& db, KeyRef at, std::string_view value) {
  Entry* e = at.entry();
  if (e->raw_encoding()) {
    int64_t expire = e->has_expire() ? e->expire_at_ms() : -1;
    db.Put(at, Entry::NewString(e->key(), value, expire, db.key_links()));
    return;
  }
  if (e->string_len() != value.size()) {
    e = Entry::ResizeString(e, value.size());
    db.Relink(at, e);
  }
  if (!value.empty()) std::memcpy(e->mutable_string_data(), value.data(), value.size());
  db.Modified(e->key());
}

// ---------------------------------------------------------------------------------------------
// SET / GETEX options.

enum StringOption : uint32_t {
  kOptNx = 1u << 0,
  kOptXx = 1u << 1,
  kOptGet = 1u << 2,
  kOptKeepTtl = 1u << 3,
  kOptPersist = 1u << 4,
  kOptEx = 1u << 5,
  kOptPx = 1u << 6,
  kOptExAt = 1u << 7,
  kOptPxAt = 1u << 8,
};
constexpr uint32_t kOptAnyExpire = kOptEx | kOptPx | kOptExAt | kOptPxAt;
constexpr uint32_t kSetOptions = kOptNx | kOptXx | kOptGet | kOptKeepTtl | kOptAnyExpire;
constexpr uint32_t kGetExOptions = kOptPersist | kOptAnyExpire;

struct StringOptions {
  uint32_t flags = 0;
  std::string_view expire;  // the EX/PX/EXAT/PXAT argument, if one was given
};

struct OptionName {
  std::string_view name;
  uint32_t flag;
  // Options that may not appear together with this one.
  uint32_t conflicts;
};

// Redis lets an option repeat (the last expiry wins) but rejects contradictory pairs.
constexpr OptionName kOptionNames[] = {
    {"nx", kOptNx, kOptXx},
    {"xx", kOptXx, kOptNx},
    {"get", kOptGet, 0},
    {"keepttl", kOptKeepTtl, kOptPersist | kOptAnyExpire},
    {"persist", kOptPersist, kOptKeepTtl | kOptAnyExpire},
    {"ex", kOptEx, kOptKeepTtl | kOptPersist | (kOptAnyExpire & ~kOptEx)},
    {"px", kOptPx, kOptKeepTtl | kOptPersist | (kOptAnyExpire & ~kOptPx)},
    {"exat", kOptExAt, kOptKeepTtl | kOptPersist | (kOptAnyExpire & ~kOptExAt)},
    {"pxat", kOptPxAt, kOptKeepTtl | kOptPersist | (kOptAnyExpire & ~kOptPxAt)},
};

// Parses the options from argument `from` on, accepting only those in `allowed`. Replies the
// syntax error and returns false on anything else.
bool ParseStringOptions(CommandContext& ctx, size_t from, uint32_t allowed, StringOptions* out) {
  for (size_t i = from; i < ctx.argc(); ++i) {
    const OptionName* match = nullptr;
    for (const OptionName& o : kOptionNames) {
      if ((o.flag & allowed) != 0 && EqualsIgnoreCase(ctx.arg(i), o.name)) match = &o;
    }
    bool takes_value = match != nullptr && (match->flag & kOptAnyExpire) != 0;
    if (match == nullptr || (out->flags & match->conflicts) != 0 ||
        (takes_value && i + 1 >= ctx.argc())) {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
    out->flags |= match->flag;
    if (takes_value) out->expire = ctx.arg(++i);
  }
  return true;
}

// Converts an expiry argument (seconds or ms, relative or absolute, per `flags`) to an absolute
// time in ms. Replies the error and returns nothing if it is not a positive integer or overflows.
std::optional<int64_t> ExpireAtMs(CommandContext& ctx, std::string_view arg, uint32_t flags,
                                  int64_t now_ms) {
  auto v = IntArg(ctx, arg);
  if (!v) return std::nullopt;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  bool seconds = (flags & (kOptEx | kOptExAt)) != 0;
  bool relative = (flags & (kOptEx | kOptPx)) != 0;
  int64_t ms = *v;
  bool valid = ms > 0 && !(seconds && ms > kMax / 1000);
  if (valid && seconds) ms *= 1000;
  if (valid && relative) {
    valid = ms <= kMax - now_ms;
    if (valid) ms += now_ms;
  }
  if (!valid) {
    ctx.reply->Error(errors::InvalidExpire(ctx.spec->name));
    return std::nullopt;
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// SET family.

// How SET-like commands answer when they store (`stored`) or skip because of NX/XX (`skipped`).
enum class SetReply { kOk, kNull, kOne, kZero };

void EmitSetReply(CommandContext& ctx, SetReply r) {
  switch (r) {
    case SetReply::kOk:
      ctx.reply->Ok();
      break;
    case SetReply::kNull:
      ctx.reply->Null();
      break;
    case SetReply::kOne:
      ctx.reply->Integer(1);
      break;
    case SetReply::kZero:
      ctx.reply->Integer(0);
      break;
  }
}

void SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                const StringOptions& opt, SetReply stored, SetReply skipped) {
  Database& db = ctx.Db(key);
  int64_t expire_at = -1;
  if (opt.flags & kOptAnyExpire) {
    auto at_ms = ExpireAtMs(ctx, opt.expire, opt.flags, db.now_ms());
    if (!at_ms) return;
    expire_at = *at_ms;
  }
  const bool get = (opt.flags & kOptGet) != 0;
  KeyRef at = db.Find(key, /*for_read=*/get);
  Entry* old = at.entry();
  if (get) {
    // The old value is reported before the NX/XX decision, and a non-string aborts the SET.
    if (IsWrongType(ctx, old, ValueType::kString)) return;
    if (old != nullptr) {
      ctx.reply->Bulk(old->string_value());
    } else {
      ctx.reply->Null();
    }
  }
  if (((opt.flags & kOptNx) && old != nullptr) || ((opt.flags & kOptXx) && old == nullptr)) {
    if (!get) EmitSetReply(ctx, skipped);
    return;
  }
  if ((opt.flags & kOptKeepTtl) && old != nullptr && old->has_expire()) {
    expire_at = old->expire_at_ms();
  }
  StoreString(db, at, key, value, expire_at);
  ctx.Notify(kNotifyString, "set", key);
  if (opt.flags & kOptAnyExpire) ctx.Notify(kNotifyGeneric, "expire", key);
  if (!get) EmitSetReply(ctx, stored);
}

void Set(CommandContext& ctx) {
  StringOptions opt;
  if (!ParseStringOptions(ctx, 3, kSetOptions, &opt)) return;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), opt, SetReply::kOk, SetReply::kNull);
}

void SetNx(CommandContext& ctx) {
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), {.flags = kOptNx}, SetReply::kOne, SetReply::kZero);
}

void SetEx(CommandContext& ctx) {
  SetGeneric(ctx, ctx.arg(1), ctx.arg(3), {.flags = kOptEx, .expire = ctx.arg(2)}, SetReply::kOk,
             SetReply::kOk);
}

void PSetEx(CommandContext& ctx) {
  SetGeneric(ctx, ctx.arg(1), ctx.arg(3), {.flags = kOptPx, .expire = ctx.arg(2)}, SetReply::kOk,
             SetReply::kOk);
}

void GetSet(CommandContext& ctx) {
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), {.flags = kOptGet}, SetReply::kOk, SetReply::kOk);
}

void MSetGeneric(CommandContext& ctx, bool only_if_none_exist) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply->Error(errors::WrongArity(ctx.spec->name));
    return;
  }
  if (only_if_none_exist) {
    for (size_t i = 1; i < ctx.argc(); i += 2) {
      if (ctx.Db(ctx.arg(i)).Find(ctx.arg(i))) {
        ctx.reply->Integer(0);
        return;
      }
    }
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    Database& db = ctx.Db(ctx.arg(i));
    StoreString(db, db.Find(ctx.arg(i)), ctx.arg(i), ctx.arg(i + 1), -1);
    ctx.Notify(kNotifyString, "set", ctx.arg(i));
  }
  if (only_if_none_exist) {
    ctx.reply->Integer(1);
  } else {
    ctx.reply->Ok();
  }
}

void MSet(CommandContext& ctx) {
  MSetGeneric(ctx, false);
}
void MSetNx(CommandContext& ctx) {
  MSetGeneric(ctx, true);
}

// ---------------------------------------------------------------------------------------------
// Reads.

void Get(CommandContext& ctx) {
  Entry* e = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), /*for_read=*/true).entry();
  if (e == nullptr) {
    ctx.reply->Null();
  } else if (!IsWrongType(ctx, e, ValueType::kString)) {
    ctx.reply->Bulk(e->string_value());
  }
}

void MGet(CommandContext& ctx) {
  ctx.reply->ArrayHeader(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Entry* e = ctx.Db(ctx.arg(i)).Find(ctx.arg(i), /*for_read=*/true).entry();
    // MGET never fails: a key of another type reads as missing.
    if (e != nullptr && e->type() == ValueType::kString) {
      ctx.reply->Bulk(e->string_value());
    } else {
      ctx.reply->Null();
    }
  }
}

void GetEx(CommandContext& ctx) {
  StringOptions opt;
  if (!ParseStringOptions(ctx, 2, kGetExOptions, &opt)) return;
  Database& db = ctx.Db(ctx.arg(1));
  KeyRef at = db.Find(ctx.arg(1), /*for_read=*/true);
  Entry* e = at.entry();
  if (e == nullptr) {
    ctx.reply->Null();
    return;
  }
  if (IsWrongType(ctx, e, ValueType::kString)) return;
  int64_t expire_at = -1;
  if (opt.flags & kOptAnyExpire) {
    auto at_ms = ExpireAtMs(ctx, opt.expire, opt.flags, db.now_ms());
    if (!at_ms) return;
    expire_at = *at_ms;
  }
  ctx.reply->Bulk(e->string_value());
  // Only an absolute time can already be past; the key then goes at once.
  std::string_view key = ctx.arg(1);
  if ((opt.flags & (kOptExAt | kOptPxAt)) && expire_at <= db.now_ms()) {
    db.Erase(at);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else if (expire_at >= 0) {
    db.SetExpire(at, expire_at);
    ctx.Notify(kNotifyGeneric, "expire", key);
  } else if ((opt.flags & kOptPersist) && e->has_expire()) {
    db.SetExpire(at, -1);
    ctx.Notify(kNotifyGeneric, "persist", key);
  }
}

void GetDel(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.arg(1));
  KeyRef at = db.Find(ctx.arg(1), /*for_read=*/true);
  Entry* e = at.entry();
  if (e == nullptr) {
    ctx.reply->Null();
    return;
  }
  if (IsWrongType(ctx, e, ValueType::kString)) return;
  ctx.reply->Bulk(e->string_value());
  db.Erase(at);
  ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
}

void StrLen(CommandContext& ctx) {
  Entry* e = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), /*for_read=*/true).entry();
  if (IsWrongType(ctx, e, ValueType::kString)) return;
  ctx.reply->Integer(e == nullptr ? 0 : static_cast<int64_t>(e->string_len()));
}

// GETRANGE and SUBSTR: inclusive range, negative indexes count from the end, clamped to the
// string.
void GetRange(CommandContext& ctx) {
  auto start = IntArg(ctx, ctx.arg(2));
  if (!start) return;
  auto end = IntArg(ctx, ctx.arg(3));
  if (!end) return;
  Entry* e = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), /*for_read=*/true).entry();
  if (IsWrongType(ctx, e, ValueType::kString)) return;
  std::string_view s = e != nullptr ? e->string_value() : std::string_view();
  const int64_t len = static_cast<int64_t>(s.size());
  int64_t from = *start;
  int64_t to = *end;
  // Both negative and reversed: empty even though clamping would make them overlap.
  if (from < 0 && to < 0 && from > to) {
    ctx.reply->Bulk({});
    return;
  }
  if (from < 0) from = std::max<int64_t>(0, len + from);
  if (to < 0) to = std::max<int64_t>(0, len + to);
  to = std::min(to, len - 1);
  if (len == 0 || from > to) {
    ctx.reply->Bulk({});
    return;
  }
  ctx.reply->Bulk(s.substr(static_cast<size_t>(from), static_cast<size_t>(to - from + 1)));
}

// ---------------------------------------------------------------------------------------------
// In-place edits.

void Append(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  std::string_view add = ctx.arg(2);
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  Entry* e = at.entry();
  if (e == nullptr) {
    db.Put(at, Entry::NewString(key, add, -1, db.key_links()));
    ctx.Notify(kNotifyString, "append", key);
    ctx.reply->Integer(static_cast<int64_t>(add.size()));
    return;
  }
  if (IsWrongType(ctx, e, ValueType::kString)) return;
  size_t old_len = e->string_len();
  if (TooLong(ctx, old_len, add.size())) return;
  e = Entry::ResizeString(e, old_len + add.size());
  db.Relink(at, e);
  if (!add.empty()) std::memcpy(e->mutable_string_data() + old_len, add.data(), add.size());
  e->set_raw_encoding();
  db.Modified(key);
  ctx.Notify(kNotifyString, "append", key);
  ctx.reply->Integer(static_cast<int64_t>(old_len + add.size()));
}

// Makes the string at `at` (or a new one) at least `len` bytes long, zero-filling the gap.
Entry* GrowZeroFilled(Database& db, KeyRef at, std::string_view key, size_t len) {
  Entry* e = at.entry();
  bool created = e == nullptr;
  if (created) e = Entry::NewString(key, {}, -1, db.key_links());
  size_t old_len = e->string_len();
  if (len > old_len) {
    e = Entry::ResizeString(e, len);
    std::memset(e->mutable_string_data() + old_len, 0, len - old_len);
  }
  if (created) {
    db.Put(at, e);
  } else {
    db.Relink(at, e);
  }
  return e;
}

void SetRange(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  std::string_view value = ctx.arg(3);
  auto offset = IntArg(ctx, ctx.arg(2));
  if (!offset) return;
  if (*offset < 0) {
    ctx.reply->Error(errors::kOffsetOutOfRange);
    return;
  }
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  Entry* e = at.entry();
  if (IsWrongType(ctx, e, ValueType::kString)) return;
  // Writing nothing changes nothing (and creates nothing): just report the length.
  if (value.empty()) {
    ctx.reply->Integer(e == nullptr ? 0 : static_cast<int64_t>(e->string_len()));
    return;
  }
  size_t off = static_cast<size_t>(*offset);
  if (TooLong(ctx, off, value.size())) return;
  e = GrowZeroFilled(db, at, key, off + value.size());
  std::memcpy(e->mutable_string_data() + off, value.data(), value.size());
  e->set_raw_encoding();
  db.Modified(key);
  ctx.Notify(kNotifyString, "setrange", key);
  ctx.reply->Integer(static_cast<int64_t>(e->string_len()));
}

// ---------------------------------------------------------------------------------------------
// Counters.

void IncrBy(CommandContext& ctx, int64_t delta) {
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  Entry* e = at.entry();
  if (IsWrongType(ctx, e, ValueType::kString)) return;
  int64_t value = 0;
  if (e != nullptr) {
    auto v = ParseInt64(e->string_value());
    if (!v) {
      ctx.reply->Error(errors::kNotInteger);
      return;
    }
    value = *v;
  }
  int64_t result;
  if (__builtin_add_overflow(value, delta, &result)) {
    ctx.reply->Error(errors::kOverflow);
    return;
  }
  char buf[kMaxIntChars];
  std::string_view text(buf, FormatInt64(result, buf));
  if (e == nullptr) {
    db.Put(at, Entry::NewString(key, text, -1, db.key_links()));
  } else {
    ReplaceValueKeepTtl(db, at, text);
  }
  ctx.Notify(kNotifyString, "incrby", key);
  ctx.reply->Integer(result);
}

void Incr(CommandContext& ctx) {
  IncrBy(ctx, 1);
}
void Decr(CommandContext& ctx) {
  IncrBy(ctx, -1);
}

void IncrByCmd(CommandContext& ctx) {
  if (auto delta = IntArg(ctx, ctx.arg(2))) IncrBy(ctx, *delta);
}

void DecrByCmd(CommandContext& ctx) {
  auto delta = IntArg(ctx, ctx.arg(2));
  if (!delta) return;
  // The smallest integer has no positive counterpart to subtract.
  if (*delta == std::numeric_limits<int64_t>::min()) {
    ctx.reply->Error("ERR decrement would overflow");
    return;
  }
  IncrBy(ctx, -*delta);
}

void IncrByFloat(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  Entry* e = at.entry();
  if (IsWrongType(ctx, e, ValueType::kString)) return;
  long double value = 0;
  if (e != nullptr) {
    auto v = ParseLongDouble(e->string_value());
    if (!v) {
      ctx.reply->Error(errors::kNotFloat);
      return;
    }
    value = *v;
  }
  auto incr = ParseLongDouble(ctx.arg(2));
  if (!incr) {
    ctx.reply->Error(errors::kNotFloat);
    return;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply->Error(errors::kIncrFloatNaN);
    return;
  }
  std::string text = FormatLongDoubleHuman(value);
  if (e == nullptr) {
    db.Put(at, Entry::NewString(key, text, -1, db.key_links()));
  } else {
    ReplaceValueKeepTtl(db, at, text);
  }
  ctx.Notify(kNotifyString, "incrbyfloat", key);
  ctx.reply->Bulk(text);
}

// ---------------------------------------------------------------------------------------------
// LCS.

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
};

bool ParseLcsOptions(CommandContext& ctx, LcsOptions* o) {
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "idx")) {
      o->idx = true;
    } else if (EqualsIgnoreCase(a, "len")) {
      o->len = true;
    } else if (EqualsIgnoreCase(a, "withmatchlen")) {
      o->with_match_len = true;
    } else if (EqualsIgnoreCase(a, "minmatchlen") && i + 1 < ctx.argc()) {
      auto v = IntArg(ctx, ctx.arg(++i));
      if (!v) return false;
      o->min_match_len = std::max<int64_t>(0, *v);
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
  }
  if (o->idx && o->len) {
    ctx.reply->Error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

// One run of consecutive matching bytes: [a_start, a_end] in the first string, [b_start, b_end]
// in the second.
struct LcsRange {
  uint32_t a_start, a_end, b_start, b_end;
  uint32_t length() const { return a_end - a_start + 1; }
};

// The dynamic-programming table of LCS lengths: cell (i, j) holds the LCS length of the first i
// bytes of `a` and the first j bytes of `b`.
class LcsTable {
 public:
  LcsTable(std::string_view a, std::string_view b, uint32_t* cells)
      : a_(a), b_(b), cols_(b.size() + 1), cells_(cells) {
    for (size_t i = 0; i <= a.size(); ++i) {
      for (size_t j = 0; j <= b.size(); ++j) {
        uint32_t v = 0;
        if (i > 0 && j > 0) {
          v = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
        }
        cells_[i * cols_ + j] = v;
      }
    }
  }
  uint32_t at(size_t i, size_t j) const { return cells_[i * cols_ + j]; }
  uint32_t length() const { return at(a_.size(), b_.size()); }

  // Walks back from the end, filling `lcs` (sized length()) and listing the matching runs from
  // last to first. On a tie the walk moves along `b`, which fixes which LCS is reported.
  void Backtrack(std::string* lcs, std::vector<LcsRange>* ranges) const {
    size_t i = a_.size(), j = b_.size(), k = lcs->size();
    bool open = false;
    LcsRange r{};
    while (i > 0 && j > 0) {
      if (a_[i - 1] == b_[j - 1]) {
        (*lcs)[--k] = a_[i - 1];
        if (!open) {
          r.a_end = static_cast<uint32_t>(i - 1);
          r.b_end = static_cast<uint32_t>(j - 1);
          open = true;
        }
        r.a_start = static_cast<uint32_t>(--i);
        r.b_start = static_cast<uint32_t>(--j);
        if (i > 0 && j > 0) continue;
      } else if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (open) ranges->push_back(r);
      open = false;
    }
  }

 private:
  std::string_view a_, b_;
  size_t cols_;
  uint32_t* cells_;
};

void ReplyLcsIdx(CommandContext& ctx, const LcsOptions& o, const std::vector<LcsRange>& ranges,
                 uint32_t total) {
  ReplyBuilder& r = *ctx.reply;
  size_t shown = 0;
  for (const LcsRange& m : ranges) {
    if (m.length() >= o.min_match_len) ++shown;
  }
  r.MapHeader(2);
  r.Bulk("matches");
  r.ArrayHeader(shown);
  for (const LcsRange& m : ranges) {
    if (m.length() < o.min_match_len) continue;
    r.ArrayHeader(o.with_match_len ? 3 : 2);
    r.ArrayHeader(2);
    r.Integer(m.a_start);
    r.Integer(m.a_end);
    r.ArrayHeader(2);
    r.Integer(m.b_start);
    r.Integer(m.b_end);
    if (o.with_match_len) r.Integer(m.length());
  }
  r.Bulk("len");
  r.Integer(total);
}

// Looks up one LCS operand: a missing key reads as the empty string.
bool LcsOperand(CommandContext& ctx, std::string_view key, std::string_view* out) {
  Entry* e = ctx.Db(key).Find(key, /*for_read=*/true).entry();
  if (e != nullptr && e->type() != ValueType::kString) return false;
  *out = e != nullptr ? e->string_value() : std::string_view();
  return true;
}

void Lcs(CommandContext& ctx) {
  std::string_view a, b;
  bool a_ok = LcsOperand(ctx, ctx.arg(1), &a);
  if (!LcsOperand(ctx, ctx.arg(2), &b) || !a_ok) {
    ctx.reply->Error("ERR The specified keys must contain string values");
    return;
  }
  LcsOptions o;
  if (!ParseLcsOptions(ctx, &o)) return;
  constexpr size_t kMaxOperand = std::numeric_limits<uint32_t>::max() - 1;
  if (a.size() >= kMaxOperand || b.size() >= kMaxOperand) {
    ctx.reply->Error("ERR String too long for LCS");
    return;
  }
  // The table is transient but can be huge: bound it like any other value.
  uint64_t cells = static_cast<uint64_t>(a.size() + 1) * (b.size() + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(ctx.engine->config().proto_max_bulk_len())) {
    ctx.reply->Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  std::unique_ptr<uint32_t[]> storage(new (std::nothrow) uint32_t[cells]);
  if (!storage) {
    ctx.reply->Error("ERR Insufficient memory, failed allocating transient memory for LCS");
    return;
  }
  LcsTable table(a, b, storage.get());
  if (o.len) {
    ctx.reply->Integer(table.length());
    return;
  }
  std::string lcs(table.length(), '\0');
  std::vector<LcsRange> ranges;
  table.Backtrack(&lcs, &ranges);
  if (o.idx) {
    ReplyLcsIdx(ctx, o, ranges, table.length());
  } else {
    ctx.reply->Bulk(lcs);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Registration.

void RegisterStringCommands(CommandRegistry& r) {
  constexpr const char* kWriteFast = "@write @string @fast";
  constexpr const char* kWriteSlow = "@write @string @slow";
  constexpr const char* kReadFast = "@read @string @fast";
  constexpr const char* kReadSlow = "@read @string @slow";

  CommandAdder add(r);
  const uint32_t kW = kCmdWrite | kCmdDenyOom;
  const uint32_t kWF = kCmdWrite | kCmdDenyOom | kCmdFast;
  const uint32_t kRF = kCmdReadonly | kCmdFast;

  // name, arity, flags, handler, last key, ACL categories[, key step]
  add("get", 2, kRF, Get, 1, kReadFast);
  add("set", -3, kW, Set, 1, kWriteSlow);
  add("setnx", 3, kWF, SetNx, 1, kWriteFast);
  add("setex", 4, kW, SetEx, 1, kWriteSlow);
  add("psetex", 4, kW, PSetEx, 1, kWriteSlow);
  add("getset", 3, kWF, GetSet, 1, kWriteFast);
  add("getex", -2, kCmdWrite | kCmdFast, GetEx, 1, kWriteFast);
  add("getdel", 2, kCmdWrite | kCmdFast, GetDel, 1, kWriteFast);
  add("mget", -2, kRF, MGet, -1, kReadFast).split = SplitReply::kArray;
  add("mset", -3, kW, MSet, -1, kWriteSlow, 2).split = SplitReply::kOk;
  add("msetnx", -3, kW, MSetNx, -1, kWriteSlow, 2);
  add("append", 3, kWF, Append, 1, kWriteFast);
  add("strlen", 2, kRF, StrLen, 1, kReadFast);
  add("getrange", 4, kCmdReadonly, GetRange, 1, kReadSlow);
  add("substr", 4, kCmdReadonly, GetRange, 1, kReadSlow);
  add("setrange", 4, kW, SetRange, 1, kWriteSlow);
  add("incr", 2, kWF, Incr, 1, kWriteFast);
  add("decr", 2, kWF, Decr, 1, kWriteFast);
  add("incrby", 3, kWF, IncrByCmd, 1, kWriteFast);
  add("decrby", 3, kWF, DecrByCmd, 1, kWriteFast);
  add("incrbyfloat", 3, kWF, IncrByFloat, 1, kWriteFast);
  add("lcs", -3, kCmdReadonly, Lcs, 2, kReadSlow);
}

}  // namespace redwing
