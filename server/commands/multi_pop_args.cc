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
  out->count = 1;
  if (where + 1 == ctx.argc()) return true;
  if (where + 3 != ctx.argc() || !EqualsIgnoreCase(ctx.arg(where + 1), "count")) {
    ctx.reply->Error(errors::kSyntax);
    return false;
  }
  auto count = ParseInt64(ctx.arg(where + 2));
  if (!count || *count <= 0) {
    ctx.reply->Error(errors::kCountPositive);
    return false;
  }
  out->count = *count;
  return true;
}

bool FindMultiPopKeys(std::span<const std::string_view> args, size_t numkeys_index,
                      std::vector<int>* keys) {
  if (numkeys_index >= args.size()) return false;
  auto numkeys = ParseInt64(args[numkeys_index]);
  size_t first = numkeys_index + 1;
  if (!numkeys || *numkeys <= 0 || static_cast<uint64_t>(*numkeys) > args.size() - first) {
    return false;
  }
  for (int64_t i = 0; i < *numkeys; ++i)
    keys->push_back(static_cast<int>(first + static_cast<size_t>(i)));
  return true;
}

}  // namespace redwing
