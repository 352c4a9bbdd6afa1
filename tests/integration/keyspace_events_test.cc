// Keyspace notifications (notify-keyspace-events) over real connections: what each command
// family publishes, checked message by message on a PSUBSCRIBE __key*@*__:* subscriber (Redis
// 7.0's classes, event names, keys, databases and order), keys that expire (actively and lazily)
// or are evicted, clients served after blocking, transactions and databases, commands across
// shards, keyspace misses, the setting's parsing; and a differential test that runs the scripts
// of tests/keyspace_events/ on redis-server and compares every notification.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

constexpr const char* kPattern = "__key*@*__:*";
// A channel the pattern matches that no key event uses: marks the end of a batch of events.
constexpr const char* kMarker = "__keyevent@0__:~marker~";

using Messages = std::vector<std::string>;

// A subscriber to every keyspace notification. Collect() returns the notifications raised so far:
// a PUBLISH on the marker channel from another connection, after the commands replied, arrives
// after everything they published. Messages read "channel payload"; one that is not a pmessage
// of our pattern reads "(bad) ..." and so fails any comparison.
class Notifications {
 public:
  explicit Notifications(int port) : sub_(port), marker_(port) {
    EXPECT_EQ(sub_({"PSUBSCRIBE", kPattern}), "[\"psubscribe\", \"__key*@*__:*\", (integer) 1]");
  }

  Messages Collect() {
    std::string seq = std::to_string(++seq_);
    EXPECT_EQ(marker_({"PUBLISH", kMarker, seq}), "(integer) 1");
    const std::string end = std::string(kMarker) + " " + seq;
    Messages out;
    for (std::string m = Read(); m != end; m = Read()) {
      if (m == "(disconnected)") {
        ADD_FAILURE() << "no marker";
        break;
      }
      out.push_back(m);
    }
    return out;
  }

  // The next `n` notifications, waiting up to the client's timeout for each (expiry and eviction
  // are raised by the server's cron).
  Messages Next(size_t n) {
    Messages out;
    for (size_t i = 0; i < n; ++i)
      out.push_back(Read());
    return out;
  }

 private:
  std::string Read() {
    void* raw = nullptr;
    if (redisGetReply(sub_.raw(), &raw) != REDIS_OK) return "(disconnected)";
    Client::ReplyPtr r(static_cast<redisReply*>(raw));
    std::vector<std::string> parts = ReplyStrings(r.get());
    if (parts.size() != 4 || parts[0] != "pmessage" || parts[1] != kPattern) {
      return "(bad) " + Client::Format(r.get());
    }
    return parts[2] + " " + parts[3];
  }

  Client sub_;
  Client marker_;
  int seq_ = 0;
};

// The messages of events written "event key" (in database 0) or "event key db", with K and E
// both on: for each, its __keyspace@ message, then its __keyevent@ one, as Redis sends them.
Messages KE(std::initializer_list<std::string> events) {
  Messages out;
  for (const std::string& e : events) {
    std::istringstream in(e);
    std::string event, key, db = "0";
    in >> event >> key >> db;
    out.push_back("__keyspace@" + db + "__:" + key + " " + event);
    out.push_back("__keyevent@" + db + "__:" + event + " " + key);
  }
  return out;
}

class KeyspaceEventsTest : public SharedServerTest<KeyspaceEventsTest> {
 public:
  // Four threads: commands run on other threads than their connection's, and keys of one
  // command land on different shards.
  static std::vector<std::string> ServerArgs() { return {"--threads", "4"}; }

 protected:
  void TearDown() override { EXPECT_EQ(c_({"CONFIG", "SET", "notify-keyspace-events", ""}), "OK"); }

  // Sets notify-keyspace-events and subscribes. Any earlier subscriber (this test's, or the one
  // of the test before on the shared server) is gone first: a connection's end reaches every
  // worker's pub/sub directory asynchronously, and until then a PUBLISH counts it too.
  void Watch(const std::string& flags) {
    ASSERT_EQ(c_({"CONFIG", "SET", "notify-keyspace-events", flags}), "OK");
    events_.reset();
    ASSERT_TRUE(PollUntil([&] { return c_({"PUBLISH", kMarker, "-"}) == "(integer) 0"; }));
    events_ = std::make_unique<Notifications>(port());
  }

