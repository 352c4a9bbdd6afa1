#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace redwing {

struct CommandContext;

// Command flags, as Redis names them (COMMAND INFO prints them), plus Redwing's routing flags.
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdFast = 1u << 2,
  kCmdDenyOom = 1u << 3,
  kCmdAdmin = 1u << 4,
  kCmdPubSub = 1u << 5,
  kCmdNoScript = 1u << 6,
  kCmdLoading = 1u << 7,
  kCmdStale = 1u << 8,
  kCmdNoAuth = 1u << 9,    // allowed before AUTH
  kCmdNoMulti = 1u << 10,  // cannot be queued in MULTI (runs immediately); not printed
  kCmdAllowBusy = 1u << 11,
  kCmdSkipSlowlog = 1u << 12,
  // Printed "no_multi" (Redis's meaning, unlike kCmdNoMulti): refused inside MULTI, which then
  // makes EXEC abort. Its handler refuses (SHUTDOWN, the only one); it also carries kCmdNoMulti
  // so that it reaches the handler instead of being queued.
  kCmdRefusedInMulti = 1u << 13,
  // May block the client (BLPOP...): runs on the client's thread with its keys' shards held, and
  // never blocks inside MULTI/EXEC (server/blocking.h).
  kCmdBlocking = 1u << 14,
  // Printed for commands with a key_finder (never set in a spec: derived).
  kCmdMovableKeys = 1u << 15,
  // Redis's no_async_loading (SAVE, BGSAVE): printed only; Redwing never loads asynchronously
  // beside a live data set.
  kCmdNoAsyncLoading = 1u << 16,
  // Routing (not printed by COMMAND): where the handler runs.
  kCmdAllShards = 1u << 20,  // needs every shard held (DBSIZE, KEYS, FLUSHALL, ...)
  kCmdClient = 1u << 21,     // runs on the connection's thread with its ClientState
  kCmdAsync = 1u << 22,      // may finish on another thread (Session::Suspend)
  kCmdExec = 1u << 23,       // EXEC: run by the session itself
  // DISCARD, QUIT, RESET: end a transaction, so they are never refused for memory inside one
  // (Redis's exceptions in its out-of-memory check; EXEC is judged by what it queued).
  kCmdEndsTransaction = 1u << 24,
  // May finish later on the connection's thread, once every worker has seen what it changed
  // ((UN)SUBSCRIBE: Session::Suspend); inside EXEC it finishes at once. Unlike kCmdAsync, it
  // may be queued in MULTI, as Redis allows.
  kCmdAwaitsWorkers = 1u << 25,
  // Allowed to a RESP2 client with subscriptions (Redis's "subscribed context"): (P|S)SUBSCRIBE,
  // (P|S)UNSUBSCRIBE, PING, QUIT, RESET.
  kCmdSubscribedContext = 1u << 26,
  // Its key positions name shard channels (COMMAND INFO shows them, as Redis's not_key key
  // specs), not data: the command is routed as keyless.
  kCmdKeysAreChannels = 1u << 27,
};

// How a multi-key command's work divides across shards (server/split_op.h): each shard runs the
// command on its own keys and the coordinator merges the parts' replies. kNone: the command runs
// whole on one thread holding every shard it needs.
enum class SplitReply : uint8_t {
  kNone,
  kOk,     // every part replies +OK (MSET)
  kSum,    // integer replies, summed (DEL, EXISTS, ...)
  kArray,  // one element per key, reassembled in argument order (MGET)
};

using CommandHandler = void (*)(CommandContext&);
// For commands whose keys are not at fixed positions (e.g. "numkeys" forms): appends the indexes
// of the key arguments. Returns false if the arguments are malformed (the handler then reports).
using KeyFinder = bool (*)(std::span<const std::string_view> args, std::vector<int>* keys);

