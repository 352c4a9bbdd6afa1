// Hash commands: HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HDEL HEXISTS HLEN HSTRLEN
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, with Redis 7.0's replies and error texts.
//
// A hash lives in its key's entry as a listpack of alternating field, value (storage/
// hash_object.h) until it passes hash-max-listpack-entries fields or a field or value passes
// hash-max-listpack-value bytes; then it becomes a HashObject ("hashtable") for good. Replies are
// written straight from the encoding: no per-request heap temporaries in the common commands.

#include <algorithm>
#include <climits>
#include <cmath>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "protocol/glob.h"
#include "server/collection_limits.h"
#include "server/commands/command_helpers.h"
#include "storage/hash_object.h"

namespace redwing {
namespace {

constexpr std::string_view kHashValueNotInteger = "ERR hash value is not an integer";
constexpr std::string_view kHashValueNotFloat = "ERR hash value is not a float";
constexpr std::string_view kValueNanOrInfinity = "ERR value is NaN or Infinity";

HashLimits Limits(const CommandContext& ctx) {
  return HashLimitsOf(ctx.engine->config());
}

// The hash at `key` for a read: nullptr if there is none, or if the key holds another type (then
// WRONGTYPE has been replied and `*failed` is set).
Entry* FindHashForRead(CommandContext& ctx, std::string_view key, bool* failed) {
  Entry* e = ctx.Db(key).Find(key, /*for_read=*/true).entry();
  *failed = IsWrongType(ctx, e, ValueType::kHash);
  return *failed ? nullptr : e;
}

// Creates an empty hash at `at` (from Find: the key is missing) and returns its table link.
Entry** CreateHash(Database& db, KeyRef at, std::string_view key) {
  db.Put(at, hash::NewEntry(key));
  return db.table().Find(key, at.hash);
}

// The hash at `key` for a write, created empty if missing. Returns its table link, or nullptr
// after replying WRONGTYPE.
Entry** FindOrCreateHash(CommandContext& ctx, Database& db, std::string_view key) {
  KeyRef at = db.Find(key);
  if (IsWrongType(ctx, at.entry(), ValueType::kHash)) return nullptr;
  return at ? at.link : CreateHash(db, at, key);
}

uint64_t RandomBits() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

// ---------------------------------------------------------------------------------------------
// Writes.

void HSetGeneric(CommandContext& ctx, bool reply_ok) {
  if (ctx.argc() % 2 != 0) {
    ctx.reply->Error(errors::WrongArity(ctx.spec->name));
    return;
  }
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  Entry** link = FindOrCreateHash(ctx, db, key);
  if (link == nullptr) return;
  const HashLimits limits = Limits(ctx);
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2)
    created += hash::Set(link, ctx.arg(i), ctx.arg(i + 1), limits) ? 1 : 0;
  db.Modified(key);
  ctx.Notify(kNotifyHash, "hset", key);
  if (reply_ok) {
    ctx.reply->Ok();
  } else {
    ctx.reply->Integer(created);
  }
}

void HSet(CommandContext& ctx) {
  HSetGeneric(ctx, false);
}

void HMSet(CommandContext& ctx) {
  HSetGeneric(ctx, true);
}

void HSetNx(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  if (IsWrongType(ctx, at.entry(), ValueType::kHash)) return;
  if (at && hash::Exists(at.entry(), ctx.arg(2))) {
    ctx.reply->Integer(0);
    return;
  }
  Entry** link = at ? at.link : CreateHash(db, at, key);
  hash::Set(link, ctx.arg(2), ctx.arg(3), Limits(ctx));
  db.Modified(key);
  ctx.Notify(kNotifyHash, "hset", key);
  ctx.reply->Integer(1);
}

void HDel(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key);
  if (IsWrongType(ctx, at.entry(), ValueType::kHash)) return;
  int64_t deleted = 0;
  bool removed = false;
  if (at) {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (!hash::Delete(at.link, ctx.arg(i))) continue;
      ++deleted;
      if (hash::Length(at.entry()) == 0) {
        db.Erase(at);
        removed = true;
        break;
      }
    }
  }
  if (deleted != 0) {
    db.Modified(key);
    ctx.Notify(kNotifyHash, "hdel", key);
    if (removed) ctx.Notify(kNotifyGeneric, "del", key);
  }
  ctx.reply->Integer(deleted);
}

