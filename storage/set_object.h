#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "storage/collection.h"
#include "storage/hash_table.h"

namespace redwing {

// The full encoding of a set ("hashtable"): a HashTable of member entries, one Entry block per
// member holding the member as its key and an empty value, so a member costs its block plus a
// bucket slot. Membership, insertion and removal are O(1); Scan keeps the table's cursor
// guarantee; Random is near-uniform. Small sets do not use it: they are an intset or a listpack
// in their key's entry block (storage/set_type.h).
//
// Owned by its key's entry; not thread-safe (see collection.h).
class SetObject final : public Collection {
 public:
  SetObject() = default;

  size_t size() const { return table_.size(); }
  // Adds `member`; returns false if it was already present.
  bool Add(std::string_view member);
  // Removes `member`; returns false if it was absent.
  bool Remove(std::string_view member);
  bool Contains(std::string_view member);
  // A random member; the set must not be empty. Valid until the set changes.
  std::string_view Random(uint64_t random);
  // Calls fn(member) for the members of the bucket(s) at `cursor`; returns the next cursor (0:
  // done). fn must not change the set.
  uint64_t Scan(uint64_t cursor, const std::function<void(std::string_view)>& fn) {
    return table_.Scan(cursor, [&](Entry* e) { fn(e->key()); });
  }
  // Visits every member; fn must not change the set.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    table_.ForEach([&](const Entry* e) { fn(e->key()); });
  }

  size_t AllocatedBytes(size_t samples) const override;
  std::unique_ptr<Collection> Clone() const override;
  const HashTable* member_index() const override { return &table_; }

 private:
  HashTable table_;
};

}  // namespace redwing