  // Runs the commands (each must not fail) and returns the notifications they raised.
  Messages Run(const std::vector<std::vector<std::string>>& cmds) {
    for (const auto& cmd : cmds) {
      std::string reply = c_.Run(cmd);
      EXPECT_EQ(reply.rfind("(error)", 0), std::string::npos) << cmd[0] << ": " << reply;
    }
    return events_->Collect();
  }
  // Runs setup commands, dropping their notifications.
  void Given(const std::vector<std::vector<std::string>>& cmds) { Run(cmds); }

  // The server's clock (TIME), in ms.
  int64_t ServerMs() {
    std::vector<std::string> t = c_.Strings({"TIME"});
    return std::stoll(t[0]) * 1000 + std::stoll(t[1]) / 1000;
  }

  Client c_{port()};
  std::unique_ptr<Notifications> events_;
};

// ---------------------------------------------------------------------------------------------
// The setting.

TEST_F(KeyspaceEventsTest, ConfigSetStoresRedisCanonicalForm) {
  const std::pair<const char*, const char*> kForms[] = {
      {"KEA", "AKE"},    {"gn$xK", "g$xnK"},      {"Anm", "Am"}, {"", ""},
      {"AEKAm", "AKEm"}, {"KEg$lshzxetd", "AKE"}, {"El", "lE"},  {"KEAn", "AKE"},
  };
  for (const auto& [set, canonical] : kForms) {
    EXPECT_EQ(c_({"CONFIG", "SET", "notify-keyspace-events", set}), "OK") << set;
    EXPECT_EQ(c_({"CONFIG", "GET", "notify-keyspace-events"}),
              std::string("[\"notify-keyspace-events\", \"") + canonical + "\"]")
        << set;
  }
  EXPECT_EQ(c_({"CONFIG", "SET", "notify-keyspace-events", "KEZ"}),
            "(error) ERR CONFIG SET failed (possibly related to argument "
            "'notify-keyspace-events') - Invalid event class character. Use "
            "'Ag$lshzxeKEtmdn'.");
  // A refused value leaves the setting as it was.
  EXPECT_EQ(c_({"CONFIG", "GET", "notify-keyspace-events"}),
            "[\"notify-keyspace-events\", \"AKE\"]");
}

TEST_F(KeyspaceEventsTest, NothingWithoutAClassAndAChannelKind) {
  for (const char* flags : {"", "A", "K", "E", "KE"}) {
    Watch(flags);
    EXPECT_EQ(Run({{"SET", "k", "v"}, {"LPUSH", "l", "a"}, {"GET", "nokey"}}), Messages{}) << flags;
    EXPECT_EQ(c_({"DEL", "k", "l"}), "(integer) 2");
  }
}

TEST_F(KeyspaceEventsTest, ClassesAndChannelKindsFilter) {
  Watch("K$");  // string events, keyspace channel only
  EXPECT_EQ(Run({{"SET", "k", "v", "EX", "100"}, {"LPUSH", "l", "a"}, {"DEL", "l"}}),
            Messages{"__keyspace@0__:k set"});
  Watch("El");  // list events, keyevent channel only
  EXPECT_EQ(Run({{"SET", "k", "v"}, {"RPUSH", "l", "a"}, {"RPOP", "l"}}),
            (Messages{"__keyevent@0__:rpush l", "__keyevent@0__:rpop l"}));
  Watch("Kg");  // generic: the list's "del" counts as generic
  EXPECT_EQ(Run({{"RPUSH", "l", "a"}, {"RPOP", "l"}, {"EXPIRE", "k", "100"}}),
            (Messages{"__keyspace@0__:l del", "__keyspace@0__:k expire"}));
}

// ---------------------------------------------------------------------------------------------
// Each family's events.

