// The wire protocol and the limits: malformed input, huge lengths, deep pipelines, inline
// commands, RESP3, many connections, clients that vanish.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

class ProtocolTest : public SharedServerTest<ProtocolTest> {
 public:
  static std::vector<std::string> ServerArgs() {
    return {"--threads", "2", "--maxclients", "2000"};
  }
  static constexpr bool kFlushBetweenTests = false;
};

TEST_F(ProtocolTest, MalformedFramesGetRedisErrorsAndClose) {
  EXPECT_EQ(RawRoundTrip(server_->port(), "*x\r\n"),
            "-ERR Protocol error: invalid multibulk length\r\n");
  EXPECT_EQ(RawRoundTrip(server_->port(), "*1\r\n+a\r\n"),
            "-ERR Protocol error: expected '$', got '+'\r\n");
  EXPECT_EQ(RawRoundTrip(server_->port(), "*1\r\n$-5\r\n"),
            "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(RawRoundTrip(server_->port(), "SET \"a b\r\n"),
            "-ERR Protocol error: unbalanced quotes in request\r\n");
  // Replies to the commands before the bad frame are sent first.
  EXPECT_EQ(RawRoundTrip(server_->port(), "PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n:1\r\n"),
            "+PONG\r\n+PONG\r\n-ERR Protocol error: expected '$', got ':'\r\n");
  // The server goes on.
  Client c(server_->port());
  EXPECT_EQ(c({"PING"}), "PONG");
}

TEST_F(ProtocolTest, BulkLengthOverLimitIsRejected) {
  EXPECT_EQ(RawRoundTrip(server_->port(), "*2\r\n$3\r\nSET\r\n$999999999999\r\n"),
            "-ERR Protocol error: invalid bulk length\r\n");
  Client c(server_->port());
  EXPECT_EQ(c({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}), "OK");
  EXPECT_EQ(RawRoundTrip(server_->port(), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n"),
            "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(c({"CONFIG", "SET", "proto-max-bulk-len", "512mb"}), "OK");
}

TEST_F(ProtocolTest, TooBigInlineAndHeaderLines) {
  EXPECT_EQ(RawRoundTrip(server_->port(), std::string(70000, 'a')),
            "-ERR Protocol error: too big inline request\r\n");
  EXPECT_EQ(RawRoundTrip(server_->port(), "*" + std::string(70000, '1')),
            "-ERR Protocol error: too big mbulk count string\r\n");
}

TEST_F(ProtocolTest, QueryBufferLimitClosesTheClient) {
  Client admin(server_->port());
  ASSERT_EQ(admin({"CONFIG", "SET", "client-query-buffer-limit", "1mb"}), "OK");
  RawClient c(server_->port());
  // A bulk announced at 4 MB (allowed by proto-max-bulk-len) but past the query buffer limit.
  c.Send("*2\r\n$4\r\nECHO\r\n$4000000\r\n" + std::string(2 * 1024 * 1024, 'x'));
  EXPECT_TRUE(c.WaitClosed());
  ASSERT_EQ(admin({"CONFIG", "SET", "client-query-buffer-limit", "1gb"}), "OK");
  EXPECT_EQ(admin({"PING"}), "PONG");
}

TEST_F(ProtocolTest, InlineCommands) {
  EXPECT_EQ(RawRoundTrip(server_->port(), "PING\r\nECHO \"a b\"\r\n\r\nPING x\n"),
            "+PONG\r\n$3\r\na b\r\n$1\r\nx\r\n");
}

TEST_F(ProtocolTest, FrameSplitAcrossWrites) {
  RawClient c(server_->port());
  std::string frame = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
  for (char ch : frame)
    c.Send(std::string(1, ch));
  EXPECT_EQ(c.ReadReply(), "$5\r\nhello\r\n");
}

TEST_F(ProtocolTest, Resp3AfterHello) {
  RawClient c(server_->port());
  std::string hello = c.Run({"HELLO", "3"});
  EXPECT_EQ(hello.substr(0, 4), "%7\r\n");
  EXPECT_NE(hello.find("$5\r\nproto\r\n:3\r\n"), std::string::npos);
  EXPECT_EQ(c.Run({"GET", "resp3:missing"}), "_\r\n");
  EXPECT_EQ(c.Run({"CONFIG", "GET", "timeout"}), "%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
  std::string info = c.Run({"INFO", "server"});
  EXPECT_EQ(info[0], '=');
  EXPECT_NE(info.find("txt:# Server"), std::string::npos);
  EXPECT_EQ(c.Run({"HELLO", "2"}).substr(0, 5), "*14\r\n");
  EXPECT_EQ(c.Run({"GET", "resp3:missing"}), "$-1\r\n");
}

// A pipeline that switches protocol midway gets every later reply in the new protocol, whichever
// thread runs the command.
TEST_F(ProtocolTest, HelloMidPipelineAppliesToLaterCommandsOnAnyShard) {
  RawClient c(server_->port());
  std::string batch;
  for (int i = 0; i < 8; ++i)
    batch += EncodeCommand({"GET", "hello-mid:" + std::to_string(i)});
  batch += EncodeCommand({"HELLO", "3"});
  for (int i = 0; i < 8; ++i)
    batch += EncodeCommand({"GET", "hello-mid:" + std::to_string(i)});
  c.Send(batch);
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(c.ReadReply(), "$-1\r\n") << i;
  EXPECT_EQ(c.ReadReply().substr(0, 4), "%7\r\n");
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(c.ReadReply(), "_\r\n") << i;
}

TEST_F(ProtocolTest, HundredThousandCommandPipeline) {
  RawClient c(server_->port());
  const int n = 100000;
  std::string batch;
  for (int i = 0; i < n; ++i) {
    std::string key = "pipe:" + std::to_string(i % 1000);
    batch += EncodeCommand({"SET", key, std::to_string(i)});
  }
  c.Send(batch);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(c.ReadReply(), "+OK\r\n") << i;
  // Replies come back in order even though keys live on different shards.
  std::string gets;
  for (int i = 0; i < 1000; ++i)
    gets += EncodeCommand({"GET", "pipe:" + std::to_string(i)});
  c.Send(gets);
  for (int i = 0; i < 1000; ++i) {
    std::string v = std::to_string(n - 1000 + i);
    ASSERT_EQ(c.ReadReply(), "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n");
  }
}

TEST_F(ProtocolTest, RepliesLargerThanTheSocketBufferArriveWholeAndInOrder) {
  // 40 MB of replies to a client that reads nothing until it has sent everything: replies are
  // sent partly, the rest waits for the socket, and reading pauses past the backpressure mark.
  RawClient c(server_->port());
  std::string value(1 << 20, 'x');
  for (size_t i = 0; i < value.size(); i += 4096)
    value[i] = static_cast<char>('a' + (i / 4096) % 26);
  ASSERT_EQ(c.Run({"SET", "big", value}), "+OK\r\n");
  std::string batch;
  for (int i = 0; i < 40; ++i) {
    batch += EncodeCommand({"GET", "big"});
    batch += EncodeCommand({"INCR", "big:n"});
  }
  c.Send(batch);
  const std::string bulk = "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(c.ReadReply(), bulk) << i;
    ASSERT_EQ(c.ReadReply(), ":" + std::to_string(i + 1) + "\r\n") << i;
  }
}

TEST_F(ProtocolTest, ThousandConcurrentConnections) {
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 1000; ++i) {
    clients.push_back(std::make_unique<Client>(server_->port()));
    ASSERT_TRUE(clients.back()->connected()) << i;
  }
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ((*clients[i])({"SET", "conn:" + std::to_string(i), std::to_string(i)}), "OK");
  }
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ((*clients[i])({"GET", "conn:" + std::to_string(999 - i)}),
              "\"" + std::to_string(999 - i) + "\"");
  }
}

