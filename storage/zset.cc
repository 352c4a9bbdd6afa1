#include "storage/zset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "storage/byte_region.h"

namespace redwing {

// ---------------------------------------------------------------------------------------------
// Ranges.

namespace {

// One end of a score range, parsed as Redis does: strtod over the C string ("(" makes it
// exclusive), so an empty text is 0, leading blanks and hex are accepted, overflow gives inf, and
// only NaN and trailing garbage are errors.
bool ParseScoreEnd(std::string_view s, double* v, bool* ex) {
  *ex = false;
  if (!s.empty() && s[0] == '(') {
    *ex = true;
    s.remove_prefix(1);
  }
  char small[64];
  std::string large;
  const char* text;
  if (s.size() < sizeof(small)) {
    std::memcpy(small, s.data(), s.size());
    small[s.size()] = '\0';
    text = small;
  } else {
    large.assign(s);
    text = large.c_str();
  }
  char* end = nullptr;
  *v = std::strtod(text, &end);
  return *end == '\0' && !std::isnan(*v);
}

bool ParseLexEnd(std::string_view s, std::string_view* v, ZLexRange::Kind* kind) {
  if (s.empty()) return false;
  if (s.size() == 1 && s[0] == '-') {
    *kind = ZLexRange::kMinusInf;
  } else if (s.size() == 1 && s[0] == '+') {
    *kind = ZLexRange::kPlusInf;
  } else if (s[0] == '[') {
    *kind = ZLexRange::kInclusive;
  } else if (s[0] == '(') {
    *kind = ZLexRange::kExclusive;
  } else {
    return false;
  }
  *v = s.substr(1);
  return true;
}

}  // namespace

bool ParseZScoreRange(std::string_view min, std::string_view max, ZScoreRange* out) {
  return ParseScoreEnd(min, &out->min, &out->minex) && ParseScoreEnd(max, &out->max, &out->maxex);
}

bool ParseZLexRange(std::string_view min, std::string_view max, ZLexRange* out) {
  return ParseLexEnd(min, &out->min, &out->min_kind) && ParseLexEnd(max, &out->max, &out->max_kind);
}

bool ZLexRange::GteMin(std::string_view s) const {
  switch (min_kind) {
    case kMinusInf:
      return true;
    case kPlusInf:
      return false;
    case kInclusive:
      return s >= min;
    case kExclusive:
      return s > min;
  }
  return false;
}

bool ZLexRange::LteMax(std::string_view s) const {
  switch (max_kind) {
    case kMinusInf:
      return false;
    case kPlusInf:
      return true;
    case kInclusive:
      return s <= max;
    case kExclusive:
      return s < max;
  }
  return false;
}

bool ZLexRange::Empty() const {
  // Order the ends as Redis does: "-" below every string, "+" above.
  auto rank = [](Kind k) { return k == kMinusInf ? 0 : k == kPlusInf ? 2 : 1; };
  int a = rank(min_kind);
  int b = rank(max_kind);
  int cmp;
  if (a != 1 || b != 1) {
    cmp = a < b ? -1 : a > b ? 1 : 0;
  } else {
    cmp = min < max ? -1 : min > max ? 1 : 0;
  }
  return cmp > 0 || (cmp == 0 && (min_kind == kExclusive || max_kind == kExclusive));
}

// ---------------------------------------------------------------------------------------------
// Scores.

std::string_view FormatScore(double score, char (&buf)[zlp::kScoreBufSize]) {
  static_assert(zlp::kScoreBufSize >= kMaxDoubleChars);
  return {buf, FormatDouble(score, buf)};
}

namespace zlp {

std::string_view EncodeScore(double score, char (&buf)[kScoreBufSize]) {
  // Integral scores (and -0, which Redis's listpack stores as "0") become integer elements.
  if (score == std::trunc(score) && std::fabs(score) < 9.2e18)
    return {buf, FormatInt64(static_cast<int64_t>(score), buf)};
  // Short decimals ("1.5", "0.25", "inf") as their shortest round-trip text, when it is under 8
  // bytes (never an integer's text: the score is not integral).
  auto [end, ec] = std::to_chars(buf, buf + kScoreBufSize, score);
  size_t len = static_cast<size_t>(end - buf);
  if (ec == std::errc() && len < sizeof(double)) return {buf, len};
  // Otherwise the 8 raw bytes.
  std::memcpy(buf, &score, sizeof(score));
  std::string_view raw(buf, sizeof(score));
  if (!ParseInt64(raw)) return raw;
  // Eight bytes that read as an integer would be stored as one: use the text, which is longer.
  int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  return {buf, static_cast<size_t>(n)};
}

double DecodeScore(const ListpackElement& e) {
  if (e.is_int) return static_cast<double>(e.integer);
  if (e.str.size() == sizeof(double)) {
    double d;
    std::memcpy(&d, e.str.data(), sizeof(d));
    return d;
  }
  char text[kScoreBufSize];
  size_t len = std::min(e.str.size(), sizeof(text) - 1);
  std::memcpy(text, e.str.data(), len);
  text[len] = '\0';
  return std::strtod(text, nullptr);
}

}  // namespace zlp

// ---------------------------------------------------------------------------------------------
// ZSkipList.

namespace {

uint64_t NextRandom() {
  thread_local uint64_t state = 0x9E3779B97F4A7C15ull ^ reinterpret_cast<uintptr_t>(&state);
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

}  // namespace

int ZSkipList::RandomLevel() {
  // P(level > k) = 1/4^k: two random bits per level.
  uint64_t r = NextRandom();
  int level = 1;
  while ((r & 3) == 0 && level < kMaxLevel) {
    ++level;
    r >>= 2;
    if (r == 0) r = NextRandom();
  }
  return level;
}

Entry* ZSkipList::NewNode(std::string_view member, double score, int level) {
  size_t len = kLevelsOff + static_cast<size_t>(level) * kLevelSize;
  char tmp[kLevelsOff + kMaxLevel * kLevelSize] = {};
  std::memcpy(tmp, &score, sizeof(score));
  tmp[kLevelOff] = static_cast<char>(level);
  return Entry::New(member, ValueType::kString, Encoding::kString, std::string_view(tmp, len), -1);
}

ZSkipList::ZSkipList() : head_(NewNode("", 0, kMaxLevel)) {}

ZSkipList::~ZSkipList() {
  Entry::Free(head_);  // the nodes belong to index_, which frees them
}

Entry* ZSkipList::Find(std::string_view member) {
  Entry** link = index_.Find(member, HashKey(member));
  return link != nullptr ? *link : nullptr;
}

void ZSkipList::Link(Entry* node) {
  Entry* update[kMaxLevel];
  size_t rank[kMaxLevel];
  double score = Score(node);
  std::string_view member = Member(node);
  Descent d{head_};
  for (int i = level_ - 1; i >= 0; --i) {
    d.Walk(i, [&](const Entry* f) { return Before(f, score, member); });
    update[i] = d.x;
    rank[i] = d.rank;
  }
  LinkAt(node, update, rank);
}

void ZSkipList::LinkAt(Entry* node, Entry** update, size_t* rank) {
  int level = Level(node);
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = head_;
      SetSpan(head_, i, static_cast<uint32_t>(length_));
    }
    level_ = level;
  }
  for (int i = 0; i < level; ++i) {
    SetFwd(node, i, Fwd(update[i], i));
    SetFwd(update[i], i, node);
    SetSpan(node, i, static_cast<uint32_t>(Span(update[i], i) - (rank[0] - rank[i])));
    SetSpan(update[i], i, static_cast<uint32_t>(rank[0] - rank[i] + 1));
  }
  for (int i = level; i < level_; ++i)
    SetSpan(update[i], i, Span(update[i], i) + 1);
  SetBack(node, update[0] == head_ ? nullptr : update[0]);
  Entry* next = Fwd(node, 0);
  if (next != nullptr) {
    SetBack(next, node);
  } else {
    tail_ = node;
  }
  ++length_;
}

