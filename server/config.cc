#include "server/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "protocol/glob.h"
#include "protocol/numbers.h"
#include "protocol/resp_parser.h"
#include "server/keyspace_events.h"
#include "storage/maxmemory_policy.h"

namespace redwing {

std::optional<int64_t> ParseMemory(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::pair<const char*, int64_t> kUnits[] = {{"gb", 1024ll * 1024 * 1024},
                                                           {"mb", 1024ll * 1024},
                                                           {"kb", 1024},
                                                           {"g", 1000000000},
                                                           {"m", 1000000},
                                                           {"k", 1000},
                                                           {"b", 1}};
  int64_t mul = 1;
  std::string_view digits = lower;
  for (auto [suffix, m] : kUnits) {
    std::string_view suf(suffix);
    if (digits.size() > suf.size() && digits.substr(digits.size() - suf.size()) == suf) {
      digits.remove_suffix(suf.size());
      mul = m;
      break;
    }
  }
  auto v = ParseInt64(digits);
  if (!v || *v < 0) return std::nullopt;
  if (*v != 0 && mul > INT64_MAX / *v) return std::nullopt;
  return *v * mul;
}

// How a directive's value is held and checked.
struct Config::Directive {
  enum class Kind { kInt, kMemory, kString, kEnum, kBool } kind;
  const char* name;
  bool mutable_at_runtime;
  std::atomic<int64_t> Config::*int_field = nullptr;
  std::string Config::*string_field = nullptr;
  int64_t min = 0;
  int64_t max = INT64_MAX;
  std::vector<const char*> choices = {};
  const char* default_text = "";
  // For string directives with a syntax of their own: checks `value` (which may update only part
  // of the `current` setting) and produces the setting's canonical text, or returns the error.
  std::optional<std::string> (*normalize)(const std::string& current, const std::string& value,
                                          std::string* canonical) = nullptr;
};

namespace {

// Client classes of `client-output-buffer-limit`, in the order CONFIG GET prints them.
constexpr const char* kBufferLimitClasses[] = {"normal", "slave", "pubsub"};
constexpr const char* kDefaultOutputBufferLimits =
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

// Splits on spaces.
std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

std::optional<std::string> NormalizeNotifyFlags(const std::string& /*current*/,
                                                const std::string& value, std::string* canonical) {
  auto flags = ParseNotifyFlags(value);
  if (!flags) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
  *canonical = FormatNotifyFlags(*flags);
  return std::nullopt;
}

// "<class> <hard> <soft> <soft-seconds>" groups, each replacing its class's limits in `current`.
std::optional<std::string> NormalizeOutputBufferLimits(const std::string& current,
                                                       const std::string& value,
                                                       std::string* canonical) {
  std::vector<std::string> cur = Words(current);
  std::vector<std::string> set = Words(value);
  if (set.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
  for (size_t i = 0; i < set.size(); i += 4) {
    std::string cls = set[i];
    std::transform(cls.begin(), cls.end(), cls.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (cls == "replica") cls = "slave";
    size_t slot = std::size(kBufferLimitClasses);
    for (size_t c = 0; c < std::size(kBufferLimitClasses); ++c) {
      if (cls == kBufferLimitClasses[c]) slot = c;
    }
    if (slot == std::size(kBufferLimitClasses)) {
      return "Invalid client class specified in buffer limit configuration.";
    }
    auto hard = ParseMemory(set[i + 1]);
    auto soft = ParseMemory(set[i + 2]);
    auto seconds = ParseInt64(set[i + 3]);
    if (!hard || !soft || !seconds || *seconds < 0) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    cur[slot * 4 + 1] = std::to_string(*hard);
    cur[slot * 4 + 2] = std::to_string(*soft);
    cur[slot * 4 + 3] = std::to_string(*seconds);
  }
  canonical->clear();
  for (const std::string& w : cur)
    *canonical += (canonical->empty() ? "" : " ") + w;
  return std::nullopt;
}

// "save": Redis's RDB snapshot schedule. Only the empty one (no snapshots) describes Redwing.
std::optional<std::string> NormalizeSave(const std::string&, const std::string& value,
                                         std::string* canonical) {
  if (!Words(value).empty()) {
    return "Redwing takes no RDB snapshots: use 'persistence' (write-back, write-through) to keep "
           "the data on disk";
  }
  canonical->clear();
  return std::nullopt;
}

}  // namespace

struct ConfigTable {
  using D = Config::Directive;
  using K = D::Kind;
  static const std::vector<D>& Get() {
    static const std::vector<D> table = {
        {K::kInt, "port", false, &Config::port_, nullptr, 0, 65535, {}, "6379"},
        {K::kString, "bind", false, nullptr, &Config::bind_, 0, 0, {}, "* -::*"},
        {K::kInt, "threads", false, &Config::threads_, nullptr, 0, 256, {}, "0"},
        {K::kInt, "databases", false, &Config::databases_, nullptr, 1, 1 << 20, {}, "16"},
        {K::kInt, "maxclients", true, &Config::maxclients_, nullptr, 1, 4294967295, {}, "10000"},
        {K::kInt, "timeout", true, &Config::timeout_, nullptr, 0, 2147483647, {}, "0"},
        {K::kInt,
         "tcp-keepalive",
         true,
         &Config::tcp_keepalive_,
         nullptr,
         0,
         2147483647,
         {},
         "300"},
        {K::kString, "requirepass", true, nullptr, &Config::requirepass_, 0, 0, {}, ""},
        {K::kMemory,
         "proto-max-bulk-len",
         true,
         &Config::proto_max_bulk_len_,
         nullptr,
         1048576,
         INT64_MAX,
         {},
         "536870912"},
        {K::kMemory,
         "client-query-buffer-limit",
         true,
         &Config::client_query_buffer_limit_,
         nullptr,
         1048576,
         INT64_MAX,
         {},
         "1073741824"},
        {K::kEnum,
         "loglevel",
         true,
         nullptr,
         &Config::loglevel_,
         0,
         0,
         {"debug", "verbose", "notice", "warning"},
         "notice"},
        {K::kString, "logfile", false, nullptr, &Config::logfile_, 0, 0, {}, ""},
        {K::kInt, "hz", true, &Config::hz_, nullptr, 1, 500, {}, "10"},
        {K::kEnum,
         "connection-migration",
         true,
         nullptr,
         &Config::connection_migration_name_,
         0,
         0,
         {"auto", "yes", "no"},
         "auto"},
        {K::kBool, "daemonize", false, nullptr, &Config::daemonize_, 0, 0, {}, "no"},
        // Memory limit and eviction (storage/eviction.h).
        {K::kMemory, "maxmemory", true, &Config::maxmemory_, nullptr, 0, INT64_MAX, {}, "0"},
        {K::kEnum,
         "maxmemory-policy",
         true,
         nullptr,
         &Config::maxmemory_policy_name_,
         0,
         0,
         {std::begin(kMaxmemoryPolicyNames), std::end(kMaxmemoryPolicyNames)},
         "noeviction"},
        {K::kInt, "maxmemory-samples", true, &Config::maxmemory_samples_, nullptr, 1, 64, {}, "5"},
        {K::kInt,
         "maxmemory-eviction-tenacity",
         true,
         &Config::maxmemory_eviction_tenacity_,
         nullptr,
         0,
         100,
         {},
         "10"},
        {K::kInt,
         "lfu-log-factor",
         true,
         &Config::lfu_log_factor_,
         nullptr,
         0,
         INT32_MAX,
         {},
         "10"},
        {K::kInt, "lfu-decay-time", true, &Config::lfu_decay_time_, nullptr, 0, INT32_MAX, {}, "1"},
        {K::kInt,
         "slru-protected-percent",
         true,
         &Config::slru_protected_percent_,
         nullptr,
         1,
         99,
         {},
         "50"},
        // Persistence to page files (server/shard_persistence.h).
        {K::kEnum,
         "persistence",
         true,
         nullptr,
         &Config::persistence_name_,
         0,
         0,
         {"none", "write-through", "write-back", "write-around"},
         "none"},
        {K::kString, "dir", false, nullptr, &Config::dir_, 0, 0, {}, "./"},
        {K::kInt, "page-size", false, &Config::page_size_, nullptr, 1024, 1 << 20, {}, "4096"},
        {K::kInt,
         "writeback-delay",
         true,
         &Config::writeback_delay_,
         nullptr,
         1,
         INT32_MAX,
         {},
         "1000"},
        {K::kMemory,
         "writeback-max-dirty",
         true,
         &Config::writeback_max_dirty_,
         nullptr,
         4096,
         INT64_MAX,
         {},
         "67108864"},
        {K::kMemory,
         "max-disk-size",
         true,
         &Config::max_disk_size_,
         nullptr,
         0,
         INT64_MAX,
         {},
         "0"},
        {K::kBool,
         "persistence-skip-corrupt",
         false,
         nullptr,
         &Config::persistence_skip_corrupt_,
         0,
         0,
         {},
         "no"},
        // Redis's persistence switches, kept so that Redis's command lines, config files and
        // tools (redis-benchmark reads "save" and "appendonly") work unchanged. Redwing has no
        // RDB or AOF: "appendonly" and "appendfsync" are views of `persistence` (StoreDerived),
        // and "save" takes only the empty schedule.
        {.kind = K::kString,
         .name = "save",
         .mutable_at_runtime = true,
         .string_field = &Config::save_,
         .default_text = "",
         .normalize = NormalizeSave},
        {.kind = K::kBool,
         .name = "appendonly",
         .mutable_at_runtime = true,
         .string_field = &Config::appendonly_,
         .default_text = "no"},
        {.kind = K::kEnum,
         .name = "appendfsync",
         .mutable_at_runtime = true,
         .string_field = &Config::appendfsync_,
         .choices = {"always", "everysec", "no"},
         .default_text = "everysec"},
        // Compact encodings: past these a collection converts to its full structure.
        {K::kInt,
         "hash-max-listpack-entries",
         true,
         &Config::hash_max_listpack_entries_,
         nullptr,
         0,
         INT64_MAX,
         {},
         "128"},
        {K::kMemory,
         "hash-max-listpack-value",
         true,
         &Config::hash_max_listpack_value_,
         nullptr,
         0,
         INT64_MAX,
         {},
         "64"},
        {K::kInt,
         "list-max-listpack-size",
         true,
         &Config::list_max_listpack_size_,
         nullptr,
         INT32_MIN,
         INT32_MAX,
         {},
         "-2"},
        {K::kInt,
         "set-max-intset-entries",
         true,
         &Config::set_max_intset_entries_,
         nullptr,
         0,
         INT64_MAX,
         {},
         "512"},
        {K::kInt,
         "set-max-listpack-entries",
         true,
         &Config::set_max_listpack_entries_,
         nullptr,
         0,
         INT64_MAX,
         {},
         "128"},
        {K::kMemory,
         "set-max-listpack-value",
         true,
         &Config::set_max_listpack_value_,
         nullptr,
         0,
         INT64_MAX,
         {},
         "64"},
        {K::kInt,
         "zset-max-listpack-entries",
         true,
         &Config::zset_max_listpack_entries_,
         nullptr,
         0,
         INT64_MAX,
         {},
         "128"},
        {K::kMemory,
         "zset-max-listpack-value",
         true,
         &Config::zset_max_listpack_value_,
         nullptr,
         0,
         INT64_MAX,
         {},
         "64"},
        // Pub/sub: keyspace notifications and the output buffer limits of each client class.
        {.kind = K::kString,
         .name = "notify-keyspace-events",
         .mutable_at_runtime = true,
         .string_field = &Config::notify_keyspace_events_text_,
         .default_text = "",
         .normalize = NormalizeNotifyFlags},
        {.kind = K::kString,
         .name = "client-output-buffer-limit",
         .mutable_at_runtime = true,
         .string_field = &Config::client_output_buffer_limit_text_,
         .default_text = kDefaultOutputBufferLimits,
         .normalize = NormalizeOutputBufferLimits},
    };
    return table;
  }
  static const D* Find(std::string_view name) {
    for (const auto& d : Get()) {
      if (name.size() == std::strlen(d.name) &&
          std::equal(name.begin(), name.end(), d.name, [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
          })) {
        return &d;
      }
    }
    return nullptr;
  }
};

namespace {

// Checks and converts `value` for `d`; returns the error text Redis gives, or nothing.
std::optional<std::string> Validate(const Config::Directive& d, const std::string& value,
                                    int64_t* as_int) {
  using K = Config::Directive::Kind;
  switch (d.kind) {
    case K::kInt:
    case K::kMemory: {
      std::optional<int64_t> v = d.kind == K::kInt ? ParseInt64(value) : ParseMemory(value);
      if (!v) {
        return d.kind == K::kInt ? "argument couldn't be parsed into an integer"
                                 : "argument must be a memory value";
      }
      if (*v < d.min || *v > d.max) {
        return "argument must be between " + std::to_string(d.min) + " and " +
               std::to_string(d.max) + " inclusive";
      }
      *as_int = *v;
      return std::nullopt;
    }
    case K::kEnum: {
      for (const char* c : d.choices) {
        if (value == c) return std::nullopt;
      }
      std::string msg = "argument(s) must be one of the following: ";
      for (size_t i = 0; i < d.choices.size(); ++i) {
        msg += (i ? ", " : "") + std::string(d.choices[i]);
      }
      return msg;
    }
    case K::kBool:
      if (value == "yes" || value == "no") return std::nullopt;
      return "argument must be 'yes' or 'no'";
    case K::kString:
      return std::nullopt;
  }
  return std::nullopt;
}

int PolicyIndex(const std::string& name) {
  for (size_t i = 0; i < std::size(kMaxmemoryPolicyNames); ++i) {
    if (name == kMaxmemoryPolicyNames[i]) return static_cast<int>(i);
  }
  return static_cast<int>(MaxmemoryPolicy::kNoEviction);
}

int LogLevelRank(const std::string& level) {
  if (level == "debug") return 0;
  if (level == "verbose") return 1;
  if (level == "warning") return 3;
  return 2;
}

}  // namespace

Config::Config() {
  unsigned n = std::thread::hardware_concurrency();
  threads_ = n == 0 ? 1 : n;
  for (const Directive& d : ConfigTable::Get()) {
    if (d.normalize != nullptr) {
      this->*d.string_field = d.default_text;
      StoreDerived(d, d.default_text, d.default_text);
    }
  }
}

void Config::StoreDerived(const Directive& d, const std::string& value, const std::string& raw) {
  std::string_view name = d.name;
  if (name == "requirepass") has_requirepass_.store(!value.empty(), std::memory_order_release);
  if (name == "loglevel") loglevel_rank_ = LogLevelRank(value);
  if (name == "connection-migration") {
    connection_migration_ = static_cast<int64_t>(value == "yes"  ? Migration::kYes
                                                 : value == "no" ? Migration::kNo
                                                                 : Migration::kAuto);
  }
  if (name == "maxmemory-policy") maxmemory_policy_ = PolicyIndex(value);
  if (name == "persistence") {
    persistence_ = static_cast<int64_t>(ParsePersistPolicy(value));
    // The Redis views follow: on disk means "appendonly yes"; write-through syncs every write.
    appendonly_ = value == "none" ? "no" : "yes";
    if (value == "write-through") {
      appendfsync_ = "always";
    } else if (value == "write-back" && appendfsync_ == "always") {
      appendfsync_ = "everysec";
    }
  }
  if (name == "appendonly") {
    // "yes" keeps a policy already on (write-around stays); "no" turns persistence off.
    if (value == "no") {
      SetPersistenceName("none");
    } else if (persistence_name_ == "none") {
      SetPersistenceName(appendfsync_ == "always" ? "write-through" : "write-back");
    }
  }
  if (name == "appendfsync" &&
      (persistence_name_ == "write-through" || persistence_name_ == "write-back")) {
    SetPersistenceName(value == "always" ? "write-through" : "write-back");
  }
  if (name == "notify-keyspace-events") {
    // From the value as given: the canonical text drops 'n' next to 'A', as Redis prints it,
    // but the class stays on.
    notify_keyspace_events_.store(ParseNotifyFlags(raw).value_or(0), kRelaxed);
  }
  if (name == "client-output-buffer-limit") {
    std::vector<std::string> w = Words(value);
    for (size_t c = 0; c < kClientClasses && c * 4 + 3 < w.size(); ++c) {
      output_buffer_limits_[c].hard.store(ParseInt64(w[c * 4 + 1]).value_or(0), kRelaxed);
      output_buffer_limits_[c].soft.store(ParseInt64(w[c * 4 + 2]).value_or(0), kRelaxed);
      output_buffer_limits_[c].soft_seconds.store(ParseInt64(w[c * 4 + 3]).value_or(0), kRelaxed);
    }
  }
}

void Config::SetPersistenceName(const std::string& name) {
  persistence_name_ = name;
  StoreDerived(*ConfigTable::Find("persistence"), name, name);
}

std::string Config::StringValue(const Directive& d) const {
  if (d.int_field != nullptr) return std::to_string((this->*d.int_field).load());
  return this->*d.string_field;
}

std::optional<std::string> Config::Apply(std::string_view name,
                                         const std::vector<std::string>& args) {
  const Directive* d = ConfigTable::Find(name);
  std::string_view d_name = d != nullptr ? d->name : "";
  // "bind" takes several addresses, "client-output-buffer-limit" a class and three limits, "save"
  // pairs of numbers or nothing at all (redis-server's "--save" alone); every other directive
  // takes exactly one argument.
  bool multi = d_name == "bind" || d_name == "client-output-buffer-limit" || d_name == "save";
  if (d == nullptr || (args.empty() && d_name != "save") || (args.size() != 1 && !multi)) {
    return "Bad directive or wrong number of arguments";
  }
  std::string value = args.empty() ? "" : args[0];
  for (size_t i = 1; i < args.size(); ++i)
    value += " " + args[i];
  int64_t as_int = 0;
  if (auto err = Validate(*d, value, &as_int)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  const std::string raw = value;
  if (d->normalize != nullptr) {
    std::string canonical;
    if (auto err = d->normalize(this->*d->string_field, value, &canonical)) return err;
    value = std::move(canonical);
  }
  if (d->int_field != nullptr) {
    (this->*d->int_field).store(as_int);
  } else {
    this->*d->string_field = value;
  }
  StoreDerived(*d, value, raw);
  return std::nullopt;
}

std::optional<std::string> Config::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "Fatal error, can't open config file '" + path + "'";
  std::stringstream ss;
  ss << in.rdbuf();
  config_file_ = path;
  return LoadText(ss.str(), path);
}

std::optional<std::string> Config::LoadText(std::string_view text, std::string_view origin) {
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) {
      line.remove_prefix(1);
    }
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    if (line.empty() || line[0] == '#') {
      if (end == text.size()) break;
      continue;
    }
    std::string storage;
    std::vector<size_t> lengths;
    std::string error;
    if (!SplitInlineArgs(line, &storage, &lengths)) {
      error = "Unbalanced quotes in configuration line";
    } else {
      std::vector<std::string> args;
      size_t off = 0;
      for (size_t len : lengths) {
        args.emplace_back(storage.substr(off, len));
        off += len;
      }
      std::string name = args[0];
      args.erase(args.begin());
      if (auto err = Apply(name, args)) error = *err;
    }
    if (!error.empty()) {
      return "\n*** FATAL CONFIG FILE ERROR (Redwing) ***\nReading the configuration file " +
             std::string(origin) + ", at line " + std::to_string(line_no) + "\n>>> '" +
             std::string(line) + "'\n" + error;
    }
    if (end == text.size()) break;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Config::Get(
    const std::vector<std::string_view>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& d : ConfigTable::Get()) {
    for (std::string_view p : patterns) {
      if (GlobMatch(p, d.name, /*nocase=*/true)) {
        out.emplace_back(d.name, StringValue(d));
        break;
      }
    }
  }
  return out;
}

std::optional<std::string> Config::Set(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  auto failed = [](const std::string& name, const std::string& why) {
    return "CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
  };
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<const Directive*, int64_t>> checked;
  std::vector<std::string> values;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [name, value] = pairs[i];
    const Directive* d = ConfigTable::Find(name);
    if (d == nullptr)
      return "Unknown option or number of arguments for CONFIG SET - '" + name + "'";
    for (size_t j = 0; j < i; ++j) {
      if (ConfigTable::Find(pairs[j].first) == d) return failed(name, "duplicate parameter");
    }
    if (!d->mutable_at_runtime) return failed(name, "can't set immutable config");
    int64_t as_int = 0;
    if (auto err = Validate(*d, value, &as_int)) return failed(name, *err);
    values.push_back(value);
    if (d->normalize != nullptr) {
      if (auto err = d->normalize(this->*d->string_field, value, &values.back())) {
        return failed(name, *err);
      }
    }
    checked.emplace_back(d, as_int);
  }
  for (size_t i = 0; i < checked.size(); ++i) {
    auto [d, as_int] = checked[i];
    const std::string& value = values[i];
    if (d->int_field != nullptr) {
      (this->*d->int_field).store(as_int);
    } else {
      this->*d->string_field = value;
    }
    StoreDerived(*d, value, pairs[i].second);
  }
  return std::nullopt;
}

std::optional<std::string> Config::Rewrite() {
  std::lock_guard<std::mutex> lock(mu_);
  if (config_file_.empty()) return "The server is running without a config file";
  std::ifstream in(config_file_);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  in.close();

  auto quote = [](const std::string& v) {
    if (v.empty()) return std::string("\"\"");
    bool plain = std::none_of(v.begin(), v.end(), [](unsigned char c) {
      return std::isspace(c) || c == '"' || c == '\'' || c == '\\' || !std::isprint(c);
    });
    if (plain) return v;
    std::string out = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (!std::isprint(static_cast<unsigned char>(c))) {
        // Control bytes (a newline would split the directive) as \xHH, which loading undoes.
        char hex[5];
        std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
        out += hex;
      } else {
        out.push_back(c);
      }
    }
    return out + "\"";
  };
  auto line_for = [&](const Directive& d) {
    std::string value = StringValue(d);
    // "bind" is a list of addresses: written unquoted, one word each.
    return std::string(d.name) + " " + (std::string_view(d.name) == "bind" ? value : quote(value));
  };

