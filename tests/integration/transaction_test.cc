// MULTI/EXEC/WATCH semantics and the atomicity of multi-shard commands under concurrency.

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <span>
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

// 16 pairs of keys `<prefix>a<i>`, `<prefix>b<i>`, which the writers below set together.
std::vector<std::pair<std::string, std::string>> KeyPairs(const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 16; ++i)
    pairs.emplace_back(prefix + "a" + std::to_string(i), prefix + "b" + std::to_string(i));
  return pairs;
}

// Runs `write` on a connection of its own while six readers (both key orders, spread over the
// workers) read `pairs` one key at a time; returns how often the second key of a pair read older
// than the first (values are MSET rounds, increasing). `reads` counts the pairs read.
int StaleReadsWhile(int port, const std::vector<std::pair<std::string, std::string>>& pairs,
                    const std::function<void(Client&)>& write, int* reads) {
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0};
  std::atomic<int> read_count{0};
  auto reader = [&](bool a_first) {
    Client c(port);
    auto value = [&](const std::string& k) {
      std::string r = c({"GET", k});
      return r == "(nil)" ? 0 : std::stoi(r.substr(1, r.size() - 2));
    };
    size_t i = 0;
    while (!stop) {
      auto& [a, b] = pairs[i++ % pairs.size()];
      int first = value(a_first ? a : b);
      int second = value(a_first ? b : a);
      if (second < first) ++stale;
      ++read_count;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 6; ++i)
    readers.emplace_back(reader, i % 2 == 0);
  {
    Client c(port);
    write(c);
  }
  stop = true;
  for (auto& r : readers)
    r.join();
  *reads = read_count.load();
  return stale.load();
}

// An MSET of every key of `pairs`, all set to `v`.
std::vector<std::string> MsetAll(const std::vector<std::pair<std::string, std::string>>& pairs,
                                 int v) {
  std::vector<std::string> mset = {"MSET"};
  for (auto& [a, b] : pairs) {
    for (const std::string& k : {a, b}) {
      mset.push_back(k);
      mset.push_back(std::to_string(v));
    }
  }
  return mset;
}

// A split MSET writes each shard's keys at a different moment; single-key reads must still see it
// all or nothing: after reading one key's new value, no other key of the same MSET is older.
// Readers read pairs of keys one at a time, in both orders. Four shards: with two, the FIFO order
// of the two workers' queues alone would hide a missing lock.
TEST(SplitOpTest, SingleKeyReadsNeverSeeHalfASplitWrite) {
  auto server = ServerProcess::StartRedwing({"--threads", "4"});
  ASSERT_NE(server, nullptr);
  auto pairs = KeyPairs("lin:");
  int reads = 0;
  int stale = StaleReadsWhile(
      server->port(), pairs,
      [&](Client& c) {
        for (int v = 1; v <= 1000; ++v)
          c.Run(MsetAll(pairs, v));
      },
      &reads);
  EXPECT_GT(reads, 0);
  EXPECT_EQ(stale, 0);
}

// A pipeline's consecutive split commands travel as one group (one message per shard for all of
// them); each must still be atomic. The writer pipelines 8 MSETs at a time, readers as above.
TEST(SplitOpTest, PipelinedSplitWritesStayAtomic) {
  auto server = ServerProcess::StartRedwing({"--threads", "4"});
  ASSERT_NE(server, nullptr);
  auto pairs = KeyPairs("plin:");
  int reads = 0;
  int bad_replies = 0;
  int stale = StaleReadsWhile(
      server->port(), pairs,
      [&](Client& c) {
        for (int v = 1; v <= 1600; v += 8) {
          std::vector<std::vector<std::string>> pipeline;
          for (int j = 0; j < 8; ++j)
            pipeline.push_back(MsetAll(pairs, v + j));
          for (const std::string& r : c.Pipeline(pipeline))
            if (r != "OK") ++bad_replies;
        }
      },
      &reads);
  EXPECT_GT(reads, 0);
  EXPECT_EQ(stale, 0);
  EXPECT_EQ(bad_replies, 0);
  Client c(server->port());
  EXPECT_EQ(c({"GET", "plin:a0"}), "\"1600\"");
  EXPECT_EQ(c({"GET", "plin:b15"}), "\"1600\"");
}

