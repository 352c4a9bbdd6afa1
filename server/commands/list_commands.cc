// List commands: pushes (LPUSH RPUSH LPUSHX RPUSHX), pops (LPOP RPOP with a count, LMPOP), moves
// (LMOVE RPOPLPUSH), reads (LLEN LRANGE LINDEX LPOS) and edits (LSET LINSERT LREM LTRIM), with
// Redis 7.0's replies and error texts, over the two encodings of storage/list_value.h (Redis
// 7.2's rules: a listpack in the key's block, a quicklist past list-max-listpack-size, back to a
// listpack when it shrinks to one small node).
//
// Replies are written from the stored elements straight into the output buffer; the push and pop
// paths allocate nothing per element (a quicklist node holds thousands).

#include <algorithm>
#include <string>
#include <vector>

#include "server/commands/command_helpers.h"
#include "server/commands/list_ops.h"
#include "server/commands/multi_pop_args.h"

namespace redwing {
namespace {

constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";

int64_t Fill(const CommandContext& ctx) {
  return ctx.engine->config().list_max_listpack_size();
}

void ReplyElement(ReplyBuilder& r, const ListpackElement& el) {
  if (el.is_int) {
    r.BulkInt(el.integer);
  } else {
    r.Bulk(el.str);
  }
}

// Replies `n` elements from index `from`, towards the tail or (reverse) the head, as an array.
void ReplyRange(ReplyBuilder& r, const Entry* e, size_t from, size_t n, bool reverse) {
  r.ArrayHeader(n);
  if (n == 0) return;
  ListCursor c(e, from);
  for (size_t i = 0; i < n; ++i) {
    ReplyElement(r, c.Get());
    if (reverse) {
      c.Prev();
    } else {
      c.Next();
    }
  }
}

// After elements were removed from the list at `at` by the command raising `event`: notifies
// it; an empty list is deleted ("del"), a quicklist shrunk to one small node becomes a listpack;
// WATCH is signalled either way. `key` must not point into the entry.
void AfterRemoval(const CommandContext& ctx, Database& db, KeyRef at, std::string_view key,
                  std::string_view event) {
  ctx.Notify(kNotifyList, event, key);
  if (list::Length(*at.link) == 0) {
    db.Erase(at);
    ctx.Notify(kNotifyGeneric, "del", key);
    return;
  }
  list::ConvertIfShrunk(at.link, Fill(ctx));
  db.Modified(key);
}

std::string_view PopEvent(ListEnd end) {
  return end == ListEnd::kHead ? "lpop" : "rpop";
}
std::string_view PushEvent(ListEnd end) {
  return end == ListEnd::kHead ? "lpush" : "rpush";
}

// Looks `key` up for a write; replies WRONGTYPE (and returns an empty ref with `*wrong` set) if
// it holds another type.
KeyRef FindList(CommandContext& ctx, Database& db, std::string_view key, bool for_read,
                bool* wrong) {
  KeyRef at = db.Find(key, for_read);
  *wrong = IsWrongType(ctx, at.entry(), ValueType::kList);
  return at;
}

// What a command replies for a missing key.
enum class Missing { kZero, kNull, kEmptyArray, kOk, kNoSuchKey };

// The list at `key`, or an empty ref after replying: WRONGTYPE if the key holds another type,
// `missing` if there is none.
KeyRef LookupList(CommandContext& ctx, Database& db, std::string_view key, bool for_read,
                  Missing missing) {
  bool wrong;
  KeyRef at = FindList(ctx, db, key, for_read, &wrong);
  if (wrong) return {};
  if (at) return at;
  switch (missing) {
    case Missing::kZero:
      ctx.reply->Integer(0);
      break;
    case Missing::kNull:
      ctx.reply->Null();
      break;
    case Missing::kEmptyArray:
      ctx.reply->ArrayHeader(0);
      break;
    case Missing::kOk:
      ctx.reply->Ok();
      break;
    case Missing::kNoSuchKey:
      ctx.reply->Error(errors::kNoSuchKey);
      break;
  }
  return {};
}

// Redis's ranges: negative indexes count from the end; returns false if the range is empty,
// else the first index and the element count.
bool ClipRange(int64_t start, int64_t end, size_t len, size_t* first, size_t* n) {
  int64_t llen = static_cast<int64_t>(len);
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return false;
  if (end >= llen) end = llen - 1;
  *first = static_cast<size_t>(start);
  *n = static_cast<size_t>(end - start + 1);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Pushes.

void PushGeneric(CommandContext& ctx, ListEnd end, bool only_if_exists) {
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  bool wrong;
  KeyRef at = FindList(ctx, db, key, false, &wrong);
  if (wrong) return;
  std::span<const std::string_view> values = ctx.args.subspan(2);
  if (!at) {
    if (only_if_exists) {
      ctx.reply->Integer(0);
      return;
    }
    Entry* e = list::NewEntry(key);
    list::Push(&e, end, values, Fill(ctx));
    ctx.reply->Integer(static_cast<int64_t>(list::Length(e)));
    db.Put(at, e);
  } else {
    list::Push(at.link, end, values, Fill(ctx));
    ctx.reply->Integer(static_cast<int64_t>(list::Length(*at.link)));
    db.Modified(key);
  }
  ctx.Notify(kNotifyList, PushEvent(end), key);
}

void LPush(CommandContext& ctx) {
  PushGeneric(ctx, ListEnd::kHead, false);
}
void RPush(CommandContext& ctx) {
  PushGeneric(ctx, ListEnd::kTail, false);
}
void LPushX(CommandContext& ctx) {
  PushGeneric(ctx, ListEnd::kHead, true);
}
void RPushX(CommandContext& ctx) {
  PushGeneric(ctx, ListEnd::kTail, true);
}

// ---------------------------------------------------------------------------------------------
// Pops and moves.

void PopGeneric(CommandContext& ctx, ListEnd end) {
  if (ctx.argc() > 3) {
    ctx.reply->Error(errors::WrongArity(ctx.spec->name));
    return;
  }
  bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count) {
    auto v = NonNegativeCountArg(ctx, ctx.arg(2));
    if (!v) return;
    count = *v;
  }
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  bool wrong;
  KeyRef at = FindList(ctx, db, key, false, &wrong);
  if (wrong) return;
  if (!at) {
    if (has_count) {
      ctx.reply->NullArray();
    } else {
      ctx.reply->Null();
    }
    return;
  }
  if (count == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  ListPop(ctx, db, at, key, end, count, has_count ? ListPopReply::kArray : ListPopReply::kElement);
}

void LPop(CommandContext& ctx) {
  PopGeneric(ctx, ListEnd::kHead);
}
void RPop(CommandContext& ctx) {
  PopGeneric(ctx, ListEnd::kTail);
}

void LMPop(CommandContext& ctx) {
  MultiPopArgs args;
  if (!ParseMultiPopArgs(ctx, 1, "left", "right", &args)) return;
  ListEnd end = args.second_end ? ListEnd::kTail : ListEnd::kHead;
  for (std::string_view key : args.keys) {
    Database& db = ctx.Db(key);
    bool wrong;
    KeyRef at = FindList(ctx, db, key, false, &wrong);
    if (wrong) return;
    if (!at) continue;
    ListPop(ctx, db, at, key, end, args.count, ListPopReply::kKeyAndArray);
    return;
  }
  ctx.reply->NullArray();
}

void MoveGeneric(CommandContext& ctx, ListEnd from, ListEnd to) {
  if (!ListMove(ctx, ctx.arg(1), ctx.arg(2), from, to)) ctx.reply->Null();
}

void LMove(CommandContext& ctx) {
  auto from = ParseListEnd(ctx.arg(3));
  auto to = ParseListEnd(ctx.arg(4));
  if (!from || !to) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  MoveGeneric(ctx, *from, *to);
}

void RPopLPush(CommandContext& ctx) {
  MoveGeneric(ctx, ListEnd::kTail, ListEnd::kHead);
}

// ---------------------------------------------------------------------------------------------
// Reads.

void LLen(CommandContext& ctx) {
  KeyRef at = LookupList(ctx, ctx.Db(ctx.arg(1)), ctx.arg(1), true, Missing::kZero);
  if (at) ctx.reply->Integer(static_cast<int64_t>(list::Length(*at.link)));
}

void LRange(CommandContext& ctx) {
  auto start = IntArg(ctx, ctx.arg(2));
  if (!start) return;
  auto end = IntArg(ctx, ctx.arg(3));
  if (!end) return;
  KeyRef at = LookupList(ctx, ctx.Db(ctx.arg(1)), ctx.arg(1), true, Missing::kEmptyArray);
  if (!at) return;
  size_t first = 0, n = 0;
  if (!ClipRange(*start, *end, list::Length(*at.link), &first, &n)) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  ReplyRange(*ctx.reply, *at.link, first, n, false);
}

void LIndex(CommandContext& ctx) {
  KeyRef at = LookupList(ctx, ctx.Db(ctx.arg(1)), ctx.arg(1), true, Missing::kNull);
  if (!at) return;
  auto index = IntArg(ctx, ctx.arg(2));
  if (!index) return;
  int64_t len = static_cast<int64_t>(list::Length(*at.link));
  int64_t i = *index < 0 ? *index + len : *index;
  if (i < 0 || i >= len) {
    ctx.reply->Null();
    return;
  }
  ReplyElement(*ctx.reply, ListCursor(*at.link, static_cast<size_t>(i)).Get());
}

struct LposOptions {
  int64_t rank = 1;
  int64_t count = -1;  // -1: not given
  int64_t maxlen = 0;
};

bool ParseLposOptions(CommandContext& ctx, LposOptions* o) {
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    bool more = i + 1 < ctx.argc();
    if (more && EqualsIgnoreCase(opt, "rank")) {
      auto v = IntArg(ctx, ctx.arg(++i));
      if (!v) return false;
      if (*v == 0) {
        ctx.reply->Error(kRankZero);
        return false;
      }
      o->rank = *v;
    } else if (more && (EqualsIgnoreCase(opt, "count") || EqualsIgnoreCase(opt, "maxlen"))) {
      bool is_count = EqualsIgnoreCase(opt, "count");
      auto v = ParseInt64(ctx.arg(++i));
      if (!v || *v < 0) {
        ctx.reply->Error(is_count ? kCountNegative : kMaxlenNegative);
        return false;
      }
      (is_count ? o->count : o->maxlen) = *v;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Two's-complement arithmetic, as Redis 7.0's LPOS does it with a rank of LLONG_MIN.
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

void LPos(CommandContext& ctx) {
  LposOptions o;
  if (!ParseLposOptions(ctx, &o)) return;
  bool wrong;
  KeyRef at = FindList(ctx, ctx.Db(ctx.arg(1)), ctx.arg(1), true, &wrong);
  if (wrong) return;
  if (!at) {
    if (o.count != -1) {
      ctx.reply->ArrayHeader(0);
    } else {
      ctx.reply->Null();
    }
    return;
  }
  bool from_tail = o.rank < 0;
  int64_t rank = from_tail ? WrapSub(0, o.rank) : o.rank;
  const Entry* e = *at.link;
  int64_t len = static_cast<int64_t>(list::Length(e));
  std::string_view want = ctx.arg(2);
  std::vector<int64_t> found;
  ListCursor c(e, from_tail ? static_cast<size_t>(len - 1) : 0);
  int64_t matches = 0;
  for (int64_t index = 0; c.valid() && (o.maxlen == 0 || index < o.maxlen); ++index) {
    if (c.Get().Equals(want) && ++matches >= rank) {
      found.push_back(from_tail ? len - index - 1 : index);
      if (o.count == -1 || (o.count != 0 && WrapSub(matches, rank) + 1 >= o.count)) break;
    }
    if (from_tail) {
      c.Prev();
    } else {
      c.Next();
    }
  }
  if (o.count == -1) {
    if (found.empty()) {
      ctx.reply->Null();
    } else {
      ctx.reply->Integer(found[0]);
    }
    return;
  }
  ctx.reply->ArrayHeader(found.size());
  for (int64_t i : found)
    ctx.reply->Integer(i);
}

// ---------------------------------------------------------------------------------------------
// Edits.

void LSet(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = LookupList(ctx, db, key, false, Missing::kNoSuchKey);
  if (!at) return;
  auto index = IntArg(ctx, ctx.arg(2));
  if (!index) return;
  std::string_view value = ctx.arg(3);
  // As Redis 7.2, the list converts for the new value before the index is checked.
  list::ConvertIfGrowing(at.link, value.size(), 1, Fill(ctx));
  int64_t len = static_cast<int64_t>(list::Length(*at.link));
  int64_t i = *index < 0 ? *index + len : *index;
  if (i < 0 || i >= len) {
    ctx.reply->Error(kIndexOutOfRange);
    return;
  }
  list::Set(at.link, static_cast<size_t>(i), value);
  list::ConvertIfShrunk(at.link, Fill(ctx));
  db.Modified(key);
  ctx.Notify(kNotifyList, "lset", key);
  ctx.reply->Ok();
}

void LInsert(CommandContext& ctx) {
  bool after = EqualsIgnoreCase(ctx.arg(2), "after");
  if (!after && !EqualsIgnoreCase(ctx.arg(2), "before")) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = LookupList(ctx, db, key, false, Missing::kZero);
  if (!at) return;
  std::string_view value = ctx.arg(4);
  list::ConvertIfGrowing(at.link, value.size(), 1, Fill(ctx));
  if (!list::InsertAtPivot(at.link, ctx.arg(3), value, after)) {
    ctx.reply->Integer(-1);
    return;
  }
  db.Modified(key);
  ctx.Notify(kNotifyList, "linsert", key);
  ctx.reply->Integer(static_cast<int64_t>(list::Length(*at.link)));
}

void LRem(CommandContext& ctx) {
  auto count = IntArg(ctx, ctx.arg(2));
  if (!count) return;
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = LookupList(ctx, db, key, false, Missing::kZero);
  if (!at) return;
  size_t removed = list::Remove(at.link, ctx.arg(3), *count);
  if (removed != 0) AfterRemoval(ctx, db, at, key, "lrem");
  ctx.reply->Integer(static_cast<int64_t>(removed));
}

void LTrim(CommandContext& ctx) {
  auto start = IntArg(ctx, ctx.arg(2));
  if (!start) return;
  auto end = IntArg(ctx, ctx.arg(3));
  if (!end) return;
  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = LookupList(ctx, db, key, false, Missing::kOk);
  if (!at) return;
  size_t len = list::Length(*at.link);
  size_t first = len, n = 0;  // an empty range removes everything
  ClipRange(*start, *end, len, &first, &n);
  list::DeleteRange(at.link, first + n, len - first - n);
  list::DeleteRange(at.link, 0, first);
  AfterRemoval(ctx, db, at, key, "ltrim");
  ctx.reply->Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The shared cores (list_ops.h).

void ListPop(CommandContext& ctx, Database& db, KeyRef at, std::string_view key, ListEnd end,
             int64_t count, ListPopReply form) {
  ReplyBuilder& r = *ctx.reply;
  const Entry* e = *at.link;
  size_t len = list::Length(e);
  size_t n = std::min(static_cast<size_t>(count), len);
  size_t from = end == ListEnd::kHead ? 0 : len - 1;
  if (form == ListPopReply::kKeyAndElement || form == ListPopReply::kKeyAndArray) {
    r.ArrayHeader(2);
    r.Bulk(key);
  }
  if (form == ListPopReply::kElement || form == ListPopReply::kKeyAndElement) {
    n = 1;
    ReplyElement(r, ListCursor(e, from).Get());
  } else {
    ReplyRange(r, e, from, n, end == ListEnd::kTail);
  }
  list::DeleteRange(at.link, end == ListEnd::kHead ? 0 : len - n, n);
  AfterRemoval(ctx, db, at, key, PopEvent(end));
}

bool ListMove(CommandContext& ctx, std::string_view src, std::string_view dst, ListEnd from,
              ListEnd to) {
  Database& sdb = ctx.Db(src);
  Database& ddb = ctx.Db(dst);
  bool wrong;
  KeyRef sat = FindList(ctx, sdb, src, false, &wrong);
  if (wrong) return true;
  if (!sat) return false;
  if (IsWrongType(ctx, ddb.Find(dst).entry(), ValueType::kList)) return true;
  // Finding `dst` may have expired it, which can move the table's links: look `src` up again.
  sat = sdb.Find(src);
  size_t len = list::Length(*sat.link);
  size_t index = from == ListEnd::kHead ? 0 : len - 1;
  char buf[kMaxIntChars];
  std::string value(ListCursor(*sat.link, index).Get().Text(buf));
  ctx.reply->Bulk(value);
  std::string_view pushed = value;
  if (&sdb == &ddb && src == dst) {  // a rotation: the key stays (and keeps its TTL)
    list::DeleteRange(sat.link, index, 1);
    list::Push(sat.link, to, {&pushed, 1}, Fill(ctx));
    sdb.Modified(src);
    ctx.Notify(kNotifyList, PushEvent(to), dst);
    ctx.Notify(kNotifyList, PopEvent(from), src);
    return true;
  }
  // As Redis, the destination is filled (and its events raised) before the source is emptied:
  // the source may be left empty for a moment, and is re-found after `dst`'s lookup and insert.
  list::DeleteRange(sat.link, index, 1);
  KeyRef dat = ddb.Find(dst);
  if (!dat) {
    Entry* e = list::NewEntry(dst);
    list::Push(&e, to, {&pushed, 1}, Fill(ctx));
    ddb.Put(dat, e);
  } else {
    list::Push(dat.link, to, {&pushed, 1}, Fill(ctx));
    ddb.Modified(dst);
  }
  ctx.Notify(kNotifyList, PushEvent(to), dst);
  AfterRemoval(ctx, sdb, sdb.Find(src), src, PopEvent(from));
  return true;
}

std::optional<ListEnd> ParseListEnd(std::string_view arg) {
  if (EqualsIgnoreCase(arg, "left")) return ListEnd::kHead;
  if (EqualsIgnoreCase(arg, "right")) return ListEnd::kTail;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Registration.

void RegisterListCommands(CommandRegistry& r) {
  constexpr const char* kWriteFast = "@write @list @fast";
  constexpr const char* kWriteSlow = "@write @list @slow";
  constexpr const char* kReadFast = "@read @list @fast";
  constexpr const char* kReadSlow = "@read @list @slow";
  const uint32_t kW = kCmdWrite;
  const uint32_t kWD = kCmdWrite | kCmdDenyOom;
  const uint32_t kWDF = kCmdWrite | kCmdDenyOom | kCmdFast;
  const uint32_t kR = kCmdReadonly;

  CommandAdder add(r);
  // name, arity, flags, handler, last key, ACL categories
  add("lpush", -3, kWDF, LPush, 1, kWriteFast);
  add("rpush", -3, kWDF, RPush, 1, kWriteFast);
  add("lpushx", -3, kWDF, LPushX, 1, kWriteFast);
  add("rpushx", -3, kWDF, RPushX, 1, kWriteFast);
  add("lpop", -2, kW | kCmdFast, LPop, 1, kWriteFast);
  add("rpop", -2, kW | kCmdFast, RPop, 1, kWriteFast);
  add("llen", 2, kR | kCmdFast, LLen, 1, kReadFast);
  add("lrange", 4, kR, LRange, 1, kReadSlow);
  add("lindex", 3, kR, LIndex, 1, kReadSlow);
  add("lpos", -3, kR, LPos, 1, kReadSlow);
  add("lset", 4, kWD, LSet, 1, kWriteSlow);
  add("linsert", 5, kWD, LInsert, 1, kWriteSlow);
  add("lrem", 4, kW, LRem, 1, kWriteSlow);
  add("ltrim", 4, kW, LTrim, 1, kWriteSlow);
  add("lmove", 5, kWD, LMove, 2, kWriteSlow);
  add("rpoplpush", 3, kWD, RPopLPush, 2, kWriteSlow);
  add("lmpop", -4, kW, LMPop, 0, kWriteSlow).key_finder = KeysAfterNumKeys<1>;
}

}  // namespace redwing
