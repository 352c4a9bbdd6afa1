#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace redwing {

enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

// One key and its value in a single heap block: the whole per-key cost is this block plus one
// bucket pointer in the HashTable. Layout:
//
//   [Entry: next 8 | key_len 4 | type 1 | flags 1 | spare 2]   16 bytes
//   [expire_at_ms: int64]                                      only if kHasExpire
//   [key bytes]
//   [value]    kString: uint32 length + bytes
//
// The block is sized exactly (the allocator's size classes give amortised growth for APPEND),
// so changing the value's size or adding/removing an expiry reallocates the block: callers hold
// an Entry** link from the HashTable and store the new address through it.
//
// An Entry belongs to the shard whose table holds it: touched only by that shard's owner (or the
// thread it is lent to; see server/shard.h).
class Entry {
 public:
  static constexpr uint8_t kHasExpire = 1;
  static constexpr uint8_t kRawEncoding =
      2;  // grown in place (APPEND/SETRANGE): OBJECT ENCODING raw

  // Allocates a string entry. expire_at_ms < 0 means no expiry.
  static Entry* NewString(std::string_view key, std::string_view value, int64_t expire_at_ms);
  static void Free(Entry* e);
  // Returns a string entry with the same key and expiry whose value has `len` bytes; the first
  // min(old, len) bytes are kept. May move the block: `e` is invalid afterwards.
  static Entry* ResizeString(Entry* e, size_t len);
  // Returns the entry with its expiry set (ms >= 0) or removed (ms < 0). May move the block.
  static Entry* WithExpire(Entry* e, int64_t expire_at_ms);
  // Bytes the block occupies in the allocator (for MEMORY USAGE / accounting).
  static size_t AllocatedSize(const Entry* e);

  Entry* next() const { return next_; }
  void set_next(Entry* n) { next_ = n; }
  Entry*& mutable_next_link() { return next_; }

  ValueType type() const { return static_cast<ValueType>(type_); }
  bool has_expire() const { return (flags_ & kHasExpire) != 0; }
  int64_t expire_at_ms() const {
    int64_t v;
    std::memcpy(&v, payload(), sizeof(v));
    return v;
  }
  void set_expire_at_ms(int64_t ms) { std::memcpy(payload(), &ms, sizeof(ms)); }  // has_expire()
  bool raw_encoding() const { return (flags_ & kRawEncoding) != 0; }
  void set_raw_encoding() { flags_ |= kRawEncoding; }

  std::string_view key() const { return {key_data(), key_len_}; }

  // kString only.
  std::string_view string_value() const { return {string_data(), string_len()}; }
  char* mutable_string_data() { return const_cast<char*>(string_data()); }
  size_t string_len() const {
    uint32_t n;
    std::memcpy(&n, key_data() + key_len_, sizeof(n));
    return n;
  }

 private:
  Entry() = default;
  static size_t BlockSize(size_t key_len, size_t value_len, bool expire);

  char* payload() { return reinterpret_cast<char*>(this) + sizeof(Entry); }
  const char* payload() const { return reinterpret_cast<const char*>(this) + sizeof(Entry); }
  const char* key_data() const { return payload() + (has_expire() ? sizeof(int64_t) : 0); }
  const char* string_data() const { return key_data() + key_len_ + sizeof(uint32_t); }

  Entry* next_;
  uint32_t key_len_;
  uint8_t type_;
  uint8_t flags_;
  uint16_t spare_;
};

static_assert(sizeof(Entry) == 16);

}  // namespace redwing