  std::vector<bool> written(ConfigTable::Get().size(), false);
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    std::string_view v = line;
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front())))
      v.remove_prefix(1);
    if (v.empty() || v[0] == '#') {
      out.push_back(line);
      continue;
    }
    std::string_view name = v.substr(0, v.find_first_of(" \t"));
    const Directive* d = ConfigTable::Find(name);
    if (d == nullptr) {
      out.push_back(line);
      continue;
    }
    size_t idx = static_cast<size_t>(d - ConfigTable::Get().data());
    if (written[idx]) continue;  // a repeated directive collapses into one line
    written[idx] = true;
    out.push_back(line_for(*d));
  }
  bool header = false;
  for (size_t i = 0; i < ConfigTable::Get().size(); ++i) {
    const Directive& d = ConfigTable::Get()[i];
    if (written[i] || StringValue(d) == d.default_text || std::string_view(d.name) == "threads") {
      continue;
    }
    if (!header) {
      out.emplace_back("# Generated by CONFIG REWRITE");
      header = true;
    }
    out.push_back(line_for(d));
  }
  std::string tmp = config_file_ + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return "Rewriting config file: " + std::string(std::strerror(errno));
    for (const auto& l : out)
      f << l << "\n";
    f.flush();
    if (!f) return "Rewriting config file: " + std::string(std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), config_file_.c_str()) != 0) {
    return "Rewriting config file: " + std::string(std::strerror(errno));
  }
  return std::nullopt;
}

std::string Config::requirepass() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requirepass_;
}
std::string Config::bind() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bind_;
}
std::string Config::loglevel() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loglevel_;
}
bool Config::daemonize() const {
  std::lock_guard<std::mutex> lock(mu_);
  return daemonize_ == "yes";
}
std::string Config::logfile() const {
  std::lock_guard<std::mutex> lock(mu_);
  return logfile_;
}

std::string Config::dir() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dir_;
}

bool Config::persistence_skip_corrupt() const {
  std::lock_guard<std::mutex> lock(mu_);
  return persistence_skip_corrupt_ == "yes";
}

}  // namespace redwing
