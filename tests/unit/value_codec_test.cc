#include "storage/value_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "storage/byte_region.h"
#include "storage/list_value.h"
#include "storage/listpack.h"
#include "storage/quicklist.h"

namespace redwing {
namespace {

struct EntryFree {
  void operator()(Entry* e) const { Entry::Free(e); }
};
using EntryPtr = std::unique_ptr<Entry, EntryFree>;

using Strings = std::vector<std::string>;
using Pairs = std::vector<std::pair<std::string, std::string>>;
using Scored = std::vector<std::pair<std::string, double>>;

constexpr double kInf = std::numeric_limits<double>::infinity();
const std::string kBinary("\0\xff\x01\0", 4);

std::string ScoreBytes(double d) {
  std::string s(sizeof(d), '\0');
  std::memcpy(s.data(), &d, sizeof(d));
  return s;
}

// A length-prefixed pair, so that binary fields and values compare unambiguously.
std::string PairText(std::string_view a, std::string_view b) {
  return std::to_string(a.size()) + ":" + std::string(a) + std::string(b);
}

// The list's elements head to tail; walks back from the tail too and checks both agree, so a
// listpack's backlens are exercised.
Strings ListElements(const Entry* e) {
  const size_t n = list::Length(e);
  Strings out(n);
  Strings back(n);
  if (n != 0) {
    char buf[kMaxIntChars];
    ListCursor forward(e, 0);
    ListCursor backward(e, n - 1);
    for (size_t i = 0; i < n; ++i, forward.Next(), backward.Prev()) {
      out[i] = forward.Get().Text(buf);
      back[n - 1 - i] = backward.Get().Text(buf);
    }
    EXPECT_FALSE(forward.valid());
    EXPECT_FALSE(backward.valid());
  }
  EXPECT_EQ(out, back);
  return out;
}

// Everything a value holds, in a form that compares across encodings: a list in order, a set's
// members and a hash's fields sorted, a sorted set in order with its scores' exact bytes, read
// through the type's own functions.
Strings Contents(Entry* e) {
  Strings out;
  switch (e->type()) {
    case ValueType::kString:
      out.emplace_back(e->string_value());
      break;
    case ValueType::kList:
      out = ListElements(e);
      break;
    case ValueType::kSet: {
      char buf[kMaxIntChars];
      set_type::ForEach(e, [&](const SetMember& m) { out.emplace_back(m.Text(buf)); });
      EXPECT_EQ(out.size(), set_type::Size(e));
      std::sort(out.begin(), out.end());
      break;
    }
    case ValueType::kHash: {
      Pairs pairs;
      hash::ForEach(e, [&](std::string_view f, std::string_view v) { pairs.emplace_back(f, v); });
      for (const auto& [f, v] : pairs)
        out.push_back(PairText(f, v));
      EXPECT_EQ(pairs.size(), hash::Length(e));
      std::sort(out.begin(), out.end());
      break;
    }
    case ValueType::kZSet: {
      zset::ForEach(
          e, [&](std::string_view m, double s) { out.push_back(PairText(m, ScoreBytes(s))); });
      Strings back;
      zset::ForRanks(e, 0, zset::Size(e), true, [&](std::string_view m, double s) {
        back.push_back(PairText(m, ScoreBytes(s)));
      });
      std::reverse(back.begin(), back.end());
      EXPECT_EQ(out, back);
      break;
    }
  }
  return out;
}

// Uses an entry decoded from damaged bytes the way commands would: walks it both ways and looks
// every element up again. The answers may be wrong (the damage can be valid data), but nothing
// may read outside the value.
size_t Exercise(Entry* e) {
  Strings elements = Contents(e);
  size_t found = 0;
  switch (e->type()) {
    case ValueType::kSet:
      for (const std::string& m : elements)
        found += set_type::Contains(e, m) ? 1 : 0;
      break;
    case ValueType::kHash: {
      // Lookups may move a rehashing table's buckets: none while a ForEach walks it.
      Strings fields;
      hash::ForEach(e, [&](std::string_view f, std::string_view) { fields.emplace_back(f); });
      for (const std::string& f : fields)
        found += hash::Exists(e, f) ? 1 : 0;
      break;
    }
    case ValueType::kZSet: {
      Strings members;
      zset::ForEach(e, [&](std::string_view m, double) { members.emplace_back(m); });
      double score;
      for (const std::string& m : members)
        found += zset::Score(e, m, &score) ? 1 : 0;
      break;
    }
    default:
      break;
  }
  return found;
}

std::string Encode(const Entry* e) {
  std::string out;
  EncodeValue(e, &out);
  return out;
}

EntryPtr Decode(std::string_view bytes, const CollectionLimits& limits = {}) {
  return EntryPtr(DecodeValue("key", bytes, -1, limits));
}

// Encodes `e`, decodes it under another name and checks that the copy is the same value in the
// same encoding. Returns the copy.
EntryPtr RoundTrip(Entry* e, const CollectionLimits& limits = {}) {
  std::string bytes = Encode(e);
  EntryPtr copy(DecodeValue("copy", bytes, 987654321, limits));
  EXPECT_NE(copy, nullptr);
  if (copy == nullptr) return copy;
  EXPECT_EQ(copy->key(), "copy");
  EXPECT_EQ(copy->type(), e->type());
  EXPECT_EQ(copy->encoding(), e->encoding());
  EXPECT_EQ(copy->raw_encoding(), e->raw_encoding());
  EXPECT_TRUE(copy->has_expire());
  EXPECT_EQ(copy->expire_at_ms(), 987654321);
  EXPECT_FALSE(copy->has_links());
  if (!e->is_object()) {
    EXPECT_EQ(copy->value(), e->value());  // the compact bytes, as they were
  }
  EXPECT_EQ(Contents(copy.get()), Contents(e));
  if (e->type() != ValueType::kString && e->type() != ValueType::kList) {
    EXPECT_EQ(Exercise(copy.get()), Contents(e).size());  // every element found by lookup
  }
  return copy;
}

EntryPtr MakeList(const Strings& values, int64_t fill = -2) {
  Entry* e = list::NewEntry("key");
  std::vector<std::string_view> views(values.begin(), values.end());
  list::Push(&e, ListEnd::kTail, views, fill);
  return EntryPtr(e);
}

EntryPtr MakeSet(const Strings& members, const SetLimits& limits = {}) {
  Entry* e = set_type::Create("key", members.at(0), 1, limits);
  for (const std::string& m : members)
    set_type::Add(&e, m, limits);
  return EntryPtr(e);
}

EntryPtr MakeHash(const Pairs& pairs, const HashLimits& limits = {}) {
  Entry* e = hash::NewEntry("key");
  for (const auto& [f, v] : pairs)
    hash::Set(&e, f, v, limits);
  return EntryPtr(e);
}

EntryPtr MakeZSet(const Scored& elems, const zset::Limits& limits = {}) {
  Entry* e = zset::NewListpack("key");
  for (const auto& [m, s] : elems) {
    double unused;
    zset::Add(&e, m, s, 0, &unused, limits);
  }
  return EntryPtr(e);
}

Strings Numbered(std::string_view prefix, size_t n) {
  Strings out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i)
    out.push_back(std::string(prefix) + std::to_string(i));
  return out;
}

Pairs NumberedPairs(size_t n) {
  Pairs out;
  for (size_t i = 0; i < n; ++i)
    out.emplace_back("field" + std::to_string(i), "value" + std::to_string(i * 7));
  return out;
}

Scored NumberedScored(size_t n) {
  Scored out;
  for (size_t i = 0; i < n; ++i)
    out.emplace_back("m" + std::to_string(i), static_cast<double>(i % 97) / 3.0);
  return out;
}

ValueFormat FormatOf(const std::string& bytes) {
  return static_cast<ValueFormat>(bytes.at(0));
}

// One small value of every format, each with several elements, for the truncation and corruption
// tests. Pointer encodings are forced on small values so that their formats are covered too.
std::vector<EntryPtr> Samples() {
  std::vector<EntryPtr> out;
  out.emplace_back(Entry::NewString("key", "12345", -1));
  out.emplace_back(Entry::NewString("key", kBinary, -1));
  EntryPtr raw(Entry::NewString("key", "grown", -1));
  raw->set_raw_encoding();
  out.push_back(std::move(raw));
  Strings values = {"a", "", kBinary, "-7", "300", "9223372036854775807", std::string(70, 'x')};
  out.push_back(MakeList(values));
  out.push_back(MakeList(values, 2));  // a quicklist of nodes of two
  out.push_back(MakeSet({"1", "-40000", "5", "3000000000"}));
  out.push_back(MakeSet(values));
  EntryPtr set_table = MakeSet(values);
  Entry* e = set_table.release();
  set_type::ConvertToHashtable(&e);
  out.emplace_back(e);
  Pairs pairs = {{"f", "v"}, {"", kBinary}, {"12", "-13"}, {"long", std::string(100, 'y')}};
  out.push_back(MakeHash(pairs));
  EntryPtr hash_table = MakeHash(pairs);
  e = hash_table.release();
  hash::ConvertToHashtable(&e);
  out.emplace_back(e);
  Scored scored = {{"a", -kInf}, {"b", 1e-300}, {"c", 1.5}, {"d", 42}, {"", kInf}, {kBinary, 0.1}};
  out.push_back(MakeZSet(scored));
  EntryPtr skiplist = MakeZSet(scored);
  e = skiplist.release();
  zset::ConvertToSkiplist(&e);
  out.emplace_back(e);
  return out;
}

TEST(ValueCodecTest, StringsKeepTheirBytesAndRawFlag) {
  for (const std::string& s : {std::string("12345"), std::string("hello"), std::string(), kBinary,
                               std::string(1000, 'z'), std::string("-9223372036854775808")}) {
    EntryPtr e(Entry::NewString("key", s, -1));
    EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kString);
    EntryPtr copy = RoundTrip(e.get());
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->string_value(), s);
    EXPECT_FALSE(copy->raw_encoding());

