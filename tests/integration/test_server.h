#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace redwing::test {

// A server process started for a test: the real redwing-server binary (or redis-server, for
// differential tests) on a free loopback port. Start() waits until it answers PING; the
// destructor stops it with SIGTERM and waits for it.
class ServerProcess {
 public:
  // `args` are extra command-line arguments, e.g. {"--threads", "2"}.
  static std::unique_ptr<ServerProcess> StartRedwing(std::vector<std::string> args = {});
  // Returns as soon as the port accepts connections, before the server may answer PING (a
  // restart still loading its page files answers -LOADING).
  static std::unique_ptr<ServerProcess> StartRedwingListening(std::vector<std::string> args);
  // nullptr if redis-server is not installed.
  static std::unique_ptr<ServerProcess> StartRedis(std::vector<std::string> args = {});
  ~ServerProcess();

  // Runs redwing-server expected to refuse to start (on port 0: no port to collide on) and
  // returns its exit status (as from waitpid) once it exits, or -1 if it is still running after
  // `timeout_ms` (it is then killed).
  static int RunRedwingToExit(std::vector<std::string> args, int timeout_ms = 30000);

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and waits; returns the exit status (as from waitpid) or -1.
  int Stop();
  // Sends SIGKILL (a crash: nothing is flushed) and waits; returns the exit status or -1.
  int Kill();
  // Waits up to `timeout_ms` for the process to exit by itself (e.g. after SHUTDOWN); returns
  // its exit status, or -1 if it is still running.
  int WaitExit(int timeout_ms);

 private:
  ServerProcess() = default;
  static std::unique_ptr<ServerProcess> Launch(const std::string& binary,
                                               std::vector<std::string> args,
                                               bool wait_ping = true);
  // Forks and execs `argv` (stdout to /dev/null); the child's pid.
  static pid_t Spawn(std::vector<std::string> argv);
  int Signal(int sig);
  int port_ = 0;
  pid_t pid_ = -1;
};

// A free TCP port on 127.0.0.1 (bound and released; collisions are retried by the caller).
int FreePort();

// How many times slower the sanitizer builds run: timeouts and timing bounds scale by it.
#if defined(__SANITIZE_THREAD__)
inline constexpr int kSanitizerSlowdown = 5;
#elif defined(__SANITIZE_ADDRESS__)
inline constexpr int kSanitizerSlowdown = 3;
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of `name` inside the directory.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A whole file's bytes ("" if it cannot be read).
std::string ReadFileBytes(const std::string& path);

// A hiredis connection with helpers that turn replies into short strings for assertions:
//   "OK" (status), "(nil)", "(integer) 5", "\"bulk\"", "(error) ERR ...", "[a, b]" (arrays).
// hiredis 0.14 (Debian 12) speaks RESP2 only: RESP3 is tested on raw bytes (RespReply below).
class Client {
 public:
  explicit Client(int port, int timeout_ms = 10000);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return ctx_ != nullptr && ctx_->err == 0; }
  redisContext* raw() { return ctx_; }

  struct ReplyDeleter {
    void operator()(redisReply* r) const {
      if (r != nullptr) freeReplyObject(r);
    }
  };
  using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;
  // Runs one command and returns hiredis's reply (null if the connection broke).
  ReplyPtr Command(const std::vector<std::string>& args);
  // Runs one command and returns its formatted reply ("(disconnected)" if the connection broke).
  std::string Run(const std::vector<std::string>& args);
  std::string operator()(std::initializer_list<std::string> args) { return Run(args); }
  // Runs one command and returns its array reply's strings (see ReplyStrings).
  std::vector<std::string> Strings(const std::vector<std::string>& args);
  // Pipelines commands: sends all, then reads all replies.
  std::vector<std::string> Pipeline(const std::vector<std::vector<std::string>>& cmds);
  // Sends raw bytes and returns the raw bytes received until `expect` bytes arrived, the peer
  // closed, or a timeout.
  std::string RawExchange(const std::string& bytes, size_t expect, int timeout_ms = 2000);
  // A field of INFO `section` as text ("" if absent or the connection broke), and as a number
  // (-1 if absent).
  std::string InfoField(const std::string& section, const std::string& field);
  int64_t InfoNumber(const std::string& section, const std::string& field);

  static std::string Format(const redisReply* r);

 private:
  redisContext* ctx_ = nullptr;
};

