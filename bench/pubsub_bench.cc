// Pub/sub benchmark: publish throughput and end-to-end delivery latency against any RESP server.
//
// S subscriber connections SUBSCRIBE to one channel (or, with --pattern, PSUBSCRIBE a pattern
// that matches it); once every subscription is confirmed, P publisher connections send PUBLISH
// to the channel. Every payload starts with a 24-byte header (send time on the steady clock in
// ns, the publisher's id, its sequence number; little-endian binary) followed by filler up to
// --size bytes, so each subscriber measures the delay from the publisher's send() to its own
// recv() of every message, and checks that it received every message of every publisher once and
// in that publisher's order. Each PUBLISH reply must equal the subscriber count.
//
// Two ways to send:
//   flood (default)  each publisher keeps up to --pipeline PUBLISHes in flight, topping the
//                    window up when it is half empty: throughput;
//   paced (--rate N) N messages per second in total, on a schedule (message i is due at
//                    i / N s, or with --poisson after exponential gaps), round-robin over the
//                    publishers, at most --pipeline in flight each (1 by default here):
//                    latency at a known load.
//
// One thread drives every socket through epoll (and a timerfd for the schedule), so the client
// costs one core at most; on a 2-core machine it shares them with the server. Latency samples go
// into a log-linear histogram (1/64 relative precision), so memory does not grow with S x N.
//
// Standalone on purpose (libc and POSIX sockets only) so that it builds anywhere with
//   g++ -std=c++20 -O2 -o pubsub_bench bench/pubsub_bench.cc
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "pubsub_bench: %s\n", message.c_str());
  std::exit(2);
}

// CLOCK_MONOTONIC in ns: the clock of std::chrono::steady_clock on Linux, and the one the
// timerfd of the paced mode runs on.
uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// ---------------------------------------------------------------------------------------------
// Options.

struct Options {
  std::string host = "127.0.0.1";
  uint64_t port = 6379;
  uint64_t subscribers = 1;
  uint64_t publishers = 1;
  uint64_t messages = 100'000;  // in total, split over the publishers
  uint64_t size = 32;           // payload bytes, header included
  uint64_t pipeline = 0;        // 0: 32 flooding, 1 paced
  uint64_t rate = 0;            // messages/s in total; 0: flood
  uint64_t warmup = 0;          // each publisher's first messages stay out of the latency figures
  uint64_t timeout = 10;        // seconds without progress before giving up
  uint64_t seed = 1;            // --poisson: the arrival stream's seed
  std::string channel = "redwing-bench:channel";
  bool pattern = false;
  bool spin = false;     // busy-poll instead of sleeping in epoll_wait
  bool poisson = false;  // paced: exponential gaps between messages instead of equal ones
};

// The payload header: what a subscriber needs to time and check a message.
struct Header {
  uint64_t sent_ns;
  uint64_t publisher;
  uint64_t seq;
};
constexpr size_t kHeaderSize = 24;

void PutU64(char* at, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    at[i] = static_cast<char>(value >> (8 * i));
}

uint64_t GetU64(const char* at) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= uint64_t{static_cast<unsigned char>(at[i])} << (8 * i);
  return value;
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// ---------------------------------------------------------------------------------------------
// Latency histogram: values below 128 ns have a bucket each; above, each power of two is cut
// into 64 buckets, so a bucket spans at most 1/64 of its values. Not thread-safe.

class Histogram {
 public:
  void Add(uint64_t value) {
    ++counts_[Index(value)];
    ++total_;
    max_ = std::max(max_, value);
  }
  uint64_t total() const { return total_; }
  uint64_t max() const { return max_; }

