#pragma once

// Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BLMPOP, BZPOPMIN, ...): who waits for which key,
// and serving them when a key becomes ready.
//
// The path of one blocked client:
//  1. Its command runs on the client's thread with every shard of its keys held (commands flagged
//     kCmdBlocking are routed that way). Finding nothing to pop, the handler calls
//     Session::Block(), which registers one BlockedClient under each key, in each key's shard's
//     BlockingTable (first come, first served), and suspends the session.
//  2. A later write that stores a list or sorted set under a key with waiters (Database::Put,
//     through the table's CollectionStoredListener) marks the key ready. When that command (or a
//     whole EXEC, as Redis does) has run, the thread that ran it still holds the shard and serves
//     the key's waiters in order: each waiter's serve function pops for it and writes its reply.
//  3. The reply travels to the client's thread (Worker::Post), which appends it and resumes the
//     client. Its registrations on other keys are removed at their shards' owners.
// A serve that would need a shard other than the ready key's (BLMOVE to a key elsewhere) wakes the
// client to run its command again instead, keeping its deadline.
//
// Races: a waiter may be served by one shard while another shard tries it, or while its own
// thread times it out or closes it. BlockedClient::state decides: only the thread that moves it
// out of kWaiting acts on it.
//
// Threading: a BlockingTable is shard data, touched only by the thread holding its shard. A
// BlockedClient is shared (shared_ptr) by its session and the tables; after creation only `state`
// changes.

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/database.h"

namespace redwing {

class Engine;
class Session;
class Shard;
class Worker;
struct CommandContext;
struct CommandSpec;

// What a serve function did with a ready key.
enum class ServeResult {
  kServed,    // replied (into ctx.reply): the client is done
  kNotReady,  // nothing to take (empty, or another type): the client stays blocked
  kRerun,     // needs shards not held here: wake the client to run its command again
};
// Serves a blocked client from `key`, which just became ready. Runs on a thread that holds the
// key's shard (only that one, possibly); ctx.args are the client's command, ctx.client is null.
using BlockedServeFn = ServeResult (*)(CommandContext& ctx, std::string_view key);

struct BlockedClient {
  enum State : int { kWaiting, kServing, kDone };
  std::atomic<int> state{kWaiting};

  // Immutable after Session::Block.
  Worker* worker = nullptr;    // the client's thread, where replies are delivered
  Session* session = nullptr;  // valid while `owner` lives
  std::weak_ptr<void> owner;   // the connection: a wake for a closed one is dropped
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;
  int db = 0;
  int resp = 2;
  BlockedServeFn serve = nullptr;
  std::vector<std::string> keys;  // distinct keys waited on
};

// One shard's waiters, by key, and the keys made ready by the command now running.
class BlockingTable {
 public:
  explicit BlockingTable(Shard* shard);
  ~BlockingTable();
  BlockingTable(const BlockingTable&) = delete;
  BlockingTable& operator=(const BlockingTable&) = delete;

  // Appends `client` to the waiters of `key` in database `db`.
  void Add(int db, std::string_view key, std::shared_ptr<BlockedClient> client);
  // Removes `client` from the waiters of every key of this shard it waits on.
  void Remove(const BlockedClient& client);
  // After SWAPDB: marks ready the waited keys of databases `a` and `b` that now hold a list or
  // sorted set (as Redis rescans swapped databases).
  void OnDatabasesSwapped(int a, int b);
  // Serves the waiters of the keys made ready since the last call, in order, until none is
  // ready. Called by the thread holding the shard, after a command or an EXEC.
  void ServeReady(Engine* engine);
  bool has_ready() const { return !ready_.empty(); }
  // Keys with waiters (for INFO).
  size_t blocked_keys() const { return waiters_.size(); }

 private:
  struct Listener final : CollectionStoredListener {
    BlockingTable* table = nullptr;
    int db = 0;
    void OnCollectionStored(std::string_view key) override { table->MarkReady(db, key); }
  };
  using Waiters = std::deque<std::shared_ptr<BlockedClient>>;
  static std::string TableKey(int db, std::string_view key);
  void MarkReady(int db, std::string_view key);
  // Serves `key`'s waiters in order; returns once one is not ready or none is left.
  void ServeKey(Engine* engine, const std::string& table_key);
  void Forget(Waiters::iterator it, const std::string& table_key, int db);
  void UpdateListener(int db);

  Shard* const shard_;
  std::unordered_map<std::string, Waiters> waiters_;  // TableKey(db, key) -> waiters
  std::vector<int> waiters_per_db_;
  std::vector<Listener> listeners_;
  std::vector<std::string> ready_;  // TableKeys, each once
};

// Removes `client` from the tables of all its keys' shards: directly for `held` (a shard the
// caller holds), through each other shard's owner otherwise.
void UnregisterBlocked(Engine* engine, const std::shared_ptr<BlockedClient>& client, Shard* held);

// Serves the ready keys of every shard the calling thread marked since the last call (shards it
// still holds). Called after each command, except inside EXEC (after the whole EXEC instead).
void ServeReadyKeys(Engine* engine);
bool HasReadyKeys();

}  // namespace redwing
