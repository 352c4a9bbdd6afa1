#include "protocol/resp_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace redwing {
namespace {

// Feeds `input` in pieces (as a socket would deliver it), keeping unconsumed bytes contiguous as a
// connection does, and collects every command and error.
struct Feed {
  std::vector<std::vector<std::string>> commands;
  std::vector<std::string> errors;
};

Feed ParseInPieces(const std::string& input, const std::vector<size_t>& cuts,
                   size_t max_bulk = 512 * 1024 * 1024) {
  RespParser parser(max_bulk);
  Feed feed;
  std::string buffer;
  size_t fed = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t end : ends) {
    buffer.append(input, fed, end - fed);
    fed = end;
    while (true) {
      size_t consumed = 0;
      auto st = parser.Parse(buffer, &consumed);
      if (st == RespParser::Status::kNeedMore) break;
      if (st == RespParser::Status::kError) {
        feed.errors.push_back(parser.error());
        return feed;
      }
      std::vector<std::string> args(parser.args().begin(), parser.args().end());
      if (!args.empty()) feed.commands.push_back(args);
      buffer.erase(0, consumed);
    }
  }
  return feed;
}

Feed ParseAll(const std::string& input) {
  return ParseInPieces(input, {});
}

TEST(RespParser, MultibulkCommand) {
  auto f = ParseAll("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n");
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0], (std::vector<std::string>{"SET", "k", "hello"}));
}

TEST(RespParser, BinarySafeBulk) {
  std::string v("a\r\n\0b", 5);
  auto f = ParseAll("*2\r\n$3\r\nGET\r\n$5\r\n" + v + "\r\n");
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0][1], v);
}

TEST(RespParser, Pipeline) {
  std::string one = "*1\r\n$4\r\nPING\r\n";
  std::string in;
  for (int i = 0; i < 100; ++i)
    in += one;
  EXPECT_EQ(ParseAll(in).commands.size(), 100u);
}

TEST(RespParser, InlineCommands) {
  auto f = ParseAll("SET k \"a b\"\r\nGET 'x y'\nPING\r\n\r\n");
  ASSERT_EQ(f.commands.size(), 3u);
  EXPECT_EQ(f.commands[0], (std::vector<std::string>{"SET", "k", "a b"}));
  EXPECT_EQ(f.commands[1], (std::vector<std::string>{"GET", "x y"}));
  EXPECT_EQ(f.commands[2], (std::vector<std::string>{"PING"}));
}

TEST(RespParser, InlineEscapes) {
  auto f = ParseAll("ECHO \"\\x41\\n\\t\\\"\"\r\n");
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0][1], "A\n\t\"");
}

TEST(RespParser, EmptyMultibulkIsSkipped) {
  auto f = ParseAll("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(f.commands.size(), 1u);
}

TEST(RespParser, ErrorsMatchRedis) {
  EXPECT_EQ(ParseAll("*x\r\n").errors.at(0), "ERR Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseAll("*1\r\n+a\r\n").errors.at(0), "ERR Protocol error: expected '$', got '+'");
  EXPECT_EQ(ParseAll("*1\r\n$-5\r\n").errors.at(0), "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(ParseAll("*1\r\n$abc\r\n").errors.at(0), "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(ParseAll("SET \"a b\r\n").errors.at(0),
            "ERR Protocol error: unbalanced quotes in request");
  EXPECT_EQ(ParseAll(std::string(70000, 'a')).errors.at(0),
            "ERR Protocol error: too big inline request");
  EXPECT_EQ(ParseAll("*" + std::string(70000, '1')).errors.at(0),
            "ERR Protocol error: too big mbulk count string");
  EXPECT_EQ(ParseAll("*1\r\n$" + std::string(70000, '1')).errors.at(0),
            "ERR Protocol error: too big bulk count string");
}

TEST(RespParser, BulkOverLimitIsRejected) {
  auto f = ParseInPieces("*1\r\n$2000000\r\n", {}, 1024 * 1024);
  EXPECT_EQ(f.errors.at(0), "ERR Protocol error: invalid bulk length");
}

TEST(RespParser, WantsWholeBulkBeforeItArrives) {
  RespParser p;
  size_t consumed = 0;
  std::string in = "*2\r\n$3\r\nSET\r\n$100000\r\nabc";
  EXPECT_EQ(p.Parse(in, &consumed), RespParser::Status::kNeedMore);
  EXPECT_EQ(p.BytesWanted(), in.size() - 3 + 100000 + 2);
}

// Every command split at every byte boundary parses to the same result.
TEST(RespParser, EverySplitPoint) {
  std::string input =
      "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n";
  auto whole = ParseAll(input);
  ASSERT_EQ(whole.commands.size(), 3u);
  for (size_t cut = 1; cut < input.size(); ++cut) {
    EXPECT_EQ(ParseInPieces(input, {cut}).commands, whole.commands) << "cut at " << cut;
  }
  // And one byte at a time.
  std::vector<size_t> every;
  for (size_t i = 1; i < input.size(); ++i)
    every.push_back(i);
  EXPECT_EQ(ParseInPieces(input, every).commands, whole.commands);
}

// Random garbage never crashes the parser, and what it accepts it accepts consistently.
TEST(RespParser, RandomInputsAreSafe) {
  std::mt19937 rng(12345);
  const std::string alphabet = "*$\r\n0123456789-+abc \"'\\x";
  for (int iter = 0; iter < 20000; ++iter) {
    std::string in;
    size_t len = rng() % 64;
    for (size_t i = 0; i < len; ++i)
      in.push_back(alphabet[rng() % alphabet.size()]);
    auto whole = ParseInPieces(in, {}, 1 << 20);
    if (in.size() > 1) {
      size_t cut = 1 + rng() % (in.size() - 1);
      auto split = ParseInPieces(in, {cut}, 1 << 20);
      EXPECT_EQ(split.commands, whole.commands) << in;
      EXPECT_EQ(split.errors, whole.errors) << in;
    }
  }
}

}  // namespace
}  // namespace redwing
