// Generic key commands: DEL UNLINK EXISTS TYPE TOUCH KEYS SCAN RANDOMKEY RENAME RENAMENX COPY
// MOVE, the EXPIRE/TTL family, PERSIST and OBJECT (ENCODING, REFCOUNT, HELP).
//
// Keyed commands reach their keys through ctx.Db(key): the session has already brought every
// shard the keys map to under this thread (see server/session.h), so a multi-key command here is
// atomic even across shards. KEYS, SCAN and RANDOMKEY need the whole keyspace and are flagged
// kCmdAllShards. A KeyRef (table link) is invalidated by any other lookup in the same table,
// because lookups advance incremental rehashing; handlers therefore re-find a key after looking
// up another one that may live in the same table.

#include <climits>
#include <cstdint>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/heap.h"
#include "protocol/glob.h"
#include "server/commands/command_helpers.h"
#include "server/memory_info.h"
#include "storage/access_clock.h"
#include "storage/collection.h"

namespace redwing {
namespace {

// Redis shares one object for the integers [0, 10000) (OBJ_SHARED_INTEGERS); OBJECT REFCOUNT
// reports those with INT_MAX, the "shared" marker.
constexpr int64_t kSharedIntegers = 10000;
constexpr size_t kMaxIntEncodedLen = 20;  // longest text Redis tries to store as an integer
constexpr size_t kEmbstrLimit = 44;       // longest string Redis embeds in its object header

// SCAN cursors: the shard index in the low bits, that shard's table cursor above it. Threads (and
// so shards) are at most 256, so 8 bits always suffice.
constexpr int kShardBits = 8;
constexpr uint64_t kShardMask = (uint64_t{1} << kShardBits) - 1;

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kHash:
      return "hash";
  }
  return "none";
}

// Whether a string value would be stored in Redis's integer encoding.
std::optional<int64_t> IntEncodedValue(const Entry& e) {
  if (e.raw_encoding()) return std::nullopt;
  std::string_view v = e.string_value();
  if (v.size() > kMaxIntEncodedLen) return std::nullopt;
  return ParseInt64(v);
}

const char* StringEncoding(const Entry& e) {
  if (IntEncodedValue(e)) return "int";
  if (!e.raw_encoding() && e.string_len() <= kEmbstrLimit) return "embstr";
  return "raw";
}

// OBJECT ENCODING's answer for a value.
const char* EncodingOf(const Entry& e) {
  return e.type() == ValueType::kString ? StringEncoding(e) : EncodingName(e.encoding());
}

// A DB index argument of MOVE / COPY ... DB: an int, then an existing database. Replies with
// Redis's error and returns nothing when it is not.
std::optional<int> DbIndexArg(CommandContext& ctx, std::string_view s) {
  auto v = IntArg(ctx, s);
  if (!v) return std::nullopt;
  if (*v < INT_MIN || *v > INT_MAX) {
    ctx.reply->Error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return std::nullopt;
  }
  if (*v < 0 || *v >= ctx.engine->config().databases()) {
    ctx.reply->Error(errors::kDbIndexOutOfRange);
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

// ---- DEL UNLINK EXISTS TOUCH TYPE ----

// DEL and UNLINK: values are single blocks, so freeing them inline is as cheap as unlinking.
void Del(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (!ctx.Db(ctx.arg(i)).Erase(ctx.arg(i))) continue;
    ctx.Notify(kNotifyGeneric, "del", ctx.arg(i));
    ++n;
  }
  ctx.reply->Integer(n);
}

// EXISTS and TOUCH: count the keys that exist (a key named twice counts twice).
void Exists(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i)
    n += ctx.Db(ctx.arg(i)).Find(ctx.arg(i), true, /*touch=*/false) ? 1 : 0;
  ctx.reply->Integer(n);
}

void Type(CommandContext& ctx) {
  KeyRef at = ctx.Db(ctx.arg(1)).Find(ctx.arg(1), true, /*touch=*/false);
  ctx.reply->SimpleString(at ? TypeName(at.entry()->type()) : "none");
}

// ---- KEYS SCAN RANDOMKEY ----

