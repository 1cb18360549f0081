// SPDX-License-Identifier: GPL-2.0-or-later
// Every era rule and rebuild context, on small topologies whose expected orders are derived by
// hand in the comments (d = distance part of the score, m = multiplier, L[] = node_load[]).
#include <gtest/gtest.h>

#include <climits>

#include "reference_model.hpp"
#include "topo_builder.hpp"

namespace zonelens {
namespace {

using testing::all_remote;
using testing::boot;
using testing::built;
using testing::make_topology;
using testing::order_of;
using testing::orders;
using testing::rules;
using testing::runtime;
using Orders = std::vector<std::vector<NodeId>>;

// Checks the fast model, and the reference transcription, against the hand-derived orders.
void expect_orders(const Topology& t, const EraRules& r, const RebuildContext& c,
                   const Orders& expected) {
  EXPECT_EQ(orders(predict(t, r, c)), expected) << era_name(r.era);
  EXPECT_EQ(orders(reference::reference_predict(t, r, c)), expected) << era_name(r.era);
}

// The AMD 4-node matrix from 54d032ced983 ("mm/page_alloc: use accumulated load when building
// node fallback list", Bharata B Rao, lore 20210830121603.1081-3-bharata@amd.com).
Topology amd_four_nodes() {
  return make_topology({{10, 12, 32, 32}, {12, 10, 32, 32}, {32, 32, 10, 12}, {32, 32, 12, 10}});
}

// Old rule (node_load[n] = load), 4 online nodes: m = 4*1024 = 4096, load starts at 4.
//  N0: 0 (load 4->3); 1: 12m beats 32m -> 1, d 12 != 10: L1=3 (load->2); 2,3 tie 32m -> 2,
//      d 32 != 12: L2=2; 3.                                   -> 0 1 2 3, L=[0,3,2,0]
//  N1: 1; 0: 13m wins -> L0=3; 2: 32m+2 vs 3: 32m+0 -> 3, L3=2; 2.    -> 1 0 3 2, L=[3,3,2,2]
//  N2: 2; 3: 12m+2 -> 3, L3=3; 0: 33m+3 vs 1: 33m+3 tie -> 0, L0=2; 1. -> 2 3 0 1, L=[2,3,2,3]
//  N3: 3; 2: 13m+2 -> 2, L2=3; 0: 33m+2 vs 1: 33m+3 -> 0; 1.          -> 3 2 0 1
// The patch quotes exactly this table, "3 2 0 1 <-- Unexpected fallback order".
TEST(PublishedExample, AmdFourNodeOldRule) {
  const Orders expected{{0, 1, 2, 3}, {1, 0, 3, 2}, {2, 3, 0, 1}, {3, 2, 0, 1}};
  expect_orders(amd_four_nodes(), rules(KernelEra::k414), boot(), expected);
  expect_orders(amd_four_nodes(), rules(KernelEra::kPre414), boot(), expected);
}

// New rule (node_load[n] += load), same m and load counter:
//  N0, N1 as above (every write lands on a zero load): L=[3,3,2,2] after N1.
//  N2: 3 wins (12m+2), L3 += 3 -> 5 (load 3->2); 0: 33m+3 vs 1: 33m+3 -> 0, L0 += 2 -> 5.
//      -> 2 3 0 1, L=[5,3,2,5]
//  N3: 2 wins (13m+2), L2 += 3 -> 5; 0: 33m+5 vs 1: 33m+3 -> 1; 0.   -> 3 2 1 0
// The patch's expected table: "3 2 1 0".
TEST(PublishedExample, AmdFourNodeAccumulatedLoad) {
  const Orders expected{{0, 1, 2, 3}, {1, 0, 3, 2}, {2, 3, 0, 1}, {3, 2, 1, 0}};
  expect_orders(amd_four_nodes(), rules(KernelEra::k516), boot(), expected);
  expect_orders(amd_four_nodes(), rules(KernelEra::k518), boot(), expected);
}

// +1 rule, m = 1024:
//  N0: 0; 1 (12m) L1=1; 2 (tie with 3, lowest id) L2=1; 3.          L=[0,1,1,0]
//  N1: 1; 0 (13m) L0=1; 3 (32m+0 < 32m+1) L3=1; 2.                  L=[1,1,1,1]
//  N2: 2; 3 (13m+1) L3=2; 0 vs 1: 33m+1 both -> 0, L0=2; 1.          L=[2,1,1,2]
//  N3: 3; 2 (13m+1) L2=2; 0: 33m+2 vs 1: 33m+1 -> 1; 0.             -> 3 2 1 0
TEST(PublishedExample, AmdFourNodePlusOne) {
  const Orders expected{{0, 1, 2, 3}, {1, 0, 3, 2}, {2, 3, 0, 1}, {3, 2, 1, 0}};
  expect_orders(amd_four_nodes(), rules(KernelEra::k519), boot(), expected);
  expect_orders(amd_four_nodes(), rules(KernelEra::k607), boot(), expected);
}

// QEMU run of the notes, section 8: 3 nodes, every remote distance 20; node 0 has DMA + DMA32,
// nodes 1 and 2 DMA32 only.
Topology qemu_three_nodes() {
  Topology t = all_remote(3);
  t.nodes[0].zones = {testing::zone(testing::kDma, 3998, 3840),
                      testing::zone(testing::kDma32, 126976, 120000)};
  t.nodes[1].zones = {testing::zone(testing::kDma32, 131072, 128000)};
  t.nodes[2].zones = {testing::zone(testing::kDma32, 131072, 128000)};
  t.nodes[0].cpus = {0, 1};
  t.nodes[1].cpus = {2, 3};
  return t;
}

// Boot: no node has CPUs yet. m = 1024.
//  N0: 0; 1 and 2 both 20m -> 1, L1=1; 2.                    -> 0 1 2
//  N1: 1; 0: 21m (below local), 2: 20m -> 2, L2=1; 0.        -> 1 2 0
//  N2: 2; 0: 21m+0, 1: 21m+1 -> 0, L0=1; 1.                  -> 2 0 1
TEST(QemuObservation, BootHasNoCpuPenalty) {
  const Orders expected{{0, 1, 2}, {1, 2, 0}, {2, 0, 1}};
  for (const auto era : {KernelEra::k519, KernelEra::k607}) {
    expect_orders(qemu_three_nodes(), rules(era), boot(), expected);
  }
  // The mminit::zonelist lines of the run (DMA32 "general" lists).
  const Prediction p = predict(qemu_three_nodes(), rules(KernelEra::k607), boot());
  std::vector<std::string> names;
  for (const auto& z : p.nodes[0].fallback) {
    names.push_back(zoneref_name(qemu_three_nodes(), z));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"0:DMA32", "0:DMA", "1:DMA32", "2:DMA32"}));
  names.clear();
  for (const auto& z : p.nodes[2].fallback) {
    names.push_back(zoneref_name(qemu_three_nodes(), z));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"2:DMA32", "0:DMA32", "0:DMA", "1:DMA32"}));
  EXPECT_EQ(p.nodes[0].nofallback,
            (Zonelist{{.node = 0, .zone_index = 1}, {.node = 0, .zone_index = 0}}));
}

