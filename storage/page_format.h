#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace redwing {

// The on-disk format of a shard's page file (docs/ARCHITECTURE.md, "Persistence", has the prose).
//
//   page 0            two superblock copies, in its first two 512-byte sectors
//   pages 1..n-1      data pages, each: PageHeader (56 bytes) + payload
//
// The payload of the data pages is a stream of records, appended in sequence-number order. A
// record starts in one page and may continue in others: a page's `next` names the page holding
// the rest of its last record, and that page's payload begins with `cont_bytes` bytes of it. A
// record never starts within the last kRecordHeadSize bytes of a page (the writer moves it on).
//
// Every page carries the generation it was written in (compaction starts a new one; pages of a
// generation older than the superblock's active one are free), the flush batch that wrote it
// (crash recovery tells a torn page of the last batch from real corruption by it), its own slot
// number (a misdirected write) and an xxHash of its header and used payload. Every record carries
// its own xxHash too, so a record assembled across pages is checked whole.

inline constexpr uint32_t kPageMagic = 0x47505752;   // "RWPG"
inline constexpr uint32_t kSuperMagic = 0x42535752;  // "RWSB"
inline constexpr uint16_t kPageFormatVersion = 1;
inline constexpr uint32_t kNoPage = 0xffffffffu;
inline constexpr size_t kSectorSize = 512;
inline constexpr uint32_t kMinPageSize = 1024;
inline constexpr uint32_t kMaxPageSize = 1u << 20;

#pragma pack(push, 1)
struct PageHeader {
  uint32_t magic;
  uint16_t version;
  uint8_t kind;  // 1: data
  uint8_t flags;
  uint32_t slot;
  uint32_t gen;
  uint64_t batch;
  uint64_t first_seq;  // sequence number of the first record starting here; 0: none does
  uint32_t cont_bytes;
  uint32_t used;  // payload bytes in use, cont_bytes included
  uint32_t next;  // kNoPage unless the last record continues elsewhere
  uint32_t reserved;
  uint64_t checksum;
};

struct Superblock {
  uint32_t magic;
  uint16_t version;
  uint16_t reserved;
  uint32_t page_size;
  uint32_t shard_index;
  uint32_t shard_count;
  uint32_t active_gen;
  uint64_t seq;  // the newer of the two valid copies wins
  uint64_t checksum;
};
#pragma pack(pop)

static_assert(sizeof(PageHeader) == 56);
static_assert(sizeof(Superblock) <= kSectorSize);

inline constexpr size_t kPageHeaderSize = sizeof(PageHeader);

// Records: the operations replayed at recovery, in sequence order.
enum class RecordOp : uint8_t {
  kPut = 1,     // key := value (arg: expire-at ms, -1 for none)
  kDelete = 2,  // key deleted
  kClear = 3,   // database `db` emptied (FLUSHDB/FLUSHALL)
  kSwap = 4,    // databases `db` and `arg` exchanged (SWAPDB)
};

// Layout: u32 body length (the bytes after it, checksum included) | u8 op | u8 flags | u16 db |
// u64 seq | i64 arg | u32 key length | key | value | u64 xxHash of op..value.
inline constexpr size_t kRecordHeadSize = 28;
inline constexpr size_t kRecordTailSize = 8;

struct RecordView {
  RecordOp op = RecordOp::kPut;
  uint16_t db = 0;
  uint64_t seq = 0;
  int64_t arg = -1;
  std::string_view key;
  std::string_view value;
};

// Size of the encoded record.
inline size_t RecordSize(size_t key_len, size_t value_len) {
  return kRecordHeadSize + key_len + value_len + kRecordTailSize;
}
// Writes the record's head (everything before the key) into `out` (kRecordHeadSize bytes).
void EncodeRecordHead(const RecordView& r, char* out);
// The checksum over op..value, computed from the head's bytes after the length, the key and the
// value (the writer appends it after the value).
uint64_t RecordChecksum(const char* head, std::string_view key, std::string_view value);
// Parses a whole record (`bytes` holds exactly RecordSize(...) bytes). False if it is malformed
// or its checksum does not match.
bool DecodeRecord(std::string_view bytes, RecordView* out);
// The total size announced by a record's first 4 bytes.
uint32_t RecordTotalSize(const char* head);

// Page headers: Seal computes the checksum of a filled page; Check validates one read back for
// `slot` (magic, version, slot, used within bounds, checksum).
void SealPage(char* page);
bool CheckPage(const char* page, uint32_t page_size, uint32_t slot);
// The header of a page as stored (unchecked).
PageHeader ReadHeader(const char* page);

// Superblocks: encoded into one 512-byte sector.
void EncodeSuperblock(Superblock sb, char* sector);
bool DecodeSuperblock(const char* sector, Superblock* out);

}  // namespace redwing