  // The value at quantile q (0..1]: the middle of the bucket holding the ceil(q*total)-th value.
  double Quantile(double q) const {
    if (total_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total_) + 0.999999);
    rank = std::clamp<uint64_t>(rank, 1, total_);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const double low = static_cast<double>(Low(i));
        const double high = static_cast<double>(Low(i + 1));
        return std::min((low + high) / 2, static_cast<double>(max_));
      }
    }
    return static_cast<double>(max_);
  }

 private:
  static constexpr size_t kBuckets = 64 * 58 + 128;

  static size_t Index(uint64_t v) {
    if (v < 128) return static_cast<size_t>(v);
    const int shift = 63 - __builtin_clzll(v) - 6;  // v >> shift is in [64, 128)
    return static_cast<size_t>(64 * shift) + static_cast<size_t>(v >> shift);
  }
  // The lowest value of bucket i.
  static uint64_t Low(size_t i) {
    if (i < 128) return i;
    const size_t shift = i / 64 - 1;
    return static_cast<uint64_t>(i - 64 * shift) << shift;
  }

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

// ---------------------------------------------------------------------------------------------
// RESP.

// One reply, as far as this tool needs: a status, error or integer, a bulk string, or an array
// of up to four bulk strings and integers (a subscription confirmation or a pushed message).
// The views point into the connection's read buffer and live until the next read.
struct Reply {
  char type = 0;  // '+', '-', ':', '$', '*'
  int64_t integer = 0;
  std::string_view text;  // a status, error or bulk string
  size_t count = 0;       // array elements
  std::array<std::string_view, 4> items;
  std::array<int64_t, 4> integers{};  // an array element that is an integer
};

// Parses a decimal integer line ending at the CR at `cr`.
int64_t ParseInteger(const char* p, const char* cr) {
  bool negative = p < cr && *p == '-';
  if (negative) ++p;
  if (p == cr || cr - p > 18) Fail("protocol error: bad number");
  int64_t value = 0;
  for (; p < cr; ++p) {
    if (*p < '0' || *p > '9') Fail("protocol error: bad number");
    value = value * 10 + (*p - '0');
  }
  return negative ? -value : value;
}

// Parses a line-or-bulk value at p (not an array). Returns the byte past it, or nullptr when the
// buffer does not hold all of it yet.
const char* ParseScalar(const char* p, const char* end, char* type, int64_t* integer,
                        std::string_view* text) {
  if (p >= end) return nullptr;
  const char* cr = static_cast<const char*>(std::memchr(p, '\r', end - p));
  if (cr == nullptr || cr + 1 >= end) return nullptr;
  if (cr[1] != '\n') Fail("protocol error: CR without LF");
  *type = *p;
  switch (*p) {
    case '+':
    case '-':
      *text = std::string_view(p + 1, cr - p - 1);
      return cr + 2;
    case ':':
      *integer = ParseInteger(p + 1, cr);
      return cr + 2;
    case '$': {
      const int64_t length = ParseInteger(p + 1, cr);
      if (length < 0) {
        *text = {};
        return cr + 2;
      }
      const char* data = cr + 2;
      if (end - data < length + 2) return nullptr;
      if (data[length] != '\r' || data[length + 1] != '\n') Fail("protocol error: bulk end");
      *text = std::string_view(data, static_cast<size_t>(length));
      *integer = length;
      return data + length + 2;
    }
    default:
      Fail("protocol error: unexpected reply '" + std::string(p, std::min<size_t>(cr - p, 40)) +
           "'");
  }
}

const char* ParseReply(const char* p, const char* end, Reply* r) {
  if (p >= end) return nullptr;
  if (*p != '*') return ParseScalar(p, end, &r->type, &r->integer, &r->text);
  const char* cr = static_cast<const char*>(std::memchr(p, '\r', end - p));
  if (cr == nullptr || cr + 1 >= end) return nullptr;
  r->type = '*';
  const int64_t count = ParseInteger(p + 1, cr);
  if (count < 0 || count > 4) Fail("protocol error: array of " + std::to_string(count));
  r->count = static_cast<size_t>(count);
  p = cr + 2;
  for (size_t i = 0; i < r->count; ++i) {
    char type = 0;
    r->items[i] = {};
    p = ParseScalar(p, end, &type, &r->integers[i], &r->items[i]);
    if (p == nullptr) return nullptr;
    if (type != '$' && type != ':') Fail("protocol error: unexpected array element");
  }
  return p;
}

void AppendBulk(std::string* out, std::string_view arg) {
  *out += '$';
  *out += std::to_string(arg.size());
  *out += "\r\n";
  *out += arg;
  *out += "\r\n";
}