// Boot on pseries: mem_topology_setup() has put every present CPU in its node's mask, so the boot
// build penalises nodes 0 and 1 as the runtime one does (same orders as the runtime test below).
// On arm64 the masks are empty at boot, as on x86.
TEST(ArchBootMasks, PowerPenalisesCpuNodesAtBoot) {
  EraRules ppc = rules(KernelEra::k519);
  ppc.arch = Arch::kPpc64;
  expect_orders(qemu_three_nodes(), ppc, boot(), {{0, 2, 1}, {1, 2, 0}, {2, 0, 1}});
  EraRules arm = rules(KernelEra::k519);
  arm.arch = Arch::kArm64;
  expect_orders(qemu_three_nodes(), arm, boot(), {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}});
}

// The issue's pseries boot of Debian's 6.1: 3 nodes, one CPU on node 0, distances 0-1 30,
// 0-2 20, 1-2 20; the kernel printed "general 2:Normal = 2:Normal 1:Normal 0:Normal".
//  N2: 2; 0: (20+1+1)m (below local, CPU), 1: (20+1)m -> 1, L1=1; 0.  -> 2 1 0 (x86: 2 0 1)
TEST(ArchBootMasks, PseriesIssueExample) {
  Topology t = make_topology({{10, 30, 20}, {30, 10, 20}, {20, 20, 10}});
  t.nodes[0].cpus = {0};
  EraRules ppc = rules(KernelEra::k519);
  ppc.arch = Arch::kPpc64;
  EXPECT_EQ(order_of(predict(t, ppc, boot()), 2), (std::vector<NodeId>{2, 1, 0}));
  EXPECT_EQ(order_of(predict(t, rules(KernelEra::k519), boot()), 2),
            (std::vector<NodeId>{2, 0, 1}));
}