// Keys that matched a filter but were logically expired: deleted once the reply no longer refers
// to table memory, as Redis's lazy expiry would have done while iterating.
struct ExpiredKeys {
  std::vector<std::pair<int, std::string>> keys;  // shard, key
  void Add(int shard, std::string_view key) { keys.emplace_back(shard, std::string(key)); }
  void Delete(CommandContext& ctx) {
    for (const auto& [shard, key] : keys)
      ctx.DbOnShard(shard, ctx.db).Find(key);
  }
};

void ReplyKeys(CommandContext& ctx, const std::vector<std::string_view>& keys) {
  ctx.reply->ArrayHeader(keys.size());
  for (std::string_view k : keys)
    ctx.reply->Bulk(k);
}

void Keys(CommandContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool match_all = pattern == "*";
  std::vector<std::string_view> found;
  ExpiredKeys expired;
  for (int s = 0; s < ctx.engine->num_shards(); ++s) {
    Database& db = ctx.DbOnShard(s, ctx.db);
    db.table().ForEach([&](const Entry* e) {
      if (!match_all && !GlobMatch(pattern, e->key())) return;
      if (db.IsLogicallyExpired(e)) {
        expired.Add(s, e->key());
      } else {
        found.push_back(e->key());
      }
    });
  }
  ReplyKeys(ctx, found);
  expired.Delete(ctx);
}

void ReplyScan(CommandContext& ctx, uint64_t cursor, const std::vector<std::string_view>& keys) {
  ReplyScanHeader(ctx, cursor, keys.size());
  for (std::string_view k : keys)
    ctx.reply->Bulk(k);
}

// Shards are scanned one after the other, each with its table's reverse-binary cursor, so the
// table's guarantee (every key present throughout is returned) holds for the whole keyspace. As
// in Redis, COUNT bounds the keys visited (before filtering), with at most 10*COUNT bucket steps.
void Scan(CommandContext& ctx) {
  auto cursor = ScanCursorArg(ctx, ctx.arg(1));
  if (!cursor) return;
  ScanOptions opt;
  if (!ParseScanOptions(ctx, 2, /*allow_type=*/true, &opt)) return;
  const int shards = ctx.engine->num_shards();
  int shard = static_cast<int>(*cursor & kShardMask);
  uint64_t table_cursor = *cursor >> kShardBits;
  std::vector<std::string_view> found;
  if (shard >= shards) {  // not a cursor we returned: nothing left to visit
    ReplyScan(ctx, 0, found);
    return;
  }
  ExpiredKeys expired;
  int64_t visited = 0;
  int64_t steps = opt.MaxSteps();
  do {
    Database& db = ctx.DbOnShard(shard, ctx.db);
    table_cursor = db.table().Scan(table_cursor, [&](Entry* e) {
      ++visited;
      if (!opt.Matches(e->key())) return;
      if (opt.use_type && !EqualsIgnoreCase(opt.type, TypeName(e->type()))) return;
      if (db.IsLogicallyExpired(e)) {
        expired.Add(shard, e->key());
      } else {
        found.push_back(e->key());
      }
    });
    if (table_cursor == 0 && ++shard == shards) break;
  } while (steps-- > 0 && visited < opt.count);
  uint64_t next = shard == shards ? 0 : (table_cursor << kShardBits) | static_cast<uint64_t>(shard);
  ReplyScan(ctx, next, found);
  expired.Delete(ctx);
}

uint64_t RandomBits() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

// Picks a shard in proportion to its key count, then a key in it. An expired pick is deleted and
// the draw repeated, so the loop ends: every round returns or removes one key.
void RandomKey(CommandContext& ctx) {
  const int shards = ctx.engine->num_shards();
  for (;;) {
    uint64_t total = 0;
    for (int s = 0; s < shards; ++s)
      total += ctx.DbOnShard(s, ctx.db).size();
    if (total == 0) {
      ctx.reply->Null();
      return;
    }
    uint64_t pick = RandomBits() % total;
    int s = 0;
    while (pick >= ctx.DbOnShard(s, ctx.db).size())
      pick -= ctx.DbOnShard(s++, ctx.db).size();
    Database& db = ctx.DbOnShard(s, ctx.db);
    Entry* e = db.table().RandomEntry(RandomBits());
    if (!db.IsLogicallyExpired(e)) {
      ctx.reply->Bulk(e->key());
      return;
    }
    db.Find(std::string(e->key()));
  }
}

