#include "protocol/glob.h"

#include <cctype>
#include <cstddef>

namespace redwing {
namespace {

char Fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one text character against the element of `p` at `pi` ('?', a class, an escape or a
// literal). Sets *next to the index just past that element. Never called on '*'.
bool MatchOne(std::string_view p, size_t pi, char c, bool nocase, size_t* next) {
  char ch = p[pi];
  if (ch == '?') {
    *next = pi + 1;
    return true;
  }
  if (ch == '[') {
    size_t i = pi + 1;
    bool negate = i < p.size() && p[i] == '^';
    if (negate) ++i;
    bool matched = false;
    while (i < p.size() && p[i] != ']') {
      if (p[i] == '\\' && i + 1 < p.size()) {
        ++i;
        if (Fold(p[i], nocase) == Fold(c, nocase)) matched = true;
        ++i;
      } else if (i + 2 < p.size() && p[i + 1] == '-') {
        char lo = Fold(p[i], nocase), hi = Fold(p[i + 2], nocase), x = Fold(c, nocase);
        if (lo > hi) std::swap(lo, hi);
        if (x >= lo && x <= hi) matched = true;
        i += 3;
      } else {
        if (Fold(p[i], nocase) == Fold(c, nocase)) matched = true;
        ++i;
      }
    }
    // An unterminated class runs to the end of the pattern, as in Redis.
    *next = i < p.size() ? i + 1 : i;
    return matched != negate;
  }
  if (ch == '\\' && pi + 1 < p.size()) {
    *next = pi + 2;
    return Fold(p[pi + 1], nocase) == Fold(c, nocase);
  }
  *next = pi + 1;
  return Fold(ch, nocase) == Fold(c, nocase);
}

}  // namespace

bool GlobMatch(std::string_view p, std::string_view s, bool nocase) {
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      while (pi < p.size() && p[pi] == '*')
        ++pi;
      if (pi == p.size()) return true;
      star_p = pi;
      star_s = si;
      continue;
    }
    size_t next = 0;
    if (pi < p.size() && MatchOne(p, pi, s[si], nocase, &next)) {
      pi = next;
      ++si;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*')
    ++pi;
  return pi == p.size();
}

}  // namespace redwing
