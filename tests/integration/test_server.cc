#include "integration/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "protocol/resp_parser.h"
#include "storage/hash_table.h"

namespace redwing::test {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

pid_t ServerProcess::Spawn(std::vector<std::string> argv_s) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& s : argv_s)
      argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

std::unique_ptr<ServerProcess> ServerProcess::Launch(const std::string& binary,
                                                     std::vector<std::string> args,
                                                     bool wait_ping) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto p = std::unique_ptr<ServerProcess>(new ServerProcess());
    p->port_ = FreePort();
    std::vector<std::string> argv_s = {binary};
    // A config file, if given, must come first.
    size_t i = 0;
    if (!args.empty() && args[0].rfind("--", 0) != 0) argv_s.push_back(args[i++]);
    argv_s.insert(argv_s.end(), {"--port", std::to_string(p->port_), "--bind", "127.0.0.1"});
    for (; i < args.size(); ++i)
      argv_s.push_back(args[i]);
    pid_t pid = Spawn(std::move(argv_s));
    p->pid_ = pid;
    // Wait (bounded) until it answers PING (or, without `wait_ping`, accepts a connection).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        p->pid_ = -1;
        break;  // died (e.g. port taken): retry with another port
      }
      timeval tv{0, 200000};
      redisContext* c = redisConnectWithTimeout("127.0.0.1", p->port_, tv);
      if (c != nullptr && c->err == 0 && !wait_ping) {
        redisFree(c);
        return p;
      }
      if (c != nullptr && c->err == 0) {
        auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
        bool ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
        if (r != nullptr) freeReplyObject(r);
        redisFree(c);
        if (ok) return p;
      } else if (c != nullptr) {
        redisFree(c);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return nullptr;
}

std::unique_ptr<ServerProcess> ServerProcess::StartRedwing(std::vector<std::string> args) {
  return Launch(REDWING_SERVER_PATH, std::move(args));
}

std::unique_ptr<ServerProcess> ServerProcess::StartRedwingListening(std::vector<std::string> args) {
  return Launch(REDWING_SERVER_PATH, std::move(args), /*wait_ping=*/false);
}

std::unique_ptr<ServerProcess> ServerProcess::StartRedis(std::vector<std::string> args) {
  if (access("/usr/bin/redis-server", X_OK) != 0) return nullptr;
  args.insert(args.begin(), {"--save", "", "--appendonly", "no"});
  return Launch("/usr/bin/redis-server", std::move(args));
}

ServerPair ServerPair::Start(std::vector<std::string> redwing_args) {
  ServerPair pair;
  pair.redis = ServerProcess::StartRedis();
  pair.redwing = ServerProcess::StartRedwing(std::move(redwing_args));
  return pair;
}

int ServerProcess::RunRedwingToExit(std::vector<std::string> args, int timeout_ms) {
  // A config file, if given, must come first.
  auto at = args.begin();
  if (!args.empty() && args[0].rfind("--", 0) != 0) ++at;
  args.insert(at, {"--port", "0", "--bind", "127.0.0.1"});
  args.insert(args.begin(), REDWING_SERVER_PATH);
  auto p = std::unique_ptr<ServerProcess>(new ServerProcess());
  p->pid_ = Spawn(std::move(args));
  int status = p->WaitExit(timeout_ms);
  if (status == -1) ADD_FAILURE() << "redwing-server still running after " << timeout_ms << " ms";
  return status;
}

