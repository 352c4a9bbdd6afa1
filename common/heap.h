#pragma once

#include <cstddef>
#include <cstdint>

// Heap accounting: how many bytes the process's data occupies, by the allocator's own block sizes
// (malloc_usable_size), the figure behind INFO's used_memory and the maxmemory limit.
//
// Every block Redwing allocates goes through here: storage's blocks and buffers call these
// functions directly, and the global operator new/delete (replaced in heap.cc) count the rest.
// Each thread adds to its own counter (a plain load and store, no locked instruction); UsedBytes
// sums them. A block freed by another thread than the one that allocated it is subtracted there:
// per-thread figures can go negative, their sum is exact.
//
// Thread-safety: every function may be called from any thread.
namespace redwing::heap {

void* Alloc(size_t n);  // as std::malloc
void* Calloc(size_t n, size_t size);
void* Realloc(void* p, size_t n);            // as std::realloc
void* AlignedAlloc(size_t align, size_t n);  // as std::aligned_alloc
void Free(void* p);
// The allocator's size of a live block (at least what was asked for).
size_t UsableSize(const void* p);

// Bytes in live blocks, all threads.
int64_t UsedBytes();

}  // namespace redwing::heap
