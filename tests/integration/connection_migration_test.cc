// Connection migration (connection-migration, server/connection.h): a connection whose commands
// all go to another worker's shard moves to that worker, between reads, and keeps its state.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

std::unique_ptr<ServerProcess> StartWith(const std::string& mode) {
  return ServerProcess::StartRedwing({"--threads", "2", "--connection-migration", mode});
}

int64_t Migrated(int port) {
  Client admin(port);
  return admin.InfoNumber("stats", "migrated_connections");
}

// `n` INCRs of `key`, one at a time; the last reply.
std::string IncrTimes(RawClient& c, const std::string& key, int n) {
  std::string last;
  for (int i = 0; i < n; ++i)
    last = c.Run({"INCR", key});
  return last;
}

// Past the server's threshold (64 commands in a row for one other shard).
constexpr int kEnough = 100;

// One key on each shard of a two-thread server.
struct ShardKeys {
  std::string on0;
  std::string on1;
};
ShardKeys OneKeyPerShard(const std::string& prefix) {
  return {KeysOfShard(prefix, 0, 1)[0], KeysOfShard(prefix, 1, 1)[0]};
}

// Enough commands on each shard in turn that a connection allowed to move has moved at least once,
// wherever it started.
void VisitBothShards(RawClient& c, const ShardKeys& k) {
  IncrTimes(c, k.on0, kEnough);
  IncrTimes(c, k.on1, kEnough);
}

TEST(ConnectionMigration, AConnectionFollowsItsKeysAndKeepsItsState) {
  auto server = StartWith("yes");
  ASSERT_NE(server, nullptr);
  auto [k0, k1] = OneKeyPerShard("mig");
  RawClient c(server->port());
  ASSERT_EQ(c.Run({"CLIENT", "SETNAME", "mover"}), "+OK\r\n");
  ASSERT_EQ(c.Run({"SELECT", "3"}), "+OK\r\n");
  std::string id = c.Run({"CLIENT", "ID"});
  ASSERT_EQ(id.substr(0, 1), ":");
  ASSERT_EQ(c.Run({"HELLO", "3"}).substr(0, 1), "%");

  // Whichever worker the connection started on, after these two runs it is on shard 0's owner:
  // each run moves it at most once.
  EXPECT_EQ(IncrTimes(c, k1, kEnough), ":100\r\n");
  EXPECT_EQ(IncrTimes(c, k0, kEnough), ":100\r\n");
  int64_t before = Migrated(server->port());
  EXPECT_GE(before, 1);
  EXPECT_LE(before, 2);
  // Now it moves to shard 1's owner, once.
  EXPECT_EQ(IncrTimes(c, k1, kEnough), ":200\r\n");
  EXPECT_EQ(Migrated(server->port()), before + 1);
  EXPECT_EQ(IncrTimes(c, k1, kEnough), ":300\r\n");
  EXPECT_EQ(Migrated(server->port()), before + 1);

  // Same client: id, name, database and protocol (RESP3 map replies) came along.
  EXPECT_EQ(c.Run({"CLIENT", "ID"}), id);
  std::string info = c.Run({"CLIENT", "INFO"});
  EXPECT_NE(info.find(" name=mover "), std::string::npos) << info;
  EXPECT_NE(info.find(" db=3 "), std::string::npos) << info;
  EXPECT_NE(info.find(" resp=3 "), std::string::npos) << info;
  EXPECT_EQ(c.Run({"HGETALL", "nothing"}), "%0\r\n");
  // Listed once, and counted once: the moves neither added nor dropped a client. (The admin
  // connections of Migrated() close asynchronously: wait for the count to settle.)
  Client admin(server->port());
  int64_t clients = -1;
  for (int i = 0; i < 500 && clients != 2; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    clients = admin.InfoNumber("clients", "connected_clients");
  }
  EXPECT_EQ(clients, 2);
  std::string list = admin({"CLIENT", "LIST"});
  size_t first = list.find("name=mover");
  EXPECT_NE(first, std::string::npos) << list;
  EXPECT_EQ(list.find("name=mover", first + 1), std::string::npos) << list;
  EXPECT_EQ(admin({"SELECT", "3"}), "OK");
  EXPECT_EQ(admin({"GET", k1}), "\"300\"");
  EXPECT_EQ(admin({"GET", k0}), "\"100\"");
}

