// SPDX-License-Identifier: GPL-2.0-or-later
// Choosing the rebuild context from the event log, and comparing lists.
#include "zonelens/verify.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"
#include "zonelens/sources.hpp"

namespace zonelens {
namespace {

using test::fixture;

TEST(Contexts, GenerationZeroTriesBootThenRuntime) {
  const ModuleState m = read_module(fixture("roots/four-node-boot"));
  const auto c = candidate_contexts(m.snapshot, m.events);
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c[0].context.kind, RebuildKind::kBoot);
  EXPECT_EQ(c[1].context.kind, RebuildKind::kRuntime);
  EXPECT_TRUE(c[1].context.nodes_with_cpus.empty());  // current masks
  EXPECT_NE(c[0].reason.find("predate"), std::string::npos);
}

TEST(Contexts, MemoryEventGivesRuntimeWithItsMasks) {
  const ModuleState m = read_module(fixture("roots/four-node-runtime"));
  const auto c = candidate_contexts(m.snapshot, m.events);
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].context.kind, RebuildKind::kRuntime);
  EXPECT_EQ(c[0].context.nodes_with_cpus, (std::vector<bool>{true, true, false, true}));
  EXPECT_FALSE(c[0].context.still_in_memory);
  EXPECT_NE(c[0].reason.find("event 3 (mem_online nid 2)"), std::string::npos) << c[0].reason;
}

TEST(Contexts, MemOfflineKeepsTheNodeForOldKernels) {
  ModuleState m = read_module(fixture("roots/four-node-runtime"));
  m.events.events.back().type = EventType::kMemOffline;
  const auto c = candidate_contexts(m.snapshot, m.events);
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].context.still_in_memory, 2);
}

TEST(Contexts, LostEventTriesRuntimeThenBoot) {
  ModuleState m = read_module(fixture("roots/four-node-runtime"));
  m.events.events.pop_back();
  m.events.dropped = 1;
  const auto c = candidate_contexts(m.snapshot, m.events);
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c[0].context.kind, RebuildKind::kRuntime);
  EXPECT_EQ(c[1].context.kind, RebuildKind::kBoot);
  EXPECT_NE(c[0].reason.find("left the event log"), std::string::npos);
}

TEST(Contexts, FpChangeTriesThreeContexts) {
  ModuleState m = read_module(fixture("roots/four-node-runtime"));
  auto& e = m.events.events.back();
  e.type = EventType::kFpChange;
  e.at = "read";
  e.nid.reset();
  const auto c = candidate_contexts(m.snapshot, m.events);
  ASSERT_EQ(c.size(), 3U);
  EXPECT_FALSE(c[0].context.nodes_with_cpus.empty());
  EXPECT_TRUE(c[1].context.nodes_with_cpus.empty());
  EXPECT_EQ(c[2].context.kind, RebuildKind::kBoot);
}

NodeZonelists lists(NodeId n, Zonelist fb, Zonelist nofb) {
  NodeZonelists z;
  z.node = n;
  z.fallback = std::move(fb);
  z.nofallback = std::move(nofb);
  return z;
}

TEST(Compare, MatchAndFirstDifference) {
  const LiveZonelists live = {lists(0, {{0, 2}, {1, 2}, {2, 2}}, {{0, 2}}),
                              lists(1, {{1, 2}, {0, 2}}, {{1, 2}})};
  const std::vector<NodeZonelists> pred = {lists(0, {{0, 2}, {2, 2}, {1, 2}}, {{0, 2}}),
                                           lists(1, {{1, 2}, {0, 2}}, {{1, 2}})};
  const auto v = compare_zonelists(live, pred);
  ASSERT_EQ(v.size(), 2U);
  ASSERT_FALSE(v[0].match());
  EXPECT_EQ(v[0].difference->list, ListKind::kFallback);
  EXPECT_EQ(v[0].difference->position, 1U);
  EXPECT_EQ(v[0].difference->live, (ZoneRef{1, 2}));
  EXPECT_EQ(v[0].difference->predicted, (ZoneRef{2, 2}));
  EXPECT_TRUE(v[1].match());
  EXPECT_FALSE(all_match(v));
}

TEST(Compare, ShorterSideAndMissingNodes) {
  const LiveZonelists live = {lists(0, {{0, 2}}, {{0, 2}}), lists(3, {}, {})};
  const std::vector<NodeZonelists> pred = {lists(0, {{0, 2}, {1, 2}}, {{0, 2}})};
  const auto v = compare_zonelists(live, pred);
  ASSERT_EQ(v.size(), 2U);
  EXPECT_EQ(v[0].difference->position, 1U);
  EXPECT_FALSE(v[0].difference->live);
  EXPECT_EQ(v[0].difference->predicted, (ZoneRef{1, 2}));
  EXPECT_TRUE(v[1].match());  // node 3: empty lists on both sides
}

TEST(Compare, NofallbackDifference) {
  const auto v = compare_zonelists({lists(0, {{0, 2}}, {{0, 2}})}, {lists(0, {{0, 2}}, {})});
  EXPECT_EQ(v[0].difference->list, ListKind::kNofallback);
  EXPECT_EQ(v[0].difference->position, 0U);
}

}  // namespace
}  // namespace zonelens
