#include "storage/listpack.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "storage/entry.h"

namespace redwing {
namespace {

std::vector<std::string> Forward(std::string_view bytes) {
  ListpackView lp(bytes);
  std::vector<std::string> out;
  char buf[kMaxIntChars];
  for (size_t p = lp.begin(); p != lp.end(); p = lp.Next(p))
    out.emplace_back(lp.Get(p).Text(buf));
  return out;
}

std::vector<std::string> Backward(std::string_view bytes) {
  ListpackView lp(bytes);
  std::vector<std::string> out;
  char buf[kMaxIntChars];
  for (size_t p = lp.Last(); p != lp.end(); p = lp.Prev(p))
    out.insert(out.begin(), std::string(lp.Get(p).Text(buf)));
  return out;
}

// Values at every boundary of the encoding: each integer width and each string length class.
std::vector<std::string> BoundaryValues() {
  return {"0",
          "127",
          "128",
          "-1",
          "-4096",
          "4095",
          "4096",
          "-4097",
          "32767",
          "-32768",
          "32768",
          "8388607",
          "-8388608",
          "8388608",
          "2147483647",
          "-2147483648",
          "2147483648",
          "9223372036854775807",
          "-9223372036854775808",
          "9223372036854775808",  // not an int64: a string
          "007",                  // not canonical: a string
          "-0",
          "",
          std::string(63, 'a'),
          std::string(64, 'b'),
          std::string(4095, 'c'),
          std::string(4096, 'd'),
          std::string(70000, 'e')};
}

TEST(ListpackTest, EveryEncodingReadsBackInBothDirections) {
  std::string bytes = listpack::Empty();
  StringRegion region(&bytes);
  std::vector<std::string> values = BoundaryValues();
  for (const auto& v : values)
    listpack::Append(region, v);
  EXPECT_EQ(ListpackView(bytes).size(), values.size());
  EXPECT_EQ(Forward(bytes), values);
  EXPECT_EQ(Backward(bytes), values);
  ListpackView lp(bytes);
  EXPECT_TRUE(lp.Get(lp.Seek(0)).is_int);
  EXPECT_FALSE(lp.Get(lp.Seek(19)).is_int);  // 9223372036854775808
  EXPECT_FALSE(lp.Get(lp.Seek(20)).is_int);  // 007
  EXPECT_EQ(lp.Seek(static_cast<int64_t>(values.size())), lp.end());
  EXPECT_EQ(lp.Seek(-1), lp.Last());
}

TEST(ListpackTest, SmallIntegersTakeOneByte) {
  std::string bytes = listpack::Empty();
  StringRegion region(&bytes);
  listpack::Append(region, "5");
  EXPECT_EQ(bytes.size(), ListpackView::kHeaderSize + 2);  // header byte + backlen
  EXPECT_EQ(listpack::EncodedSize("field"), 7u);
}

TEST(ListpackTest, FindComparesTheStoredText) {
  std::string bytes = listpack::Empty();
  StringRegion region(&bytes);
  for (const char* v : {"f1", "1", "f2", "007", "f3", "7"})
    listpack::Append(region, v);
  ListpackView lp(bytes);
  EXPECT_EQ(lp.Find(lp.begin(), "7"), lp.Seek(5));
  EXPECT_EQ(lp.Find(lp.begin(), "007"), lp.Seek(3));
  EXPECT_EQ(lp.Find(lp.begin(), "f2", 2), lp.Seek(2));
  EXPECT_EQ(lp.Find(lp.begin(), "1", 2), lp.end());  // "1" is a value, not a field
  EXPECT_EQ(lp.Find(lp.begin(), "nope"), lp.end());
  EXPECT_TRUE(lp.Get(lp.Seek(1)).Equals("1"));
  EXPECT_FALSE(lp.Get(lp.Seek(1)).Equals("01"));
}

TEST(ListpackTest, RandomEditsMatchADeque) {
  std::mt19937_64 rng(42);
  std::string bytes = listpack::Empty();
  StringRegion region(&bytes);
  std::deque<std::string> model;
  std::vector<std::string> pool = BoundaryValues();
  for (int i = 0; i < 200; ++i)
    pool.push_back(std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64)));
  for (int step = 0; step < 5000; ++step) {
    ListpackView lp(bytes);
    size_t index = model.empty() ? 0 : rng() % (model.size() + 1);
    const std::string& v = pool[rng() % pool.size()];
    switch (rng() % 4) {
      case 0:
      case 1: {
        size_t pos = index == model.size() ? lp.end() : lp.Seek(static_cast<int64_t>(index));
        listpack::Insert(region, pos, v);
        model.insert(model.begin() + static_cast<ptrdiff_t>(index), v);
        break;
      }
      case 2:
        if (index < model.size()) {
          size_t n = 1 + rng() % 3;
          listpack::Delete(region, lp.Seek(static_cast<int64_t>(index)), n);
          model.erase(model.begin() + static_cast<ptrdiff_t>(index),
                      model.begin() + static_cast<ptrdiff_t>(std::min(model.size(), index + n)));
        }
        break;
      default:
        if (index < model.size()) {
          listpack::Replace(region, lp.Seek(static_cast<int64_t>(index)), v);
          model[index] = v;
        }
        break;
    }
    if (model.size() > 300) {
      listpack::Delete(region, ListpackView(bytes).begin(), 100);
      model.erase(model.begin(), model.begin() + 100);
    }
    ASSERT_EQ(ListpackView(bytes).size(), model.size());
    if (step % 97 == 0) {
      std::vector<std::string> want(model.begin(), model.end());
      ASSERT_EQ(Forward(bytes), want);
      ASSERT_EQ(Backward(bytes), want);
    }
  }
}

TEST(ListpackTest, EditsAnEntryBlockThroughItsLink) {
  Entry* e = Entry::New("key", ValueType::kList, Encoding::kListpack, listpack::Empty(), 1234);
  EntryValueRegion region(&e);
  std::vector<std::string> values;
  for (int i = 0; i < 100; ++i) {
    values.push_back("element-" + std::to_string(i));
    listpack::Append(region, values.back());
  }
  EXPECT_EQ(e->key(), "key");
  EXPECT_EQ(e->expire_at_ms(), 1234);
  EXPECT_EQ(e->encoding(), Encoding::kListpack);
  EXPECT_EQ(Forward(e->value()), values);
  listpack::Delete(region, ListpackView(e->value()).begin(), 99);
  EXPECT_EQ(Forward(e->value()), std::vector<std::string>{"element-99"});
  Entry::Free(e);
}

}  // namespace
}  // namespace redwing
