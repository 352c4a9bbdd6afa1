// CONFIG GET / SET / RESETSTAT / REWRITE / HELP, over the directive table in server/config.cc.

#include "server/commands/command_helpers.h"
#include "server/logging.h"

namespace redwing {
namespace {

void ConfigGet(CommandContext& ctx) {
  std::vector<std::string_view> patterns(ctx.args.begin() + 2, ctx.args.end());
  auto pairs = ctx.engine->config().Get(patterns);
  ctx.reply->MapHeader(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.reply->Bulk(name);
    ctx.reply->Bulk(value);
  }
}

void ConfigSet(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) {
    ctx.reply->Error(errors::WrongArity("config|set"));
    return;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) {
    pairs.emplace_back(std::string(ctx.arg(i)), std::string(ctx.arg(i + 1)));
  }
  Config& cfg = ctx.engine->config();
  if (auto err = cfg.Set(pairs)) {
    ctx.reply->Error("ERR " + *err);
    return;
  }
  ConfigureLogging(cfg.loglevel_rank(), cfg.logfile());
  // Every shard is held: a new maxmemory policy applies from the next command on.
  EvictionParams params = ctx.engine->CurrentEvictionParams();
  for (int s = 0; s < ctx.engine->num_shards(); ++s)
    ctx.engine->shard(s).SetEvictionParams(params);
  // Persistence switched on opens the page stores and writes everything; off flushes and closes.
  std::string error = ctx.engine->ApplyPersistence(/*startup=*/false);
  if (!error.empty()) {
    ctx.reply->Error("ERR " + error);
    return;
  }
  ctx.reply->Ok();
}

// Runs with every shard held: the shards' counters are written only by their holders.
void ConfigResetStat(CommandContext& ctx) {
  for (int s = 0; s < ctx.engine->num_shards(); ++s)
    ctx.engine->shard(s).stats() = ShardStats{};
  const int ids = ctx.engine->command_ids();
  for (int w = 0; w < ctx.engine->num_workers(); ++w) {
    WorkerCounters& c = ctx.engine->worker(w).counters();
    c.commands.store(0, std::memory_order_relaxed);
    c.net_input_bytes.store(0, std::memory_order_relaxed);
    c.net_output_bytes.store(0, std::memory_order_relaxed);
    for (int id = 0; id < ids; ++id) {
      auto& pc = c.per_command[id];
      pc.calls.store(0, std::memory_order_relaxed);
      pc.cycles.store(0, std::memory_order_relaxed);
      pc.failed.store(0, std::memory_order_relaxed);
      pc.rejected.store(0, std::memory_order_relaxed);
    }
  }
  ctx.engine->total_connections.store(0);
  ctx.engine->rejected_connections.store(0);
  ctx.engine->migrated_connections.store(0);
  ctx.reply->Ok();
}

void ConfigRewrite(CommandContext& ctx) {
  if (auto err = ctx.engine->config().Rewrite()) {
    ctx.reply->Error("ERR " + *err);
    return;
  }
  Log(LogLevel::kNotice, "CONFIG REWRITE executed with success.");
  ctx.reply->Ok();
}

void ConfigHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help."};
  ReplyHelp(ctx, kLines);
}

}  // namespace

void RegisterConfigCommands(CommandRegistry& r) {
  CommandSpec& config = r.Add({.name = "config", .arity = -2, .acl_categories = "@slow"});
  const uint32_t kAdmin = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  r.AddSubcommand(config, {.name = "get",
                           .arity = -3,
                           .flags = kAdmin,
                           .handler = ConfigGet,
                           .acl_categories = "@admin @slow @dangerous"});
  r.AddSubcommand(config, {.name = "set",
                           .arity = -4,
                           .flags = kAdmin | kCmdAllShards,
                           .handler = ConfigSet,
                           .acl_categories = "@admin @slow @dangerous"});
  r.AddSubcommand(config, {.name = "resetstat",
                           .arity = 2,
                           .flags = kAdmin | kCmdAllShards,
                           .handler = ConfigResetStat,
                           .acl_categories = "@admin @slow @dangerous"});
  r.AddSubcommand(config, {.name = "rewrite",
                           .arity = 2,
                           .flags = kAdmin,
                           .handler = ConfigRewrite,
                           .acl_categories = "@admin @slow @dangerous"});
  r.AddSubcommand(config, {.name = "help",
                           .arity = 2,
                           .flags = kCmdLoading | kCmdStale,
                           .handler = ConfigHelp,
                           .acl_categories = "@slow"});
}

}  // namespace redwing
