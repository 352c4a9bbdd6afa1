#include "server/commands/command_helpers.h"

#include <utility>

namespace redwing {

bool FindKeysAfterNumKeys(std::span<const std::string_view> args, size_t numkeys_index,
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

CommandSpec& CommandAdder::operator()(std::string name, int arity, uint32_t flags,
                                      CommandHandler handler, int last_key, const char* acl,
                                      int key_step) const {
  bool keyed = last_key != 0;
  return r_.Add({.name = std::move(name),
                 .arity = arity,
                 .flags = flags,
                 .first_key = keyed ? 1 : 0,
                 .last_key = last_key,
                 .key_step = keyed ? key_step : 0,
                 .handler = handler,
                 .acl_categories = acl});
}

namespace {

std::optional<uint64_t> ParseScanCursor(std::string_view s) {
  if (size_t nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
  if (s.empty()) return 0;
  bool negative = s[0] == '-';
  if (s[0] == '+' || s[0] == '-') s.remove_prefix(1);
  auto v = ParseDigits(s);  // a lone sign converts nothing: an error
  if (!v) return std::nullopt;
  return negative ? ~*v + 1 : *v;
}

}  // namespace

std::optional<uint64_t> ScanCursorArg(CommandContext& ctx, std::string_view s) {
  auto cursor = ParseScanCursor(s);
  if (!cursor) ctx.reply->Error(errors::kInvalidCursor);
  return cursor;
}

bool ParseScanOptions(CommandContext& ctx, size_t first, bool allow_type, ScanOptions* out) {
  for (size_t i = first; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    bool has_value = i + 1 < ctx.argc();
    if (has_value && EqualsIgnoreCase(opt, "count")) {
      auto n = IntArg(ctx, ctx.arg(i + 1));
      if (!n) return false;
      if (*n < 1) {
        ctx.reply->Error(errors::kSyntax);
        return false;
      }
      out->count = *n;
    } else if (has_value && EqualsIgnoreCase(opt, "match")) {
      out->pattern = ctx.arg(i + 1);
      out->use_pattern = out->pattern != "*";
    } else if (has_value && allow_type && EqualsIgnoreCase(opt, "type")) {
      out->type = ctx.arg(i + 1);
      out->use_type = true;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

void ReplyScanHeader(CommandContext& ctx, uint64_t cursor, size_t elements) {
  char buf[kMaxIntChars];
  ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(std::string_view(buf, FormatUint64(cursor, buf)));
  ctx.reply->ArrayHeader(elements);
}

}  // namespace redwing