// A client that streams its requests: the socket changes workers while requests wait in it, and
// every reply still arrives once, in order.
TEST(ConnectionMigration, StreamedPipelinesLoseAndReorderNothing) {
  auto server = StartWith("yes");
  ASSERT_NE(server, nullptr);
  ShardKeys pipe = OneKeyPerShard("pipe");
  const std::string keys[2] = {pipe.on0, pipe.on1};
  RawClient c(server->port());
  constexpr int kRuns = 12;
  constexpr int kPerRun = 300;
  // Runs that wait for their replies (the connection is idle between them), then runs sent all
  // at once (requests are in the socket while it moves).
  int64_t counts[2] = {0, 0};
  for (int run = 0; run < kRuns; ++run) {
    int k = run % 2;
    std::string bytes;
    for (int i = 0; i < kPerRun; ++i)
      bytes += EncodeCommand({"INCR", keys[k]});
    c.Send(bytes);
    for (int i = 0; i < kPerRun; ++i) {
      ASSERT_EQ(c.ReadReply(), ":" + std::to_string(++counts[k]) + "\r\n") << run << " " << i;
    }
  }
  int64_t paced = Migrated(server->port());
  EXPECT_GE(paced, kRuns - 2);
  std::string all;
  for (int run = 0; run < kRuns; ++run) {
    for (int i = 0; i < kPerRun; ++i)
      all += EncodeCommand({"INCR", keys[run % 2]});
  }
  c.Send(all);
  for (int run = 0; run < kRuns; ++run) {
    int k = run % 2;
    for (int i = 0; i < kPerRun; ++i) {
      ASSERT_EQ(c.ReadReply(), ":" + std::to_string(++counts[k]) + "\r\n") << run << " " << i;
    }
  }
  EXPECT_EQ(c.Run({"PING"}), "+PONG\r\n");
}

// State that lives on the worker (a subscription, a WATCH) keeps the connection where it is.
TEST(ConnectionMigration, SubscribersAndWatchersStay) {
  auto server = StartWith("yes");
  ASSERT_NE(server, nullptr);
  ShardKeys keys = OneKeyPerShard("stay");
  RawClient c(server->port());
  ASSERT_EQ(c.Run({"HELLO", "3"}).substr(0, 1), "%");
  ASSERT_EQ(c.Run({"SUBSCRIBE", "news"}), ">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
  VisitBothShards(c, keys);
  EXPECT_EQ(Migrated(server->port()), 0);
  Client publisher(server->port());
  EXPECT_EQ(publisher({"PUBLISH", "news", "hello"}), "(integer) 1");
  EXPECT_EQ(c.ReadReply(), ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  EXPECT_EQ(c.Run({"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:0\r\n");

  RawClient w(server->port());
  ASSERT_EQ(w.Run({"WATCH", keys.on0, keys.on1}), "+OK\r\n");
  VisitBothShards(w, keys);
  EXPECT_EQ(Migrated(server->port()), 0);
  // Its own writes touched the watched keys: EXEC aborts, as it would have without them moving.
  ASSERT_EQ(w.Run({"MULTI"}), "+OK\r\n");
  ASSERT_EQ(w.Run({"GET", keys.on0}), "+QUEUED\r\n");
  EXPECT_EQ(w.Run({"EXEC"}), "*-1\r\n");
  // Unwatched, the connection follows its keys again.
  VisitBothShards(w, keys);
  EXPECT_GE(Migrated(server->port()), 1);
}

TEST(ConnectionMigration, NoMeansNeverAndTheSettingChangesAtRuntime) {
  auto server = StartWith("no");
  ASSERT_NE(server, nullptr);
  ShardKeys keys = OneKeyPerShard("never");
  RawClient c(server->port());
  VisitBothShards(c, keys);
  EXPECT_EQ(Migrated(server->port()), 0);

  Client admin(server->port());
  EXPECT_EQ(admin({"CONFIG", "GET", "connection-migration"}), "[\"connection-migration\", \"no\"]");
  EXPECT_EQ(admin({"CONFIG", "SET", "connection-migration", "sometimes"}),
            "(error) ERR CONFIG SET failed (possibly related to argument 'connection-migration') "
            "- argument(s) must be one of the following: auto, yes, no");
  EXPECT_EQ(admin({"CONFIG", "SET", "connection-migration", "yes"}), "OK");
  VisitBothShards(c, keys);
  EXPECT_GE(Migrated(server->port()), 1);
  EXPECT_EQ(admin({"CONFIG", "SET", "connection-migration", "auto"}), "OK");
  EXPECT_EQ(admin({"CONFIG", "GET", "connection-migration"}),
            "[\"connection-migration\", \"auto\"]");
  std::string contended = admin.InfoField("stats", "cpu_contended");
  EXPECT_TRUE(contended == "0" || contended == "1") << contended;
  EXPECT_EQ(admin({"CONFIG", "RESETSTAT"}), "OK");
  EXPECT_EQ(Migrated(server->port()), 0);
}

}  // namespace
}  // namespace redwing::test
