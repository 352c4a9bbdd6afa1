// Cache hit-ratio benchmark: replays one cache workload against any RESP server and reports the
// share of GETs that hit. Each request is a GET; a nil reply (a miss) is followed by a SET of the
// same key, as a look-aside cache client does, so what the server keeps under `maxmemory` decides
// the ratio. Run it against a fresh server: keys left by an earlier run count as hits.
//
// Workloads (all deterministic for a given --seed):
//   zipf     keys drawn from a Zipf distribution of exponent --alpha over --keys keys;
//   scan     zipf traffic, and every --scan-every requests a one-pass scan of --scan-length keys
//            that are never requested again (scan resistance); scan requests are counted apart;
//   shift    zipf traffic whose hot set moves to a random offset of the key space every --phase
//            requests (adaptivity);
//   varsize  zipf traffic with value sizes log-uniform in 16 B..16 KiB, fixed per key.
//
// Requests go out pipelined: a batch of GETs, their replies, then one batch of SETs for the keys
// that missed, their replies. A key requested twice in one batch while absent therefore misses
// twice (it is SET once); `--batch 1` gives strictly serial semantics at a much lower speed.
//
// Standalone on purpose (libc and POSIX sockets only) so that it builds anywhere with
//   g++ -std=c++20 -O2 -o hit_ratio bench/hit_ratio.cc
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "hit_ratio: %s\n", message.c_str());
  std::exit(1);
}

// ---------------------------------------------------------------------------------------------
// Random numbers: splitmix64 to seed and to hash key ids, xoshiro256** for the request stream.

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna). A value type; not thread-safe. Its whole state comes from
// the seed, so a seed always yields the same stream.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    for (uint64_t& word : s_)
      word = SplitMix64(seed);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Samples ranks 0..n-1 with P(rank r) proportional to 1/(r+1)^alpha, by rejection-inversion
// (Hörmann and Derflinger, "Rejection-inversion to generate variates from monotone discrete
// distributions", 1996). The hat is the continuous density x^-alpha: a uniform point of the
// area under it is found by inverting its integral H, rounded to the nearest rank k, and kept
// when it falls in the part of k's cell whose area equals the exact mass k^-alpha. O(1) time
// (fewer than 1.2 tries on average for these exponents) and O(1) memory, whatever n is.
// Immutable after construction.
class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double alpha)
      : n_(static_cast<double>(n)),
        alpha_(alpha),
        h_first_(H(1.5) - 1.0),
        h_last_(H(n_ + 0.5)),
        squeeze_(2.0 - HInverse(H(2.5) - Density(2.0))) {}

  uint64_t Sample(Xoshiro256& rng) const {
    for (;;) {
      const double u = h_last_ + rng.Uniform() * (h_first_ - h_last_);
      const double x = HInverse(u);
      double k = std::floor(x + 0.5);
      if (k < 1.0) k = 1.0;
      if (k > n_) k = n_;
      if (k - x <= squeeze_ || u >= H(k + 0.5) - Density(k)) return static_cast<uint64_t>(k) - 1;
    }
  }

 private:
  // H(x) = (x^(1-alpha) - 1) / (1-alpha), the integral of t^-alpha from 1 to x; log(x) at
  // alpha = 1, which the helpers reach continuously.
  double H(double x) const {
    const double log_x = std::log(x);
    return log_x * ExpM1OverX((1.0 - alpha_) * log_x);
  }
  double HInverse(double y) const {
    double t = y * (1.0 - alpha_);
    if (t < -1.0) t = -1.0;  // rounding only: H stays above -1/(1-alpha) for alpha > 1
    return std::exp(Log1pOverX(t) * y);
  }
  double Density(double x) const { return std::exp(-alpha_ * std::log(x)); }
  static double ExpM1OverX(double x) { return std::fabs(x) > 1e-8 ? std::expm1(x) / x : 1 + x / 2; }
  static double Log1pOverX(double x) { return std::fabs(x) > 1e-8 ? std::log1p(x) / x : 1 - x / 2; }

  double n_;
  double alpha_;
  double h_first_;  // lower end of the sampled area: H(1.5) less rank 1's mass
  double h_last_;   // upper end: H(n + 0.5)
  double squeeze_;  // x within this below k is always accepted
};

// ---------------------------------------------------------------------------------------------
// Workloads.

enum class Workload { kZipf, kScan, kShift, kVarsize };

constexpr const char* kWorkloadNames[] = {"zipf", "scan", "shift", "varsize"};

// Value sizes of the varsize workload: log-uniform between these bounds.
constexpr uint32_t kMinVarSize = 16;
constexpr uint32_t kMaxVarSize = 16384;