// Runtime, CPUs on nodes 0 and 1 (the topology's masks).
//  N0: 0; 1: (20+0+1)m = 21m, 2: 20m -> 2, L2=1; 1 (same distance, no write). -> 0 2 1
//  N1: 1; 0: (20+1+1)m = 22m, 2: 20m+1 -> 2, L2=2; 0.                          -> 1 2 0
//  N2: 2; 0: 22m+0, 1: 22m+0 -> 0 (lowest id), L0=1; 1.                        -> 2 0 1
TEST(QemuObservation, RuntimeWithCpusOnNodes0And1) {
  expect_orders(qemu_three_nodes(), rules(KernelEra::k519), runtime(),
                {{0, 2, 1}, {1, 2, 0}, {2, 0, 1}});
}

// Runtime after node 1's CPUs went offline: only node 0 has CPUs.
//  N0: 0; 1: 20m, 2: 20m -> 1, L1=1; 2.                     -> 0 1 2
//  N1: 1; 0: 22m, 2: 20m -> 2, L2=1; 0.                     -> 1 2 0
//  N2: 2; 0: 22m, 1: 21m+1 -> 1, L1=2; 0.                   -> 2 1 0
TEST(QemuObservation, RuntimeAfterNode1CpusOffline) {
  const Orders expected{{0, 1, 2}, {1, 2, 0}, {2, 1, 0}};
  expect_orders(qemu_three_nodes(), rules(KernelEra::k607), runtime({true, false, false}),
                expected);
  Topology t = qemu_three_nodes();
  t.nodes[1].cpus.clear();
  expect_orders(t, rules(KernelEra::k607), runtime(), expected);
}

// Node 1 is online but memoryless; 3 nodes, remote distance 20, boot, m = 1024.
// 6.1 (5.19-6.6): the local node is returned first even without memory.
//  N0: 0; candidates {2} -> 2, L2=1.                         -> 0 2
//  N1: 1; 0: 21m+0, 2: 20m+1 -> 2, L2=2; 0.                  -> 1 2 0
//  N2: 2; 0: 21m -> 0.                                       -> 2 0
// 6.7+: N1 skips itself; prev_node is still node 1 (d 10), so 2 (d 20) takes a write. -> 2 0
TEST(MemorylessLocal, SixOneKeepsItSixSevenSkipsIt) {
  Topology t = all_remote(3);
  t.nodes[1].memory = false;
  t.nodes[1].zones.clear();
  expect_orders(t, rules(KernelEra::k519), boot(), {{0, 2}, {1, 2, 0}, {2, 0}});
  expect_orders(t, rules(KernelEra::k607), boot(), {{0, 2}, {2, 0}, {2, 0}});
  // The zonerefs are the same either way: node 1 has none.
  EXPECT_EQ(predict(t, rules(KernelEra::k519), boot()).nodes[1].fallback,
            predict(t, rules(KernelEra::k607), boot()).nodes[1].fallback);
}

// Zone 0 present but not managed (e.g. all reserved): left out only under managed_zone().
TEST(ZonePredicateRule, ManagedVersusPopulated) {
  Topology t = all_remote(2);
  t.nodes[1].zones = {testing::zone(testing::kDma32, 4096, 0),
                      testing::zone(testing::kNormal, 1000, 1000)};
  const auto managed = predict(t, rules(KernelEra::k414, ZonePredicate::kManaged), boot());
  const auto populated = predict(t, rules(KernelEra::k414, ZonePredicate::kPopulated), boot());
  // Node 0: order 0 1; node 0 has Normal only; node 1 Normal (+ DMA32 when populated counts).
  EXPECT_EQ(managed.nodes[0].fallback, (Zonelist{{0, 2}, {1, 2}}));
  EXPECT_EQ(populated.nodes[0].fallback, (Zonelist{{0, 2}, {1, 2}, {1, 1}}));
  EXPECT_EQ(managed.nodes[1].nofallback, (Zonelist{{1, 2}}));
  EXPECT_EQ(populated.nodes[1].nofallback, (Zonelist{{1, 2}, {1, 1}}));
  // Releases on either side of the 5.15.35 backport.
  EXPECT_EQ(predict(t, rules_for(*parse_kernel_release("5.15.34")), boot()).nodes[0].fallback,
            managed.nodes[0].fallback);
  EXPECT_EQ(predict(t, rules_for(*parse_kernel_release("5.15.35")), boot()).nodes[0].fallback,
            populated.nodes[0].fallback);
}

