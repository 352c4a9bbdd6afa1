#pragma once

#include <cctype>
#include <cstdint>
#include <optional>
#include <string_view>

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

}  // namespace redwing
