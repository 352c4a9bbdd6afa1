#include "storage/zset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace redwing {
namespace {

using Elem = std::pair<double, std::string>;  // ordered as the set orders: score, then member

std::vector<Elem> Contents(const Entry* e) {
  std::vector<Elem> out;
  zset::ForEach(e, [&](std::string_view m, double s) { out.emplace_back(s, std::string(m)); });
  return out;
}

std::vector<Elem> ContentsReversed(const Entry* e) {
  std::vector<Elem> out;
  zset::ForRanks(e, 0, zset::Size(e), true,
                 [&](std::string_view m, double s) { out.emplace_back(s, std::string(m)); });
  return out;
}

// Owns an entry for a test, as a table link would.
struct Holder {
  Entry* e;
  explicit Holder(Entry* entry) : e(entry) {}
  ~Holder() { Entry::Free(e); }
  Entry** link() { return &e; }
};

double RoundTrip(double d) {
  std::string bytes = listpack::Empty();
  StringRegion region(&bytes);
  char buf[zlp::kScoreBufSize];
  listpack::Append(region, zlp::EncodeScore(d, buf));
  ListpackView lp(bytes);
  return zlp::DecodeScore(lp.Get(lp.begin()));
}

TEST(ZSetScore, ListpackEncodingRoundTrips) {
  const double kValues[] = {0,
                            1,
                            -1,
                            42,
                            1.5,
                            0.1,
                            0.1234567,
                            1.25e-7,
                            123.456,
                            1e20,
                            -2.5e-300,
                            1e300,
                            9.2e18,
                            -9.2e18,
                            1e19,
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::denorm_min()};
  for (double d : kValues)
    EXPECT_EQ(RoundTrip(d), d) << d;
  // Eight bytes that read as an integer ("12345678") must not be stored as that integer.
  double tricky;
  std::memcpy(&tricky, "12345678", 8);
  EXPECT_EQ(RoundTrip(tricky), tricky);
  // -0 is stored as 0, as Redis's listpack does.
  EXPECT_FALSE(std::signbit(RoundTrip(-0.0)));
}

TEST(ZSetScore, IntegralScoresTakeFewBytes) {
  char buf[zlp::kScoreBufSize];
  EXPECT_EQ(zlp::EncodeScore(7, buf), "7");
  EXPECT_EQ(zlp::EncodeScore(-123456, buf), "-123456");
  EXPECT_EQ(zlp::EncodeScore(0.5, buf), "0.5");
  EXPECT_EQ(zlp::EncodeScore(-1.25, buf), "-1.25");
  EXPECT_EQ(zlp::EncodeScore(0.1234567, buf).size(), 8u);  // raw bytes beat 9 bytes of text
  EXPECT_EQ(zlp::EncodeScore(1e20, buf), "1e+20");
}

TEST(ZSetScore, FormatsAsRedis) {
  char buf[zlp::kScoreBufSize];
  EXPECT_EQ(FormatScore(1, buf), "1");
  EXPECT_EQ(FormatScore(0.1, buf), "0.10000000000000001");
  EXPECT_EQ(FormatScore(1.5, buf), "1.5");
  EXPECT_EQ(FormatScore(-0.0, buf), "-0");
  EXPECT_EQ(FormatScore(1e17, buf), "1e+17");
  EXPECT_EQ(FormatScore(12345678901234567.0, buf), "12345678901234568");
  EXPECT_EQ(FormatScore(std::numeric_limits<double>::infinity(), buf), "inf");
  EXPECT_EQ(FormatScore(-std::numeric_limits<double>::infinity(), buf), "-inf");
}

TEST(ZSetRange, ParsesScoreBoundsAsRedis) {
  ZScoreRange r;
  ASSERT_TRUE(ParseZScoreRange("(1", "5", &r));
  EXPECT_TRUE(r.minex);
  EXPECT_FALSE(r.maxex);
  EXPECT_FALSE(r.GteMin(1));
  EXPECT_TRUE(r.LteMax(5));
  ASSERT_TRUE(ParseZScoreRange("-inf", "+inf", &r));
  EXPECT_TRUE(std::isinf(r.min) && r.min < 0);
  ASSERT_TRUE(ParseZScoreRange("(", "", &r));  // strtod of nothing is 0
  EXPECT_EQ(r.min, 0);
  EXPECT_TRUE(r.minex);
  EXPECT_FALSE(ParseZScoreRange("a", "1", &r));
  EXPECT_FALSE(ParseZScoreRange("1", "nan", &r));
  EXPECT_FALSE(ParseZScoreRange("1", "((2", &r));
  ASSERT_TRUE(ParseZScoreRange("3", "(3", &r));
  EXPECT_TRUE(r.Empty());
}

TEST(ZSetRange, ParsesLexBounds) {
  ZLexRange r;
  ASSERT_TRUE(ParseZLexRange("[b", "(d", &r));
  EXPECT_TRUE(r.GteMin("b"));
  EXPECT_FALSE(r.GteMin("a"));
  EXPECT_TRUE(r.LteMax("c"));
  EXPECT_FALSE(r.LteMax("d"));
  EXPECT_FALSE(r.Empty());
  ASSERT_TRUE(ParseZLexRange("-", "+", &r));
  EXPECT_TRUE(r.GteMin(""));
  EXPECT_TRUE(r.LteMax("\xff"));
  ASSERT_TRUE(ParseZLexRange("+", "-", &r));
  EXPECT_TRUE(r.Empty());
  ASSERT_TRUE(ParseZLexRange("(a", "[a", &r));
  EXPECT_TRUE(r.Empty());
  EXPECT_FALSE(ParseZLexRange("a", "+", &r));
  EXPECT_FALSE(ParseZLexRange("", "+", &r));
}

TEST(ZSetListpack, KeepsScoreThenMemberOrder) {
  Holder h(zset::NewListpack("k"));
  zset::Limits limits;
  double ns;
  EXPECT_EQ(zset::Add(h.link(), "b", 2, 0, &ns, limits), zset::AddResult::kAdded);
  EXPECT_EQ(zset::Add(h.link(), "a", 2, 0, &ns, limits), zset::AddResult::kAdded);
  EXPECT_EQ(zset::Add(h.link(), "10", 1.5, 0, &ns, limits), zset::AddResult::kAdded);
  EXPECT_EQ(zset::Add(h.link(), "z", -1, 0, &ns, limits), zset::AddResult::kAdded);
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
  std::vector<Elem> want = {{-1, "z"}, {1.5, "10"}, {2, "a"}, {2, "b"}};
  EXPECT_EQ(Contents(h.e), want);
  EXPECT_EQ(ContentsReversed(h.e), std::vector<Elem>(want.rbegin(), want.rend()));
  // Updates move the element; an equal score changes nothing.
  EXPECT_EQ(zset::Add(h.link(), "z", 3, 0, &ns, limits), zset::AddResult::kUpdated);
  EXPECT_EQ(zset::Add(h.link(), "z", 3, 0, &ns, limits), zset::AddResult::kUnchanged);
  EXPECT_EQ(zset::Add(h.link(), "a", 1, zset::kAddIncr, &ns, limits), zset::AddResult::kUpdated);
  EXPECT_EQ(ns, 3);
  want = {{1.5, "10"}, {2, "b"}, {3, "a"}, {3, "z"}};
  EXPECT_EQ(Contents(h.e), want);
  size_t rank;
  double score;
  ASSERT_TRUE(zset::Rank(h.e, "b", false, &rank, &score));
  EXPECT_EQ(rank, 1u);
  ASSERT_TRUE(zset::Rank(h.e, "b", true, &rank, &score));
  EXPECT_EQ(rank, 2u);
  EXPECT_TRUE(zset::Remove(h.link(), "10"));
  EXPECT_FALSE(zset::Remove(h.link(), "10"));
  EXPECT_EQ(zset::Size(h.e), 3u);
}

TEST(ZSetListpack, FlagsFollowRedis) {
  Holder h(zset::NewListpack("k"));
  zset::Limits limits;
  double ns = -1;
  EXPECT_EQ(zset::Add(h.link(), "a", 5, zset::kAddXX, &ns, limits), zset::AddResult::kNop);
  EXPECT_EQ(zset::Add(h.link(), "a", 5, zset::kAddNX, &ns, limits), zset::AddResult::kAdded);
  EXPECT_EQ(zset::Add(h.link(), "a", 9, zset::kAddNX, &ns, limits), zset::AddResult::kNop);
  EXPECT_EQ(zset::Add(h.link(), "a", 4, zset::kAddGT, &ns, limits), zset::AddResult::kNop);
  EXPECT_EQ(zset::Add(h.link(), "a", 6, zset::kAddGT, &ns, limits), zset::AddResult::kUpdated);
  EXPECT_EQ(zset::Add(h.link(), "a", 7, zset::kAddLT, &ns, limits), zset::AddResult::kNop);
  double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(zset::Add(h.link(), "a", inf, 0, &ns, limits), zset::AddResult::kUpdated);
  EXPECT_EQ(zset::Add(h.link(), "a", -inf, zset::kAddIncr, &ns, limits), zset::AddResult::kNaN);
}

TEST(ZSetConversion, PastEntriesLimitBecomesSkiplist) {
  Holder h(zset::NewListpack("k"));
  zset::Limits limits{.max_entries = 4, .max_value = 64};
  double ns;
  for (int i = 0; i < 4; ++i)
    zset::Add(h.link(), "m" + std::to_string(i), i, 0, &ns, limits);
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
  // Updating an element does not convert; a fifth element does.
  zset::Add(h.link(), "m0", 10, 0, &ns, limits);
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
  zset::Add(h.link(), "m4", 2.5, 0, &ns, limits);
  EXPECT_EQ(h.e->encoding(), Encoding::kSkiplist);
  std::vector<Elem> want = {{1, "m1"}, {2, "m2"}, {2.5, "m4"}, {3, "m3"}, {10, "m0"}};
  EXPECT_EQ(Contents(h.e), want);
  // Never back, even when it shrinks.
  zset::EraseRanks(h.link(), 0, 4);
  EXPECT_EQ(h.e->encoding(), Encoding::kSkiplist);
  EXPECT_EQ(Contents(h.e), (std::vector<Elem>{{10, "m0"}}));
}

TEST(ZSetConversion, LongMemberBecomesSkiplist) {
  Holder h(zset::NewListpack("k"));
  zset::Limits limits{.max_entries = 128, .max_value = 5};
  double ns;
  zset::Add(h.link(), "short", 1, 0, &ns, limits);
  EXPECT_EQ(h.e->encoding(), Encoding::kListpack);
  zset::Add(h.link(), "longer", 0.25, 0, &ns, limits);
  EXPECT_EQ(h.e->encoding(), Encoding::kSkiplist);
  EXPECT_EQ(Contents(h.e), (std::vector<Elem>{{0.25, "longer"}, {1, "short"}}));
}

TEST(ZSetConversion, BuildSortedChoosesEncodingFromResult) {
  std::vector<std::pair<std::string, double>> elems = {{"a", 1}, {"b", 2}, {"c", 3}};
  zset::Limits small{.max_entries = 2, .max_value = 64};
  zset::Limits roomy{.max_entries = 3, .max_value = 64};
  zset::Limits short_values{.max_entries = 3, .max_value = 0};
  Holder a(zset::BuildSorted("k", elems.data(), elems.size(), small));
  Holder b(zset::BuildSorted("k", elems.data(), elems.size(), roomy));
  Holder c(zset::BuildSorted("k", elems.data(), elems.size(), short_values));
  EXPECT_EQ(a.e->encoding(), Encoding::kSkiplist);
  EXPECT_EQ(b.e->encoding(), Encoding::kListpack);
  EXPECT_EQ(c.e->encoding(), Encoding::kSkiplist);
  std::vector<Elem> want = {{1, "a"}, {2, "b"}, {3, "c"}};
  EXPECT_EQ(Contents(a.e), want);
  EXPECT_EQ(Contents(b.e), want);
  Holder copy(Entry::Clone(a.e, "copy"));
  EXPECT_EQ(Contents(copy.e), want);
  EXPECT_NE(copy.e->object(), a.e->object());
}

TEST(ZSetRanks, ScoreAndLexIntervalsOnBothEncodings) {
  for (size_t max_entries : {size_t{128}, size_t{0}}) {
    Holder h(zset::NewListpack("k"));
    zset::Limits limits{.max_entries = max_entries, .max_value = 64};
    double ns;
    for (const char* m : {"a", "b", "c", "d", "e"})
      zset::Add(h.link(), m, 0, 0, &ns, limits);
    for (int i = 1; i <= 5; ++i)
      zset::Add(h.link(), "s" + std::to_string(i), i, 0, &ns, limits);
    ZScoreRange sr;
    ASSERT_TRUE(ParseZScoreRange("(1", "4", &sr));
    EXPECT_EQ(zset::ScoreRanks(h.e, sr), (std::pair<size_t, size_t>{6, 9}));
    ASSERT_TRUE(ParseZScoreRange("10", "20", &sr));
    auto [f, l] = zset::ScoreRanks(h.e, sr);
    EXPECT_EQ(f, l);
    ZLexRange lr;
    ASSERT_TRUE(ParseZLexRange("(a", "[d", &lr));
    EXPECT_EQ(zset::LexRanks(h.e, lr, false), (std::pair<size_t, size_t>{1, 4}));
    EXPECT_EQ(zset::LexRanks(h.e, lr, true), (std::pair<size_t, size_t>{1, 4}));
    EXPECT_EQ(zset::EraseRanks(h.link(), 1, 4), 3u);
    EXPECT_EQ(zset::Size(h.e), 7u);
  }
}

// The skiplist against a std::set model under random inserts, updates, removals and range
// erasures; ranks and order checked throughout.
// The skiplist against its model: members and scores in order, ranks both ways (the spans), back
// links and the tail.
void ExpectMatchesModel(const ZSkipList& sl, const std::set<Elem>& model) {
  ASSERT_EQ(sl.size(), model.size());
  ASSERT_EQ(sl.index().size(), model.size());
  size_t rank = 0;
  Entry* prev = nullptr;
  for (const Elem& el : model) {
    Entry* n = sl.AtRank(rank);
    ASSERT_NE(n, nullptr);
    ASSERT_EQ(ZSkipList::Member(n), el.second);
    ASSERT_EQ(ZSkipList::Score(n), el.first);
    ASSERT_EQ(sl.RankOf(n), rank);
    ASSERT_EQ(ZSkipList::Prev(n), prev);
    prev = n;
    ++rank;
  }
  ASSERT_EQ(sl.Last(), prev);
}

TEST(ZSkipList, MatchesModelUnderRandomOperations) {
  ZSkipList sl;
  std::set<Elem> model;
  std::unordered_map<std::string, double> scores;
  std::mt19937_64 rng(42);
  auto check = [&] { ExpectMatchesModel(sl, model); };
  for (int step = 0; step < 20000; ++step) {
    std::string m = "m" + std::to_string(rng() % 3000);
    double s = static_cast<double>(rng() % 500) / 4;
    int op = static_cast<int>(rng() % 10);
    Entry* n = sl.Find(m);
    if (op < 6) {
      if (n == nullptr) {
        sl.Insert(m, s);
      } else {
        model.erase({scores[m], m});
        sl.UpdateScore(n, s);
      }
      model.insert({s, m});
      scores[m] = s;
    } else if (op < 9) {
      if (n != nullptr) {
        sl.Erase(n);
        model.erase({scores[m], m});
        scores.erase(m);
      }
    } else if (!model.empty()) {
      size_t start = rng() % model.size();
      size_t end = std::min(model.size(), start + rng() % 5);
      EXPECT_EQ(sl.EraseRanks(start, end), end - start);
      auto it = std::next(model.begin(), static_cast<std::ptrdiff_t>(start));
      for (size_t i = start; i < end; ++i) {
        scores.erase(it->second);
        it = model.erase(it);
      }
    }
    if (step % 997 == 0) {
      ASSERT_NO_FATAL_FAILURE(check());
    }
  }
  check();
  // CountWhile: how many elements score below a bound.
  double bound = 60;
  size_t below = 0;
  for (const Elem& el : model)
    below += el.first < bound ? 1 : 0;
  EXPECT_EQ(sl.CountWhile([&](const Entry* e) { return ZSkipList::Score(e) < bound; }), below);
  EXPECT_GT(sl.AllocatedBytes(0), model.size() * 32);
}

// Score changes that move members far (UpdateScore's two lockstep descents), checked often:
// order, ranks (the spans), back links and the tail after every few moves.
TEST(ZSkipList, MovesKeepOrderRanksAndLinks) {
  ZSkipList sl;
  std::set<Elem> model;
  std::unordered_map<std::string, double> scores;
  std::mt19937_64 rng(7);
  auto check = [&] { ExpectMatchesModel(sl, model); };
  for (int i = 0; i < 1000; ++i) {
    std::string m = "member:" + std::to_string(i);
    double s = static_cast<double>(rng() % 100000);
    sl.Insert(m, s);
    model.insert({s, m});
    scores[m] = s;
  }
  for (int step = 0; step < 6000; ++step) {
    std::string m = "member:" + std::to_string(rng() % 1000);
    // Mostly far moves; some to the very ends, some to ties broken by the member.
    double s = step % 7 == 0    ? 0
               : step % 11 == 0 ? 1e9
               : step % 5 == 0  ? scores["member:" + std::to_string(rng() % 1000)]
                                : static_cast<double>(rng() % 100000);
    Entry* n = sl.Find(m);
    ASSERT_NE(n, nullptr);
    model.erase({scores[m], m});
    sl.UpdateScore(n, s);
    model.insert({s, m});
    scores[m] = s;
    if (step % 53 == 0) {
      ASSERT_NO_FATAL_FAILURE(check());
    }
  }
  check();
}

}  // namespace
}  // namespace redwing
