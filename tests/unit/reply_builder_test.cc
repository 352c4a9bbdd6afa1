#include "protocol/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "protocol/byte_buffer.h"

namespace redwing {
namespace {

// Runs `fn` against a fresh builder speaking protocol `resp` and returns the bytes it produced.
template <typename Fn>
std::string Encode(int resp, Fn&& fn) {
  ByteBuffer buf;
  ReplyBuilder rb(&buf, resp);
  fn(rb);
  return std::string(buf.view());
}

TEST(ReplyBuilderTest, OkAndSimpleString) {
  for (int resp : {2, 3}) {
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.Ok(); }), "+OK\r\n");
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.SimpleString("PONG"); }), "+PONG\r\n");
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.SimpleString(""); }), "+\r\n");
  }
}

TEST(ReplyBuilderTest, ErrorIsOneLine) {
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Error("ERR syntax error"); }),
            "-ERR syntax error\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Error("WRONGTYPE bad"); }), "-WRONGTYPE bad\r\n");
  // Embedded CR and LF would end the error line early: each becomes a space.
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Error("ERR a\r\nb\nc\rd"); }), "-ERR a  b c d\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Error("\n"); }), "- \r\n");
}

TEST(ReplyBuilderTest, Integer) {
  for (int resp : {2, 3}) {
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.Integer(0); }), ":0\r\n");
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.Integer(-42); }), ":-42\r\n");
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.Integer(INT64_MAX); }),
              ":9223372036854775807\r\n");
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.Integer(INT64_MIN); }),
              ":-9223372036854775808\r\n");
  }
}

TEST(ReplyBuilderTest, Bulk) {
  for (int resp : {2, 3}) {
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.Bulk("hello"); }), "$5\r\nhello\r\n");
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.Bulk(""); }), "$0\r\n\r\n");
    // Binary-safe: CR, LF and NUL pass through untouched.
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.Bulk(std::string("a\r\n\0b", 5)); }),
              std::string("$5\r\na\r\n\0b\r\n", 11));
    EXPECT_EQ(Encode(resp, [](ReplyBuilder& rb) { rb.BulkInt(-17); }), "$3\r\n-17\r\n");
  }
  std::string big(100000, 'x');
  EXPECT_EQ(Encode(2, [&](ReplyBuilder& rb) { rb.Bulk(big); }), "$100000\r\n" + big + "\r\n");
}

TEST(ReplyBuilderTest, NullForms) {
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Null(); }), "$-1\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.NullArray(); }), "*-1\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Null(); }), "_\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.NullArray(); }), "_\r\n");
}

TEST(ReplyBuilderTest, AggregateHeaders) {
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.ArrayHeader(3); }), "*3\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.ArrayHeader(0); }), "*0\r\n");
  // A map of n pairs is a flat array of 2n elements in RESP2.
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.MapHeader(2); }), "*4\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.MapHeader(2); }), "%2\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.SetHeader(5); }), "*5\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.SetHeader(5); }), "~5\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.PushHeader(3); }), "*3\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.PushHeader(3); }), ">3\r\n");
}

TEST(ReplyBuilderTest, DoubleResp2IsBulk) {
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Double(1.5); }), "$3\r\n1.5\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Double(3); }), "$1\r\n3\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Double(0.1); }), "$19\r\n0.10000000000000001\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Double(1e100); }), "$6\r\n1e+100\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Double(HUGE_VAL); }), "$3\r\ninf\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Double(-HUGE_VAL); }), "$4\r\n-inf\r\n");
}

TEST(ReplyBuilderTest, DoubleResp3) {
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Double(1.5); }), ",1.5\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Double(-2); }), ",-2\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Double(0.1); }), ",0.10000000000000001\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Double(1.0 / 3); }), ",0.33333333333333331\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Double(1e-5); }), ",1.0000000000000001e-05\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Double(std::numeric_limits<double>::infinity()); }),
            ",inf\r\n");
  EXPECT_EQ(
      Encode(3, [](ReplyBuilder& rb) { rb.Double(-std::numeric_limits<double>::infinity()); }),
      ",-inf\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Double(-std::numeric_limits<double>::min()); }),
            ",-2.2250738585072014e-308\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Double(-std::numeric_limits<double>::min()); }),
            "$24\r\n-2.2250738585072014e-308\r\n");
}

TEST(ReplyBuilderTest, Bool) {
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Bool(true); }), ":1\r\n");
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Bool(false); }), ":0\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Bool(true); }), "#t\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Bool(false); }), "#f\r\n");
}

TEST(ReplyBuilderTest, Verbatim) {
  EXPECT_EQ(Encode(2, [](ReplyBuilder& rb) { rb.Verbatim("txt", "hello"); }), "$5\r\nhello\r\n");
  // The length counts the three-letter format and its colon.
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Verbatim("txt", "hello"); }),
            "=9\r\ntxt:hello\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Verbatim("mkd", ""); }), "=4\r\nmkd:\r\n");
  EXPECT_EQ(Encode(3, [](ReplyBuilder& rb) { rb.Verbatim("txt", "a\r\nb"); }),
            "=8\r\ntxt:a\r\nb\r\n");
}

TEST(ReplyBuilderTest, SequencesAppend) {
  std::string out = Encode(3, [](ReplyBuilder& rb) {
    rb.MapHeader(2);
    rb.Bulk("k");
    rb.Integer(1);
    rb.SimpleString("s");
    rb.Null();
  });
  EXPECT_EQ(out, "%2\r\n$1\r\nk\r\n:1\r\n+s\r\n_\r\n");
}

TEST(ReplyBuilderTest, ProtocolSwitch) {
  ByteBuffer a;
  ReplyBuilder rb(&a, 2);
  EXPECT_EQ(rb.resp(), 2);
  rb.Null();
  rb.set_resp(3);
  EXPECT_EQ(rb.resp(), 3);
  rb.Null();
  rb.Bool(true);
  EXPECT_EQ(a.view(), "$-1\r\n_\r\n#t\r\n");
}

}  // namespace
}  // namespace redwing