struct Options {
  Workload workload = Workload::kZipf;
  std::string host = "127.0.0.1";
  uint64_t port = 6379;
  uint64_t keys = 0;  // 0: the workload's default
  uint64_t requests = 1'000'000;
  uint64_t warmup = 500'000;
  uint64_t value_size = 512;
  double alpha = 0.99;
  uint64_t seed = 42;
  std::string key_prefix = "key:";
  uint64_t batch = 256;
  uint64_t scan_every = 100'000;
  uint64_t scan_length = 50'000;
  uint64_t phase = 200'000;
};

// The request stream of one workload: key ids, one per request, the same sequence for the same
// options. Ids below `keys` are the Zipf-drawn key space; scan keys take ids from `keys` upwards
// and are never repeated. Not thread-safe.
class KeyStream {
 public:
  explicit KeyStream(const Options& options)
      : options_(options), rng_(options.seed), zipf_(options.keys, options.alpha) {}

  // The next request's key id; sets *scan when it belongs to a scan.
  uint64_t Next(bool* scan) {
    *scan = false;
    if (options_.workload == Workload::kScan) {
      if (scan_left_ > 0) {
        --scan_left_;
        *scan = true;
        return options_.keys + next_scan_key_++;
      }
      if (++since_scan_ == options_.scan_every) {
        since_scan_ = 0;
        scan_left_ = options_.scan_length;
      }
    }
    if (options_.workload == Workload::kShift && since_shift_++ == options_.phase) {
      since_shift_ = 1;
      offset_ = rng_.Next() % options_.keys;
    }
    return (zipf_.Sample(rng_) + offset_) % options_.keys;
  }

 private:
  const Options& options_;
  Xoshiro256 rng_;
  ZipfSampler zipf_;
  uint64_t offset_ = 0;       // shift: where rank 0 sits in the key space
  uint64_t since_shift_ = 0;  // shift: requests in the current phase
  uint64_t since_scan_ = 0;   // scan: Zipf requests since the last scan began
  uint64_t scan_left_ = 0;    // scan: keys of the current scan still to request
  uint64_t next_scan_key_ = 0;
};

// The value size for a key: fixed, or for varsize a log-uniform draw from a hash of the key id,
// so a key always has the same size.
uint32_t ValueSize(const Options& options, uint64_t key) {
  if (options.workload != Workload::kVarsize) return static_cast<uint32_t>(options.value_size);
  uint64_t state = key ^ (options.seed * 0x2545f4914f6cdd1dULL);
  const double u = static_cast<double>(SplitMix64(state) >> 11) * 0x1.0p-53;
  const double size = kMinVarSize * std::pow(double{kMaxVarSize} / kMinVarSize, u);
  return static_cast<uint32_t>(std::lround(size));
}

// ---------------------------------------------------------------------------------------------
// RESP over a blocking socket.

enum class ReplyType { kStatus, kError, kInteger, kBulk, kNil, kArray };

// One reply. `text` holds a status or error line, or a bulk string when the caller asked for its
// payload; arrays are flattened into a count only, as nothing here needs their elements.
struct Reply {
  ReplyType type = ReplyType::kNil;
  std::string text;
  int64_t integer = 0;  // the integer, or a bulk's length, or an array's element count
};

