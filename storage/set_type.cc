#include "storage/set_type.h"

#include <algorithm>
#include <string>

#include "protocol/numbers.h"

namespace redwing {
namespace set_type {
namespace {

// Redis caps an intset at 2^30 members whatever set-max-intset-entries says.
constexpr int64_t kIntsetHardLimit = int64_t{1} << 30;

int64_t IntsetMaxEntries(const SetLimits& limits) {
  return std::min(limits.max_intset_entries, kIntsetHardLimit);
}

size_t Digits(int64_t v) {
  char buf[kMaxIntChars];
  return FormatInt64(v, buf);
}

// Rebuilds an intset as a listpack of the same members, in ascending order.
void IntsetToListpack(Entry** link) {
  std::string lp = listpack::Empty();
  StringRegion region(&lp);
  IntsetView is((*link)->value());
  char buf[kMaxIntChars];
  for (size_t i = 0, n = is.size(); i < n; ++i)
    listpack::Append(region, std::string_view(buf, FormatInt64(is.Get(i), buf)));
  *link = Entry::ConvertToBytes(*link, Encoding::kListpack, lp);
}

bool AddToIntset(Entry** link, int64_t v, const SetLimits& limits) {
  EntryValueRegion region(link);
  if (!intset::Add(region, v)) return false;
  if (static_cast<int64_t>(IntsetView((*link)->value()).size()) > IntsetMaxEntries(limits)) {
    ConvertToHashtable(link);
  }
  return true;
}

// Adds a non-integer member to an intset: the set becomes a listpack if the result fits one
// (every member, formatted, within set-max-listpack-value), a hashtable otherwise.
void AddStringToIntset(Entry** link, std::string_view member, const SetLimits& limits) {
  IntsetView is((*link)->value());
  size_t n = is.size();
  size_t longest = n == 0 ? 0 : std::max(Digits(is.Min()), Digits(is.Max()));
  auto max_value = static_cast<size_t>(std::max<int64_t>(limits.max_listpack_value, 0));
  if (static_cast<int64_t>(n) < limits.max_listpack_entries && member.size() <= max_value &&
      longest <= max_value) {
    IntsetToListpack(link);
    EntryValueRegion region(link);
    listpack::Append(region, member);
    return;
  }
  ConvertToHashtable(link);
  (*link)->object_as<SetObject>()->Add(member);
}

bool AddToListpack(Entry** link, std::string_view member, const SetLimits& limits) {
  ListpackView lp((*link)->value());
  if (lp.Find(lp.begin(), member) != lp.end()) return false;
  if (static_cast<int64_t>(lp.size()) < limits.max_listpack_entries &&
      static_cast<int64_t>(member.size()) <= limits.max_listpack_value) {
    EntryValueRegion region(link);
    listpack::Append(region, member);
    return true;
  }
  ConvertToHashtable(link);
  return (*link)->object_as<SetObject>()->Add(member);
}

}  // namespace

Entry* CreateEmpty(std::string_view key, Encoding encoding) {
  switch (encoding) {
    case Encoding::kIntset:
      return Entry::New(key, ValueType::kSet, encoding, intset::Empty(), -1);
    case Encoding::kListpack:
      return Entry::New(key, ValueType::kSet, encoding, listpack::Empty(), -1);
    default: {
      auto set = std::make_unique<SetObject>();
      Entry* e = Entry::NewObject(key, ValueType::kSet, Encoding::kHashtable, set.get(), -1);
      set.release();
      return e;
    }
  }
}

Entry* Create(std::string_view key, std::string_view first, size_t size_hint,
              const SetLimits& limits) {
  auto hint = static_cast<int64_t>(size_hint);
  if (hint <= limits.max_intset_entries && ParseInt64(first)) {
    return CreateEmpty(key, Encoding::kIntset);
  }
  if (hint <= limits.max_listpack_entries) return CreateEmpty(key, Encoding::kListpack);
  return CreateEmpty(key, Encoding::kHashtable);
}

void MaybeConvert(Entry** link, size_t size_hint, const SetLimits& limits) {
  auto hint = static_cast<int64_t>(size_hint);
  Encoding enc = (*link)->encoding();
  if ((enc == Encoding::kListpack && hint > limits.max_listpack_entries) ||
      (enc == Encoding::kIntset && hint > limits.max_intset_entries)) {
    ConvertToHashtable(link);
  }
}

void ConvertToHashtable(Entry** link) {
  if ((*link)->encoding() == Encoding::kHashtable) return;
  auto set = std::make_unique<SetObject>();
  char buf[kMaxIntChars];
  ForEach(*link, [&](const SetMember& m) { set->Add(m.Text(buf)); });
  *link = Entry::ConvertToObject(*link, Encoding::kHashtable, set.get());
  set.release();
}

void MaybeConvertToIntset(Entry** link, const SetLimits& limits) {
  if ((*link)->encoding() == Encoding::kIntset) return;
  if (static_cast<int64_t>(Size(*link)) > IntsetMaxEntries(limits)) return;
  std::string is = intset::Empty();
  StringRegion region(&is);
  bool all_integers = true;
  ForEach(*link, [&](const SetMember& m) {
    if (m.is_int) {
      intset::Add(region, m.integer);
    } else if (auto v = ParseInt64(m.str)) {
      intset::Add(region, *v);
    } else {
      all_integers = false;
    }
  });
  if (all_integers) *link = Entry::ConvertToBytes(*link, Encoding::kIntset, is);
}

size_t Size(const Entry* e) {
  switch (e->encoding()) {
    case Encoding::kIntset:
      return IntsetView(e->value()).size();
    case Encoding::kListpack:
      return ListpackView(e->value()).size();
    default:
      return e->object_as<SetObject>()->size();
  }
}

bool Contains(Entry* e, std::string_view member) {
  switch (e->encoding()) {
    case Encoding::kIntset: {
      auto v = ParseInt64(member);
      return v && IntsetView(e->value()).Contains(*v);
    }
    case Encoding::kListpack: {
      ListpackView lp(e->value());
      return lp.Find(lp.begin(), member) != lp.end();
    }
    default:
      return e->object_as<SetObject>()->Contains(member);
  }
}

bool Contains(Entry* e, const SetMember& member) {
  if (member.is_int && e->encoding() == Encoding::kIntset) {
    return IntsetView(e->value()).Contains(member.integer);
  }
  char buf[kMaxIntChars];
  return Contains(e, member.Text(buf));
}

bool Add(Entry** link, std::string_view member, const SetLimits& limits) {
  switch ((*link)->encoding()) {
    case Encoding::kIntset:
      if (auto v = ParseInt64(member)) return AddToIntset(link, *v, limits);
      AddStringToIntset(link, member, limits);
      return true;
    case Encoding::kListpack:
      return AddToListpack(link, member, limits);
    default:
      return (*link)->object_as<SetObject>()->Add(member);
  }
}

bool Add(Entry** link, const SetMember& member, const SetLimits& limits) {
  if (member.is_int && (*link)->encoding() == Encoding::kIntset) {
    return AddToIntset(link, member.integer, limits);
  }
  char buf[kMaxIntChars];
  return Add(link, member.Text(buf), limits);
}

bool Remove(Entry** link, std::string_view member) {
  switch ((*link)->encoding()) {
    case Encoding::kIntset: {
      auto v = ParseInt64(member);
      if (!v) return false;
      EntryValueRegion region(link);
      return intset::Remove(region, *v);
    }
    case Encoding::kListpack: {
      ListpackView lp((*link)->value());
      size_t pos = lp.Find(lp.begin(), member);
      if (pos == lp.end()) return false;
      EntryValueRegion region(link);
      listpack::Delete(region, pos);
      return true;
    }
    default:
      return (*link)->object_as<SetObject>()->Remove(member);
  }
}

SetMember Random(Entry* e, uint64_t random) {
  SetMember m;
  switch (e->encoding()) {
    case Encoding::kIntset: {
      IntsetView is(e->value());
      m.is_int = true;
      m.integer = is.Get(random % is.size());
      return m;
    }
    case Encoding::kListpack: {
      ListpackView lp(e->value());
      return lp.Get(lp.Seek(static_cast<int64_t>(random % lp.size())));
    }
    default:
      m.str = e->object_as<SetObject>()->Random(random);
      return m;
  }
}

}  // namespace set_type
}  // namespace redwing
