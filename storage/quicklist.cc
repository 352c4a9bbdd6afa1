#include "storage/quicklist.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include "common/heap.h"

namespace redwing {
namespace {

constexpr size_t kHeader = ListpackView::kHeaderSize;
// A node under a count limit still keeps to this size, as Redis's SIZE_SAFETY_LIMIT.
constexpr size_t kSafetyBytes = 8192;
constexpr int64_t kMaxFill = 32767;
constexpr size_t kMinCapacity = 64;
constexpr char kEmptyListpack[kHeader] = {};

void SetCount(char* data, uint32_t count) {
  std::memcpy(data, &count, sizeof(count));
}

// An upper bound of the bytes `value` takes in a listpack, without parsing it (an integer is
// never longer encoded than as text): what the node limits are checked against on a push, as
// Redis checks a size estimate.
size_t SizeBound(std::string_view value) {
  size_t n = value.size();
  return n + (n < 64 ? 2 : n < 4096 ? 4 : 10);
}

char* Reallocate(char* data, size_t size) {
  void* mem = heap::Realloc(data, size);
  if (mem == nullptr) throw std::bad_alloc();
  return static_cast<char*>(mem);
}

}  // namespace

ListNodeLimit ListNodeLimit::ForFill(int64_t fill) {
  static constexpr size_t kSizes[] = {4096, 8192, 16384, 32768, 65536};
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  if (fill >= 0) {
    return {.max_bytes = kNone,
            .max_count = fill == 0 ? 1 : static_cast<size_t>(std::min(fill, kMaxFill))};
  }
  size_t level = static_cast<size_t>(std::min<int64_t>(-fill - 1, 4));
  return {.max_bytes = kSizes[level], .max_count = kNone};
}

bool ListNodeLimit::Exceeds(size_t bytes, size_t count) const {
  if (max_bytes != std::numeric_limits<size_t>::max()) return bytes > max_bytes;
  return bytes > kSafetyBytes || count > max_count;
}

bool ListNodeLimit::FitsHalf(size_t bytes, size_t count) const {
  return bytes <= max_bytes / 2 && count <= max_count / 2;
}

namespace {

// Moves node `n`'s bytes into a new buffer of `cap` bytes, the free room placed before them if
// `room_in_front`, else after them.
void Rebuffer(Quicklist::Node* n, size_t cap, bool room_in_front) {
  char* buf = Reallocate(nullptr, cap);
  size_t front = room_in_front ? cap - n->size : 0;
  std::memcpy(buf + front, n->data, n->size);
  heap::Free(n->buffer());
  n->data = buf + front;
  n->front = static_cast<uint32_t>(front);
  n->capacity = static_cast<uint32_t>(cap);
}

}  // namespace

char* Quicklist::NodeRegion::Splice(size_t offset, size_t remove, size_t insert) {
  Node* n = node_;
  size_t tail = n->size - offset - remove;
  // Move the bytes before the edit (towards the front) when they are fewer than those after it.
  bool move_head = offset < tail;
  if (insert <= remove) {
    size_t delta = remove - insert;
    if (move_head) {
      std::memmove(n->data + delta, n->data, offset);
      n->data += delta;
      n->front += static_cast<uint32_t>(delta);
    } else if (tail != 0 && delta != 0) {
      std::memmove(n->data + offset + insert, n->data + offset + remove, tail);
    }
    n->size -= static_cast<uint32_t>(delta);
    // Give memory back when a node has emptied to a quarter of its buffer.
    if (n->capacity > 4 * kMinCapacity && size_t{n->size} * 4 < n->capacity) {
      Rebuffer(n, std::max(size_t{n->size} * 2, kMinCapacity), move_head);
    }
    return n->data;
  }
  size_t delta = insert - remove;
  size_t back_room = n->capacity - n->front - n->size;
  if (move_head ? n->front < delta : back_room < delta) {
    size_t cap = std::max({size_t{n->size} + delta, size_t{n->capacity} * 2, kMinCapacity});
    Rebuffer(n, cap, move_head);
  }
  if (move_head) {
    std::memmove(n->data - delta, n->data, offset);
    n->data -= delta;
    n->front -= static_cast<uint32_t>(delta);
  } else if (tail != 0) {
    std::memmove(n->data + offset + insert, n->data + offset + remove, tail);
  }
  n->size += static_cast<uint32_t>(delta);
  return n->data;
}

Quicklist::Quicklist(int64_t fill) : fill_(fill), limit_(ListNodeLimit::ForFill(fill)) {}

Quicklist::Quicklist(int64_t fill, std::string_view listpack_bytes) : Quicklist(fill) {
  uint32_t n = ListpackView(listpack_bytes).size();
  if (n == 0) return;
  LinkAfter(nullptr, NewNode(listpack_bytes));
  count_ = n;
}

Quicklist::~Quicklist() {
  for (Node* n = head_; n != nullptr;) {
    Node* next = n->next;
    FreeNode(n);
    n = next;
  }
}

Quicklist::Node* Quicklist::NewNode(std::string_view bytes) {
  auto node = std::make_unique<Node>();
  size_t cap = std::max(bytes.size(), kMinCapacity);
  node->data = Reallocate(nullptr, cap);
  std::memcpy(node->data, bytes.data(), bytes.size());
  node->size = static_cast<uint32_t>(bytes.size());
  node->capacity = static_cast<uint32_t>(cap);
  return node.release();
}

void Quicklist::FreeNode(Node* n) {
  heap::Free(n->buffer());
  delete n;
}

void Quicklist::LinkAfter(Node* at, Node* n) {
  n->prev = at;
  n->next = at != nullptr ? at->next : head_;
  if (n->next != nullptr) {
    n->next->prev = n;
  } else {
    tail_ = n;
  }
  if (at != nullptr) {
    at->next = n;
  } else {
    head_ = n;
  }
  ++nodes_;
}

void Quicklist::Unlink(Node* n) {
  if (n->prev != nullptr) {
    n->prev->next = n->next;
  } else {
    head_ = n->next;
  }
  if (n->next != nullptr) {
    n->next->prev = n->prev;
  } else {
    tail_ = n->prev;
  }
  --nodes_;
}

void Quicklist::PushFront(std::string_view value) {
  if (head_ == nullptr || !Fits(head_, SizeBound(value), 1)) {
    LinkAfter(nullptr, NewNode({kEmptyListpack, kHeader}));
  }
  NodeRegion r(head_);
  listpack::Insert(r, kHeader, value);
  ++count_;
}

void Quicklist::PushBack(std::string_view value) {
  if (tail_ == nullptr || !Fits(tail_, SizeBound(value), 1)) {
    LinkAfter(tail_, NewNode({kEmptyListpack, kHeader}));
  }
  NodeRegion r(tail_);
  listpack::Append(r, value);
  ++count_;
}

Quicklist::Pos Quicklist::Next(Pos p) const {
  size_t off = p.node->view().Next(p.offset);
  if (off < p.node->size) return {p.node, off};
  return p.node->next != nullptr ? Pos{p.node->next, kHeader} : Pos{};
}

Quicklist::Pos Quicklist::Prev(Pos p) const {
  if (p.offset > kHeader) return {p.node, p.node->view().Prev(p.offset)};
  Node* n = p.node->prev;
  return n != nullptr ? Pos{n, n->view().Last()} : Pos{};
}

Quicklist::Node* Quicklist::NodeOf(size_t index, size_t* in_node) const {
  if (index < count_ / 2) {
    Node* n = head_;
    for (uint32_t c = n->count(); index >= c; c = n->count()) {
      index -= c;
      n = n->next;
    }
    *in_node = index;
    return n;
  }
  size_t back = count_ - 1 - index;  // from the tail
  Node* n = tail_;
  for (uint32_t c = n->count(); back >= c; c = n->count()) {
    back -= c;
    n = n->prev;
  }
  *in_node = n->count() - 1 - back;
  return n;
}

Quicklist::Pos Quicklist::Locate(size_t index) const {
  size_t in_node;
  Node* n = NodeOf(index, &in_node);
  return {n, n->view().Seek(static_cast<int64_t>(in_node))};
}

Quicklist::Node* Quicklist::SplitAt(Node* n, size_t offset) {
  ListpackView view = n->view();
  uint32_t moved = 0;
  for (size_t p = offset; p < view.end(); p = view.Next(p))
    ++moved;
  uint32_t kept = view.size() - moved;
  Node* m = NewNode({kEmptyListpack, kHeader});
  NodeRegion mr(m);
  char* d = mr.Splice(kHeader, 0, n->size - offset);
  std::memcpy(d + kHeader, n->data + offset, n->size - offset);
  SetCount(d, moved);
  NodeRegion nr(n);
  SetCount(nr.Splice(offset, n->size - offset, 0), kept);
  LinkAfter(n, m);
  return m;
}

void Quicklist::SplitOversized(Node* n) {
  while (n->count() > 1 && limit_.Exceeds(n->size, n->count())) {
    Node* m = SplitAt(n, n->view().Seek(n->count() / 2));
    SplitOversized(m);
  }
}

bool Quicklist::TryMergeNext(Node* n) {
  Node* m = n->next;
  if (m == nullptr) return false;
  size_t add = m->size - kHeader;
  uint32_t total = n->count() + m->count();
  if (!Fits(n, add, m->count())) return false;
  NodeRegion r(n);
  size_t old = n->size;
  char* d = r.Splice(old, 0, add);
  std::memcpy(d + old, m->data + kHeader, add);
  SetCount(d, total);
  Unlink(m);
  FreeNode(m);
  return true;
}

void Quicklist::MergeSmallNodes() {
  for (Node* n = head_; n != nullptr && n->next != nullptr;) {
    if (!TryMergeNext(n)) n = n->next;
  }
}

void Quicklist::Replace(Pos p, std::string_view value) {
  NodeRegion r(p.node);
  listpack::Replace(r, p.offset, value);
  SplitOversized(p.node);
}

void Quicklist::Insert(Pos p, std::string_view value, bool after) {
  size_t enc = listpack::EncodedSize(value);
  Node* n = p.node;
  size_t at = after ? n->view().Next(p.offset) : p.offset;
  ++count_;
  if (Fits(n, enc, 1)) {
    NodeRegion r(n);
    listpack::Insert(r, at, value);
    return;
  }
  Node* target;
  size_t target_at;
  if (at == n->size) {  // after the node's last element
    if (n->next != nullptr && Fits(n->next, enc, 1)) {
      target = n->next;
    } else {
      target = NewNode({kEmptyListpack, kHeader});
      LinkAfter(n, target);
    }
    target_at = kHeader;
  } else if (at == kHeader) {  // before the node's first element
    if (n->prev != nullptr && Fits(n->prev, enc, 1)) {
      target = n->prev;
    } else {
      target = NewNode({kEmptyListpack, kHeader});
      LinkAfter(n->prev, target);
    }
    target_at = target->size;
  } else {
    Node* m = SplitAt(n, at);
    if (Fits(n, enc, 1)) {
      target = n;
      target_at = n->size;
    } else if (Fits(m, enc, 1)) {
      target = m;
      target_at = kHeader;
    } else {
      target = NewNode({kEmptyListpack, kHeader});
      LinkAfter(n, target);
      target_at = kHeader;
    }
  }
  NodeRegion r(target);
  listpack::Insert(r, target_at, value);
}

Quicklist::Pos Quicklist::Erase(Pos p) {
  Node* n = p.node;
  --count_;
  if (n->count() == 1) {
    Node* next = n->next;
    Unlink(n);
    FreeNode(n);
    return next != nullptr ? Pos{next, kHeader} : Pos{};
  }
  NodeRegion r(n);
  size_t off = listpack::Delete(r, p.offset, 1);
  if (off < n->size) return {n, off};
  return n->next != nullptr ? Pos{n->next, kHeader} : Pos{};
}

void Quicklist::DeleteRange(size_t start, size_t n) {
  if (start >= count_ || n == 0) return;
  n = std::min(n, count_ - start);
  bool inner = start > 0 && start + n < count_;
  size_t idx;
  Node* node = NodeOf(start, &idx);
  Node* before = idx > 0 ? node : node->prev;  // the last node kept before the cut
  while (n > 0) {
    uint32_t c = node->count();
    Node* next = node->next;
    if (idx == 0 && n >= c) {
      Unlink(node);
      FreeNode(node);
      n -= c;
      count_ -= c;
    } else {
      size_t k = std::min<size_t>(n, c - idx);
      NodeRegion r(node);
      listpack::Delete(r, node->view().Seek(static_cast<int64_t>(idx)), k);
      n -= k;
      count_ -= k;
    }
    idx = 0;
    node = next;
  }
  // Two partly emptied nodes may now meet at the cut.
  if (inner && before != nullptr) TryMergeNext(before);
}

char* Quicklist::ReleaseOnlyNode(size_t* size) {
  Node* n = head_;
  char* data = n->buffer();
  std::memmove(data, n->data, n->size);
  *size = n->size;
  Unlink(n);
  delete n;
  count_ = 0;
  return data;
}

size_t Quicklist::AllocatedBytes(size_t samples) const {
  size_t total = 0;
  size_t seen = 0;
  for (const Node* n = head_; n != nullptr && (samples == 0 || seen < samples); n = n->next) {
    total += sizeof(Node) + n->capacity;
    ++seen;
  }
  if (seen != 0 && seen < nodes_) total = total / seen * nodes_;
  return sizeof(*this) + total;
}

std::unique_ptr<Collection> Quicklist::Clone() const {
  auto copy = std::make_unique<Quicklist>(fill_);
  for (const Node* n = head_; n != nullptr; n = n->next)
    copy->LinkAfter(copy->tail_, copy->NewNode(n->bytes()));
  copy->count_ = count_;
  return copy;
}

}  // namespace redwing