void ZSkipList::FindUpdate(const Entry* node, Entry** update) const {
  double score = Score(node);
  std::string_view member = Member(node);
  Descent d{head_};
  for (int i = level_ - 1; i >= 0; --i) {
    d.Walk(i, [&](const Entry* f) { return f != node && Before(f, score, member); });
    update[i] = d.x;
  }
}

void ZSkipList::Unlink(Entry* node, Entry** update) {
  for (int i = 0; i < level_; ++i) {
    if (Fwd(update[i], i) == node) {
      SetSpan(update[i], i, Span(update[i], i) + Span(node, i) - 1);
      SetFwd(update[i], i, Fwd(node, i));
    } else {
      SetSpan(update[i], i, Span(update[i], i) - 1);
    }
  }
  Entry* next = Fwd(node, 0);
  if (next != nullptr) {
    SetBack(next, Prev(node));
  } else {
    tail_ = Prev(node);
  }
  while (level_ > 1 && Fwd(head_, level_ - 1) == nullptr)
    --level_;
  --length_;
}

Entry* ZSkipList::Insert(std::string_view member, double score) {
  Entry* node = NewNode(member, score, RandomLevel());
  Link(node);
  index_.Insert(node, HashKey(member));
  return node;
}

void ZSkipList::UpdateScore(Entry* node, double score) {
  Entry* prev = Prev(node);
  Entry* next = Next(node);
  std::string_view member = Member(node);
  // Stays in place: only the score changes.
  if ((prev == nullptr || Before(prev, score, member)) &&
      (next == nullptr || !Before(next, score, member))) {
    SetScore(node, score);
    return;
  }
  // It moves. Two descents: one to the node's place, for the nodes before it at each level (to
  // unlink it), one to its new place (to link it). They are independent, so they run in
  // lockstep: each step's cache misses overlap the other's instead of adding to them.
  Entry* old_update[kMaxLevel];
  Entry* new_update[kMaxLevel];
  size_t rank[kMaxLevel];
  const double old_score = Score(node);
  auto before_old = [&](const Entry* f) { return f != node && Before(f, old_score, member); };
  auto before_new = [&](const Entry* f) { return Before(f, score, member); };
  Descent a{head_};  // to the old place
  Descent b{head_};  // to the new place, the node itself still counted
  for (int i = level_ - 1; i >= 0; --i) {
    a.Down(i);
    b.Down(i);
    for (bool a_moves = true, b_moves = true; a_moves || b_moves;) {
      if (a_moves) a_moves = a.Step(i, before_old);
      if (b_moves) b_moves = b.Step(i, before_new);
    }
    old_update[i] = a.x;
    new_update[i] = b.x;
    rank[i] = b.rank;
  }
  // The second walk saw the node at its old place. Where it stopped on the node, the last node
  // before the new place is the node's own predecessor on that level (whose rank is the node's
  // less the span between them); past the node, every rank is one less without it.
  for (int i = 0; i < level_; ++i) {
    Entry* u = new_update[i];
    if (u == node) {
      new_update[i] = old_update[i];
      rank[i] -= Span(old_update[i], i);
    } else if (u != head_ && !Before(u, old_score, member)) {
      --rank[i];
    }
  }
  Unlink(node, old_update);
  SetScore(node, score);
  LinkAt(node, new_update, rank);
}

