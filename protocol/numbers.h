#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Number <-> text conversions with Redis's exact acceptance rules and output formats. Pure
// functions, thread-safe.
namespace redwing {

// Longest text of a 64-bit integer, sign included, plus a terminator.
inline constexpr size_t kMaxIntChars = 21;
// Room for FormatDouble's text ("%.17g" needs at most 24 characters) and a terminator.
inline constexpr size_t kMaxDoubleChars = 32;

// Decimal digits only (leading zeros allowed, no sign); nothing if empty, another character is
// present, or the value exceeds UINT64_MAX.
std::optional<uint64_t> ParseDigits(std::string_view s);
namespace internal {
// ParseInt64 for 19 digits or more, where overflow is possible.
std::optional<int64_t> ParseLongInt64(std::string_view s);
}  // namespace internal

// Strict integer parse as Redis's string2ll: no spaces, no '+', no leading zeros, no "-0".
// Inline, with no overflow checks up to 18 digits (which cannot overflow): every request header's
// lengths go through here, and most integer arguments are short.
inline std::optional<int64_t> ParseInt64(std::string_view s) {
  const size_t negative = !s.empty() && s[0] == '-' ? 1 : 0;
  const size_t digits = s.size() - negative;
  if (digits == 0) return std::nullopt;
  if (digits > 18) return internal::ParseLongInt64(s);
  const char* p = s.data() + negative;
  if (p[0] == '0') {
    if (digits == 1 && negative == 0) return 0;
    return std::nullopt;  // a leading zero, or "-0"
  }
  uint64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    unsigned d = static_cast<unsigned>(static_cast<unsigned char>(p[i])) - '0';
    if (d > 9) return std::nullopt;
    v = v * 10 + d;
  }
  int64_t r = static_cast<int64_t>(v);
  return negative != 0 ? -r : r;
}
// As ParseInt64 but for unsigned values in [0, UINT64_MAX].
std::optional<uint64_t> ParseUint64(std::string_view s);
// Redis's string2ld: strtold over the whole text, no leading space, no NaN, no overflow.
std::optional<long double> ParseLongDouble(std::string_view s);
// Redis's string2d-style double parse used for scores and float arguments (accepts inf).
std::optional<double> ParseDouble(std::string_view s);

// Writes v in decimal into buf (at least kMaxIntChars bytes); returns the length.
size_t FormatInt64(int64_t v, char* buf);
size_t FormatUint64(uint64_t v, char* buf);
std::string Int64ToString(int64_t v);
// Redis's ld2string(..., LD_STR_HUMAN): "%.17Lf" with trailing zeros removed (INCRBYFLOAT).
std::string FormatLongDoubleHuman(long double v);
// "%.17g", with "inf"/"-inf" spelled as Redis does: into buf (at least kMaxDoubleChars bytes),
// returning the length, or as a string.
size_t FormatDouble(double v, char* buf);
std::string FormatDouble(double v);

}  // namespace redwing