TEST_F(KeyspaceEventsTest, StringCommands) {
  Watch("KEA");
  EXPECT_EQ(
      Run({{"SET", "s", "v"}, {"SET", "s", "w", "NX"}, {"SET", "s", "w", "XX", "PX", "9000"}}),
      KE({"set s", "set s", "expire s"}));
  EXPECT_EQ(Run({{"SETNX", "s", "v"},
                 {"SETNX", "n", "v"},
                 {"SETEX", "x", "10", "v"},
                 {"PSETEX", "y", "10000", "v"},
                 {"GETSET", "s", "v"}}),
            KE({"set n", "set x", "expire x", "set y", "expire y", "set s"}));
  EXPECT_EQ(Run({{"APPEND", "a", "x"},
                 {"APPEND", "a", "y"},
                 {"SETRANGE", "r", "0", ""},
                 {"SETRANGE", "r", "1", "z"},
                 {"SETRANGE", "r", "0", ""}}),
            KE({"append a", "append a", "setrange r"}));
  EXPECT_EQ(Run({{"INCR", "i"},
                 {"INCRBY", "i", "5"},
                 {"DECR", "i"},
                 {"DECRBY", "i", "2"},
                 {"INCRBYFLOAT", "i", "1.5"}}),
            KE({"incrby i", "incrby i", "incrby i", "incrby i", "incrbyfloat i"}));
  EXPECT_EQ(Run({{"GETEX", "s", "EX", "100"},
                 {"GETEX", "s", "PERSIST"},
                 {"GETEX", "s", "PERSIST"},
                 {"GETEX", "s"},
                 {"GETEX", "a", "PXAT", "1"},
                 {"GETDEL", "n"},
                 {"GETDEL", "n"}}),
            KE({"expire s", "persist s", "del a", "del n"}));
}

TEST_F(KeyspaceEventsTest, GenericCommands) {
  Watch("KEA");
  ASSERT_EQ(Run({{"MSET", "a", "1", "b", "2", "c", "3"}}).size(), 6u);
  EXPECT_EQ(Run({{"DEL", "a", "nokey"}, {"UNLINK", "b"}}), KE({"del a", "del b"}));
  EXPECT_EQ(Run({{"EXPIRE", "c", "100"},
                 {"EXPIRE", "c", "100", "NX"},
                 {"PEXPIRE", "c", "90000"},
                 {"EXPIREAT", "c", "99999999999"},
                 {"PEXPIREAT", "c", "99999999999000"},
                 {"PERSIST", "c"},
                 {"PERSIST", "c"},
                 {"EXPIRE", "nokey", "1"}}),
            KE({"expire c", "expire c", "expire c", "expire c", "persist c"}));
  // A time already past deletes the key.
  EXPECT_EQ(Run({{"EXPIRE", "c", "-1"}, {"SET", "c", "v"}, {"EXPIREAT", "c", "1"}}),
            KE({"del c", "set c", "del c"}));
  Given({{"SET", "a", "v"}, {"SET", "b", "v"}});
  EXPECT_EQ(Run({{"RENAME", "a", "b"}, {"RENAME", "b", "b"}, {"RENAMENX", "b", "c"}}),
            KE({"rename_from a", "rename_to b", "rename_from b", "rename_to c"}));
  EXPECT_EQ(Run({{"COPY", "c", "d"},
                 {"COPY", "c", "d"},
                 {"COPY", "c", "d", "REPLACE"},
                 {"COPY", "c", "e", "DB", "2"}}),
            KE({"copy_to d", "copy_to d", "copy_to e 2"}));
  EXPECT_EQ(Run({{"MOVE", "d", "3"}, {"MOVE", "d", "3"}}), KE({"move_from d", "move_to d 3"}));
}

