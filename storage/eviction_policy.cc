#include "storage/eviction_policy.h"

#include "storage/eviction_policies.h"

namespace redwing {
namespace {

using Factory = std::unique_ptr<EvictionPolicy> (*)(const EvictionParams*);

struct Row {
  MaxmemoryPolicy policy;
  Factory make;  // nullptr: no eviction
};

// Which keys a policy may evict (all, or only those with a TTL) is the Database's business
// (IsVolatilePolicy); the policy object only orders them.
constexpr Row kPolicies[] = {
    {MaxmemoryPolicy::kNoEviction, nullptr},
    {MaxmemoryPolicy::kAllkeysLru, NewLruPolicy},
    {MaxmemoryPolicy::kVolatileLru, NewLruPolicy},
    {MaxmemoryPolicy::kAllkeysLfu, NewLfuPolicy},
    {MaxmemoryPolicy::kVolatileLfu, NewLfuPolicy},
    {MaxmemoryPolicy::kAllkeysSlru, NewSlruPolicy},
    {MaxmemoryPolicy::kVolatileSlru, NewSlruPolicy},
    {MaxmemoryPolicy::kAllkeysFifo, NewFifoPolicy},
    {MaxmemoryPolicy::kAllkeysRandom, NewRandomPolicy},
    {MaxmemoryPolicy::kVolatileRandom, NewRandomPolicy},
    {MaxmemoryPolicy::kVolatileTtl, NewTtlPolicy},
};

}  // namespace

std::unique_ptr<EvictionPolicy> NewEvictionPolicy(const EvictionParams* params) {
  for (const Row& r : kPolicies) {
    if (r.policy == params->policy) return r.make != nullptr ? r.make(params) : nullptr;
  }
  return nullptr;
}

}  // namespace redwing