// Split commands of a group, and the commands around and between them, run in request order
// with their own replies: later commands see earlier ones' writes, a malformed or unknown command
// answers in its place, and CLIENT REPLY SKIP drops exactly the next reply.
TEST(SplitOpTest, PipelinedSplitCommandsKeepRequestOrder) {
  auto server = ServerProcess::StartRedwing({"--threads", "4"});
  ASSERT_NE(server, nullptr);
  std::vector<std::string> keys;
  for (int i = 0; i < 8; ++i)
    keys.push_back("grp:" + std::to_string(i));
  auto with = [&](std::string cmd, std::span<const std::string> ks, const std::string& v = "") {
    std::vector<std::string> args = {std::move(cmd)};
    for (const std::string& k : ks) {
      args.push_back(k);
      if (!v.empty()) args.push_back(v);
    }
    return args;
  };
  std::span<const std::string> all(keys);
  std::span<const std::string> half = all.first(4);
  auto array = [](std::initializer_list<std::pair<int, std::string>> runs) {
    std::string s = "[";
    for (auto& [n, v] : runs)
      for (int i = 0; i < n; ++i)
        s += (s.size() > 1 ? ", " : "") + v;
    return s + "]";
  };
  Client c(server->port());
  std::vector<std::vector<std::string>> pipeline = {
      with("MSET", all, "1"),
      with("MGET", all),
      with("MSET", all, "2"),
      {"GET", "grp:0"},
      {"MSET", "grp:0"},
      with("MSET", all, "3"),
      with("EXISTS", all),
      with("DEL", half),
      with("MGET", all),
      {"NOSUCH"},
      with("DEL", all),
      with("MGET", all),
      with("MSET", half, "4"),
      {"SELECT", "1"},
      with("MGET", half),
      {"SELECT", "0"},
      with("MGET", half),
      // Single-key split commands join the group behind a multi-shard one.
      with("MSET", all, "7"),
      {"DEL", "grp:0"},
      {"EXISTS", "grp:0", "grp:0"},
      {"EXISTS", "grp:1"},
      with("MGET", half),
  };
  std::vector<std::string> expect = {
      "OK",
      array({{8, "\"1\""}}),
      "OK",
      "\"2\"",
      "(error) ERR wrong number of arguments for 'mset' command",
      "OK",
      "(integer) 8",
      "(integer) 4",
      array({{4, "(nil)"}, {4, "\"3\""}}),
      "(error) ERR unknown command 'NOSUCH', with args beginning with: ",
      "(integer) 4",
      array({{8, "(nil)"}}),
      "OK",
      "OK",
      array({{4, "(nil)"}}),
      "OK",
      array({{4, "\"4\""}}),
      "OK",
      "(integer) 1",
      "(integer) 0",
      "(integer) 1",
      array({{1, "(nil)"}, {3, "\"7\""}}),
  };
  EXPECT_EQ(c.Pipeline(pipeline), expect);

  RawClient raw(server->port());
  raw.Send(EncodeCommand(with("MSET", all, "5")) + EncodeCommand({"CLIENT", "REPLY", "SKIP"}) +
           EncodeCommand(with("MSET", all, "6")) + EncodeCommand(with("DEL", half)) +
           EncodeCommand(with("MGET", all)));
  EXPECT_EQ(raw.ReadReply(), "+OK\r\n");
  EXPECT_EQ(raw.ReadReply(), ":4\r\n");
  EXPECT_EQ(raw.ReadReply(),
            "*8\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$1\r\n6\r\n$1\r\n6\r\n$1\r\n6\r\n$1\r\n6\r\n");
}

