// SPDX-License-Identifier: GPL-2.0-or-later
// Release string -> era and zone predicate.
#include <gtest/gtest.h>

#include "zonelens/model.hpp"

namespace zonelens {
namespace {

EraRules r(std::string_view release) {
  const auto rules = rules_for_release(release);
  EXPECT_TRUE(rules.has_value()) << release;
  return rules.value_or(EraRules{});
}

TEST(ParseRelease, DebianUbuntuAndPlain) {
  const auto v = parse_kernel_release("6.12.117+deb12-amd64");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major, 6);
  EXPECT_EQ(v->minor, 12);
  EXPECT_EQ(v->patch, 117);
  const auto u = parse_kernel_release("5.15.0-91-generic");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->patch, 0);
  const auto rc = parse_kernel_release("6.7-rc1");
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->minor, 7);
  EXPECT_EQ(rc->patch, 0);
  EXPECT_FALSE(parse_kernel_release("linux"));
  EXPECT_FALSE(parse_kernel_release("6"));
  EXPECT_FALSE(parse_kernel_release("6."));
  EXPECT_FALSE(parse_kernel_release(""));
}

TEST(Era, Boundaries) {
  EXPECT_EQ(r("4.9.88").era, KernelEra::kPre414);
  EXPECT_EQ(r("4.13.16").era, KernelEra::kPre414);
  EXPECT_EQ(r("4.14.0").era, KernelEra::k414);
  EXPECT_EQ(r("5.15.100").era, KernelEra::k414);
  EXPECT_EQ(r("5.16.0").era, KernelEra::k516);
  EXPECT_EQ(r("5.17.15").era, KernelEra::k516);
  EXPECT_EQ(r("5.18.19").era, KernelEra::k518);
  EXPECT_EQ(r("5.19.0").era, KernelEra::k519);
  EXPECT_EQ(r("6.1.192").era, KernelEra::k519);
  EXPECT_EQ(r("6.6.60").era, KernelEra::k519);
  EXPECT_EQ(r("6.7.0").era, KernelEra::k607);
  EXPECT_EQ(r("6.12.117+deb12-amd64").era, KernelEra::k607);
  EXPECT_EQ(r("7.0.0").era, KernelEra::k607);
}

TEST(ZonePredicateByRelease, MainlineAndStableCutoffs) {
  constexpr auto kP = ZonePredicate::kPopulated;
  constexpr auto kM = ZonePredicate::kManaged;
  EXPECT_EQ(r("4.7.10").zone_predicate, kP);  // before 6aa303defb74
  EXPECT_EQ(r("4.8.0").zone_predicate, kM);   // 6aa303defb74
  EXPECT_EQ(r("4.9.310").zone_predicate, kM);
  EXPECT_EQ(r("4.9.311").zone_predicate, kP);  // stable backport of e553f62f10d9
  EXPECT_EQ(r("4.13.0").zone_predicate, kM);
  EXPECT_EQ(r("4.14.275").zone_predicate, kM);
  EXPECT_EQ(r("4.14.276").zone_predicate, kP);
  EXPECT_EQ(r("4.19.238").zone_predicate, kM);
  EXPECT_EQ(r("4.19.239").zone_predicate, kP);
  EXPECT_EQ(r("5.4.189").zone_predicate, kM);
  EXPECT_EQ(r("5.4.190").zone_predicate, kP);
  EXPECT_EQ(r("5.10.111").zone_predicate, kM);
  EXPECT_EQ(r("5.10.112").zone_predicate, kP);
  EXPECT_EQ(r("5.15.34").zone_predicate, kM);
  EXPECT_EQ(r("5.15.35").zone_predicate, kP);
  EXPECT_EQ(r("5.16.20").zone_predicate, kM);
  EXPECT_EQ(r("5.17.0").zone_predicate, kM);
  EXPECT_EQ(r("5.18.0").zone_predicate, kP);  // e553f62f10d9 is in 5.18-rc2
  EXPECT_EQ(r("6.1.0").zone_predicate, kP);
  EXPECT_EQ(r("5.11.300").zone_predicate, kM);  // a series with no backport
}

TEST(EraNames, RoundTrip) {
  for (const auto era : {KernelEra::kPre414, KernelEra::k414, KernelEra::k516, KernelEra::k518,
                         KernelEra::k519, KernelEra::k607}) {
    EXPECT_EQ(parse_era_name(era_name(era)), era);
  }
  EXPECT_EQ(parse_era_name("k519"), KernelEra::k519);
  EXPECT_FALSE(parse_era_name("5.x"));
  EXPECT_EQ(zone_predicate_name(ZonePredicate::kManaged), "managed");
}

}  // namespace
}  // namespace zonelens
