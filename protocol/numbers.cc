#include "protocol/numbers.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace redwing {

std::optional<uint64_t> ParseDigits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<uint64_t> ParseUint64(std::string_view s) {
  if (s.empty() || s.size() >= kMaxIntChars) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  if (s[0] < '1' || s[0] > '9') return std::nullopt;
  return ParseDigits(s);
}

namespace internal {

std::optional<int64_t> ParseLongInt64(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (negative && s == "0") return std::nullopt;
  auto u = ParseUint64(s);
  if (!u) return std::nullopt;
  if (negative) {
    if (*u > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - *u);
  }
  if (*u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(*u);
}

}  // namespace internal

namespace {
// Long-double text never needs more than this (Redis's MAX_LONG_DOUBLE_CHARS).
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// Redis's string2ld (T = long double) and string2d (T = double): strto* over a terminated copy,
// no leading space, no NaN, no overflow. string2d needs every byte consumed (an embedded NUL is
// trailing garbage); string2ld, like Redis's, stops at the first NUL.
template <typename T>
std::optional<T> ParseFloating(std::string_view s) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return std::nullopt;
  char buf[kMaxLongDoubleChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (std::isspace(static_cast<unsigned char>(buf[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  T v;
  bool consumed;
  if constexpr (std::is_same_v<T, double>) {
    v = std::strtod(buf, &end);
    consumed = end == buf + s.size();
  } else {
    v = std::strtold(buf, &end);
    consumed = *end == '\0';
  }
  if (!consumed || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<long double> ParseLongDouble(std::string_view s) {
  return ParseFloating<long double>(s);
}

std::optional<double> ParseDouble(std::string_view s) {
  return ParseFloating<double>(s);
}

size_t FormatUint64(uint64_t v, char* buf) {
  char tmp[kMaxIntChars];
  size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  size_t len = 0;
  while (n > 0)
    buf[len++] = tmp[--n];
  return len;
}

size_t FormatInt64(int64_t v, char* buf) {
  if (v >= 0) return FormatUint64(static_cast<uint64_t>(v), buf);
  buf[0] = '-';
  return 1 + FormatUint64(0 - static_cast<uint64_t>(v), buf + 1);
}

std::string Int64ToString(int64_t v) {
  char buf[kMaxIntChars];
  return std::string(buf, FormatInt64(v, buf));
}

std::string FormatLongDoubleHuman(long double v) {
  char buf[kMaxLongDoubleChars];
  int len = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(buf)) return "0";
  if (std::strchr(buf, '.') != nullptr) {
    while (buf[len - 1] == '0')
      --len;
    if (buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, static_cast<size_t>(len));
}

size_t FormatDouble(double v, char* buf) {
  if (std::isinf(v)) {
    std::string_view text = v > 0 ? "inf" : "-inf";
    std::memcpy(buf, text.data(), text.size());
    return text.size();
  }
  // Integral values below 1e17 print as their integer digits under "%.17g" too; -0 keeps its sign.
  if (v == std::trunc(v) && std::fabs(v) < 1e17 && !(v == 0 && std::signbit(v))) {
    return FormatInt64(static_cast<int64_t>(v), buf);
  }
  int len = std::snprintf(buf, kMaxDoubleChars, "%.17g", v);
  return static_cast<size_t>(len);
}

std::string FormatDouble(double v) {
  char buf[kMaxDoubleChars];
  return std::string(buf, FormatDouble(v, buf));
}

}  // namespace redwing
