#include "protocol/numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace redwing {
namespace {

TEST(ParseInt64Test, AcceptsCanonicalIntegers) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("1"), 1);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("1234567890"), 1234567890);
  EXPECT_EQ(ParseInt64("-987654321"), -987654321);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  // Around the inline parse's limit of 18 digits.
  EXPECT_EQ(ParseInt64("999999999999999999"), 999999999999999999);
  EXPECT_EQ(ParseInt64("-999999999999999999"), -999999999999999999);
  EXPECT_EQ(ParseInt64("1000000000000000000"), 1000000000000000000);
  EXPECT_EQ(ParseInt64("-1000000000000000000"), -1000000000000000000);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
}

TEST(ParseInt64Test, RejectsNonCanonicalText) {
  for (const char* s : {"", "+1", " 1", "1 ", "01", "00", "-0", "-01", "-", "+", "1a", "a1", "0x10",
                        "1.0", "1e3", "--1", "- 1", "\t1", "1\n"}) {
    EXPECT_FALSE(ParseInt64(s).has_value()) << "accepted '" << s << "'";
  }
  EXPECT_FALSE(ParseInt64(std::string("1\0", 2)).has_value());
  EXPECT_FALSE(ParseInt64("0123456789012345678").has_value());  // 19 characters
  EXPECT_FALSE(ParseInt64("12345678901234567x9").has_value());
}

TEST(ParseInt64Test, RejectsOverflow) {
  EXPECT_FALSE(ParseInt64("9223372036854775808").has_value());   // INT64_MAX + 1
  EXPECT_FALSE(ParseInt64("-9223372036854775809").has_value());  // INT64_MIN - 1
  EXPECT_FALSE(ParseInt64("18446744073709551615").has_value());  // UINT64_MAX
  EXPECT_FALSE(ParseInt64("18446744073709551616").has_value());  // UINT64_MAX + 1
  EXPECT_FALSE(ParseInt64("99999999999999999999").has_value());
  EXPECT_FALSE(ParseInt64("100000000000000000000000").has_value());
}

