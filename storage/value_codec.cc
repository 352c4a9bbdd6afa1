#include "storage/value_codec.h"

#include <cmath>
#include <cstring>
#include <memory>

#include "protocol/numbers.h"
#include "storage/hash_object.h"
#include "storage/intset.h"
#include "storage/listpack.h"
#include "storage/quicklist.h"
#include "storage/set_object.h"
#include "storage/zset.h"

namespace redwing {
namespace {

// --- Writing ------------------------------------------------------------------------------------

void PutU32(std::string* out, uint32_t v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

void PutU64(std::string* out, uint64_t v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

void PutDouble(std::string* out, double v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

void PutBytes(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

void PutTag(std::string* out, ValueFormat format) {
  out->push_back(static_cast<char>(format));
}

// The format of a value stored as its bytes; false for the pointer encodings.
bool BytesFormat(const Entry* e, ValueFormat* format) {
  // Indexed by ValueType: the listpack format of each collection type.
  static constexpr ValueFormat kListpackFormat[] = {
      ValueFormat::kString, ValueFormat::kListListpack, ValueFormat::kSetListpack,
      ValueFormat::kZSetListpack, ValueFormat::kHashListpack};
  switch (e->encoding()) {
    case Encoding::kString:
      *format = e->raw_encoding() ? ValueFormat::kRawString : ValueFormat::kString;
      return true;
    case Encoding::kIntset:
      *format = ValueFormat::kSetIntset;
      return true;
    case Encoding::kListpack:
      *format = kListpackFormat[static_cast<size_t>(e->type())];
      return true;
    default:
      return false;
  }
}

// Per-element sizes are unknown before the walk: reserve the fixed part and a guess of 16 bytes an
// element, and let the string grow (amortised) for the rest.
void ReserveFor(std::string* out, size_t count, size_t fixed_per_element) {
  out->reserve(out->size() + 1 + sizeof(uint64_t) + count * (fixed_per_element + 16));
}

void EncodeQuicklist(const Quicklist& ql, std::string* out) {
  size_t node_bytes = 0;
  for (const Quicklist::Node* n = ql.head(); n != nullptr; n = n->next)
    node_bytes += n->size;
  out->reserve(out->size() + 1 + sizeof(uint64_t) + node_bytes + ql.size() * sizeof(uint32_t));
  PutTag(out, ValueFormat::kListQuicklist);
  PutU64(out, ql.size());
  char buf[kMaxIntChars];
  for (const Quicklist::Node* n = ql.head(); n != nullptr; n = n->next) {
    ListpackView lp = n->view();
    for (size_t pos = lp.begin(); pos < lp.end(); pos = lp.Next(pos))
      PutBytes(out, lp.Get(pos).Text(buf));
  }
}

void EncodeSetTable(const SetObject& set, std::string* out) {
  ReserveFor(out, set.size(), sizeof(uint32_t));
  PutTag(out, ValueFormat::kSetHashtable);
  PutU64(out, set.size());
  set.ForEach([out](std::string_view member) { PutBytes(out, member); });
}

void EncodeHashTable(const HashObject& hash, std::string* out) {
  ReserveFor(out, hash.size(), 2 * sizeof(uint32_t));
  PutTag(out, ValueFormat::kHashHashtable);
  PutU64(out, hash.size());
  hash.table().ForEach([out](const Entry* f) {
    PutBytes(out, f->key());
    PutBytes(out, f->string_value());
  });
}

void EncodeSkiplist(const ZSkipList& sl, std::string* out) {
  ReserveFor(out, sl.size(), sizeof(uint32_t) + sizeof(double));
  PutTag(out, ValueFormat::kZSetSkiplist);
  PutU64(out, sl.size());
  for (const Entry* n = sl.First(); n != nullptr; n = ZSkipList::Next(n)) {
    PutBytes(out, ZSkipList::Member(n));
    PutDouble(out, ZSkipList::Score(n));
  }
}

// --- Reading ------------------------------------------------------------------------------------

// Reads fixed-width fields from the front of the input; every read checks the bounds first and
// fails (leaving the reader unusable) when the input is too short.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  size_t remaining() const { return in_.size(); }
  bool done() const { return in_.empty(); }

  template <typename T>
  bool Fixed(T* v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  // A length-prefixed run of bytes.
  bool Bytes(std::string_view* s) {
    uint32_t len;
    if (!Fixed(&len) || len > in_.size()) return false;
    *s = in_.substr(0, len);
    in_.remove_prefix(len);
    return true;
  }

 private:
  std::string_view in_;
};

// Whether `b` is a listpack that every ListpackView walk can take, forwards and backwards, without
// leaving its bytes: each element's header is a known one and fits, its data fits, its backlen
// is the canonical encoding of its size, and the count field matches. `*count` receives the count.
// (Format: storage/listpack.h.) One pass over the bytes.
bool WellFormedListpack(std::string_view b, uint32_t* count) {
  if (b.size() < ListpackView::kHeaderSize) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  const size_t end = b.size();
  uint32_t seen = 0;
  for (size_t pos = ListpackView::kHeaderSize; pos < end; ++seen) {
    const size_t room = end - pos;
    const uint8_t h = p[pos];
    size_t size;  // header and data
    if (h < 0x80) {
      size = 1;
    } else if (h < 0xC0) {
      size = 1 + (h & 0x3F);
    } else if (h < 0xE0) {
      size = 2;
    } else if (h < 0xF0) {
      if (room < 2) return false;
      size = 2 + ((static_cast<size_t>(h & 0x0F) << 8) | p[pos + 1]);
    } else if (h == 0xF0) {
      uint32_t len;
      if (room < 1 + sizeof(len)) return false;
      std::memcpy(&len, p + pos + 1, sizeof(len));
      size = 1 + sizeof(len) + size_t{len};
    } else if (h <= 0xF4) {
      static constexpr size_t kIntBytes[] = {2, 3, 4, 8};
      size = 1 + kIntBytes[h - 0xF1];
    } else {
      return false;
    }
    // The backlen: `size` in 7-bit groups, most significant first, every byte but the first
    // flagged with 0x80.
    size_t groups = 1;
    for (size_t v = size; v >= 128; v >>= 7)
      ++groups;
    if (size + groups > room) return false;
    size_t back = 0;
    for (size_t i = 0; i < groups; ++i) {
      const uint8_t g = p[pos + size + i];
      if (((g & 0x80) != 0) != (i > 0)) return false;
      back = (back << 7) | (g & 0x7F);
    }
    if (back != size) return false;
    pos += size + groups;
  }
  *count = ListpackView(b).size();
  return *count == seen;
}

// Whether `b` is an intset: a known width, whole members, strictly ascending.
bool WellFormedIntset(std::string_view b) {
  if (b.size() < IntsetView::kHeaderSize) return false;
  IntsetView is(b);
  size_t w = is.width();
  if ((w != 2 && w != 4 && w != 8) || (b.size() - IntsetView::kHeaderSize) % w != 0) return false;
  for (size_t i = 1, n = is.size(); i < n; ++i) {
    if (is.Get(i - 1) >= is.Get(i)) return false;
  }
  return true;
}

// A listpack value of `type`; hashes and sorted sets hold pairs, so an even count.
Entry* DecodeListpack(std::string_view key, ValueType type, std::string_view content,
                      int64_t expire_at_ms) {
  uint32_t count;
  if (!WellFormedListpack(content, &count)) return nullptr;
  if ((type == ValueType::kHash || type == ValueType::kZSet) && count % 2 != 0) return nullptr;
  return Entry::New(key, type, Encoding::kListpack, content, expire_at_ms);
}

// Rebuilds a pointer encoding: reads the count, then calls add(object, reader) per element (false:
// malformed), and requires the input to end there. Each element takes at least `min_bytes`
// bytes, which bounds a corrupt count before any work.
template <typename Object, typename AddFn>
Entry* DecodeObject(std::string_view key, ValueType type, Encoding encoding,
                    std::string_view content, int64_t expire_at_ms, std::unique_ptr<Object> object,
                    size_t min_bytes, AddFn&& add) {
  Reader r(content);
  uint64_t count;
  if (!r.Fixed(&count) || count > r.remaining() / min_bytes) return nullptr;
  for (uint64_t i = 0; i < count; ++i) {
    if (!add(*object, r)) return nullptr;
  }
  if (!r.done()) return nullptr;
  Entry* e = Entry::NewObject(key, type, encoding, object.get(), expire_at_ms);
  object.release();
  return e;
}

Entry* DecodeQuicklist(std::string_view key, std::string_view content, int64_t expire_at_ms,
                       int64_t fill) {
  return DecodeObject(key, ValueType::kList, Encoding::kQuicklist, content, expire_at_ms,
                      std::make_unique<Quicklist>(fill), sizeof(uint32_t),
                      [](Quicklist& ql, Reader& r) {
                        std::string_view v;
                        if (!r.Bytes(&v)) return false;
                        ql.PushBack(v);
                        return true;
                      });
}

Entry* DecodeSetTable(std::string_view key, std::string_view content, int64_t expire_at_ms) {
  return DecodeObject(key, ValueType::kSet, Encoding::kHashtable, content, expire_at_ms,
                      std::make_unique<SetObject>(), sizeof(uint32_t),
                      [](SetObject& set, Reader& r) {
                        std::string_view m;
                        return r.Bytes(&m) && set.Add(m);  // a repeated member is corrupt
                      });
}

Entry* DecodeHashTable(std::string_view key, std::string_view content, int64_t expire_at_ms) {
  return DecodeObject(key, ValueType::kHash, Encoding::kHashtable, content, expire_at_ms,
                      std::make_unique<HashObject>(), 2 * sizeof(uint32_t),
                      [](HashObject& hash, Reader& r) {
                        std::string_view f, v;
                        return r.Bytes(&f) && r.Bytes(&v) && hash.Set(f, v);
                      });
}

Entry* DecodeSkiplist(std::string_view key, std::string_view content, int64_t expire_at_ms) {
  return DecodeObject(key, ValueType::kZSet, Encoding::kSkiplist, content, expire_at_ms,
                      std::make_unique<ZSkipList>(), sizeof(uint32_t) + sizeof(double),
                      [](ZSkipList& sl, Reader& r) {
                        std::string_view m;
                        double score;
                        // A NaN score would break the order; a repeated member the index.
                        if (!r.Bytes(&m) || !r.Fixed(&score) || std::isnan(score)) return false;
                        if (sl.Find(m) != nullptr) return false;
                        sl.Insert(m, score);
                        return true;
                      });
}

}  // namespace

void EncodeValue(const Entry* e, std::string* out) {
  ValueFormat format;
  if (BytesFormat(e, &format)) {
    out->reserve(out->size() + 1 + e->value_len());
    PutTag(out, format);
    out->append(e->value());
    return;
  }
  switch (e->encoding()) {
    case Encoding::kQuicklist:
      EncodeQuicklist(*e->object_as<Quicklist>(), out);
      break;
    case Encoding::kSkiplist:
      EncodeSkiplist(*e->object_as<ZSkipList>(), out);
      break;
    default:  // kHashtable
      if (e->type() == ValueType::kSet) {
        EncodeSetTable(*e->object_as<SetObject>(), out);
      } else {
        EncodeHashTable(*e->object_as<HashObject>(), out);
      }
      break;
  }
}

Entry* DecodeValue(std::string_view key, std::string_view bytes, int64_t expire_at_ms,
                   const CollectionLimits& limits) {
  if (bytes.empty()) return nullptr;
  const auto format = static_cast<ValueFormat>(bytes[0]);
  const std::string_view content = bytes.substr(1);
  switch (format) {
    case ValueFormat::kString:
    case ValueFormat::kRawString: {
      Entry* e = Entry::NewString(key, content, expire_at_ms);
      if (format == ValueFormat::kRawString) e->set_raw_encoding();
      return e;
    }
    case ValueFormat::kListListpack:
      return DecodeListpack(key, ValueType::kList, content, expire_at_ms);
    case ValueFormat::kListQuicklist:
      return DecodeQuicklist(key, content, expire_at_ms, limits.list_fill);
    case ValueFormat::kSetIntset:
      if (!WellFormedIntset(content)) return nullptr;
      return Entry::New(key, ValueType::kSet, Encoding::kIntset, content, expire_at_ms);
    case ValueFormat::kSetListpack:
      return DecodeListpack(key, ValueType::kSet, content, expire_at_ms);
    case ValueFormat::kSetHashtable:
      return DecodeSetTable(key, content, expire_at_ms);
    case ValueFormat::kHashListpack:
      return DecodeListpack(key, ValueType::kHash, content, expire_at_ms);
    case ValueFormat::kHashHashtable:
      return DecodeHashTable(key, content, expire_at_ms);
    case ValueFormat::kZSetListpack:
      return DecodeListpack(key, ValueType::kZSet, content, expire_at_ms);
    case ValueFormat::kZSetSkiplist:
      return DecodeSkiplist(key, content, expire_at_ms);
  }
  return nullptr;  // an unknown format
}

bool EncodedType(std::string_view bytes, ValueType* type) {
  if (bytes.empty()) return false;
  switch (static_cast<ValueFormat>(bytes[0])) {
    case ValueFormat::kString:
    case ValueFormat::kRawString:
      *type = ValueType::kString;
      return true;
    case ValueFormat::kListListpack:
    case ValueFormat::kListQuicklist:
      *type = ValueType::kList;
      return true;
    case ValueFormat::kSetIntset:
    case ValueFormat::kSetListpack:
    case ValueFormat::kSetHashtable:
      *type = ValueType::kSet;
      return true;
    case ValueFormat::kHashListpack:
    case ValueFormat::kHashHashtable:
      *type = ValueType::kHash;
      return true;
    case ValueFormat::kZSetListpack:
    case ValueFormat::kZSetSkiplist:
      *type = ValueType::kZSet;
      return true;
  }
  return false;
}

}  // namespace redwing