// ---- RENAME RENAMENX COPY MOVE ----

// The entry is rebuilt under the new name (the key lives inside the block) and put in the
// destination's database, which may be on another shard. An existing destination is deleted
// first, so the key is added anew (raising "new", as Redis's dbAdd).
void RenameGeneric(CommandContext& ctx, bool nx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  Database& sdb = ctx.Db(src);
  Database& ddb = ctx.Db(dst);
  if (!sdb.Find(src)) {
    ctx.reply->Error(errors::kNoSuchKey);
    return;
  }
  if (src == dst) {
    nx ? ctx.reply->Integer(0) : ctx.reply->Ok();
    return;
  }
  KeyRef existing = ddb.Find(dst);
  if (existing && nx) {
    ctx.reply->Integer(0);
    return;
  }
  if (existing) ddb.Erase(existing);
  Entry* old = sdb.Detach(sdb.Find(src));  // re-found: the lookup of dst may have rehashed
  Entry* moved = Entry::Rekey(old, dst);
  Entry::FreeBlock(old);
  ddb.Put(moved);
  ctx.Notify(kNotifyGeneric, "rename_from", src);
  ctx.Notify(kNotifyGeneric, "rename_to", dst);
  nx ? ctx.reply->Integer(1) : ctx.reply->Ok();
}

void Rename(CommandContext& ctx) {
  RenameGeneric(ctx, false);
}

void RenameNx(CommandContext& ctx) {
  RenameGeneric(ctx, true);
}

void Copy(CommandContext& ctx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  bool replace = false;
  int dst_db = ctx.db;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.arg(i), "db") && i + 1 < ctx.argc()) {
      auto db = DbIndexArg(ctx, ctx.arg(++i));
      if (!db) return;
      dst_db = *db;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  if (dst_db == ctx.db && src == dst) {
    ctx.reply->Error(errors::kSameObject);
    return;
  }
  Database& sdb = ctx.Db(src);
  Database& ddb = ctx.DbOnShard(ctx.engine->ShardOfKey(dst), dst_db);
  if (!sdb.Find(src, true)) {
    ctx.reply->Integer(0);
    return;
  }
  KeyRef existing = ddb.Find(dst);
  if (existing && !replace) {
    ctx.reply->Integer(0);
    return;
  }
  // A replaced destination is deleted first: the copy is added anew ("new"), as in Redis.
  if (existing) ddb.Erase(existing);
  ddb.Put(Entry::Clone(sdb.Find(src).entry(), dst));
  PublishKeyEvent(ctx.engine, kNotifyGeneric, "copy_to", dst, dst_db);
  ctx.reply->Integer(1);
}

// MOVE keeps the key's name, so its block moves as is to the other database of the same shard.
void Move(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  auto dst_db = DbIndexArg(ctx, ctx.arg(2));
  if (!dst_db) return;
  if (*dst_db == ctx.db) {
    ctx.reply->Error(errors::kSameObject);
    return;
  }
  Database& sdb = ctx.Db(key);
  Database& ddb = ctx.DbOnShard(ctx.engine->ShardOfKey(key), *dst_db);
  KeyRef at = sdb.Find(key);
  if (!at || ddb.Find(key)) {  // different tables: `at` stays valid
    ctx.reply->Integer(0);
    return;
  }
  ddb.Put(sdb.Detach(at));
  ctx.Notify(kNotifyGeneric, "move_from", key);
  PublishKeyEvent(ctx.engine, kNotifyGeneric, "move_to", key, *dst_db);
  ctx.reply->Integer(1);
}

// ---- EXPIRE PEXPIRE EXPIREAT PEXPIREAT ----

enum ExpireFlag : int { kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8 };

