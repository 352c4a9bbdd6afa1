#include "storage/intset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace redwing {
namespace {

std::vector<int64_t> Members(std::string_view bytes) {
  IntsetView is(bytes);
  std::vector<int64_t> out;
  for (size_t i = 0; i < is.size(); ++i)
    out.push_back(is.Get(i));
  return out;
}

TEST(IntsetTest, EmptyHasTwoByteWidth) {
  std::string s = intset::Empty();
  IntsetView is(s);
  EXPECT_TRUE(is.empty());
  EXPECT_EQ(is.size(), 0u);
  EXPECT_EQ(is.width(), 2u);
  EXPECT_FALSE(is.Contains(0));
}

TEST(IntsetTest, AddKeepsSortedAndRefusesDuplicates) {
  std::string s = intset::Empty();
  StringRegion r(&s);
  EXPECT_TRUE(intset::Add(r, 5));
  EXPECT_TRUE(intset::Add(r, -3));
  EXPECT_TRUE(intset::Add(r, 100));
  EXPECT_TRUE(intset::Add(r, 0));
  EXPECT_FALSE(intset::Add(r, 5));
  EXPECT_EQ(Members(s), (std::vector<int64_t>{-3, 0, 5, 100}));
  EXPECT_EQ(s.size(), 1u + 4 * 2);
  EXPECT_TRUE(IntsetView(s).Contains(100));
  EXPECT_FALSE(IntsetView(s).Contains(101));
}

TEST(IntsetTest, WidensAtEachBoundaryBothWays) {
  struct Case {
    int64_t v;
    size_t width;
  };
  for (Case c :
       {Case{INT16_MAX, 2}, Case{INT16_MIN, 2}, Case{INT16_MAX + 1, 4}, Case{INT16_MIN - 1, 4},
        Case{INT32_MAX, 4}, Case{INT32_MIN, 4}, Case{int64_t{INT32_MAX} + 1, 8},
        Case{int64_t{INT32_MIN} - 1, 8}, Case{INT64_MAX, 8}, Case{INT64_MIN, 8}}) {
    std::string s = intset::Empty();
    StringRegion r(&s);
    ASSERT_TRUE(intset::Add(r, 1));
    ASSERT_TRUE(intset::Add(r, -1));
    ASSERT_TRUE(intset::Add(r, c.v));
    EXPECT_EQ(IntsetView(s).width(), c.width) << c.v;
    std::vector<int64_t> want{-1, 1, c.v};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(Members(s), want) << c.v;
    EXPECT_EQ(s.size(), 1 + 3 * c.width);
  }
}

TEST(IntsetTest, RemoveNarrowsNothingAndFindsOnlyMembers) {
  std::string s = intset::Empty();
  StringRegion r(&s);
  intset::Add(r, 1);
  intset::Add(r, int64_t{1} << 40);
  EXPECT_FALSE(intset::Remove(r, 2));
  EXPECT_TRUE(intset::Remove(r, int64_t{1} << 40));
  EXPECT_EQ(IntsetView(s).width(), 8u);  // never narrows, as Redis's
  EXPECT_TRUE(intset::Remove(r, 1));
  EXPECT_TRUE(IntsetView(s).empty());
  EXPECT_FALSE(intset::Remove(r, 1));
}

TEST(IntsetTest, RemoveOfValueWiderThanTheSetIsAbsent) {
  std::string s = intset::Empty();
  StringRegion r(&s);
  intset::Add(r, 7);
  // 2^32 + 7 truncated to 16 bits is 7: it must not be found.
  EXPECT_FALSE(intset::Remove(r, (int64_t{1} << 32) + 7));
  EXPECT_FALSE(IntsetView(s).Contains((int64_t{1} << 32) + 7));
  EXPECT_EQ(Members(s), (std::vector<int64_t>{7}));
}

TEST(IntsetTest, RandomOperationsMatchStdSet) {
  std::mt19937_64 rng(42);
  std::string s = intset::Empty();
  StringRegion r(&s);
  std::set<int64_t> model;
  for (int i = 0; i < 20000; ++i) {
    int64_t v;
    switch (rng() % 4) {
      case 0:
        v = static_cast<int64_t>(rng() % 200) - 100;
        break;
      case 1:
        v = static_cast<int64_t>(rng() % 200000) - 100000;
        break;
      case 2:
        v = static_cast<int64_t>(rng());
        break;
      default:
        v = model.empty() ? 0 : *model.begin();
        break;
    }
    if (rng() % 3 == 0) {
      EXPECT_EQ(intset::Remove(r, v), model.erase(v) == 1);
    } else {
      EXPECT_EQ(intset::Add(r, v), model.insert(v).second);
    }
  }
  EXPECT_EQ(Members(s), std::vector<int64_t>(model.begin(), model.end()));
  IntsetView is(s);
  if (!model.empty()) {
    EXPECT_EQ(is.Min(), *model.begin());
    EXPECT_EQ(is.Max(), *model.rbegin());
  }
}

TEST(IntsetTest, EditsThroughAnEntryBlock) {
  Entry* e = Entry::New("k", ValueType::kSet, Encoding::kIntset, intset::Empty(), -1);
  Entry* link = e;
  EntryValueRegion r(&link);
  for (int64_t v = 1000; v > 0; --v)
    ASSERT_TRUE(intset::Add(r, v * 100));
  ASSERT_TRUE(intset::Add(r, int64_t{1} << 50));
  IntsetView is(link->value());
  EXPECT_EQ(is.size(), 1001u);
  EXPECT_EQ(is.Min(), 100);
  EXPECT_EQ(is.Max(), int64_t{1} << 50);
  EXPECT_EQ(link->key(), "k");
  Entry::Free(link);
}

}  // namespace
}  // namespace redwing
