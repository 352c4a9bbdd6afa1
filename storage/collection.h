#pragma once

#include <cstddef>
#include <memory>

namespace redwing {

class HashTable;

// The full (non-compact) representation of a hash, list, set or sorted set, owned through a
// pointer in its key's Entry (see entry.h). Small collections do not have one: their compact
// encoding lives in the entry block itself.
//
// Owned by the entry, and so by the entry's shard: touched only by the thread holding the shard.
class Collection {
 public:
  virtual ~Collection() = default;
  // Bytes this structure occupies in the allocator, the entry block excluded (MEMORY USAGE).
  // May estimate from a sample of `samples` elements (0: all), as Redis's MEMORY USAGE does.
  virtual size_t AllocatedBytes(size_t samples) const = 0;
  // A deep copy (COPY).
  virtual std::unique_ptr<Collection> Clone() const = 0;
  // The table that members (set), fields (hash) or members' scores (sorted set) are looked up in,
  // if the structure has one: for cache hints ahead of a pipeline's commands.
  virtual const HashTable* member_index() const { return nullptr; }
};

}  // namespace redwing