void ZSkipList::Erase(Entry* node) {
  Entry* update[kMaxLevel];
  FindUpdate(node, update);
  Unlink(node, update);
  uint64_t hash = HashKey(Member(node));
  Entry** link = index_.Find(Member(node), hash);
  Entry::Free(index_.Unlink(link, hash));
  index_.MaybeShrink();
}

size_t ZSkipList::RankOf(const Entry* node) const {
  double score = Score(node);
  std::string_view member = Member(node);
  return CountWhile([&](const Entry* f) { return Before(f, score, member); });
}

Entry* ZSkipList::AtRank(size_t rank) const {
  const Entry* x = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    PrefetchBelow(x, i);
    for (Entry* f = Fwd(x, i); f != nullptr && traversed + Span(x, i) <= rank + 1; f = Fwd(x, i)) {
      traversed += Span(x, i);
      x = f;
      PrefetchBelow(x, i);
    }
    if (traversed == rank + 1) return const_cast<Entry*>(x);
  }
  return nullptr;
}

size_t ZSkipList::EraseRanks(size_t start, size_t end) {
  if (start >= end) return 0;
  Entry* update[kMaxLevel];
  Entry* x = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    PrefetchBelow(x, i);
    for (Entry* f = Fwd(x, i); f != nullptr && traversed + Span(x, i) <= start; f = Fwd(x, i)) {
      traversed += Span(x, i);
      x = f;
      PrefetchBelow(x, i);
    }
    update[i] = x;
  }
  x = Fwd(x, 0);
  size_t removed = 0;
  while (x != nullptr && removed < end - start) {
    Entry* next = Fwd(x, 0);
    Unlink(x, update);
    uint64_t hash = HashKey(Member(x));
    Entry::Free(index_.Unlink(index_.Find(Member(x), hash), hash));
    ++removed;
    x = next;
  }
  index_.MaybeShrink();
  return removed;
}

