// MULTI/EXEC/WATCH semantics and the atomicity of multi-shard commands under concurrency.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

class TransactionTest : public SharedServerTest<TransactionTest> {};

TEST_F(TransactionTest, QueuesAndExecutesInOrder) {
  Client c(server_->port());
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"SET", "a", "1"}), "QUEUED");
  EXPECT_EQ(c({"INCR", "a"}), "QUEUED");
  EXPECT_EQ(c({"SET", "b", "x"}), "QUEUED");
  EXPECT_EQ(c({"GET", "a"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[OK, (integer) 2, OK, \"2\"]");
}

TEST_F(TransactionTest, RuntimeErrorsDoNotAbort) {
  Client c(server_->port());
  c({"SET", "s", "notanumber"});
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"INCR", "s"}), "QUEUED");
  EXPECT_EQ(c({"SET", "t", "1"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[(error) ERR value is not an integer or out of range, OK]");
}

TEST_F(TransactionTest, QueueErrorsAbortWithExecAbort) {
  Client c(server_->port());
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"SET", "a"}), "(error) ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(c({"NOSUCH"}), "(error) ERR unknown command 'NOSUCH', with args beginning with: ");
  EXPECT_EQ(c({"SET", "a", "1"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "(error) EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(c({"GET", "a"}), "(nil)");
}

TEST_F(TransactionTest, DiscardAndNestingErrors) {
  Client c(server_->port());
  EXPECT_EQ(c({"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(c({"DISCARD"}), "(error) ERR DISCARD without MULTI");
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"MULTI"}), "(error) ERR MULTI calls can not be nested");
  EXPECT_EQ(c({"SET", "d", "1"}), "QUEUED");
  EXPECT_EQ(c({"DISCARD"}), "OK");
  EXPECT_EQ(c({"GET", "d"}), "(nil)");
}

TEST_F(TransactionTest, WatchAbortsWhenAnotherClientWritesAnyShard) {
  Client c(server_->port()), other(server_->port());
  // Keys chosen to spread over both shards.
  for (int i = 0; i < 8; ++i) {
    std::string key = "w" + std::to_string(i);
    c({"SET", key, "0"});
    EXPECT_EQ(c({"WATCH", key}), "OK");
    EXPECT_EQ(c({"MULTI"}), "OK");
    EXPECT_EQ(c({"SET", key, "mine"}), "QUEUED");
    EXPECT_EQ(other({"SET", key, "theirs"}), "OK");
    EXPECT_EQ(c({"EXEC"}), "(nil)") << key;
    EXPECT_EQ(c({"GET", key}), "\"theirs\"");
  }
}

TEST_F(TransactionTest, WatchWithoutInterferenceSucceeds) {
  Client c(server_->port());
  EXPECT_EQ(c({"WATCH", "x", "y", "z"}), "OK");
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"MSET", "x", "1", "y", "2", "z", "3"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[OK]");
  EXPECT_EQ(c({"UNWATCH"}), "OK");
  EXPECT_EQ(c({"WATCH", "x"}), "OK");
  EXPECT_EQ(c({"UNWATCH"}), "OK");
  Client other(server_->port());
  other({"SET", "x", "changed"});
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"GET", "x"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "[\"changed\"]");
}

// CLIENT LIST/KILL gather from every thread and cannot answer inside EXEC: refused at queue time,
// which aborts the transaction, as Redis does for commands not allowed in transactions.
TEST_F(TransactionTest, CrossThreadAdminCommandsAreRefusedInMulti) {
  Client c(server_->port());
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"SET", "a", "1"}), "QUEUED");
  EXPECT_EQ(c({"CLIENT", "LIST"}), "(error) ERR Command not allowed inside a transaction");
  EXPECT_EQ(c({"EXEC"}), "(error) EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(c({"GET", "a"}), "(nil)");
  EXPECT_EQ(c({"PING"}), "PONG");
}

TEST_F(TransactionTest, WatchInsideMultiIsRefused) {
  Client c(server_->port());
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"WATCH", "a"}), "(error) ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(c({"EXEC"}), "[]");
}

TEST_F(TransactionTest, FlushAllTouchesWatchedKeys) {
  Client c(server_->port()), other(server_->port());
  c({"SET", "f", "1"});
  EXPECT_EQ(c({"WATCH", "f"}), "OK");
  EXPECT_EQ(other({"FLUSHALL"}), "OK");
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"SET", "f", "2"}), "QUEUED");
  EXPECT_EQ(c({"EXEC"}), "(nil)");
}

// Writers set 16 keys (spread over both shards) to the same value, with MSET and with
// MULTI/EXEC; readers MGET them: every read must see one writer's whole write.
TEST_F(TransactionTest, MultiShardWritesAreAtomicUnderConcurrentReaders) {
  std::vector<std::string> keys;
  for (int i = 0; i < 16; ++i)
    keys.push_back("atomic:" + std::to_string(i));
  {
    Client c(server_->port());
    std::vector<std::string> mset = {"MSET"};
    for (auto& k : keys) {
      mset.push_back(k);
      mset.push_back("0");
    }
    ASSERT_EQ(c.Run(mset), "OK");
  }
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  auto reader = [&] {
    Client c(server_->port());
    std::vector<std::string> mget = {"MGET"};
    mget.insert(mget.end(), keys.begin(), keys.end());
    while (!stop) {
      std::string r = c.Run(mget);
      // All 16 values equal: the reply is "[\"v\", \"v\", ...]".
      std::string first = r.substr(1, r.find(',') - 1);
      std::string expect = "[" + first;
      for (size_t i = 1; i < keys.size(); ++i)
        expect += ", " + first;
      expect += "]";
      if (r != expect) ++torn;
      ++reads;
    }
  };
  auto writer = [&](bool use_multi, int base) {
    Client c(server_->port());
    for (int i = 1; i <= 300; ++i) {
      std::string v = std::to_string(base + i);
      std::vector<std::string> mset = {"MSET"};
      for (auto& k : keys) {
        mset.push_back(k);
        mset.push_back(v);
      }
      if (use_multi) {
        c({"MULTI"});
        c.Run(mset);
        c({"EXEC"});
      } else {
        c.Run(mset);
      }
    }
  };
  std::thread r1(reader), r2(reader);
  std::thread w1(writer, false, 0), w2(writer, true, 100000);
  w1.join();
  w2.join();
  stop = true;
  r1.join();
  r2.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn.load(), 0);
}

}  // namespace
}  // namespace redwing::test
