#include "storage/set_object.h"

namespace redwing {

bool SetObject::Add(std::string_view member) {
  uint64_t hash = HashKey(member);
  if (table_.Find(member, hash) != nullptr) return false;
  table_.Insert(Entry::New(member, ValueType::kString, Encoding::kString, {}, -1), hash);
  return true;
}

bool SetObject::Remove(std::string_view member) {
  uint64_t hash = HashKey(member);
  Entry** link = table_.Find(member, hash);
  if (link == nullptr) return false;
  Entry::Free(table_.Unlink(link, hash));
  table_.MaybeShrink();
  return true;
}

bool SetObject::Contains(std::string_view member) {
  return table_.Find(member, HashKey(member)) != nullptr;
}

std::string_view SetObject::Random(uint64_t random) {
  return table_.RandomEntry(random)->key();
}

size_t SetObject::AllocatedBytes(size_t samples) const {
  size_t bytes = sizeof(SetObject) + table_.bucket_count() * sizeof(Entry*);
  size_t seen = 0;
  size_t member_bytes = 0;
  table_.ForEach([&](const Entry* e) {
    if (samples != 0 && seen >= samples) return;
    member_bytes += Entry::AllocatedSize(e);
    ++seen;
  });
  if (seen != 0) bytes += member_bytes * size() / seen;
  return bytes;
}

std::unique_ptr<Collection> SetObject::Clone() const {
  auto copy = std::make_unique<SetObject>();
  ForEach([&](std::string_view member) { copy->Add(member); });
  return copy;
}

}  // namespace redwing