// Polls INFO persistence until everything written so far is on disk: no dirty key, no dirty
// byte, and no change since the last save (persistence_dirty_keys alone reaches 0 as soon as the
// keys are serialised, before the flusher has written them). False after `timeout_ms`.
bool WaitPersisted(Client& c, int timeout_ms = 30000);

// The strings of an array reply, nested arrays flattened and a null element read as "(nil)". A
// reply that is not an array fails the test's expectation and reads {"(not an array)"}.
std::vector<std::string> ReplyStrings(const redisReply* r);

// Length of the first complete RESP2/RESP3 reply in `data`, or 0 if it is incomplete.
size_t RespReplyLength(const std::string& data, size_t pos = 0);

// A raw socket that sends RESP commands and returns each reply's exact bytes.
class RawClient {
 public:
  explicit RawClient(int port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  // Sends the command (as a multibulk) and returns the exact reply bytes, or "" on timeout/close.
  std::string Run(const std::vector<std::string>& args, int timeout_ms = 5000);
  // Sends raw bytes without waiting.
  void Send(const std::string& bytes);
  // Reads one reply's bytes.
  std::string ReadReply(int timeout_ms = 5000);
  // True if the server closed the connection (reads EOF within timeout).
  bool WaitClosed(int timeout_ms = 5000);

 private:
  int fd_ = -1;
  std::string buf_;
};

std::string EncodeCommand(const std::vector<std::string>& args);

// `n` keys `prefix<i>` that shard `shard` of a two-thread server owns (the server's rule:
// engine.h ShardOf).
std::vector<std::string> KeysOfShard(const std::string& prefix, int shard, int n);

// The scripts (*.txt) under `dir` of the source tree (e.g. "tests/differential"), sorted.
std::vector<std::string> ScriptFiles(const std::string& dir);

// Splits a script line written in inline syntax (quotes and escapes as redis-cli) into a
// command's arguments; false if the quoting is unbalanced.
bool SplitScriptLine(const std::string& line, std::vector<std::string>* args);

// A fixture whose tests share one redwing-server, started once per test suite (start-up is the
// slow part). Derived::ServerArgs() gives its command line; Derived::kFlushBetweenTests empties
// the keyspace before each test.
template <typename Derived>
class SharedServerTest : public ::testing::Test {
 protected:
  static std::vector<std::string> ServerArgs() { return {"--threads", "2"}; }
  static constexpr bool kFlushBetweenTests = true;

  static void SetUpTestSuite() {
    server_ = ServerProcess::StartRedwing(Derived::ServerArgs()).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    if (Derived::kFlushBetweenTests) {
      Client c(server_->port());
      ASSERT_EQ(c({"FLUSHALL"}), "OK");
    }
  }
  static int port() { return server_->port(); }

  static inline ServerProcess* server_ = nullptr;
};

// redis-server and redwing-server started side by side, for differential tests: the same
// commands go to both and the replies must match. `redis` is null when redis-server is not
// installed (such tests skip), `redwing` when it did not start.
struct ServerPair {
  static ServerPair Start(std::vector<std::string> redwing_args = {"--threads", "2"});

  std::unique_ptr<ServerProcess> redis;
  std::unique_ptr<ServerProcess> redwing;
};

// A parameterized fixture whose tests share one ServerPair, started once per test suite. A test
// is skipped when redis-server is not installed and fails when redwing-server did not start.
template <typename Param>
class ServerPairTest : public ::testing::TestWithParam<Param> {
 protected:
  static void SetUpTestSuite() { servers_ = ServerPair::Start(); }
  static void TearDownTestSuite() { servers_ = ServerPair(); }
  void SetUp() override {
    if (servers_.redis == nullptr) GTEST_SKIP() << "redis-server is not installed";
    ASSERT_NE(servers_.redwing, nullptr);
  }
  static const ServerProcess& redis_server() { return *servers_.redis; }
  static const ServerProcess& redwing_server() { return *servers_.redwing; }

 private:
  static inline ServerPair servers_;
};

// Polls `done` every 2 ms until it holds or `timeout_ms` passes; returns whether it held. (Tests
// wait on conditions, never on fixed sleeps.)
bool PollUntil(const std::function<bool()>& done, int timeout_ms = 5000);

// Sends raw bytes on a fresh socket and reads until the peer closes or `timeout_ms` passes with
// no data. Returns what was read.
std::string RawRoundTrip(int port, const std::string& bytes, int timeout_ms = 500);

}  // namespace redwing::test
