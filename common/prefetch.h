#pragma once

// A read prefetch the compiler cannot drop.
//
// GCC 12 at -O2/-O3 deletes __builtin_prefetch from some inlined callers: a hint chosen by a
// runtime branch (HashTable::Prefetch's stage) compiled to nothing in every caller, so the
// pipeline prefetching of lookups was a no-op in release builds. An asm volatile statement is
// never removed. Safe on any address that points into a live object (the hint never faults, and
// no value is read).
namespace redwing {

inline void PrefetchRead(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace redwing