// Memory nodes 0,1,2 with d(0,1) = 15, the rest 20; node 3 is hot-added (no memory), 5.19+ rule.
Topology hot_add_topology() {
  Topology t =
      make_topology({{10, 15, 20, 20}, {15, 10, 20, 20}, {20, 20, 10, 20}, {20, 20, 20, 10}});
  t.nodes[3].online = false;
  t.nodes[3].memory = false;
  t.nodes[3].zones.clear();
  return t;
}

// Self-only: L zeroed, only node 3: 0,1,2 all (20+1)m+0 -> 0, L0=1; 1; 2.   -> 3 0 1 2
// A full 5.19+ pass instead builds 0..3 with one L[]:
//  N0: 0; 1 (15m) L1=1; 2 (20 != 15) L2=1; 3 has no memory.     L=[0,1,1]
//  N1: 1; 0: 16m, 2: 20m+1 -> 0, L0=1; 2 (20 != 16) L2=2.       L=[1,1,2]
//  N2: 2; 0: 21m+1, 1: 21m+1 -> 0, L0=2; 1.                     L=[2,1,2]
//  N3: 3; 0: 21m+2, 1: 21m+1, 2: 21m+2 -> 1, L1=2; 0 (21m+2) before 2 (21m+2) by id. -> 3 1 0 2
TEST(SelfOnly, HotAddedNodeBuildsAloneWithZeroLoads) {
  const Topology t = hot_add_topology();
  RebuildContext ctx = runtime();
  ctx.self_only = 3;
  const auto p = predict(t, rules(KernelEra::k519), ctx);
  EXPECT_EQ(built(p), (std::vector<NodeId>{3}));
  EXPECT_EQ(order_of(p, 3), (std::vector<NodeId>{3, 0, 1, 2}));
  EXPECT_EQ(reference::reference_predict(t, rules(KernelEra::k519), ctx).nodes[0].node_order,
            (std::vector<NodeId>{3, 0, 1, 2}));
  const auto full = predict(t, rules(KernelEra::k519), runtime());
  EXPECT_EQ(built(full), (std::vector<NodeId>{0, 1, 2, 3}));
  EXPECT_EQ(order_of(full, 3), (std::vector<NodeId>{3, 1, 0, 2}));
}

// <= 4.13 builds self first and then every online node, sharing L[]. 3 online nodes:
// m = 3*1024, load starts at 3.
//  N3 (self): 3 (load->2); 0,1,2 all 21m -> 0, L0=2 (load->1); 1; 2.        -> 3 0 1 2
//  N0: 0; 1 (15m) L1=2; 2 (20 != 15) L2=1.                                   -> 0 1 2
//  N1: 1; 0: 16m+2, 2: 20m+1 -> 0, L0=2; 2, L2=1.                            -> 1 0 2
//  N2: 2; 0: 21m+2, 1: 21m+2 -> 0; 1.                                        -> 2 0 1
TEST(SelfOnly, Pre414AlsoBuildsOnlineNodes) {
  RebuildContext ctx = runtime();
  ctx.self_only = 3;
  const auto p = predict(hot_add_topology(), rules(KernelEra::kPre414), ctx);
  EXPECT_EQ(built(p), (std::vector<NodeId>{0, 1, 2, 3}));
  EXPECT_EQ(orders(p), (Orders{{0, 1, 2}, {1, 0, 2}, {2, 0, 1}, {3, 0, 1, 2}}));
  // 4.14 (c9bff3eebc09 era): self only.
  EXPECT_EQ(built(predict(hot_add_topology(), rules(KernelEra::k414), ctx)),
            (std::vector<NodeId>{3}));
}

