#include "storage/hash_object.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace redwing {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using Map = std::map<std::string, std::string>;

// A hash key's entry, freed at scope exit; `e` is the link the hash functions update.
struct HashHolder {
  Entry* e = hash::NewEntry("key");
  ~HashHolder() { Entry::Free(e); }
};

Pairs Contents(const Entry* e) {
  Pairs out;
  hash::ForEach(e, [&out](std::string_view f, std::string_view v) { out.emplace_back(f, v); });
  return out;
}

std::string Value(Entry* e, std::string_view field) {
  HashText t;
  std::string_view v;
  if (!hash::Get(e, field, &t, &v)) return "(absent)";
  return std::string(v);
}

TEST(HashObjectTest, NewEntryIsAnEmptyListpackHash) {
  HashHolder h;
  EXPECT_EQ(h.e->type(), ValueType::kHash);
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
  EXPECT_EQ(h.e->key(), "key");
  EXPECT_EQ(hash::Length(h.e), 0u);
  EXPECT_TRUE(Contents(h.e).empty());
  EXPECT_EQ(Value(h.e, "f"), "(absent)");
}

TEST(HashObjectTest, ListpackKeepsInsertionOrderAndReplacesInPlace) {
  HashHolder h;
  HashLimits limits;
  EXPECT_TRUE(hash::Set(&h.e, "b", "1", limits));
  EXPECT_TRUE(hash::Set(&h.e, "a", "two", limits));
  EXPECT_TRUE(hash::Set(&h.e, "c", "", limits));
  EXPECT_FALSE(hash::Set(&h.e, "b", "a much longer value than before", limits));
  EXPECT_FALSE(hash::Set(&h.e, "a", "-17", limits));
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
  EXPECT_EQ(Contents(h.e),
            (Pairs{{"b", "a much longer value than before"}, {"a", "-17"}, {"c", ""}}));
  EXPECT_EQ(hash::Length(h.e), 3u);
  EXPECT_EQ(Value(h.e, "a"), "-17");
  EXPECT_EQ(Value(h.e, "c"), "");
  EXPECT_TRUE(hash::Exists(h.e, "c"));
  EXPECT_FALSE(hash::Exists(h.e, "-17"));  // values are not fields
}

TEST(HashObjectTest, IntegerLookingFieldsAndValuesReadBackAsText) {
  HashHolder h;
  HashLimits limits;
  hash::Set(&h.e, "10", "9223372036854775807", limits);
  hash::Set(&h.e, "010", "-0", limits);  // not canonical integers: stored as strings
  hash::Set(&h.e, "-5", "5", limits);
  EXPECT_EQ(Value(h.e, "10"), "9223372036854775807");
  EXPECT_EQ(Value(h.e, "010"), "-0");
  EXPECT_EQ(Value(h.e, "-5"), "5");
  EXPECT_EQ(Value(h.e, "5"), "(absent)");
  EXPECT_EQ(Contents(h.e), (Pairs{{"10", "9223372036854775807"}, {"010", "-0"}, {"-5", "5"}}));
}

TEST(HashObjectTest, ListpackDeleteKeepsTheOthersInOrder) {
  HashHolder h;
  HashLimits limits;
  for (const char* f : {"a", "b", "c", "d"})
    hash::Set(&h.e, f, std::string(f) + "v", limits);
  EXPECT_TRUE(hash::Delete(&h.e, "b"));
  EXPECT_FALSE(hash::Delete(&h.e, "b"));
  EXPECT_FALSE(hash::Delete(&h.e, "av"));
  EXPECT_TRUE(hash::Delete(&h.e, "d"));
  EXPECT_EQ(Contents(h.e), (Pairs{{"a", "av"}, {"c", "cv"}}));
  EXPECT_TRUE(hash::Delete(&h.e, "a"));
  EXPECT_TRUE(hash::Delete(&h.e, "c"));
  EXPECT_EQ(hash::Length(h.e), 0u);
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
}

TEST(HashObjectTest, ConvertsWhenTooManyFields) {
  HashHolder h;
  HashLimits limits{.max_entries = 4, .max_value = 64};
  for (int i = 0; i < 4; ++i)
    hash::Set(&h.e, "f" + std::to_string(i), std::to_string(i), limits);
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
  // Updating an existing field never converts.
  EXPECT_FALSE(hash::Set(&h.e, "f0", "x", limits));
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
  EXPECT_TRUE(hash::Set(&h.e, "f4", "4", limits));
  EXPECT_EQ(h.e->encoding(), Encoding::kHashtable);
  EXPECT_EQ(h.e->key(), "key");
  EXPECT_EQ(hash::Length(h.e), 5u);
  EXPECT_EQ(Value(h.e, "f0"), "x");
  EXPECT_EQ(Value(h.e, "f4"), "4");
  // Never back, even when it shrinks to nothing.
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(hash::Delete(&h.e, "f" + std::to_string(i)));
  EXPECT_EQ(hash::Length(h.e), 0u);
  EXPECT_EQ(h.e->encoding(), Encoding::kHashtable);
}