std::optional<int> ParseExpireFlags(CommandContext& ctx) {
  int flags = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= kExpireNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= kExpireXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= kExpireGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= kExpireLt;
    } else {
      ctx.reply->Error("ERR Unsupported option " + std::string(opt));
      return std::nullopt;
    }
  }
  if ((flags & kExpireNx) && (flags & (kExpireXx | kExpireGt | kExpireLt))) {
    ctx.reply->Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return std::nullopt;
  }
  if ((flags & kExpireGt) && (flags & kExpireLt)) {
    ctx.reply->Error("ERR GT and LT options at the same time are not compatible");
    return std::nullopt;
  }
  return flags;
}

// Whether the flags let `when` replace the key's current expiry. No expiry counts as infinite:
// GT never beats it, LT always does.
bool ExpireAllowed(int flags, const Entry& e, int64_t when) {
  bool has = e.has_expire();
  int64_t current = has ? e.expire_at_ms() : 0;
  if ((flags & kExpireNx) && has) return false;
  if ((flags & kExpireXx) && !has) return false;
  if ((flags & kExpireGt) && (!has || when <= current)) return false;
  if ((flags & kExpireLt) && has && when >= current) return false;
  return true;
}

// The absolute expiry time in ms for `amount` (seconds or ms, relative to now or absolute), or an
// error reply on overflow.
std::optional<int64_t> ExpireTime(CommandContext& ctx, int64_t amount, bool seconds, int64_t base) {
  bool overflow = false;
  if (seconds) {
    overflow = amount > INT64_MAX / 1000 || amount < INT64_MIN / 1000;
    if (!overflow) amount *= 1000;
  }
  if (overflow || amount > INT64_MAX - base) {
    ctx.reply->Error(errors::InvalidExpire(ctx.spec->name));
    return std::nullopt;
  }
  return amount + base;
}

void ExpireGeneric(CommandContext& ctx, bool relative, bool seconds) {
  auto flags = ParseExpireFlags(ctx);
  if (!flags) return;
  auto amount = IntArg(ctx, ctx.arg(2));
  if (!amount) return;
  Database& db = ctx.Db(ctx.arg(1));
  auto when = ExpireTime(ctx, *amount, seconds, relative ? db.now_ms() : 0);
  if (!when) return;
  KeyRef at = db.Find(ctx.arg(1));
  if (!at || !ExpireAllowed(*flags, *at.entry(), *when)) {
    ctx.reply->Integer(0);
    return;
  }
  if (*when <= db.now_ms()) {
    db.Erase(at);  // a time already past deletes the key, as DEL would
    ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
  } else {
    db.SetExpire(at, *when);
    ctx.Notify(kNotifyGeneric, "expire", ctx.arg(1));
  }
  ctx.reply->Integer(1);
}

void Expire(CommandContext& ctx) {
  ExpireGeneric(ctx, true, true);
}
void PExpire(CommandContext& ctx) {
  ExpireGeneric(ctx, true, false);
}
void ExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, false, true);
}
void PExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, false, false);
}

// ---- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST ----

// -2: no key; -1: no expiry; else the remaining (or absolute) time, seconds rounded to nearest.
void TtlGeneric(CommandContext& ctx, bool ms, bool absolute) {
  Database& db = ctx.Db(ctx.arg(1));
  KeyRef at = db.Find(ctx.arg(1), true, /*touch=*/false);
  if (!at) {
    ctx.reply->Integer(-2);
    return;
  }
  const Entry* e = at.entry();
  if (!e->has_expire()) {
    ctx.reply->Integer(-1);
    return;
  }
  int64_t t = absolute ? e->expire_at_ms() : e->expire_at_ms() - db.now_ms();
  if (t < 0) t = 0;
  ctx.reply->Integer(ms ? t : (t + 500) / 1000);
}

void Ttl(CommandContext& ctx) {
  TtlGeneric(ctx, false, false);
}
void PTtl(CommandContext& ctx) {
  TtlGeneric(ctx, true, false);
}
void ExpireTimeCmd(CommandContext& ctx) {
  TtlGeneric(ctx, false, true);
}
void PExpireTimeCmd(CommandContext& ctx) {
  TtlGeneric(ctx, true, true);
}