// A connected TCP socket with a read buffer, blocking. Owns the descriptor. Partial reads and
// writes are resumed; EINTR is retried; any other error or EOF ends the program with a message.
class Connection {
 public:
  Connection(const std::string& host, uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* addresses = nullptr;
    const std::string where = host + ":" + std::to_string(port);
    const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses);
    if (rc != 0) Fail("cannot resolve " + where + ": " + gai_strerror(rc));
    int error = 0;
    for (addrinfo* a = addresses; a != nullptr && fd_ < 0; a = a->ai_next) {
      fd_ = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd_ < 0) {
        error = errno;
        continue;
      }
      if (connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
        error = errno;
        close(fd_);
        fd_ = -1;
      }
    }
    freeaddrinfo(addresses);
    if (fd_ < 0) Fail("cannot connect to " + where + ": " + std::strerror(error));
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    buffer_.resize(1 << 16);
  }
  ~Connection() { close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) Fail(std::string("write failed: ") + std::strerror(errno));
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Reads one whole reply. A bulk string's bytes are kept in reply->text only if keep_bulk;
  // otherwise they are skipped without copying. Arrays are read through, elements discarded.
  void ReadReply(Reply* reply, bool keep_bulk) {
    const std::string_view line = ReadLine();
    if (line.empty()) Fail("protocol error: empty reply line");
    const std::string_view rest = line.substr(1);
    reply->text.clear();
    switch (line[0]) {
      case '+':
        reply->type = ReplyType::kStatus;
        reply->text = rest;
        return;
      case '-':
        reply->type = ReplyType::kError;
        reply->text = rest;
        return;
      case ':':
        reply->type = ReplyType::kInteger;
        reply->integer = ParseLength(rest, line);
        return;
      case '_':  // RESP3 null
        reply->type = ReplyType::kNil;
        return;
      case '$':
        reply->integer = ParseLength(rest, line);
        if (reply->integer < 0) {
          reply->type = ReplyType::kNil;
          return;
        }
        reply->type = ReplyType::kBulk;
        ReadBulk(static_cast<size_t>(reply->integer), keep_bulk ? &reply->text : nullptr);
        return;
      case '*': {
        reply->integer = ParseLength(rest, line);
        if (reply->integer < 0) {
          reply->type = ReplyType::kNil;
          return;
        }
        const int64_t count = reply->integer;
        Reply element;
        for (int64_t i = 0; i < count; ++i)
          ReadReply(&element, false);
        reply->type = ReplyType::kArray;
        reply->integer = count;
        return;
      }
      default:
        Fail("protocol error: unexpected reply '" + std::string(line.substr(0, 40)) + "'");
    }
  }

 private:
  static int64_t ParseLength(std::string_view digits, std::string_view line) {
    bool negative = !digits.empty() && digits[0] == '-';
    if (negative) digits.remove_prefix(1);
    if (digits.empty() || digits.size() > 18) Fail("protocol error: bad number in " + Quote(line));
    int64_t value = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') Fail("protocol error: bad number in " + Quote(line));
      value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
  }

  static std::string Quote(std::string_view line) {
    return "'" + std::string(line.substr(0, 40)) + "'";
  }

  // Makes at least one more byte available at end_, moving unread bytes to the front first.
  void Fill() {
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    for (;;) {
      const ssize_t n = recv(fd_, buffer_.data() + end_, buffer_.size() - end_, 0);
      if (n > 0) {
        end_ += static_cast<size_t>(n);
        return;
      }
      if (n == 0) Fail("connection closed by the server");
      if (errno != EINTR) Fail(std::string("read failed: ") + std::strerror(errno));
    }
  }

  // The next line without its CRLF; valid until the next read.
  std::string_view ReadLine() {
    size_t scanned = begin_;
    for (;;) {
      const void* lf = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
      if (lf != nullptr) {
        const size_t at = static_cast<const char*>(lf) - buffer_.data();
        if (at == begin_ || buffer_[at - 1] != '\r') Fail("protocol error: line without CR");
        const std::string_view line(buffer_.data() + begin_, at - 1 - begin_);
        begin_ = at + 1;
        return line;
      }
      const size_t offset = end_ - begin_;
      Fill();  // may move the unread bytes to the front
      scanned = begin_ + offset;
    }
  }

  // Consumes a bulk payload of `length` bytes and its CRLF, appending the payload to *out if set.
  void ReadBulk(size_t length, std::string* out) {
    while (length > 0) {
      if (begin_ == end_) Fill();
      const size_t take = std::min(length, end_ - begin_);
      if (out != nullptr) out->append(buffer_.data() + begin_, take);
      begin_ += take;
      length -= take;
    }
    while (end_ - begin_ < 2)
      Fill();
    if (buffer_[begin_] != '\r' || buffer_[begin_ + 1] != '\n') {
      Fail("protocol error: bulk string without CRLF");
    }
    begin_ += 2;
  }

  int fd_ = -1;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last byte read from the socket
};

// Appends one RESP command (an array of bulk strings) to *out.
void AppendCommand(std::string* out, std::initializer_list<std::string_view> args) {
  *out += '*';
  *out += std::to_string(args.size());
  *out += "\r\n";
  for (const std::string_view arg : args) {
    *out += '$';
    *out += std::to_string(arg.size());
    *out += "\r\n";
    *out += arg;
    *out += "\r\n";
  }
}

// ---------------------------------------------------------------------------------------------
// The replay.

struct Counts {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t scan_requests = 0;  // scan workload: requests of the scans, outside hits/misses
  uint64_t sets = 0;
  uint64_t oom = 0;  // SETs refused with -OOM
};

// Drives one connection through a workload, batch by batch. Owns nothing but its buffers; the
// stream and connection are borrowed for its lifetime.
class Replay {
 public:
  Replay(const Options& options, KeyStream* stream, Connection* connection)
      : options_(options),
        stream_(stream),
        connection_(connection),
        filler_(std::max<uint64_t>(kMaxVarSize, options.value_size), 'v') {}

