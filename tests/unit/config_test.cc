#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace redwing {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A file in the temp directory, removed at scope exit.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir != nullptr ? dir : "/tmp") + "/redwing-config-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    int fd = mkstemp(buf.data());
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = buf.data();
    std::ofstream(path_) << contents;
  }
  ~TempFile() {
    std::remove(path_.c_str());
    std::remove((path_ + ".tmp").c_str());
  }
  const std::string& path() const { return path_; }
  std::string Read() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
};

TEST(ParseMemoryTest, Units) {
  EXPECT_EQ(ParseMemory("0"), 0);
  EXPECT_EQ(ParseMemory("100"), 100);
  EXPECT_EQ(ParseMemory("100b"), 100);
  EXPECT_EQ(ParseMemory("1k"), 1000);
  EXPECT_EQ(ParseMemory("1kb"), 1024);
  EXPECT_EQ(ParseMemory("1KB"), 1024);
  EXPECT_EQ(ParseMemory("3m"), 3000000);
  EXPECT_EQ(ParseMemory("5mb"), 5ll * 1024 * 1024);
  EXPECT_EQ(ParseMemory("5Mb"), 5ll * 1024 * 1024);
  EXPECT_EQ(ParseMemory("1g"), 1000000000);
  EXPECT_EQ(ParseMemory("2gb"), 2ll * 1024 * 1024 * 1024);
}

TEST(ParseMemoryTest, Rejects) {
  for (const char* s :
       {"", "kb", "-1", "-1kb", "1tb", "1.5mb", "1 kb", "abc", "1kbb", "99999999999gb"}) {
    EXPECT_FALSE(ParseMemory(s).has_value()) << "accepted '" << s << "'";
  }
}

TEST(ConfigTest, Defaults) {
  Config c;
  EXPECT_EQ(c.port(), 6379);
  EXPECT_EQ(c.databases(), 16);
  EXPECT_EQ(c.maxclients(), 10000);
  EXPECT_EQ(c.hz(), 10);
  EXPECT_GE(c.threads(), 1);
  EXPECT_FALSE(c.requirepass_set());
  EXPECT_EQ(c.loglevel(), "notice");
  EXPECT_EQ(c.bind(), "* -::*");
  EXPECT_EQ(c.proto_max_bulk_len(), 512ll * 1024 * 1024);
}

TEST(ConfigTest, LoadTextAppliesDirectives) {
  Config c;
  auto err = c.LoadText(
      "# a comment\n"
      "port 7000\n"
      "\n"
      "   maxclients 500   \n"
      "HZ 20\n"
      "loglevel warning\n"
      "requirepass \"with space\"\n"
      "bind 127.0.0.1 ::1\n"
      "proto-max-bulk-len 2mb\n"
      "databases 4",
      "test.conf");
  ASSERT_FALSE(err.has_value()) << *err;
  EXPECT_EQ(c.port(), 7000);
  EXPECT_EQ(c.maxclients(), 500);
  EXPECT_EQ(c.hz(), 20);
  EXPECT_EQ(c.loglevel(), "warning");
  EXPECT_EQ(c.loglevel_rank(), 3);
  EXPECT_TRUE(c.requirepass_set());
  EXPECT_EQ(c.requirepass(), "with space");
  EXPECT_EQ(c.bind(), "127.0.0.1 ::1");
  EXPECT_EQ(c.proto_max_bulk_len(), 2 * 1024 * 1024);
  EXPECT_EQ(c.databases(), 4);
}

TEST(ConfigTest, LoadTextUnknownDirectiveNamesLine) {
  Config c;
  auto err = c.LoadText("port 7000\n# comment\nno-such-directive yes\nhz 20\n", "my.conf");
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "my.conf")) << *err;
  EXPECT_TRUE(Contains(*err, "line 3")) << *err;
  EXPECT_TRUE(Contains(*err, "no-such-directive yes")) << *err;
  EXPECT_TRUE(Contains(*err, "Bad directive or wrong number of arguments")) << *err;
  EXPECT_EQ(c.port(), 7000);  // lines before the error were applied
  EXPECT_EQ(c.hz(), 10);      // lines after it were not
}

