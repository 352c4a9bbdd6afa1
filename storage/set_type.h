#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/entry.h"
#include "storage/intset.h"
#include "storage/listpack.h"
#include "storage/set_object.h"

namespace redwing {

// The thresholds of the compact set encodings (set-max-intset-entries, set-max-listpack-entries,
// set-max-listpack-value), read from the config for each command.
struct SetLimits {
  int64_t max_intset_entries = 512;
  int64_t max_listpack_entries = 128;
  int64_t max_listpack_value = 64;
};

// A member as an encoding holds it: an integer (intset, or a listpack's integer element) or a
// string. Text() gives the member as clients see it.
using SetMember = ListpackElement;

// A set's value, whatever its encoding, with Redis 7.2's encoding rules:
//   intset    while every member is an integer and there are at most set-max-intset-entries;
//   listpack  (insertion order) for up to set-max-listpack-entries members of at most
//             set-max-listpack-value bytes;
//   hashtable (SetObject) past that.
// A set converts only upwards (intset -> listpack -> hashtable, or intset -> hashtable) as members
// are added; the store commands and SPOP with a count build new values and may pick a smaller
// encoding for them (MaybeConvertToIntset, CreateFor).
//
// Functions taking an Entry** edit the set's value in place: the block may move, and the new
// address is stored through the link (a table link, or a local pointer for a value being built).
namespace set_type {

// An empty set value for a key about to receive `size_hint` members, the first being `first`
// (Redis's setTypeCreate): an intset if `first` is an integer and the hint allows one, else a
// listpack if the hint allows one, else a hashtable.
Entry* Create(std::string_view key, std::string_view first, size_t size_hint,
              const SetLimits& limits);
// An empty set value of the given encoding.
Entry* CreateEmpty(std::string_view key, Encoding encoding);
// Converts a compact set to a hashtable when `size_hint` members are about to be added and would
// not fit its encoding (Redis's setTypeMaybeConvert for SADD).
void MaybeConvert(Entry** link, size_t size_hint, const SetLimits& limits);
// Converts the set to a hashtable (a no-op if it is one).
void ConvertToHashtable(Entry** link);
// Converts a set whose members are all integers to an intset if it has few enough members.
void MaybeConvertToIntset(Entry** link, const SetLimits& limits);

size_t Size(const Entry* e);
bool Contains(Entry* e, std::string_view member);
// As Contains, for a member read from another set (an integer is not formatted for an intset).
bool Contains(Entry* e, const SetMember& member);
// Adds `member`, converting the encoding when it no longer fits; returns false if present.
bool Add(Entry** link, std::string_view member, const SetLimits& limits);
bool Add(Entry** link, const SetMember& member, const SetLimits& limits);
// Removes `member`; returns false if absent. The caller deletes a set left empty.
bool Remove(Entry** link, std::string_view member);
// A random member (the set must not be empty); valid until the set changes.
SetMember Random(Entry* e, uint64_t random);
// Removes a random member (the set must not be empty), first passing it to fn(const SetMember&)
// (SPOP: the reply copies it before it goes). The caller deletes a set left empty.
template <typename Fn>
void PopRandom(Entry** link, uint64_t random, Fn&& fn);

// Calls fn(const SetMember&) for every member, in the encoding's order (intset: ascending;
// listpack: insertion; hashtable: the table's). fn must not change the set.
template <typename Fn>
void ForEach(const Entry* e, Fn&& fn) {
  switch (e->encoding()) {
    case Encoding::kIntset: {
      IntsetView is(e->value());
      for (size_t i = 0, n = is.size(); i < n; ++i) {
        SetMember m;
        m.is_int = true;
        m.integer = is.Get(i);
        fn(m);
      }
      break;
    }
    case Encoding::kListpack: {
      ListpackView lp(e->value());
      for (size_t p = lp.begin(); p != lp.end(); p = lp.Next(p))
        fn(lp.Get(p));
      break;
    }
    default:
      e->object_as<SetObject>()->ForEach([&](std::string_view s) {
        SetMember m;
        m.str = s;
        fn(m);
      });
      break;
  }
}

template <typename Fn>
void PopRandom(Entry** link, uint64_t random, Fn&& fn) {
  switch ((*link)->encoding()) {
    case Encoding::kIntset: {
      IntsetView is((*link)->value());
      size_t index = random % is.size();
      SetMember m;
      m.is_int = true;
      m.integer = is.Get(index);
      fn(static_cast<const SetMember&>(m));
      EntryValueRegion region(link);
      intset::RemoveAt(region, index);
      break;
    }
    case Encoding::kListpack: {
      ListpackView lp((*link)->value());
      size_t pos = lp.Seek(static_cast<int64_t>(random % lp.size()));
      fn(static_cast<const SetMember&>(lp.Get(pos)));
      EntryValueRegion region(link);
      listpack::Delete(region, pos);
      break;
    }
    default: {
      auto* set = (*link)->object_as<SetObject>();
      SetMember m;
      m.str = set->Random(random);
      fn(static_cast<const SetMember&>(m));
      // The member's text lives in the entry being removed: Remove reads it only before freeing.
      set->Remove(m.str);
      break;
    }
  }
}

}  // namespace set_type
}  // namespace redwing
