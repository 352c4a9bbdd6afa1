#pragma once

#include <cstddef>
#include <string>

namespace redwing {

// Process memory figures for INFO: bytes the allocator has handed out (jemalloc's
// stats.allocated when the binary links jemalloc, else glibc's mallinfo2), and resident set size.
// Thread-safe.
size_t AllocatedBytes();
size_t ResidentBytes();
std::string AllocatorName();
// "1.50M"-style, as Redis's bytesToHuman.
std::string BytesToHuman(size_t n);

}  // namespace redwing
