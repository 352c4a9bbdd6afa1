#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/byte_region.h"

namespace redwing {

// Intset: the compact encoding of small sets whose members are all integers (Redis's name and
// idea; Redwing's own byte format). The members are kept sorted ascending, all in one width:
//
//   [width: 1 byte, 2, 4 or 8][member: `width` bytes, little endian, two's complement]...
//
// The count is (size - 1) / width, so the header costs one byte. Adding a member that does not
// fit the width widens every member (a widened set never narrows again, as Redis's). Lookups are
// binary searches.
//
// IntsetView reads; the functions in namespace intset edit through a ByteRegion (the bytes live in
// the set's entry block: EntryValueRegion).
class IntsetView {
 public:
  static constexpr size_t kHeaderSize = 1;

  explicit IntsetView(std::string_view bytes) : bytes_(bytes) {}

  size_t width() const { return static_cast<uint8_t>(bytes_[0]); }
  size_t size() const { return (bytes_.size() - kHeaderSize) / width(); }
  bool empty() const { return bytes_.size() == kHeaderSize; }
  int64_t Get(size_t index) const;
  int64_t Min() const { return Get(0); }
  int64_t Max() const { return Get(size() - 1); }
  // Whether `v` is a member; `*index` is set to its index, or to where it would be inserted.
  bool Find(int64_t v, size_t* index) const;
  bool Contains(int64_t v) const {
    size_t index;
    return Find(v, &index);
  }
  std::string_view bytes() const { return bytes_; }

 private:
  std::string_view bytes_;
};

namespace intset {

// The bytes of an empty intset (2-byte width).
std::string Empty();
// The smallest width (2, 4 or 8) that holds `v`.
size_t WidthFor(int64_t v);
// Adds `v`; returns false if it was already a member.
bool Add(ByteRegion& region, int64_t v);
// Removes `v`; returns false if it was not a member.
bool Remove(ByteRegion& region, int64_t v);
// Removes the member at `index`.
void RemoveAt(ByteRegion& region, size_t index);

}  // namespace intset
}  // namespace redwing