// Node 1's last memory just went offline (memory=false now). m = 1024, no CPUs, 5.19+ rule.
// Distances: d0 = [10 30 30 20], d1 = [30 10 20 20], d2 = [30 20 10 20], d3 = [20 20 20 10].
// (Only a change of *distance* from the previous pick writes node_load; the +1 below-local
// penalty is in the score, not in the distance.)
// Pre-6.7 live lists (node 1 still a candidate during the rebuild):
//  N0: 0; 1: 30m, 2: 30m, 3: 20m -> 3, L3=1; 1 (tie with 2, lowest id; 30 != 20) L1=1; 2.
//                                                                  -> 0 3 1 2, L=[0,1,0,1]
//  N1: 1; 0: 31m, 2: 20m+0, 3: 20m+1 -> 2, L2=1; 3; 0 (30 != 20) L0=1. -> 1 2 3 0, L=[1,1,1,1]
//  N2: 2; 0: 31m+1, 1: 21m+1, 3: 20m+1 -> 3, L3=2; 1 (d 20, no write); 0, L0=2.
//                                                                  -> 2 3 1 0, L=[2,1,1,2]
//  N3: 3; 0: 21m+2, 1: 21m+1, 2: 21m+1 -> 1, L1=2; 2; 0.           -> 3 1 2 0
// A fresh computation (node 1 not in N_MEMORY; pre-6.7 node 1 still comes first in its own list):
//  N0: 0; 2: 30m, 3: 20m -> 3, L3=1; 2, L2=1.                       -> 0 3 2
//  N1: 1; 0: 31m, 2: 20m+1, 3: 20m+1 -> 2 (lowest id), L2=2; 3; 0, L0=1. -> 1 2 3 0
//  N2: 2; 0: 31m+1, 3: 20m+1 -> 3, L3=2; 0, L0=2.                   -> 2 3 0
//  N3: 3; 0: 21m+2, 2: 21m+2 -> 0 (lowest id); 2.                   -> 3 0 2
// So node 3 allocates from node 2 before node 0 until the next rebuild (3 2 0 against 3 0 2).
// 6.7+ clears N_MEMORY first (the context is moot) and skips the memoryless local node 1:
//  N1: 0: 31m, 2: 20m+1, 3: 20m+1 -> 2 (d 20 != d(1,1) 10: L2=2); 3; 0.  -> 2 3 0; rest as fresh.
TEST(OfflineOrdering, Pre67KeepsTheNodeAsCandidate) {
  Topology t =
      make_topology({{10, 30, 30, 20}, {30, 10, 20, 20}, {30, 20, 10, 20}, {20, 20, 20, 10}});
  t.nodes[1].memory = false;
  t.nodes[1].zones.clear();
  RebuildContext ctx = runtime();
  ctx.still_in_memory = 1;
  expect_orders(t, rules(KernelEra::k519), ctx,
                {{0, 3, 1, 2}, {1, 2, 3, 0}, {2, 3, 1, 0}, {3, 1, 2, 0}});
  expect_orders(t, rules(KernelEra::k519), runtime(),
                {{0, 3, 2}, {1, 2, 3, 0}, {2, 3, 0}, {3, 0, 2}});
  expect_orders(t, rules(KernelEra::k607), ctx, {{0, 3, 2}, {2, 3, 0}, {2, 3, 0}, {3, 0, 2}});
  const auto live = predict(t, rules(KernelEra::k519), ctx);
  EXPECT_EQ(live.nodes[3].fallback, (Zonelist{{3, 2}, {2, 2}, {0, 2}}));
  const auto fresh = predict(t, rules(KernelEra::k519), runtime());
  EXPECT_EQ(fresh.nodes[3].fallback, (Zonelist{{3, 2}, {0, 2}, {2, 2}}));
}

// 4 possible nodes, node 0 possible but offline and memoryless; 1..3 online with memory, all 20.
// 5.16/5.17 build online nodes only; 5.18 builds node 0 too (for_each_node), local first:
//  m = 3*1024, load 3. N0: 0 (load->2); 1,2,3 all 20m -> 1, L1 += 2; 2; 3.  -> 0 1 2 3
TEST(NodeSet, FiveEighteenBuildsPossibleNodes) {
  Topology t = all_remote(4);
  t.nodes[0].online = false;
  t.nodes[0].memory = false;
  t.nodes[0].zones.clear();
  EXPECT_EQ(built(predict(t, rules(KernelEra::k516), boot())), (std::vector<NodeId>{1, 2, 3}));
  const auto p518 = predict(t, rules(KernelEra::k518), boot());
  EXPECT_EQ(built(p518), (std::vector<NodeId>{0, 1, 2, 3}));
  EXPECT_EQ(order_of(p518, 0), (std::vector<NodeId>{0, 1, 2, 3}));
  // A possible node without a pgdat is skipped.
  t.nodes[0].has_pgdat = false;
  EXPECT_EQ(built(predict(t, rules(KernelEra::k607), boot())), (std::vector<NodeId>{1, 2, 3}));
}

