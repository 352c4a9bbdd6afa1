// Process-level behaviour: start-up errors, shutdown, configuration, INFO, CLIENT, and the Redis
// tools (redis-cli, redis-benchmark) running against the real binary.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

// Runs a shell command and returns {exit status, stdout+stderr}.
std::pair<int, std::string> Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string TempFile(const std::string& name, const std::string& content) {
  auto path =
      std::filesystem::temp_directory_path() / (name + "." + std::to_string(getpid()) + ".conf");
  std::ofstream(path) << content;
  return path.string();
}

TEST(Startup, UnknownDirectiveFailsWithOneClearError) {
  std::string conf = TempFile("bad", "port 0\nno-such-directive 1\n");
  auto [status, out] = Shell(std::string(REDWING_SERVER_PATH) + " " + conf);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("at line 2"), std::string::npos) << out;
  EXPECT_NE(out.find("Bad directive or wrong number of arguments"), std::string::npos) << out;
}

TEST(Startup, BadValueFails) {
  auto [status, out] = Shell(std::string(REDWING_SERVER_PATH) + " --port abc");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("argument couldn't be parsed into an integer"), std::string::npos) << out;
  auto [status2, out2] = Shell(std::string(REDWING_SERVER_PATH) + " --maxclients 0");
  EXPECT_NE(status2, 0);
  EXPECT_NE(out2.find("argument must be between 1 and 4294967295 inclusive"), std::string::npos);
}

TEST(Startup, PortInUseFails) {
  auto first = ServerProcess::StartRedwing();
  ASSERT_NE(first, nullptr);
  auto [status, out] = Shell(std::string(REDWING_SERVER_PATH) + " --bind 127.0.0.1 --port " +
                             std::to_string(first->port()));
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("Could not create server TCP listening socket"), std::string::npos) << out;
}

