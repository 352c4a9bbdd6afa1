// SORT and SORT_RO on lists, sets and sorted sets (BY, LIMIT, GET, ASC/DESC, ALPHA, STORE) with
// Redis 7.0's replies, errors and edge cases:
//   - numeric order by default (strtod over the whole text; "One or more scores can't be
//     converted into double" after every score was read), ties broken by the elements' bytes;
//   - ALPHA: C-locale collation (strcmp, which stops at a NUL byte) when replying, plain byte
//     order when storing, as Redis compares with strcoll/memcmp; equal keys keep their original
//     order (a stable sort, as glibc's qsort);
//   - BY pattern: the first '*' replaced by the element, "->field" reads a hash field, a missing
//     key sorts as 0 (numeric) or first (ALPHA); a pattern without '*' ("nosort") skips sorting:
//     lists and sorted sets keep their order (DESC reverses it, LIMIT takes the range directly),
//     sets keep theirs unless STORE is given (then they are sorted ALPHA);
//   - GET pattern (repeatable; '#' is the element): missing values reply null, store "";
//   - STORE: the result replaces the destination as a list (TTL dropped); an empty result deletes
//     it; the reply is the number of stored elements. SORT_RO has no STORE (syntax error).
//   - Like Redis 7.0, sorting a sorted set converts its listpack to a skiplist for good.
//
// Routing: the key finder declares the sorted key and the last STORE destination, as Redis's
// sortGetKeys (COMMAND GETKEYS, movablekeys), and the command runs with those keys' shards held.
// BY and GET patterns name keys the router cannot know (they derive from the elements), so an
// invocation that uses them holds every shard instead (CommandSpec::needs_all_shards:
// SortNeedsAllShards), and its pattern lookups reach any key through ctx.Db().

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/command_helpers.h"
#include "storage/hash_object.h"
#include "storage/list_value.h"
#include "storage/set_type.h"
#include "storage/zset.h"

