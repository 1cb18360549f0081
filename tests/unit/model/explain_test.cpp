// SPDX-License-Identifier: GPL-2.0-or-later
// explain(): the steps of one node's build, with the loads left by the nodes built before it.
#include "zonelens/explain.hpp"

#include <gtest/gtest.h>

#include "topo_builder.hpp"

namespace zonelens {
namespace {

using testing::boot;
using testing::make_topology;
using testing::rules;

Topology amd_four_nodes() {
  return make_topology({{10, 12, 32, 32}, {12, 10, 32, 32}, {32, 32, 10, 12}, {32, 32, 12, 10}});
}

// 5.16 rule on the AMD matrix (derivation in era_rules_test.cpp): before node 3 is built,
// N0 wrote L1=3, L2=2; N1 wrote L0=3, L3=2; N2 wrote L3=2+3=5, L0=3+2=5. So L=[5,3,2,5].
// Node 3: position 0 local; position 1: 0: 33m+5, 1: 33m+3, 2: 13m+2 -> 2 (lower score),
// L2 += 3 -> 5; position 2: 0: 33m+5, 1: 33m+3 -> 1 (same base, lower node_load), and since
// d 32 != 12, L1 += 2 -> 5; position 3: 0 alone (d 32 == 32: no write).
TEST(Explain, WhyNodeOneBeforeNodeZeroOnNodeThree) {
  const Explanation ex = explain(amd_four_nodes(), rules(KernelEra::k516), boot(), 3);
  ASSERT_TRUE(ex.built);
  EXPECT_EQ(ex.multiplier, 4U * 1024U);
  EXPECT_EQ(ex.built_before, (std::vector<NodeId>{0, 1, 2}));
  EXPECT_EQ(ex.node_load_at_start, (std::vector<int>{5, 3, 2, 5}));
  ASSERT_EQ(ex.earlier_updates.size(), 6U);
  EXPECT_EQ(ex.earlier_updates[4].built_for, 2);
  EXPECT_EQ(ex.earlier_updates[4].node, 3);
  EXPECT_EQ(ex.earlier_updates[4].before, 2);
  EXPECT_EQ(ex.earlier_updates[4].after, 5);
  EXPECT_EQ(ex.node_order, (std::vector<NodeId>{3, 2, 1, 0}));
  ASSERT_EQ(ex.steps.size(), 4U);
  EXPECT_EQ(ex.steps[0].reason, PickReason::kLocalNode);
  EXPECT_EQ(ex.steps[1].reason, PickReason::kLowerScore);
  ASSERT_EQ(ex.steps[1].candidates.size(), 3U);
  const CandidateScore& c0 = ex.steps[1].candidates[0];
  EXPECT_EQ(c0.node, 0);
  EXPECT_EQ(c0.distance, 32);
  EXPECT_EQ(c0.below_local, 1);
  EXPECT_EQ(c0.cpu_penalty, 0);
  EXPECT_EQ(c0.base, 33);
  EXPECT_EQ(c0.node_load, 5);
  EXPECT_EQ(c0.total, (33 * 4096) + 5);
  ASSERT_TRUE(ex.steps[1].load_update);
  EXPECT_EQ(ex.steps[1].load_update->after, 5);
  EXPECT_EQ(ex.steps[2].picked, 1);
  EXPECT_EQ(ex.steps[2].reason, PickReason::kLowerNodeLoad);
  ASSERT_TRUE(ex.steps[2].runner_up);
  EXPECT_EQ(ex.steps[2].runner_up->node, 0);
  ASSERT_TRUE(ex.steps[2].load_update);
  EXPECT_EQ(ex.steps[2].load_update->before, 3);
  EXPECT_EQ(ex.steps[2].load_update->after, 5);
  EXPECT_EQ(ex.steps[2].load_counter, 2);
  EXPECT_EQ(ex.steps[3].reason, PickReason::kOnlyCandidate);
  EXPECT_FALSE(ex.steps[3].load_update);
}

// Old rule, node 2: L=[3,3,2,2] after N0 and N1. 3 wins on score (12m+2 vs 33m+3); then 0 and 1
// both 33m+3: a full tie, lowest id.
TEST(Explain, FullTieGoesToLowestId) {
  const Explanation ex = explain(amd_four_nodes(), rules(KernelEra::k414), boot(), 2);
  ASSERT_EQ(ex.steps.size(), 4U);
  EXPECT_EQ(ex.steps[1].picked, 3);
  EXPECT_EQ(ex.steps[2].picked, 0);
  EXPECT_EQ(ex.steps[2].reason, PickReason::kTieLowestId);
  EXPECT_EQ(ex.steps[2].winner->total, ex.steps[2].runner_up->total);
}

TEST(Explain, NodeNotBuilt) {
  Topology t = amd_four_nodes();
  t.nodes[1].online = false;  // 5.16 builds online nodes only
  const Explanation ex = explain(t, rules(KernelEra::k516), boot(), 1);
  EXPECT_FALSE(ex.built);
  EXPECT_TRUE(ex.steps.empty());
}

}  // namespace
}  // namespace zonelens
