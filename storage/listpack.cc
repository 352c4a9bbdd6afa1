#include "storage/listpack.h"

#include <cstring>

namespace redwing {
namespace {

constexpr uint8_t kStr32 = 0xF0;
constexpr uint8_t kInt16 = 0xF1;
constexpr uint8_t kInt24 = 0xF2;
constexpr uint8_t kInt32 = 0xF3;
constexpr uint8_t kInt64 = 0xF4;

size_t BacklenSize(size_t len) {
  size_t n = 1;
  while (len >= 128) {
    len >>= 7;
    ++n;
  }
  return n;
}

// Writes `len` as a backlen at dst (BacklenSize(len) bytes); see the format in listpack.h.
void WriteBacklen(char* dst, size_t len) {
  size_t n = BacklenSize(len);
  for (size_t j = n; j-- > 0;) {
    uint8_t b = len & 0x7F;
    len >>= 7;
    if (j > 0) b |= 0x80;
    dst[j] = static_cast<char>(b);
  }
}

// Reads the backlen that ends just before `end`; sets `*bytes` to its size.
size_t ReadBacklen(const uint8_t* end, size_t* bytes) {
  size_t v = 0;
  unsigned shift = 0;
  size_t i = 0;
  for (;;) {
    uint8_t b = end[-1 - static_cast<ptrdiff_t>(i)];
    v |= static_cast<size_t>(b & 0x7F) << shift;
    shift += 7;
    ++i;
    if ((b & 0x80) == 0) break;
  }
  *bytes = i;
  return v;
}

// How a value is encoded: the header + data size, and its integer if it is one.
struct Encoded {
  size_t size = 0;
  bool is_int = false;
  int64_t integer = 0;
};

Encoded Classify(std::string_view v) {
  Encoded e;
  if (v.size() <= 20) {
    if (auto i = ParseInt64(v)) {
      e.is_int = true;
      e.integer = *i;
      int64_t x = *i;
      if (x >= 0 && x <= 127) {
        e.size = 1;
      } else if (x >= -4096 && x <= 4095) {
        e.size = 2;
      } else if (x >= INT16_MIN && x <= INT16_MAX) {
        e.size = 3;
      } else if (x >= -(int64_t{1} << 23) && x < (int64_t{1} << 23)) {
        e.size = 4;
      } else if (x >= INT32_MIN && x <= INT32_MAX) {
        e.size = 5;
      } else {
        e.size = 9;
      }
      return e;
    }
  }
  if (v.size() <= 63) {
    e.size = 1 + v.size();
  } else if (v.size() <= 4095) {
    e.size = 2 + v.size();
  } else {
    e.size = 5 + v.size();
  }
  return e;
}

void PutLE(char* dst, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i)
    dst[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint64_t GetLE(const uint8_t* src, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(src[i]) << (8 * i);
  return v;
}

int64_t SignExtend(uint64_t v, unsigned bits) {
  uint64_t m = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ m) - m);
}

// Writes the element (header, data, backlen) at dst; returns the bytes written.
size_t Encode(char* dst, std::string_view v, const Encoded& e) {
  auto* d = reinterpret_cast<uint8_t*>(dst);
  if (e.is_int) {
    uint64_t u = static_cast<uint64_t>(e.integer);
    switch (e.size) {
      case 1:
        d[0] = static_cast<uint8_t>(u);
        break;
      case 2:
        d[0] = static_cast<uint8_t>(0xC0 | ((u >> 8) & 0x1F));
        d[1] = static_cast<uint8_t>(u & 0xFF);
        break;
      case 3:
        d[0] = kInt16;
        PutLE(dst + 1, u, 2);
        break;
      case 4:
        d[0] = kInt24;
        PutLE(dst + 1, u, 3);
        break;
      case 5:
        d[0] = kInt32;
        PutLE(dst + 1, u, 4);
        break;
      default:
        d[0] = kInt64;
        PutLE(dst + 1, u, 8);
        break;
    }
  } else {
    size_t n = v.size();
    size_t h;
    if (n <= 63) {
      d[0] = static_cast<uint8_t>(0x80 | n);
      h = 1;
    } else if (n <= 4095) {
      d[0] = static_cast<uint8_t>(0xE0 | (n >> 8));
      d[1] = static_cast<uint8_t>(n & 0xFF);
      h = 2;
    } else {
      d[0] = kStr32;
      PutLE(dst + 1, n, 4);
      h = 5;
    }
    if (n != 0) std::memcpy(dst + h, v.data(), n);
  }
  WriteBacklen(dst + e.size, e.size);
  return e.size + BacklenSize(e.size);
}

// Decodes the element at p; sets `*size` to its header + data size.
ListpackElement Decode(const uint8_t* p, size_t* size) {
  ListpackElement el;
  uint8_t b = p[0];
  if (b < 0x80) {
    el.is_int = true;
    el.integer = b;
    *size = 1;
  } else if (b < 0xC0) {
    size_t n = b & 0x3F;
    el.str = {reinterpret_cast<const char*>(p + 1), n};
    *size = 1 + n;
  } else if (b < 0xE0) {
    el.is_int = true;
    el.integer = SignExtend((static_cast<uint64_t>(b & 0x1F) << 8) | p[1], 13);
    *size = 2;
  } else if (b < 0xF0) {
    size_t n = (static_cast<size_t>(b & 0x0F) << 8) | p[1];
    el.str = {reinterpret_cast<const char*>(p + 2), n};
    *size = 2 + n;
  } else if (b == kStr32) {
    size_t n = GetLE(p + 1, 4);
    el.str = {reinterpret_cast<const char*>(p + 5), n};
    *size = 5 + n;
  } else {
    static constexpr unsigned kBytes[] = {0, 2, 3, 4, 8};
    unsigned n = kBytes[b - kStr32];
    el.is_int = true;
    el.integer = SignExtend(GetLE(p + 1, n), 8 * n);
    *size = 1 + n;
  }
  return el;
}

size_t ElementSize(const uint8_t* p) {
  size_t size;
  Decode(p, &size);
  return size + BacklenSize(size);
}

void SetCount(char* data, uint32_t count) {
  std::memcpy(data, &count, sizeof(count));
}

}  // namespace

