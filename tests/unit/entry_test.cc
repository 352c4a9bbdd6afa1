#include "storage/entry.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace redwing {
namespace {

// Frees an entry at scope exit (the tests reassign it as the block moves).
struct EntryHolder {
  Entry* e;
  ~EntryHolder() { Entry::Free(e); }
};

TEST(EntryTest, NewStringWithoutExpire) {
  EntryHolder h{Entry::NewString("mykey", "myvalue", -1)};
  EXPECT_EQ(h.e->key(), "mykey");
  EXPECT_EQ(h.e->string_value(), "myvalue");
  EXPECT_EQ(h.e->string_len(), 7u);
  EXPECT_EQ(h.e->type(), ValueType::kString);
  EXPECT_FALSE(h.e->has_expire());
  EXPECT_FALSE(h.e->raw_encoding());
  EXPECT_EQ(h.e->next(), nullptr);
  EXPECT_GE(Entry::AllocatedSize(h.e), sizeof(Entry) + 5 + 4 + 7);
}

TEST(EntryTest, NewStringWithExpire) {
  EntryHolder h{Entry::NewString("k", "v", 1700000000123)};
  EXPECT_TRUE(h.e->has_expire());
  EXPECT_EQ(h.e->expire_at_ms(), 1700000000123);
  EXPECT_EQ(h.e->key(), "k");
  EXPECT_EQ(h.e->string_value(), "v");
  // Zero is a valid (past) expiry time, distinct from "none".
  EntryHolder z{Entry::NewString("k", "v", 0)};
  EXPECT_TRUE(z.e->has_expire());
  EXPECT_EQ(z.e->expire_at_ms(), 0);
}

TEST(EntryTest, EmptyKeyAndValue) {
  EntryHolder h{Entry::NewString("", "", -1)};
  EXPECT_EQ(h.e->key(), "");
  EXPECT_EQ(h.e->string_value(), "");
  EXPECT_EQ(h.e->string_len(), 0u);
  EntryHolder x{Entry::NewString("", "", 5)};
  EXPECT_EQ(x.e->expire_at_ms(), 5);
  EXPECT_EQ(x.e->string_value(), "");
}

TEST(EntryTest, BinaryKeyAndValue) {
  std::string key("a\0b\r\n", 5);
  std::string value("\0\0\xff", 3);
  EntryHolder h{Entry::NewString(key, value, 42)};
  EXPECT_EQ(h.e->key(), key);
  EXPECT_EQ(h.e->string_value(), value);
}

TEST(EntryTest, LargeValue) {
  std::string value(8 * 1024 * 1024, 'q');
  value[12345] = 'Z';
  value.back() = '!';
  EntryHolder h{Entry::NewString("big", value, -1)};
  EXPECT_EQ(h.e->string_len(), value.size());
  EXPECT_EQ(h.e->string_value(), value);
  EXPECT_GE(Entry::AllocatedSize(h.e), value.size());
}

TEST(EntryTest, ResizeStringGrowKeepsPrefixKeyAndExpiry) {
  EntryHolder h{Entry::NewString("key", "hello", 777)};
  h.e = Entry::ResizeString(h.e, 11);
  std::memcpy(h.e->mutable_string_data() + 5, " world", 6);
  EXPECT_EQ(h.e->key(), "key");
  EXPECT_EQ(h.e->string_value(), "hello world");
  EXPECT_TRUE(h.e->has_expire());
  EXPECT_EQ(h.e->expire_at_ms(), 777);
  // Grow a lot, so the block surely moves.
  h.e = Entry::ResizeString(h.e, 1 << 20);
  EXPECT_EQ(h.e->string_len(), 1u << 20);
  EXPECT_EQ(h.e->string_value().substr(0, 11), "hello world");
  EXPECT_EQ(h.e->key(), "key");
  EXPECT_EQ(h.e->expire_at_ms(), 777);
}

TEST(EntryTest, ResizeStringShrinkAndToEmpty) {
  EntryHolder h{Entry::NewString("key", "abcdef", -1)};
  h.e = Entry::ResizeString(h.e, 3);
  EXPECT_EQ(h.e->string_value(), "abc");
  EXPECT_FALSE(h.e->has_expire());
  h.e = Entry::ResizeString(h.e, 0);
  EXPECT_EQ(h.e->string_value(), "");
  EXPECT_EQ(h.e->key(), "key");
}

TEST(EntryTest, ResizeStringKeepsFlagsAndNext) {
  EntryHolder other{Entry::NewString("other", "", -1)};
  EntryHolder h{Entry::NewString("key", "v", -1)};
  h.e->set_raw_encoding();
  h.e->set_next(other.e);
  h.e = Entry::ResizeString(h.e, 4096);
  EXPECT_TRUE(h.e->raw_encoding());
  EXPECT_EQ(h.e->next(), other.e);
  h.e->set_next(nullptr);
}

TEST(EntryTest, WithExpireAddChangeRemove) {
  EntryHolder h{Entry::NewString("the-key", "the-value", -1)};
  h.e = Entry::WithExpire(h.e, 1000);
  EXPECT_TRUE(h.e->has_expire());
  EXPECT_EQ(h.e->expire_at_ms(), 1000);
  EXPECT_EQ(h.e->key(), "the-key");
  EXPECT_EQ(h.e->string_value(), "the-value");

  h.e = Entry::WithExpire(h.e, 2000);  // change in place
  EXPECT_EQ(h.e->expire_at_ms(), 2000);
  EXPECT_EQ(h.e->string_value(), "the-value");

  h.e = Entry::WithExpire(h.e, -1);  // remove
  EXPECT_FALSE(h.e->has_expire());
  EXPECT_EQ(h.e->key(), "the-key");
  EXPECT_EQ(h.e->string_value(), "the-value");

  h.e = Entry::WithExpire(h.e, -1);  // removing again is a no-op
  EXPECT_FALSE(h.e->has_expire());
  EXPECT_EQ(h.e->string_value(), "the-value");
}

TEST(EntryTest, WithExpireKeepsRawFlagAndEmptyValue) {
  EntryHolder h{Entry::NewString("k", "", -1)};
  h.e->set_raw_encoding();
  h.e = Entry::WithExpire(h.e, 5);
  EXPECT_TRUE(h.e->raw_encoding());
  EXPECT_EQ(h.e->string_value(), "");
  h.e = Entry::WithExpire(h.e, -1);
  EXPECT_TRUE(h.e->raw_encoding());
  EXPECT_EQ(h.e->key(), "k");
}

TEST(EntryTest, WithExpireLargeValue) {
  std::string value(1 << 20, 'x');
  value[0] = 'A';
  value.back() = 'Z';
  EntryHolder h{Entry::NewString("big", value, -1)};
  h.e = Entry::WithExpire(h.e, INT64_MAX);
  EXPECT_EQ(h.e->expire_at_ms(), INT64_MAX);
  EXPECT_EQ(h.e->string_value(), value);
  h.e = Entry::WithExpire(h.e, -1);
  EXPECT_EQ(h.e->string_value(), value);
  EXPECT_EQ(h.e->key(), "big");
}

}  // namespace
}  // namespace redwing
