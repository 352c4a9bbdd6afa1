#include "storage/entry.h"

#include <cstdlib>
#include <new>

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace redwing {

size_t Entry::BlockSize(size_t key_len, size_t value_len, bool expire) {
  return sizeof(Entry) + (expire ? sizeof(int64_t) : 0) + key_len + sizeof(uint32_t) + value_len;
}

Entry* Entry::NewString(std::string_view key, std::string_view value, int64_t expire_at_ms) {
  bool expire = expire_at_ms >= 0;
  void* mem = std::malloc(BlockSize(key.size(), value.size(), expire));
  if (mem == nullptr) throw std::bad_alloc();
  Entry* e = new (mem) Entry();
  e->next_ = nullptr;
  e->key_len_ = static_cast<uint32_t>(key.size());
  e->type_ = static_cast<uint8_t>(ValueType::kString);
  e->flags_ = expire ? kHasExpire : 0;
  e->spare_ = 0;
  if (expire) e->set_expire_at_ms(expire_at_ms);
  char* k = const_cast<char*>(e->key_data());
  std::memcpy(k, key.data(), key.size());
  uint32_t vlen = static_cast<uint32_t>(value.size());
  std::memcpy(k + key.size(), &vlen, sizeof(vlen));
  if (!value.empty()) std::memcpy(k + key.size() + sizeof(vlen), value.data(), value.size());
  return e;
}

void Entry::Free(Entry* e) {
  std::free(e);
}

Entry* Entry::ResizeString(Entry* e, size_t len) {
  size_t size = BlockSize(e->key_len_, len, e->has_expire());
  void* mem = std::realloc(e, size);
  if (mem == nullptr) throw std::bad_alloc();
  e = static_cast<Entry*>(mem);
  uint32_t vlen = static_cast<uint32_t>(len);
  std::memcpy(const_cast<char*>(e->key_data()) + e->key_len_, &vlen, sizeof(vlen));
  return e;
}

Entry* Entry::WithExpire(Entry* e, int64_t expire_at_ms) {
  bool want = expire_at_ms >= 0;
  if (want == e->has_expire()) {
    if (want) e->set_expire_at_ms(expire_at_ms);
    return e;
  }
  // The key and value shift by 8 bytes: build the new block and move the tail across.
  size_t tail = e->key_len_ + sizeof(uint32_t) +
                (e->type() == ValueType::kString ? e->string_len() : sizeof(void*));
  size_t size = sizeof(Entry) + (want ? sizeof(int64_t) : 0) + tail;
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  Entry* n = static_cast<Entry*>(mem);
  std::memcpy(static_cast<void*>(n), static_cast<const void*>(e), sizeof(Entry));
  n->flags_ = want ? (e->flags_ | kHasExpire) : (e->flags_ & ~kHasExpire);
  if (want) n->set_expire_at_ms(expire_at_ms);
  std::memcpy(const_cast<char*>(n->key_data()), e->key_data(), tail);
  std::free(e);
  return n;
}

size_t Entry::AllocatedSize(const Entry* e) {
#if __has_include(<malloc.h>)
  return malloc_usable_size(const_cast<Entry*>(e));
#else
  return BlockSize(e->key_len_, e->type() == ValueType::kString ? e->string_len() : 8,
                   e->has_expire());
#endif
}

}  // namespace redwing
