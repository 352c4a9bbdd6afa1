#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "protocol/numbers.h"
#include "storage/collection.h"
#include "storage/entry.h"
#include "storage/hash_table.h"
#include "storage/listpack.h"

namespace redwing {

// The full ("hashtable") encoding of a hash: a HashTable whose entries are the fields, each one
// block holding the field as its key and the value as its string value (Entry::NewString), so a
// field costs one allocation plus one bucket pointer.
//
// Owned by its key's Entry (and so by the key's shard); not thread-safe.
class HashObject final : public Collection {
 public:
  HashObject() = default;

  size_t size() const { return table_.size(); }
  // The entry of `field` (value in string_value()), or nullptr.
  Entry* Find(std::string_view field);
  // Sets `field` to `value`; returns true if the field is new.
  bool Set(std::string_view field, std::string_view value);
  // Replaces the value of the field at `link` (from FindLink); the block may move.
  static void Replace(Entry** link, std::string_view value);
  // The table link of `field`, or nullptr (valid until the next change).
  Entry** FindLink(std::string_view field) { return table_.Find(field, HashKey(field)); }
  // Adds a field known to be absent.
  void Insert(std::string_view field, std::string_view value);
  // Removes `field`; returns true if it was there.
  bool Delete(std::string_view field);

  HashTable& table() { return table_; }
  const HashTable& table() const { return table_; }

  size_t AllocatedBytes(size_t samples) const override;
  std::unique_ptr<Collection> Clone() const override;
  const HashTable* member_index() const override { return &table_; }

 private:
  HashTable table_;
};

// The listpack thresholds (hash-max-listpack-entries / -value): a hash with more fields, or a
// field or value longer, is kept as a HashObject.
struct HashLimits {
  size_t max_entries = 128;
  size_t max_value = 64;
};

// A field or value read back from either encoding: listpack integers are formatted into `buf`.
struct HashText {
  char buf[kMaxIntChars];
};

// Operations on a hash key's entry (type kHash), whichever its encoding: a listpack of alternating
// field, value in the entry block (insertion order; a new field is appended, an update replaces
// the value in place), or a HashObject. Functions taking an Entry** may move the block (or
// convert it) and store the new address through the link. As in Redis 7.0, a hash converts to a
// hashtable when it passes a threshold and never converts back.
namespace hash {

// The bytes of an empty listpack: the value of a new hash key.
inline constexpr std::string_view kEmptyListpack{"\0\0\0\0", 4};

// A new, empty listpack-encoded hash entry.
inline Entry* NewEntry(std::string_view key) {
  return Entry::New(key, ValueType::kHash, Encoding::kListpack, kEmptyListpack, -1);
}

size_t Length(const Entry* e);
// Sets `*value` to the value of `field` and returns true, or returns false if absent.
bool Get(Entry* e, std::string_view field, HashText* text, std::string_view* value);
inline bool Exists(Entry* e, std::string_view field) {
  HashText t;
  std::string_view v;
  return Get(e, field, &t, &v);
}
// Sets `field` to `value`; returns true if the field is new. Converts to a hashtable first if
// `field` or `value` is too long for the listpack, after if the listpack has too many fields.
bool Set(Entry** link, std::string_view field, std::string_view value, const HashLimits& limits);
// Removes `field`; returns true if it was there. The caller deletes a key left empty.
bool Delete(Entry** link, std::string_view field);
// Converts a listpack hash to a hashtable (no-op if already one).
void ConvertToHashtable(Entry** link);

// Calls fn(field, value) for every field, in the hash's order (insertion order for a listpack).
template <typename Fn>
void ForEach(const Entry* e, Fn&& fn) {
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    HashText ft, vt;
    for (size_t pos = lp.begin(); pos < lp.end();) {
      size_t vpos = lp.Next(pos);
      fn(lp.Get(pos).Text(ft.buf), lp.Get(vpos).Text(vt.buf));
      pos = lp.Next(vpos);
    }
    return;
  }
  e->object_as<HashObject>()->table().ForEach(
      [&fn](const Entry* f) { fn(f->key(), f->string_value()); });
}

}  // namespace hash
}  // namespace redwing
