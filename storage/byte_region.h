#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "storage/entry.h"

namespace redwing {

// A run of bytes that an encoding (storage/listpack.h, storage/intset.h) edits in place and may
// grow or shrink. Implementations decide where the bytes live: in a key's entry block, in a
// std::string, in a list node.
class ByteRegion {
 public:
  virtual std::string_view bytes() const = 0;
  // Replaces `remove` bytes at `offset` with `insert` bytes (left uninitialised), moving the bytes
  // after them. Returns the start of the (possibly moved) bytes.
  virtual char* Splice(size_t offset, size_t remove, size_t insert) = 0;
  char* data() { return const_cast<char*>(bytes().data()); }

 protected:
  ~ByteRegion() = default;
};

// The value bytes of the entry at a table link (a compact collection stored in its key's block).
// Resizing may move the block; the new address is stored through the link, so the table stays
// valid.
class EntryValueRegion final : public ByteRegion {
 public:
  explicit EntryValueRegion(Entry** link) : link_(link) {}
  std::string_view bytes() const override { return (*link_)->value(); }
  char* Splice(size_t offset, size_t remove, size_t insert) override {
    *link_ = Entry::SpliceValue(*link_, offset, remove, insert);
    return (*link_)->mutable_value_data();
  }

 private:
  Entry** link_;
};

// Bytes in a std::string (tests, temporaries, list nodes).
class StringRegion final : public ByteRegion {
 public:
  explicit StringRegion(std::string* s) : s_(s) {}
  std::string_view bytes() const override { return *s_; }
  char* Splice(size_t offset, size_t remove, size_t insert) override {
    s_->replace(offset, remove, insert, '\0');
    return s_->data();
  }

 private:
  std::string* s_;
};

}  // namespace redwing