int ServerProcess::Signal(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

int ServerProcess::Stop() {
  return Signal(SIGTERM);
}

int ServerProcess::Kill() {
  return Signal(SIGKILL);
}

int ServerProcess::WaitExit(int timeout_ms) {
  if (pid_ <= 0) return -1;
  int status = 0;
  if (!PollUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout_ms)) return -1;
  pid_ = -1;
  return status;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/redwing-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ServerProcess::~ServerProcess() {
  Stop();
}

std::vector<std::string> ScriptFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(REDWING_SOURCE_DIR "/" + dir)) {
    if (e.path().extension() == ".txt") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool SplitScriptLine(const std::string& line, std::vector<std::string>* args) {
  std::string storage;
  std::vector<size_t> lengths;
  if (!SplitInlineArgs(line, &storage, &lengths)) return false;
  args->clear();
  size_t off = 0;
  for (size_t len : lengths) {
    args->push_back(storage.substr(off, len));
    off += len;
  }
  return true;
}

Client::Client(int port, int timeout_ms) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ctx_ = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (ctx_ != nullptr) redisSetTimeout(ctx_, tv);
}

Client::~Client() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

std::string Client::Format(const redisReply* r) {
  if (r == nullptr) return "(disconnected)";
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      return std::string(r->str, r->len);
    case REDIS_REPLY_ERROR:
      return "(error) " + std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return "(integer) " + std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_STRING:
      return "\"" + std::string(r->str, r->len) + "\"";
    case REDIS_REPLY_ARRAY: {
      std::string out = "[";
      for (size_t i = 0; i < r->elements; ++i) {
        if (i > 0) out += ", ";
        out += Format(r->element[i]);
      }
      return out + "]";
    }
    default:
      return "(unknown)";
  }
}

namespace {
// hiredis's argv form of a command.
struct Argv {
  explicit Argv(const std::vector<std::string>& args) {
    for (const auto& a : args) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
  }
  int argc() const { return static_cast<int>(ptrs.size()); }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
};
}  // namespace

Client::ReplyPtr Client::Command(const std::vector<std::string>& args) {
  if (!connected()) return nullptr;
  Argv argv(args);
  return ReplyPtr(static_cast<redisReply*>(
      redisCommandArgv(ctx_, argv.argc(), argv.ptrs.data(), argv.lens.data())));
}

std::string Client::Run(const std::vector<std::string>& args) {
  if (!connected()) return "(disconnected)";
  ReplyPtr r = Command(args);
  return Format(r.get());
}

std::vector<std::string> Client::Pipeline(const std::vector<std::vector<std::string>>& cmds) {
  std::vector<std::string> out;
  for (const auto& args : cmds) {
    Argv argv(args);
    redisAppendCommandArgv(ctx_, argv.argc(), argv.ptrs.data(), argv.lens.data());
  }
  for (size_t i = 0; i < cmds.size(); ++i) {
    void* reply = nullptr;
    if (redisGetReply(ctx_, &reply) != REDIS_OK) {
      out.emplace_back("(disconnected)");
      break;
    }
    out.push_back(Format(static_cast<redisReply*>(reply)));
    freeReplyObject(reply);
  }
  return out;
}

std::string RawRoundTrip(int port, const std::string& bytes, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "(connect failed)";
  }
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  std::string out;
  char buf[65536];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

size_t RespReplyLength(const std::string& d, size_t pos) {
  if (pos >= d.size()) return 0;
  size_t eol = d.find("\r\n", pos);
  if (eol == std::string::npos) return 0;
  char type = d[pos];
  std::string head = d.substr(pos + 1, eol - pos - 1);
  size_t after = eol + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return after - pos;
    case '$':
    case '=':
    case '!': {
      long n = std::stol(head);
      if (n < 0) return after - pos;
      size_t end = after + static_cast<size_t>(n) + 2;
      return end <= d.size() ? end - pos : 0;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      long n = std::stol(head);
      if (n < 0) return after - pos;
      long items = (type == '%' || type == '|') ? n * 2 : n;
      size_t cur = after;
      for (long i = 0; i < items; ++i) {
        size_t len = RespReplyLength(d, cur);
        if (len == 0) return 0;
        cur += len;
      }
      // An attribute ('|') is followed by the reply it annotates.
      if (type == '|') {
        size_t len = RespReplyLength(d, cur);
        if (len == 0) return 0;
        cur += len;
      }
      return cur - pos;
    }
    default:
      return after - pos;
  }
}

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string s = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args)
    s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return s;
}