TEST(ParseUint64Test, Range) {
  EXPECT_EQ(ParseUint64("0"), 0u);
  EXPECT_EQ(ParseUint64("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseUint64("18446744073709551616").has_value());
  EXPECT_FALSE(ParseUint64("-1").has_value());
  EXPECT_FALSE(ParseUint64("+1").has_value());
  EXPECT_FALSE(ParseUint64("01").has_value());
  EXPECT_FALSE(ParseUint64("").has_value());
}

TEST(ParseLongDoubleTest, AcceptsNumbers) {
  EXPECT_EQ(ParseLongDouble("1.5"), 1.5L);
  EXPECT_EQ(ParseLongDouble("-3"), -3.0L);
  EXPECT_EQ(ParseLongDouble("+3"), 3.0L);
  EXPECT_EQ(ParseLongDouble("0"), 0.0L);
  EXPECT_EQ(ParseLongDouble("1e3"), 1000.0L);
  EXPECT_EQ(ParseLongDouble(".5"), 0.5L);
  EXPECT_EQ(ParseLongDouble("10."), 10.0L);
  EXPECT_EQ(ParseLongDouble("0x10"), 16.0L);
  auto inf = ParseLongDouble("inf");
  ASSERT_TRUE(inf.has_value());
  EXPECT_TRUE(std::isinf(*inf));
  EXPECT_GT(*inf, 0);
}

TEST(ParseLongDoubleTest, RejectsBadText) {
  for (const char* s : {"", "nan", "NaN", "-nan", " 1", "\t1", "\n1", "1 ", "1x", "1.5.5", "abc",
                        "1e", "--1", "1e99999"}) {
    EXPECT_FALSE(ParseLongDouble(s).has_value()) << "accepted '" << s << "'";
  }
  EXPECT_FALSE(ParseLongDouble(std::string(6000, '1')).has_value());  // longer than any number
}

TEST(ParseDoubleTest, AcceptsNumbers) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("-0.25"), -0.25);
  EXPECT_EQ(ParseDouble("1e10"), 1e10);
  EXPECT_EQ(ParseDouble("+inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseDouble("-inf"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseDouble("inf"), std::numeric_limits<double>::infinity());
}

TEST(ParseDoubleTest, RejectsBadText) {
  for (const char* s :
       {"", "nan", "NAN", " 1.5", "\t1.5", "1.5 ", "1.5abc", "x", "1e999", "-1e999"}) {
    EXPECT_FALSE(ParseDouble(s).has_value()) << "accepted '" << s << "'";
  }
  // Redis's string2d requires strtod to consume every byte: an embedded NUL is garbage.
  EXPECT_FALSE(ParseDouble(std::string("1.5\0"
                                       "9",
                                       5))
                   .has_value());
}

TEST(FormatLongDoubleHumanTest, TrimsTrailingZeros) {
  EXPECT_EQ(FormatLongDoubleHuman(1.5L), "1.5");
  EXPECT_EQ(FormatLongDoubleHuman(3.0L), "3");
  EXPECT_EQ(FormatLongDoubleHuman(10.5L), "10.5");
  EXPECT_EQ(FormatLongDoubleHuman(100.0L), "100");
  EXPECT_EQ(FormatLongDoubleHuman(0.0L), "0");
  EXPECT_EQ(FormatLongDoubleHuman(-0.0L), "0");
  EXPECT_EQ(FormatLongDoubleHuman(-2.25L), "-2.25");
  EXPECT_EQ(FormatLongDoubleHuman(5.0e3L), "5000");
  // A result that rounds to zero at 17 decimals is "0", never "-0".
  EXPECT_EQ(FormatLongDoubleHuman(-1e-20L), "0");
  // INCRBYFLOAT's classic example: 10.5 + 0.1 prints as 10.6 with long double precision.
  EXPECT_EQ(FormatLongDoubleHuman(10.5L + 0.1L), "10.6");
  EXPECT_EQ(FormatLongDoubleHuman(std::numeric_limits<long double>::infinity()), "inf");
  EXPECT_EQ(FormatLongDoubleHuman(-std::numeric_limits<long double>::infinity()), "-inf");
}

TEST(FormatDoubleTest, Forms) {
  EXPECT_EQ(FormatDouble(1.5), "1.5");
  EXPECT_EQ(FormatDouble(3), "3");
  EXPECT_EQ(FormatDouble(0.1), "0.10000000000000001");
  EXPECT_EQ(FormatDouble(1e20), "1e+20");
  EXPECT_EQ(FormatDouble(-1e-5), "-1.0000000000000001e-05");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(FormatDoubleTest, IntoBufferLongestText) {
  char buf[kMaxDoubleChars];
  // The longest "%.17g" text: sign, 17 digits, point, a three-digit negative exponent.
  double v = -std::numeric_limits<double>::min();
  size_t n = FormatDouble(v, buf);
  EXPECT_EQ(std::string(buf, n), "-2.2250738585072014e-308");
  EXPECT_LT(n, kMaxDoubleChars);
  EXPECT_EQ(std::string(buf, FormatDouble(-std::numeric_limits<double>::infinity(), buf)), "-inf");
  EXPECT_EQ(std::string(buf, FormatDouble(-0.0, buf)), "-0");
}

TEST(FormatUint64Test, Extremes) {
  char buf[kMaxIntChars];
  EXPECT_EQ(std::string(buf, FormatUint64(0, buf)), "0");
  EXPECT_EQ(std::string(buf, FormatUint64(10, buf)), "10");
  EXPECT_EQ(std::string(buf, FormatUint64(UINT64_MAX, buf)), "18446744073709551615");
  EXPECT_EQ(std::string(buf, FormatUint64(uint64_t{1} << 63, buf)), "9223372036854775808");
}

TEST(FormatInt64Test, Extremes) {
  char buf[kMaxIntChars];
  EXPECT_EQ(std::string(buf, FormatInt64(0, buf)), "0");
  EXPECT_EQ(std::string(buf, FormatInt64(-1, buf)), "-1");
  EXPECT_EQ(std::string(buf, FormatInt64(INT64_MAX, buf)), "9223372036854775807");
  size_t n = FormatInt64(INT64_MIN, buf);
  EXPECT_EQ(n, 20u);
  EXPECT_EQ(std::string(buf, n), "-9223372036854775808");
  EXPECT_EQ(Int64ToString(1000000), "1000000");
  EXPECT_EQ(Int64ToString(INT64_MIN), "-9223372036854775808");
}

TEST(FormatInt64Test, RoundTripsThroughParse) {
  for (int64_t v : {INT64_MIN, INT64_MIN + 1, int64_t{-1000}, int64_t{-1}, int64_t{0}, int64_t{1},
                    int64_t{9}, int64_t{10}, int64_t{99}, int64_t{100}, INT64_MAX - 1, INT64_MAX}) {
    EXPECT_EQ(ParseInt64(Int64ToString(v)), v);
  }
}

}  // namespace
}  // namespace redwing
