#include "common/heap.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace redwing::heap {
namespace {

// One counter per thread, on its own cache line. Threads past the last slot share it (and add
// with a locked instruction there).
struct alignas(64) Slot {
  std::atomic<int64_t> bytes{0};
};
constexpr int kSlots = 256;
Slot g_slots[kSlots];
std::atomic<int> g_next_slot{0};
thread_local Slot* t_slot = nullptr;
thread_local bool t_shared = false;

inline void Count(int64_t delta) {
  Slot* s = t_slot;
  if (s == nullptr) [[unlikely]] {
    int i = g_next_slot.fetch_add(1, std::memory_order_relaxed);
    t_shared = i >= kSlots - 1;
    s = t_slot = &g_slots[t_shared ? kSlots - 1 : i];
  }
  if (t_shared) [[unlikely]] {
    s->bytes.fetch_add(delta, std::memory_order_relaxed);
  } else {
    s->bytes.store(s->bytes.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
}

}  // namespace

void* Alloc(size_t n) {
  void* p = std::malloc(n);
  if (p != nullptr) Count(static_cast<int64_t>(malloc_usable_size(p)));
  return p;
}

void* Calloc(size_t n, size_t size) {
  void* p = std::calloc(n, size);
  if (p != nullptr) Count(static_cast<int64_t>(malloc_usable_size(p)));
  return p;
}

void* Realloc(void* p, size_t n) {
  int64_t before = p != nullptr ? static_cast<int64_t>(malloc_usable_size(p)) : 0;
  void* q = std::realloc(p, n);
  if (q != nullptr) {
    Count(static_cast<int64_t>(malloc_usable_size(q)) - before);
  } else if (n == 0) {
    Count(-before);  // realloc(p, 0) may free p
  }
  return q;
}

void* AlignedAlloc(size_t align, size_t n) {
  void* p = std::aligned_alloc(align, n);
  if (p != nullptr) Count(static_cast<int64_t>(malloc_usable_size(p)));
  return p;
}

void Free(void* p) {
  if (p == nullptr) return;
  Count(-static_cast<int64_t>(malloc_usable_size(p)));
  std::free(p);
}

size_t UsableSize(const void* p) {
  return malloc_usable_size(const_cast<void*>(p));
}

int64_t UsedBytes() {
  int n = g_next_slot.load(std::memory_order_relaxed);
  if (n > kSlots) n = kSlots;
  int64_t sum = 0;
  for (int i = 0; i < n; ++i)
    sum += g_slots[i].bytes.load(std::memory_order_relaxed);
  return sum < 0 ? 0 : sum;
}

}  // namespace redwing::heap

// The global operator new and delete, counted. (Aligned forms use aligned_alloc, whose blocks
// std::free and malloc_usable_size accept too.)
namespace {

void* CountedNew(std::size_t n) {
  void* p = redwing::heap::Alloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* CountedAlignedNew(std::size_t n, std::align_val_t al) {
  std::size_t a = static_cast<std::size_t>(al);
  std::size_t size = (n + a - 1) / a * a;
  void* p = redwing::heap::AlignedAlloc(a, size == 0 ? a : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(std::size_t n) {
  return CountedNew(n);
}
void* operator new[](std::size_t n) {
  return CountedNew(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return redwing::heap::Alloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return redwing::heap::Alloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept {
  redwing::heap::Free(p);
}
void operator delete[](void* p) noexcept {
  redwing::heap::Free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  redwing::heap::Free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  redwing::heap::Free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  redwing::heap::Free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  redwing::heap::Free(p);
}
void* operator new(std::size_t n, std::align_val_t al) {
  return CountedAlignedNew(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al) {
  return CountedAlignedNew(n, al);
}
void operator delete(void* p, std::align_val_t) noexcept {
  redwing::heap::Free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  redwing::heap::Free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  redwing::heap::Free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  redwing::heap::Free(p);
}