    e->set_raw_encoding();
    EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kRawString);
    copy = RoundTrip(e.get());
    ASSERT_NE(copy, nullptr);
    EXPECT_TRUE(copy->raw_encoding());
  }
}

TEST(ValueCodecTest, ExpiryAndKeyComeFromTheCallerNotTheBytes) {
  EntryPtr e(Entry::NewString("old", "v", 5000));
  std::string bytes = Encode(e.get());
  EXPECT_EQ(bytes, std::string("\0v", 2));  // neither key nor expiry is in it

  EntryPtr copy(DecodeValue("new", bytes, -1, {}));
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->key(), "new");
  EXPECT_FALSE(copy->has_expire());

  copy.reset(DecodeValue("new", bytes, 0, {}));
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(copy->has_expire());
  EXPECT_EQ(copy->expire_at_ms(), 0);
}

TEST(ValueCodecTest, EncodeAppendsToWhatIsThere) {
  EntryPtr e = MakeList({"a", "b"});
  std::string out = "record header";
  EncodeValue(e.get(), &out);
  ASSERT_EQ(out.substr(0, 13), "record header");
  EntryPtr copy = Decode(std::string_view(out).substr(13));
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(Contents(copy.get()), (Strings{"a", "b"}));
}

TEST(ValueCodecTest, ListpackListKeepsItsBytes) {
  EntryPtr e = MakeList({"a", "", kBinary, "-5", "123456789012", std::string(100, 'q')});
  ASSERT_EQ(e->encoding(), Encoding::kListpack);
  EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kListListpack);
  RoundTrip(e.get());
  EntryPtr empty(list::NewEntry("key"));
  RoundTrip(empty.get());
}