// One command: its metadata (as Redis's command table) and handler. Immutable after start-up,
// shared by all threads. Its description (what COMMAND DOCS prints, and COMMAND INFO's tips and
// key specs) is not here but in its row of server/commands/command_args_table.cc.
struct CommandSpec {
  std::string name;  // lower case; "config|get" for a subcommand
  int arity = 0;     // Redis convention: -N means at least N (the name counts)
  uint32_t flags = 0;
  int first_key = 0;  // 0: no keys
  int last_key = 0;   // negative: counted from the end (-1 = last argument)
  int key_step = 0;
  CommandHandler handler = nullptr;
  KeyFinder key_finder = nullptr;
  // For commands that reach keys not among their arguments' keys (SORT's BY and GET patterns):
  // true if this invocation does, and so needs every shard held, as kCmdAllShards.
  bool (*needs_all_shards)(std::span<const std::string_view> args) = nullptr;
  SplitReply split = SplitReply::kNone;  // only for fixed (first, last, step) key positions
  // The argument that names a member or field of the first key's collection (SADD's first member,
  // HGET's field): its index, -1 for the last argument, 0 for none. Only a cache hint: a
  // pipeline's commands prefetch that member's place in a big collection's table before any runs.
  int member_arg = 0;
  std::string acl_categories;  // e.g. "@write @string @slow"
  // Container commands (CONFIG, CLIENT, ...) dispatch on their first argument.
  std::unordered_map<std::string, std::unique_ptr<CommandSpec>> subcommands;
  int id = 0;  // index into per-command statistics

  bool has_keys() const { return first_key > 0 || key_finder != nullptr; }
  // Whether its keys decide where it runs (they name data).
  bool routes_by_keys() const { return has_keys() && (flags & kCmdKeysAreChannels) == 0; }
  bool HoldsAllShards(std::span<const std::string_view> args) const {
    return (flags & kCmdAllShards) != 0 || (needs_all_shards != nullptr && needs_all_shards(args));
  }
  // The subcommand named `sub` (case-insensitive), or nullptr.
  const CommandSpec* FindSubcommand(std::string_view sub) const;
  // Appends the argument indexes of this invocation's keys.
  bool FindKeys(std::span<const std::string_view> args, std::vector<int>* keys) const;
};

// The table of all commands: built once at start-up (each family adds its own entries), then
// read-only and shared by all threads.
class CommandRegistry {
 public:
  static const CommandRegistry& Get();

  // Finds a command by name, case-insensitively; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  const std::vector<const CommandSpec*>& all() const { return all_; }
  size_t count() const { return all_.size(); }
  // Number of command ids allocated (commands and subcommands), for statistics arrays.
  int id_count() const { return next_id_; }
  const CommandSpec* ById(int id) const { return by_id_[static_cast<size_t>(id)]; }

  // Registration (start-up only).
  CommandSpec& Add(CommandSpec spec);
  CommandSpec& AddSubcommand(CommandSpec& parent, CommandSpec spec);

 private:
  CommandRegistry();
  static constexpr size_t kMaxNameLength = 64;
  // Aborts if a command or subcommand has no documentation row (command_args_table.cc).
  void CheckDocumented() const;
  void IndexForLookup(const CommandSpec* spec);
  void InsertSlot(const CommandSpec* spec);

  std::vector<std::unique_ptr<CommandSpec>> commands_;
  std::vector<const CommandSpec*> slots_;  // open-addressing index of all_ by name
  std::vector<const CommandSpec*> all_;
  std::vector<const CommandSpec*> by_id_;
  int next_id_ = 0;
};

// Each command family registers its commands (called once, by the registry's constructor).
void RegisterStringCommands(CommandRegistry& r);
void RegisterKeyCommands(CommandRegistry& r);
void RegisterConnectionCommands(CommandRegistry& r);
void RegisterServerCommands(CommandRegistry& r);
void RegisterTransactionCommands(CommandRegistry& r);
void RegisterConfigCommands(CommandRegistry& r);
void RegisterClientCommands(CommandRegistry& r);
void RegisterIntrospectionCommands(CommandRegistry& r);
void RegisterHashCommands(CommandRegistry& r);
void RegisterListCommands(CommandRegistry& r);
void RegisterSetCommands(CommandRegistry& r);
void RegisterSortedSetCommands(CommandRegistry& r);
void RegisterBlockingCommands(CommandRegistry& r);
void RegisterSortCommands(CommandRegistry& r);
void RegisterPubSubCommands(CommandRegistry& r);

}  // namespace redwing
