#include "storage/set_object.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/set_type.h"

namespace redwing {
namespace {

std::vector<std::string> Members(const Entry* e) {
  std::vector<std::string> out;
  char buf[kMaxIntChars];
  set_type::ForEach(e, [&](const SetMember& m) { out.emplace_back(m.Text(buf)); });
  return out;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A set value owned by the test, edited through a local link as the commands edit a table's.
struct TestSet {
  explicit TestSet(Entry* e) : link(e) {}
  ~TestSet() { Entry::Free(link); }
  bool Add(std::string_view m) { return set_type::Add(&link, m, limits); }
  bool Remove(std::string_view m) { return set_type::Remove(&link, m); }
  Encoding encoding() const { return link->encoding(); }
  Entry* link;
  SetLimits limits;
};

TEST(SetObjectTest, AddRemoveContains) {
  SetObject s;
  EXPECT_TRUE(s.Add("a"));
  EXPECT_TRUE(s.Add("b"));
  EXPECT_FALSE(s.Add("a"));
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(s.Contains("a"));
  EXPECT_FALSE(s.Contains("c"));
  EXPECT_TRUE(s.Remove("a"));
  EXPECT_FALSE(s.Remove("a"));
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.Random(12345), "b");
}

TEST(SetObjectTest, ManyMembersScanCloneAndMemory) {
  SetObject s;
  for (int i = 0; i < 50000; ++i)
    ASSERT_TRUE(s.Add("m" + std::to_string(i)));
  for (int i = 0; i < 50000; i += 2)
    ASSERT_TRUE(s.Remove("m" + std::to_string(i)));
  EXPECT_EQ(s.size(), 25000u);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = s.Scan(cursor, [&](std::string_view m) { seen.emplace(m); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 25000u);
  EXPECT_TRUE(seen.count("m1"));
  EXPECT_FALSE(seen.count("m0"));
  auto copy = s.Clone();
  auto* c = static_cast<SetObject*>(copy.get());
  EXPECT_EQ(c->size(), 25000u);
  EXPECT_TRUE(c->Contains("m49999"));
  size_t bytes = s.AllocatedBytes(0);
  EXPECT_GT(bytes, 25000u * 24);
  EXPECT_LT(bytes, 25000u * 80);
  size_t sampled = s.AllocatedBytes(100);
  EXPECT_GT(sampled, bytes / 2);
  EXPECT_LT(sampled, bytes * 2);
}

TEST(SetTypeTest, CreatePicksTheEncodingFromTheFirstMemberAndHint) {
  SetLimits limits;
  TestSet a(set_type::Create("k", "12", 3, limits));
  EXPECT_EQ(a.encoding(), Encoding::kIntset);
  TestSet b(set_type::Create("k", "x", 3, limits));
  EXPECT_EQ(b.encoding(), Encoding::kListpack);
  TestSet c(set_type::Create("k", "12", 600, limits));
  EXPECT_EQ(c.encoding(), Encoding::kHashtable);
  TestSet d(set_type::Create("k", "x", 129, limits));
  EXPECT_EQ(d.encoding(), Encoding::kHashtable);
  TestSet e(set_type::Create("k", "12", 200, limits));
  EXPECT_EQ(e.encoding(), Encoding::kIntset);
}

TEST(SetTypeTest, IntsetStaysSortedThenBecomesHashtablePastItsLimit) {
  TestSet s(set_type::CreateEmpty("k", Encoding::kIntset));
  s.limits.max_intset_entries = 4;
  EXPECT_TRUE(s.Add("3"));
  EXPECT_TRUE(s.Add("-1"));
  EXPECT_TRUE(s.Add("2"));
  EXPECT_FALSE(s.Add("2"));
  EXPECT_TRUE(s.Add("100000000000"));
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  EXPECT_EQ(Members(s.link), (std::vector<std::string>{"-1", "2", "3", "100000000000"}));
  EXPECT_TRUE(s.Add("7"));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  EXPECT_EQ(Sorted(Members(s.link)),
            (std::vector<std::string>{"-1", "100000000000", "2", "3", "7"}));
  EXPECT_TRUE(s.Remove("7"));
  EXPECT_TRUE(s.Remove("3"));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);  // never converts back
}

TEST(SetTypeTest, IntsetBecomesListpackForAStringKeepingOrder) {
  TestSet s(set_type::CreateEmpty("k", Encoding::kIntset));
  s.Add("5");
  s.Add("1");
  EXPECT_TRUE(s.Add("abc"));
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  s.Add("0");
  EXPECT_EQ(Members(s.link), (std::vector<std::string>{"1", "5", "abc", "0"}));
  EXPECT_TRUE(set_type::Contains(s.link, "5"));
  EXPECT_FALSE(set_type::Contains(s.link, "05"));
  EXPECT_TRUE(s.Remove("5"));
  EXPECT_EQ(Members(s.link), (std::vector<std::string>{"1", "abc", "0"}));
}

TEST(SetTypeTest, IntsetToListpackRespectsTheValueLimitOfItsIntegers) {
  TestSet s(set_type::CreateEmpty("k", Encoding::kIntset));
  s.limits.max_listpack_value = 3;
  s.Add("-1000");  // five characters: too long for a listpack member
  EXPECT_TRUE(s.Add("a"));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);

  TestSet t(set_type::CreateEmpty("k", Encoding::kIntset));
  t.limits.max_listpack_value = 3;
  t.Add("999");
  EXPECT_TRUE(t.Add("abcd"));  // the new member is too long
  EXPECT_EQ(t.encoding(), Encoding::kHashtable);

