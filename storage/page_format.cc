#include "storage/page_format.h"

#include <xxhash.h>

#include <cstddef>
#include <cstring>

namespace redwing {

namespace {

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <typename T>
void Store(char* p, T v) {
  std::memcpy(p, &v, sizeof(v));
}

// Over the header up to the checksum field (the last one), then the used payload.
uint64_t PageChecksum(const char* page, uint32_t used) {
  uint64_t head = XXH3_64bits(page, offsetof(PageHeader, checksum));
  return XXH3_64bits_withSeed(page + kPageHeaderSize, used, head);
}

}  // namespace

void EncodeRecordHead(const RecordView& r, char* out) {
  uint32_t body = static_cast<uint32_t>(RecordSize(r.key.size(), r.value.size()) - 4);
  Store<uint32_t>(out, body);
  out[4] = static_cast<char>(r.op);
  out[5] = 0;
  Store<uint16_t>(out + 6, r.db);
  Store<uint64_t>(out + 8, r.seq);
  Store<int64_t>(out + 16, r.arg);
  Store<uint32_t>(out + 24, static_cast<uint32_t>(r.key.size()));
}

uint64_t RecordChecksum(const char* head, std::string_view key, std::string_view value) {
  // Chained through the seed: no hashing state to set up for a short record.
  uint64_t h = XXH3_64bits(head + 4, kRecordHeadSize - 4);
  h = XXH3_64bits_withSeed(key.data(), key.size(), h);
  return XXH3_64bits_withSeed(value.data(), value.size(), h);
}

uint32_t RecordTotalSize(const char* head) {
  return Load<uint32_t>(head) + 4;
}

bool DecodeRecord(std::string_view bytes, RecordView* out) {
  if (bytes.size() < kRecordHeadSize + kRecordTailSize) return false;
  const char* p = bytes.data();
  if (RecordTotalSize(p) != bytes.size()) return false;
  uint8_t op = static_cast<uint8_t>(p[4]);
  if (op < static_cast<uint8_t>(RecordOp::kPut) || op > static_cast<uint8_t>(RecordOp::kSwap)) {
    return false;
  }
  uint32_t key_len = Load<uint32_t>(p + 24);
  if (key_len > bytes.size() - kRecordHeadSize - kRecordTailSize) return false;
  std::string_view key(p + kRecordHeadSize, key_len);
  std::string_view value(key.data() + key_len,
                         bytes.size() - kRecordHeadSize - kRecordTailSize - key_len);
  if (RecordChecksum(p, key, value) != Load<uint64_t>(bytes.data() + bytes.size() - 8)) {
    return false;
  }
  out->op = static_cast<RecordOp>(op);
  out->db = Load<uint16_t>(p + 6);
  out->seq = Load<uint64_t>(p + 8);
  out->arg = Load<int64_t>(p + 16);
  out->key = key;
  out->value = value;
  return true;
}

PageHeader ReadHeader(const char* page) {
  return Load<PageHeader>(page);
}

void SealPage(char* page) {
  PageHeader h = ReadHeader(page);
  h.checksum = PageChecksum(page, h.used);
  Store(page, h);
}

bool CheckPage(const char* page, uint32_t page_size, uint32_t slot) {
  PageHeader h = ReadHeader(page);
  if (h.magic != kPageMagic || h.version != kPageFormatVersion || h.kind != 1) return false;
  if (h.slot != slot) return false;
  if (h.used > page_size - kPageHeaderSize || h.cont_bytes > h.used) return false;
  return PageChecksum(page, h.used) == h.checksum;
}

void EncodeSuperblock(Superblock sb, char* sector) {
  std::memset(sector, 0, kSectorSize);
  sb.magic = kSuperMagic;
  sb.version = kPageFormatVersion;
  sb.checksum = XXH3_64bits(&sb, offsetof(Superblock, checksum));
  Store(sector, sb);
}

bool DecodeSuperblock(const char* sector, Superblock* out) {
  Superblock sb = Load<Superblock>(sector);
  if (sb.magic != kSuperMagic || sb.version != kPageFormatVersion) return false;
  if (sb.checksum != XXH3_64bits(&sb, offsetof(Superblock, checksum))) return false;
  *out = sb;
  return true;
}

}  // namespace redwing
