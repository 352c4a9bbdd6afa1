#include "storage/quicklist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "storage/list_value.h"

namespace redwing {
namespace {

std::vector<std::string> Elements(const Quicklist& ql) {
  std::vector<std::string> out;
  char buf[kMaxIntChars];
  for (Quicklist::Pos p = ql.Front(); p; p = ql.Next(p))
    out.emplace_back(ql.Get(p).Text(buf));
  return out;
}

std::vector<std::string> ElementsBackward(const Quicklist& ql) {
  std::vector<std::string> out;
  char buf[kMaxIntChars];
  for (Quicklist::Pos p = ql.Back(); p; p = ql.Prev(p))
    out.insert(out.begin(), std::string(ql.Get(p).Text(buf)));
  return out;
}

// Every node is within the limit (or holds a single element), none is empty, the links and
// counts agree.
void ExpectWellFormed(const Quicklist& ql) {
  size_t total = 0, nodes = 0;
  const Quicklist::Node* prev = nullptr;
  for (const Quicklist::Node* n = ql.head(); n != nullptr; n = n->next) {
    EXPECT_EQ(n->prev, prev);
    EXPECT_GT(n->count(), 0u);
    if (n->count() > 1) {
      EXPECT_FALSE(ql.limit().Exceeds(n->size, n->count()));
    }
    total += n->count();
    ++nodes;
    prev = n;
  }
  EXPECT_EQ(prev, ql.tail());
  EXPECT_EQ(total, ql.size());
  EXPECT_EQ(nodes, ql.node_count());
}

std::vector<std::string> Model(const std::deque<std::string>& d) {
  return {d.begin(), d.end()};
}

TEST(ListNodeLimitTest, FillLevels) {
  EXPECT_EQ(ListNodeLimit::ForFill(-1).max_bytes, 4096u);
  EXPECT_EQ(ListNodeLimit::ForFill(-2).max_bytes, 8192u);
  EXPECT_EQ(ListNodeLimit::ForFill(-5).max_bytes, 65536u);
  EXPECT_EQ(ListNodeLimit::ForFill(-100).max_bytes, 65536u);
  EXPECT_EQ(ListNodeLimit::ForFill(0).max_count, 1u);
  EXPECT_EQ(ListNodeLimit::ForFill(5).max_count, 5u);
  // A size limit ignores counts; a count limit still keeps nodes under 8 KB.
  EXPECT_FALSE(ListNodeLimit::ForFill(-2).Exceeds(8192, 100000));
  EXPECT_TRUE(ListNodeLimit::ForFill(-2).Exceeds(8193, 1));
  EXPECT_TRUE(ListNodeLimit::ForFill(5).Exceeds(100, 6));
  EXPECT_TRUE(ListNodeLimit::ForFill(5).Exceeds(8193, 2));
  EXPECT_TRUE(ListNodeLimit::ForFill(-2).FitsHalf(4096, 1000));
  EXPECT_FALSE(ListNodeLimit::ForFill(-2).FitsHalf(4097, 1));
  EXPECT_TRUE(ListNodeLimit::ForFill(4).FitsHalf(100000, 2));
  EXPECT_FALSE(ListNodeLimit::ForFill(4).FitsHalf(10, 3));
}

TEST(QuicklistTest, PushesFillNodesByCount) {
  Quicklist ql(4);
  for (int i = 0; i < 10; ++i)
    ql.PushBack(std::to_string(i));
  EXPECT_EQ(ql.size(), 10u);
  EXPECT_EQ(ql.node_count(), 3u);  // 4 + 4 + 2
  ql.PushFront("x");
  EXPECT_EQ(ql.node_count(), 4u);  // the head node was full
  EXPECT_EQ(Elements(ql),
            (std::vector<std::string>{"x", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  EXPECT_EQ(ElementsBackward(ql), Elements(ql));
  ExpectWellFormed(ql);
}

TEST(QuicklistTest, PushesFillNodesBySize) {
  Quicklist ql(-1);  // 4 KB nodes
  std::string v(100, 'v');
  for (int i = 0; i < 200; ++i)
    ql.PushBack(v);
  ExpectWellFormed(ql);
  EXPECT_GE(ql.node_count(), 5u);
  EXPECT_LE(ql.node_count(), 6u);
  // An element bigger than a node gets a node of its own.
  ql.PushBack(std::string(10000, 'b'));
  ql.PushBack("small");
  EXPECT_EQ(ql.tail()->count(), 1u);
  EXPECT_EQ(ql.tail()->prev->count(), 1u);
  ExpectWellFormed(ql);
}

TEST(QuicklistTest, HeadEditsUseRoomInFrontAndBuffersShrink) {
  Quicklist ql(-2);
  for (int i = 0; i < 1000; ++i)
    ql.PushFront("v" + std::to_string(i));
  ASSERT_EQ(ql.node_count(), 1u);
  const Quicklist::Node* n = ql.head();
  // Pushes at the head grew the buffer with its room in front.
  EXPECT_GT(n->front, 0u);
  EXPECT_LE(n->front + n->size, n->capacity);
  char buf[kMaxIntChars];
  EXPECT_EQ(ql.Get(ql.Front()).Text(buf), "v999");
  EXPECT_EQ(ql.Get(ql.Back()).Text(buf), "v0");
  uint32_t capacity = n->capacity;
  for (int i = 999; i >= 10; --i) {
    ASSERT_EQ(ql.Get(ql.Front()).Text(buf), "v" + std::to_string(i));
    ql.Erase(ql.Front());
  }
  EXPECT_LT(ql.head()->capacity, capacity / 4);
  std::vector<std::string> want;
  for (int i = 9; i >= 0; --i)
    want.push_back("v" + std::to_string(i));
  EXPECT_EQ(Elements(ql), want);
  EXPECT_EQ(ElementsBackward(ql), want);
}

TEST(QuicklistTest, LocateFromEitherEnd) {
  Quicklist ql(3);
  for (int i = 0; i < 100; ++i)
    ql.PushBack(std::to_string(i));
  char buf[kMaxIntChars];
  for (size_t i = 0; i < 100; ++i)
    EXPECT_EQ(ql.Get(ql.Locate(i)).Text(buf), std::to_string(i));
}

TEST(QuicklistTest, FromListpackAndRelease) {
  std::string lp = listpack::Empty();
  StringRegion r(&lp);
  listpack::Append(r, "a");
  listpack::Append(r, "12");
  Quicklist ql(-2, lp);
  EXPECT_EQ(ql.size(), 2u);
  EXPECT_EQ(ql.node_count(), 1u);
  ql.PushBack("c");
  size_t size;
  char* bytes = ql.ReleaseOnlyNode(&size);
  std::vector<std::string> got;
  ListpackView view({bytes, size});
  char buf[kMaxIntChars];
  for (size_t p = view.begin(); p != view.end(); p = view.Next(p))
    got.emplace_back(view.Get(p).Text(buf));
  std::free(bytes);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "12", "c"}));
  EXPECT_EQ(ql.size(), 0u);
  EXPECT_EQ(ql.head(), nullptr);
  EXPECT_EQ(ql.tail(), nullptr);
}

TEST(QuicklistTest, InsertSplitsFullNodes) {
  Quicklist ql(4);
  for (int i = 0; i < 8; ++i)
    ql.PushBack(std::to_string(i));               // two full nodes
  ql.Insert(ql.Locate(1), "a", /*after=*/true);   // middle of a full node: split
  ql.Insert(ql.Locate(0), "b", /*after=*/false);  // before the head
  ql.Insert(ql.Back(), "c", /*after=*/true);      // after the tail
  ExpectWellFormed(ql);
  EXPECT_EQ(Elements(ql),
            (std::vector<std::string>{"b", "0", "1", "a", "2", "3", "4", "5", "6", "7", "c"}));
  EXPECT_EQ(ElementsBackward(ql), Elements(ql));
}

TEST(QuicklistTest, ReplaceSplitsAnOverfullNode) {
  Quicklist ql(-1);
  for (int i = 0; i < 100; ++i)
    ql.PushBack("x");
  ASSERT_EQ(ql.node_count(), 1u);
  ql.Replace(ql.Locate(50), std::string(5000, 'y'));
  ExpectWellFormed(ql);
  EXPECT_GT(ql.node_count(), 1u);
  char buf[kMaxIntChars];
  EXPECT_EQ(ql.Get(ql.Locate(50)).Text(buf), std::string(5000, 'y'));
  EXPECT_EQ(ql.Get(ql.Locate(49)).Text(buf), "x");
  EXPECT_EQ(ql.Get(ql.Locate(51)).Text(buf), "x");
}

TEST(QuicklistTest, DeleteRangeDropsWholeNodesAndMergesTheCut) {
  Quicklist ql(10);
  for (int i = 0; i < 100; ++i)
    ql.PushBack(std::to_string(i));
  ASSERT_EQ(ql.node_count(), 10u);
  ql.DeleteRange(15, 70);  // keeps 0..14 and 85..99
  ExpectWellFormed(ql);
  std::vector<std::string> want;
  for (int i = 0; i < 15; ++i)
    want.push_back(std::to_string(i));
  for (int i = 85; i < 100; ++i)
    want.push_back(std::to_string(i));
  EXPECT_EQ(Elements(ql), want);
  // 10 + 5 | 5 + 10: the two part-emptied nodes merged into one.
  EXPECT_EQ(ql.node_count(), 3u);
  ql.DeleteRange(0, 1000);
  EXPECT_EQ(ql.size(), 0u);
  EXPECT_EQ(ql.node_count(), 0u);
}

TEST(QuicklistTest, EraseAndMerge) {
  Quicklist ql(4);
  for (int i = 0; i < 16; ++i)
    ql.PushBack(i % 2 ? "odd" : "even");
  for (Quicklist::Pos p = ql.Front(); p;) {
    p = ql.Get(p).Equals("odd") ? ql.Erase(p) : ql.Next(p);
  }
  EXPECT_EQ(ql.size(), 8u);
  EXPECT_EQ(ql.node_count(), 4u);
  ql.MergeSmallNodes();
  EXPECT_EQ(ql.node_count(), 2u);
  ExpectWellFormed(ql);
}

TEST(QuicklistTest, CloneAndMemory) {
  Quicklist ql(-2);
  for (int i = 0; i < 5000; ++i)
    ql.PushBack("element-" + std::to_string(i));
  auto copy = ql.Clone();
  auto* c = static_cast<Quicklist*>(copy.get());
  EXPECT_EQ(Elements(*c), Elements(ql));
  EXPECT_EQ(c->node_count(), ql.node_count());
  size_t all = ql.AllocatedBytes(0);
  EXPECT_GT(all, ql.size() * 10);
  EXPECT_LT(all, ql.size() * 30);
  size_t sampled = ql.AllocatedBytes(2);
  EXPECT_GT(sampled, all / 2);
  EXPECT_LT(sampled, all * 2);
}

// Random edits on a quicklist with small nodes, against a deque.
TEST(QuicklistTest, RandomOperationsMatchAModel) {
  for (int64_t fill : {1, 3, 16, -1}) {
    std::mt19937 rng(static_cast<unsigned>(fill + 100));
    Quicklist ql(fill);
    std::deque<std::string> model;
    auto value = [&] {
      switch (rng() % 4) {
        case 0:
          return std::to_string(static_cast<int>(rng() % 2000) - 1000);
        case 1:
          return std::string(rng() % 300, 'a' + static_cast<char>(rng() % 3));
        default:
          return std::string(1, 'a' + static_cast<char>(rng() % 3));
      }
    };
    for (int step = 0; step < 4000; ++step) {
      size_t size = model.size();
      switch (rng() % 8) {
        case 0: {
          std::string v = value();
          ql.PushFront(v);
          model.push_front(v);
          break;
        }
        case 1: {
          std::string v = value();
          ql.PushBack(v);
          model.push_back(v);
          break;
        }
        case 2:
          if (size > 0) {
            size_t i = rng() % size;
            std::string v = value();
            bool after = rng() % 2;
            ql.Insert(ql.Locate(i), v, after);
            model.insert(model.begin() + static_cast<ptrdiff_t>(i + (after ? 1 : 0)), v);
          }
          break;
        case 3:
          if (size > 0) {
            size_t i = rng() % size;
            std::string v = value();
            ql.Replace(ql.Locate(i), v);
            model[i] = v;
          }
          break;
        case 4:
          if (size > 0) {
            size_t i = rng() % size;
            ql.Erase(ql.Locate(i));
            model.erase(model.begin() + static_cast<ptrdiff_t>(i));
          }
          break;
        case 5:
          if (size > 0) {
            size_t start = rng() % size;
            size_t n = rng() % 20;
            ql.DeleteRange(start, n);
            model.erase(model.begin() + static_cast<ptrdiff_t>(start),
                        model.begin() + static_cast<ptrdiff_t>(std::min(size, start + n)));
          }
          break;
        default: {
          std::string v = value();
          ql.PushBack(v);
          model.push_back(v);
        }
      }
      if (step % 500 == 0) ql.MergeSmallNodes();
      ASSERT_EQ(ql.size(), model.size());
    }
    ExpectWellFormed(ql);
    EXPECT_EQ(Elements(ql), Model(model));
    EXPECT_EQ(ElementsBackward(ql), Model(model));
  }
}

// --- list_value.h: the two encodings behind one interface, and the conversions.

struct ListFixture {
  Entry* e = list::NewEntry("k");
  ~ListFixture() { Entry::Free(e); }
  std::vector<std::string> All() const {
    std::vector<std::string> out;
    size_t n = list::Length(e);
    if (n == 0) return out;
    char buf[kMaxIntChars];
    for (ListCursor c(e, 0); c.valid(); c.Next())
      out.emplace_back(c.Get().Text(buf));
    return out;
  }
  std::vector<std::string> AllBackward() const {
    std::vector<std::string> out;
    size_t n = list::Length(e);
    if (n == 0) return out;
    char buf[kMaxIntChars];
    for (ListCursor c(e, n - 1); c.valid(); c.Prev())
      out.insert(out.begin(), std::string(c.Get().Text(buf)));
    return out;
  }
  void Push(ListEnd end, std::vector<std::string_view> v, int64_t fill) {
    list::Push(&e, end, v, fill);
  }
};

TEST(ListValueTest, PushOrderAndCursor) {
  ListFixture f;
  f.Push(ListEnd::kHead, {"a", "b", "c"}, -2);
  f.Push(ListEnd::kTail, {"1", "2"}, -2);
  EXPECT_EQ(f.e->encoding(), Encoding::kListpack);
  EXPECT_EQ(f.All(), (std::vector<std::string>{"c", "b", "a", "1", "2"}));
  EXPECT_EQ(f.AllBackward(), f.All());
}

TEST(ListValueTest, ConvertsPastTheCountAndBackAtHalf) {
  ListFixture f;
  for (int i = 0; i < 8; ++i)
    f.Push(ListEnd::kTail, {std::to_string(i)}, 8);
  EXPECT_EQ(f.e->encoding(), Encoding::kListpack);
  f.Push(ListEnd::kTail, {"8"}, 8);
  EXPECT_EQ(f.e->encoding(), Encoding::kQuicklist);
  EXPECT_EQ(list::Length(f.e), 9u);
  // A multi-element push converts before it starts when the total would not fit.
  ListFixture g;
  g.Push(ListEnd::kTail, {"a", "b", "c", "d", "e"}, 4);
  EXPECT_EQ(g.e->encoding(), Encoding::kQuicklist);

  // Shrinking: back to a listpack only with one node within half the limit (<= 4 elements).
  list::DeleteRange(&f.e, 0, 4);  // 5 left over two nodes
  list::ConvertIfShrunk(&f.e, 8);
  EXPECT_EQ(f.e->encoding(), Encoding::kQuicklist);
  list::DeleteRange(&f.e, 4, 1);  // 4 left in one node
  list::ConvertIfShrunk(&f.e, 8);
  EXPECT_EQ(f.e->encoding(), Encoding::kListpack);
  EXPECT_EQ(f.All(), (std::vector<std::string>{"4", "5", "6", "7"}));
}

TEST(ListValueTest, ConvertsPastTheSize) {
  ListFixture f;
  std::string big(5000, 'x');
  f.Push(ListEnd::kTail, {big}, -2);
  EXPECT_EQ(f.e->encoding(), Encoding::kListpack);
  f.Push(ListEnd::kTail, {big}, -2);  // 10 KB > 8 KB
  EXPECT_EQ(f.e->encoding(), Encoding::kQuicklist);
  list::DeleteRange(&f.e, 0, 1);
  list::ConvertIfShrunk(&f.e, -2);  // 5 KB > 4 KB: stays
  EXPECT_EQ(f.e->encoding(), Encoding::kQuicklist);
  list::Set(&f.e, 0, "small");
  list::ConvertIfShrunk(&f.e, -2);
  EXPECT_EQ(f.e->encoding(), Encoding::kListpack);
  EXPECT_EQ(f.All(), (std::vector<std::string>{"small"}));
}

// Every list_value operation, on both encodings, against a deque.
TEST(ListValueTest, RandomOperationsMatchAModelInBothEncodings) {
  for (int64_t fill : {-1, 5, 128}) {
    std::mt19937 rng(static_cast<unsigned>(fill + 7));
    ListFixture f;
    std::deque<std::string> model;
    bool saw_quicklist = false, saw_listpack_again = false;
    auto value = [&] { return std::to_string(rng() % 5) + (rng() % 3 ? "" : "x"); };
    for (int step = 0; step < 3000; ++step) {
      size_t size = model.size();
      int op = static_cast<int>(rng() % 7);
      if (size == 0) op = 0;
      switch (op) {
        case 0:
        case 1: {
          std::string a = value(), b = value();
          bool head = rng() % 2;
          f.Push(head ? ListEnd::kHead : ListEnd::kTail, {a, b}, fill);
          if (head) {
            model.push_front(a);
            model.push_front(b);
          } else {
            model.push_back(a);
            model.push_back(b);
          }
          break;
        }
        case 2: {
          size_t i = rng() % size;
          std::string v = value();
          list::Set(&f.e, i, v);
          model[i] = v;
          break;
        }
        case 3: {
          std::string pivot = value(), v = value();
          bool after = rng() % 2;
          auto it = std::find(model.begin(), model.end(), pivot);
          EXPECT_EQ(list::InsertAtPivot(&f.e, pivot, v, after), it != model.end());
          if (it != model.end()) model.insert(after ? it + 1 : it, v);
          break;
        }
        case 4: {
          std::string v = value();
          int64_t count = static_cast<int64_t>(rng() % 5) - 2;
          size_t want = 0;
          if (count >= 0) {
            for (auto it = model.begin(); it != model.end();) {
              if (*it == v && (count == 0 || want < static_cast<size_t>(count))) {
                it = model.erase(it);
                ++want;
              } else {
                ++it;
              }
            }
          } else {
            for (size_t i = model.size(); i-- > 0;) {
              if (model[i] == v && want < static_cast<size_t>(-count)) {
                model.erase(model.begin() + static_cast<ptrdiff_t>(i));
                ++want;
              }
            }
          }
          EXPECT_EQ(list::Remove(&f.e, v, count), want);
          break;
        }
        default: {
          size_t start = rng() % size;
          size_t n = rng() % 4;
          list::DeleteRange(&f.e, start, n);
          model.erase(model.begin() + static_cast<ptrdiff_t>(start),
                      model.begin() + static_cast<ptrdiff_t>(std::min(size, start + n)));
        }
      }
      if (list::Length(f.e) != 0) list::ConvertIfShrunk(&f.e, fill);
      if (f.e->encoding() == Encoding::kQuicklist) saw_quicklist = true;
      if (saw_quicklist && f.e->encoding() == Encoding::kListpack) saw_listpack_again = true;
      ASSERT_EQ(list::Length(f.e), model.size()) << step;
    }
    EXPECT_EQ(f.All(), Model(model));
    EXPECT_EQ(f.AllBackward(), Model(model));
    if (fill == 5) {
      EXPECT_TRUE(saw_quicklist);
      EXPECT_TRUE(saw_listpack_again);
    }
  }
}

}  // namespace
}  // namespace redwing