void HIncrBy(CommandContext& ctx) {
  auto incr = IntArg(ctx, ctx.arg(3));
  if (!incr) return;
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  Entry** link = FindOrCreateHash(ctx, db, key);
  if (link == nullptr) return;
  int64_t value = 0;
  HashText text;
  std::string_view old;
  if (hash::Get(*link, ctx.arg(2), &text, &old)) {
    auto v = ParseInt64(old);
    if (!v) {
      ctx.reply->Error(kHashValueNotInteger);
      return;
    }
    value = *v;
  }
  if ((*incr < 0 && value < 0 && *incr < INT64_MIN - value) ||
      (*incr > 0 && value > 0 && *incr > INT64_MAX - value)) {
    ctx.reply->Error(errors::kOverflow);
    return;
  }
  value += *incr;
  char buf[kMaxIntChars];
  hash::Set(link, ctx.arg(2), std::string_view(buf, FormatInt64(value, buf)), Limits(ctx));
  db.Modified(key);
  ctx.Notify(kNotifyHash, "hincrby", key);
  ctx.reply->Integer(value);
}

void HIncrByFloat(CommandContext& ctx) {
  auto incr = ParseLongDouble(ctx.arg(3));
  if (!incr) {
    ctx.reply->Error(errors::kNotFloat);
    return;
  }
  if (std::isnan(*incr) || std::isinf(*incr)) {
    ctx.reply->Error(kValueNanOrInfinity);
    return;
  }
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  Entry** link = FindOrCreateHash(ctx, db, key);
  if (link == nullptr) return;
  long double value = 0;
  HashText text;
  std::string_view old;
  if (hash::Get(*link, ctx.arg(2), &text, &old)) {
    auto v = ParseLongDouble(old);
    if (!v) {
      ctx.reply->Error(kHashValueNotFloat);
      return;
    }
    value = *v;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply->Error(errors::kIncrFloatNaN);
    return;
  }
  std::string formatted = FormatLongDoubleHuman(value);
  hash::Set(link, ctx.arg(2), formatted, Limits(ctx));
  db.Modified(key);
  ctx.Notify(kNotifyHash, "hincrbyfloat", key);
  ctx.reply->Bulk(formatted);
}

// ---------------------------------------------------------------------------------------------
// Reads.

void HGet(CommandContext& ctx) {
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  HashText text;
  std::string_view value;
  if (e != nullptr && hash::Get(e, ctx.arg(2), &text, &value)) {
    ctx.reply->Bulk(value);
  } else {
    ctx.reply->Null();
  }
}

void HMGet(CommandContext& ctx) {
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply->ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    HashText text;
    std::string_view value;
    if (e != nullptr && hash::Get(e, ctx.arg(i), &text, &value)) {
      ctx.reply->Bulk(value);
    } else {
      ctx.reply->Null();
    }
  }
}

void HExists(CommandContext& ctx) {
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply->Integer(e != nullptr && hash::Exists(e, ctx.arg(2)) ? 1 : 0);
}

void HLen(CommandContext& ctx) {
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply->Integer(e != nullptr ? static_cast<int64_t>(hash::Length(e)) : 0);
}

void HStrLen(CommandContext& ctx) {
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  HashText text;
  std::string_view value;
  bool found = e != nullptr && hash::Get(e, ctx.arg(2), &text, &value);
  ctx.reply->Integer(found ? static_cast<int64_t>(value.size()) : 0);
}

enum HashPart : unsigned { kFields = 1, kValues = 2, kBoth = 3 };

// HGETALL (a map in RESP3), HKEYS, HVALS.
void HGetAllGeneric(CommandContext& ctx, HashPart part) {
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  size_t n = e != nullptr ? hash::Length(e) : 0;
  if (part == kBoth) {
    ctx.reply->MapHeader(n);
  } else {
    ctx.reply->ArrayHeader(n);
  }
  if (e == nullptr) return;
  ReplyBuilder* reply = ctx.reply;
  hash::ForEach(e, [reply, part](std::string_view f, std::string_view v) {
    if (part & kFields) reply->Bulk(f);
    if (part & kValues) reply->Bulk(v);
  });
}

void HGetAll(CommandContext& ctx) {
  HGetAllGeneric(ctx, kBoth);
}
void HKeys(CommandContext& ctx) {
  HGetAllGeneric(ctx, kFields);
}
void HVals(CommandContext& ctx) {
  HGetAllGeneric(ctx, kValues);
}

// ---------------------------------------------------------------------------------------------
// HRANDFIELD.