TEST_F(KeyspaceEventsTest, ListCommands) {
  Watch("KEA");
  EXPECT_EQ(Run({{"LPUSH", "l", "a", "b"},
                 {"RPUSH", "l", "c"},
                 {"LPUSHX", "nol", "a"},
                 {"RPUSHX", "l", "d"}}),
            KE({"lpush l", "rpush l", "rpush l"}));
  EXPECT_EQ(Run({{"LSET", "l", "0", "x"},
                 {"LINSERT", "l", "BEFORE", "x", "y"},
                 {"LINSERT", "l", "BEFORE", "nothere", "y"},
                 {"LREM", "l", "0", "nothere"},
                 {"LREM", "l", "1", "y"},
                 {"LTRIM", "l", "0", "-1"}}),
            KE({"lset l", "linsert l", "lrem l", "ltrim l"}));
  // Pops; a list emptied by a command is deleted ("del" after the command's event).
  EXPECT_EQ(Run({{"LPOP", "l"}, {"RPOP", "l", "2"}, {"LPOP", "l", "0"}, {"LPOP", "l", "9"}}),
            KE({"lpop l", "rpop l", "lpop l", "del l"}));
  Given({{"RPUSH", "l", "a", "b", "c"}});
  EXPECT_EQ(Run({{"LTRIM", "l", "5", "9"}}), KE({"ltrim l", "del l"}));
  Given({{"RPUSH", "l", "a", "b", "c"}});
  EXPECT_EQ(Run({{"LREM", "l", "0", "b"}, {"LMPOP", "2", "nol", "l", "RIGHT", "COUNT", "5"}}),
            KE({"lrem l", "rpop l", "del l"}));
  // Moves: the destination's push, then the source's pop (and its "del").
  Given({{"RPUSH", "src", "a", "b"}});
  EXPECT_EQ(
      Run({{"LMOVE", "src", "dst", "LEFT", "RIGHT"},
           {"RPOPLPUSH", "src", "dst"},
           {"LMOVE", "dst", "dst", "LEFT", "RIGHT"}}),
      KE({"rpush dst", "lpop src", "lpush dst", "rpop src", "del src", "rpush dst", "lpop dst"}));
  // Blocking pops that find an element at once.
  EXPECT_EQ(Run({{"BLPOP", "nol", "dst", "1"}, {"BRPOPLPUSH", "dst", "x", "1"}}),
            KE({"lpop dst", "lpush x", "rpop dst", "del dst"}));
}

TEST_F(KeyspaceEventsTest, HashCommands) {
  Watch("KEA");
  EXPECT_EQ(Run({{"HSET", "h", "f", "v", "g", "w"},
                 {"HSET", "h", "f", "v"},
                 {"HMSET", "h", "f", "v"},
                 {"HSETNX", "h", "f", "v"},
                 {"HSETNX", "h", "n", "v"}}),
            KE({"hset h", "hset h", "hset h", "hset h"}));
  EXPECT_EQ(Run({{"HINCRBY", "h", "i", "2"}, {"HINCRBYFLOAT", "h", "i", "1.5"}}),
            KE({"hincrby h", "hincrbyfloat h"}));
  EXPECT_EQ(Run({{"HDEL", "h", "nothere"}, {"HDEL", "h", "f", "g"}, {"HDEL", "h", "n", "i", "x"}}),
            KE({"hdel h", "hdel h", "del h"}));
}

TEST_F(KeyspaceEventsTest, SetCommands) {
  Watch("KEA");
  EXPECT_EQ(Run({{"SADD", "s", "a", "b", "c"},
                 {"SADD", "s", "a"},
                 {"SREM", "s", "x"},
                 {"SREM", "s", "a"}}),
            KE({"sadd s", "srem s"}));
  EXPECT_EQ(Run({{"SPOP", "s"}, {"SPOP", "s", "0"}, {"SPOP", "s", "5"}}),
            KE({"spop s", "spop s", "del s"}));
  // SMOVE: "srem" on the source (and its "del"), "sadd" on the destination if it was added.
  Given({{"SADD", "src", "a", "b"}, {"SADD", "dst", "b"}});
  EXPECT_EQ(Run({{"SMOVE", "src", "dst", "a"},
                 {"SMOVE", "src", "dst", "b"},
                 {"SMOVE", "dst", "dst", "a"}}),
            KE({"srem src", "sadd dst", "srem src", "del src"}));
  Given({{"SADD", "a", "1", "2"}, {"SADD", "b", "2", "3"}});
  EXPECT_EQ(Run({{"SINTERSTORE", "i", "a", "b"},
                 {"SUNIONSTORE", "u", "a", "b"},
                 {"SDIFFSTORE", "d", "a", "b"},
                 {"SINTERSTORE", "i", "a", "nokey"},
                 {"SDIFFSTORE", "d", "a", "a"},
                 {"SDIFFSTORE", "d", "a", "a"}}),
            KE({"sinterstore i", "sunionstore u", "sdiffstore d", "del i", "del d"}));
}