TEST(ValueCodecTest, QuicklistComesBackWithTheConfiguredFill) {
  Strings values = Numbered("element-", 10000);
  values[17] = "";
  values[18] = kBinary;
  values[19] = "-42";
  EntryPtr e = MakeList(values);
  ASSERT_EQ(e->encoding(), Encoding::kQuicklist);
  EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kListQuicklist);

  CollectionLimits limits;
  limits.list_fill = 128;
  EntryPtr copy = RoundTrip(e.get(), limits);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(Contents(copy.get()), values);
  const Quicklist* ql = copy->object_as<Quicklist>();
  EXPECT_EQ(ql->limit().max_count, 128u);
  EXPECT_EQ(ql->node_count(), (10000 + 127) / 128);
}

TEST(ValueCodecTest, SmallQuicklistStaysAQuicklist) {
  auto ql = std::make_unique<Quicklist>(-2);
  ql->PushBack("x");
  ql->PushBack("17");
  EntryPtr e(Entry::NewObject("key", ValueType::kList, Encoding::kQuicklist, ql.release(), -1));
  RoundTrip(e.get());
}

TEST(ValueCodecTest, IntsetsOfEveryWidth) {
  for (const Strings& members : {Strings{"1", "-2", "300"}, Strings{"1", "-70000", "2000000000"},
                                 Strings{"0", "-9223372036854775808", "9223372036854775807"}}) {
    EntryPtr e = MakeSet(members);
    ASSERT_EQ(e->encoding(), Encoding::kIntset);
    EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kSetIntset);
    RoundTrip(e.get());
  }
}

