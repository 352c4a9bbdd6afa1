#pragma once

// The constructors of the eviction policies, one per file (storage/*_policy.cc; FIFO shares LRU's),
// for the table in storage/eviction_policy.cc. Not for use elsewhere: ask NewEvictionPolicy.

#include <memory>

#include "storage/eviction_policy.h"

namespace redwing {

// A policy that keeps no lists of its own (it finds victims in the table): counts its keys.
class UnlinkedPolicy : public EvictionPolicy {
 public:
  bool needs_links() const final { return false; }
  void Insert(Entry*, int64_t) final { ++size_; }
  void Access(Entry*, int64_t) final {}
  void Remove(Entry*) final { --size_; }
  size_t size() const final { return size_; }
  void Clear() final { size_ = 0; }

 private:
  size_t size_ = 0;
};

std::unique_ptr<EvictionPolicy> NewLruPolicy(const EvictionParams* params);
std::unique_ptr<EvictionPolicy> NewLfuPolicy(const EvictionParams* params);
std::unique_ptr<EvictionPolicy> NewSlruPolicy(const EvictionParams* params);
std::unique_ptr<EvictionPolicy> NewFifoPolicy(const EvictionParams* params);
std::unique_ptr<EvictionPolicy> NewRandomPolicy(const EvictionParams* params);
std::unique_ptr<EvictionPolicy> NewTtlPolicy(const EvictionParams* params);

}  // namespace redwing
