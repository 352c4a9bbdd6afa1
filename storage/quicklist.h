#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "storage/byte_region.h"
#include "storage/collection.h"
#include "storage/listpack.h"

namespace redwing {

// The node limits that list-max-listpack-size (Redis's "fill") sets, as Redis 7 reads it: a
// positive fill caps the elements per node (and a node stays under the 8 KB safety size); a
// negative fill -1..-5 caps the bytes per node at 4, 8, 16, 32 or 64 KB (beyond -5: 64 KB).
struct ListNodeLimit {
  size_t max_bytes = 0;
  size_t max_count = 0;

  // max_bytes / max_count: SIZE_MAX when the fill does not limit it.
  static ListNodeLimit ForFill(int64_t fill);
  // Whether a listpack of `bytes` bytes holding `count` elements is over the limit.
  bool Exceeds(size_t bytes, size_t count) const;
  // Whether it is within half the limit: a shrinking list goes back to a compact listpack only
  // then, so that a list at the threshold does not convert back and forth (Redis 7.2's rule).
  bool FitsHalf(size_t bytes, size_t count) const;
};

// The full encoding of a big list (OBJECT ENCODING "quicklist"): a doubly linked chain of nodes,
// each a listpack (storage/listpack.h) of a bounded size, edited in place through the node's own
// ByteRegion. Pushes and pops at either end touch one end node; an index is reached by skipping
// whole nodes by their counts, from the nearer end. Nodes split when an insert or a replacement
// overfills them and neighbours merge when they fit in one node again.
//
// A position is a node and the byte offset of an element in its listpack; positions stay valid
// until the list changes.
//
// Owned by its key's Entry (a Collection), and so touched only by the thread holding the shard.
class Quicklist final : public Collection {
 public:
  // A node's listpack sits inside a malloc'd buffer of `capacity` bytes, `front` bytes from its
  // start: free room on either side, so that an edit near the head moves the few bytes before it
  // (the listpack's count) rather than the whole node. LPUSH/LPOP on a node are O(1).
  struct Node {
    Node* prev = nullptr;
    Node* next = nullptr;
    char* data = nullptr;  // the listpack's bytes
    uint32_t size = 0;
    uint32_t capacity = 0;
    uint32_t front = 0;

    char* buffer() const { return data - front; }

    std::string_view bytes() const { return {data, size}; }
    ListpackView view() const { return ListpackView(bytes()); }
    uint32_t count() const { return view().size(); }
  };

  // The bytes of a node, growing and shrinking its buffer as the listpack is edited; each edit
  // moves the shorter side of the bytes around it.
  class NodeRegion final : public ByteRegion {
   public:
    explicit NodeRegion(Node* node) : node_(node) {}
    std::string_view bytes() const override { return node_->bytes(); }
    char* Splice(size_t offset, size_t remove, size_t insert) override;

   private:
    Node* node_;
  };

  struct Pos {
    Node* node = nullptr;  // nullptr: past either end
    size_t offset = 0;
    explicit operator bool() const { return node != nullptr; }
  };

  // An empty list whose nodes follow `fill` (list-max-listpack-size, read when it is created).
  explicit Quicklist(int64_t fill);
  // A list holding the elements of a listpack (its bytes become the first node).
  Quicklist(int64_t fill, std::string_view listpack_bytes);
  ~Quicklist() override;
  Quicklist(const Quicklist&) = delete;
  Quicklist& operator=(const Quicklist&) = delete;

  size_t size() const { return count_; }
  size_t node_count() const { return nodes_; }
  Node* head() const { return head_; }
  Node* tail() const { return tail_; }
  const ListNodeLimit& limit() const { return limit_; }

  void PushFront(std::string_view value);
  void PushBack(std::string_view value);

  // Element positions and walking across nodes.
  Pos Front() const { return head_ ? Pos{head_, ListpackView::kHeaderSize} : Pos{}; }
  Pos Back() const { return tail_ ? Pos{tail_, tail_->view().Last()} : Pos{}; }
  Pos Next(Pos p) const;
  Pos Prev(Pos p) const;
  // The position of element `index` (0 <= index < size()), reached from the nearer end.
  Pos Locate(size_t index) const;
  ListpackElement Get(Pos p) const { return p.node->view().Get(p.offset); }

  // Replaces the element at `p` (the node splits if it overfills).
  void Replace(Pos p, std::string_view value);
  // Inserts `value` before or after the element at `p`.
  void Insert(Pos p, std::string_view value, bool after);
  // Removes the element at `p`; returns the position of the element that followed it (or an
  // empty Pos at the end). Neighbours are not merged: call MergeSmallNodes() after a series.
  Pos Erase(Pos p);
  // Removes `n` elements from index `start` (clipped to the end).
  void DeleteRange(size_t start, size_t n);
  // Merges every pair of adjacent nodes that fits in one node.
  void MergeSmallNodes();

  // Takes the listpack bytes of the list's only node (a malloc'd buffer of `*size` bytes that the
  // caller frees), leaving the list empty: the conversion back to a compact listpack. Requires
  // node_count() == 1.
  char* ReleaseOnlyNode(size_t* size);

  size_t AllocatedBytes(size_t samples) const override;
  std::unique_ptr<Collection> Clone() const override;

 private:
  Node* NewNode(std::string_view bytes);
  void LinkAfter(Node* at, Node* n);  // at == nullptr: at the head
  void Unlink(Node* n);
  void FreeNode(Node* n);
  // The node holding element `index` and the element's index in it.
  Node* NodeOf(size_t index, size_t* in_node) const;
  bool Fits(const Node* n, size_t add_bytes, size_t add_count) const {
    return !limit_.Exceeds(n->size + add_bytes, n->count() + add_count);
  }
  // Moves the elements from byte `offset` on into a new node after `n`; returns it.
  Node* SplitAt(Node* n, size_t offset);
  // Splits `n` until every part is within the limit (or holds one element).
  void SplitOversized(Node* n);
  // Merges `n` with its next node if both fit in one; returns whether it did.
  bool TryMergeNext(Node* n);

  Node* head_ = nullptr;
  Node* tail_ = nullptr;
  size_t count_ = 0;
  size_t nodes_ = 0;
  int64_t fill_;
  ListNodeLimit limit_;
};

}  // namespace redwing