TEST(ValueCodecTest, ListpackSet) {
  EntryPtr e = MakeSet({"a", "", kBinary, "12", std::string(60, 'w')});
  ASSERT_EQ(e->encoding(), Encoding::kListpack);
  EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kSetListpack);
  RoundTrip(e.get());
}

TEST(ValueCodecTest, HashtableSetLargeAndSmall) {
  Strings members = Numbered("member:", 10000);
  members[3] = "";
  members[4] = kBinary;
  EntryPtr e = MakeSet(members);
  ASSERT_EQ(e->encoding(), Encoding::kHashtable);
  EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kSetHashtable);
  RoundTrip(e.get());

  // A small set kept as a hashtable (it was big once) stays one.
  Entry* small = MakeSet({"1", "2"}).release();
  set_type::ConvertToHashtable(&small);
  EntryPtr owner(small);
  RoundTrip(small);
}

TEST(ValueCodecTest, ListpackHash) {
  EntryPtr e = MakeHash({{"f", "v"}, {"", ""}, {kBinary, kBinary}, {"1", "-2"}});
  ASSERT_EQ(e->encoding(), Encoding::kListpack);
  EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kHashListpack);
  RoundTrip(e.get());
}

TEST(ValueCodecTest, HashtableHashLargeAndSmall) {
  Pairs pairs = NumberedPairs(10000);
  pairs[5] = {"", ""};
  pairs[6] = {kBinary, kBinary};
  EntryPtr e = MakeHash(pairs);
  ASSERT_EQ(e->encoding(), Encoding::kHashtable);
  EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kHashHashtable);
  RoundTrip(e.get());

  // A hashtable for a long value: thresholds raised since then do not make it a listpack.
  EntryPtr small = MakeHash({{"f", std::string(200, 'v')}});
  ASSERT_EQ(small->encoding(), Encoding::kHashtable);
  CollectionLimits limits;
  limits.hash.max_value = 1000;
  RoundTrip(small.get(), limits);
}

TEST(ValueCodecTest, ListpackSortedSet) {
  EntryPtr e = MakeZSet({{"a", -kInf},
                         {"b", 1e-300},
                         {"c", -1e300},
                         {"d", 0.1},
                         {"e", 3},
                         {"", kInf},
                         {kBinary, -2.5}});
  ASSERT_EQ(e->encoding(), Encoding::kListpack);
  EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kZSetListpack);
  RoundTrip(e.get());
}

TEST(ValueCodecTest, SkiplistSortedSetKeepsExactScores) {
  Scored elems = NumberedScored(10000);
  elems[0].second = -kInf;
  elems[1].second = kInf;
  elems[2].second = 1e-300;
  elems[4].second = 5e-324;  // the smallest subnormal
  elems[5] = {"", 7};
  elems[6] = {kBinary, 0.1};
  EntryPtr e = MakeZSet(elems);
  ASSERT_EQ(e->encoding(), Encoding::kSkiplist);
  EXPECT_EQ(FormatOf(Encode(e.get())), ValueFormat::kZSetSkiplist);
  EntryPtr copy = RoundTrip(e.get());
  ASSERT_NE(copy, nullptr);
  double score = 0;
  ASSERT_TRUE(zset::Score(copy.get(), "m4", &score));
  EXPECT_EQ(score, 5e-324);
  size_t rank;
  ASSERT_TRUE(zset::Rank(copy.get(), "m0", false, &rank, &score));
  EXPECT_EQ(rank, 0u);

  // A small skiplist (it was big once) stays one; the score bytes are kept exactly, -0 included.
  auto sl = std::make_unique<ZSkipList>();
  sl->Insert("x", 1);
  sl->Insert("negative zero", -0.0);
  EntryPtr small(Entry::NewObject("key", ValueType::kZSet, Encoding::kSkiplist, sl.release(), -1));
  copy = RoundTrip(small.get());
  ASSERT_NE(copy, nullptr);
  ASSERT_TRUE(zset::Score(copy.get(), "negative zero", &score));
  EXPECT_TRUE(std::signbit(score));
}

