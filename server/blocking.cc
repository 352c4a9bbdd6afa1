#include "server/blocking.h"

#include <algorithm>
#include <cstring>

#include "protocol/byte_buffer.h"
#include "protocol/reply_builder.h"
#include "server/command_context.h"
#include "server/engine.h"
#include "server/multi_shard_op.h"
#include "server/session.h"
#include "server/shard.h"
#include "server/worker.h"

namespace redwing {
namespace {

// Shards whose tables have ready keys, marked by the calling thread's commands.
thread_local std::vector<Shard*> tl_ready_shards;

}  // namespace

BlockingTable::BlockingTable(Shard* shard) : shard_(shard) {
  waiters_per_db_.assign(static_cast<size_t>(shard->num_dbs()), 0);
  listeners_.resize(static_cast<size_t>(shard->num_dbs()));
  for (size_t i = 0; i < listeners_.size(); ++i) {
    listeners_[i].table = this;
    listeners_[i].db = static_cast<int>(i);
  }
}

BlockingTable::~BlockingTable() = default;

std::string BlockingTable::TableKey(int db, std::string_view key) {
  std::string k(sizeof(int32_t), '\0');
  int32_t d = db;
  std::memcpy(k.data(), &d, sizeof(d));
  k.append(key);
  return k;
}

void BlockingTable::UpdateListener(int db) {
  bool any = waiters_per_db_[static_cast<size_t>(db)] > 0;
  shard_->db(db).set_stored_listener(any ? &listeners_[static_cast<size_t>(db)] : nullptr);
}

void BlockingTable::Add(int db, std::string_view key, std::shared_ptr<BlockedClient> client) {
  auto [it, inserted] = waiters_.try_emplace(TableKey(db, key));
  it->second.push_back(std::move(client));
  if (inserted && waiters_per_db_[static_cast<size_t>(db)]++ == 0) UpdateListener(db);
}

void BlockingTable::Remove(const BlockedClient& client) {
  for (const std::string& key : client.keys) {
    std::string table_key = TableKey(client.db, key);
    auto it = waiters_.find(table_key);
    if (it == waiters_.end()) continue;
    Waiters& q = it->second;
    q.erase(std::remove_if(q.begin(), q.end(), [&](const auto& c) { return c.get() == &client; }),
            q.end());
    if (q.empty()) {
      waiters_.erase(it);
      if (--waiters_per_db_[static_cast<size_t>(client.db)] == 0) UpdateListener(client.db);
    }
  }
}

void BlockingTable::MarkReady(int db, std::string_view key) {
  std::string table_key = TableKey(db, key);
  if (waiters_.find(table_key) == waiters_.end()) return;
  if (std::find(ready_.begin(), ready_.end(), table_key) != ready_.end()) return;
  if (ready_.empty()) tl_ready_shards.push_back(shard_);
  ready_.push_back(std::move(table_key));
}

void BlockingTable::OnDatabasesSwapped(int a, int b) {
  std::vector<std::pair<int, std::string>> filled;
  for (const auto& [table_key, waiters] : waiters_) {
    int32_t db;
    std::memcpy(&db, table_key.data(), sizeof(db));
    if (db != a && db != b) continue;
    std::string_view key = std::string_view(table_key).substr(sizeof(db));
    Database& d = shard_->db(db);
    const Entry* e = d.Find(key).entry();
    if (e != nullptr && (e->type() == ValueType::kList || e->type() == ValueType::kZSet)) {
      filled.emplace_back(db, key);
    }
  }
  for (const auto& [db, key] : filled)
    MarkReady(db, key);
}

void BlockingTable::ServeReady(Engine* engine) {
  while (!ready_.empty()) {
    std::string table_key = std::move(ready_.front());
    ready_.erase(ready_.begin());
    ServeKey(engine, table_key);
  }
}

void BlockingTable::ServeKey(Engine* engine, const std::string& table_key) {
  int32_t db;
  std::memcpy(&db, table_key.data(), sizeof(db));
  std::string_view key = std::string_view(table_key).substr(sizeof(db));
  std::vector<std::shared_ptr<BlockedClient>> finished;
  auto it = waiters_.find(table_key);
  if (it == waiters_.end()) return;
  Waiters& q = it->second;
  for (size_t i = 0; i < q.size();) {
    std::shared_ptr<BlockedClient> c = q[i];
    int expected = BlockedClient::kWaiting;
    if (!c->state.compare_exchange_strong(expected, BlockedClient::kServing,
                                          std::memory_order_acq_rel)) {
      if (expected == BlockedClient::kDone) {
        q.erase(q.begin() + static_cast<ptrdiff_t>(i));  // timed out or closed meanwhile
      } else {
        ++i;  // another shard is serving it this instant
      }
      continue;
    }
    ByteBuffer out;
    ReplyBuilder rb(&out, c->resp);
    std::vector<std::string_view> args(c->args.begin(), c->args.end());
    CommandContext ctx;
    ctx.args = args;
    ctx.spec = c->spec;
    ctx.reply = &rb;
    ctx.engine = engine;
    ctx.db = c->db;
    ServeResult r = c->serve(ctx, key);
    if (r == ServeResult::kNotReady) {
      c->state.store(BlockedClient::kWaiting, std::memory_order_release);
      break;  // whoever is behind it cannot be served either
    }
    c->state.store(BlockedClient::kDone, std::memory_order_release);
    q.erase(q.begin() + static_cast<ptrdiff_t>(i));
    c->worker->Post(
        new FunctionTask([c, bytes = std::string(out.view()), rerun = r == ServeResult::kRerun] {
          if (std::shared_ptr<void> alive = c->owner.lock()) {
            c->session->OnBlockedWake(c.get(), bytes, rerun);
          }
        }));
    finished.push_back(std::move(c));
  }
  if (q.empty()) {
    waiters_.erase(it);
    if (--waiters_per_db_[static_cast<size_t>(db)] == 0) UpdateListener(db);
  }
  for (const auto& c : finished)
    UnregisterBlocked(engine, c, shard_);
}

void UnregisterBlocked(Engine* engine, const std::shared_ptr<BlockedClient>& client, Shard* held) {
  std::vector<int> shards;
  for (const std::string& key : client->keys)
    shards.push_back(engine->ShardOfKey(key));
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  for (int s : shards) {
    Shard* shard = &engine->shard(s);
    if (shard == held) {
      shard->blocking().Remove(*client);
    } else {
      RunOnShardAsync(shard, [shard, client] { shard->blocking().Remove(*client); });
    }
  }
}

void ServeReadyKeys(Engine* engine) {
  // Serving may mark more keys ready (BLMOVE pushes): loop until none is left.
  while (!tl_ready_shards.empty()) {
    Shard* shard = tl_ready_shards.back();
    tl_ready_shards.pop_back();
    shard->blocking().ServeReady(engine);
  }
}

bool HasReadyKeys() {
  return !tl_ready_shards.empty();
}

}  // namespace redwing