TEST(HashObjectTest, ConvertsWhenAFieldOrValueIsTooLong) {
  HashLimits limits{.max_entries = 128, .max_value = 8};
  {
    HashHolder h;
    hash::Set(&h.e, "a", "12345678", limits);  // exactly the limit: stays
    EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
    hash::Set(&h.e, "b", "123456789", limits);
    EXPECT_EQ(h.e->encoding(), Encoding::kHashtable);
    EXPECT_EQ(Value(h.e, "a"), "12345678");
    EXPECT_EQ(Value(h.e, "b"), "123456789");
  }
  {
    HashHolder h;
    hash::Set(&h.e, "a", "1", limits);
    EXPECT_FALSE(hash::Set(&h.e, "a", "a long value", limits));  // an update converts too
    EXPECT_EQ(h.e->encoding(), Encoding::kHashtable);
    EXPECT_EQ(Contents(h.e), (Pairs{{"a", "a long value"}}));
  }
  {
    HashHolder h;
    hash::Set(&h.e, "a long field", "1", limits);
    EXPECT_EQ(h.e->encoding(), Encoding::kHashtable);
  }
}

TEST(HashObjectTest, ExplicitConversionKeepsEveryPair) {
  HashHolder h;
  HashLimits limits;
  for (int i = 0; i < 50; ++i)
    hash::Set(&h.e, "field:" + std::to_string(i), std::to_string(i * 1000), limits);
  Pairs before = Contents(h.e);
  hash::ConvertToHashtable(&h.e);
  EXPECT_EQ(h.e->encoding(), Encoding::kHashtable);
  hash::ConvertToHashtable(&h.e);  // no-op
  Pairs after = Contents(h.e);
  EXPECT_EQ(Map(before.begin(), before.end()), Map(after.begin(), after.end()));
}

// Random operations on both encodings against a std::map model.
TEST(HashObjectTest, RandomOperationsMatchAModel) {
  for (size_t max_entries : {size_t{16}, size_t{100000}}) {
    HashHolder h;
    HashLimits limits{.max_entries = max_entries, .max_value = 64};
    Map model;
    std::mt19937 rng(42);
    for (int i = 0; i < 20000; ++i) {
      std::string f = "f" + std::to_string(rng() % 300);
      std::string v = (rng() % 2) ? std::to_string(static_cast<int>(rng() % 100000) - 50000)
                                  : std::string(rng() % 70, 'v');
      switch (rng() % 3) {
        case 0:
        case 1:
          ASSERT_EQ(hash::Set(&h.e, f, v, limits), model.count(f) == 0);
          model[f] = v;
          break;
        default:
          ASSERT_EQ(hash::Delete(&h.e, f), model.erase(f) == 1);
          break;
      }
      ASSERT_EQ(hash::Length(h.e), model.size());
    }
    for (const auto& [f, v] : model)
      EXPECT_EQ(Value(h.e, f), v);
    Pairs all = Contents(h.e);
    EXPECT_EQ(Map(all.begin(), all.end()), model);
  }
}

TEST(HashObjectTest, HashtableReplaceResizesTheFieldBlock) {
  HashObject obj;
  EXPECT_TRUE(obj.Set("f", "short"));
  EXPECT_FALSE(obj.Set("f", std::string(1000, 'x')));
  EXPECT_EQ(obj.Find("f")->string_value(), std::string(1000, 'x'));
  EXPECT_FALSE(obj.Set("f", ""));
  EXPECT_EQ(obj.Find("f")->string_value(), "");
  EXPECT_EQ(obj.Find("g"), nullptr);
  EXPECT_TRUE(obj.Delete("f"));
  EXPECT_FALSE(obj.Delete("f"));
  EXPECT_EQ(obj.size(), 0u);
}

TEST(HashObjectTest, CloneIsDeepAndAllocatedBytesGrows) {
  HashObject obj;
  size_t empty = obj.AllocatedBytes(0);
  for (int i = 0; i < 1000; ++i)
    obj.Set("k" + std::to_string(i), "v" + std::to_string(i));
  size_t full = obj.AllocatedBytes(0);
  EXPECT_GT(full, empty + 1000 * (sizeof(Entry) + 8));
  size_t sampled = obj.AllocatedBytes(10);
  EXPECT_GT(sampled, full / 2);
  EXPECT_LT(sampled, full * 2);
  std::unique_ptr<Collection> copy = obj.Clone();
  auto* c = static_cast<HashObject*>(copy.get());
  obj.Set("k1", "changed");
  obj.Delete("k2");
  EXPECT_EQ(c->size(), 1000u);
  EXPECT_EQ(c->Find("k1")->string_value(), "v1");
  EXPECT_NE(c->Find("k2"), nullptr);
}

TEST(HashObjectTest, EntryCloneCopiesBothEncodings) {
  HashHolder h;
  HashLimits limits{.max_entries = 2, .max_value = 64};
  hash::Set(&h.e, "a", "1", limits);
  Entry* small = Entry::Clone(h.e, "copy1");
  hash::Set(&h.e, "b", "2", limits);
  hash::Set(&h.e, "c", "3", limits);
  ASSERT_EQ(h.e->encoding(), Encoding::kHashtable);
  Entry* big = Entry::Clone(h.e, "copy2");
  hash::Delete(&h.e, "a");
  EXPECT_EQ(small->encoding(), Encoding::kListpack);
  EXPECT_EQ(Contents(small), (Pairs{{"a", "1"}}));
  EXPECT_EQ(big->encoding(), Encoding::kHashtable);
  EXPECT_EQ(hash::Length(big), 3u);
  EXPECT_EQ(Value(big, "a"), "1");
  Entry::Free(small);
  Entry::Free(big);
}

}  // namespace
}  // namespace redwing