// Split operations (key locks) and lending operations (MULTI/EXEC, RENAME, FLUSHALL) on the same
// keys from many connections over four shards: nothing deadlocks (every client finishes, the
// client timeout would turn a hang into "(disconnected)"), and every read sees whole writes.
TEST(SplitOpTest, SplitAndLendingOperationsMixWithoutDeadlockOrTornReads) {
  auto server = ServerProcess::StartRedwing({"--threads", "4"});
  ASSERT_NE(server, nullptr);
  std::vector<std::string> keys;
  for (int i = 0; i < 12; ++i)
    keys.push_back("mix:" + std::to_string(i));
  auto mset = [&](const std::string& v) {
    std::vector<std::string> cmd = {"MSET"};
    for (auto& k : keys) {
      cmd.push_back(k);
      cmd.push_back(v);
    }
    return cmd;
  };
  std::vector<std::string> mget = {"MGET"};
  mget.insert(mget.end(), keys.begin(), keys.end());
  std::atomic<int> bad{0};
  auto check = [&](const std::string& reply, const std::string& what) {
    if (reply.find("disconnected") != std::string::npos || reply.rfind("(error)", 0) == 0) {
      ADD_FAILURE() << what << ": " << reply;
      ++bad;
    }
  };
  auto all_equal = [&](const std::string& r) {
    // "[a, b, ...]": every element equal to the first.
    std::string first = r.substr(1, r.find(',') - 1);
    std::string expect = "[" + first;
    for (size_t i = 1; i < keys.size(); ++i)
      expect += ", " + first;
    return r == expect + "]";
  };
  const int kRounds = 150;
  std::vector<std::thread> threads;
  threads.emplace_back([&] {  // split writes, pipelined (a split op behind a split op)
    Client c(server->port());
    for (int i = 0; i < kRounds; ++i) {
      auto replies = c.Pipeline({mset("s" + std::to_string(i)), mset("t" + std::to_string(i))});
      for (auto& r : replies)
        check(r, "pipelined MSET");
    }
  });
  threads.emplace_back([&] {  // the same write inside MULTI/EXEC (lends every shard it needs)
    Client c(server->port());
    for (int i = 0; i < kRounds; ++i) {
      check(c({"MULTI"}), "MULTI");
      c.Run(mset("m" + std::to_string(i)));
      check(c({"EXEC"}), "EXEC");
    }
  });
  threads.emplace_back([&] {  // other lending and split commands on neighbouring keys
    Client c(server->port());
    check(c({"SET", "mix:from", "x"}), "SET");
    for (int i = 0; i < kRounds; ++i) {
      check(c({"RENAME", i % 2 ? "mix:to" : "mix:from", i % 2 ? "mix:from" : "mix:to"}), "RENAME");
      check(c({"DEL", "mix:a", "mix:b", "mix:c", "mix:d"}), "DEL");
      if (i % 50 == 49) check(c({"FLUSHALL"}), "FLUSHALL");
      if (i % 50 == 49) check(c({"SET", "mix:from", "x"}), "SET");
    }
  });
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {  // readers: split MGET and a MULTI of GETs
      Client c(server->port());
      for (int i = 0; i < kRounds; ++i) {
        std::string got = c.Run(mget);
        check(got, "MGET");
        if (!all_equal(got)) {
          ADD_FAILURE() << "torn MGET: " << got;
          ++bad;
        }
        std::vector<std::vector<std::string>> tx = {{"MULTI"}};
        for (auto& k : keys)
          tx.push_back({"GET", k});
        tx.push_back({"EXEC"});
        auto replies = c.Pipeline(tx);
        check(replies.back(), "EXEC of GETs");
        if (!all_equal(replies.back())) {
          ADD_FAILURE() << "torn EXEC: " << replies.back();
          ++bad;
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(bad.load(), 0);
  Client c(server->port());
  EXPECT_EQ(c({"PING"}), "PONG");
}

// Split commands merge their parts' replies: counts add up, MGET keeps argument order with nils,
// in RESP2 and RESP3.
TEST_F(TransactionTest, SplitCommandsMergeReplies) {
  Client c(server_->port());
  std::vector<std::string> mset = {"MSET"};
  std::vector<std::string> mget = {"MGET"};
  std::string expect2 = "*40\r\n";
  std::string expect3 = "*40\r\n";
  for (int i = 0; i < 20; ++i) {
    std::string k = "merge:" + std::to_string(i);
    if (i % 3 != 0) {
      mset.push_back(k);
      mset.push_back("v" + std::to_string(i));
    }
    mget.push_back(k);
    mget.push_back(k + ":missing");
    std::string bulk =
        "$" + std::to_string(1 + std::to_string(i).size()) + "\r\nv" + std::to_string(i) + "\r\n";
    expect2 += (i % 3 != 0 ? bulk : "$-1\r\n") + "$-1\r\n";
    expect3 += (i % 3 != 0 ? bulk : "_\r\n") + "_\r\n";
  }
  ASSERT_EQ(c.Run(mset), "OK");
  RawClient raw(server_->port());
  EXPECT_EQ(raw.Run(mget), expect2);
  ASSERT_NE(raw.Run({"HELLO", "3"}), "");
  EXPECT_EQ(raw.Run(mget), expect3);
  std::vector<std::string> exists = mget;
  exists[0] = "EXISTS";
  EXPECT_EQ(raw.Run(exists), ":13\r\n");
  exists[0] = "TOUCH";
  EXPECT_EQ(raw.Run(exists), ":13\r\n");
  std::vector<std::string> del = mget;
  del[0] = "DEL";
  del.push_back("merge:1");  // a key twice: deleted once
  EXPECT_EQ(raw.Run(del), ":13\r\n");
  exists[0] = "UNLINK";
  EXPECT_EQ(raw.Run(exists), ":0\r\n");

  // A malformed split command fails whole: no part writes.
  std::vector<std::string> odd = {"MSET"};
  for (int i = 0; i < 20; ++i) {
    odd.push_back("odd:" + std::to_string(i));
    odd.push_back("v");
  }
  odd.pop_back();
  EXPECT_EQ(raw.Run(odd), "-ERR wrong number of arguments for 'mset' command\r\n");
  exists = odd;
  exists[0] = "EXISTS";
  EXPECT_EQ(raw.Run(exists), ":0\r\n");
}

}  // namespace
}  // namespace redwing::test
