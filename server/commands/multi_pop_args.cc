#include "server/commands/multi_pop_args.h"

#include "server/commands/command_helpers.h"

namespace redwing {

bool ParseMultiPopArgs(CommandContext& ctx, size_t numkeys_index, std::string_view first_end,
                       std::string_view second_end, MultiPopArgs* out) {
  auto numkeys = ParseInt64(ctx.arg(numkeys_index));
  if (!numkeys || *numkeys <= 0) {
    ctx.reply->Error(errors::kNumKeysPositive);
    return false;
  }
  size_t first = numkeys_index + 1;
  // The keys, then the end token after them.
  if (static_cast<uint64_t>(*numkeys) >= ctx.argc() - first) {
    ctx.reply->Error(errors::kSyntax);
    return false;
  }
  size_t where = first + static_cast<size_t>(*numkeys);
  out->keys = ctx.args.subspan(first, where - first);
  if (EqualsIgnoreCase(ctx.arg(where), first_end)) {
    out->second_end = false;
  } else if (EqualsIgnoreCase(ctx.arg(where), second_end)) {
    out->second_end = true;
  } else {
    ctx.reply->Error(errors::kSyntax);
    return false;
  }
  // As Redis: COUNT at most once, its value checked as soon as it is read.
  out->count = 1;
  bool counted = false;
  for (size_t j = where + 1; j < ctx.argc(); ++j) {
    if (!counted && j + 1 < ctx.argc() && EqualsIgnoreCase(ctx.arg(j), "count")) {
      auto count = ParseInt64(ctx.arg(++j));
      if (!count || *count <= 0) {
        ctx.reply->Error(errors::kCountPositive);
        return false;
      }
      out->count = *count;
      counted = true;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

}  // namespace redwing
