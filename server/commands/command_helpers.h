#pragma once

#include <cctype>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/glob.h"
#include "protocol/numbers.h"
#include "server/command_context.h"
#include "server/errors.h"

// Small argument helpers shared by the command families.
namespace redwing {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Parses an integer argument; on failure replies Redis's "not an integer" error and returns
// nothing.
inline std::optional<int64_t> IntArg(CommandContext& ctx, std::string_view s) {
  auto v = ParseInt64(s);
  if (!v) ctx.reply->Error(errors::kNotInteger);
  return v;
}

// A count that may not be negative (Redis's getPositiveLongFromObjectOrReply: LPOP, SPOP,
// ZPOPMIN ...); on failure replies "value is out of range, must be positive" and returns nothing.
inline std::optional<int64_t> NonNegativeCountArg(CommandContext& ctx, std::string_view s) {
  auto v = ParseInt64(s);
  if (!v || *v < 0) {
    ctx.reply->Error(errors::kMustBePositive);
    return std::nullopt;
  }
  return v;
}

// Replies WRONGTYPE (and returns true) if `e` exists and holds another type than `want`.
inline bool IsWrongType(CommandContext& ctx, const Entry* e, ValueType want) {
  if (e == nullptr || e->type() == want) return false;
  ctx.reply->Error(errors::kWrongType);
  return true;
}

// Replies a command's HELP text: one simple string per line, as Redis does.
template <size_t N>
void ReplyHelp(CommandContext& ctx, const char* const (&lines)[N]) {
  ctx.reply->ArrayHeader(N);
  for (const char* l : lines)
    ctx.reply->SimpleString(l);
}

// Keys given by a numkeys argument: appends the indexes of the numkeys arguments after
// args[numkeys_index]; false (nothing appended) if numkeys is not an integer >= 1 or exceeds the
// arguments left.
bool FindKeysAfterNumKeys(std::span<const std::string_view> args, size_t numkeys_index,
                          std::vector<int>* keys);
// The same as a KeyFinder (command_registry.h).
template <size_t kNumKeysIndex>
bool KeysAfterNumKeys(std::span<const std::string_view> args, std::vector<int>* keys) {
  return FindKeysAfterNumKeys(args, kNumKeysIndex, keys);
}

// Registration of a family's commands: add(name, arity, flags, handler, last_key, acl[, step])
// registers keys at arguments 1..last_key (negative: counted from the end), every `key_step`;
// last_key 0 registers no key positions (set the returned spec's key_finder).
class CommandAdder {
 public:
  explicit CommandAdder(CommandRegistry& r) : r_(r) {}
  CommandSpec& operator()(std::string name, int arity, uint32_t flags, CommandHandler handler,
                          int last_key, const char* acl, int key_step = 1) const;

 private:
  CommandRegistry& r_;
};

// ---- SCAN, HSCAN, SSCAN, ZSCAN ----

// A SCAN cursor as Redis parses it (strtoul over the C string): an optional sign, decimal digits,
// nothing after (an embedded NUL ends the text); empty is 0, a negative one wraps, overflow is an
// error. On error replies "ERR invalid cursor" and returns nothing.
std::optional<uint64_t> ScanCursorArg(CommandContext& ctx, std::string_view s);

struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;  // MATCH given, and not "*"
  std::string_view type;
  bool use_type = false;

  bool Matches(std::string_view s) const { return !use_pattern || GlobMatch(pattern, s); }
  // As Redis: a call visits at most 10*COUNT buckets.
  int64_t MaxSteps() const { return count > INT64_MAX / 10 ? INT64_MAX : count * 10; }
};
// Parses [MATCH pattern] [COUNT count] from argument `first` on, and [TYPE type] when
// `allow_type` (SCAN; for the others TYPE is a syntax error); on error replies Redis's text and
// returns false.
bool ParseScanOptions(CommandContext& ctx, size_t first, bool allow_type, ScanOptions* out);
// A scan reply's start: [cursor, and the header of the `elements` that follow].
void ReplyScanHeader(CommandContext& ctx, uint64_t cursor, size_t elements);

}  // namespace redwing