namespace redwing {
namespace {

constexpr std::string_view kScoreNotDouble =
    "ERR One or more scores can't be converted into double";

// The part of `s` a C string function sees: up to its first NUL byte. Redis reads patterns with
// strchr/strstr and collates with strcoll, so bytes after a NUL do not count there.
std::string_view CStringPrefix(std::string_view s) {
  size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

// A BY or GET pattern, taken apart once as Redis's lookupKeyByPattern reads it.
struct SortPattern {
  bool self = false;      // "#": the element itself
  bool has_star = false;  // without '*' a pattern finds nothing (and BY does not sort)
  std::string_view prefix;
  std::string_view suffix;
  bool has_field = false;  // "->field" after the '*': a hash field
  std::string_view field;

  explicit SortPattern(std::string_view pattern) {
    std::string_view c = CStringPrefix(pattern);
    if (c == "#") {
      self = true;
      return;
    }
    size_t star = c.find('*');
    if (star == std::string_view::npos) return;
    has_star = true;
    prefix = pattern.substr(0, star);
    size_t arrow = c.find("->", star + 1);
    if (arrow != std::string_view::npos && arrow + 2 < c.size()) {
      has_field = true;
      field = pattern.substr(arrow + 2);
      suffix = pattern.substr(star + 1, arrow - star - 1);
    } else {
      suffix = pattern.substr(star + 1);
    }
  }
};

// Looks patterns up for elements. A found value is valid until the next Lookup or a change to
// the keyspace.
class PatternLookup {
 public:
  explicit PatternLookup(CommandContext& ctx) : ctx_(ctx) {}

  bool Lookup(const SortPattern& p, std::string_view element, std::string_view* value) {
    if (p.self) {
      *value = element;
      return true;
    }
    if (!p.has_star) return false;
    key_.assign(p.prefix);
    key_.append(element);
    key_.append(p.suffix);
    const Entry* e = ctx_.Db(key_).Find(key_, /*for_read=*/true).entry();
    if (e == nullptr) return false;
    if (p.has_field) {
      if (e->type() != ValueType::kHash) return false;
      return hash::Get(const_cast<Entry*>(e), p.field, &text_, value);
    }
    if (e->type() != ValueType::kString) return false;
    *value = e->string_value();
    return true;
  }

 private:
  CommandContext& ctx_;
  std::string key_;
  HashText text_;
};

// Reads scores as Redis reads a sort score: strtod over the C string, which must end where strtod
// stops, without overflow, underflow or NaN. Reuses one buffer for the terminating NUL.
class ScoreParser {
 public:
  bool Parse(std::string_view s, double* out) {
    text_.assign(s);
    char* end = nullptr;
    errno = 0;
    *out = std::strtod(text_.c_str(), &end);
    return *end == '\0' && errno != ERANGE && !std::isnan(*out);
  }

 private:
  std::string text_;
};

int CompareBytes(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// strcoll in the C locale: strcmp over the C strings.
int CompareCollated(std::string_view a, std::string_view b) {
  return CompareBytes(CStringPrefix(a), CStringPrefix(b));
}

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  bool has_by = false;
  std::string_view by;
  std::vector<std::string_view> gets;
  bool has_store = false;
  std::string_view store;
  size_t store_index = 0;  // the argument holding `store`
};

// Parses the options after the key as Redis does (the last of a repeated option wins). Returns
// the error to reply if they are malformed, else an empty view.
std::string_view ParseSortOptions(std::span<const std::string_view> args, bool readonly,
                                  SortOptions* o) {
  for (size_t j = 2; j < args.size(); ++j) {
    std::string_view a = args[j];
    size_t left = args.size() - j - 1;
    if (EqualsIgnoreCase(a, "asc")) {
      o->desc = false;
    } else if (EqualsIgnoreCase(a, "desc")) {
      o->desc = true;
    } else if (EqualsIgnoreCase(a, "alpha")) {
      o->alpha = true;
    } else if (EqualsIgnoreCase(a, "limit") && left >= 2) {
      auto start = ParseInt64(args[j + 1]);
      if (!start) return errors::kNotInteger;
      auto count = ParseInt64(args[j + 2]);
      if (!count) return errors::kNotInteger;
      o->limit_start = *start;
      o->limit_count = *count;
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(a, "store") && left >= 1) {
      o->has_store = true;
      o->store_index = ++j;
      o->store = args[j];
    } else if (EqualsIgnoreCase(a, "by") && left >= 1) {
      o->has_by = true;
      o->by = args[++j];
      // A pattern without '*' turns sorting off for good (a later BY does not turn it on).
      if (CStringPrefix(o->by).find('*') == std::string_view::npos) o->dontsort = true;
    } else if (EqualsIgnoreCase(a, "get") && left >= 1) {
      o->gets.push_back(args[++j]);
    } else {
      return errors::kSyntax;
    }
  }
  return {};
}

// Whether the options make SORT read keys named by patterns: BY with a '*' (when it sorts) or a
// GET pattern with a '*' (other than "#").
bool UsesPatterns(const SortOptions& o) {
  if (o.has_by && !o.dontsort) return true;
  for (std::string_view g : o.gets) {
    if (SortPattern(g).has_star) return true;
  }
  return false;
}

// One element to sort: its text and its sort key, kept as offsets into an arena.
struct SortItem {
  size_t elem_off = 0;
  size_t elem_len = 0;
  double score = 0;
  bool has_cmp = false;  // ALPHA with BY: the value found (none sorts first)
  size_t cmp_off = 0;
  size_t cmp_len = 0;
};

class SortVector {
 public:
  void Add(std::string_view element) {
    items_.push_back(SortItem{.elem_off = arena_.size(), .elem_len = element.size()});
    arena_.append(element);
  }
  void SetCompareValue(size_t i, std::string_view v) {
    items_[i].has_cmp = true;
    items_[i].cmp_off = arena_.size();
    items_[i].cmp_len = v.size();
    arena_.append(v);
  }
  std::string_view Element(const SortItem& it) const {
    return {arena_.data() + it.elem_off, it.elem_len};
  }
  std::string_view Element(size_t i) const { return Element(items_[i]); }
  std::string_view CompareValue(const SortItem& it) const {
    return {arena_.data() + it.cmp_off, it.cmp_len};
  }
  std::vector<SortItem>& items() { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::string arena_;
  std::vector<SortItem> items_;
};

// Loads the source value's elements into `v`. For a list or sorted set that is not sorted
// (BY without '*'), only the range [*start, *end] is loaded, from the tail when `desc`, and the
// range is rebased to the loaded vector, as Redis does.
void LoadElements(const Entry* e, const SortOptions& o, int64_t* start, int64_t* end,
                  SortVector* v) {
  char buf[kMaxIntChars];
  bool direct_range = o.dontsort && e->type() != ValueType::kSet;
  switch (e->type()) {
    case ValueType::kList: {
      size_t len = list::Length(e);
      if (!direct_range) {
        if (len == 0) return;
        for (ListCursor c(e, 0); c.valid(); c.Next())
          v->Add(c.Get().Text(buf));
        return;
      }
      if (*end < *start) return;
      auto from = static_cast<size_t>(*start);
      size_t n = static_cast<size_t>(*end - *start + 1);
      ListCursor c(e, o.desc ? len - from - 1 : from);
      for (size_t i = 0; i < n && c.valid(); ++i) {
        v->Add(c.Get().Text(buf));
        if (o.desc) {
          c.Prev();
        } else {
          c.Next();
        }
      }
      *end -= *start;
      *start = 0;
      return;
    }
    case ValueType::kSet:
      set_type::ForEach(e, [&](const SetMember& m) { v->Add(m.Text(buf)); });
      return;
    case ValueType::kZSet: {
      size_t len = zset::Size(e);
      auto add = [&](std::string_view member, double) { v->Add(member); };
      if (!direct_range) {
        zset::ForRanks(e, 0, len, false, add);
        return;
      }
      if (*end >= *start) {
        auto from = static_cast<size_t>(*start);
        auto to = static_cast<size_t>(*end + 1);
        if (o.desc) {
          zset::ForRanks(e, len - to, len - from, true, add);
        } else {
          zset::ForRanks(e, from, to, false, add);
        }
      }
      *end -= *start;
      *start = 0;
      return;
    }
    default:
      return;
  }
}

// Reads every element's sort key (the element or its BY value). Returns false if a numeric key
// is not a valid double.
bool LoadSortKeys(const SortOptions& o, PatternLookup& lookup, SortVector* v) {
  SortPattern by(o.has_by ? o.by : std::string_view());
  ScoreParser parser;
  bool ok = true;
  for (size_t i = 0; i < v->size(); ++i) {
    std::string_view key = v->Element(i);
    if (o.has_by && !lookup.Lookup(by, key, &key)) continue;
    if (o.alpha) {
      if (o.has_by) v->SetCompareValue(i, key);
    } else if (!parser.Parse(key, &v->items()[i].score)) {
      ok = false;
    }
  }
  return ok;
}

void Sort(const SortOptions& o, SortVector* v) {
  auto compare = [&](const SortItem& a, const SortItem& b) {
    if (!o.alpha) {
      if (a.score != b.score) return a.score < b.score ? -1 : 1;
      return CompareBytes(v->Element(a), v->Element(b));
    }
    if (o.has_by) {
      if (!a.has_cmp || !b.has_cmp) return a.has_cmp == b.has_cmp ? 0 : (a.has_cmp ? 1 : -1);
      return o.has_store ? CompareBytes(v->CompareValue(a), v->CompareValue(b))
                         : CompareCollated(v->CompareValue(a), v->CompareValue(b));
    }
    return o.has_store ? CompareBytes(v->Element(a), v->Element(b))
                       : CompareCollated(v->Element(a), v->Element(b));
  };
  std::stable_sort(v->items().begin(), v->items().end(), [&](const SortItem& a, const SortItem& b) {
    int c = compare(a, b);
    return o.desc ? c > 0 : c < 0;
  });
}

// Stores `list_entry` (a list of `count` elements) under `dest`, replacing any value and TTL
// ("sortstore", of class list as in Redis); an empty list deletes `dest` instead ("del"). Replies
// the count.
void StoreList(CommandContext& ctx, std::string_view dest, Entry* list_entry, size_t count) {
  Database& db = ctx.Db(dest);
  KeyRef at = db.Find(dest);
  if (count == 0) {
    Entry::Free(list_entry);
    if (at) {
      db.Erase(at);
      ctx.Notify(kNotifyGeneric, "del", dest);
    }
  } else {
    db.Put(at, list_entry);
    ctx.Notify(kNotifyList, "sortstore", dest);
  }
  ctx.reply->Integer(static_cast<int64_t>(count));
}

void SortGeneric(CommandContext& ctx, bool readonly) {
  SortOptions o;
  if (std::string_view error = ParseSortOptions(ctx.args, readonly, &o); !error.empty()) {
    ctx.reply->Error(error);
    return;
  }

  std::string_view key = ctx.arg(1);
  Database& db = ctx.Db(key);
  KeyRef at = db.Find(key, /*for_read=*/true);
  const Entry* e = at.entry();
  if (e != nullptr && e->type() != ValueType::kList && e->type() != ValueType::kSet &&
      e->type() != ValueType::kZSet) {
    ctx.reply->Error(errors::kWrongType);
    return;
  }
  // A set left unsorted would store (or replicate) in its table's order: sort it ALPHA instead.
  if (e != nullptr && o.dontsort && e->type() == ValueType::kSet && o.has_store) {
    o.dontsort = false;
    o.alpha = true;
    o.has_by = false;
  }
  if (e != nullptr && e->type() == ValueType::kZSet && e->encoding() == Encoding::kListpack) {
    zset::ConvertToSkiplist(at.link);
    e = *at.link;
  }

  int64_t len = 0;
  if (e != nullptr) {
    switch (e->type()) {
      case ValueType::kList:
        len = static_cast<int64_t>(list::Length(e));
        break;
      case ValueType::kSet:
        len = static_cast<int64_t>(set_type::Size(e));
        break;
      default:
        len = static_cast<int64_t>(zset::Size(e));
        break;
    }
  }
  // LIMIT, clamped to the value's size (no overflow) as Redis 7.0 does.
  int64_t start = std::min(std::max<int64_t>(o.limit_start, 0), len);
  int64_t count = std::min(std::max<int64_t>(o.limit_count, -1), len);
  int64_t end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  SortVector v;
  if (e != nullptr) LoadElements(e, o, &start, &end, &v);

  PatternLookup lookup(ctx);
  bool scores_ok = true;
  if (!o.dontsort) {
    scores_ok = LoadSortKeys(o, lookup, &v);
    if (scores_ok) Sort(o, &v);
  }
  if (!scores_ok) {
    ctx.reply->Error(kScoreNotDouble);
    return;
  }

  std::vector<SortPattern> gets;
  gets.reserve(o.gets.size());
  for (std::string_view g : o.gets)
    gets.emplace_back(g);
  size_t range = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  size_t outputlen = gets.empty() ? range : gets.size() * range;

  if (!o.has_store) {
    ctx.reply->ArrayHeader(outputlen);
    for (size_t j = 0; j < range; ++j) {
      std::string_view element = v.Element(static_cast<size_t>(start) + j);
      if (gets.empty()) ctx.reply->Bulk(element);
      for (const SortPattern& g : gets) {
        std::string_view value;
        if (lookup.Lookup(g, element, &value)) {
          ctx.reply->Bulk(value);
        } else {
          ctx.reply->Null();
        }
      }
    }
    return;
  }

  const int64_t fill = ctx.engine->config().list_max_listpack_size();
  Entry* result = list::NewEntry(o.store);
  auto push = [&](std::string_view value) {
    list::Push(&result, ListEnd::kTail, std::span<const std::string_view>(&value, 1), fill);
  };
  for (size_t j = 0; j < range; ++j) {
    std::string_view element = v.Element(static_cast<size_t>(start) + j);
    if (gets.empty()) push(element);
    for (const SortPattern& g : gets) {
      std::string_view value;
      push(lookup.Lookup(g, element, &value) ? value : std::string_view());
    }
  }
  StoreList(ctx, o.store, result, outputlen);
}

void SortCommand(CommandContext& ctx) {
  SortGeneric(ctx, /*readonly=*/false);
}

void SortRoCommand(CommandContext& ctx) {
  SortGeneric(ctx, /*readonly=*/true);
}

// SORT's keys as Redis's sortGetKeys finds them: the sorted key, then the last STORE
// destination (LIMIT, GET and BY skip their arguments; other words take none).
bool SortKeys(std::span<const std::string_view> args, std::vector<int>* keys) {
  keys->push_back(1);
  int store = 0;
  const int argc = static_cast<int>(args.size());
  for (int i = 2; i < argc; ++i) {
    std::string_view a = args[static_cast<size_t>(i)];
    if (EqualsIgnoreCase(a, "limit")) {
      i += 2;
    } else if (EqualsIgnoreCase(a, "get") || EqualsIgnoreCase(a, "by")) {
      i += 1;
    } else if (EqualsIgnoreCase(a, "store") && i + 1 < argc) {
      store = i + 1;
    }
  }
  if (store != 0) keys->push_back(store);
  return true;
}

// SORT_RO declares only the sorted key.
bool SortRoKeys(std::span<const std::string_view>, std::vector<int>* keys) {
  keys->push_back(1);
  return true;
}

// Whether this SORT must hold every shard: when it reads keys named by patterns, or when the
// destination its options name is not the one its key finder declares (sortGetKeys does not skip
// STORE's argument, so "STORE by STORE d" declares "by" while the command stores to "d"). A
// malformed invocation touches no key.
bool SortNeedsAllShards(std::span<const std::string_view> args) {
  SortOptions o;
  if (!ParseSortOptions(args, /*readonly=*/false, &o).empty()) return false;
  if (UsesPatterns(o)) return true;
  if (!o.has_store) return false;
  std::vector<int> keys;
  SortKeys(args, &keys);
  return keys.size() < 2 || static_cast<size_t>(keys[1]) != o.store_index;
}

bool SortRoNeedsAllShards(std::span<const std::string_view> args) {
  SortOptions o;
  return ParseSortOptions(args, /*readonly=*/true, &o).empty() && UsesPatterns(o);
}

}  // namespace

void RegisterSortCommands(CommandRegistry& r) {
  constexpr const char* kSortAcl = "@write @set @sortedset @list @slow @dangerous";
  constexpr const char* kSortRoAcl = "@read @set @sortedset @list @slow @dangerous";
  r.Add({.name = "sort",
         .arity = -2,
         .flags = kCmdWrite | kCmdDenyOom,
         .first_key = 1,
         .last_key = 1,
         .key_step = 1,
         .handler = SortCommand,
         .key_finder = SortKeys,
         .needs_all_shards = SortNeedsAllShards,
         .acl_categories = kSortAcl});
  r.Add({.name = "sort_ro",
         .arity = -2,
         .flags = kCmdReadonly,
         .first_key = 1,
         .last_key = 1,
         .key_step = 1,
         .handler = SortRoCommand,
         .key_finder = SortRoKeys,
         .needs_all_shards = SortRoNeedsAllShards,
         .acl_categories = kSortRoAcl});
}

}  // namespace redwing
