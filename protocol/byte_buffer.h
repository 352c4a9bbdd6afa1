#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>
#include "common/heap.h"

namespace redwing {

// A growable byte buffer that, unlike std::string, never zero-fills what it reserves: a socket
// read or a reply append writes straight into spare capacity. Capacity is kept across Clear(), so
// a connection's buffers stop allocating once they reach their working size.
// Not thread-safe: owned by one thread at a time (a connection, or a batch in flight).
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ~ByteBuffer() { heap::Free(data_); }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ByteBuffer(ByteBuffer&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_) {
    o.data_ = nullptr;
    o.size_ = o.cap_ = 0;
  }

  void Swap(ByteBuffer& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
  }

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_, size_}; }

  void Clear() { size_ = 0; }
  // Drops the first n bytes, moving the rest to the front.
  void Consume(size_t n) {
    if (n >= size_) {
      size_ = 0;
      return;
    }
    std::memmove(data_, data_ + n, size_ - n);
    size_ -= n;
  }
  void Resize(size_t n) {
    Reserve(n);
    size_ = n;
  }
  void Reserve(size_t n) {
    if (n <= cap_) return;
    size_t cap = cap_ < 64 ? 64 : cap_;
    while (cap < n)
      cap += cap < (1u << 26) ? cap : (1u << 26);
    void* p = heap::Realloc(data_, cap);
    if (p == nullptr) throw std::bad_alloc();
    data_ = static_cast<char*>(p);
    cap_ = cap;
  }
  // Returns a pointer to at least n writable bytes at the end; Commit(k) then adds k of them.
  char* PrepareWrite(size_t n) {
    Reserve(size_ + n);
    return data_ + size_;
  }
  void Commit(size_t n) { size_ += n; }
  void Append(const char* p, size_t n) {
    if (n == 0) return;  // p may be null for an empty view
    std::memcpy(PrepareWrite(n), p, n);
    size_ += n;
  }
  void Append(std::string_view s) { Append(s.data(), s.size()); }
  void Push(char c) {
    *PrepareWrite(1) = c;
    ++size_;
  }
  // Releases memory when the buffer grew far past its steady-state need (e.g. after a huge reply).
  void ShrinkIfIdleAbove(size_t limit) {
    if (size_ == 0 && cap_ > limit) {
      heap::Free(data_);
      data_ = nullptr;
      cap_ = 0;
    }
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace redwing