TEST(ConfigTest, LoadTextArgumentErrors) {
  {
    Config c;
    auto err = c.LoadText("maxclients 0\n", "x.conf");
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(Contains(*err, "line 1"));
    EXPECT_TRUE(Contains(*err, "argument must be between 1 and 4294967295 inclusive")) << *err;
  }
  {
    Config c;
    auto err = c.LoadText("hz 10\nport abc\n", "x.conf");
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(Contains(*err, "line 2"));
    EXPECT_TRUE(Contains(*err, "argument couldn't be parsed into an integer")) << *err;
  }
  {
    Config c;
    auto err = c.LoadText("port\n", "x.conf");  // missing argument
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(Contains(*err, "wrong number of arguments")) << *err;
  }
  {
    Config c;
    auto err = c.LoadText("port 1 2\n", "x.conf");
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(Contains(*err, "wrong number of arguments")) << *err;
  }
  {
    Config c;
    auto err = c.LoadText("requirepass \"unterminated\n", "x.conf");
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(Contains(*err, "Unbalanced quotes")) << *err;
  }
  {
    Config c;
    auto err = c.LoadText("daemonize maybe\n", "x.conf");
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(Contains(*err, "argument must be 'yes' or 'no'")) << *err;
  }
}

TEST(ConfigTest, SetChangesValues) {
  Config c;
  EXPECT_FALSE(c.Set({{"maxclients", "4294967295"}, {"hz", "100"}}).has_value());
  EXPECT_EQ(c.maxclients(), 4294967295);
  EXPECT_EQ(c.hz(), 100);
  EXPECT_FALSE(c.Set({{"requirepass", "secret"}}).has_value());
  EXPECT_TRUE(c.requirepass_set());
  EXPECT_FALSE(c.Set({{"requirepass", ""}}).has_value());
  EXPECT_FALSE(c.requirepass_set());
  EXPECT_FALSE(c.Set({{"loglevel", "debug"}}).has_value());
  EXPECT_EQ(c.loglevel_rank(), 0);
  EXPECT_FALSE(c.Set({{"client-query-buffer-limit", "2gb"}}).has_value());
  EXPECT_EQ(c.client_query_buffer_limit(), 2ll * 1024 * 1024 * 1024);
}

