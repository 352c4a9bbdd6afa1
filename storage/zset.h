#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/prefetch.h"
#include "protocol/numbers.h"
#include "storage/collection.h"
#include "storage/entry.h"
#include "storage/hash_table.h"
#include "storage/listpack.h"

// Sorted sets: the two encodings and the operations the ZSET commands share.
//
// "listpack" (Encoding::kListpack, in the key's entry block): member, score, member, score, ...
// ordered by score, then by member bytes. A score is stored as an integer element when it is
// integral and fits in 64 bits (most scores are), as its shortest round-trip text when that is
// under 8 bytes ("1.5", "inf"), otherwise as its 8 raw bytes (a string element of length 8), or,
// in the rare case those 8 bytes read as an integer, as "%.17g" text.
//
// "skiplist" (Encoding::kSkiplist, a ZSkipList): each element is ONE Entry block that is at the
// same time the member index's hash-table entry (key = member) and the skiplist node (its value
// bytes hold the score, the backward link and the levels with their spans). One allocation and
// no separate member copy per element; O(log n) insert, delete, rank and range.
namespace redwing {

// A score interval: "1", "(1", "-inf", "+inf" at each end.
struct ZScoreRange {
  double min = 0;
  double max = 0;
  bool minex = false;
  bool maxex = false;

  bool GteMin(double v) const { return minex ? v > min : v >= min; }
  bool LteMax(double v) const { return maxex ? v < max : v <= max; }
  bool Empty() const { return min > max || (min == max && (minex || maxex)); }
};
// Parses the two ends; false if either is not a valid float ("min or max is not a float").
bool ParseZScoreRange(std::string_view min, std::string_view max, ZScoreRange* out);

// A member interval: "[a" inclusive, "(a" exclusive, "-" and "+" the open ends.
struct ZLexRange {
  enum Kind : uint8_t { kInclusive, kExclusive, kMinusInf, kPlusInf };
  std::string_view min;
  std::string_view max;
  Kind min_kind = kMinusInf;
  Kind max_kind = kPlusInf;

  bool GteMin(std::string_view s) const;
  bool LteMax(std::string_view s) const;
  bool Empty() const;
};
// False if either end is malformed ("min or max not valid string range item").
bool ParseZLexRange(std::string_view min, std::string_view max, ZLexRange* out);

// Scores in the listpack encoding.
namespace zlp {
inline constexpr size_t kScoreBufSize = 32;
// The element text that stores `score`; may point into `buf`.
std::string_view EncodeScore(double score, char (&buf)[kScoreBufSize]);
double DecodeScore(const ListpackElement& e);
}  // namespace zlp

// Formats a score as Redis prints it ("%.17g", "inf", "-inf") into `buf`; returns the text.
std::string_view FormatScore(double score, char (&buf)[zlp::kScoreBufSize]);

// The full encoding. Nodes are Entry blocks (key = member) owned by the member index.
class ZSkipList final : public Collection {
 public:
  static constexpr int kMaxLevel = 32;

  ZSkipList();
  ~ZSkipList() override;
  ZSkipList(const ZSkipList&) = delete;
  ZSkipList& operator=(const ZSkipList&) = delete;

  size_t size() const { return length_; }

  static double Score(const Entry* n) {
    double d;
    std::memcpy(&d, V(n), sizeof(d));
    return d;
  }
  static std::string_view Member(const Entry* n) { return n->key(); }
  // The next node in order (nullptr after the last), and the previous one (nullptr before the
  // first).
  static Entry* Next(const Entry* n) { return Fwd(n, 0); }
  static Entry* Prev(const Entry* n) {
    Entry* b;
    std::memcpy(&b, V(n) + kBackOff, sizeof(b));
    return b;
  }
  Entry* First() const { return Fwd(head_, 0); }
  Entry* Last() const { return tail_; }

  // The node of `member`, or nullptr.
  Entry* Find(std::string_view member);
  // Adds a member that is not present; returns its node.
  Entry* Insert(std::string_view member, double score);
  // Changes a node's score, moving it if its place changes.
  void UpdateScore(Entry* node, double score);
  // Removes and frees a node.
  void Erase(Entry* node);