// ---------------------------------------------------------------------------------------------
// Connections.

// A non-blocking TCP connection with a read buffer and a queue of bytes to send. Owns the
// descriptor. Used by the one thread of the tool only.
struct Connection {
  int fd = -1;
  std::vector<char> in = std::vector<char>(1 << 16);
  size_t begin = 0;  // first unparsed byte of `in`
  size_t end = 0;    // one past the last byte received
  std::string out;   // bytes to send; out_sent of them are gone
  size_t out_sent = 0;
  bool want_write = false;   // registered for EPOLLOUT
  uint64_t received_ns = 0;  // when the last recv() returned data

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (fd >= 0) close(fd);
  }
};

void Connect(const Options& options, Connection* c) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const std::string port = std::to_string(options.port);
  const std::string where = options.host + ":" + port;
  const int rc = getaddrinfo(options.host.c_str(), port.c_str(), &hints, &addresses);
  if (rc != 0) Fail("cannot resolve " + where + ": " + gai_strerror(rc));
  int error = 0;
  for (addrinfo* a = addresses; a != nullptr && c->fd < 0; a = a->ai_next) {
    c->fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (c->fd < 0) {
      error = errno;
      continue;
    }
    if (connect(c->fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      close(c->fd);
      c->fd = -1;
    }
  }
  freeaddrinfo(addresses);
  if (c->fd < 0) Fail("cannot connect to " + where + ": " + std::strerror(error));
  const int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int flags = fcntl(c->fd, F_GETFL);
  if (flags < 0 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    Fail("cannot make the socket non-blocking");
  }
}

// ---------------------------------------------------------------------------------------------
// The benchmark.

// A publisher connection and its progress; its messages carry its id and sequence numbers.
struct Publisher {
  Connection conn;
  uint64_t id = 0;
  uint64_t quota = 0;  // messages this publisher sends
  uint64_t sent = 0;   // also the next sequence number
  uint64_t replied = 0;
};

// A subscriber connection and what it has received: next_seq[p] is the sequence number it
// expects next from publisher p (messages of one publisher arrive in order).
struct Subscriber {
  Connection conn;
  bool confirmed = false;
  uint64_t received = 0;
  std::vector<uint64_t> next_seq;  // per publisher
};

// What a run measured. Times are CLOCK_MONOTONIC ns.
struct Result {
  uint64_t first_send_ns = 0;
  uint64_t last_reply_ns = 0;
  uint64_t last_delivery_ns = 0;
  uint64_t deliveries = 0;
  uint64_t max_schedule_lag_ns = 0;  // paced: how late the latest-sent message left
  uint64_t errors = 0;
  Histogram latency;
};

