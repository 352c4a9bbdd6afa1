#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "storage/entry.h"
#include "storage/listpack.h"
#include "storage/quicklist.h"

namespace redwing {

enum class ListEnd : uint8_t { kHead, kTail };

// A list value in either of its encodings, as Redis 7.2 keeps them: a small list is a listpack in
// its key's entry block (Encoding::kListpack); past list-max-listpack-size (`fill`) it becomes a
// Quicklist (Encoding::kQuicklist), and it goes back to a listpack when it shrinks to one node
// within half the limit.
//
// The functions take the link that holds the entry (a table link, or a local pointer for an entry
// not yet stored): resizes and conversions store the moved block through it. Indexes are
// 0-based and in range unless said otherwise; callers clip them as the commands do.
namespace list {

// A new, empty list entry (a listpack) for `key`, without expiry.
Entry* NewEntry(std::string_view key);
size_t Length(const Entry* e);

// Converts a listpack to a quicklist if adding `add_count` elements of `add_bytes` bytes (their
// string lengths) would take it past the limit: Redis 7.2's check before any growth.
void ConvertIfGrowing(Entry** link, size_t add_bytes, size_t add_count, int64_t fill);
// Converts a quicklist of one node within half the limit back to a listpack: the check after any
// removal.
void ConvertIfShrunk(Entry** link, int64_t fill);

// Pushes `values` one by one at `end` (so LPUSH a b c leaves c first), converting first if needed.
void Push(Entry** link, ListEnd end, std::span<const std::string_view> values, int64_t fill);
// Removes `n` elements from index `start` (clipped to the end). Does not convert.
void DeleteRange(Entry** link, size_t start, size_t n);
// Replaces the element at `index`.
void Set(Entry** link, size_t index, std::string_view value);
// Inserts `value` before or after the first element equal to `pivot`; false if there is none.
bool InsertAtPivot(Entry** link, std::string_view pivot, std::string_view value, bool after);
// Removes elements equal to `value`: the first `count` from the head (count > 0), from the tail
// (count < 0), or all (0). Returns how many.
size_t Remove(Entry** link, std::string_view value, int64_t count);

}  // namespace list

// Walks a list's elements in either direction from an index, across quicklist nodes. Valid until
// the list changes.
class ListCursor {
 public:
  // At element `index` (0 <= index < length).
  ListCursor(const Entry* e, size_t index);

  bool valid() const { return pos_ < view_.end(); }
  ListpackElement Get() const { return view_.Get(pos_); }
  void Next();
  void Prev();

 private:
  const Quicklist::Node* node_ = nullptr;  // null for a listpack
  ListpackView view_;
  size_t pos_ = 0;
};

}  // namespace redwing