size_t ZSkipList::AllocatedBytes(size_t samples) const {
  size_t total =
      sizeof(*this) + Entry::AllocatedSize(head_) + index_.bucket_count() * sizeof(void*);
  size_t seen = 0;
  size_t bytes = 0;
  for (Entry* n = First(); n != nullptr && (samples == 0 || seen < samples); n = Next(n)) {
    bytes += Entry::AllocatedSize(n);
    ++seen;
  }
  if (seen > 0) total += bytes * length_ / seen;
  return total;
}

std::unique_ptr<Collection> ZSkipList::Clone() const {
  auto copy = std::make_unique<ZSkipList>();
  for (Entry* n = First(); n != nullptr; n = Next(n))
    copy->Insert(Member(n), Score(n));
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Operations over both encodings.

namespace zset {

namespace {

// Whether the listpack pair at `pos` (member at pos) orders before (score, member).
bool LpBefore(const ListpackView& lp, size_t pos, double score, std::string_view member) {
  double s = zlp::DecodeScore(lp.Get(lp.Next(pos)));
  if (s != score) return s < score;
  char buf[kMaxIntChars];
  return lp.Get(pos).Text(buf) < member;
}

// Inserts (member, score) at its place in a listpack.
void LpInsert(ByteRegion& region, std::string_view member, double score) {
  ListpackView lp(region.bytes());
  size_t pos = lp.begin();
  while (pos < lp.end() && LpBefore(lp, pos, score, member))
    pos = lp.Next(lp.Next(pos));
  char buf[zlp::kScoreBufSize];
  std::string_view pair[2] = {member, zlp::EncodeScore(score, buf)};
  listpack::Insert(region, pos, pair);
}

// Position of member in a listpack (its score after it), or end().
size_t LpFind(const ListpackView& lp, std::string_view member) {
  return lp.Find(lp.begin(), member, 2);
}

}  // namespace

Entry* NewListpack(std::string_view key) {
  return Entry::New(key, ValueType::kZSet, Encoding::kListpack, listpack::Empty(), -1);
}

size_t Size(const Entry* e) {
  if (e->encoding() == Encoding::kListpack) return ListpackView(e->value()).size() / 2;
  return e->object_as<ZSkipList>()->size();
}

bool Score(const Entry* e, std::string_view member, double* score) {
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    size_t pos = LpFind(lp, member);
    if (pos == lp.end()) return false;
    *score = zlp::DecodeScore(lp.Get(lp.Next(pos)));
    return true;
  }
  Entry* n = e->object_as<ZSkipList>()->Find(member);
  if (n == nullptr) return false;
  *score = ZSkipList::Score(n);
  return true;
}

void ConvertToSkiplist(Entry** link) {
  auto sl = std::make_unique<ZSkipList>();
  ListpackView lp((*link)->value());
  char buf[kMaxIntChars];
  for (size_t pos = lp.begin(); pos < lp.end();) {
    size_t spos = lp.Next(pos);
    sl->Insert(lp.Get(pos).Text(buf), zlp::DecodeScore(lp.Get(spos)));
    pos = lp.Next(spos);
  }
  *link = Entry::ConvertToObject(*link, Encoding::kSkiplist, sl.release());
}

AddResult Add(Entry** link, std::string_view member, double score, int flags, double* newscore,
              const Limits& limits) {
  bool nx = (flags & kAddNX) != 0;
  bool xx = (flags & kAddXX) != 0;
  bool gt = (flags & kAddGT) != 0;
  bool lt = (flags & kAddLT) != 0;
  bool incr = (flags & kAddIncr) != 0;
  Entry* e = *link;
  double cur;
  bool exists;
  size_t lp_pos = 0;
  Entry* node = nullptr;
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    lp_pos = LpFind(lp, member);
    exists = lp_pos != lp.end();
    if (exists) cur = zlp::DecodeScore(lp.Get(lp.Next(lp_pos)));
  } else {
    node = e->object_as<ZSkipList>()->Find(member);
    exists = node != nullptr;
    if (exists) cur = ZSkipList::Score(node);
  }
  if (exists) {
    if (nx) return AddResult::kNop;
    if (incr) {
      score += cur;
      if (std::isnan(score)) return AddResult::kNaN;
    }
    if ((lt && score >= cur) || (gt && score <= cur)) return AddResult::kNop;
    *newscore = score;
    if (score == cur) return AddResult::kUnchanged;
    if (node != nullptr) {
      e->object_as<ZSkipList>()->UpdateScore(node, score);
    } else {
      EntryValueRegion region(link);
      listpack::Delete(region, lp_pos, 2);
      LpInsert(region, member, score);
    }
    return AddResult::kUpdated;
  }
  if (xx) return AddResult::kNop;
  *newscore = score;
  if (e->encoding() == Encoding::kListpack &&
      (Size(e) + 1 > limits.max_entries || member.size() > limits.max_value)) {
    ConvertToSkiplist(link);
    e = *link;
  }
  if (e->encoding() == Encoding::kListpack) {
    EntryValueRegion region(link);
    LpInsert(region, member, score);
  } else {
    e->object_as<ZSkipList>()->Insert(member, score);
  }
  return AddResult::kAdded;
}