bool ListpackElement::Equals(std::string_view s) const {
  if (!is_int) return str == s;
  char buf[kMaxIntChars];
  return Text(buf) == s;
}

uint32_t ListpackView::size() const {
  uint32_t n;
  std::memcpy(&n, bytes_.data(), sizeof(n));
  return n;
}

size_t ListpackView::Next(size_t pos) const {
  return pos + ElementSize(reinterpret_cast<const uint8_t*>(bytes_.data()) + pos);
}

size_t ListpackView::Prev(size_t pos) const {
  if (pos <= begin()) return end();
  size_t n;
  size_t len = ReadBacklen(reinterpret_cast<const uint8_t*>(bytes_.data()) + pos, &n);
  return pos - n - len;
}

size_t ListpackView::Seek(int64_t index) const {
  int64_t count = size();
  if (index < 0) index += count;
  if (index < 0 || index >= count) return end();
  size_t pos;
  if (index <= count / 2) {
    pos = begin();
    for (int64_t i = 0; i < index; ++i)
      pos = Next(pos);
  } else {
    pos = Last();
    for (int64_t i = count - 1; i > index; --i)
      pos = Prev(pos);
  }
  return pos;
}

ListpackElement ListpackView::Get(size_t pos) const {
  size_t size;
  return Decode(reinterpret_cast<const uint8_t*>(bytes_.data()) + pos, &size);
}

size_t ListpackView::Find(size_t from, std::string_view value, size_t step) const {
  // Compare in the stored form: an integer-looking value can only match an integer element.
  Encoded want = Classify(value);
  for (size_t pos = from; pos < end();) {
    ListpackElement el = Get(pos);
    if (want.is_int ? (el.is_int && el.integer == want.integer) : (!el.is_int && el.str == value))
      return pos;
    for (size_t i = 0; i < step && pos < end(); ++i)
      pos = Next(pos);
  }
  return end();
}

namespace listpack {

std::string Empty() {
  return std::string(ListpackView::kHeaderSize, '\0');
}

size_t EncodedSize(std::string_view value) {
  Encoded e = Classify(value);
  return e.size + BacklenSize(e.size);
}

size_t Insert(ByteRegion& region, size_t pos, std::span<const std::string_view> values) {
  // One value (the common push) is classified once; several are classified again while encoding
  // rather than kept in a temporary array.
  Encoded single;
  size_t total = 0;
  for (std::string_view v : values) {
    single = Classify(v);
    total += single.size + BacklenSize(single.size);
  }
  uint32_t count = ListpackView(region.bytes()).size();
  char* data = region.Splice(pos, 0, total);
  size_t at = pos;
  for (std::string_view v : values)
    at += Encode(data + at, v, values.size() == 1 ? single : Classify(v));
  SetCount(data, count + static_cast<uint32_t>(values.size()));
  return pos;
}

size_t Delete(ByteRegion& region, size_t pos, size_t count) {
  ListpackView view(region.bytes());
  uint32_t n = view.size();
  size_t stop = pos;
  size_t removed = 0;
  while (removed < count && stop < view.end()) {
    stop = view.Next(stop);
    ++removed;
  }
  char* data = region.Splice(pos, stop - pos, 0);
  SetCount(data, n - static_cast<uint32_t>(removed));
  return pos;
}

void Replace(ByteRegion& region, size_t pos, std::string_view value) {
  size_t old_size = ElementSize(reinterpret_cast<const uint8_t*>(region.bytes().data()) + pos);
  Encoded e = Classify(value);
  char* data = region.Splice(pos, old_size, e.size + BacklenSize(e.size));
  Encode(data + pos, value, e);
}

}  // namespace listpack
}  // namespace redwing