// Runs one benchmark over its own connections. Single-threaded; owns every connection, the
// epoll and timer descriptors.
class Bench {
 public:
  explicit Bench(const Options& options)
      : options_(options), publishers_(options.publishers), subscribers_(options.subscribers) {
    pipeline_ = options.pipeline != 0 ? options.pipeline : (options.rate != 0 ? 1 : 32);
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epoll_ < 0 || timer_ < 0) Fail("cannot create epoll or timerfd");
    Watch(timer_, kTimerTag, EPOLLIN);
    payload_.assign(options.size, 'x');
    // In pattern mode subscribers ask for the channel's first character and '*'.
    rng_ = options.seed;
    target_ = options.pattern ? options.channel.substr(0, 1) + "*" : options.channel;
  }
  ~Bench() {
    close(timer_);
    close(epoll_);
  }
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  Result Run() {
    Subscribe();
    for (size_t i = 0; i < publishers_.size(); ++i) {
      Publisher& p = publishers_[i];
      p.id = i;
      p.quota =
          options_.messages / publishers_.size() + (i < options_.messages % publishers_.size());
      Connect(options_, &p.conn);
      Watch(p.conn.fd, i, EPOLLIN);
    }
    result_.first_send_ns = start_ns_ = due_ns_ = NowNs();
    if (Paced()) {
      SendDue();
    } else {
      for (Publisher& p : publishers_)
        TopUp(&p);
    }
    Loop([this] { return Done(); });
    for (const Subscriber& s : subscribers_) {
      for (size_t p = 0; p < publishers_.size(); ++p) {
        if (s.next_seq[p] != publishers_[p].quota) {
          Error("a subscriber received " + std::to_string(s.next_seq[p]) + " of publisher " +
                std::to_string(p) + "'s " + std::to_string(publishers_[p].quota) + " messages");
        }
      }
    }
    for (const Publisher& p : publishers_) {
      if (p.replied != p.quota) {
        Error("publisher " + std::to_string(p.id) + " got " + std::to_string(p.replied) + " of " +
              std::to_string(p.quota) + " replies");
      }
    }
    return std::move(result_);
  }

 private:
  static constexpr uint64_t kTimerTag = ~uint64_t{0};
  static constexpr uint64_t kSubscriberTag = uint64_t{1} << 32;
  static constexpr int kMaxErrorsShown = 5;

  void Error(const std::string& message) {
    if (++result_.errors <= kMaxErrorsShown) {
      std::fprintf(stderr, "pubsub_bench: error: %s\n", message.c_str());
    }
  }

  void Watch(int fd, uint64_t tag, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) Fail("epoll_ctl failed");
  }

  // Connects every subscriber, subscribes it and waits until all are confirmed.
  void Subscribe() {
    std::string command;
    command += "*2\r\n";
    AppendBulk(&command, options_.pattern ? "PSUBSCRIBE" : "SUBSCRIBE");
    AppendBulk(&command, target_);
    for (size_t i = 0; i < subscribers_.size(); ++i) {
      Subscriber& s = subscribers_[i];
      s.next_seq.assign(publishers_.size(), 0);
      Connect(options_, &s.conn);
      Watch(s.conn.fd, kSubscriberTag + i, EPOLLIN);
      s.conn.out = command;
      Flush(&s.conn, kSubscriberTag + i);
    }
    Loop([this] { return confirmed_ == subscribers_.size(); });
    if (confirmed_ != subscribers_.size()) {
      Fail(std::to_string(subscribers_.size() - confirmed_) + " subscriptions not confirmed");
    }
  }

  bool Done() const {
    if (result_.deliveries < options_.messages * subscribers_.size()) return false;
    for (const Publisher& p : publishers_) {
      if (p.replied < p.quota) return false;
    }
    return true;
  }

  // Dispatches socket events until done() or until nothing has happened for --timeout seconds.
  template <typename DoneFn>
  void Loop(DoneFn done) {
    std::vector<epoll_event> events(256);
    uint64_t last_progress = NowNs();
    while (!done() && !aborted_) {
      if (options_.spin && Paced() && start_ns_ != 0 && paced_sent_ < options_.messages &&
          due_ns_ <= NowNs()) {
        SendDue();
      }
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                               options_.spin ? 0 : 200);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) Fail(std::string("epoll_wait failed: ") + std::strerror(errno));
      if (n == 0) {
        if (NowNs() - last_progress > options_.timeout * 1'000'000'000) {
          Error("no progress for " + std::to_string(options_.timeout) + " s; giving up");
          return;
        }
        continue;
      }
      last_progress = NowNs();
      for (int i = 0; i < n; ++i)
        Handle(events[i]);
    }
  }

  void Handle(const epoll_event& ev) {
    const uint64_t tag = ev.data.u64;
    if (tag == kTimerTag) {
      uint64_t expirations;
      [[maybe_unused]] const ssize_t ignored = read(timer_, &expirations, sizeof expirations);
      SendDue();
      return;
    }
    Connection* conn =
        tag >= kSubscriberTag ? &subscribers_[tag - kSubscriberTag].conn : &publishers_[tag].conn;
    if (ev.events & EPOLLOUT) Flush(conn, tag);
    if (!(ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    if (!Receive(conn)) return;
    if (tag >= kSubscriberTag) {
      OnSubscriberData(&subscribers_[tag - kSubscriberTag]);
    } else {
      OnPublisherData(&publishers_[tag]);
    }
  }

  // Reads what the socket has into conn->in. False when there was nothing (or the peer closed,
  // which aborts the run).
  bool Receive(Connection* conn) {
    if (conn->begin == conn->end) {
      conn->begin = conn->end = 0;
    } else if (conn->in.size() - conn->end < 4096) {
      std::memmove(conn->in.data(), conn->in.data() + conn->begin, conn->end - conn->begin);
      conn->end -= conn->begin;
      conn->begin = 0;
      if (conn->in.size() - conn->end < 4096) conn->in.resize(conn->in.size() * 2);
    }
    const ssize_t n = recv(conn->fd, conn->in.data() + conn->end, conn->in.size() - conn->end, 0);
    if (n > 0) {
      conn->received_ns = NowNs();
      conn->end += static_cast<size_t>(n);
      return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
    Error(n == 0 ? "the server closed a connection"
                 : std::string("recv failed: ") + std::strerror(errno));
    aborted_ = true;
    return false;
  }

  // Sends what conn->out holds; watches for writability while some is left.
  void Flush(Connection* conn, uint64_t tag) {
    while (conn->out_sent < conn->out.size()) {
      const ssize_t n = send(conn->fd, conn->out.data() + conn->out_sent,
                             conn->out.size() - conn->out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        conn->out_sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      Fail(std::string("send failed: ") + std::strerror(errno));
    }
    const bool left = conn->out_sent < conn->out.size();
    if (!left) {
      conn->out.clear();
      conn->out_sent = 0;
    }
    if (left != conn->want_write) {
      conn->want_write = left;
      epoll_event ev{};
      ev.events = left ? EPOLLIN | EPOLLOUT : uint32_t{EPOLLIN};
      ev.data.u64 = tag;
      if (epoll_ctl(epoll_, EPOLL_CTL_MOD, conn->fd, &ev) != 0) Fail("epoll_ctl failed");
    }
  }

  // Appends one PUBLISH of the publisher's next message, stamped `now`.
  void AppendPublish(Publisher* p, uint64_t now) {
    std::string& out = p->conn.out;
    out += "*3\r\n$7\r\nPUBLISH\r\n";
    AppendBulk(&out, options_.channel);
    PutU64(payload_.data(), now);
    PutU64(payload_.data() + 8, p->id);
    PutU64(payload_.data() + 16, p->sent);
    AppendBulk(&out, payload_);
    ++p->sent;
  }

  // Flood: refills the publisher's window once half of it has been answered.
  void TopUp(Publisher* p) {
    const uint64_t in_flight = p->sent - p->replied;
    if (p->sent == p->quota || in_flight > pipeline_ / 2) return;
    const uint64_t n = std::min(pipeline_ - in_flight, p->quota - p->sent);
    const uint64_t now = NowNs();
    for (uint64_t i = 0; i < n; ++i)
      AppendPublish(p, now);
    Flush(&p->conn, p->id);
  }

  // Paced: sends every message whose time has come (message i is due at start + i/rate), round
  // robin over the publishers, unless the next one's window is full (its reply will call here
  // again); then arms the timer for the next message (with --spin, Loop watches the clock).
  // A message sent late is stamped when it leaves, so the wait for a window is not latency:
  // max_schedule_lag_ns says how far behind the schedule sending fell.
  void SendDue() {
    const uint64_t now = NowNs();
    bool blocked = false;
    size_t first_touched = publishers_.size();
    size_t last_touched = 0;
    while (paced_sent_ < options_.messages && due_ns_ <= now) {
      const size_t index = paced_sent_ % publishers_.size();
      Publisher& p = publishers_[index];
      if (p.sent - p.replied >= pipeline_) {
        blocked = true;
        break;
      }
      result_.max_schedule_lag_ns = std::max(result_.max_schedule_lag_ns, now - due_ns_);
      AppendPublish(&p, now);
      ++paced_sent_;
      due_ns_ = NextDue();
      first_touched = std::min(first_touched, index);
      last_touched = std::max(last_touched, index);
    }
    for (size_t i = first_touched; i <= last_touched && i < publishers_.size(); ++i)
      Flush(&publishers_[i].conn, i);
    if (blocked || paced_sent_ == options_.messages || options_.spin) return;
    itimerspec spec{};
    const uint64_t due = due_ns_;
    spec.it_value.tv_sec = static_cast<time_t>(due / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(due % 1'000'000'000);
    if (timerfd_settime(timer_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) Fail("timerfd_settime");
  }

  bool Paced() const { return options_.rate != 0; }

  // When message paced_sent_ is due: at start + i/rate, or with --poisson after an exponential
  // gap of mean 1/rate from the previous one (a Poisson process: arrivals that do not fall into
  // step with anything else on the machine, such as a second client measuring another server).
  uint64_t NextDue() {
    if (!options_.poisson) {
      return start_ns_ + static_cast<uint64_t>(static_cast<__uint128_t>(paced_sent_) *
                                               1'000'000'000 / options_.rate);
    }
    const double u = static_cast<double>(SplitMix64(rng_) >> 11) * 0x1.0p-53;  // [0, 1)
    const double gap_ns = -std::log1p(-u) * 1e9 / static_cast<double>(options_.rate);
    return due_ns_ + static_cast<uint64_t>(gap_ns);
  }

  // Parses the next whole reply out of conn->in, if it holds one.
  static bool NextReply(Connection* conn, Reply* r) {
    const char* next = ParseReply(conn->in.data() + conn->begin, conn->in.data() + conn->end, r);
    if (next == nullptr) return false;
    conn->begin = static_cast<size_t>(next - conn->in.data());
    return true;
  }

  void OnPublisherData(Publisher* p) {
    Reply r;
    while (NextReply(&p->conn, &r)) {
      if (p->replied == p->sent) Fail("a reply that no PUBLISH asked for");
      ++p->replied;
      result_.last_reply_ns = p->conn.received_ns;
      if (r.type == '-') {
        Error("PUBLISH failed: -" + std::string(r.text));
      } else if (r.type != ':') {
        Error("PUBLISH answered with a reply of type '" + std::string(1, r.type) + "'");
      } else if (static_cast<uint64_t>(r.integer) != subscribers_.size()) {
        Error("PUBLISH reached " + std::to_string(r.integer) + " subscribers, not " +
              std::to_string(subscribers_.size()));
      }
    }
    if (Paced()) {
      SendDue();
    } else {
      TopUp(p);
    }
  }

  void OnSubscriberData(Subscriber* s) {
    Reply r;
    while (NextReply(&s->conn, &r)) {
      if (r.type == '-' && !s->confirmed) Fail("subscribing failed: -" + std::string(r.text));
      if (r.type != '*' || r.count < 3) {
        Error("a subscriber got a reply that is not a push: type '" + std::string(1, r.type) + "'");
        continue;
      }
      const std::string_view kind = r.items[0];
      if (!s->confirmed) {
        if (kind != (options_.pattern ? "psubscribe" : "subscribe") || r.items[1] != target_ ||
            r.integers[2] != 1) {
          Fail("unexpected subscription confirmation '" + std::string(kind) + "'");
        }
        s->confirmed = true;
        ++confirmed_;
        continue;
      }
      OnMessage(s, r, s->conn.received_ns);
    }
  }

  void OnMessage(Subscriber* s, const Reply& r, uint64_t now) {
    const bool pattern = options_.pattern;
    const std::string_view kind = r.items[0];
    if (kind != (pattern ? "pmessage" : "message") || r.count != (pattern ? 4u : 3u)) {
      Error("a subscriber got '" + std::string(kind) + "' with " + std::to_string(r.count) +
            " elements");
      return;
    }
    if (pattern && r.items[1] != target_) Error("pmessage with pattern " + std::string(r.items[1]));
    const std::string_view channel = r.items[pattern ? 2 : 1];
    const std::string_view payload = r.items[pattern ? 3 : 2];
    if (channel != options_.channel) Error("message on channel " + std::string(channel));
    if (payload.size() != options_.size) {
      Error("payload of " + std::to_string(payload.size()) + " bytes, not " +
            std::to_string(options_.size));
      return;
    }
    const Header h{GetU64(payload.data()), GetU64(payload.data() + 8), GetU64(payload.data() + 16)};
    if (h.publisher >= publishers_.size()) {
      Error("payload with publisher id " + std::to_string(h.publisher));
      return;
    }
    uint64_t& expected = s->next_seq[h.publisher];
    if (h.seq != expected) {
      Error("out of order: message " + std::to_string(h.seq) + " of publisher " +
            std::to_string(h.publisher) + " where " + std::to_string(expected) + " was due");
    }
    if (h.seq >= expected) expected = h.seq + 1;
    ++s->received;
    ++result_.deliveries;
    result_.last_delivery_ns = now;
    if (h.seq >= options_.warmup) result_.latency.Add(now - h.sent_ns);
  }

  const Options& options_;
  uint64_t pipeline_ = 0;
  int epoll_ = -1;
  int timer_ = -1;
  std::vector<Publisher> publishers_;
  std::vector<Subscriber> subscribers_;
  std::string payload_;
  std::string target_;  // what subscribers SUBSCRIBE or PSUBSCRIBE to
  size_t confirmed_ = 0;
  uint64_t start_ns_ = 0;
  uint64_t paced_sent_ = 0;  // paced: messages sent, over all publishers
  uint64_t due_ns_ = 0;      // paced: when message paced_sent_ is due
  uint64_t rng_ = 0;         // paced, --poisson: SplitMix64 state
  bool aborted_ = false;
  Result result_;
};

// ---------------------------------------------------------------------------------------------
// Command line.

void Usage(int status) {
  std::fprintf(
      status == 0 ? stdout : stderr,
      "usage: pubsub_bench [options]\n"
      "  --host H          server address (127.0.0.1)\n"
      "  --port P          server port (6379)\n"
      "  --subscribers N   subscriber connections (1)\n"
      "  --publishers N    publisher connections (1)\n"
      "  --messages N      messages in total, split over the publishers (100000)\n"
      "  --size N          payload bytes, at least %zu (32)\n"
      "  --pipeline N      PUBLISHes in flight per publisher (32 flooding, 1 paced)\n"
      "  --rate N          paced: N messages/s in total (0: flood)\n"
      "  --warmup N        each publisher's first N messages are not timed (0)\n"
      "  --channel NAME    the channel (redwing-bench:channel)\n"
      "  --pattern         PSUBSCRIBE <first character of the channel>* instead\n"
      "  --poisson         paced: exponential gaps (a Poisson process) instead of equal ones\n"
      "  --seed N          --poisson: the arrival stream's seed (1)\n"
      "  --spin            never sleep: poll sockets (and the clock) in a busy loop; for a\n"
      "                    client with a core of its own, so that waking up adds no latency\n"
      "  --timeout S       give up after S seconds without progress (10)\n"
      "Prints a key=value result line, then a line for people. Exits 1 if any message\n"
      "was lost, duplicated, reordered or malformed, or a PUBLISH reply was wrong.\n",
      kHeaderSize);
  std::exit(status);
}

uint64_t ParseCount(const std::string& name, const std::string& text, uint64_t min, uint64_t max) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0' || text[0] == '-' || value < min ||
      value > max) {
    Fail("bad " + name + " '" + text + "' (an integer from " + std::to_string(min) + " to " +
         std::to_string(max) + ")");
  }
  return value;
}

struct CountOption {
  const char* name;
  uint64_t Options::*field;
  uint64_t min;
  uint64_t max;
};

constexpr uint64_t kMaxCount = uint64_t{1} << 40;
constexpr CountOption kCountOptions[] = {
    {"--port", &Options::port, 1, 65535},
    {"--subscribers", &Options::subscribers, 1, 100'000},
    {"--publishers", &Options::publishers, 1, 10'000},
    {"--messages", &Options::messages, 1, kMaxCount},
    {"--size", &Options::size, kHeaderSize, 512 << 20},
    {"--pipeline", &Options::pipeline, 1, 1 << 20},
    {"--rate", &Options::rate, 0, 1'000'000'000},
    {"--warmup", &Options::warmup, 0, kMaxCount},
    {"--timeout", &Options::timeout, 1, 3600},
    {"--seed", &Options::seed, 0, UINT64_MAX},
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") Usage(0);
    if (arg == "--pattern" || arg == "--spin" || arg == "--poisson") {
      (arg == "--pattern" ? o.pattern : arg == "--spin" ? o.spin : o.poisson) = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) Usage(2);
    std::string value;
    if (const size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      Fail(arg + " needs a value");
    }
    if (arg == "--host") {
      o.host = value;
      continue;
    }
    if (arg == "--channel") {
      if (value.empty()) Fail("--channel needs a name");
      o.channel = value;
      continue;
    }
    bool known = false;
    for (const CountOption& option : kCountOptions) {
      if (arg == option.name) {
        o.*option.field = ParseCount(arg, value, option.min, option.max);
        known = true;
      }
    }
    if (!known) Fail("unknown option " + arg + " (--help lists them)");
  }
  if (o.publishers > o.messages) Fail("fewer messages than publishers");
  return o;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  const double cpu_start = CpuSeconds();
  Bench bench(options);
  const Result r = bench.Run();
  const double cpu_s = CpuSeconds() - cpu_start;

  const uint64_t end_ns = std::max(r.last_reply_ns, r.last_delivery_ns);
  const double publish_s = static_cast<double>(r.last_reply_ns - r.first_send_ns) / 1e9;
  const double delivery_s = static_cast<double>(r.last_delivery_ns - r.first_send_ns) / 1e9;
  const double elapsed_s = static_cast<double>(end_ns - r.first_send_ns) / 1e9;
  const double publish_rps = publish_s > 0 ? static_cast<double>(options.messages) / publish_s : 0;
  const double delivered_ps = delivery_s > 0 ? static_cast<double>(r.deliveries) / delivery_s : 0;
  const double us = 1e3;
  const char* mode = options.rate != 0 ? "paced" : "flood";
  const uint64_t pipeline = options.pipeline != 0 ? options.pipeline : (options.rate != 0 ? 1 : 32);
  std::printf(
      "mode=%s subscribers=%llu publishers=%llu messages=%llu size=%llu pipeline=%llu rate=%llu "
      "pattern=%d spin=%d poisson=%d publish_rps=%.0f delivered_per_s=%.0f lat_p50_us=%.1f "
      "lat_p99_us=%.1f lat_p999_us=%.1f lat_max_us=%.1f lat_samples=%llu max_schedule_lag_us=%.1f "
      "elapsed_s=%.3f "
      "client_cpu_s=%.3f errors=%llu\n",
      mode, static_cast<unsigned long long>(options.subscribers),
      static_cast<unsigned long long>(options.publishers),
      static_cast<unsigned long long>(options.messages),
      static_cast<unsigned long long>(options.size), static_cast<unsigned long long>(pipeline),
      static_cast<unsigned long long>(options.rate), options.pattern ? 1 : 0, options.spin ? 1 : 0,
      options.poisson ? 1 : 0, publish_rps, delivered_ps, r.latency.Quantile(0.5) / us,
      r.latency.Quantile(0.99) / us, r.latency.Quantile(0.999) / us,
      static_cast<double>(r.latency.max()) / us, static_cast<unsigned long long>(r.latency.total()),
      static_cast<double>(r.max_schedule_lag_ns) / us, elapsed_s, cpu_s,
      static_cast<unsigned long long>(r.errors));
  std::printf(
      "%s, %llu subscriber(s), %llu publisher(s): %.0f PUBLISH/s, %.0f deliveries/s; latency "
      "p50 %.1f us, p99 %.1f us, p99.9 %.1f us; %.2f s, client CPU %.0f%%%s\n",
      mode, static_cast<unsigned long long>(options.subscribers),
      static_cast<unsigned long long>(options.publishers), publish_rps, delivered_ps,
      r.latency.Quantile(0.5) / us, r.latency.Quantile(0.99) / us, r.latency.Quantile(0.999) / us,
      elapsed_s, elapsed_s > 0 ? 100 * cpu_s / elapsed_s : 0,
      r.errors != 0 ? "; ERRORS (see above)" : "");
  return r.errors != 0 ? 1 : 0;
}