// The load counter goes down after every pick, the local one included. 5 nodes on a line,
// d(i,j) = 10 + 5|i-j| (distinct distances, so every pick is a new distance group):
// 4.14 rule, m = 5*1024, load starts at 5. N0: 0 (load->4); 1 L1=4; 2 L2=3; 3 L3=2; 4 L4=1.
TEST(LoadCounter, DecrementsAfterEveryPick) {
  std::vector<std::vector<int>> d(5, std::vector<int>(5));
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = 10 + (5 * std::abs(i - j));
    }
  }
  const Topology t = make_topology(d);
  RebuildContext ctx;
  const auto facts = rebuild_facts(t, rules(KernelEra::k414), ctx);
  EXPECT_EQ(facts.nr_online_nodes, 5);
  EXPECT_EQ(facts.multiplier, 5U * 1024U);
  EXPECT_EQ(rebuild_facts(t, rules(KernelEra::k519), ctx).multiplier, 1024U);
  EXPECT_EQ(order_of(predict(t, rules(KernelEra::k414), ctx), 0),
            (std::vector<NodeId>{0, 1, 2, 3, 4}));
}

// The kernel's int arithmetic wraps. 3000 * 2^20 = 3145728000 -> 3145728000 - 2^32 = -1149239296.
TEST(KernelScore, WrapsLikeTheKernel) {
  EXPECT_EQ(kernel_score(20, true, true, 1024, 7), (22 * 1024) + 7);
  EXPECT_EQ(kernel_score(3000, false, false, 1U << 20U, 0), -1149239296);
  // The biggest realistic value: SLIT u8 distance 255 + 2 penalties, 1024 online nodes, m = 2^20,
  // plus a load of 2^20: 257 * 2^20 + 2^20 = 270532608 < INT_MAX, no wrap.
  EXPECT_EQ(kernel_score(255, true, true, 1U << 20U, 1 << 20), 270532608);
}

// A wrapped score sorts first, as in the kernel. 5.19+ rule, MAX_NUMNODES = 2^21:
// d 1000 -> 1000 * 2^21 = 2097152000 (positive); d 1100 -> 2306867200 - 2^32 = -1988100096.
// So node 2 (d 1100) comes before node 1 (d 1000).
//  N0: 0; 2 (wrapped, negative) L2=1; 1 (d 1000 != 1100) L1=1.              -> 0 2 1
//  N1: 1; 0: 1001 * 2^21 = 2099249152 (positive), 2: 20 * 2^21 + 1 -> 2; 0.  -> 1 2 0
//  N2: 2; 0: 1101 * 2^21 = 2308964352 -> -1986002944, 1: 21 * 2^21 + 1 -> 0; 1. -> 2 0 1
TEST(KernelScore, OverflowReordersLikeTheKernel) {
  Topology t = make_topology({{10, 1000, 1100}, {1000, 10, 20}, {1100, 20, 10}});
  t.max_numnodes = 1 << 21;
  expect_orders(t, rules(KernelEra::k519), boot(), {{0, 2, 1}, {1, 2, 0}, {2, 0, 1}});
}

// val == INT_MAX is never below min_val (which starts at INT_MAX): that node is never picked.
// MAX_NUMNODES = 1 so val = d + penalties + load; d(0,1) = INT_MAX, d(0,2) = 20.
//  N0: 0; 1: INT_MAX (not picked), 2: 20 -> 2; then only 1 is left at INT_MAX: stop. -> 0 2
TEST(KernelScore, IntMaxIsNeverPicked) {
  Topology t = make_topology({{10, INT_MAX, 20}, {20, 10, 20}, {20, 20, 10}});
  t.max_numnodes = 1;
  const auto p = predict(t, rules(KernelEra::k607), boot());
  EXPECT_EQ(order_of(p, 0), (std::vector<NodeId>{0, 2}));
  EXPECT_EQ(reference::reference_predict(t, rules(KernelEra::k607), boot()).nodes[0].node_order,
            (std::vector<NodeId>{0, 2}));
}

// Pairs missing from the table: 10 for self, 20 otherwise.
TEST(Distances, OutsideTheTable) {
  Topology t = all_remote(3);
  t.distance = DistanceTable(1);
  t.distance.set(0, 0, 10);
  // Everything is 20: boot orders as in the QEMU example.
  expect_orders(t, rules(KernelEra::k607), boot(), {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}});
}

}  // namespace
}  // namespace zonelens