  // Runs until `requests` non-scan requests have been answered (scans met on the way included).
  Counts Run(uint64_t requests) {
    Counts counts;
    uint64_t issued = 0;
    while (issued < requests) {
      batch_.clear();
      out_.clear();
      while (batch_.size() < options_.batch && issued < requests) {
        bool scan = false;
        const uint64_t key = stream_->Next(&scan);
        if (!scan) ++issued;
        batch_.push_back({key, scan});
        AppendCommand(&out_, {"GET", KeyName(key)});
      }
      connection_->Write(out_);
      CollectMisses(&counts);
      SetMisses(&counts);
    }
    return counts;
  }

 private:
  struct Request {
    uint64_t key;
    bool scan;
  };

  std::string_view KeyName(uint64_t key) {
    key_ = options_.key_prefix;
    key_ += std::to_string(key);
    return key_;
  }

  // Reads the batch's GET replies; queues one SET per distinct key that missed.
  void CollectMisses(Counts* counts) {
    out_.clear();
    queued_.clear();
    for (const Request& request : batch_) {
      connection_->ReadReply(&reply_, false);
      if (reply_.type == ReplyType::kError) Fail("GET failed: -" + reply_.text);
      const bool hit = reply_.type != ReplyType::kNil;
      if (request.scan) {
        ++counts->scan_requests;
      } else {
        ++(hit ? counts->hits : counts->misses);
      }
      if (hit || !queued_.insert(request.key).second) continue;
      const std::string_view value(filler_.data(), ValueSize(options_, request.key));
      AppendCommand(&out_, {"SET", KeyName(request.key), value});
    }
  }

  void SetMisses(Counts* counts) {
    if (queued_.empty()) return;
    connection_->Write(out_);
    for (size_t i = 0; i < queued_.size(); ++i) {
      connection_->ReadReply(&reply_, false);
      ++counts->sets;
      if (reply_.type != ReplyType::kError) continue;
      if (reply_.text.rfind("OOM", 0) != 0) Fail("SET failed: -" + reply_.text);
      ++counts->oom;
    }
  }

  const Options& options_;
  KeyStream* stream_;
  Connection* connection_;
  const std::string filler_;  // value bytes; a value is a prefix of it
  std::vector<Request> batch_;
  std::unordered_set<uint64_t> queued_;  // keys of the SETs in out_
  std::string out_;
  std::string key_;
  Reply reply_;
};

// The value of `field` in an INFO reply, or "-" if the server does not report it.
std::string InfoField(const std::string& info, std::string_view field) {
  size_t at = 0;
  while (at < info.size()) {
    size_t end = info.find('\n', at);
    if (end == std::string::npos) end = info.size();
    std::string_view line(info.data() + at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > field.size() && line.substr(0, field.size()) == field &&
        line[field.size()] == ':') {
      return std::string(line.substr(field.size() + 1));
    }
    at = end + 1;
  }
  return "-";
}

// ---------------------------------------------------------------------------------------------
// Command line.

void Usage(int status) {
  std::fprintf(status == 0 ? stdout : stderr,
               "usage: hit_ratio [options] zipf|scan|shift|varsize\n"
               "  --host H          server address (127.0.0.1)\n"
               "  --port P          server port (6379)\n"
               "  --keys N          key space (1000000; varsize: 100000)\n"
               "  --requests N      counted requests (1000000; scans come on top)\n"
               "  --warmup N        requests first, not counted, to fill the cache (500000)\n"
               "  --value-size N    value bytes, except varsize (512)\n"
               "  --alpha A         Zipf exponent (0.99)\n"
               "  --seed N          request stream seed (42)\n"
               "  --key-prefix S    key names are S<id> (key:)\n"
               "  --batch N         GETs per pipelined batch (256)\n"
               "  --scan-every N    scan: requests between scans (100000)\n"
               "  --scan-length N   scan: keys per scan (50000)\n"
               "  --phase N         shift: requests before the hot set moves (200000)\n"
               "Prints a key=value result line, then a line for people.\n");
  std::exit(status);
}

uint64_t ParseCount(const char* name, const char* text, uint64_t min, uint64_t max) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < min || value > max) {
    Fail(std::string("bad ") + name + " '" + text + "' (an integer from " + std::to_string(min) +
         " to " + std::to_string(max) + ")");
  }
  return value;
}

// The integer options: name, field, allowed range.
struct CountOption {
  const char* name;
  uint64_t Options::*field;
  uint64_t min;
  uint64_t max;
};