bool Remove(Entry** link, std::string_view member) {
  Entry* e = *link;
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    size_t pos = LpFind(lp, member);
    if (pos == lp.end()) return false;
    EntryValueRegion region(link);
    listpack::Delete(region, pos, 2);
    return true;
  }
  ZSkipList* sl = e->object_as<ZSkipList>();
  Entry* node = sl->Find(member);
  if (node == nullptr) return false;
  sl->Erase(node);
  return true;
}

bool Rank(const Entry* e, std::string_view member, bool reverse, size_t* rank, double* score) {
  size_t r;
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    r = 0;
    size_t pos = lp.begin();
    for (; pos < lp.end(); pos = lp.Next(lp.Next(pos)), ++r) {
      if (lp.Get(pos).Equals(member)) break;
    }
    if (pos == lp.end()) return false;
    *score = zlp::DecodeScore(lp.Get(lp.Next(pos)));
  } else {
    const ZSkipList* sl = e->object_as<ZSkipList>();
    Entry* node = const_cast<ZSkipList*>(sl)->Find(member);
    if (node == nullptr) return false;
    r = sl->RankOf(node);
    *score = ZSkipList::Score(node);
  }
  *rank = reverse ? Size(e) - 1 - r : r;
  return true;
}

namespace {

// Leading pairs of a listpack for which pred(member_pos, score_pos) holds.
template <typename Pred>
size_t LpCountWhile(const ListpackView& lp, Pred&& pred) {
  size_t n = 0;
  for (size_t pos = lp.begin(); pos < lp.end(); ++n) {
    size_t spos = lp.Next(pos);
    if (!pred(pos, spos)) break;
    pos = lp.Next(spos);
  }
  return n;
}

}  // namespace