// One field (and value) of a HRANDFIELD reply: RESP3 nests each pair in an array of two.
void ReplyRandomPair(CommandContext& ctx, bool with_values, std::string_view f,
                     std::string_view v) {
  if (with_values && ctx.reply->resp() > 2) ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(f);
  if (with_values) ctx.reply->Bulk(v);
}

void ReplyRandomHeader(CommandContext& ctx, bool with_values, size_t n) {
  ctx.reply->ArrayHeader(with_values && ctx.reply->resp() == 2 ? n * 2 : n);
}

// A uniform random integer in [0, n).
size_t RandomBelow(size_t n) {
  return static_cast<size_t>(RandomBits() % n);
}

void RandomFromListpack(CommandContext& ctx, const Entry* e, uint64_t count, bool unique,
                        bool with_values) {
  ListpackView lp(e->value());
  const size_t size = lp.size() / 2;
  HashText ft, vt;
  auto emit = [&](size_t pos) {
    ReplyRandomPair(ctx, with_values, lp.Get(pos).Text(ft.buf), lp.Get(lp.Next(pos)).Text(vt.buf));
  };
  if (!unique) {
    // Positions of the fields, then `count` draws with repetition.
    std::vector<size_t> fields;
    fields.reserve(size);
    for (size_t pos = lp.begin(); pos < lp.end(); pos = lp.Next(lp.Next(pos)))
      fields.push_back(pos);
    ReplyRandomHeader(ctx, with_values, count);
    for (uint64_t i = 0; i < count; ++i)
      emit(fields[RandomBelow(size)]);
    return;
  }
  // `count` < size distinct fields, in the listpack's order (selection sampling).
  ReplyRandomHeader(ctx, with_values, count);
  size_t left = size;
  uint64_t need = count;
  for (size_t pos = lp.begin(); need > 0 && pos < lp.end(); pos = lp.Next(lp.Next(pos)), --left) {
    if (RandomBelow(left) < need) {
      emit(pos);
      --need;
    }
  }
}

void RandomFromTable(CommandContext& ctx, HashObject* obj, uint64_t count, bool unique,
                     bool with_values) {
  HashTable& table = obj->table();
  auto emit = [&](const Entry* f) {
    ReplyRandomPair(ctx, with_values, f->key(), f->string_value());
  };
  ReplyRandomHeader(ctx, with_values, count);
  if (!unique) {
    for (uint64_t i = 0; i < count; ++i)
      emit(table.RandomEntry(RandomBits()));
    return;
  }
  const size_t size = table.size();
  if (count * 3 > size) {
    // Many of them: a partial shuffle of all the fields.
    std::vector<const Entry*> all;
    all.reserve(size);
    table.ForEach([&all](const Entry* f) { all.push_back(f); });
    for (size_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + RandomBelow(size - i)]);
      emit(all[i]);
    }
    return;
  }
  // Few of them: draw until `count` distinct fields came up.
  std::unordered_set<const Entry*> picked;
  picked.reserve(count);
  while (picked.size() < count) {
    const Entry* f = table.RandomEntry(RandomBits());
    if (picked.insert(f).second) emit(f);
  }
}

void HRandFieldWithCount(CommandContext& ctx, int64_t l, bool with_values) {
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr || l == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  const bool unique = l > 0;
  const uint64_t count = unique ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  const size_t size = hash::Length(e);
  if (unique && count >= size) {
    // The whole hash, in its order.
    ReplyRandomHeader(ctx, with_values, size);
    hash::ForEach(e, [&](std::string_view f, std::string_view v) {
      ReplyRandomPair(ctx, with_values, f, v);
    });
    return;
  }
  if (e->encoding() == Encoding::kListpack) {
    RandomFromListpack(ctx, e, count, unique, with_values);
  } else {
    RandomFromTable(ctx, e->object_as<HashObject>(), count, unique, with_values);
  }
}

void HRandField(CommandContext& ctx) {
  if (ctx.argc() >= 3) {
    auto l = ParseInt64(ctx.arg(2));
    if (!l) {
      ctx.reply->Error(errors::kNotInteger);
      return;
    }
    if (*l == INT64_MIN) {
      ctx.reply->Error(errors::kCountOutOfRange);
      return;
    }
    bool with_values = false;
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withvalues"))) {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
    if (ctx.argc() == 4) {
      with_values = true;
      if (*l < -(INT64_MAX / 2) || *l > INT64_MAX / 2) {
        ctx.reply->Error(errors::kValueOutOfRange);
        return;
      }
    }
    HRandFieldWithCount(ctx, *l, with_values);
    return;
  }
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) {
    ctx.reply->Null();
    return;
  }
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    HashText t;
    ctx.reply->Bulk(
        lp.Get(lp.Seek(static_cast<int64_t>(2 * RandomBelow(lp.size() / 2)))).Text(t.buf));
  } else {
    ctx.reply->Bulk(e->object_as<HashObject>()->table().RandomEntry(RandomBits())->key());
  }
}