TEST(ValueCodecTest, EmptyInputAndUnknownFormatsAreRejected) {
  EXPECT_EQ(Decode(""), nullptr);
  for (int tag = 11; tag < 256; ++tag) {
    std::string bytes(1, static_cast<char>(tag));
    bytes += std::string(16, '\0');
    EXPECT_EQ(Decode(bytes), nullptr) << tag;
  }
}

TEST(ValueCodecTest, MalformedCompactEncodingsAreRejected) {
  std::string lp = listpack::Empty();
  StringRegion region(&lp);
  listpack::Append(region, "a");
  listpack::Append(region, "b");
  listpack::Append(region, "c");
  auto with_tag = [](ValueFormat f, const std::string& content) {
    return static_cast<char>(f) + content;
  };
  EXPECT_NE(Decode(with_tag(ValueFormat::kListListpack, lp)), nullptr);
  EXPECT_NE(Decode(with_tag(ValueFormat::kSetListpack, lp)), nullptr);
  // Hashes and sorted sets hold pairs.
  EXPECT_EQ(Decode(with_tag(ValueFormat::kHashListpack, lp)), nullptr);
  EXPECT_EQ(Decode(with_tag(ValueFormat::kZSetListpack, lp)), nullptr);

  std::string bad = lp;
  bad[ListpackView::kHeaderSize] = static_cast<char>(0xF5);  // no such header
  EXPECT_EQ(Decode(with_tag(ValueFormat::kListListpack, bad)), nullptr);
  bad = lp;
  bad[0] = 4;  // the count says one more element than there is
  EXPECT_EQ(Decode(with_tag(ValueFormat::kListListpack, bad)), nullptr);
  bad = lp;
  bad.back() = 3;  // a wrong backlen
  EXPECT_EQ(Decode(with_tag(ValueFormat::kListListpack, bad)), nullptr);
  EXPECT_EQ(Decode(with_tag(ValueFormat::kListListpack, "\1\0\0")), nullptr);

  EXPECT_NE(Decode(with_tag(ValueFormat::kSetIntset, std::string("\2\1\0\2\0", 5))), nullptr);
  EXPECT_NE(Decode(with_tag(ValueFormat::kSetIntset, std::string("\2", 1))), nullptr);
  EXPECT_EQ(Decode(with_tag(ValueFormat::kSetIntset, std::string("\3\1\0\0", 4))), nullptr);
  EXPECT_EQ(Decode(with_tag(ValueFormat::kSetIntset, std::string("\2\1\0\2", 4))), nullptr);
  EXPECT_EQ(Decode(with_tag(ValueFormat::kSetIntset, std::string("\2\2\0\1\0", 5))), nullptr);
  EXPECT_EQ(Decode(with_tag(ValueFormat::kSetIntset, std::string("\2\1\0\1\0", 5))), nullptr);
  EXPECT_EQ(Decode(with_tag(ValueFormat::kSetIntset, "")), nullptr);
}

