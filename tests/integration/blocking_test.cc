// Blocking list and sorted-set commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX
// BZMPOP) over real connections: waiters
// and pushers on different connections and threads (4 threads, so keys spread over shards),
// first-blocked-first-served, timeouts, MULTI/EXEC, a waiter that disconnects, keys that change
// type. Error replies and the non-blocking paths are in tests/differential/blocking.txt.

#include <chrono>
#include <string>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

using Clock = std::chrono::steady_clock;

class BlockingTest : public SharedServerTest<BlockingTest> {
 public:
  static std::vector<std::string> ServerArgs() { return {"--threads", "4"}; }

 protected:
  // INFO's blocked_clients.
  int64_t Blocked(Client& c) {
    std::string info = c.Command({"INFO", "clients"})->str;
    size_t pos = info.find("blocked_clients:");
    return std::stoll(info.substr(pos + 16));
  }
  // Sends a command on `waiter` and waits until the server counts `n` blocked clients.
  void BlockOn(RawClient& waiter, const std::vector<std::string>& cmd, int64_t n) {
    waiter.Send(EncodeCommand(cmd));
    Client admin(port());
    ASSERT_TRUE(PollUntil([&] { return Blocked(admin) == n; })) << "never blocked";
  }
};

std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

std::string Pair(const std::string& a, const std::string& b) {
  return "*2\r\n" + Bulk(a) + Bulk(b);
}

TEST_F(BlockingTest, PushFromAnotherConnectionServesTheWaiter) {
  Client c(port());
  for (int i = 0; i < 8; ++i) {  // keys on different shards and threads
    std::string key = "queue:" + std::to_string(i);
    RawClient waiter(port());
    BlockOn(waiter, {"BLPOP", "other:" + std::to_string(i), key, "0"}, 1);
    EXPECT_EQ(c({"RPUSH", key, "a", "b"}), "(integer) 2");
    EXPECT_EQ(waiter.ReadReply(), Pair(key, "a"));
    EXPECT_EQ(c({"LRANGE", key, "0", "-1"}), "[\"b\"]");
  }
  EXPECT_EQ(Blocked(c), 0);
}

TEST_F(BlockingTest, FirstBlockedFirstServed) {
  Client c(port());
  RawClient w1(port()), w2(port()), w3(port());
  BlockOn(w1, {"BRPOP", "q", "0"}, 1);
  BlockOn(w2, {"BLPOP", "q", "0"}, 2);
  BlockOn(w3, {"BRPOP", "q", "0"}, 3);
  // One push of three elements serves all three, in the order they blocked.
  EXPECT_EQ(c({"RPUSH", "q", "x", "y", "z"}), "(integer) 3");
  EXPECT_EQ(w1.ReadReply(), Pair("q", "z"));
  EXPECT_EQ(w2.ReadReply(), Pair("q", "x"));
  EXPECT_EQ(w3.ReadReply(), Pair("q", "y"));
  EXPECT_EQ(c({"EXISTS", "q"}), "(integer) 0");  // emptied by the pops
}

TEST_F(BlockingTest, TimeoutAnswersNullAfterTheTimeout) {
  RawClient w(port());
  auto start = Clock::now();
  EXPECT_EQ(w.Run({"BLPOP", "missing", "0.2"}), "*-1\r\n");
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(190));
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_EQ(w.Run({"BLMOVE", "missing", "d", "LEFT", "LEFT", "0.05"}), "*-1\r\n");
  EXPECT_EQ(w.Run({"HELLO", "3"}).substr(0, 1), "%");
  EXPECT_EQ(w.Run({"BRPOP", "missing", "0.05"}), "_\r\n");
  // The connection goes on normally afterwards.
  EXPECT_EQ(w.Run({"PING"}), "+PONG\r\n");
}