RawClient::RawClient(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

RawClient::~RawClient() {
  if (fd_ >= 0) close(fd_);
}

void RawClient::Send(const std::string& bytes) {
  size_t off = 0;
  while (fd_ >= 0 && off < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

std::string RawClient::ReadReply(int timeout_ms) {
  char buf[65536];
  while (true) {
    size_t len = RespReplyLength(buf_);
    if (len > 0) {
      std::string r = buf_.substr(0, len);
      buf_.erase(0, len);
      return r;
    }
    pollfd p{fd_, POLLIN, 0};
    if (fd_ < 0 || poll(&p, 1, timeout_ms) <= 0) return "";
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return "";
    buf_.append(buf, static_cast<size_t>(n));
  }
}

std::string RawClient::Run(const std::vector<std::string>& args, int timeout_ms) {
  Send(EncodeCommand(args));
  return ReadReply(timeout_ms);
}

bool RawClient::WaitClosed(int timeout_ms) {
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return true;
  }
  return false;
}

std::string Client::RawExchange(const std::string& bytes, size_t expect, int timeout_ms) {
  int fd = ctx_->fd;
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  std::string out;
  char buf[65536];
  while (out.size() < expect) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {

// INFO text (or "" if the reply is not one) and a field of it ("" if absent).
std::string InfoText(Client& c, const std::string& section) {
  Client::ReplyPtr r = c.Command({"INFO", section});
  if (r == nullptr || r->type != REDIS_REPLY_STRING) return "";
  return std::string(r->str, r->len);
}

std::string FieldOf(const std::string& text, const std::string& field) {
  size_t at = text.find("\r\n" + field + ":");
  if (at == std::string::npos) return "";
  at += field.size() + 3;
  return text.substr(at, text.find("\r\n", at) - at);
}

}  // namespace

std::string Client::InfoField(const std::string& section, const std::string& field) {
  return FieldOf(InfoText(*this, section), field);
}

int64_t Client::InfoNumber(const std::string& section, const std::string& field) {
  std::string v = InfoField(section, field);
  return v.empty() ? -1 : std::stoll(v);
}

bool WaitPersisted(Client& c, int timeout_ms) {
  return PollUntil(
      [&] {
        std::string text = InfoText(c, "persistence");
        return FieldOf(text, "persistence_dirty_keys") == "0" &&
               FieldOf(text, "persistence_dirty_bytes") == "0" &&
               FieldOf(text, "rdb_changes_since_last_save") == "0";
      },
      timeout_ms);
}

bool PollUntil(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

namespace {

void AppendStrings(const redisReply* r, std::vector<std::string>* out) {
  if (r->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < r->elements; ++i)
      AppendStrings(r->element[i], out);
  } else if (r->type == REDIS_REPLY_NIL) {
    out->push_back("(nil)");
  } else {
    out->emplace_back(r->str, r->len);
  }
}

}  // namespace

std::vector<std::string> ReplyStrings(const redisReply* r) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) {
    ADD_FAILURE() << "not an array: " << (r == nullptr ? "(disconnected)" : Client::Format(r));
    return {"(not an array)"};
  }
  std::vector<std::string> out;
  AppendStrings(r, &out);
  return out;
}

std::vector<std::string> Client::Strings(const std::vector<std::string>& args) {
  ReplyPtr r = Command(args);
  return ReplyStrings(r.get());
}

std::vector<std::string> KeysOfShard(const std::string& prefix, int shard, int n) {
  std::vector<std::string> keys;
  for (int i = 0; static_cast<int>(keys.size()) < n; ++i) {
    std::string k = prefix + std::to_string(i);
    if (static_cast<int>((HashKey(k) >> 32) % 2) == shard) keys.push_back(k);
  }
  return keys;
}

}  // namespace redwing::test