void Persist(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.arg(1));
  KeyRef at = db.Find(ctx.arg(1));
  if (!at || !at.entry()->has_expire()) {
    ctx.reply->Integer(0);
    return;
  }
  db.SetExpire(at, -1);
  ctx.Notify(kNotifyGeneric, "persist", ctx.arg(1));
  ctx.reply->Integer(1);
}

// ---- MEMORY ----

// MEMORY USAGE key [SAMPLES count]: what the key costs: its entry block (key, value or compact
// encoding, expiry), its bucket slot, and a big collection's structure, estimated from `count`
// sampled elements (default 5; 0: all), as Redis estimates.
void MemoryUsage(CommandContext& ctx) {
  size_t samples = 5;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "samples") && i + 1 < ctx.argc()) {
      auto n = IntArg(ctx, ctx.arg(++i));
      if (!n) return;
      if (*n < 0) {
        ctx.reply->Error(errors::kSyntax);
        return;
      }
      samples = static_cast<size_t>(*n);
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  KeyRef at = ctx.Db(ctx.arg(2)).Find(ctx.arg(2), false, /*touch=*/false);
  if (!at) {
    ctx.reply->Null();
    return;
  }
  const Entry* e = at.entry();
  size_t bytes = Entry::AllocatedSize(e) + sizeof(Entry*);
  if (e->is_object()) bytes += e->object()->AllocatedBytes(samples);
  ctx.reply->Integer(static_cast<int64_t>(bytes));
}

void MemoryHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kLines);
}

// ---- OBJECT ----

// The key OBJECT inspects (not counted as an access; a miss raises no "keymiss", as Redis's
// LOOKUP_NONOTIFY); replies nil and returns null if missing.
const Entry* ObjectKey(CommandContext& ctx, Database& db) {
  KeyRef at = db.Find(ctx.arg(2), true, /*touch=*/false, /*notify_miss=*/false);
  if (!at) ctx.reply->Null();
  return at.entry();
}

void ObjectEncoding(CommandContext& ctx) {
  const Entry* e = ObjectKey(ctx, ctx.Db(ctx.arg(2)));
  if (e != nullptr) ctx.reply->Bulk(EncodingOf(*e));
}

// OBJECT FREQ and IDLETIME read what eviction knows of the key (storage/access_clock.h); each
// makes sense under one family of policies only, as in Redis.

void ObjectFreq(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.arg(2));
  const Entry* e = ObjectKey(ctx, db);
  if (e == nullptr) return;
  if (!IsLfuPolicy(ctx.engine->config().maxmemory_policy())) {
    ctx.reply->Error(errors::kNoLfuPolicy);
    return;
  }
  ctx.reply->Integer(
      access_clock::LfuDecayed(e->access(), db.now_ms(), ctx.engine->config().lfu_decay_time()));
}

void ObjectIdletime(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.arg(2));
  const Entry* e = ObjectKey(ctx, db);
  if (e == nullptr) return;
  if (IsLfuPolicy(ctx.engine->config().maxmemory_policy())) {
    ctx.reply->Error(errors::kLfuPolicySelected);
    return;
  }
  ctx.reply->Integer(static_cast<int64_t>(access_clock::IdleSeconds(e->access(), db.now_ms())));
}

void ObjectRefcount(CommandContext& ctx) {
  const Entry* e = ObjectKey(ctx, ctx.Db(ctx.arg(2)));
  if (e == nullptr) return;
  auto v = IntEncodedValue(*e);
  bool shared = v && *v >= 0 && *v < kSharedIntegers;
  ctx.reply->Integer(shared ? INT_MAX : 1);
}

void ObjectHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kLines);
}

// ---- registration ----

// A command without keys; WithKeys adds them.
CommandSpec Spec(std::string name, int arity, uint32_t flags, CommandHandler handler,
                 std::string acl) {
  return CommandSpec{.name = std::move(name),
                     .arity = arity,
                     .flags = flags,
                     .handler = handler,
                     .acl_categories = std::move(acl)};
}

// Keys at positions first..last (negative: from the end), step 1.
CommandSpec WithKeys(CommandSpec spec, int first, int last) {
  spec.first_key = first;
  spec.last_key = last;
  spec.key_step = 1;
  return spec;
}

