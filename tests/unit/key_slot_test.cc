#include "cluster/key_slot.h"

#include <gtest/gtest.h>

#include <string>

namespace redwing {
namespace {

TEST(KeySlotTest, Crc16CheckValue) {
  // The standard check value of CRC-16/XMODEM.
  EXPECT_EQ(Crc16("123456789"), 0x31C3);
  EXPECT_EQ(Crc16(""), 0);
  EXPECT_EQ(Crc16("A"), 0x58E5);
}

TEST(KeySlotTest, KnownSlots) {
  EXPECT_EQ(KeySlot("foo"), 12182);
  EXPECT_EQ(KeySlot("bar"), 5061);
  EXPECT_EQ(KeySlot("somekey"), 11058);
  EXPECT_EQ(KeySlot("foo{hash_tag}"), KeySlot("hash_tag"));
  EXPECT_EQ(KeySlot(""), 0);
}

TEST(KeySlotTest, SlotsAreInRange) {
  for (int i = 0; i < 10000; ++i) {
    int slot = KeySlot("key:" + std::to_string(i));
    ASSERT_GE(slot, 0);
    ASSERT_LT(slot, kClusterSlots);
  }
}

TEST(KeySlotTest, HashTagsShareSlot) {
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("{user1000}.followers"));
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("user1000"));
  EXPECT_EQ(HashTag("{user1000}.following"), "user1000");
  EXPECT_EQ(HashTag("x{tag}y{other}"), "tag");
}

TEST(KeySlotTest, EmptyTagHashesWholeKey) {
  EXPECT_EQ(HashTag("foo{}{bar}"), "foo{}{bar}");
  EXPECT_EQ(KeySlot("foo{}{bar}"), Crc16("foo{}{bar}") % kClusterSlots);
  EXPECT_NE(KeySlot("foo{}{bar}"), KeySlot("bar"));
}

TEST(KeySlotTest, NestedBraceTag) {
  // The tag runs from the first '{' to the first '}' after it.
  EXPECT_EQ(HashTag("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  EXPECT_EQ(HashTag("foo{bar}{zap}"), "bar");
}

TEST(KeySlotTest, UnterminatedOrMissingBraces) {
  EXPECT_EQ(HashTag("foo{bar"), "foo{bar");
  EXPECT_EQ(HashTag("foo}bar{"), "foo}bar{");
  EXPECT_EQ(HashTag("plain"), "plain");
  EXPECT_EQ(HashTag("}{x}"), "x");
}

}  // namespace
}  // namespace redwing