  // 0-based rank of a node.
  size_t RankOf(const Entry* node) const;
  // The node at 0-based `rank` (< size()).
  Entry* AtRank(size_t rank) const;
  // How many leading elements satisfy `pred(node)` (pred must hold for a prefix of the order for
  // the answer to mean "rank of the first element that does not"), found in O(log n).
  template <typename Pred>
  size_t CountWhile(Pred&& pred) const {
    Descent d{head_};
    for (int i = level_ - 1; i >= 0; --i)
      d.Walk(i, pred);
    return d.rank;
  }
  // Removes the elements of 0-based ranks [start, end); returns how many.
  size_t EraseRanks(size_t start, size_t end);

  HashTable& index() { return index_; }
  const HashTable& index() const { return index_; }

  size_t AllocatedBytes(size_t samples) const override;
  std::unique_ptr<Collection> Clone() const override;
  const HashTable* member_index() const override { return &index_; }

 private:
  // Node value layout: [score 8][backward 8][level 1][forward 8, span 4] x level.
  static constexpr size_t kBackOff = 8;
  static constexpr size_t kLevelOff = 16;
  static constexpr size_t kLevelsOff = 17;
  static constexpr size_t kLevelSize = 12;

  static const char* V(const Entry* n) { return const_cast<Entry*>(n)->mutable_value_data(); }
  static char* MV(Entry* n) { return n->mutable_value_data(); }
  static int Level(const Entry* n) { return static_cast<uint8_t>(V(n)[kLevelOff]); }
  static Entry* Fwd(const Entry* n, int i) {
    Entry* f;
    std::memcpy(&f, V(n) + kLevelsOff + i * kLevelSize, sizeof(f));
    return f;
  }
  static uint32_t Span(const Entry* n, int i) {
    uint32_t s;
    std::memcpy(&s, V(n) + kLevelsOff + i * kLevelSize + 8, sizeof(s));
    return s;
  }
  static void SetFwd(Entry* n, int i, Entry* f) {
    std::memcpy(MV(n) + kLevelsOff + i * kLevelSize, &f, sizeof(f));
  }
  static void SetSpan(Entry* n, int i, uint32_t s) {
    std::memcpy(MV(n) + kLevelsOff + i * kLevelSize + 8, &s, sizeof(s));
  }
  static void SetBack(Entry* n, Entry* b) { std::memcpy(MV(n) + kBackOff, &b, sizeof(b)); }
  static void SetScore(Entry* n, double d) { std::memcpy(MV(n), &d, sizeof(d)); }
  static Entry* NewNode(std::string_view member, double score, int level);
  static int RandomLevel();
  // A walk at `x` on level i compares Fwd(x, i) next; if that node does not order first, it goes
  // down and compares Fwd(x, i - 1). Loading the second while the first is still on its way
  // overlaps the two cache misses: a descent then waits on memory about once per node visited
  // rather than once more per level.
  static void PrefetchBelow(const Entry* x, int i) {
    if (i == 0) return;
    if (Entry* below = Fwd(x, i - 1)) PrefetchRead(below);
  }
  // One descent toward a place in the order: `x` is the last node before it on the level being
  // walked, `rank` x's rank (head: 0). Down(i) starts level i; Step moves to the next node on it
  // if `before(next)` holds and says whether it moved; Walk does both until it cannot move. The
  // next node is read as soon as x changes, and each arrival starts loading the first node one
  // level down (PrefetchBelow), so a walk's loads are issued ahead of its comparisons.
  struct Descent {
    Entry* x;
    size_t rank = 0;
    Entry* next = nullptr;
    void Down(int i) {
      next = Fwd(x, i);
      PrefetchBelow(x, i);
    }
    template <typename Before>
    bool Step(int i, Before&& before) {
      if (next == nullptr || !before(next)) return false;
      rank += Span(x, i);
      x = next;
      next = Fwd(x, i);
      PrefetchBelow(x, i);
      return true;
    }
    template <typename Before>
    void Walk(int i, Before&& before) {
      Down(i);
      while (Step(i, before)) {
      }
    }
  };
  // Whether node `n` orders before (score, member).
  static bool Before(const Entry* n, double score, std::string_view member) {
    double s = Score(n);
    return s < score || (s == score && Member(n) < member);
  }

  // Links an unlinked node at its place by score and member.
  void Link(Entry* node);
  // Links an unlinked node after update[i] at each level below level_; rank[i] is update[i]'s
  // rank (head: 0).
  void LinkAt(Entry* node, Entry** update, size_t* rank);
  // Unlinks a node given the last node before it at each level.
  void Unlink(Entry* node, Entry** update);
  // Fills update[] with the last node before `node` at each level.
  void FindUpdate(const Entry* node, Entry** update) const;

