#pragma once

#include <cstdint>
#include <string_view>

namespace redwing {

inline constexpr int kClusterSlots = 16384;

// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the checksum Redis Cluster uses.
uint16_t Crc16(std::string_view data);

// The part of a key that is hashed: the text between the first '{' and the next '}' if that is
// non-empty, else the whole key (Redis Cluster's hash tags).
std::string_view HashTag(std::string_view key);

// The cluster hash slot of a key: Crc16(HashTag(key)) mod 16384. Pure, thread-safe.
inline int KeySlot(std::string_view key) {
  return Crc16(HashTag(key)) & (kClusterSlots - 1);
}

}  // namespace redwing