TEST_F(KeyspaceEventsTest, SortedSetCommands) {
  Watch("KEA");
  EXPECT_EQ(Run({{"ZADD", "z", "1", "a", "2", "b"},
                 {"ZADD", "z", "1", "a"},
                 {"ZADD", "z", "XX", "5", "c"},
                 {"ZADD", "z", "CH", "3", "a"},
                 {"ZADD", "z", "INCR", "1", "a"},
                 {"ZINCRBY", "z", "0", "a"},
                 {"ZINCRBY", "z", "1", "b"}}),
            KE({"zadd z", "zadd z", "zincr z", "zincr z"}));
  EXPECT_EQ(Run({{"ZREM", "z", "x"}, {"ZREM", "z", "a"}, {"ZREM", "z", "b"}}),
            KE({"zrem z", "zrem z", "del z"}));
  Given({{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"}});
  EXPECT_EQ(Run({{"ZREMRANGEBYRANK", "z", "0", "0"},
                 {"ZREMRANGEBYSCORE", "z", "2", "2"},
                 {"ZREMRANGEBYLEX", "z", "[d", "[d"},
                 {"ZREMRANGEBYSCORE", "z", "100", "200"},
                 {"ZPOPMIN", "z"},
                 {"ZPOPMAX", "z", "0"},
                 {"ZPOPMAX", "z"},
                 {"ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "9"}}),
            KE({"zremrangebyrank z", "zremrangebyscore z", "zremrangebylex z", "zpopmin z",
                "zpopmax z", "zpopmin z", "del z"}));
  Given({{"ZADD", "a", "1", "x", "2", "y"}, {"ZADD", "b", "2", "y", "3", "w"}});
  EXPECT_EQ(
      Run({{"ZUNIONSTORE", "u", "2", "a", "b"},
           {"ZINTERSTORE", "i", "2", "a", "b"},
           {"ZDIFFSTORE", "d", "2", "a", "b"},
           {"ZRANGESTORE", "r", "a", "0", "-1"},
           {"ZINTERSTORE", "i", "2", "a", "nokey"},
           {"ZRANGESTORE", "r", "a", "5", "9"}}),
      KE({"zunionstore u", "zinterstore i", "zdiffstore d", "zrangestore r", "del i", "del r"}));
  EXPECT_EQ(Run({{"BZPOPMIN", "nokey", "a", "1"}, {"BZMPOP", "1", "1", "a", "MAX"}}),
            KE({"zpopmin a", "zpopmax a", "del a"}));
}

TEST_F(KeyspaceEventsTest, SortStore) {
  Watch("KEA");
  Given({{"RPUSH", "l", "3", "1", "2"}});
  EXPECT_EQ(Run({{"SORT", "l", "STORE", "dst"},
                 {"SORT", "nokey", "STORE", "dst"},
                 {"SORT", "nokey", "STORE", "dst"},
                 {"SORT", "l"}}),
            KE({"sortstore dst", "del dst"}));
}

// ---------------------------------------------------------------------------------------------
// Events the keyspace raises itself.

TEST_F(KeyspaceEventsTest, NewKeys) {
  Watch("KEg$lhn");  // 'n' is not part of 'A'
  EXPECT_EQ(Run({{"SET", "k", "v"},
                 {"SET", "k", "w"},
                 {"LPUSH", "l", "a"},
                 {"LPUSH", "l", "b"},
                 {"HINCRBY", "h", "f", "1"}}),
            KE({"new k", "set k", "set k", "new l", "lpush l", "lpush l", "new h", "hincrby h"}));
  // RENAME and COPY ... REPLACE add their destination anew, even over an existing key.
  EXPECT_EQ(Run({{"RENAME", "k", "l"}, {"COPY", "l", "h", "REPLACE"}}),
            KE({"new l", "rename_from k", "rename_to l", "new h", "copy_to h"}));
  EXPECT_EQ(Run({{"MOVE", "h", "5"}}), KE({"new h 5", "move_from h", "move_to h 5"}));
}

// Redis prints "KEAn" as "AKE" (no 'n' after 'A') yet keeps 'n' on: the flags come from the value
// set, not from its canonical text.
TEST_F(KeyspaceEventsTest, NewKeysWithAllClasses) {
  Watch("KEAn");  // CONFIG GET shows "AKE", but 'n' stays on, as in Redis
  EXPECT_EQ(Run({{"SET", "k", "v"}}), KE({"new k", "set k"}));
}

TEST_F(KeyspaceEventsTest, KeyMisses) {
  Watch("Em");  // 'm' is not part of 'A'
  c_({"SET", "k", "v"});
  EXPECT_EQ(Run({{"GET", "nokey"},
                 {"GET", "k"},
                 {"LRANGE", "l", "0", "-1"},
                 {"EXISTS", "x"},
                 {"TTL", "y"},
                 {"HGETALL", "h"}}),
            (Messages{"__keyevent@0__:keymiss nokey", "__keyevent@0__:keymiss l",
                      "__keyevent@0__:keymiss x", "__keyevent@0__:keymiss y",
                      "__keyevent@0__:keymiss h"}));
  // Write lookups, OBJECT and MEMORY USAGE raise none.
  EXPECT_EQ(Run({{"SET", "a", "v"},
                 {"LPUSH", "b", "x"},
                 {"OBJECT", "ENCODING", "z"},
                 {"MEMORY", "USAGE", "z"},
                 {"DEL", "z"}}),
            Messages{});
}

TEST_F(KeyspaceEventsTest, ExpiredByTheCron) {
  Watch("KEA");
  EXPECT_EQ(Run({{"SET", "k", "v", "PX", "30"}}), KE({"set k", "expire k"}));
  // Nothing touches the key: active expiry finds it.
  EXPECT_EQ(events_->Next(2), KE({"expired k"}));
  EXPECT_EQ(c_({"DBSIZE"}), "(integer) 0");
}

// A key whose time has passed goes when a command looks it up (unless the cron got there first:
// the same events, in the same order, either way).
TEST_F(KeyspaceEventsTest, ExpiredWhenTouched) {
  Watch("KEg$lxnm");
  int64_t start = ServerMs();
  EXPECT_EQ(Run({{"SET", "s", "v", "PX", "30"}}), KE({"new s", "set s", "expire s"}));
  ASSERT_TRUE(PollUntil([&] { return ServerMs() > start + 40; }));
  EXPECT_EQ(Run({{"GET", "s"}}), KE({"expired s", "keymiss s"}));
  start = ServerMs();
  EXPECT_EQ(Run({{"RPUSH", "l", "a"}, {"PEXPIRE", "l", "30"}}),
            KE({"new l", "rpush l", "expire l"}));
  ASSERT_TRUE(PollUntil([&] { return ServerMs() > start + 40; }));
  EXPECT_EQ(Run({{"LPUSH", "l", "b"}}), KE({"expired l", "new l", "lpush l"}));
}

TEST_F(KeyspaceEventsTest, EvictedUnderMaxmemory) {
  Watch("Ee");  // evictions only: the writes' own events are filtered out
  std::string info = c_.Command({"INFO", "memory"})->str;
  int64_t used = std::stoll(info.substr(info.find("used_memory:") + 12));
  ASSERT_EQ(c_({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "OK");
  ASSERT_EQ(c_({"CONFIG", "SET", "maxmemory", std::to_string(used + 400000)}), "OK");
  constexpr int kKeys = 60;
  for (int i = 0; i < kKeys; ++i)
    ASSERT_EQ(c_({"SET", "big:" + std::to_string(i), std::string(20000, 'x')}), "OK");
  // No eviction after this (CONFIG SET holds every shard), so DBSIZE is final.
  ASSERT_EQ(c_({"CONFIG", "SET", "maxmemory", "0"}), "OK");
  ASSERT_EQ(c_({"CONFIG", "SET", "maxmemory-policy", "noeviction"}), "OK");
  int64_t evicted = kKeys - std::stoll(c_({"DBSIZE"}).substr(10));
  ASSERT_GT(evicted, 0);
  Messages got = events_->Next(static_cast<size_t>(evicted));
  for (const std::string& m : got) {
    EXPECT_EQ(m.rfind("__keyevent@0__:evicted big:", 0), 0u) << m;
    EXPECT_EQ(c_({"EXISTS", m.substr(m.find(' ') + 1)}), "(integer) 0") << m;
  }
  EXPECT_EQ(events_->Collect(), Messages{});
}

// ---------------------------------------------------------------------------------------------
// Blocked clients, transactions, databases, shards.

TEST_F(KeyspaceEventsTest, BlockedClientsServedByAPush) {
  Watch("KEA");
  auto blocked = [&] {
    std::string clients = c_.Command({"INFO", "clients"})->str;
    return std::stoll(clients.substr(clients.find("blocked_clients:") + 16));
  };
  RawClient w1(port()), w2(port());
  w1.Send(EncodeCommand({"BLPOP", "q", "0"}));
  w2.Send(EncodeCommand({"BLMOVE", "m", "dst", "LEFT", "RIGHT", "0"}));
  ASSERT_TRUE(PollUntil([&] { return blocked() == 2; }));
  // The pushing command's events, then the served pop's. (A BLMOVE whose destination is on
  // another shard runs again through the normal routing: its events are in before its reply.)
  EXPECT_EQ(c_({"RPUSH", "q", "a"}), "(integer) 1");
  EXPECT_EQ(c_({"LPUSH", "m", "x"}), "(integer) 1");
  EXPECT_EQ(w1.ReadReply(), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
  EXPECT_EQ(w2.ReadReply(), "$1\r\nx\r\n");
  EXPECT_EQ(events_->Collect(),
            KE({"rpush q", "lpop q", "del q", "lpush m", "rpush dst", "lpop m", "del m"}));
  RawClient w3(port());
  w3.Send(EncodeCommand({"BZPOPMAX", "z", "0"}));
  ASSERT_TRUE(PollUntil([&] { return blocked() == 1; }));
  EXPECT_EQ(c_({"ZADD", "z", "1", "a", "2", "b"}), "(integer) 2");
  EXPECT_NE(w3.ReadReply(), "");
  EXPECT_EQ(events_->Collect(), KE({"zadd z", "zpopmax z"}));
}

TEST_F(KeyspaceEventsTest, TransactionsAndDatabases) {
  Watch("KEA");
  EXPECT_EQ(c_({"MULTI"}), "OK");
  EXPECT_EQ(c_({"SET", "a", "v"}), "QUEUED");
  EXPECT_EQ(c_({"LPUSH", "b", "x"}), "QUEUED");
  EXPECT_EQ(events_->Collect(), Messages{});  // nothing until EXEC
  EXPECT_EQ(Run({{"EXEC"}}), KE({"set a", "lpush b"}));
  // Another database's events carry its number; SWAPDB, FLUSHDB and FLUSHALL raise none.
  EXPECT_EQ(Run({{"SELECT", "3"},
                 {"SET", "c", "v"},
                 {"SWAPDB", "3", "4"},
                 {"SELECT", "4"},
                 {"DEL", "c"},
                 {"SET", "d", "v"},
                 {"FLUSHDB"},
                 {"FLUSHALL"},
                 {"SELECT", "0"}}),
            KE({"set c 3", "del c 4", "set d 4"}));
}

TEST_F(KeyspaceEventsTest, CommandsAcrossShardsKeepRedisOrder) {
  Watch("KEA");
  // Eight pairs of keys: with four shards, most pairs span two.
  for (int i = 0; i < 8; ++i) {
    std::string a = "a" + std::to_string(i), b = "b" + std::to_string(i);
    Given({{"RPUSH", a, "x"}, {"SADD", "s" + a, "x"}});
    EXPECT_EQ(Run({{"LMOVE", a, b, "LEFT", "LEFT"},
                   {"RENAME", b, a},
                   {"SMOVE", "s" + a, "s" + b, "x"},
                   {"COPY", a, b}}),
              KE({"lpush " + b, "lpop " + a, "del " + a, "rename_from " + b, "rename_to " + a,
                  "srem s" + a, "del s" + a, "sadd s" + b, "copy_to " + b}))
        << i;
  }
}

// MSET, DEL and the other commands split by shard run their parts one shard after the other, so
// their events come grouped by shard rather than in argument order (a known difference): the
// same events, each key's in order.
TEST_F(KeyspaceEventsTest, SplitCommandsRaiseEveryKeysEvents) {
  Watch("KEA");
  std::vector<std::string> mset = {"MSET"}, del = {"DEL"};
  std::vector<std::string> want;
  for (int i = 0; i < 16; ++i) {
    std::string k = "k" + std::to_string(i);
    mset.insert(mset.end(), {k, "v"});
    del.push_back(k);
    for (const std::string& m : KE({"set " + k, "del " + k}))
      want.push_back(m);
  }
  Messages got = Run({mset, del});
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

// ---------------------------------------------------------------------------------------------
// Against redis-server: each script of tests/keyspace_events/ runs on both servers, and every
// command's reply and notifications must match. A line is a command in inline syntax; '#' starts
// a comment; "% " before a command compares its notifications in any order (commands split by
// shard). The notifications are the raw frames a subscriber reads.

// One server's side of a script run: commands, a subscriber and the marker's connection.
class ScriptSide {
 public:
  explicit ScriptSide(int port) : client_(port), marker_(port), sub_(port) {
    EXPECT_EQ(client_.Run({"FLUSHALL"}), "+OK\r\n");
    EXPECT_EQ(client_.Run({"CONFIG", "SET", "notify-keyspace-events", "KEg$lshzxenm"}), "+OK\r\n");
    EXPECT_NE(sub_.Run({"PSUBSCRIBE", kPattern}), "");
  }
  // The command's reply, then the frames of its notifications.
  std::vector<std::string> Run(const std::vector<std::string>& cmd, bool unordered) {
    std::vector<std::string> out = {client_.Run(cmd)};
    std::string seq = std::to_string(++seq_);
    marker_.Run({"PUBLISH", kMarker, seq});
    const std::string end = EncodeCommand({"pmessage", kPattern, kMarker, seq});
    for (std::string f = sub_.ReadReply(); f != end; f = sub_.ReadReply()) {
      if (f.empty()) {
        out.push_back("(no marker)");
        break;
      }
      out.push_back(f);
    }
    if (unordered) std::sort(out.begin() + 1, out.end());
    return out;
  }

 private:
  RawClient client_, marker_, sub_;
  int seq_ = 0;
};

class KeyspaceEventsDifferentialTest : public ServerPairTest<std::string> {};

TEST_P(KeyspaceEventsDifferentialTest, NotificationsMatchRedis) {
  ScriptSide redis(redis_server().port());
  ScriptSide redwing(redwing_server().port());
  std::ifstream in(GetParam());
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.empty() || line[0] == '#') continue;
    bool unordered = line.rfind("% ", 0) == 0;
    if (unordered) line = line.substr(2);
    std::vector<std::string> args;
    ASSERT_TRUE(SplitScriptLine(line, &args)) << "bad line " << line_no;
    if (args.empty()) continue;
    EXPECT_EQ(redwing.Run(args, unordered), redis.Run(args, unordered))
        << GetParam() << ":" << line_no << ": " << line;
  }
}

INSTANTIATE_TEST_SUITE_P(Scripts, KeyspaceEventsDifferentialTest,
                         ::testing::ValuesIn(ScriptFiles("tests/keyspace_events")),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return std::filesystem::path(param_info.param).stem().string();
                         });

}  // namespace
}  // namespace redwing::test
