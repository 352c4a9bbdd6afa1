#include "storage/list_value.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include "common/heap.h"

namespace redwing {
namespace list {
namespace {

Quicklist* AsQuicklist(const Entry* e) {
  return e->object_as<Quicklist>();
}

bool IsListpack(const Entry* e) {
  return e->encoding() == Encoding::kListpack;
}

void PushListpack(Entry** link, ListEnd end, std::string_view value) {
  EntryValueRegion region(link);
  size_t at = end == ListEnd::kHead ? ListpackView::kHeaderSize : region.bytes().size();
  listpack::Insert(region, at, value);
}

// LREM on one listpack (an entry's or a node's) from the head: removes up to `limit` matches
// (0: all); returns how many.
size_t RemoveForward(ByteRegion& region, std::string_view value, size_t limit) {
  size_t removed = 0;
  size_t pos = ListpackView::kHeaderSize;
  while (pos < region.bytes().size()) {
    ListpackView view(region.bytes());
    if (view.Get(pos).Equals(value)) {
      pos = listpack::Delete(region, pos, 1);
      if (++removed == limit) break;
    } else {
      pos = view.Next(pos);
    }
  }
  return removed;
}

// The same from the tail.
size_t RemoveBackward(ByteRegion& region, std::string_view value, size_t limit) {
  size_t removed = 0;
  ListpackView view(region.bytes());
  for (size_t pos = view.Last(); pos != view.end();) {
    size_t prev = view.Prev(pos);  // before `pos`: unmoved by deleting it
    if (view.Get(pos).Equals(value)) {
      listpack::Delete(region, pos, 1);
      view = ListpackView(region.bytes());
      if (++removed == limit) break;
      if (prev >= pos) break;  // it was the first element
    }
    pos = prev;
  }
  return removed;
}

}  // namespace

Entry* NewEntry(std::string_view key) {
  char empty[ListpackView::kHeaderSize] = {};
  return Entry::New(key, ValueType::kList, Encoding::kListpack, {empty, sizeof(empty)}, -1);
}

size_t Length(const Entry* e) {
  if (IsListpack(e)) return ListpackView(e->value()).size();
  return AsQuicklist(e)->size();
}

void ConvertIfGrowing(Entry** link, size_t add_bytes, size_t add_count, int64_t fill) {
  Entry* e = *link;
  if (!IsListpack(e)) return;
  ListpackView view(e->value());
  if (!ListNodeLimit::ForFill(fill).Exceeds(e->value_len() + add_bytes, view.size() + add_count))
    return;
  auto ql = std::make_unique<Quicklist>(fill, e->value());
  *link = Entry::ConvertToObject(e, Encoding::kQuicklist, ql.get());
  ql.release();
}

void ConvertIfShrunk(Entry** link, int64_t fill) {
  Entry* e = *link;
  if (IsListpack(e)) return;
  Quicklist* ql = AsQuicklist(e);
  if (ql->node_count() != 1) return;
  if (!ListNodeLimit::ForFill(fill).FitsHalf(ql->head()->size, ql->size())) return;
  size_t size;
  char* bytes = ql->ReleaseOnlyNode(&size);
  *link = Entry::ConvertToBytes(e, Encoding::kListpack, {bytes, size});
  heap::Free(bytes);
}

void Push(Entry** link, ListEnd end, std::span<const std::string_view> values, int64_t fill) {
  if (IsListpack(*link)) {
    size_t bytes = 0;
    for (std::string_view v : values)
      bytes += v.size();
    ConvertIfGrowing(link, bytes, values.size(), fill);
  }
  if (IsListpack(*link)) {
    if (end == ListEnd::kTail) {
      EntryValueRegion region(link);
      listpack::Insert(region, region.bytes().size(), values);
    } else {
      for (std::string_view v : values)
        PushListpack(link, end, v);
    }
    return;
  }
  Quicklist* ql = AsQuicklist(*link);
  for (std::string_view v : values) {
    if (end == ListEnd::kHead) {
      ql->PushFront(v);
    } else {
      ql->PushBack(v);
    }
  }
}

void DeleteRange(Entry** link, size_t start, size_t n) {
  if (!IsListpack(*link)) {
    AsQuicklist(*link)->DeleteRange(start, n);
    return;
  }
  EntryValueRegion region(link);
  ListpackView view(region.bytes());
  size_t pos = view.Seek(static_cast<int64_t>(start));
  if (pos != view.end()) listpack::Delete(region, pos, n);
}

void Set(Entry** link, size_t index, std::string_view value) {
  if (!IsListpack(*link)) {
    Quicklist* ql = AsQuicklist(*link);
    ql->Replace(ql->Locate(index), value);
    return;
  }
  EntryValueRegion region(link);
  listpack::Replace(region, ListpackView(region.bytes()).Seek(static_cast<int64_t>(index)), value);
}

bool InsertAtPivot(Entry** link, std::string_view pivot, std::string_view value, bool after) {
  if (IsListpack(*link)) {
    EntryValueRegion region(link);
    ListpackView view(region.bytes());
    size_t pos = view.Find(view.begin(), pivot);
    if (pos == view.end()) return false;
    listpack::Insert(region, after ? view.Next(pos) : pos, value);
    return true;
  }
  Quicklist* ql = AsQuicklist(*link);
  for (Quicklist::Pos p = ql->Front(); p; p = ql->Next(p)) {
    if (ql->Get(p).Equals(pivot)) {
      ql->Insert(p, value, after);
      return true;
    }
  }
  return false;
}

size_t Remove(Entry** link, std::string_view value, int64_t count) {
  size_t limit = count >= 0 ? static_cast<size_t>(count) : static_cast<size_t>(-(count + 1)) + 1;
  if (IsListpack(*link)) {
    EntryValueRegion region(link);
    return count < 0 ? RemoveBackward(region, value, limit) : RemoveForward(region, value, limit);
  }
  Quicklist* ql = AsQuicklist(*link);
  size_t removed = 0;
  if (count >= 0) {
    for (Quicklist::Pos p = ql->Front(); p;) {
      if (ql->Get(p).Equals(value)) {
        p = ql->Erase(p);
        if (++removed == limit) break;
      } else {
        p = ql->Next(p);
      }
    }
  } else {
    for (Quicklist::Pos p = ql->Back(); p;) {
      Quicklist::Pos prev = ql->Prev(p);  // unmoved by erasing `p`
      if (ql->Get(p).Equals(value)) {
        ql->Erase(p);
        if (++removed == limit) break;
      }
      p = prev;
    }
  }
  if (removed != 0) ql->MergeSmallNodes();
  return removed;
}

}  // namespace list

ListCursor::ListCursor(const Entry* e, size_t index)
    : view_(e->encoding() == Encoding::kListpack ? e->value() : std::string_view()) {
  if (e->encoding() == Encoding::kListpack) {
    pos_ = view_.Seek(static_cast<int64_t>(index));
    return;
  }
  const Quicklist* ql = e->object_as<Quicklist>();
  Quicklist::Pos p = ql->Locate(index);
  node_ = p.node;
  view_ = node_->view();
  pos_ = p.offset;
}

void ListCursor::Next() {
  pos_ = view_.Next(pos_);
  if (pos_ < view_.end() || node_ == nullptr || node_->next == nullptr) return;
  node_ = node_->next;
  view_ = node_->view();
  pos_ = view_.begin();
}

void ListCursor::Prev() {
  if (pos_ > view_.begin()) {
    pos_ = view_.Prev(pos_);
    return;
  }
  if (node_ == nullptr || node_->prev == nullptr) {
    pos_ = view_.end();
    return;
  }
  node_ = node_->prev;
  view_ = node_->view();
  pos_ = view_.Last();
}

}  // namespace redwing