TEST(ValueCodecTest, MalformedPointerEncodingsAreRejected) {
  EntryPtr set = MakeSet(Numbered("m", 200));  // past the listpack limit: a hashtable
  ASSERT_EQ(set->encoding(), Encoding::kHashtable);
  std::string bytes = Encode(set.get());
  EXPECT_NE(Decode(bytes), nullptr);
  EXPECT_EQ(Decode(bytes + "x"), nullptr);  // trailing bytes

  // A count far beyond what the bytes can hold is rejected before any work.
  std::string huge = bytes;
  uint64_t count = uint64_t{1} << 40;
  std::memcpy(huge.data() + 1, &count, sizeof(count));
  EXPECT_EQ(Decode(huge), nullptr);

  // The same member twice.
  EntryPtr pair = MakeSet({"a", "b"});
  Entry* e = pair.release();
  set_type::ConvertToHashtable(&e);
  pair.reset(e);
  bytes = Encode(e);  // tag, count, len "?", len "?"
  ASSERT_EQ(bytes.size(), 1 + 8 + 2 * (4 + 1));
  bytes[18] = bytes[13];
  EXPECT_EQ(Decode(bytes), nullptr);

  Entry* h = MakeHash({{"a", "1"}, {"b", "2"}}).release();
  hash::ConvertToHashtable(&h);
  EntryPtr hash_owner(h);
  bytes = Encode(h);  // tag, count, (len f, len v) x 2
  ASSERT_EQ(bytes.size(), 1 + 8 + 2 * (4 + 1 + 4 + 1));
  bytes[23] = bytes[13];
  EXPECT_EQ(Decode(bytes), nullptr);

  Entry* z = MakeZSet({{"a", 1}, {"b", 2}}).release();
  zset::ConvertToSkiplist(&z);
  EntryPtr zset_owner(z);
  bytes = Encode(z);  // tag, count, (len m, score) x 2
  ASSERT_EQ(bytes.size(), 1 + 8 + 2 * (4 + 1 + 8));
  std::string nan = bytes;
  double d = std::numeric_limits<double>::quiet_NaN();
  std::memcpy(nan.data() + bytes.size() - 8, &d, sizeof(d));
  EXPECT_EQ(Decode(nan), nullptr);
  bytes[26] = bytes[13];  // member "a" twice
  EXPECT_EQ(Decode(bytes), nullptr);
}

TEST(ValueCodecTest, EveryTruncationIsRejectedOrUsable) {
  for (const EntryPtr& sample : Samples()) {
    std::string bytes = Encode(sample.get());
    ValueFormat f = FormatOf(bytes);
    // A cut string is a shorter string, a cut intset (at a member boundary) a smaller intset; every
    // other format knows its own length.
    bool cut_may_decode =
        f == ValueFormat::kString || f == ValueFormat::kRawString || f == ValueFormat::kSetIntset;
    for (size_t len = 0; len < bytes.size(); ++len) {
      EntryPtr e = Decode(std::string_view(bytes).substr(0, len));
      if (e == nullptr) continue;
      EXPECT_TRUE(cut_may_decode) << static_cast<int>(f) << " cut at " << len;
      Exercise(e.get());
    }
  }
}

TEST(ValueCodecTest, CorruptBytesAreRejectedOrUsable) {
  const uint8_t kXors[] = {0x01, 0x02, 0x10, 0x40, 0x80, 0xFF};
  const uint8_t kValues[] = {0x00, 0x7F, 0x80, 0xC0, 0xE0, 0xF0, 0xF4, 0xF5, 0xFF};
  size_t decoded = 0;
  size_t tried = 0;
  for (const EntryPtr& sample : Samples()) {
    const std::string bytes = Encode(sample.get());
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::vector<std::string> variants;
      for (uint8_t x : kXors) {
        variants.push_back(bytes);
        variants.back()[i] = static_cast<char>(bytes[i] ^ x);
      }
      for (uint8_t v : kValues) {
        variants.push_back(bytes);
        variants.back()[i] = static_cast<char>(v);
      }
      for (const std::string& v : variants) {
        ++tried;
        EntryPtr e = Decode(v);
        if (e == nullptr) continue;
        ++decoded;
        Exercise(e.get());
      }
    }
  }
  EXPECT_GT(tried, decoded);
}

TEST(ValueCodecTest, RandomBytesAfterEveryTagNeverCrash) {
  std::mt19937_64 rng(7);
  for (int tag = 0; tag <= 11; ++tag) {
    for (int i = 0; i < 2000; ++i) {
      std::string bytes(1, static_cast<char>(tag));
      size_t len = rng() % 48;
      for (size_t j = 0; j < len; ++j)
        bytes.push_back(static_cast<char>(rng() % 4 == 0 ? 0 : rng()));
      EntryPtr e = Decode(bytes);
      if (e != nullptr) Exercise(e.get());
    }
  }
}

}  // namespace
}  // namespace redwing