TEST_F(ProtocolTest, ClientVanishingMidPipeline) {
  for (int round = 0; round < 20; ++round) {
    RawClient c(server_->port());
    std::string batch;
    for (int i = 0; i < 5000; ++i)
      batch += EncodeCommand({"SET", "vanish:" + std::to_string(i), "v"});
    c.Send(batch.substr(0, batch.size() / 2 + 7));  // cut in the middle of a frame
  }                                                 // closed without reading
  Client check(server_->port());
  EXPECT_EQ(check({"PING"}), "PONG");
}

TEST(MaxClients, ExtraConnectionIsRefusedWithRedisError) {
  auto server = ServerProcess::StartRedwing({"--threads", "2"});
  ASSERT_NE(server, nullptr);
  Client a(server->port()), b(server->port()), c(server->port());
  ASSERT_EQ(a({"PING"}), "PONG");
  ASSERT_EQ(b({"PING"}), "PONG");
  ASSERT_EQ(c({"PING"}), "PONG");
  // The start-up probe's connection closes asynchronously: wait until only ours remain.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (a({"INFO", "clients"}).find("connected_clients:3\r\n") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(a({"CONFIG", "SET", "maxclients", "3"}), "OK");
  EXPECT_EQ(RawRoundTrip(server->port(), ""), "-ERR max number of clients reached\r\n");
  Client info(server->port());  // refused too
  EXPECT_EQ(info({"PING"}), "(error) ERR max number of clients reached");
}

TEST(IdleTimeout, IdleClientsAreClosed) {
  auto server = ServerProcess::StartRedwing({"--timeout", "1", "--hz", "50"});
  ASSERT_NE(server, nullptr);
  RawClient c(server->port());
  EXPECT_EQ(c.Run({"PING"}), "+PONG\r\n");
  EXPECT_TRUE(c.WaitClosed(5000));
}

}  // namespace
}  // namespace redwing::test
