// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/idlist.hpp"

#include <gtest/gtest.h>

#include "zonelens/topology.hpp"

namespace zonelens {
namespace {

TEST(IdList, ParsesKernelSyntax) {
  EXPECT_EQ(parse_id_list("0-3,8,10-11\n", kMaxNumnodes),
            (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(parse_id_list("5", kMaxNumnodes), (std::vector<int>{5}));
  EXPECT_EQ(parse_id_list("1023", kMaxNumnodes), (std::vector<int>{1023}));
}

TEST(IdList, EmptyForms) {
  EXPECT_EQ(parse_id_list("", kMaxNumnodes), std::vector<int>{});
  EXPECT_EQ(parse_id_list("\n", kMaxNumnodes), std::vector<int>{});
  EXPECT_EQ(parse_id_list("-", kMaxNumnodes), std::vector<int>{});
}

TEST(IdList, IdsBeyondTheRunningMachine) {
  // Why this parser exists: libnuma's parsers refuse ids the host does not have.
  const auto ids = parse_id_list("0-1023", kMaxNumnodes);
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->size(), 1024U);
  EXPECT_EQ(ids->back(), 1023);
}

TEST(IdList, LimitIsExclusive) {
  EXPECT_EQ(parse_id_list("0-3", 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_FALSE(parse_id_list("0-4", 4));
  EXPECT_FALSE(parse_id_list("8191,8192", kMaxCpus));
}

TEST(IdList, UnorderedInputIsNormalized) {
  EXPECT_EQ(parse_id_list("8,0-2,1", kMaxNumnodes), (std::vector<int>{0, 1, 2, 8}));
}

TEST(IdList, RefusesMalformed) {
  for (const char* bad : {"a", "1-", "-1", "3-1", "1,,2", "1,", ",1", "1 2", "0x1", "1-2-3",
                          "99999999999", "1048576", "1024", "0-1000000"}) {
    EXPECT_FALSE(parse_id_list(bad, kMaxNumnodes)) << bad;
  }
}

TEST(IdList, FormatsRanges) {
  EXPECT_EQ(format_id_list({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
  EXPECT_EQ(format_id_list({}), "-");
  EXPECT_EQ(format_id_list({7}), "7");
  const auto round = parse_id_list(format_id_list({1, 3, 4, 5, 9}), kMaxNumnodes);
  EXPECT_EQ(round, (std::vector<int>{1, 3, 4, 5, 9}));
}

}  // namespace
}  // namespace zonelens