void RegisterKeyspaceCommands(CommandRegistry& r) {
  const uint32_t kRead = kCmdReadonly, kWrite = kCmdWrite, kFast = kCmdFast;
  const char* kWriteSlow = "@keyspace @write @slow";
  const char* kWriteFast = "@keyspace @write @fast";
  const char* kReadSlow = "@keyspace @read @slow";
  const char* kReadFast = "@keyspace @read @fast";
  r.Add(WithKeys(Spec("del", -2, kWrite, Del, kWriteSlow), 1, -1)).split = SplitReply::kSum;
  r.Add(WithKeys(Spec("unlink", -2, kWrite | kFast, Del, kWriteFast), 1, -1)).split =
      SplitReply::kSum;
  r.Add(WithKeys(Spec("exists", -2, kRead | kFast, Exists, kReadFast), 1, -1)).split =
      SplitReply::kSum;
  r.Add(WithKeys(Spec("touch", -2, kRead | kFast, Exists, kReadFast), 1, -1)).split =
      SplitReply::kSum;
  r.Add(WithKeys(Spec("type", 2, kRead | kFast, Type, kReadFast), 1, 1));
  r.Add(Spec("keys", 2, kRead | kCmdAllShards, Keys, "@keyspace @read @slow @dangerous"));
  r.Add(Spec("scan", -2, kRead | kCmdAllShards, Scan, kReadSlow));
  r.Add(Spec("randomkey", 1, kRead | kCmdAllShards, RandomKey, kReadSlow));
  r.Add(WithKeys(Spec("rename", 3, kWrite, Rename, kWriteSlow), 1, 2));
  r.Add(WithKeys(Spec("renamenx", 3, kWrite | kFast, RenameNx, kWriteFast), 1, 2));
  r.Add(WithKeys(Spec("copy", -3, kWrite | kCmdDenyOom, Copy, kWriteSlow), 1, 2));
  r.Add(WithKeys(Spec("move", 3, kWrite | kFast, Move, kWriteFast), 1, 1));
}

void RegisterExpireCommands(CommandRegistry& r) {
  const uint32_t kWriteFast = kCmdWrite | kCmdFast, kReadFast = kCmdReadonly | kCmdFast;
  const char* kW = "@keyspace @write @fast";
  const char* kR = "@keyspace @read @fast";
  r.Add(WithKeys(Spec("expire", -3, kWriteFast, Expire, kW), 1, 1));
  r.Add(WithKeys(Spec("pexpire", -3, kWriteFast, PExpire, kW), 1, 1));
  r.Add(WithKeys(Spec("expireat", -3, kWriteFast, ExpireAt, kW), 1, 1));
  r.Add(WithKeys(Spec("pexpireat", -3, kWriteFast, PExpireAt, kW), 1, 1));
  r.Add(WithKeys(Spec("ttl", 2, kReadFast, Ttl, kR), 1, 1));
  r.Add(WithKeys(Spec("pttl", 2, kReadFast, PTtl, kR), 1, 1));
  r.Add(WithKeys(Spec("expiretime", 2, kReadFast, ExpireTimeCmd, kR), 1, 1));
  r.Add(WithKeys(Spec("pexpiretime", 2, kReadFast, PExpireTimeCmd, kR), 1, 1));
  r.Add(WithKeys(Spec("persist", 2, kWriteFast, Persist, kW), 1, 1));
}

void RegisterObjectCommands(CommandRegistry& r) {
  CommandSpec& object = r.Add(Spec("object", -2, 0, nullptr, "@slow"));
  r.AddSubcommand(
      object,
      WithKeys(Spec("encoding", 3, kCmdReadonly, ObjectEncoding, "@keyspace @read @slow"), 2, 2));
  r.AddSubcommand(
      object, WithKeys(Spec("freq", 3, kCmdReadonly, ObjectFreq, "@keyspace @read @slow"), 2, 2));
  r.AddSubcommand(
      object,
      WithKeys(Spec("idletime", 3, kCmdReadonly, ObjectIdletime, "@keyspace @read @slow"), 2, 2));
  r.AddSubcommand(
      object,
      WithKeys(Spec("refcount", 3, kCmdReadonly, ObjectRefcount, "@keyspace @read @slow"), 2, 2));
  r.AddSubcommand(object, Spec("help", 2, kCmdLoading | kCmdStale, ObjectHelp, "@keyspace @slow"));
}

