#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace redwing {

class Collection;

enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

// How an entry's value is stored. kString: the bytes of a string (OBJECT ENCODING tells int,
// embstr and raw apart from the bytes and the raw flag). kListpack and kIntset: a compact
// encoding whose bytes live in the entry block (storage/listpack.h, storage/intset.h). The rest:
// the value bytes are a pointer to the Collection that owns the elements.
enum class Encoding : uint8_t {
  kString = 0,
  kListpack = 1,
  kIntset = 2,
  kQuicklist = 3,
  kHashtable = 4,
  kSkiplist = 5,
  // The value lives only in the page store (persistence evicted it, or write-around dropped it):
  // the value bytes are its record's position (8 bytes, server/shard_persistence.h). The type and
  // expiry stay in the block; Database::Find loads the value back before anyone sees it.
  kOnDisk = 6,
};

// The name OBJECT ENCODING prints for a collection encoding.
const char* EncodingName(Encoding encoding);

// One key and its value in a single heap block: the whole per-key cost is this block plus one
// bucket pointer in the HashTable. Layout:
//
//   [Entry: next 8 | key_len 4 | access 4 | type 1 | flags 1 | encoding 1 | policy_bits 1]  20 B
//   [links: prev 8 | next 8]                                   only if kHasLinks
//   [expire_at_ms: int64]                                      only if kHasExpire
//   [key bytes]
//   [value]    uint32 length + bytes: a string's bytes, a compact encoding's bytes, or (for
//              the pointer encodings) the 8-byte address of the owning Collection
//
// `access` is what eviction knows of the key: Redis's 24-bit LRU clock (seconds) or its LFU
// counter and decrement time, in the low 24 bits (storage/access_clock.h). The links chain keys
// in their eviction policy's lists (storage/eviction_policy.h); only keys of a database whose
// policy keeps lists have them, so the default (noeviction) pays nothing for them. Every function
// here that moves a linked block repoints its neighbours, so a list never sees a stale address.
//
// The block is sized exactly (the allocator's size classes give amortised growth for APPEND),
// so changing the value's size or adding/removing an expiry reallocates the block: callers hold
// an Entry** link from the HashTable and store the new address through it.
//
// Entries also serve as the elements of the big collections' hash tables (a hash field and its
// value, a set member with no value), so those cost one block per element too.
//
// An Entry belongs to the shard whose table holds it: touched only by that shard's owner (or the
// thread it is lent to; see server/shard.h).
#pragma pack(push, 4)
class Entry {
 public:
  static constexpr uint8_t kHasExpire = 1;
  static constexpr uint8_t kRawEncoding =
      2;  // grown in place (APPEND/SETRANGE): OBJECT ENCODING raw
  static constexpr uint8_t kHasLinks = 4;

  // Allocates a string entry. expire_at_ms < 0 means no expiry. `links`: see New.
  static Entry* NewString(std::string_view key, std::string_view value, int64_t expire_at_ms,
                          bool links = false) {
    return New(key, ValueType::kString, Encoding::kString, value, expire_at_ms, links);
  }
  // Allocates an entry whose value bytes are `value` (a string or a compact encoding), with
  // eviction-list links if `links`.
  static Entry* New(std::string_view key, ValueType type, Encoding encoding, std::string_view value,
                    int64_t expire_at_ms, bool links = false);
  // Allocates an entry that owns `object` (a pointer encoding).
  static Entry* NewObject(std::string_view key, ValueType type, Encoding encoding,
                          Collection* object, int64_t expire_at_ms);
  // Frees the block and the Collection it owns.
  static void Free(Entry* e);
  // Frees the block only: its Collection now belongs to another entry (see Rekey).
  static void FreeBlock(Entry* e);
  // A new block holding `e`'s value, encoding and expiry under another key. A Collection moves to
  // the new block: free `e` with FreeBlock afterwards. (RENAME.)
  static Entry* Rekey(const Entry* e, std::string_view key);
  // A deep copy of `e` under `key` (COPY): the Collection, if any, is cloned.
  static Entry* Clone(const Entry* e, std::string_view key);
  // Returns the entry with `len` value bytes; the first min(old, len) bytes are kept. May move
  // the block: `e` is invalid afterwards.
  static Entry* ResizeValue(Entry* e, size_t len);
  static Entry* ResizeString(Entry* e, size_t len) { return ResizeValue(e, len); }
  // Replaces `remove` value bytes at `offset` with `insert` bytes (left uninitialised), moving
  // the bytes after them. May move the block.
  static Entry* SpliceValue(Entry* e, size_t offset, size_t remove, size_t insert);
  // Converts a compact entry to a pointer encoding owning `object` (the caller has moved the
  // elements into it), or back (object == nullptr: `value` becomes the value bytes; the old
  // Collection is deleted). May move the block.
  static Entry* ConvertToObject(Entry* e, Encoding encoding, Collection* object);
  static Entry* ConvertToBytes(Entry* e, Encoding encoding, std::string_view value);
  // Returns the entry with its expiry set (ms >= 0) or removed (ms < 0). May move the block.
  static Entry* WithExpire(Entry* e, int64_t expire_at_ms);
  // Returns the entry with (or without) list links; new links are null (not in a list), and an
  // entry losing its links must not be in a list. May move the block.
  static Entry* WithLinks(Entry* e, bool links);
  // Bytes the block occupies in the allocator (for MEMORY USAGE / accounting); the Collection,
  // if any, is not counted.
  static size_t AllocatedSize(const Entry* e);

