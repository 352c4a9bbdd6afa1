#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/entry.h"
#include "storage/hash_object.h"
#include "storage/set_type.h"
#include "storage/zset.h"

// The value serializer of disk persistence: a key's value as the bytes of a record, and back.
//
// A value is a 1-byte format tag (ValueFormat: the type and how the content is stored) followed by
// its content. The key and the expiry are not part of it: the record keeps those. Integers are
// fixed-width little endian; a double is its 8 IEEE-754 bytes.
//
//   string, compact collections   the entry's value bytes as they are, to the end of the input:
//                                 a string's bytes, a listpack (storage/listpack.h) or an intset
//                                 (storage/intset.h). Loading them is one Entry::New.
//   quicklist list                [count: u64] then per element, head to tail: [len: u32][bytes]
//   hashtable set                 [count: u64] then per member: [len: u32][bytes]
//   hashtable hash                [count: u64] then per field: [len: u32][field][len: u32][value]
//   skiplist sorted set           [count: u64] then per element, in order: [len: u32][member]
//                                 [score: 8-byte double]
//
// The pointer encodings are rebuilt element by element with the structures' own insert functions.
// A value keeps its encoding across a reload whatever the thresholds are now (a big hash comes back
// as a hashtable, a listpack stays a listpack); a quicklist takes the configured node fill.
namespace redwing {

// The on-disk numbers of the formats: stored in records, so never renumbered or reused.
enum class ValueFormat : uint8_t {
  kString = 0,     // OBJECT ENCODING int or embstr (or raw by length)
  kRawString = 1,  // grown in place (Entry::raw_encoding): OBJECT ENCODING raw
  kListListpack = 2,
  kListQuicklist = 3,
  kSetIntset = 4,
  kSetListpack = 5,
  kSetHashtable = 6,
  kHashListpack = 7,
  kHashHashtable = 8,
  kZSetListpack = 9,
  kZSetSkiplist = 10,
};

// The conversion thresholds of the collection encodings (hash-max-listpack-*, set-max-intset-
// entries, set-max-listpack-*, zset-max-listpack-*, list-max-listpack-size), as the storage
// functions take them. The server fills one from its config. Loading keeps encodings, so only
// `list_fill` is read today (the node size of a rebuilt quicklist); the rest is there so that the
// one struct can carry every threshold a load policy may need.
struct CollectionLimits {
  HashLimits hash;
  SetLimits set;
  zset::Limits zset;
  int64_t list_fill = -2;  // list-max-listpack-size
};

// Appends the serialization of e's value (format tag, then content) to *out. O(elements) for the
// pointer encodings, one copy of the value bytes otherwise.
void EncodeValue(const Entry* e, std::string* out);

// Rebuilds an entry named `key` with expiry `expire_at_ms` (< 0: none) from bytes EncodeValue
// wrote. Returns nullptr when `bytes` is malformed or truncated: it never reads outside `bytes`,
// and a compact encoding is checked element by element before it is accepted, so what it returns
// is safe to use. The entry has no eviction links (Database::Put adds them); free it with
// Entry::Free.
Entry* DecodeValue(std::string_view key, std::string_view bytes, int64_t expire_at_ms,
                   const CollectionLimits& limits);

// The type of the value EncodeValue wrote to `bytes` (from its tag alone, without decoding), or
// false if the tag is unknown. Persistence keeps the type of values it leaves on disk.
bool EncodedType(std::string_view bytes, ValueType* type);

}  // namespace redwing
