// Pub/sub over TCP: (P|S)SUBSCRIBE, their UNSUBSCRIBEs, PUBLISH, SPUBLISH, PUBSUB, in RESP2 and
// RESP3, delivery across threads, and the output buffer limit that cuts off slow subscribers.

#include <sys/socket.h>

#include <string>
#include <vector>

#include "tests/integration/test_server.h"

namespace redwing::test {
namespace {

// RESP2 frames as Redis writes them.
std::string Frame(const std::vector<std::string>& parts, char type = '*') {
  std::string out = type + std::to_string(parts.size()) + "\r\n";
  for (const std::string& p : parts)
    out += "$" + std::to_string(p.size()) + "\r\n" + p + "\r\n";
  return out;
}
std::string Confirm(const std::string& word, const std::string& name, int count, char type = '*') {
  std::string out = type + std::string("3\r\n");
  out += "$" + std::to_string(word.size()) + "\r\n" + word + "\r\n";
  out += "$" + std::to_string(name.size()) + "\r\n" + name + "\r\n";
  return out + ":" + std::to_string(count) + "\r\n";
}

class PubSubTest : public SharedServerTest<PubSubTest> {
 public:
  // Four threads: subscribers and publishers land on different workers.
  static std::vector<std::string> ServerArgs() { return {"--threads", "4"}; }
};

TEST_F(PubSubTest, Resp2ConfirmationsAndTheSubscribedContext) {
  RawClient c(port());
  EXPECT_EQ(c.Run({"SUBSCRIBE", "a", "b"}), Confirm("subscribe", "a", 1));
  EXPECT_EQ(c.ReadReply(), Confirm("subscribe", "b", 2));
  EXPECT_EQ(c.Run({"SUBSCRIBE", "a"}), Confirm("subscribe", "a", 2));  // already: no change
  EXPECT_EQ(c.Run({"PSUBSCRIBE", "p*"}), Confirm("psubscribe", "p*", 3));
  // Shard channels are counted apart.
  EXPECT_EQ(c.Run({"SSUBSCRIBE", "s"}), Confirm("ssubscribe", "s", 1));
  EXPECT_EQ(c.Run({"GET", "x"}),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
  EXPECT_EQ(c.Run({"CONFIG", "GET", "x"}).substr(0, 31), "-ERR Can't execute 'config|get'");
  EXPECT_EQ(c.Run({"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(c.Run({"PING", "hi"}), "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
  EXPECT_EQ(c.Run({"UNSUBSCRIBE", "b", "nope"}), Confirm("unsubscribe", "b", 2));
  EXPECT_EQ(c.ReadReply(), Confirm("unsubscribe", "nope", 2));
  EXPECT_EQ(c.Run({"PUNSUBSCRIBE"}), Confirm("punsubscribe", "p*", 1));
  EXPECT_EQ(c.Run({"SUNSUBSCRIBE"}), Confirm("sunsubscribe", "s", 0));
  EXPECT_EQ(c.Run({"UNSUBSCRIBE"}), Confirm("unsubscribe", "a", 0));
  // Nothing left: a null name, and the client is back to normal.
  EXPECT_EQ(c.Run({"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(c.Run({"GET", "x"}), "$-1\r\n");
  EXPECT_EQ(c.Run({"PING"}), "+PONG\r\n");
}

TEST_F(PubSubTest, Resp3PushesAndInterleavedCommands) {
  RawClient c(port());
  ASSERT_NE(c.Run({"HELLO", "3"}), "");
  EXPECT_EQ(c.Run({"SUBSCRIBE", "news"}), Confirm("subscribe", "news", 1, '>'));
  // Any command works in RESP3, and a message to ourselves comes before PUBLISH's reply, as in
  // Redis.
  EXPECT_EQ(c.Run({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(c.Run({"PUBLISH", "news", "hello"}), Frame({"message", "news", "hello"}, '>'));
  EXPECT_EQ(c.ReadReply(), ":1\r\n");
  EXPECT_EQ(c.Run({"PING"}), "+PONG\r\n");
  // From another connection (maybe another thread).
  RawClient pub(port());
  EXPECT_EQ(pub.Run({"PUBLISH", "news", "x"}), ":1\r\n");
  EXPECT_EQ(c.ReadReply(), Frame({"message", "news", "x"}, '>'));
  EXPECT_EQ(c.Run({"UNSUBSCRIBE"}), Confirm("unsubscribe", "news", 0, '>'));
  EXPECT_EQ(c.Run({"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

TEST_F(PubSubTest, DeliveryAcrossThreadsKeepsPublishOrder) {
  constexpr int kSubscribers = 24;
  constexpr int kMessages = 200;
  std::vector<std::unique_ptr<RawClient>> subs;
  for (int i = 0; i < kSubscribers; ++i) {
    subs.push_back(std::make_unique<RawClient>(port()));
    // Half by channel, half by pattern.
    if (i % 2 == 0) {
      ASSERT_EQ(subs.back()->Run({"SUBSCRIBE", "feed"}), Confirm("subscribe", "feed", 1));
    } else {
      ASSERT_EQ(subs.back()->Run({"PSUBSCRIBE", "fe?d"}), Confirm("psubscribe", "fe?d", 1));
    }
  }
  // Two publishers, pipelined: each one's messages arrive in its order.
  RawClient p1(port()), p2(port());
  std::string batch1, batch2;
  for (int m = 0; m < kMessages; ++m) {
    batch1 += EncodeCommand({"PUBLISH", "feed", "a" + std::to_string(m)});
    batch2 += EncodeCommand({"PUBLISH", "feed", "b" + std::to_string(m)});
  }
  p1.Send(batch1);
  p2.Send(batch2);
  for (int m = 0; m < kMessages; ++m) {
    EXPECT_EQ(p1.ReadReply(), ":" + std::to_string(kSubscribers) + "\r\n");
    EXPECT_EQ(p2.ReadReply(), ":" + std::to_string(kSubscribers) + "\r\n");
  }
  for (int i = 0; i < kSubscribers; ++i) {
    int next_a = 0, next_b = 0;
    for (int m = 0; m < 2 * kMessages; ++m) {
      std::string frame = subs[static_cast<size_t>(i)]->ReadReply();
      ASSERT_FALSE(frame.empty()) << "subscriber " << i << " message " << m;
      bool a = frame.find("\r\na") != std::string::npos;
      std::string want = a ? "a" + std::to_string(next_a++) : "b" + std::to_string(next_b++);
      if (i % 2 == 0) {
        ASSERT_EQ(frame, Frame({"message", "feed", want})) << "subscriber " << i;
      } else {
        ASSERT_EQ(frame, Frame({"pmessage", "fe?d", "feed", want})) << "subscriber " << i;
      }
    }
  }
}

TEST_F(PubSubTest, PatternsFollowRedisGlobRules) {
  RawClient sub(port());
  RawClient pub(port());
  const std::vector<std::string> patterns = {"h?llo",     "h[ae]llo", "h[^e]llo",
                                             "h[a-b]llo", "h\\*llo",  "*"};
  for (size_t i = 0; i < patterns.size(); ++i) {
    ASSERT_EQ(sub.Run({"PSUBSCRIBE", patterns[i]}),
              Confirm("psubscribe", patterns[i], static_cast<int>(i) + 1));
  }
  // Channel -> the patterns that match it, in subscription order (one frame per pattern).
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"hello", {"h?llo", "h[ae]llo", "*"}},
      {"hallo", {"h?llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "*"}},
      {"h*llo", {"h?llo", "h[^e]llo", "h\\*llo", "*"}},
      {"hllo", {"*"}},
  };
  for (const auto& [channel, matching] : cases) {
    EXPECT_EQ(pub.Run({"PUBLISH", channel, "m"}), ":" + std::to_string(matching.size()) + "\r\n");
    std::vector<std::string> got;
    for (size_t i = 0; i < matching.size(); ++i)
      got.push_back(sub.ReadReply());
    std::vector<std::string> want;
    for (const std::string& p : matching)
      want.push_back(Frame({"pmessage", p, channel, "m"}));
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << channel;
  }
}

TEST_F(PubSubTest, AChannelAndAPatternDeliverOncePerSubscription) {
  RawClient sub(port());
  ASSERT_EQ(sub.Run({"SUBSCRIBE", "c1"}), Confirm("subscribe", "c1", 1));
  ASSERT_EQ(sub.Run({"PSUBSCRIBE", "c*"}), Confirm("psubscribe", "c*", 2));
  RawClient pub(port());
  EXPECT_EQ(pub.Run({"PUBLISH", "c1", "m"}), ":2\r\n");
  EXPECT_EQ(sub.ReadReply(), Frame({"message", "c1", "m"}));
  EXPECT_EQ(sub.ReadReply(), Frame({"pmessage", "c*", "c1", "m"}));
  EXPECT_EQ(pub.Run({"PUBLISH", "c2", "m"}), ":1\r\n");
  EXPECT_EQ(sub.ReadReply(), Frame({"pmessage", "c*", "c2", "m"}));
}

TEST_F(PubSubTest, ShardChannelsAreTheirOwnNamespace) {
  RawClient sub(port());
  ASSERT_EQ(sub.Run({"SSUBSCRIBE", "orders"}), Confirm("ssubscribe", "orders", 1));
  RawClient psub(port());
  ASSERT_EQ(psub.Run({"PSUBSCRIBE", "*"}), Confirm("psubscribe", "*", 1));
  RawClient pub(port());
  // SPUBLISH reaches shard subscribers only, never patterns; PUBLISH never shard subscribers.
  EXPECT_EQ(pub.Run({"SPUBLISH", "orders", "o1"}), ":1\r\n");
  EXPECT_EQ(sub.ReadReply(), Frame({"smessage", "orders", "o1"}));
  EXPECT_EQ(pub.Run({"PUBLISH", "orders", "o2"}), ":1\r\n");
  EXPECT_EQ(psub.ReadReply(), Frame({"pmessage", "*", "orders", "o2"}));
  EXPECT_EQ(pub.Run({"SPUBLISH", "other", "x"}), ":0\r\n");
  Client c(port());
  EXPECT_EQ(c({"PUBSUB", "SHARDCHANNELS"}), "[\"orders\"]");
  EXPECT_EQ(c({"PUBSUB", "SHARDCHANNELS", "x*"}), "[]");
  EXPECT_EQ(c({"PUBSUB", "SHARDNUMSUB", "orders", "other"}),
            "[\"orders\", (integer) 1, \"other\", (integer) 0]");
  EXPECT_EQ(c({"PUBSUB", "CHANNELS"}), "[]");
}

TEST_F(PubSubTest, PubSubCountsSubscribersOnEveryThread) {
  std::vector<std::unique_ptr<RawClient>> subs;
  for (int i = 0; i < 8; ++i) {
    subs.push_back(std::make_unique<RawClient>(port()));
    ASSERT_EQ(subs.back()->Run({"SUBSCRIBE", "x", i % 2 ? "odd" : "even"}),
              Confirm("subscribe", "x", 1));
    ASSERT_NE(subs.back()->ReadReply(), "");
    ASSERT_EQ(subs.back()->Run({"PSUBSCRIBE", i < 4 ? "p1*" : "p2*"}),
              Confirm("psubscribe", i < 4 ? "p1*" : "p2*", 3));
  }
  Client c(port());
  EXPECT_EQ(c({"PUBSUB", "NUMSUB", "x", "odd", "even", "none"}),
            "[\"x\", (integer) 8, \"odd\", (integer) 4, \"even\", (integer) 4, \"none\", "
            "(integer) 0]");
  EXPECT_EQ(c({"PUBSUB", "NUMSUB"}), "[]");
  // Unique patterns, not subscriptions.
  EXPECT_EQ(c({"PUBSUB", "NUMPAT"}), "(integer) 2");
  std::vector<std::string> channels = c.Strings({"PUBSUB", "CHANNELS"});
  std::sort(channels.begin(), channels.end());
  EXPECT_EQ(channels, (std::vector<std::string>{"even", "odd", "x"}));
  EXPECT_EQ(c({"PUBSUB", "CHANNELS", "o*"}), "[\"odd\"]");
  std::string info = c({"INFO", "stats"});
  EXPECT_NE(info.find("pubsub_channels:3\r\npubsub_patterns:2\r\npubsubshard_channels:0\r\n"),
            std::string::npos)
      << info;
  EXPECT_EQ(c({"PUBSUB", "CHANNELS", "a", "b"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try "
            "PUBSUB HELP.");
  EXPECT_EQ(c({"PUBLISH", "x", "m"}), "(integer) 8");
  EXPECT_EQ(c({"PUBLISH", "p1z", "m"}), "(integer) 4");
  // Subscribers that go away are forgotten everywhere.
  subs.clear();
  EXPECT_TRUE(PollUntil([&] { return c({"PUBSUB", "NUMSUB", "x"}) == "[\"x\", (integer) 0]"; }));
  EXPECT_TRUE(PollUntil([&] { return c({"PUBSUB", "NUMPAT"}) == "(integer) 0"; }));
  EXPECT_EQ(c({"PUBLISH", "x", "m"}), "(integer) 0");
}

TEST_F(PubSubTest, ResetAndMultiLeaveAndEnterTheSubscribedContext) {
  RawClient c(port());
  EXPECT_EQ(c.Run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(c.Run({"SUBSCRIBE", "t"}), "+QUEUED\r\n");
  EXPECT_EQ(c.Run({"EXEC"}), "*1\r\n" + Confirm("subscribe", "t", 1));
  EXPECT_EQ(c.Run({"GET", "t"}).substr(0, 24), "-ERR Can't execute 'get'");
  EXPECT_EQ(c.Run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(c.Run({"GET", "t"}), "$-1\r\n");
  Client other(port());
  EXPECT_TRUE(PollUntil([&] { return other({"PUBLISH", "t", "m"}) == "(integer) 0"; }));
}

TEST_F(PubSubTest, ClientListShowsSubscriptions) {
  RawClient sub(port());
  ASSERT_EQ(sub.Run({"CLIENT", "SETNAME", "listener"}), "+OK\r\n");
  ASSERT_EQ(sub.Run({"SUBSCRIBE", "a", "b"}), Confirm("subscribe", "a", 1));
  ASSERT_NE(sub.ReadReply(), "");
  ASSERT_EQ(sub.Run({"PSUBSCRIBE", "x*"}), Confirm("psubscribe", "x*", 3));
  ASSERT_EQ(sub.Run({"SSUBSCRIBE", "s"}), Confirm("ssubscribe", "s", 1));
  Client c(port());
  std::string list = c({"CLIENT", "LIST", "TYPE", "pubsub"});
  EXPECT_NE(list.find("name=listener"), std::string::npos) << list;
  EXPECT_NE(list.find("flags=P "), std::string::npos) << list;
  EXPECT_NE(list.find(" sub=2 psub=1 ssub=1 "), std::string::npos) << list;
  EXPECT_EQ(c({"CLIENT", "LIST", "TYPE", "normal"}).find("name=listener"), std::string::npos);
  EXPECT_EQ(c({"CLIENT", "KILL", "TYPE", "pubsub"}), "(integer) 1");
  EXPECT_TRUE(sub.WaitClosed());
}

TEST_F(PubSubTest, OutputBufferLimitConfiguration) {
  Client c(port());
  EXPECT_EQ(c({"CONFIG", "GET", "client-output-buffer-limit"}),
            "[\"client-output-buffer-limit\", \"normal 0 0 0 slave 268435456 67108864 60 pubsub "
            "33554432 8388608 60\"]");
  EXPECT_EQ(c({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 2kb 5"}), "OK");
  EXPECT_EQ(c({"CONFIG", "GET", "client-output-buffer-limit"}),
            "[\"client-output-buffer-limit\", \"normal 0 0 0 slave 268435456 67108864 60 pubsub "
            "1048576 2048 5\"]");
  EXPECT_EQ(c({"CONFIG", "SET", "client-output-buffer-limit", "replica 1 2 3 normal 5 6 7"}), "OK");
  EXPECT_EQ(c({"CONFIG", "GET", "client-output-buffer-limit"}),
            "[\"client-output-buffer-limit\", \"normal 5 6 7 slave 1 2 3 pubsub 1048576 2048 5\"]");
  const std::string prefix =
      "(error) ERR CONFIG SET failed (possibly related to argument "
      "'client-output-buffer-limit') - ";
  EXPECT_EQ(c({"CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"}),
            prefix + "Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(c({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 2"}),
            prefix + "Wrong number of arguments in buffer limit configuration.");
  EXPECT_EQ(c({"CONFIG", "SET", "client-output-buffer-limit", "pubsub -1 2 3"}),
            prefix + "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  EXPECT_EQ(c({"CONFIG", "SET", "client-output-buffer-limit",
               "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}),
            "OK");
}

// A subscriber that does not read is disconnected at its hard limit; one that reads keeps
// receiving every message, and the server's memory comes back.
TEST_F(PubSubTest, SlowSubscriberIsCutOffAtItsLimitWhileAFastOneKeepsUp) {
  Client admin(port());
  ASSERT_EQ(admin({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0"}), "OK");
  RawClient slow(port());
  ASSERT_EQ(slow.Run({"SUBSCRIBE", "firehose"}), Confirm("subscribe", "firehose", 1));
  RawClient fast(port());
  ASSERT_EQ(fast.Run({"SUBSCRIBE", "firehose"}), Confirm("subscribe", "firehose", 1));

  const std::string payload(4096, 'x');
  const std::string publish = EncodeCommand({"PUBLISH", "firehose", payload});
  RawClient pub(port());
  // The slow client's socket buffers hold a few MB; 32 MB of messages overflow them and its
  // 256 KB limit many times over. Batches of 64 KB stay well under the limit for the client that
  // reads them.
  constexpr int kMessages = 8192;
  constexpr int kBatch = 16;
  int received = 0;
  for (int sent = 0; sent < kMessages; sent += kBatch) {
    std::string batch;
    for (int i = 0; i < kBatch; ++i)
      batch += publish;
    pub.Send(batch);
    for (int i = 0; i < kBatch; ++i) {
      std::string r = pub.ReadReply();
      ASSERT_TRUE(r == ":2\r\n" || r == ":1\r\n") << r;
      std::string m = fast.ReadReply();
      ASSERT_EQ(m, Frame({"message", "firehose", payload})) << "message " << received;
      ++received;
    }
  }
  EXPECT_EQ(received, kMessages);
  EXPECT_TRUE(slow.WaitClosed(10000));
  EXPECT_TRUE(PollUntil([&] {
    return admin({"PUBSUB", "NUMSUB", "firehose"}) == "[\"firehose\", (integer) 1]";
  }));
  EXPECT_EQ(admin({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60"}), "OK");
}

// The soft limit closes a client that stays over it for longer than its seconds.
TEST_F(PubSubTest, SoftLimitNeedsItsSeconds) {
  Client admin(port());
  ASSERT_EQ(admin({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 64kb 1"}), "OK");
  RawClient slow(port());
  ASSERT_EQ(slow.Run({"SUBSCRIBE", "soft"}), Confirm("subscribe", "soft", 1));
  RawClient pub(port());
  const std::string publish = EncodeCommand({"PUBLISH", "soft", std::string(4096, 'y')});
  // Keep publishing until the server lets the subscriber go; it must take at least a second
  // from the first time it went over, and happen within a few.
  auto start = std::chrono::steady_clock::now();
  bool closed = PollUntil(
      [&] {
        // ~8 MB/s: the subscriber's socket buffers fill in a fraction of a second, and its
        // output buffer then grows by a few MB at most before the second has passed.
        std::string batch;
        for (int i = 0; i < 4; ++i)
          batch += publish;
        pub.Send(batch);
        bool gone = false;
        for (int i = 0; i < 4; ++i)
          gone = pub.ReadReply() == ":0\r\n" || gone;
        return gone;
      },
      10000);
  EXPECT_TRUE(closed);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_TRUE(slow.WaitClosed());
  EXPECT_EQ(admin({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60"}), "OK");
}

TEST_F(PubSubTest, SubscriberThatDisconnectsMidStream) {
  auto sub = std::make_unique<RawClient>(port());
  ASSERT_EQ(sub->Run({"SUBSCRIBE", "stream"}), Confirm("subscribe", "stream", 1));
  RawClient pub(port());
  std::string batch;
  for (int i = 0; i < 500; ++i)
    batch += EncodeCommand({"PUBLISH", "stream", std::string(1000, 'z')});
  pub.Send(batch);
  EXPECT_NE(sub->ReadReply(), "");
  sub.reset();  // gone with messages still on their way
  int zero_after = -1;
  for (int i = 0; i < 500; ++i) {
    std::string r = pub.ReadReply();
    ASSERT_TRUE(r == ":1\r\n" || r == ":0\r\n") << r;
    if (r == ":0\r\n" && zero_after < 0) zero_after = i;
  }
  // The server goes on serving, and forgets the subscriber.
  Client c(port());
  EXPECT_TRUE(PollUntil([&] { return c({"PUBLISH", "stream", "m"}) == "(integer) 0"; }));
  EXPECT_EQ(c({"PING"}), "PONG");
}

TEST_F(PubSubTest, ArityAndHelp) {
  Client c(port());
  EXPECT_EQ(c({"PUBLISH", "a"}), "(error) ERR wrong number of arguments for 'publish' command");
  EXPECT_EQ(c({"SUBSCRIBE"}), "(error) ERR wrong number of arguments for 'subscribe' command");
  EXPECT_EQ(c({"PUBSUB"}), "(error) ERR wrong number of arguments for 'pubsub' command");
  EXPECT_EQ(c({"PUBSUB", "foo"}), "(error) ERR unknown subcommand 'foo'. Try PUBSUB HELP.");
  EXPECT_EQ(c({"PUBSUB", "NUMPAT", "x"}),
            "(error) ERR wrong number of arguments for 'pubsub|numpat' command");
  std::vector<std::string> help = c.Strings({"PUBSUB", "HELP"});
  ASSERT_FALSE(help.empty());
  EXPECT_EQ(help.back(), "    Prints this help.");
}

}  // namespace
}  // namespace redwing::test
