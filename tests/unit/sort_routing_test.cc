// SORT's routing (server/commands/sort_command.cc): which keys it declares, and when it must hold
// every shard instead (BY/GET patterns reach keys on any shard; a STORE destination that Redis's
// sortGetKeys would not report). An invocation whose keys were under-declared would read or write
// a shard it does not hold, which no reply shows, so the predicate is tested here directly.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/command_registry.h"

namespace redwing {
namespace {

bool HoldsAll(std::vector<std::string_view> args) {
  const CommandSpec* spec = CommandRegistry::Get().Find(args[0]);
  EXPECT_NE(spec, nullptr);
  return spec != nullptr && spec->HoldsAllShards(args);
}

std::vector<std::string_view> Keys(std::vector<std::string_view> args) {
  const CommandSpec* spec = CommandRegistry::Get().Find(args[0]);
  std::vector<int> idx;
  EXPECT_TRUE(spec->FindKeys(args, &idx));
  std::vector<std::string_view> out;
  for (int i : idx)
    out.push_back(args[static_cast<size_t>(i)]);
  return out;
}

TEST(SortRoutingTest, PatternsNeedEveryShard) {
  EXPECT_FALSE(HoldsAll({"sort", "k"}));
  EXPECT_FALSE(HoldsAll({"sort", "k", "desc", "alpha", "limit", "0", "10"}));
  EXPECT_FALSE(HoldsAll({"sort", "k", "by", "nosort"}));
  EXPECT_FALSE(HoldsAll({"sort", "k", "get", "#", "get", "nostar"}));
  EXPECT_FALSE(HoldsAll({"sort", "k", "store", "d"}));
  EXPECT_TRUE(HoldsAll({"sort", "k", "by", "w_*"}));
  EXPECT_TRUE(HoldsAll({"SORT", "k", "BY", "h_*->f", "STORE", "d"}));
  EXPECT_TRUE(HoldsAll({"sort", "k", "by", "nosort", "get", "#", "get", "w_*"}));
  EXPECT_TRUE(HoldsAll({"sort", "k", "get", "h_*->f"}));
  EXPECT_TRUE(HoldsAll({"sort_ro", "k", "by", "w_*"}));
  EXPECT_TRUE(HoldsAll({"sort_ro", "k", "get", "w_*"}));
  EXPECT_FALSE(HoldsAll({"sort_ro", "k", "by", "nosort", "get", "#"}));
  // A malformed invocation replies an error and touches nothing.
  EXPECT_FALSE(HoldsAll({"sort", "k", "by", "w_*", "bogus"}));
  EXPECT_FALSE(HoldsAll({"sort", "k", "get", "w_*", "limit", "x", "1"}));
  EXPECT_FALSE(HoldsAll({"sort_ro", "k", "get", "w_*", "store", "d"}));
}

TEST(SortRoutingTest, DeclaredKeysCoverTheDestination) {
  EXPECT_EQ(Keys({"sort", "k"}), (std::vector<std::string_view>{"k"}));
  EXPECT_EQ(Keys({"sort", "k", "store", "a", "limit", "0", "1", "store", "b"}),
            (std::vector<std::string_view>{"k", "b"}));
  EXPECT_EQ(Keys({"sort", "k", "get", "store", "by", "store"}),
            (std::vector<std::string_view>{"k"}));
  EXPECT_EQ(Keys({"sort_ro", "k", "store", "d"}), (std::vector<std::string_view>{"k"}));
  // As Redis's sortGetKeys, "STORE by" hides the next STORE: the command stores to "d", which is
  // not declared, so it holds every shard.
  EXPECT_EQ(Keys({"sort", "k", "store", "by", "store", "d"}),
            (std::vector<std::string_view>{"k", "by"}));
  EXPECT_TRUE(HoldsAll({"sort", "k", "store", "by", "store", "d"}));
  EXPECT_FALSE(HoldsAll({"sort", "k", "store", "get"}));
  EXPECT_FALSE(HoldsAll({"sort", "k", "store", "limit"}));
}

}  // namespace
}  // namespace redwing
