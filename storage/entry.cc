#include "storage/entry.h"

#include <cstdlib>
#include <memory>
#include <new>

#include "common/heap.h"
#include "storage/collection.h"

namespace redwing {

const char* EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kString:
      return "raw";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kIntset:
      return "intset";
    case Encoding::kQuicklist:
      return "quicklist";
    case Encoding::kHashtable:
      return "hashtable";
    case Encoding::kSkiplist:
      return "skiplist";
    case Encoding::kOnDisk:
      return "on-disk";
  }
  return "unknown";
}

size_t Entry::BlockSize(size_t key_len, size_t value_len, bool expire, bool links) {
  return sizeof(Entry) + (links ? kLinksSize : 0) + (expire ? sizeof(int64_t) : 0) + key_len +
         sizeof(uint32_t) + value_len;
}

void Entry::RepointNeighbours() {
  if (!has_links()) return;
  if (Entry* p = list_prev()) p->set_list_next(this);
  if (Entry* n = list_next()) n->set_list_prev(this);
}

namespace {

void* Allocate(size_t size) {
  void* mem = heap::Alloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  return mem;
}

}  // namespace

Entry* Entry::New(std::string_view key, ValueType type, Encoding encoding, std::string_view value,
                  int64_t expire_at_ms, bool links) {
  bool expire = expire_at_ms >= 0;
  Entry* e = new (Allocate(BlockSize(key.size(), value.size(), expire, links))) Entry();
  e->next_ = nullptr;
  e->key_len_ = static_cast<uint32_t>(key.size());
  e->access_ = 0;
  e->type_ = static_cast<uint8_t>(type);
  e->flags_ = static_cast<uint8_t>((expire ? kHasExpire : 0) | (links ? kHasLinks : 0));
  e->encoding_ = static_cast<uint8_t>(encoding);
  e->policy_bits_ = 0;
  if (links) {
    e->set_list_prev(nullptr);
    e->set_list_next(nullptr);
  }
  if (expire) e->set_expire_at_ms(expire_at_ms);
  char* k = const_cast<char*>(e->key_data());
  if (!key.empty()) std::memcpy(k, key.data(), key.size());
  e->set_value_len(value.size());
  if (!value.empty()) std::memcpy(e->mutable_value_data(), value.data(), value.size());
  return e;
}

Entry* Entry::NewObject(std::string_view key, ValueType type, Encoding encoding, Collection* object,
                        int64_t expire_at_ms) {
  return New(key, type, encoding,
             std::string_view(reinterpret_cast<const char*>(&object), sizeof(object)),
             expire_at_ms);
}

void Entry::Free(Entry* e) {
  if (e->is_object()) delete e->object();
  heap::Free(e);
}

void Entry::FreeBlock(Entry* e) {
  heap::Free(e);
}

Entry* Entry::Rekey(const Entry* e, std::string_view key) {
  Entry* n =
      New(key, e->type(), e->encoding(), e->value(), e->has_expire() ? e->expire_at_ms() : -1);
  n->flags_ = static_cast<uint8_t>(e->flags_ & ~kHasLinks);
  n->access_ = e->access_;
  return n;
}

Entry* Entry::Clone(const Entry* e, std::string_view key) {
  if (!e->is_object()) return Rekey(e, key);
  std::unique_ptr<Collection> copy = e->object()->Clone();
  Entry* n = NewObject(key, e->type(), e->encoding(), copy.get(),
                       e->has_expire() ? e->expire_at_ms() : -1);
  copy.release();
  n->flags_ = static_cast<uint8_t>(e->flags_ & ~kHasLinks);
  return n;
}

Entry* Entry::ResizeValue(Entry* e, size_t len) {
  size_t size = BlockSize(e->key_len_, len, e->has_expire(), e->has_links());
  void* mem = heap::Realloc(e, size);
  if (mem == nullptr) throw std::bad_alloc();
  if (mem != e) {
    e = static_cast<Entry*>(mem);
    e->RepointNeighbours();
  }
  e->set_value_len(len);
  return e;
}

Entry* Entry::SpliceValue(Entry* e, size_t offset, size_t remove, size_t insert) {
  size_t old_len = e->value_len();
  size_t tail = old_len - offset - remove;
  if (insert > remove) {
    e = ResizeValue(e, old_len + (insert - remove));
    char* d = e->mutable_value_data();
    std::memmove(d + offset + insert, d + offset + remove, tail);
  } else if (insert < remove) {
    char* d = e->mutable_value_data();
    std::memmove(d + offset + insert, d + offset + remove, tail);
    e = ResizeValue(e, old_len - (remove - insert));
  }
  return e;
}

Entry* Entry::ConvertToObject(Entry* e, Encoding encoding, Collection* object) {
  e = ResizeValue(e, sizeof(object));
  std::memcpy(e->mutable_value_data(), &object, sizeof(object));
  e->encoding_ = static_cast<uint8_t>(encoding);
  return e;
}

Entry* Entry::ConvertToBytes(Entry* e, Encoding encoding, std::string_view value) {
  if (e->is_object()) delete e->object();
  e = ResizeValue(e, value.size());
  if (!value.empty()) std::memcpy(e->mutable_value_data(), value.data(), value.size());
  e->encoding_ = static_cast<uint8_t>(encoding);
  return e;
}

Entry* Entry::WithExpire(Entry* e, int64_t expire_at_ms) {
  bool want = expire_at_ms >= 0;
  if (want == e->has_expire()) {
    if (want) e->set_expire_at_ms(expire_at_ms);
    return e;
  }
  // The key and value shift by 8 bytes: build the new block and move the tail across.
  size_t tail = e->key_len_ + sizeof(uint32_t) + e->value_len();
  size_t head = sizeof(Entry) + (e->has_links() ? kLinksSize : 0);
  Entry* n = static_cast<Entry*>(Allocate(head + (want ? sizeof(int64_t) : 0) + tail));
  std::memcpy(static_cast<void*>(n), static_cast<const void*>(e), head);
  n->flags_ = static_cast<uint8_t>(want ? (e->flags_ | kHasExpire) : (e->flags_ & ~kHasExpire));
  if (want) n->set_expire_at_ms(expire_at_ms);
  std::memcpy(const_cast<char*>(n->key_data()), e->key_data(), tail);
  heap::Free(e);
  n->RepointNeighbours();
  return n;
}

Entry* Entry::WithLinks(Entry* e, bool links) {
  if (links == e->has_links()) return e;
  // Everything after the header shifts by the links' size.
  size_t tail =
      (e->has_expire() ? sizeof(int64_t) : 0) + e->key_len_ + sizeof(uint32_t) + e->value_len();
  Entry* n = static_cast<Entry*>(Allocate(sizeof(Entry) + (links ? kLinksSize : 0) + tail));
  std::memcpy(static_cast<void*>(n), static_cast<const void*>(e), sizeof(Entry));
  n->flags_ = static_cast<uint8_t>(links ? (e->flags_ | kHasLinks) : (e->flags_ & ~kHasLinks));
  if (links) {
    n->set_list_prev(nullptr);
    n->set_list_next(nullptr);
  }
  std::memcpy(n->payload(), e->payload(), tail);
  heap::Free(e);
  return n;
}

size_t Entry::AllocatedSize(const Entry* e) {
  return heap::UsableSize(e);
}

}  // namespace redwing