std::pair<size_t, size_t> ScoreRanks(const Entry* e, const ZScoreRange& range) {
  if (range.Empty()) return {0, 0};
  size_t first;
  size_t last;
  if (e->encoding() == Encoding::kListpack) {
    ListpackView lp(e->value());
    first = LpCountWhile(
        lp, [&](size_t, size_t s) { return !range.GteMin(zlp::DecodeScore(lp.Get(s))); });
    last = LpCountWhile(
        lp, [&](size_t, size_t s) { return range.LteMax(zlp::DecodeScore(lp.Get(s))); });
  } else {
    const ZSkipList* sl = e->object_as<ZSkipList>();
    first = sl->CountWhile([&](const Entry* n) { return !range.GteMin(ZSkipList::Score(n)); });
    last = sl->CountWhile([&](const Entry* n) { return range.LteMax(ZSkipList::Score(n)); });
  }
  return {first, last > first ? last : first};
}

std::pair<size_t, size_t> LexRanks(const Entry* e, const ZLexRange& range, bool reverse) {
  if (range.Empty()) return {0, 0};
  if (e->encoding() != Encoding::kListpack) {
    const ZSkipList* sl = e->object_as<ZSkipList>();
    size_t first =
        sl->CountWhile([&](const Entry* n) { return !range.GteMin(ZSkipList::Member(n)); });
    size_t last =
        sl->CountWhile([&](const Entry* n) { return range.LteMax(ZSkipList::Member(n)); });
    return {first, last > first ? last : first};
  }
  // As Redis walks a listpack: from one end to the first element inside the near bound, then on
  // while elements stay inside the far bound.
  ListpackView lp(e->value());
  size_t n = lp.size() / 2;
  char buf[kMaxIntChars];
  if (!reverse) {
    size_t pos = lp.begin();
    size_t first = 0;
    while (pos < lp.end() && !range.GteMin(lp.Get(pos).Text(buf))) {
      pos = lp.Next(lp.Next(pos));
      ++first;
    }
    size_t last = first;
    while (pos < lp.end() && range.LteMax(lp.Get(pos).Text(buf))) {
      pos = lp.Next(lp.Next(pos));
      ++last;
    }
    return {first, last};
  }
  size_t last = n;  // one past the highest element in range
  size_t pos = n == 0 ? lp.end() : lp.Prev(lp.Last());
  while (last > 0 && !range.LteMax(lp.Get(pos).Text(buf))) {
    --last;
    if (last > 0) pos = lp.Prev(lp.Prev(pos));
  }
  size_t first = last;
  while (first > 0 && range.GteMin(lp.Get(pos).Text(buf))) {
    --first;
    if (first > 0) pos = lp.Prev(lp.Prev(pos));
  }
  return {first, last};
}

size_t EraseRanks(Entry** link, size_t start, size_t end) {
  size_t n = Size(*link);
  if (end > n) end = n;
  if (start >= end) return 0;
  if ((*link)->encoding() == Encoding::kListpack) {
    ListpackView lp((*link)->value());
    size_t pos = lp.Seek(static_cast<int64_t>(2 * start));
    EntryValueRegion region(link);
    listpack::Delete(region, pos, 2 * (end - start));
    return end - start;
  }
  return (*link)->object_as<ZSkipList>()->EraseRanks(start, end);
}

Entry* BuildSorted(std::string_view key, const std::pair<std::string, double>* elems, size_t n,
                   const Limits& limits) {
  size_t maxlen = 0;
  for (size_t i = 0; i < n; ++i)
    maxlen = std::max(maxlen, elems[i].first.size());
  if (n <= limits.max_entries && maxlen <= limits.max_value) {
    std::string bytes = listpack::Empty();
    StringRegion region(&bytes);
    char buf[zlp::kScoreBufSize];
    for (size_t i = 0; i < n; ++i) {
      std::string_view pair[2] = {elems[i].first, zlp::EncodeScore(elems[i].second, buf)};
      listpack::Insert(region, bytes.size(), pair);
    }
    return Entry::New(key, ValueType::kZSet, Encoding::kListpack, bytes, -1);
  }
  auto sl = std::make_unique<ZSkipList>();
  for (size_t i = 0; i < n; ++i)
    sl->Insert(elems[i].first, elems[i].second);
  Entry* e = Entry::NewObject(key, ValueType::kZSet, Encoding::kSkiplist, sl.get(), -1);
  sl.release();
  return e;
}

}  // namespace zset
}  // namespace redwing