constexpr uint64_t kMaxCount = uint64_t{1} << 40;
constexpr CountOption kCountOptions[] = {
    {"--port", &Options::port, 1, 65535},
    {"--keys", &Options::keys, 2, kMaxCount},
    {"--requests", &Options::requests, 1, kMaxCount},
    {"--warmup", &Options::warmup, 0, kMaxCount},
    {"--value-size", &Options::value_size, 1, 512 << 20},
    {"--seed", &Options::seed, 0, UINT64_MAX},
    {"--batch", &Options::batch, 1, 1 << 20},
    {"--scan-every", &Options::scan_every, 1, kMaxCount},
    {"--scan-length", &Options::scan_length, 0, kMaxCount},
    {"--phase", &Options::phase, 1, kMaxCount},
};

void SetCount(Options* o, const std::string& name, const std::string& value) {
  for (const CountOption& option : kCountOptions) {
    if (name == option.name) {
      o->*option.field = ParseCount(option.name, value.c_str(), option.min, option.max);
      return;
    }
  }
  Fail("unknown option " + name + " (--help lists them)");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  bool have_workload = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") Usage(0);
    if (arg.rfind("--", 0) != 0) {
      bool known = false;
      for (int w = 0; w < 4; ++w) {
        if (arg == kWorkloadNames[w]) {
          o.workload = static_cast<Workload>(w);
          known = true;
        }
      }
      if (!known || have_workload) Usage(2);
      have_workload = true;
      continue;
    }
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
    } else if (arg == "--key-prefix") {
      o.key_prefix = value;
    } else if (arg == "--alpha") {
      char* end = nullptr;
      o.alpha = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0' || !(o.alpha > 0.0 && o.alpha < 10.0)) {
        Fail("bad --alpha '" + value + "' (a number above 0, e.g. 0.8, 0.99, 1.2)");
      }
    } else {
      SetCount(&o, arg, value);
    }
  }
  if (!have_workload) Usage(2);
  if (o.keys == 0) o.keys = o.workload == Workload::kVarsize ? 100'000 : 1'000'000;
  return o;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  Connection connection(options.host, static_cast<uint16_t>(options.port));
  KeyStream stream(options);
  Replay replay(options, &stream, &connection);

  const auto warmup_start = std::chrono::steady_clock::now();
  if (options.warmup > 0) replay.Run(options.warmup);
  const double warmup_s = SecondsSince(warmup_start);
  const auto start = std::chrono::steady_clock::now();
  const Counts c = replay.Run(options.requests);
  const double elapsed_s = SecondsSince(start);

  std::string info_command;
  AppendCommand(&info_command, {"INFO"});
  connection.Write(info_command);
  Reply info;
  connection.ReadReply(&info, true);
  if (info.type != ReplyType::kBulk) info.text.clear();

  const char* name = kWorkloadNames[static_cast<int>(options.workload)];
  const double ratio = static_cast<double>(c.hits) / static_cast<double>(c.hits + c.misses);
  std::printf(
      "workload=%s alpha=%g keys=%llu requests=%llu hits=%llu misses=%llu hit_ratio=%.4f "
      "scan_requests=%llu sets=%llu oom=%llu evicted_keys=%s used_memory=%s maxmemory=%s "
      "seed=%llu warmup=%llu elapsed_s=%.2f warmup_s=%.2f\n",
      name, options.alpha, static_cast<unsigned long long>(options.keys),
      static_cast<unsigned long long>(options.requests), static_cast<unsigned long long>(c.hits),
      static_cast<unsigned long long>(c.misses), ratio,
      static_cast<unsigned long long>(c.scan_requests), static_cast<unsigned long long>(c.sets),
      static_cast<unsigned long long>(c.oom), InfoField(info.text, "evicted_keys").c_str(),
      InfoField(info.text, "used_memory").c_str(), InfoField(info.text, "maxmemory").c_str(),
      static_cast<unsigned long long>(options.seed),
      static_cast<unsigned long long>(options.warmup), elapsed_s, warmup_s);
  const uint64_t sent = options.requests + c.scan_requests + c.sets;
  std::printf("%s (alpha %g, %llu keys): %.2f%% of %llu GETs hit; %.2f s, %.0f commands/s%s\n",
              name, options.alpha, static_cast<unsigned long long>(options.keys), 100.0 * ratio,
              static_cast<unsigned long long>(options.requests), elapsed_s,
              static_cast<double>(sent) / elapsed_s,
              c.oom > 0 ? "; some SETs were refused with -OOM" : "");
  return 0;
}