// ---------------------------------------------------------------------------------------------
// HSCAN.

void HScan(CommandContext& ctx) {
  auto cursor = ScanCursorArg(ctx, ctx.arg(2));
  if (!cursor) return;
  bool failed;
  Entry* e = FindHashForRead(ctx, ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) {
    ReplyScanHeader(ctx, 0, 0);
    return;
  }
  ScanOptions opt;
  if (!ParseScanOptions(ctx, 3, /*allow_type=*/false, &opt)) return;
  if (e->encoding() == Encoding::kListpack) {
    // Small hashes answer whole in one call, as Redis's: the cursor is ignored and 0 returned.
    size_t matches = 0;
    hash::ForEach(e, [&](std::string_view f, std::string_view) {
      if (opt.Matches(f)) ++matches;
    });
    ReplyScanHeader(ctx, 0, matches * 2);
    ReplyBuilder* reply = ctx.reply;
    hash::ForEach(e, [&](std::string_view f, std::string_view v) {
      if (!opt.Matches(f)) return;
      reply->Bulk(f);
      reply->Bulk(v);
    });
    return;
  }
  // As Redis: COUNT bounds the elements gathered (a field and its value count as two, before the
  // pattern filters them), with at most 10*COUNT bucket steps.
  HashTable& table = e->object_as<HashObject>()->table();
  std::vector<const Entry*> found;
  size_t gathered = 0;
  int64_t steps = opt.MaxSteps();
  uint64_t next = *cursor;
  do {
    next = table.Scan(next, [&](Entry* f) {
      gathered += 2;
      if (opt.Matches(f->key())) found.push_back(f);
    });
  } while (next != 0 && steps-- > 0 && gathered < static_cast<uint64_t>(opt.count));
  ReplyScanHeader(ctx, next, found.size() * 2);
  for (const Entry* f : found) {
    ctx.reply->Bulk(f->key());
    ctx.reply->Bulk(f->string_value());
  }
}

}  // namespace

void RegisterHashCommands(CommandRegistry& r) {
  CommandAdder add(r);
  constexpr const char* kWriteFast = "@write @hash @fast";
  constexpr const char* kReadFast = "@read @hash @fast";
  constexpr const char* kReadSlow = "@read @hash @slow";
  const uint32_t kWF = kCmdWrite | kCmdDenyOom | kCmdFast;
  const uint32_t kRF = kCmdReadonly | kCmdFast;

  // name, arity, flags, handler, last key, ACL categories
  add("hset", -4, kWF, HSet, 1, kWriteFast).member_arg = 2;
  add("hsetnx", 4, kWF, HSetNx, 1, kWriteFast).member_arg = 2;
  add("hmset", -4, kWF, HMSet, 1, kWriteFast).member_arg = 2;
  add("hget", 3, kRF, HGet, 1, kReadFast).member_arg = 2;
  add("hmget", -3, kRF, HMGet, 1, kReadFast).member_arg = 2;
  add("hgetall", 2, kCmdReadonly, HGetAll, 1, kReadSlow);
  add("hkeys", 2, kCmdReadonly, HKeys, 1, kReadSlow);
  add("hvals", 2, kCmdReadonly, HVals, 1, kReadSlow);
  add("hdel", -3, kCmdWrite | kCmdFast, HDel, 1, kWriteFast).member_arg = 2;
  add("hexists", 3, kRF, HExists, 1, kReadFast).member_arg = 2;
  add("hlen", 2, kRF, HLen, 1, kReadFast);
  add("hstrlen", 3, kRF, HStrLen, 1, kReadFast).member_arg = 2;
  add("hincrby", 4, kWF, HIncrBy, 1, kWriteFast).member_arg = 2;
  add("hincrbyfloat", 4, kWF, HIncrByFloat, 1, kWriteFast).member_arg = 2;
  add("hrandfield", -2, kCmdReadonly, HRandField, 1, kReadSlow);
  add("hscan", -3, kCmdReadonly, HScan, 1, kReadSlow);
}

}  // namespace redwing
