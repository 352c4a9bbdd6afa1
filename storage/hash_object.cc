#include "storage/hash_object.h"

#include <cstring>

#include "storage/byte_region.h"

namespace redwing {

Entry* HashObject::Find(std::string_view field) {
  Entry** link = FindLink(field);
  return link != nullptr ? *link : nullptr;
}

void HashObject::Replace(Entry** link, std::string_view value) {
  Entry* e = *link;
  if (e->value_len() != value.size()) {
    e = Entry::ResizeValue(e, value.size());
    *link = e;
  }
  if (!value.empty()) std::memcpy(e->mutable_value_data(), value.data(), value.size());
}

void HashObject::Insert(std::string_view field, std::string_view value) {
  table_.Insert(Entry::NewString(field, value, -1), HashKey(field));
}

bool HashObject::Set(std::string_view field, std::string_view value) {
  uint64_t hash = HashKey(field);
  Entry** link = table_.Find(field, hash);
  if (link != nullptr) {
    Replace(link, value);
    return false;
  }
  table_.Insert(Entry::NewString(field, value, -1), hash);
  return true;
}

bool HashObject::Delete(std::string_view field) {
  uint64_t hash = HashKey(field);
  Entry** link = table_.Find(field, hash);
  if (link == nullptr) return false;
  Entry::Free(table_.Unlink(link, hash));
  table_.MaybeShrink();
  return true;
}

size_t HashObject::AllocatedBytes(size_t samples) const {
  size_t total = sizeof(*this) + table_.bucket_count() * sizeof(Entry*);
  size_t seen = 0;
  size_t bytes = 0;
  const size_t limit = samples == 0 ? table_.size() : samples;
  // ForEach cannot stop early; count only the first `limit` entries and extrapolate.
  table_.ForEach([&](const Entry* e) {
    if (seen < limit) {
      bytes += Entry::AllocatedSize(e);
      ++seen;
    }
  });
  if (seen != 0) total += bytes * table_.size() / seen;
  return total;
}

std::unique_ptr<Collection> HashObject::Clone() const {
  auto copy = std::make_unique<HashObject>();
  table_.ForEach([&copy](const Entry* e) { copy->Insert(e->key(), e->string_value()); });
  return copy;
}

namespace hash {

size_t Length(const Entry* e) {
  if (e->encoding() == Encoding::kListpack) return ListpackView(e->value()).size() / 2;
  return e->object_as<HashObject>()->size();
}

bool Get(Entry* e, std::string_view field, HashText* text, std::string_view* value) {
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    size_t pos = lp.Find(lp.begin(), field, 2);
    if (pos == lp.end()) return false;
    *value = lp.Get(lp.Next(pos)).Text(text->buf);
    return true;
  }
  Entry* f = e->object_as<HashObject>()->Find(field);
  if (f == nullptr) return false;
  *value = f->string_value();
  return true;
}

void ConvertToHashtable(Entry** link) {
  Entry* e = *link;
  if (e->encoding() != Encoding::kListpack) return;
  auto obj = std::make_unique<HashObject>();
  ForEach(e, [&obj](std::string_view f, std::string_view v) { obj->Insert(f, v); });
  *link = Entry::ConvertToObject(e, Encoding::kHashtable, obj.release());
}

bool Set(Entry** link, std::string_view field, std::string_view value, const HashLimits& limits) {
  if ((*link)->encoding() == Encoding::kListpack &&
      (field.size() > limits.max_value || value.size() > limits.max_value)) {
    ConvertToHashtable(link);
  }
  if ((*link)->encoding() != Encoding::kListpack) {
    return (*link)->object_as<HashObject>()->Set(field, value);
  }
  EntryValueRegion region(link);
  ListpackView lp(region.bytes());
  size_t pos = lp.Find(lp.begin(), field, 2);
  if (pos != lp.end()) {
    listpack::Replace(region, lp.Next(pos), value);
    return false;
  }
  const std::string_view pair[2] = {field, value};
  listpack::Insert(region, lp.end(), pair);
  if (ListpackView(region.bytes()).size() / 2 > limits.max_entries) ConvertToHashtable(link);
  return true;
}

bool Delete(Entry** link, std::string_view field) {
  if ((*link)->encoding() != Encoding::kListpack) {
    return (*link)->object_as<HashObject>()->Delete(field);
  }
  EntryValueRegion region(link);
  ListpackView lp(region.bytes());
  size_t pos = lp.Find(lp.begin(), field, 2);
  if (pos == lp.end()) return false;
  listpack::Delete(region, pos, 2);
  return true;
}

}  // namespace hash
}  // namespace redwing