TEST(ConfigTest, SetBoundsError) {
  Config c;
  auto err = c.Set({{"maxclients", "0"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err,
            "CONFIG SET failed (possibly related to argument 'maxclients') - argument must be "
            "between 1 and 4294967295 inclusive");
  err = c.Set({{"maxclients", "4294967296"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "argument must be between 1 and 4294967295 inclusive"));
  err = c.Set({{"proto-max-bulk-len", "1k"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "argument must be between 1048576 and")) << *err;
  err = c.Set({{"proto-max-bulk-len", "lots"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "argument must be a memory value")) << *err;
  err = c.Set({{"loglevel", "loud"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err,
            "CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be "
            "one of the following: debug, verbose, notice, warning");
  EXPECT_EQ(c.maxclients(), 10000);
  EXPECT_EQ(c.loglevel(), "notice");
}

TEST(ConfigTest, SetIsAllOrNothing) {
  Config c;
  auto err = c.Set({{"hz", "50"}, {"timeout", "30"}, {"maxclients", "0"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "'maxclients'")) << *err;
  EXPECT_EQ(c.hz(), 10);
  EXPECT_EQ(c.timeout(), 0);
  EXPECT_EQ(c.maxclients(), 10000);
}

TEST(ConfigTest, SetDuplicateParameter) {
  Config c;
  auto err = c.Set({{"hz", "20"}, {"HZ", "30"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err, "CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
  EXPECT_EQ(c.hz(), 10);
}

TEST(ConfigTest, SetImmutableAndUnknown) {
  Config c;
  auto err = c.Set({{"port", "7000"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err,
            "CONFIG SET failed (possibly related to argument 'port') - can't set immutable "
            "config");
  EXPECT_EQ(c.port(), 6379);
  err = c.Set({{"hz", "20"}, {"databases", "2"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "can't set immutable config"));
  EXPECT_EQ(c.hz(), 10);
  err = c.Set({{"no-such-option", "1"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err, "Unknown option or number of arguments for CONFIG SET - 'no-such-option'");
}

TEST(ConfigTest, GetWithGlobPatterns) {
  Config c;
  EXPECT_EQ(c.Get({"hz"}), (Pairs{{"hz", "10"}}));
  EXPECT_EQ(c.Get({"HZ"}), (Pairs{{"hz", "10"}}));  // names match case-insensitively
  EXPECT_EQ(c.Get({"no-such"}), Pairs{});
  EXPECT_EQ(c.Get({"maxclient?"}), (Pairs{{"maxclients", "10000"}}));
  Pairs max = c.Get({"*max*b*"});
  ASSERT_EQ(max.size(), 1u);
  EXPECT_EQ(max[0], (Pairs::value_type{"proto-max-bulk-len", "536870912"}));
  // maxclients, proto-max-bulk-len, 8 encoding limits, maxmemory and its policy, samples, tenacity,
  // writeback-max-dirty, max-disk-size
  EXPECT_EQ(c.Get({"*max*"}).size(), 16u);
  // A directive matched by several patterns is listed once.
  Pairs p = c.Get({"port", "po*", "*ort"});
  EXPECT_EQ(p, (Pairs{{"port", "6379"}}));
  // threads, timeout, tcp-keepalive, loglevel, logfile, list-max-listpack-size, lfu-log-factor,
  // lfu-decay-time
  EXPECT_EQ(c.Get({"[lt]*"}).size(), 8u);
  EXPECT_GE(c.Get({"*"}).size(), 14u);
}

// Redis's persistence switches are views of `persistence`, so Redis's command lines and tools
// (redis-benchmark reads "save" and "appendonly") work unchanged.
TEST(ConfigTest, RedisPersistenceSwitches) {
  auto load = [](const char* text) {
    auto c = std::make_unique<Config>();
    auto err = c->LoadText(text, "test.conf");
    EXPECT_FALSE(err.has_value()) << text << ": " << *err;
    return c;
  };
  auto view = [](const Config& c) {
    return c.Get({"persistence"})[0].second + " " + c.Get({"appendonly"})[0].second + " " +
           c.Get({"appendfsync"})[0].second;
  };
  EXPECT_EQ(Config().Get({"save", "appendonly", "appendfsync"}),
            (Pairs{{"save", ""}, {"appendonly", "no"}, {"appendfsync", "everysec"}}));
  EXPECT_EQ(view(*load("appendonly yes")), "write-back yes everysec");
  EXPECT_EQ(view(*load("appendfsync always\nappendonly yes")), "write-through yes always");
  EXPECT_EQ(view(*load("appendonly yes\nappendfsync always")), "write-through yes always");
  EXPECT_EQ(view(*load("appendonly yes\nappendfsync no")), "write-back yes no");
  EXPECT_EQ(view(*load("appendfsync always")), "none no always");
  EXPECT_EQ(view(*load("persistence write-around\nappendonly yes")), "write-around yes everysec");
  EXPECT_EQ(view(*load("persistence write-through\nappendonly no")), "none no always");
  EXPECT_EQ(load("appendonly yes")->persistence(), PersistPolicy::kWriteBack);
  EXPECT_EQ(load("appendonly yes\nappendfsync always")->persistence(),
            PersistPolicy::kWriteThrough);
  // What CONFIG REWRITE would write back loads to the same state.
  EXPECT_EQ(view(*load("persistence write-back\nappendonly yes\nappendfsync no")),
            "write-back yes no");

  Config c;
  EXPECT_FALSE(c.Set({{"persistence", "write-through"}}).has_value());
  EXPECT_EQ(view(c), "write-through yes always");
  EXPECT_FALSE(c.Set({{"appendfsync", "everysec"}}).has_value());
  EXPECT_EQ(view(c), "write-back yes everysec");
  EXPECT_EQ(c.persistence(), PersistPolicy::kWriteBack);
  EXPECT_FALSE(c.Set({{"appendonly", "no"}}).has_value());
  EXPECT_EQ(view(c), "none no everysec");
  EXPECT_EQ(c.persistence(), PersistPolicy::kNone);

  // "save": only the empty schedule ("--save ''", "save \"\"", or "--save" alone).
  EXPECT_EQ(load("save \"\"")->Get({"save"}), (Pairs{{"save", ""}}));
  EXPECT_EQ(load("save")->Get({"save"}), (Pairs{{"save", ""}}));
  auto err = Config().LoadText("save 3600 1 300 100", "redis.conf");
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "Redwing takes no RDB snapshots")) << *err;
  EXPECT_TRUE(Contains(*err, "line 1")) << *err;
  EXPECT_FALSE(c.Set({{"save", ""}}).has_value());
  err = c.Set({{"save", "900 1"}});
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "CONFIG SET failed (possibly related to argument 'save') - Redwing"))
      << *err;
  EXPECT_EQ(c.Set({{"appendfsync", "sometimes"}}).value_or(""),
            "CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be "
            "one of the following: always, everysec, no");
}

TEST(ConfigTest, RewriteWithoutFileFails) {
  Config c;
  auto err = c.Rewrite();
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "without a config file")) << *err;
}

TEST(ConfigTest, LoadFileMissing) {
  Config c;
  auto err = c.LoadFile("/nonexistent/dir/redwing.conf");
  ASSERT_TRUE(err.has_value());
  EXPECT_TRUE(Contains(*err, "can't open config file")) << *err;
}

TEST(ConfigTest, RewritePreservesCommentsAndAppendsChanges) {
  TempFile file(
      "# Top comment\n"
      "port 7001\n"
      "\n"
      "# Clients\n"
      "maxclients 500\n"
      "  # indented comment\n"
      "hz 15\n");
  Config c;
  ASSERT_FALSE(c.LoadFile(file.path()).has_value());
  EXPECT_EQ(c.config_file(), file.path());
  EXPECT_EQ(c.maxclients(), 500);
  // A line this build does not know, added after loading, survives the rewrite.
  std::ofstream(file.path(), std::ios::app) << "some-future-directive 1\n";

  ASSERT_FALSE(
      c.Set({{"maxclients", "123"}, {"loglevel", "warning"}, {"requirepass", "p w"}}).has_value());
  auto err = c.Rewrite();
  ASSERT_FALSE(err.has_value()) << *err;
  EXPECT_EQ(file.Read(),
            "# Top comment\n"
            "port 7001\n"
            "\n"
            "# Clients\n"
            "maxclients 123\n"
            "  # indented comment\n"
            "hz 15\n"
            "some-future-directive 1\n"
            "# Generated by CONFIG REWRITE\n"
            "requirepass \"p w\"\n"
            "loglevel warning\n");

  // The rewritten file loads back to the same values.
  Config reloaded;
  std::string text = file.Read();
  text.erase(text.find("some-future-directive"), std::string("some-future-directive 1\n").size());
  ASSERT_FALSE(reloaded.LoadText(text, "rewritten").has_value());
  EXPECT_EQ(reloaded.maxclients(), 123);
  EXPECT_EQ(reloaded.requirepass(), "p w");
  EXPECT_EQ(reloaded.loglevel(), "warning");
  EXPECT_EQ(reloaded.port(), 7001);

  // A second rewrite with nothing changed leaves the file as it was.
  std::string first = file.Read();
  ASSERT_FALSE(c.Rewrite().has_value());
  EXPECT_EQ(file.Read(), first);
}

TEST(ConfigTest, RewriteRoundTripsAwkwardValues) {
  TempFile file("hz 12\n");
  Config c;
  ASSERT_FALSE(c.LoadFile(file.path()).has_value());
  // Quotes, backslashes, a newline (which must not split the line) and other control or 8-bit
  // bytes all survive a rewrite and reload.
  const std::string awkward = std::string("a \"q\" b\\c\nd\re\tf\x01g\xe9h");
  ASSERT_FALSE(c.Set({{"requirepass", awkward}}).has_value());
  ASSERT_FALSE(c.Rewrite().has_value());
  std::string text = file.Read();
  EXPECT_EQ(text.find("\nd"), std::string::npos) << text;  // no raw newline inside the value
  Config reloaded;
  auto err = reloaded.LoadFile(file.path());
  ASSERT_FALSE(err.has_value()) << *err;
  EXPECT_EQ(reloaded.requirepass(), awkward);
  EXPECT_EQ(reloaded.hz(), 12);
}

}  // namespace
}  // namespace redwing
