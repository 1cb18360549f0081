// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens probe's pure part: zoneinfo state, PFN -> zone, the plan, first appearance, the verdict.
#include "zonelens/probe.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "zonelens/error.hpp"
#include "zonelens/report/probe.hpp"

namespace zonelens::probe {
namespace {

std::string fixture(const std::string& rel) {
  std::ifstream in(std::string(ZONELENS_FIXTURES) + "/" + rel);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A 6.12 guest after a movable DIMM on node 2 (tests/fixtures/captured/).
std::vector<ZoneState> captured() {
  return parse_zoneinfo_state(fixture("captured/6.12-quickstart-hotadd-movable/root/proc/zoneinfo"),
                              "zoneinfo");
}

TEST(ProbeZoneinfo, ReadsTheFastPathsFields) {
  const auto zones = captured();
  ASSERT_EQ(zones.size(), 20U);  // 4 nodes x 5 zones
  const ZoneState& dma = zones[0];
  EXPECT_EQ(dma.node, 0);
  EXPECT_EQ(dma.name, "DMA");
  EXPECT_EQ(dma.free, 3776U);
  EXPECT_EQ(dma.min, 190U);
  EXPECT_EQ(dma.low, 237U);
  EXPECT_EQ(dma.high, 284U);  // not a pageset's "high:"
  EXPECT_EQ(dma.spanned, 4095U);
  EXPECT_EQ(dma.start_pfn, 1U);
  EXPECT_EQ(dma.protection, (std::vector<std::uint64_t>{0, 450, 450, 450, 450}));
  EXPECT_EQ(movable_index(zones), 3);
  EXPECT_EQ(dma.mark(3), 237U + 450U);
  EXPECT_EQ(dma.headroom(3), 3776U - 687U);
  const ZoneState& movable2 = zones[(2 * 5) + 3];
  EXPECT_EQ(movable2.node, 2);
  EXPECT_EQ(movable2.index, 3);
  EXPECT_EQ(movable2.name, "Movable");
  EXPECT_EQ(movable2.start_pfn, 1048576U);
  EXPECT_FALSE(zones[2].start_pfn.has_value());  // node 0's empty Normal
  EXPECT_EQ(zones[1].pcp, 597U + 214U + 1928U);  // the per-CPU counts of node 0's DMA32
}

TEST(ProbeZoneinfo, RefusesMalformedBlocks) {
  EXPECT_THROW(parse_zoneinfo_state("", "z"), InputError);
  EXPECT_THROW(parse_zoneinfo_state("Node x, zone DMA\n", "z"), InputError);
  EXPECT_THROW(parse_zoneinfo_state("Node 0, zone DMA\n  protection: (1, x)\n", "z"), InputError);
}

TEST(ProbeZoneinfo, PfnToZoneChecksEverySpan) {
  const auto zones = captured();
  EXPECT_EQ(zone_of_pfn(zones, 0), nullptr);
  EXPECT_EQ(zone_of_pfn(zones, 1)->name, "DMA");
  EXPECT_EQ(zone_of_pfn(zones, 4095)->name, "DMA");
  const ZoneState* z = zone_of_pfn(zones, 4096);
  EXPECT_EQ(z->node, 0);
  EXPECT_EQ(z->name, "DMA32");
  EXPECT_EQ(zone_of_pfn(zones, 131072)->node, 1);
  EXPECT_EQ(zone_of_pfn(zones, 262144)->node, 3);
  EXPECT_EQ(zone_of_pfn(zones, 1048576 + 65535)->node, 2);
  EXPECT_EQ(zone_of_pfn(zones, 1048576 + 65536), nullptr);
  // interleaved spans: node 1's zone inside node 0's range is found by its own span
  std::vector<ZoneState> inter(2);
  inter[0].node = 0;
  inter[0].start_pfn = 100;
  inter[0].spanned = 10;
  inter[1].node = 1;
  inter[1].start_pfn = 90;
  inter[1].spanned = 30;
  EXPECT_EQ(zone_of_pfn(inter, 105)->node, 0);
  EXPECT_EQ(zone_of_pfn(inter, 115)->node, 1);
}

// Node 0's list in that guest: 0:DMA32 0:DMA 1:DMA32 3:DMA32 2:Movable.
const Zonelist kList{{0, 1}, {0, 0}, {1, 1}, {3, 1}, {2, 3}};

TEST(ProbePlan, PositionsMarksAndBudget) {
  const auto zones = captured();
  const Plan p = make_plan(0, kList, zones, {}, 1024);
  ASSERT_EQ(p.positions.size(), 5U);
  EXPECT_EQ(p.highest_zoneidx, 3);
  EXPECT_EQ(p.positions[1].zone_name, "DMA");
  EXPECT_EQ(p.positions[1].mark, 687U);
  for (const PositionPlan& x : p.positions) {
    EXPECT_EQ(x.why_not, Unreached::kReached);
  }
  ASSERT_TRUE(p.last.has_value());
  EXPECT_EQ(*p.last, 4U);
  std::uint64_t want = std::uint64_t{4} * 1024;
  for (std::size_t i = 0; i < 4; ++i) {
    want += p.positions[i].headroom + p.positions[i].pcp;
  }
  EXPECT_EQ(p.budget_pages, want);
}

TEST(ProbePlan, ProtectedNotAllowedAndMissingZones) {
  auto zones = captured();
  zones[0].free = 600;  // node 0's DMA below low + lowmem_reserve[Movable] (687)
  Zonelist list = kList;
  list.push_back({3, 0});  // node 3's empty DMA: no start_pfn, free 0
  list.push_back({7, 1});  // not in zoneinfo
  const Plan p = make_plan(0, list, zones, {0, 1, 3}, 1024);
  EXPECT_EQ(p.positions[1].why_not, Unreached::kProtected);
  EXPECT_EQ(p.positions[4].why_not, Unreached::kNotAllowed);
  EXPECT_EQ(p.positions[5].why_not, Unreached::kProtected);  // node 3 allowed, but free 0
  EXPECT_EQ(p.positions[6].why_not, Unreached::kNoZoneinfo);
  ASSERT_TRUE(p.last.has_value());
  EXPECT_EQ(*p.last, 3U);  // 3:DMA32, the last usable
  EXPECT_EQ(p.budget_pages, 4096 + p.positions[0].headroom + p.positions[0].pcp +
                                p.positions[2].headroom + p.positions[2].pcp);
}

std::vector<Appearance> observe(const std::vector<ZoneRef>& refs) {
  FirstAppearance f;
  std::uint64_t chunk = 0;
  for (const ZoneRef& r : refs) {
    f.add(r, 10, chunk++);
    f.add(r, 5, chunk);  // a second run in the same zone keeps its place
  }
  return f.order();
}

TEST(ProbeFirstAppearance, KeepsFirstChunkAndCountsPages) {
  FirstAppearance f;
  f.add({0, 1}, 100, 0);
  f.add({0, 0}, 3, 2);
  f.add({0, 1}, 7, 3);
  ASSERT_EQ(f.order().size(), 2U);
  EXPECT_EQ(f.order()[0].pages, 107U);
  EXPECT_EQ(f.order()[1].first_chunk, 2U);
  EXPECT_TRUE(f.seen({0, 0}));
  EXPECT_FALSE(f.seen({1, 1}));
}

TEST(ProbeVerdict, AgreesOnEveryReachedPosition) {
  const Plan p = make_plan(0, kList, captured(), {}, 1024);
  const Verdict v = compare_order(p, observe(kList), {}, Unreached::kStoppedBefore);
  EXPECT_TRUE(v.agree);
  EXPECT_EQ(v.positions, std::vector<Unreached>(5, Unreached::kReached));
}

TEST(ProbeVerdict, BudgetLeavesTheRestUnreached) {
  const Plan p = make_plan(0, kList, captured(), {}, 1024);
  const Verdict v = compare_order(p, observe({{0, 1}, {0, 0}}), {}, Unreached::kBudget);
  EXPECT_TRUE(v.agree);
  EXPECT_EQ(v.positions[2], Unreached::kBudget);
  EXPECT_EQ(v.positions[4], Unreached::kBudget);
}

TEST(ProbeVerdict, ProtectedPositionsMayBeSkipped) {
  auto zones = captured();
  zones[0].free = 600;
  const Plan p = make_plan(0, kList, zones, {}, 1024);
  const Verdict v =
      compare_order(p, observe({{0, 1}, {1, 1}, {3, 1}, {2, 3}}), {}, Unreached::kStoppedBefore);
  EXPECT_TRUE(v.agree);
  EXPECT_EQ(v.positions[1], Unreached::kProtected);
  // a usable position passed over while it was at its mark is protected too
  const Plan q = make_plan(0, kList, captured(), {}, 1024);
  const Verdict w = compare_order(q, observe({{0, 1}, {1, 1}}),
                                  {Unreached::kReached, Unreached::kProtected}, Unreached::kBudget);
  EXPECT_TRUE(w.agree);
  EXPECT_EQ(w.positions[1], Unreached::kProtected);
}

TEST(ProbeVerdict, DisagreesOnSkipsReversalsAndStrangers) {
  const Plan p = make_plan(0, kList, captured(), {}, 1024);
  const Verdict skip = compare_order(p, observe({{0, 1}, {1, 1}}), {}, Unreached::kBudget);
  EXPECT_FALSE(skip.agree);
  EXPECT_EQ(skip.skipped, 1U);
  const Verdict back =
      compare_order(p, observe({{0, 1}, {0, 0}, {3, 1}, {1, 1}}), {}, Unreached::kBudget);
  EXPECT_FALSE(back.agree);
  EXPECT_EQ(back.first_bad, 2U);  // 3:DMA32 while 1:DMA32 was usable
  EXPECT_EQ(back.skipped, 2U);
  const Verdict stranger = compare_order(p, observe({{0, 1}, {5, 2}}), {}, Unreached::kBudget);
  EXPECT_FALSE(stranger.agree);
  EXPECT_EQ(stranger.outside, (std::vector<ZoneRef>{{5, 2}}));
  EXPECT_FALSE(compare_order(p, {}, {}, Unreached::kTimeout).agree);
}

TEST(ProbeVerdict, KswapdSkipsAndLateArrivals) {
  // 7.2: node 0's DMA passed over while node 0's kswapd ran, used again once it slept
  const Plan p = make_plan(0, kList, captured(), {}, 1024);
  const std::vector<Unreached> passed{Unreached::kReached, Unreached::kKswapd};
  const Verdict v =
      compare_order(p, observe({{0, 1}, {1, 1}, {0, 0}, {3, 1}}), passed, Unreached::kBudget);
  EXPECT_TRUE(v.agree);
  EXPECT_EQ(v.positions[1], Unreached::kLate);
  EXPECT_EQ(v.positions[4], Unreached::kBudget);
  // without a reason the late zone is a disagreement
  const Verdict w = compare_order(p, observe({{0, 1}, {1, 1}, {0, 0}}), {}, Unreached::kBudget);
  EXPECT_FALSE(w.agree);
  EXPECT_EQ(w.skipped, 1U);
  EXPECT_FALSE(kernel_skips_kswapd_nodes(6, 12));
  EXPECT_TRUE(kernel_skips_kswapd_nodes(7, 2));
}

TEST(ProbeReport, JsonKeepsItsKeys) {
  report::ProbeReport r;
  r.kernel_release = "6.12.0";
  r.plan = make_plan(0, kList, captured(), {}, 1024);
  r.observed = observe({{0, 1}, {0, 0}});
  r.verdict = compare_order(r.plan, r.observed, {}, Unreached::kBudget);
  r.stop = Unreached::kBudget;
  std::string out;
  report::Sink sink([&](std::string_view s) { out += s; });
  report::render_json(sink, r);
  sink.flush();
  for (const char* key : {"\"schema\": 1", "\"agree\": true", "\"positions\"", "\"observed\"",
                          R"("status": "budget")", "\"libnuma\"", "\"machine\"", "\"seconds\""}) {
    EXPECT_NE(out.find(key), std::string::npos) << key << "\n" << out;
  }
  std::string text;
  report::Sink tsink([&](std::string_view s) { text += s; });
  report::render_text(tsink, r);
  tsink.flush();
  EXPECT_NE(text.find("agree: 2 of 5 positions reached"), std::string::npos) << text;
  EXPECT_NE(text.find("0:DMA32"), std::string::npos) << text;
}

}  // namespace
}  // namespace zonelens::probe
