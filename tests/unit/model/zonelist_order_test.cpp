// SPDX-License-Identifier: GPL-2.0-or-later
// Zone-ordered zonelists (<= 4.13) and the kernel's choice of order. Every expectation is derived
// by hand in the comments from the kernel's rules (docs/kernel-eras.md, "Zone order").
#include "zonelens/zonelist_order.hpp"

#include <gtest/gtest.h>

#include "topo_builder.hpp"
#include "zonelens/explain.hpp"

namespace zonelens {
namespace {

using testing::boot;
using testing::kDma;
using testing::kDma32;
using testing::kNormal;
using testing::zone;

ZoneRef z(NodeId n, int index) { return ZoneRef{.node = n, .zone_index = index}; }

EraRules pre414(ZonelistOrder order, ZonePredicate p = ZonePredicate::kPopulated) {
  return EraRules{.era = KernelEra::kPre414, .zone_predicate = p, .zonelist_order = order};
}

const NodeZonelists& lists_of(const Prediction& p, NodeId node) {
  for (const auto& nz : p.nodes) {
    if (nz.node == node) {
      return nz;
    }
  }
  throw std::logic_error("node not built");
}

// Two sockets at distance 20: node 0 has DMA (1000 pages), DMA32 (2000) and Normal (4000), node 1
// only Normal (4000).
Topology two_sockets() {
  Topology t = testing::all_remote(2);
  t.nodes[0].zones = {zone(kDma, 1000, 1000), zone(kDma32, 2000, 2000), zone(kNormal, 4000, 4000)};
  t.nodes[1].zones = {zone(kNormal, 4000, 4000)};
  return t;
}

// Node 0 has no Normal memory (DMA 1000, DMA32 3000), node 1 DMA32 2000 + Normal 4000, node 2
// Normal 4000; distances 0-1 15, 0-2 20, 1-2 20.
Topology no_normal_on_node0() {
  Topology t = testing::make_topology({{10, 15, 20}, {15, 10, 20}, {20, 20, 10}});
  t.nodes[0].zones = {zone(kDma, 1000, 1000), zone(kDma32, 3000, 3000)};
  t.nodes[0].normal_memory = false;
  t.nodes[1].zones = {zone(kDma32, 2000, 2000), zone(kNormal, 4000, 4000)};
  t.nodes[2].zones = {zone(kNormal, 4000, 4000)};
  return t;
}

// All at distance 20: node 0 DMA32 2000 + Normal 4000, node 1 Normal 4000, node 2 online without
// memory (no zones, not in N_MEMORY).
Topology memoryless_node2() {
  Topology t = testing::all_remote(3);
  t.nodes[0].zones = {zone(kDma32, 2000, 2000), zone(kNormal, 4000, 4000)};
  t.nodes[2].zones = {};
  t.nodes[2].memory = false;
  t.nodes[2].normal_memory = false;
  return t;
}

// Node orders (<= 4.13: node_load[n] = load, nr_online 2): node 0 -> 0 1, node 1 -> 1 0.
// Zone order, node 0: Normal of 0 then 1; DMA32 of 0; DMA of 0 -> 0:N 1:N 0:DMA32 0:DMA, where node
// order gives 0:N 0:DMA32 0:DMA 1:N. Node 1 (Normal only): Normal of 1, 0; DMA32 of 0; DMA of 0 ->
// 1:N 0:N 0:DMA32 0:DMA, the same in both orders. NOFALLBACK is the local node's zones either way.
TEST(ZoneOrder, TwoSockets) {
  const Topology t = two_sockets();
  const Prediction zone_p = predict(t, pre414(ZonelistOrder::kZone), boot());
  const Prediction node_p = predict(t, pre414(ZonelistOrder::kNode), boot());
  EXPECT_EQ(lists_of(zone_p, 0).node_order, (std::vector<NodeId>{0, 1}));
  EXPECT_EQ(lists_of(zone_p, 0).fallback,
            (Zonelist{z(0, kNormal), z(1, kNormal), z(0, kDma32), z(0, kDma)}));
  EXPECT_EQ(lists_of(node_p, 0).fallback,
            (Zonelist{z(0, kNormal), z(0, kDma32), z(0, kDma), z(1, kNormal)}));
  EXPECT_EQ(lists_of(zone_p, 1).fallback,
            (Zonelist{z(1, kNormal), z(0, kNormal), z(0, kDma32), z(0, kDma)}));
  EXPECT_EQ(lists_of(zone_p, 1).fallback, lists_of(node_p, 1).fallback);
  EXPECT_EQ(lists_of(zone_p, 0).nofallback, (Zonelist{z(0, kNormal), z(0, kDma32), z(0, kDma)}));
  EXPECT_EQ(lists_of(zone_p, 0).nofallback, lists_of(node_p, 0).nofallback);
}

// 4.8 - 4.9.310 use managed_zone() in zone order as well: node 0's DMA with present 1000 and
// managed 0 leaves both lists of node 0 -> zone order 0:N 1:N 0:DMA32.
TEST(ZoneOrder, ManagedPredicateDropsUnmanagedZones) {
  Topology t = two_sockets();
  t.nodes[0].zones[0].managed = 0;
  const Prediction p = predict(t, pre414(ZonelistOrder::kZone, ZonePredicate::kManaged), boot());
  EXPECT_EQ(lists_of(p, 0).fallback, (Zonelist{z(0, kNormal), z(1, kNormal), z(0, kDma32)}));
  EXPECT_EQ(lists_of(p, 0).nofallback, (Zonelist{z(0, kNormal), z(0, kDma32)}));
}

// nr_online 3, multiplier 3*1024, boot (no CPU penalty), node_load shared in the pass:
//  node 0: 0 first (load 3 -> 2); 1 (15) beats 2 (20); 15 != 10 -> node_load[1] = 2; then 2,
//          20 != 15 -> node_load[2] = 1. Order 0 1 2.
//  node 1: 1 first; 0 scores 15+1 = 16 < 20 of node 2 -> 0, node_load[0] = 2; then 2. Order 1 0 2.
//  node 2: 2 first; 0 and 1 both (20+1)*3072 + 2: tie, lowest id 0, node_load[0] = 2; then 1
//          (same distance, no write). Order 2 0 1.
// Zone order, Normal first over the order, then DMA32, then DMA:
//  node 0 (0 1 2): 1:N 2:N | 0:DMA32 1:DMA32 | 0:DMA  (node 0 has no Normal, so its DMA32 comes
//                  after every Normal zone: "DMA last")
//  node 1 (1 0 2): 1:N 2:N | 1:DMA32 0:DMA32 | 0:DMA
//  node 2 (2 0 1): 2:N 1:N | 0:DMA32 1:DMA32 | 0:DMA
TEST(ZoneOrder, NodeWithoutNormalMemory) {
  const Prediction p = predict(no_normal_on_node0(), pre414(ZonelistOrder::kZone), boot());
  EXPECT_EQ(testing::orders(p),
            (std::vector<std::vector<NodeId>>{{0, 1, 2}, {1, 0, 2}, {2, 0, 1}}));
  EXPECT_EQ(lists_of(p, 0).fallback,
            (Zonelist{z(1, kNormal), z(2, kNormal), z(0, kDma32), z(1, kDma32), z(0, kDma)}));
  EXPECT_EQ(lists_of(p, 1).fallback,
            (Zonelist{z(1, kNormal), z(2, kNormal), z(1, kDma32), z(0, kDma32), z(0, kDma)}));
  EXPECT_EQ(lists_of(p, 2).fallback,
            (Zonelist{z(2, kNormal), z(1, kNormal), z(0, kDma32), z(1, kDma32), z(0, kDma)}));
  // Node order keeps node 0's own zones first: 0:DMA32 0:DMA 1:N 1:DMA32 2:N.
  const Prediction n = predict(no_normal_on_node0(), pre414(ZonelistOrder::kNode), boot());
  EXPECT_EQ(lists_of(n, 0).fallback,
            (Zonelist{z(0, kDma32), z(0, kDma), z(1, kNormal), z(1, kDma32), z(2, kNormal)}));
}

// nr_online 3 (node 2 is online), candidates N_MEMORY = {0, 1}, all distances 20:
//  node 0: 0, then 1 (node_load[1] = 2). node 1: 1, then 0 (21*3072 + 0; node_load[0] = 2).
//  node 2: <= 4.13 returns the memoryless local node first (it adds no zones); 0 and 1 tie at
//          21*3072 + 2 -> 0, then 1. Order 2 0 1.
// Zone order of node 2: Normal 0:N 1:N, DMA32 0:DMA32 -> 0:N 1:N 0:DMA32 (node order: 0:N 0:DMA32
// 1:N); NOFALLBACK empty.
TEST(ZoneOrder, MemorylessNode) {
  const Prediction p = predict(memoryless_node2(), pre414(ZonelistOrder::kZone), boot());
  EXPECT_EQ(lists_of(p, 2).node_order, (std::vector<NodeId>{2, 0, 1}));
  EXPECT_EQ(lists_of(p, 2).fallback, (Zonelist{z(0, kNormal), z(1, kNormal), z(0, kDma32)}));
  EXPECT_TRUE(lists_of(p, 2).nofallback.empty());
  EXPECT_EQ(lists_of(p, 1).fallback, (Zonelist{z(1, kNormal), z(0, kNormal), z(0, kDma32)}));
  const Prediction n = predict(memoryless_node2(), pre414(ZonelistOrder::kNode), boot());
  EXPECT_EQ(lists_of(n, 2).fallback, (Zonelist{z(0, kNormal), z(0, kDma32), z(1, kNormal)}));
}

// explain() lays its node's FALLBACK out with the same function: node 0 of the topology without
// Normal on node 0 gives the list derived in NodeWithoutNormalMemory.
TEST(ZoneOrder, ExplainHasTheSameFallback) {
  const Topology t = no_normal_on_node0();
  const EraRules r = pre414(ZonelistOrder::kZone);
  const Explanation x = explain(t, r, boot(), 0);
  EXPECT_EQ(x.fallback, lists_of(predict(t, r, boot()), 0).fallback);
  EXPECT_EQ(x.fallback.front(), z(1, kNormal));
}

// ---- default_zonelist_order() ----

const KernelVersion k3_17{3, 17, 0};
const KernelVersion k3_18{3, 18, 0};
const KernelVersion k4_9{4, 9, 0};
const KernelVersion k4_14{4, 14, 0};

// 3.18+ (3193913ce62c), 64-bit: node order whatever the topology (two_sockets would be zone order
// under the old heuristic, below).
TEST(DefaultOrder, NodeOn64BitSince318) {
  EXPECT_EQ(default_zonelist_order(two_sockets(), k3_18).order, ZonelistOrder::kNode);
  EXPECT_EQ(default_zonelist_order(two_sockets(), k4_9).order, ZonelistOrder::kNode);
}

// Before 3.18, two_sockets: every online node has Normal; low = 1000 + 2000 = 3000 of total 11000
// (not > 5500); average = 11000 / (2 + 1) = 3666; node 0 (7000 > 3666) has 3000 below Normal, not
// > 70% of 7000 = 4900; node 1 has none -> zone order.
TEST(DefaultOrder, HeuristicPicksZoneOrder) {
  EXPECT_EQ(default_zonelist_order(two_sockets(), k3_17).order, ZonelistOrder::kZone);
}

// Before 3.18: an online node without populated Normal means node order, the memoryless node 2
// included (its Normal zone is not populated).
TEST(DefaultOrder, HeuristicNodeWithoutNormal) {
  EXPECT_EQ(default_zonelist_order(no_normal_on_node0(), k3_17).order, ZonelistOrder::kNode);
  EXPECT_EQ(default_zonelist_order(memoryless_node2(), k3_17).order, ZonelistOrder::kNode);
}

// Before 3.18: no memory below Normal (all_remote: Normal only) -> node; DMA32 3000 + Normal 1000
// on node 0 and Normal 1000 on node 1: low 3000 > 5000 / 2 -> node.
TEST(DefaultOrder, HeuristicLowMemoryRules) {
  EXPECT_EQ(default_zonelist_order(testing::all_remote(2), k3_17).order, ZonelistOrder::kNode);
  Topology t = testing::all_remote(2);
  t.nodes[0].zones = {zone(kDma32, 3000, 3000), zone(kNormal, 1000, 1000)};
  t.nodes[1].zones = {zone(kNormal, 1000, 1000)};
  EXPECT_EQ(default_zonelist_order(t, k3_17).order, ZonelistOrder::kNode);
}

// Before 3.18, the 70% rule: node 0 DMA32 4000 + Normal 1000, nodes 1 and 2 Normal 5000: low 4000
// is not > 15000 / 2; average 15000 / 4 = 3750; node 0 (5000 > 3750) has 4000 > 3500 below Normal
// -> node. With node 0's DMA32 at 2000 (low 2000 of 13000, average 3250, node 0 3000 < 3250 is
// "small") -> zone.
TEST(DefaultOrder, HeuristicSeventyPercentRule) {
  Topology t = testing::all_remote(3);
  t.nodes[0].zones = {zone(kDma32, 4000, 4000), zone(kNormal, 1000, 1000)};
  t.nodes[1].zones = {zone(kNormal, 5000, 5000)};
  t.nodes[2].zones = {zone(kNormal, 5000, 5000)};
  EXPECT_EQ(default_zonelist_order(t, k3_17).order, ZonelistOrder::kNode);
  t.nodes[0].zones[0] = zone(kDma32, 2000, 2000);
  EXPECT_EQ(default_zonelist_order(t, k3_17).order, ZonelistOrder::kZone);
}

// ---- numa_zonelist_order= and the sysctl ----

TEST(OrderRequest, FirstLetterOnly) {
  EXPECT_EQ(parse_order_request("Zone"), OrderRequest::kZone);
  EXPECT_EQ(parse_order_request("zebra"), OrderRequest::kZone);
  EXPECT_EQ(parse_order_request("n"), OrderRequest::kNode);
  EXPECT_EQ(parse_order_request("Default"), OrderRequest::kDefault);
  EXPECT_EQ(parse_order_request("x"), std::nullopt);
  EXPECT_EQ(parse_order_request(""), std::nullopt);
}

// Quotes group and vanish, a parameter without '=' has no value, "--" ends the kernel's part.
TEST(Cmdline, ValuesInOrder) {
  const std::string_view line =
      "BOOT_IMAGE=/vmlinuz root=/dev/sda1 numa_zonelist_order=node quiet "
      "\"numa_zonelist_order=zone\" numa_zonelist_order foo=\"a b\" -- numa_zonelist_order=d\n";
  EXPECT_EQ(cmdline_values(line, "numa_zonelist_order"),
            (std::vector<std::string>{"node", "zone"}));
  EXPECT_EQ(cmdline_values(line, "foo"), (std::vector<std::string>{"a b"}));
  EXPECT_TRUE(cmdline_values("", "numa_zonelist_order").empty());
}

OrderSources files(std::optional<std::string> cmdline, std::optional<std::string> sysctl) {
  OrderSources s;
  s.cmdline = std::move(cmdline);
  s.cmdline_file = "/proc/cmdline";
  s.sysctl = std::move(sysctl);
  s.sysctl_file = "/proc/sys/vm/numa_zonelist_order";
  return s;
}

TEST(ChooseOrder, CommandLineOfA413Kernel) {
  const auto c = choose_zonelist_order(two_sockets(), k4_9,
                                       files("ro numa_zonelist_order=Zone quiet", std::nullopt));
  EXPECT_EQ(c.order, ZonelistOrder::kZone);
  EXPECT_EQ(c.source, "/proc/cmdline");
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_FALSE(c.error);
}

// The kernel ignores an invalid value with a warning and keeps the earlier one (zone).
TEST(ChooseOrder, InvalidCommandLineValueIsAWarning) {
  const auto c = choose_zonelist_order(
      two_sockets(), k4_9, files("numa_zonelist_order=z numa_zonelist_order=bogus", std::nullopt));
  EXPECT_EQ(c.order, ZonelistOrder::kZone);
  ASSERT_EQ(c.warnings.size(), 1U);
  EXPECT_NE(c.warnings[0].find("numa_zonelist_order=bogus"), std::string::npos);
  // Only an invalid value: the default rule (node on 4.9), still with the warning.
  const auto d =
      choose_zonelist_order(two_sockets(), k4_9, files("numa_zonelist_order=1", std::nullopt));
  EXPECT_EQ(d.order, ZonelistOrder::kNode);
  EXPECT_EQ(d.warnings.size(), 1U);
}

// The sysctl holds the live value (a write after boot rebuilds): it beats the command line.
TEST(ChooseOrder, SysctlBeatsCommandLine) {
  const auto c =
      choose_zonelist_order(two_sockets(), k4_9, files("numa_zonelist_order=zone", "Node\n"));
  EXPECT_EQ(c.order, ZonelistOrder::kNode);
  EXPECT_EQ(c.source, "/proc/sys/vm/numa_zonelist_order");
  const auto bad = choose_zonelist_order(two_sockets(), k4_9, files(std::nullopt, "bogus\n"));
  ASSERT_TRUE(bad.error);
  EXPECT_NE(bad.error->find("/proc/sys/vm/numa_zonelist_order: 'bogus'"), std::string::npos);
}

// --zonelist-order overrides both files; "default" is the release's rule (zone on 3.17 for
// two_sockets, see HeuristicPicksZoneOrder).
TEST(ChooseOrder, OptionOverrides) {
  OrderSources s = files("numa_zonelist_order=zone", "zone");
  s.option = OrderRequest::kNode;
  EXPECT_EQ(choose_zonelist_order(two_sockets(), k4_9, s).order, ZonelistOrder::kNode);
  s.option = OrderRequest::kDefault;
  EXPECT_EQ(choose_zonelist_order(two_sockets(), k3_17, s).order, ZonelistOrder::kZone);
  EXPECT_EQ(choose_zonelist_order(two_sockets(), k4_9, s).order, ZonelistOrder::kNode);
}

// 4.14+: zone order asked for is refused with the removal named; the files are ignored.
TEST(ChooseOrder, ZoneRefusedFrom414) {
  OrderSources s = files("numa_zonelist_order=zone", "zone");
  EXPECT_EQ(choose_zonelist_order(two_sockets(), k4_14, s).order, ZonelistOrder::kNode);
  EXPECT_FALSE(choose_zonelist_order(two_sockets(), k4_14, s).error);
  s.option = OrderRequest::kZone;
  const auto c = choose_zonelist_order(two_sockets(), k4_14, s);
  ASSERT_TRUE(c.error);
  EXPECT_NE(c.error->find("c9bff3eebc09"), std::string::npos);
  EXPECT_TRUE(release_has_zone_order(KernelVersion{4, 13, 16}));
  EXPECT_FALSE(release_has_zone_order(k4_14));
}

}  // namespace
}  // namespace zonelens