// MEMORY DOCTOR, MALLOC-STATS and PURGE are not implemented: they get the unknown-subcommand error.
// MEMORY STATS: Redis's fields that have a meaning here (no replication, AOF, scripting or cluster
// links yet: those are 0 or absent). Runs with every shard held.
void MemoryStats(CommandContext& ctx) {
  Engine& engine = *ctx.engine;
  int64_t total = heap::UsedBytes();
  int64_t peak = engine.UpdatePeakMemory();
  int64_t startup = engine.startup_memory;
  auto rss = static_cast<int64_t>(ResidentBytes());
  struct DbFigures {
    int index;
    int64_t keys;
    int64_t buckets_bytes;
  };
  std::vector<DbFigures> dbs;
  int64_t keys = 0, tables = 0;
  for (int d = 0; d < engine.config().databases(); ++d) {
    DbFigures f{d, 0, 0};
    for (int s = 0; s < engine.num_shards(); ++s) {
      Database& db = ctx.DbOnShard(s, d);
      f.keys += static_cast<int64_t>(db.size());
      f.buckets_bytes += static_cast<int64_t>(db.table().bucket_count() * sizeof(Entry*));
    }
    keys += f.keys;
    tables += f.buckets_bytes;
    if (f.keys > 0) dbs.push_back(f);
  }
  int64_t overhead = startup + tables;
  int64_t dataset = std::max<int64_t>(0, total - overhead);
  auto ratio = [](int64_t a, int64_t b) {
    return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
  };
  ReplyBuilder& rb = *ctx.reply;
  rb.MapHeader(17 + dbs.size());
  auto field = [&](std::string_view name, int64_t v) {
    rb.Bulk(name);
    rb.Integer(v);
  };
  auto real = [&](std::string_view name, double v) {
    rb.Bulk(name);
    rb.Double(v);
  };
  field("peak.allocated", peak);
  field("total.allocated", total);
  field("startup.allocated", startup);
  field("replication.backlog", 0);
  field("clients.slaves", 0);
  field("cluster.links", 0);
  field("aof.buffer", 0);
  for (const DbFigures& f : dbs) {
    rb.Bulk("db." + std::to_string(f.index));
    rb.MapHeader(2);
    field("overhead.hashtable.main", f.buckets_bytes);
    field("overhead.hashtable.expires", 0);  // expiry lives in the key's own block
  }
  field("overhead.total", overhead);
  field("keys.count", keys);
  field("keys.bytes-per-key", keys == 0 ? 0 : (total - startup) / keys);
  field("dataset.bytes", dataset);
  real("dataset.percentage", 100.0 * ratio(dataset, total - startup));
  real("peak.percentage", 100.0 * ratio(total, peak));
  field("allocator.allocated", static_cast<int64_t>(AllocatedBytes()));
  field("allocator.resident", rss);
  real("fragmentation", ratio(rss, total));
  field("fragmentation.bytes", rss - total);
}

void RegisterMemoryCommands(CommandRegistry& r) {
  CommandSpec& memory = r.Add(Spec("memory", -2, 0, nullptr, "@slow"));
  r.AddSubcommand(memory,
                  WithKeys(Spec("usage", -3, kCmdReadonly, MemoryUsage, "@read @slow"), 2, 2));
  r.AddSubcommand(memory, Spec("help", 2, kCmdLoading | kCmdStale, MemoryHelp, "@slow"));
  r.AddSubcommand(memory, Spec("stats", 2, kCmdAllShards, MemoryStats, "@slow"));
}

}  // namespace

void RegisterKeyCommands(CommandRegistry& r) {
  RegisterKeyspaceCommands(r);
  RegisterExpireCommands(r);
  RegisterObjectCommands(r);
  RegisterMemoryCommands(r);
}

}  // namespace redwing
