#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/numbers.h"
#include "storage/byte_region.h"

namespace redwing {

// Listpack: the compact encoding of small hashes, lists, sets and sorted sets (Redis's name and
// idea; Redwing's own byte format). A sequence of elements in one contiguous run of bytes:
//
//   [count: uint32][element]...
//   element = [header][data][backlen]
//
// header (first byte b):
//   0xxxxxxx         an integer 0..127, no data
//   10xxxxxx         a string of 0..63 bytes
//   110xxxxx + 1     a 13-bit signed integer
//   1110xxxx + 1     a string of up to 4095 bytes (12-bit length)
//   0xF0 + 4         a string, 32-bit length
//   0xF1..0xF4       an integer in 2, 3, 4 or 8 bytes (little endian, two's complement)
// backlen: the size of header + data, in 1..5 bytes of 7 bits each, readable from its last byte
// backwards (so the sequence can be walked in both directions).
//
// A string that reads as a canonical 64-bit integer (Redis's string2ll rules) is stored as the
// integer; an element always reads back as the text it was stored as.
//
// Positions are byte offsets into the bytes: begin() is the first element, end() the size.
// ListpackView reads; the functions in namespace listpack edit through a ByteRegion.
struct ListpackElement {
  bool is_int = false;
  int64_t integer = 0;
  std::string_view str;

  // The element's text; integers are formatted into `buf`.
  std::string_view Text(char (&buf)[kMaxIntChars]) const {
    if (!is_int) return str;
    return {buf, FormatInt64(integer, buf)};
  }
  bool Equals(std::string_view s) const;
};

class ListpackView {
 public:
  static constexpr size_t kHeaderSize = sizeof(uint32_t);

  explicit ListpackView(std::string_view bytes) : bytes_(bytes) {}

  uint32_t size() const;
  bool empty() const { return size() == 0; }
  size_t begin() const { return kHeaderSize; }
  size_t end() const { return bytes_.size(); }
  // The next / previous element's position; Next of the last is end(), Prev of begin() is end().
  size_t Next(size_t pos) const;
  size_t Prev(size_t pos) const;
  // The last element's position (end() if empty).
  size_t Last() const { return empty() ? end() : Prev(end()); }
  // The position of element `index` (negative: from the end, -1 the last), or end().
  size_t Seek(int64_t index) const;
  ListpackElement Get(size_t pos) const;
  // The first element equal to `value` at `from` or every `step`-th element after it, or end().
  // (step 2 from begin() searches a hash's fields.)
  size_t Find(size_t from, std::string_view value, size_t step = 1) const;
  std::string_view bytes() const { return bytes_; }

 private:
  std::string_view bytes_;
};

namespace listpack {

// The bytes of an empty listpack.
std::string Empty();
// Bytes one element takes (header, data and backlen).
size_t EncodedSize(std::string_view value);
// Inserts `values` before the element at `pos` (end(): appends). Returns the position of the
// first inserted element.
size_t Insert(ByteRegion& region, size_t pos, std::span<const std::string_view> values);
inline size_t Insert(ByteRegion& region, size_t pos, std::string_view value) {
  return Insert(region, pos, std::span<const std::string_view>(&value, 1));
}
inline size_t Append(ByteRegion& region, std::string_view value) {
  return Insert(region, region.bytes().size(), value);
}
// Removes `count` elements starting at `pos` (fewer if the end comes first). Returns the
// position that now holds the element after them.
size_t Delete(ByteRegion& region, size_t pos, size_t count = 1);
// Replaces the element at `pos` with `value`.
void Replace(ByteRegion& region, size_t pos, std::string_view value);

}  // namespace listpack
}  // namespace redwing
