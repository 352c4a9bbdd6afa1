#include "storage/intset.h"

#include <cstring>

namespace redwing {
namespace {

int64_t Read(const char* p, size_t width) {
  switch (width) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, sizeof(v));
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, sizeof(v));
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, sizeof(v));
      return v;
    }
  }
}

void Write(char* p, size_t width, int64_t v) {
  switch (width) {
    case 2: {
      auto n = static_cast<int16_t>(v);
      std::memcpy(p, &n, sizeof(n));
      break;
    }
    case 4: {
      auto n = static_cast<int32_t>(v);
      std::memcpy(p, &n, sizeof(n));
      break;
    }
    default:
      std::memcpy(p, &v, sizeof(v));
      break;
  }
}

}  // namespace

int64_t IntsetView::Get(size_t index) const {
  size_t w = width();
  return Read(bytes_.data() + kHeaderSize + index * w, w);
}

bool IntsetView::Find(int64_t v, size_t* index) const {
  size_t lo = 0;
  size_t hi = size();
  // Members outside [Min, Max] are common (appends in ascending order): answer without searching.
  if (hi != 0 && v > Max()) {
    *index = hi;
    return false;
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int64_t m = Get(mid);
    if (m < v) {
      lo = mid + 1;
    } else if (m > v) {
      hi = mid;
    } else {
      *index = mid;
      return true;
    }
  }
  *index = lo;
  return false;
}

namespace intset {

std::string Empty() {
  return std::string(1, static_cast<char>(2));
}

size_t WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

bool Add(ByteRegion& region, int64_t v) {
  IntsetView view(region.bytes());
  size_t w = view.width();
  size_t n = view.size();
  size_t nw = WidthFor(v);
  if (nw <= w) {
    size_t index;
    if (view.Find(v, &index)) return false;
    char* data = region.Splice(IntsetView::kHeaderSize + index * w, 0, w);
    Write(data + IntsetView::kHeaderSize + index * w, w, v);
    return true;
  }
  // Widen every member. `v` does not fit the old width, so it is below or above all of them:
  // it goes first or last. Members move back to front, so none is overwritten before it is read.
  size_t prepend = v < 0 ? 1 : 0;
  char* data = region.Splice(region.bytes().size(), 0, n * (nw - w) + nw);
  for (size_t i = n; i-- > 0;) {
    int64_t m = Read(data + IntsetView::kHeaderSize + i * w, w);
    Write(data + IntsetView::kHeaderSize + (i + prepend) * nw, nw, m);
  }
  Write(data + IntsetView::kHeaderSize + (prepend ? 0 : n) * nw, nw, v);
  data[0] = static_cast<char>(nw);
  return true;
}

bool Remove(ByteRegion& region, int64_t v) {
  IntsetView view(region.bytes());
  size_t index;
  if (WidthFor(v) > view.width() || !view.Find(v, &index)) return false;
  RemoveAt(region, index);
  return true;
}

void RemoveAt(ByteRegion& region, size_t index) {
  size_t w = IntsetView(region.bytes()).width();
  region.Splice(IntsetView::kHeaderSize + index * w, w, 0);
}

}  // namespace intset
}  // namespace redwing