  Entry* next() const { return next_; }
  void set_next(Entry* n) { next_ = n; }
  Entry*& mutable_next_link() { return next_; }

  ValueType type() const { return static_cast<ValueType>(type_); }
  Encoding encoding() const { return static_cast<Encoding>(encoding_); }
  // Whether the value bytes are a Collection pointer.
  bool is_object() const {
    return encoding_ >= static_cast<uint8_t>(Encoding::kQuicklist) &&
           encoding_ <= static_cast<uint8_t>(Encoding::kSkiplist);
  }
  bool on_disk() const { return encoding_ == static_cast<uint8_t>(Encoding::kOnDisk); }
  Collection* object() const {
    Collection* c;
    std::memcpy(&c, value_data(), sizeof(c));
    return c;
  }
  template <typename T>
  T* object_as() const {
    return static_cast<T*>(object());
  }
  bool has_expire() const { return (flags_ & kHasExpire) != 0; }
  int64_t expire_at_ms() const {
    int64_t v;
    std::memcpy(&v, payload(), sizeof(v));
    return v;
  }
  void set_expire_at_ms(int64_t ms) { std::memcpy(payload(), &ms, sizeof(ms)); }  // has_expire()
  bool raw_encoding() const { return (flags_ & kRawEncoding) != 0; }

  // Eviction state (see the layout above).
  uint32_t access() const { return access_; }
  void set_access(uint32_t a) { access_ = a; }
  uint8_t policy_bits() const { return policy_bits_; }
  void set_policy_bits(uint8_t b) { policy_bits_ = b; }
  bool has_links() const { return (flags_ & kHasLinks) != 0; }
  // List neighbours (has_links() only; null when not in a list).
  Entry* list_prev() const { return LoadLink(0); }
  Entry* list_next() const { return LoadLink(1); }
  void set_list_prev(Entry* e) { StoreLink(0, e); }
  void set_list_next(Entry* e) { StoreLink(1, e); }
  void set_raw_encoding() { flags_ |= kRawEncoding; }

  std::string_view key() const { return {key_data(), key_len_}; }

  // The value bytes (a string's bytes, or a compact encoding's).
  std::string_view value() const { return {value_data(), value_len()}; }
  char* mutable_value_data() { return const_cast<char*>(value_data()); }
  size_t value_len() const {
    uint32_t n;
    std::memcpy(&n, key_data() + key_len_, sizeof(n));
    return n;
  }
  // kString names for the same.
  std::string_view string_value() const { return value(); }
  char* mutable_string_data() { return mutable_value_data(); }
  size_t string_len() const { return value_len(); }

 private:
  Entry() = default;
  static constexpr size_t kLinksSize = 2 * sizeof(Entry*);
  static size_t BlockSize(size_t key_len, size_t value_len, bool expire, bool links);
  // After a linked block moved to `this`: its neighbours point here again.
  void RepointNeighbours();

  Entry* LoadLink(int i) const {
    Entry* e;
    std::memcpy(&e, links() + i * sizeof(Entry*), sizeof(e));
    return e;
  }
  void StoreLink(int i, Entry* e) { std::memcpy(links() + i * sizeof(Entry*), &e, sizeof(e)); }
  char* links() const {
    return const_cast<char*>(reinterpret_cast<const char*>(this)) + sizeof(Entry);
  }
  // The expiry, if any, follows the links, if any.
  char* payload() { return links() + (has_links() ? kLinksSize : 0); }
  const char* payload() const {
    return reinterpret_cast<const char*>(this) + sizeof(Entry) + (has_links() ? kLinksSize : 0);
  }
  const char* key_data() const { return payload() + (has_expire() ? sizeof(int64_t) : 0); }
  const char* value_data() const { return key_data() + key_len_ + sizeof(uint32_t); }
  void set_value_len(size_t len) {
    uint32_t n = static_cast<uint32_t>(len);
    std::memcpy(const_cast<char*>(key_data()) + key_len_, &n, sizeof(n));
  }

  Entry* next_;
  uint32_t key_len_;
  uint32_t access_;
  uint8_t type_;
  uint8_t flags_;
  uint8_t encoding_;
  uint8_t policy_bits_;
};
#pragma pack(pop)

static_assert(sizeof(Entry) == 20);

}  // namespace redwing