  Entry* head_;
  Entry* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  HashTable index_;
};

// Operations on a sorted-set value in an entry, whichever its encoding.
namespace zset {

// The thresholds of the compact encoding (zset-max-listpack-entries / -value).
struct Limits {
  size_t max_entries = 128;
  size_t max_value = 64;
};

enum AddFlags : int { kAddNX = 1, kAddXX = 2, kAddGT = 4, kAddLT = 8, kAddIncr = 16 };
// kUnchanged: the element exists with that score already (not a no-op for INCR's reply).
enum class AddResult { kNop, kAdded, kUpdated, kUnchanged, kNaN };

// A new entry holding an empty listpack (the caller adds elements before storing it).
Entry* NewListpack(std::string_view key);
size_t Size(const Entry* e);
// The member's score, if present.
bool Score(const Entry* e, std::string_view member, double* score);
// ZADD's core (Redis's zsetAdd): adds or updates `member` under `flags`; with kAddIncr `score` is
// an increment. `*newscore` receives the resulting score when the element was added or updated
// (or left as it was because it already had that score). Converts the entry to the skiplist when
// a new element passes the limits. `*link` may change.
AddResult Add(Entry** link, std::string_view member, double score, int flags, double* newscore,
              const Limits& limits);
// Removes `member`; false if absent. The caller deletes an emptied key.
bool Remove(Entry** link, std::string_view member);
// The member's 0-based rank (from the highest when reverse), if present; its score too.
bool Rank(const Entry* e, std::string_view member, bool reverse, size_t* rank, double* score);

// Ranks [first, last) of the elements within a score range.
std::pair<size_t, size_t> ScoreRanks(const Entry* e, const ZScoreRange& range);
// Ranks [first, last) of the elements within a lex range (meaningful when all scores are equal;
// otherwise as Redis: `reverse` walks from the end).
std::pair<size_t, size_t> LexRanks(const Entry* e, const ZLexRange& range, bool reverse);

// Calls fn(member, score) for the elements of ranks [start, end), ascending, or descending when
// `reverse`. `member` is valid during the call only.
template <typename Fn>
void ForRanks(const Entry* e, size_t start, size_t end, bool reverse, Fn&& fn) {
  if (start >= end) return;
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    char buf[kMaxIntChars];
    if (!reverse) {
      size_t pos = lp.Seek(static_cast<int64_t>(2 * start));
      for (size_t r = start; r < end; ++r) {
        size_t spos = lp.Next(pos);
        fn(lp.Get(pos).Text(buf), zlp::DecodeScore(lp.Get(spos)));
        pos = lp.Next(spos);
      }
    } else {
      size_t pos = lp.Seek(static_cast<int64_t>(2 * (end - 1)));
      for (size_t r = end; r > start; --r) {
        size_t spos = lp.Next(pos);
        fn(lp.Get(pos).Text(buf), zlp::DecodeScore(lp.Get(spos)));
        pos = lp.Prev(lp.Prev(pos));
      }
    }
    return;
  }
  const ZSkipList* sl = e->object_as<ZSkipList>();
  Entry* n = sl->AtRank(reverse ? end - 1 : start);
  for (size_t i = start; i < end; ++i) {
    fn(ZSkipList::Member(n), ZSkipList::Score(n));
    n = reverse ? ZSkipList::Prev(n) : ZSkipList::Next(n);
  }
}

// Calls fn(member, score) for every element in order.
template <typename Fn>
void ForEach(const Entry* e, Fn&& fn) {
  ForRanks(e, 0, Size(e), false, fn);
}

// Removes the elements of ranks [start, end); returns how many. `*link` may change.
size_t EraseRanks(Entry** link, size_t start, size_t end);

// Converts a listpack entry to the skiplist encoding. `*link` changes.
void ConvertToSkiplist(Entry** link);

// Builds a sorted set entry from elements already sorted by (score, member) and distinct:
// a listpack if they fit the limits, else a skiplist (ZUNIONSTORE & co. choose the encoding from
// the result's size, as Redis does).
Entry* BuildSorted(std::string_view key, const std::pair<std::string, double>* elems, size_t n,
                   const Limits& limits);

}  // namespace zset
}  // namespace redwing
