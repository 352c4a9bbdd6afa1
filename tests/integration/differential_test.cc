// Differential tests: every script under tests/differential/ is run against Debian's
// redis-server and against redwing-server, command by command, and the replies must match byte
// for byte. A script line is one command in inline syntax (quotes and escapes as redis-cli);
// '#' starts a comment; a line starting with "~ " runs the command on both servers without
// comparing (for replies that legitimately differ: ids, times, versions); a line starting with
// "% " compares an aggregate reply's elements in any order (members of a set or a hash kept in a
// hash table, whose order is the table's: its header must match, and its elements (or a map's
// key-value pairs) as a multiset). Each script starts from FLUSHALL on a fresh connection, in
// RESP2.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "integration/test_server.h"

namespace redwing::test {
namespace {

// An aggregate reply with its elements sorted: the header, then the elements (a map's pairs as
// units) in byte order. Other replies are returned as they are.
std::string Unordered(const std::string& reply) {
  if (reply.empty() || std::string_view("*~%").find(reply[0]) == std::string_view::npos) {
    return reply;
  }
  size_t pos = reply.find("\r\n") + 2;
  std::string header = reply.substr(0, pos);
  size_t per_unit = reply[0] == '%' ? 2 : 1;
  std::vector<std::string> units;
  while (pos < reply.size()) {
    size_t start = pos;
    for (size_t i = 0; i < per_unit; ++i) {
      size_t len = RespReplyLength(reply, pos);
      if (len == 0) return reply;
      pos += len;
    }
    units.push_back(reply.substr(start, pos - start));
  }
  std::sort(units.begin(), units.end());
  for (const std::string& u : units)
    header += u;
  return header;
}

std::string Printable(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The parameter is the script's path.
class DifferentialTest : public ServerPairTest<std::string> {};

TEST_P(DifferentialTest, RepliesMatchRedis) {
  RawClient a(redis_server().port());
  RawClient b(redwing_server().port());
  ASSERT_EQ(a.Run({"FLUSHALL"}), "+OK\r\n");
  ASSERT_EQ(b.Run({"FLUSHALL"}), "+OK\r\n");
  std::ifstream in(GetParam());
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    bool compare = true;
    bool unordered = false;
    if (line.rfind("~ ", 0) == 0) {
      compare = false;
      line = line.substr(2);
    } else if (line.rfind("% ", 0) == 0) {
      unordered = true;
      line = line.substr(2);
    }
    std::vector<std::string> args;
    ASSERT_TRUE(SplitScriptLine(line, &args)) << "bad line " << line_no;
    if (args.empty()) continue;
    std::string want = a.Run(args);
    std::string got = b.Run(args);
    // No reply in time: a command that blocked (the script is wrong) or a dead server.
    ASSERT_FALSE(want.empty()) << GetParam() << ":" << line_no << ": no reply from redis-server";
    if (unordered) {
      want = Unordered(want);
      got = Unordered(got);
    }
    if (compare) {
      EXPECT_EQ(Printable(got), Printable(want)) << GetParam() << ":" << line_no << ": " << line;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scripts, DifferentialTest,
                         ::testing::ValuesIn(ScriptFiles("tests/differential")),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name =
                               std::filesystem::path(param_info.param).stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace redwing::test