TEST(Startup, DaemonizeDetachesAndServes) {
  int port = FreePort();
  auto [status, out] = Shell(std::string(REDWING_SERVER_PATH) + " --bind 127.0.0.1 --port " +
                             std::to_string(port) + " --daemonize yes");
  EXPECT_EQ(status, 0) << out;  // the launching process returns at once
  std::string reply;
  for (int i = 0; i < 200 && reply != "PONG"; ++i) {
    Client c(port, 200);
    reply = c({"PING"});
    if (reply != "PONG") std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(reply, "PONG");
  Client c(port);
  c({"SHUTDOWN", "NOSAVE"});
}

// The flags people pass to redis-server to run it as a pure cache.
TEST(Startup, AcceptsRedisPersistenceFlags) {
  auto server = ServerProcess::StartRedwing({"--save", "", "--appendonly", "no"});
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  EXPECT_EQ(c({"CONFIG", "GET", "save"}), "[\"save\", \"\"]");
  EXPECT_EQ(c({"CONFIG", "GET", "appendonly"}), "[\"appendonly\", \"no\"]");
  auto [status, out] = Shell(std::string(REDWING_SERVER_PATH) + " --port 0 --save 900 1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("Redwing takes no RDB snapshots"), std::string::npos) << out;
}

TEST(Shutdown, SigtermExitsCleanly) {
  auto server = ServerProcess::StartRedwing({"--threads", "2"});
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  EXPECT_EQ(c({"SET", "k", "v"}), "OK");
  int status = server->Stop();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Shutdown, ShutdownCommandStopsTheServer) {
  auto server = ServerProcess::StartRedwing();
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  EXPECT_EQ(c({"SHUTDOWN", "BOGUS"}), "(error) ERR syntax error");
  c({"SHUTDOWN", "NOSAVE"});
  int status = 0;
  ASSERT_EQ(waitpid(server->pid(), &status, 0), server->pid());
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conf_ = TempFile("redwing", "# my comment\ntimeout 0\nhz 10\n");
    server_ = ServerProcess::StartRedwing({conf_});
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { std::filesystem::remove(conf_); }
  std::string conf_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ConfigTest, GetSetAndErrors) {
  Client c(server_->port());
  EXPECT_EQ(c({"CONFIG", "GET", "maxclients"}), "[\"maxclients\", \"10000\"]");
  EXPECT_EQ(c({"CONFIG", "GET", "maxc*"}), "[\"maxclients\", \"10000\"]");
  EXPECT_EQ(c({"CONFIG", "SET", "timeout", "30", "hz", "20"}), "OK");
  EXPECT_EQ(c({"CONFIG", "GET", "timeout"}), "[\"timeout\", \"30\"]");
  EXPECT_EQ(c({"CONFIG", "GET", "hz"}), "[\"hz\", \"20\"]");
  EXPECT_EQ(c({"CONFIG", "SET", "maxclients", "abc"}),
            "(error) ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
            "argument couldn't be parsed into an integer");
  EXPECT_EQ(c({"CONFIG", "SET", "databases", "3"}),
            "(error) ERR CONFIG SET failed (possibly related to argument 'databases') - can't "
            "set immutable config");
  EXPECT_EQ(c({"CONFIG", "SET", "nosuch", "1"}),
            "(error) ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  // All or nothing: the bad second pair leaves the first unchanged.
  EXPECT_NE(c({"CONFIG", "SET", "timeout", "5", "hz", "0"}), "OK");
  EXPECT_EQ(c({"CONFIG", "GET", "timeout"}), "[\"timeout\", \"30\"]");
  EXPECT_EQ(c({"CONFIG", "NOSUCH"}), "(error) ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.");
}

TEST_F(ConfigTest, RewriteKeepsCommentsAndWritesValues) {
  Client c(server_->port());
  EXPECT_EQ(c({"CONFIG", "SET", "timeout", "42"}), "OK");
  EXPECT_EQ(c({"CONFIG", "SET", "maxclients", "77"}), "OK");
  EXPECT_EQ(c({"CONFIG", "REWRITE"}), "OK");
  std::stringstream ss;
  ss << std::ifstream(conf_).rdbuf();
  std::string text = ss.str();
  EXPECT_NE(text.find("# my comment\n"), std::string::npos) << text;
  EXPECT_NE(text.find("timeout 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("maxclients 77\n"), std::string::npos) << text;
  // The rewritten file starts a server with those values.
  auto again = ServerProcess::StartRedwing({conf_});
  ASSERT_NE(again, nullptr);
  Client c2(again->port());
  EXPECT_EQ(c2({"CONFIG", "GET", "timeout"}), "[\"timeout\", \"42\"]");
}

TEST(ConfigNoFile, RewriteWithoutFileFails) {
  auto server = ServerProcess::StartRedwing();
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  EXPECT_EQ(c({"CONFIG", "REWRITE"}), "(error) ERR The server is running without a config file");
}

TEST(Auth, PasswordFlow) {
  auto server = ServerProcess::StartRedwing();
  ASSERT_NE(server, nullptr);
  Client admin(server->port());
  EXPECT_EQ(admin({"CONFIG", "SET", "requirepass", "s3cret"}), "OK");
  Client c(server->port());
  EXPECT_EQ(c({"GET", "a"}), "(error) NOAUTH Authentication required.");
  EXPECT_EQ(c({"AUTH", "wrong"}),
            "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(c({"AUTH", "s3cret"}), "OK");
  EXPECT_EQ(c({"GET", "a"}), "(nil)");
  Client h(server->port());
  EXPECT_NE(h({"HELLO", "2", "AUTH", "default", "s3cret"}).find("\"server\""), std::string::npos);
  EXPECT_EQ(h({"PING"}), "PONG");
}

class ServerInfoTest : public SharedServerTest<ServerInfoTest> {
 public:
  static constexpr bool kFlushBetweenTests = false;
};

TEST_F(ServerInfoTest, InfoHasRedisFields) {
  Client c(server_->port());
  c({"SET", "info:k", "v"});
  c({"GET", "info:k"});
  c({"GET", "info:missing"});
  std::string info = c({"INFO"});
  for (const char* field :
       {"# Server", "redis_version:7.", "redwing_version:", "loading:0", "# Clients",
        "connected_clients:", "# Memory", "used_memory:", "used_memory_human:", "# Stats",
        "total_commands_processed:", "keyspace_hits:", "keyspace_misses:", "expired_keys:",
        "# Keyspace", "db0:keys=", "role:master"}) {
    EXPECT_NE(info.find(field), std::string::npos) << field;
  }
  std::string stats = c({"INFO", "commandstats"});
  EXPECT_NE(stats.find("cmdstat_get:calls="), std::string::npos) << stats;
  EXPECT_EQ(c({"INFO", "keyspace"}).find("# Server"), std::string::npos);
  EXPECT_EQ(c({"CONFIG", "RESETSTAT"}), "OK");
  EXPECT_EQ(c({"INFO", "commandstats"}).find("cmdstat_get"), std::string::npos);
}

TEST_F(ServerInfoTest, DbSizeFlushSwapDb) {
  Client c(server_->port());
  EXPECT_EQ(c({"FLUSHALL"}), "OK");
  for (int i = 0; i < 100; ++i)
    c({"SET", "d" + std::to_string(i), "v"});
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 100");
  EXPECT_EQ(c({"SELECT", "3"}), "OK");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 0");
  EXPECT_EQ(c({"SET", "only3", "x"}), "OK");
  EXPECT_EQ(c({"SWAPDB", "0", "3"}), "OK");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 100");
  EXPECT_EQ(c({"SELECT", "0"}), "OK");
  EXPECT_EQ(c({"GET", "only3"}), "\"x\"");
  EXPECT_EQ(c({"FLUSHDB"}), "OK");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 0");
  EXPECT_EQ(c({"SELECT", "3"}), "OK");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 100");
  EXPECT_EQ(c({"FLUSHALL", "ASYNC"}), "OK");
  EXPECT_EQ(c({"DBSIZE"}), "(integer) 0");
}

TEST_F(ServerInfoTest, ClientCommands) {
  Client c(server_->port()), other(server_->port());
  EXPECT_EQ(c({"CLIENT", "SETNAME", "alice"}), "OK");
  EXPECT_EQ(c({"CLIENT", "GETNAME"}), "\"alice\"");
  EXPECT_EQ(c({"CLIENT", "SETNAME", "a b"}),
            "(error) ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(c({"CLIENT", "SETINFO", "LIB-NAME", "redwing-test"}), "OK");
  std::string id = c({"CLIENT", "ID"});
  ASSERT_EQ(id.rfind("(integer) ", 0), 0u);
  std::string list = c({"CLIENT", "LIST"});
  EXPECT_NE(list.find("name=alice"), std::string::npos) << list;
  EXPECT_NE(list.find("lib-name=redwing-test"), std::string::npos) << list;
  EXPECT_NE(c({"CLIENT", "INFO"}).find("name=alice"), std::string::npos);
  std::string other_id = other({"CLIENT", "ID"}).substr(10);
  EXPECT_EQ(c({"CLIENT", "KILL", "ID", other_id}), "(integer) 1");
  EXPECT_EQ(other({"PING"}), "(disconnected)");
  EXPECT_EQ(c({"CLIENT", "KILL", "ID", "999999"}), "(integer) 0");
  EXPECT_EQ(c({"CLIENT", "KILL", "1.2.3.4:5"}), "(error) ERR No such client");
}

TEST_F(ServerInfoTest, ClientReplyOffAndSkip) {
  RawClient c(server_->port());
  c.Send(EncodeCommand({"CLIENT", "REPLY", "OFF"}) + EncodeCommand({"PING"}) +
         EncodeCommand({"SET", "rk", "1"}) + EncodeCommand({"CLIENT", "REPLY", "ON"}));
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");
  c.Send(EncodeCommand({"CLIENT", "REPLY", "SKIP"}) + EncodeCommand({"GET", "rk"}) +
         EncodeCommand({"ECHO", "after"}));
  EXPECT_EQ(c.ReadReply(), "$5\r\nafter\r\n");
}

TEST_F(ServerInfoTest, ClientPauseDelaysWrites) {
  Client c(server_->port()), writer(server_->port());
  EXPECT_EQ(c({"CLIENT", "PAUSE", "100000", "WRITE"}), "OK");
  std::string result;
  std::thread t([&] { result = writer({"SET", "paused", "1"}); });
  // Reads still work while writes wait.
  EXPECT_EQ(c({"GET", "paused"}), "(nil)");
  EXPECT_EQ(c({"CLIENT", "UNPAUSE"}), "OK");
  t.join();
  EXPECT_EQ(result, "OK");
  EXPECT_EQ(c({"GET", "paused"}), "\"1\"");
}

TEST_F(ServerInfoTest, CommandIntrospection) {
  Client c(server_->port());
  EXPECT_EQ(c({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}), "[\"a\", \"b\"]");
  EXPECT_EQ(c({"COMMAND", "GETKEYS", "PING", "x"}), "(error) ERR The command has no key arguments");
  EXPECT_EQ(c({"COMMAND", "INFO", "nosuch"}), "[(nil)]");
  std::string info = c({"COMMAND", "INFO", "get"});
  EXPECT_EQ(info.rfind("[[\"get\", (integer) 2, [readonly, fast], (integer) 1", 0), 0u) << info;
  std::string count = c({"COMMAND", "COUNT"});
  EXPECT_GT(std::stoi(count.substr(10)), 40);
  // COMMAND alone lists every command (go-redis's cluster client asks for it); other containers
  // alone are arity errors.
  RawClient raw(server_->port());
  std::string all = raw.Run({"COMMAND"});
  EXPECT_EQ(all.rfind("*" + count.substr(10) + "\r\n", 0), 0u) << all.substr(0, 40);
  EXPECT_EQ(raw.Run({"CONFIG"}), "-ERR wrong number of arguments for 'config' command\r\n");
  // SHUTDOWN is refused inside MULTI (and aborts EXEC), as Redis's no_multi commands are.
  EXPECT_EQ(c({"MULTI"}), "OK");
  EXPECT_EQ(c({"SHUTDOWN"}), "(error) ERR Command not allowed inside a transaction");
  EXPECT_EQ(c({"EXEC"}), "(error) EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(c({"PING"}), "PONG");
}

TEST_F(ServerInfoTest, RedisCliWorks) {
  if (access("/usr/bin/redis-cli", X_OK) != 0) GTEST_SKIP() << "redis-cli not installed";
  std::string cli = "redis-cli -p " + std::to_string(server_->port()) + " ";
  EXPECT_EQ(Shell(cli + "SET cli:k hello").second, "OK\n");
  EXPECT_EQ(Shell(cli + "GET cli:k").second, "hello\n");
  EXPECT_EQ(Shell(cli + "--no-raw INCR cli:n").second, "(integer) 1\n");
  EXPECT_EQ(Shell("printf 'SET cli:p 1\\nGET cli:p\\n' | " + cli).second, "OK\n1\n");
}

TEST_F(ServerInfoTest, RedisBenchmarkRuns) {
  if (access("/usr/bin/redis-benchmark", X_OK) != 0) GTEST_SKIP() << "redis-benchmark missing";
  auto [status, out] = Shell("redis-benchmark -p " + std::to_string(server_->port()) +
                             " -t set,get,incr,mset -n 20000 -c 20 -P 16 -q");
  EXPECT_EQ(status, 0) << out;
  // It reads "save" and "appendonly" first, and warns when it cannot.
  EXPECT_EQ(out.find("Could not fetch server CONFIG"), std::string::npos) << out;
  for (const char* t : {"SET:", "GET:", "INCR:", "MSET (10 keys):"}) {
    EXPECT_NE(out.find(t), std::string::npos) << t << "\n" << out;
  }
}

// What "redis-benchmark -q" runs with no -t: every test answers without an error.
TEST_F(ServerInfoTest, RedisBenchmarkDefaultSuiteRuns) {
  if (access("/usr/bin/redis-benchmark", X_OK) != 0) GTEST_SKIP() << "redis-benchmark missing";
  auto [status, out] =
      Shell("redis-benchmark -p " + std::to_string(server_->port()) + " -n 2000 -c 10 -P 8 -q");
  EXPECT_EQ(status, 0) << out;
  for (const char* t :
       {"PING_INLINE:", "PING_MBULK:", "SET:", "GET:", "INCR:", "LPUSH:", "RPUSH:", "LPOP:",
        "RPOP:", "SADD:", "HSET:", "SPOP:", "ZADD:", "ZPOPMIN:", "LRANGE_100 (first 100 elements):",
        "LRANGE_600 (first 600 elements):", "MSET (10 keys):"}) {
    EXPECT_NE(out.find(t), std::string::npos) << t << "\n" << out;
  }
  EXPECT_EQ(out.find("rror"), std::string::npos) << out;
  EXPECT_EQ(out.find("WARNING"), std::string::npos) << out;
}

}  // namespace
}  // namespace redwing::test