TEST_F(BlockingTest, InsideMultiNothingBlocks) {
  Client c(port());
  RawClient w(port());
  EXPECT_EQ(w.Run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(w.Run({"BLPOP", "empty", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(w.Run({"BLMOVE", "empty", "d", "LEFT", "LEFT", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(w.Run({"EXEC"}), "*2\r\n*-1\r\n$-1\r\n");
  // A transaction that pushes and pops the element again leaves the waiter blocked: it is served
  // after the whole EXEC, as in Redis.
  RawClient waiter(port());
  BlockOn(waiter, {"BLPOP", "k", "0"}, 1);
  EXPECT_EQ(w.Run({"MULTI"}), "+OK\r\n");
  w.Run({"LPUSH", "k", "gone"});
  w.Run({"LPOP", "k"});
  EXPECT_EQ(w.Run({"EXEC"}), "*2\r\n:1\r\n$4\r\ngone\r\n");
  EXPECT_EQ(Blocked(c), 1);
  EXPECT_EQ(c({"LPUSH", "k", "kept"}), "(integer) 1");
  EXPECT_EQ(waiter.ReadReply(), Pair("k", "kept"));
}

TEST_F(BlockingTest, AWaiterThatDisconnectsLeavesNothingBehind) {
  Client c(port());
  {
    RawClient w(port());
    BlockOn(w, {"BLPOP", "a", "b", "c", "0"}, 1);
  }  // closed while blocked
  ASSERT_TRUE(PollUntil([&] { return Blocked(c) == 0; }));
  EXPECT_EQ(c({"RPUSH", "b", "v"}), "(integer) 1");
  EXPECT_EQ(c({"LLEN", "b"}), "(integer) 1");  // nobody took it
  // A waiter still in the queue behind a closed one is served.
  RawClient w1(port());
  BlockOn(w1, {"BLPOP", "d", "0"}, 1);
  {
    RawClient w2(port());
    BlockOn(w2, {"BLPOP", "d", "0"}, 2);
  }
  ASSERT_TRUE(PollUntil([&] { return Blocked(c) == 1; }));
  RawClient w3(port());
  BlockOn(w3, {"BLPOP", "d", "0"}, 2);
  EXPECT_EQ(c({"RPUSH", "d", "1", "2"}), "(integer) 2");
  EXPECT_EQ(w1.ReadReply(), Pair("d", "1"));
  EXPECT_EQ(w3.ReadReply(), Pair("d", "2"));
}

TEST_F(BlockingTest, ClientListFlagsABlockedClient) {
  Client c(port());
  RawClient w(port());
  BlockOn(w, {"BLPOP", "flagged", "0"}, 1);
  std::string list = c.Command({"CLIENT", "LIST"})->str;
  EXPECT_NE(list.find("flags=b "), std::string::npos) << list;
  EXPECT_NE(list.find("cmd=blpop "), std::string::npos) << list;
  c({"RPUSH", "flagged", "v"});
  EXPECT_EQ(w.ReadReply(), Pair("flagged", "v"));
  EXPECT_EQ(std::string(c.Command({"CLIENT", "LIST"})->str).find("flags=b "), std::string::npos);
}

// SWAPDB brings a filled key into the waiter's database: Redis serves it, and so does Redwing.
TEST_F(BlockingTest, SwapDbServesWaitersOfKeysItBringsIn) {
  Client c(port());
  RawClient w(port());
  EXPECT_EQ(w.Run({"SELECT", "1"}), "+OK\r\n");
  BlockOn(w, {"BLPOP", "swapped", "0"}, 1);
  c({"RPUSH", "swapped", "v"});
  EXPECT_EQ(c({"SWAPDB", "0", "1"}), "OK");
  EXPECT_EQ(w.ReadReply(), Pair("swapped", "v"));
  c({"SWAPDB", "0", "1"});
  EXPECT_EQ(c({"FLUSHALL"}), "OK");
}

TEST_F(BlockingTest, AKeyOfAnotherTypeDoesNotServe) {
  Client c(port());
  RawClient w(port());
  BlockOn(w, {"BLPOP", "k", "0"}, 1);
  EXPECT_EQ(c({"SET", "k", "string"}), "OK");
  EXPECT_EQ(c({"DEL", "k"}), "(integer) 1");
  EXPECT_EQ(Blocked(c), 1);
  EXPECT_EQ(c({"RPUSH", "k", "v"}), "(integer) 1");
  EXPECT_EQ(w.ReadReply(), Pair("k", "v"));
}

TEST_F(BlockingTest, RenameIntoAWaitedKeyServes) {
  Client c(port());
  RawClient w(port());
  BlockOn(w, {"BRPOP", "target", "0"}, 1);
  c({"RPUSH", "source", "1", "2"});
  EXPECT_EQ(c({"RENAME", "source", "target"}), "OK");
  EXPECT_EQ(w.ReadReply(), Pair("target", "2"));
}

TEST_F(BlockingTest, MovesAcrossShardsAndChainsWaiters) {
  Client c(port());
  for (int i = 0; i < 6; ++i) {  // most pairs sit on different shards
    std::string src = "src:" + std::to_string(i), dst = "dst:" + std::to_string(i);
    RawClient reader(port()), mover(port());
    BlockOn(reader, {"BLPOP", dst, "0"}, 1);
    BlockOn(mover, {"BLMOVE", src, dst, "RIGHT", "LEFT", "0"}, 2);
    EXPECT_EQ(c({"RPUSH", src, "a", "b"}), "(integer) 2");
    EXPECT_EQ(mover.ReadReply(), Bulk("b"));
    // The move filled dst, which served the reader in turn.
    EXPECT_EQ(reader.ReadReply(), Pair(dst, "b"));
    EXPECT_EQ(c({"LRANGE", src, "0", "-1"}), "[\"a\"]");
    EXPECT_EQ(c({"EXISTS", dst}), "(integer) 0");
    c({"DEL", src});
  }
  RawClient w(port());
  BlockOn(w, {"BRPOPLPUSH", "s", "d", "0"}, 1);
  c({"RPUSH", "s", "1", "2"});
  EXPECT_EQ(w.ReadReply(), Bulk("2"));
  EXPECT_EQ(c({"LRANGE", "d", "0", "-1"}), "[\"2\"]");
}

TEST_F(BlockingTest, MultiPopTakesUpToCount) {
  Client c(port());
  RawClient w(port());
  BlockOn(w, {"BLMPOP", "0", "2", "x", "y", "RIGHT", "COUNT", "2"}, 1);
  c({"RPUSH", "y", "1", "2", "3"});
  EXPECT_EQ(w.ReadReply(), "*2\r\n" + Bulk("y") + "*2\r\n" + Bulk("3") + Bulk("2"));
  EXPECT_EQ(c({"LRANGE", "y", "0", "-1"}), "[\"1\"]");
}

TEST_F(BlockingTest, ManyWaitersAcrossThreadsEachGetOneElement) {
  Client c(port());
  constexpr int kWaiters = 40;
  std::vector<std::unique_ptr<RawClient>> waiters;
  for (int i = 0; i < kWaiters; ++i) {  // connections spread over the threads
    waiters.push_back(std::make_unique<RawClient>(port()));
    BlockOn(*waiters.back(), {"BLPOP", "k" + std::to_string(i % 5), "jobs", "10"}, i + 1);
  }
  std::vector<std::string> push = {"RPUSH", "jobs"};
  for (int i = 0; i < kWaiters; ++i)
    push.push_back("job" + std::to_string(i));
  c.Run(push);
  std::vector<std::string> got;
  for (auto& w : waiters)
    got.push_back(w->ReadReply());
  for (int i = 0; i < kWaiters; ++i)
    EXPECT_EQ(got[static_cast<size_t>(i)], Pair("jobs", "job" + std::to_string(i)));
  EXPECT_EQ(Blocked(c), 0);
}

TEST_F(BlockingTest, SortedSetPopsAreServedByZAdd) {
  Client c(port());
  RawClient min(port()), max(port()), multi(port());
  BlockOn(min, {"BZPOPMIN", "z1", "z2", "0"}, 1);
  BlockOn(max, {"BZPOPMAX", "z2", "0"}, 2);
  BlockOn(multi, {"BZMPOP", "0", "1", "z2", "MIN", "COUNT", "10"}, 3);
  EXPECT_EQ(c({"ZADD", "z2", "1", "a", "2", "b", "3", "c", "4", "d"}), "(integer) 4");
  EXPECT_EQ(min.ReadReply(), "*3\r\n" + Bulk("z2") + Bulk("a") + Bulk("1"));
  EXPECT_EQ(max.ReadReply(), "*3\r\n" + Bulk("z2") + Bulk("d") + Bulk("4"));
  EXPECT_EQ(multi.ReadReply(), "*2\r\n" + Bulk("z2") + "*2\r\n*2\r\n" + Bulk("b") + Bulk("2") +
                                   "*2\r\n" + Bulk("c") + Bulk("3"));
  EXPECT_EQ(c({"EXISTS", "z2"}), "(integer) 0");
  // ZINCRBY creating the key serves too; a list pushed under a sorted-set waiter's key does not.
  RawClient w(port());
  BlockOn(w, {"BZPOPMIN", "z3", "0"}, 1);
  c({"RPUSH", "z3", "x"});
  EXPECT_EQ(Blocked(c), 1);
  c({"DEL", "z3"});
  c({"ZINCRBY", "z3", "2.5", "m"});
  EXPECT_EQ(w.ReadReply(), "*3\r\n" + Bulk("z3") + Bulk("m") + Bulk("2.5"));
}

}  // namespace
}  // namespace redwing::test