  TestSet u(set_type::CreateEmpty("k", Encoding::kIntset));
  u.limits.max_listpack_entries = 2;
  u.Add("1");
  u.Add("2");
  EXPECT_TRUE(u.Add("x"));  // three members: over the listpack's count
  EXPECT_EQ(u.encoding(), Encoding::kHashtable);
}

TEST(SetTypeTest, ListpackBecomesHashtablePastCountOrValueLength) {
  TestSet s(set_type::CreateEmpty("k", Encoding::kListpack));
  s.limits.max_listpack_entries = 3;
  s.Add("a");
  s.Add("b");
  s.Add("1");
  EXPECT_FALSE(s.Add("b"));
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  s.Add("c");
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  EXPECT_EQ(Sorted(Members(s.link)), (std::vector<std::string>{"1", "a", "b", "c"}));

  TestSet t(set_type::CreateEmpty("k", Encoding::kListpack));
  t.Add("a");
  t.Add(std::string(64, 'x'));
  EXPECT_EQ(t.encoding(), Encoding::kListpack);
  t.Add(std::string(65, 'y'));
  EXPECT_EQ(t.encoding(), Encoding::kHashtable);
  EXPECT_EQ(set_type::Size(t.link), 3u);
}

TEST(SetTypeTest, MaybeConvertBeforeABigAdd) {
  SetLimits limits;
  TestSet s(set_type::CreateEmpty("k", Encoding::kIntset));
  s.Add("1");
  set_type::MaybeConvert(&s.link, 512, limits);
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  set_type::MaybeConvert(&s.link, 513, limits);
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  TestSet t(set_type::CreateEmpty("k", Encoding::kListpack));
  t.Add("a");
  set_type::MaybeConvert(&t.link, 129, limits);
  EXPECT_EQ(t.encoding(), Encoding::kHashtable);
  EXPECT_TRUE(set_type::Contains(t.link, "a"));
}

TEST(SetTypeTest, MaybeConvertToIntset) {
  TestSet s(set_type::CreateEmpty("k", Encoding::kListpack));
  s.Add("3");
  s.Add("1");
  set_type::MaybeConvertToIntset(&s.link, s.limits);
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  EXPECT_EQ(Members(s.link), (std::vector<std::string>{"1", "3"}));

  TestSet h(set_type::CreateEmpty("k", Encoding::kHashtable));
  for (int i = 0; i < 10; ++i)
    h.Add(std::to_string(i));
  set_type::MaybeConvertToIntset(&h.link, h.limits);
  EXPECT_EQ(h.encoding(), Encoding::kIntset);
  EXPECT_EQ(set_type::Size(h.link), 10u);

  TestSet big(set_type::CreateEmpty("k", Encoding::kHashtable));
  for (int i = 0; i < 600; ++i)
    big.Add(std::to_string(i));
  set_type::MaybeConvertToIntset(&big.link, big.limits);
  EXPECT_EQ(big.encoding(), Encoding::kHashtable);
}

TEST(SetTypeTest, RandomReturnsMembersOfEachEncoding) {
  for (Encoding enc : {Encoding::kIntset, Encoding::kListpack, Encoding::kHashtable}) {
    TestSet s(set_type::CreateEmpty("k", enc));
    for (int i = 0; i < 20; ++i)
      s.Add(enc == Encoding::kIntset ? std::to_string(i) : "m" + std::to_string(i));
    ASSERT_EQ(s.encoding(), enc);
    std::set<std::string> seen;
    char buf[kMaxIntChars];
    for (uint64_t r = 0; r < 2000; ++r) {
      std::string m(set_type::Random(s.link, r * 0x9E3779B97F4A7C15ULL).Text(buf));
      ASSERT_TRUE(set_type::Contains(s.link, m)) << m;
      seen.insert(m);
    }
    EXPECT_EQ(seen.size(), 20u) << EncodingName(enc);
  }
}

TEST(SetTypeTest, PopRandomEmptiesEachEncodingOnce) {
  for (Encoding enc : {Encoding::kIntset, Encoding::kListpack, Encoding::kHashtable}) {
    TestSet s(set_type::CreateEmpty("k", enc));
    std::set<std::string> want;
    for (int i = 0; i < 40; ++i) {
      std::string m = enc == Encoding::kIntset ? std::to_string(i * 1000) : "m" + std::to_string(i);
      s.Add(m);
      want.insert(m);
    }
    std::set<std::string> popped;
    std::mt19937_64 rng(5);
    char buf[kMaxIntChars];
    while (set_type::Size(s.link) != 0) {
      set_type::PopRandom(&s.link, rng(), [&](const SetMember& m) {
        EXPECT_TRUE(popped.emplace(m.Text(buf)).second);
      });
    }
    EXPECT_EQ(popped, want) << EncodingName(enc);
    EXPECT_EQ(s.encoding(), enc);
  }
}

TEST(SetTypeTest, RandomOperationsMatchAModelAcrossConversions) {
  std::mt19937_64 rng(7);
  TestSet s(set_type::CreateEmpty("k", Encoding::kIntset));
  std::set<std::string> model;
  for (int i = 0; i < 30000; ++i) {
    std::string m = rng() % 2 ? std::to_string(static_cast<int64_t>(rng() % 2000) - 1000)
                              : "s" + std::to_string(rng() % 1000);
    if (i < 200 && m[0] == 's') continue;  // stay an intset for a while
    if (rng() % 3 == 0) {
      ASSERT_EQ(s.Remove(m), model.erase(m) == 1) << m;
    } else {
      ASSERT_EQ(s.Add(m), model.insert(m).second) << m;
    }
    ASSERT_EQ(set_type::Size(s.link), model.size());
  }
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  std::vector<std::string> got = Sorted(Members(s.link));
  EXPECT_EQ(got, std::vector<std::string>(model.begin(), model.end()));
}

}  // namespace
}  // namespace redwing
