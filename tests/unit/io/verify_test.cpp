// SPDX-License-Identifier: GPL-2.0-or-later
// Choosing the rebuild context from the event log, and comparing lists.
#include "zonelens/verify.hpp"

#include <gtest/gtest.h>

#include <array>

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
  EXPECT_EQ(c[0].cause, ContextCause::kNoRebuildSinceLoad);
  EXPECT_EQ(c[0].kind, ContextKind::kBoot);
  EXPECT_EQ(c[1].kind, ContextKind::kRuntimeCurrent);
}

TEST(Contexts, MemoryEventGivesRuntimeWithItsMasks) {
  const ModuleState m = read_module(fixture("roots/four-node-runtime"));
  const auto c = candidate_contexts(m.snapshot, m.events);
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].context.kind, RebuildKind::kRuntime);
  EXPECT_EQ(c[0].context.nodes_with_cpus, (std::vector<bool>{true, true, false, true}));
  EXPECT_FALSE(c[0].context.still_in_memory);
  EXPECT_EQ(c[0].kind, ContextKind::kRuntimeEvent);
  EXPECT_EQ(c[0].cause, ContextCause::kMemoryEvent);
  ASSERT_TRUE(c[0].event);
  EXPECT_EQ(c[0].event->seq, 3U);
  EXPECT_EQ(c[0].event->type, EventType::kMemOnline);
  EXPECT_EQ(c[0].generation, m.snapshot.generation);
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
  EXPECT_EQ(c[0].cause, ContextCause::kEventLeftLog);
  EXPECT_EQ(c[0].dropped, 1U);
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

// The hot-add observed on Debian 6.1.0-56 and 6.12.117 guests (docs/kmod.md): nodes 0-2 have one
// CPU and memory each, node 3 is empty until a DIMM is added; distances 0-1 20, 0-2 20, 0-3 20, 1-2
// 30, 1-3 20, 2-3 20. Derivation with one zone (Normal) per node, 6.7+ rules:
//  boot pass (no CPU penalty, node_load shared): node 0 -> 0 1 2 (1 and 2 tie at 20, lowest id; 1
//  gets load 1); node 1 -> 1 0 2 (0: 21, 2: 31; 0 and 2 get load 1); node 2 -> 2 0 1 (0: 21, 1: 31;
//  0 and 1 get load 2); node 3 -> 2 0 1 (all 21; loads 2, 2, 1: node 2 first).
//  DIMM add into node 3: self-only build, node_load zeroed, CPUs on 0-2: all 20+1+1 -> 0 1 2.
//  The kernel printed "Fallback order for Node 3: 0 1 2" at the add, and the module logged
//  fp_change at read (generation 1) before any memory event.
TEST(Contexts, HotAddedNodeSelfOnlyBuildIsLaidOverThePreviousGeneration) {
  Snapshot s;
  s.header.nr_node_ids = 4;
  s.header.kernel_release = "6.12.117+deb12-amd64";
  Topology& t = s.topology;
  t.kernel_release = s.header.kernel_release;
  t.nr_node_ids = 4;
  t.zone_names = {"DMA", "DMA32", "Normal", "Movable", "Device"};
  t.distance = DistanceTable(4);
  const std::array<std::array<int, 4>, 4> d = {
      {{10, 20, 20, 20}, {20, 10, 30, 20}, {20, 30, 10, 20}, {20, 20, 20, 10}}};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      t.distance.set(i, j, d.at(i).at(j));
    }
    Node n;
    n.id = i;
    n.online = true;
    const bool full = i < 3;
    n.memory = n.normal_memory = n.cpu = full;
    if (full) {
      n.cpus = {i};
    }
    for (int z = 0; z < 5; ++z) {
      Zone zone;
      zone.index = z;
      zone.name = t.zone_names[static_cast<std::size_t>(z)];
      zone.present = zone.managed = zone.spanned = (full && z == 2) ? 1000 : 0;
      n.zones.push_back(zone);
    }
    t.nodes.push_back(n);
  }
  const auto zl = [](NodeId node, const std::vector<NodeId>& order, bool has_memory) {
    NodeZonelists z;
    z.node = node;
    for (const NodeId n : order) {
      z.fallback.push_back({n, 2});
    }
    if (has_memory) {
      z.nofallback.push_back({node, 2});
    }
    return z;
  };
  s.zonelists = {zl(0, {0, 1, 2}, true), zl(1, {1, 0, 2}, true), zl(2, {2, 0, 1}, true),
                 zl(3, {0, 1, 2}, false)};
  s.generation = 1;
  EventLog log;
  Event e;
  e.seq = 1;
  e.type = EventType::kFpChange;
  e.at = "read";
  e.generation = 1;
  e.cpus = {{0, {0}}, {1, {1}}, {2, {2}}};
  log.events.push_back(e);

  const EraRules rules = rules_for({6, 12, 117});
  const auto candidates = candidate_contexts(s, log);
  // The three full-rebuild contexts of an fp_change, then boot and runtime-now of generation 0,
  // each with node 3's own build laid over.
  ASSERT_EQ(candidates.size(), 5U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(candidates[i].self_only.empty());
  }
  EXPECT_EQ(candidates[3].self_only, std::vector<NodeId>{3});
  EXPECT_EQ(candidates[3].context.kind, RebuildKind::kBoot);

  const auto attempts = try_contexts(t, rules, s.zonelists, candidates);
  ASSERT_EQ(attempts.size(), 4U);  // no full rebuild explains node 3; boot + self-only does
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(attempts[i].match);
    ASSERT_EQ(attempts[i].verdicts.size(), 4U);
    EXPECT_FALSE(attempts[i].verdicts[3].match()) << i;
  }
  EXPECT_TRUE(attempts[3].match);
  EXPECT_EQ(attempts[3].candidate.hot_added, std::vector<NodeId>{3});
  EXPECT_FALSE(attempts[3].candidate.add_in_flight);

  // Without the overlay node 3 keeps its boot-pass order 2 0 1.
  const Prediction plain = predict(t, rules, candidates[3].context);
  EXPECT_EQ(plain.nodes[3].fallback, (Zonelist{{2, 2}, {0, 2}, {1, 2}}));
}

// Debian 5.10 between the self-only build of a DIMM add and node_set_online():
// add_memory_resource() runs __try_online_node(nid, false) (build_all_zonelists(pgdat): node 3's
// lists alone), then arch_add_memory(), and sets node 3 online only after that. A read in between
// (watch caught one in CI) sees node 3's new lists while node 3 is offline. The root holds the
// lists the 5.10 guest's module printed just after the add (tests/fixtures/README.md), with node 3
// offline again.
TEST(Contexts, DimmAddInFlightOfflineNodeGetsItsSelfOnlyBuild) {
  const ModuleState m = read_module(fixture("roots/5.10-dimm-add-in-flight"));
  const Topology& t = m.snapshot.topology;
  ASSERT_FALSE(t.find(3)->online);
  ASSERT_TRUE(t.find(3)->has_pgdat);
  const auto candidates = candidate_contexts(m.snapshot, m.events);
  // fp_change: three full-rebuild contexts, then generation 0's boot and runtime-now with node 3's
  // own build laid over.
  ASSERT_EQ(candidates.size(), 5U);
  EXPECT_TRUE(candidates[2].self_only.empty());
  EXPECT_EQ(candidates[3].self_only, std::vector<NodeId>{3});
  EXPECT_EQ(candidates[3].add_in_flight, 3);
  EXPECT_TRUE(candidates[3].hot_added.empty());
  ASSERT_TRUE(candidates[3].noticed_by);
  EXPECT_EQ(candidates[3].noticed_by->type, EventType::kFpChange);

  const EraRules rules = rules_for_release(t.kernel_release).value();
  const auto attempts = try_contexts(t, rules, m.snapshot.zonelists, candidates);
  ASSERT_EQ(attempts.size(), 4U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(attempts[i].match) << i;
  }
  EXPECT_TRUE(attempts[3].match);
  EXPECT_EQ(attempts[3].candidate.kind, ContextKind::kBoot);
  EXPECT_EQ(attempts[3].candidate.self_only, std::vector<NodeId>{3});

  // Once node 3 is online the same lists are the online hot-added node's, one overlay per base.
  ModuleState online = m;
  for (auto& n : online.snapshot.topology.nodes) {
    n.online = true;
  }
  const auto after = candidate_contexts(online.snapshot, online.events);
  ASSERT_EQ(after.size(), 5U);
  EXPECT_EQ(after[3].hot_added, std::vector<NodeId>{3});
  EXPECT_FALSE(after[3].add_in_flight);
}

// After rmmod/insmod the event log is empty (generation 0) and CPU hotplug since the last rebuild
// leaves neither boot nor the current masks explaining the lists: the masks are inferred.
// Three nodes, all distances 20, one Normal zone each, 6.12 rules (reference notes §8, phase 2):
// a rebuild that saw CPUs on node 0 only gives node 0 -> 0 1 2 (1, 2: 21 each, lowest id; 1 gets
// load 1), node 1 -> 1 2 0 (2: 21, 0: 22; 2 gets load 1), node 2 -> 2 1 0 (1: 21+load 1,
// 0: 22+load 0 -> 1 first). Now CPUs are on nodes 0 and 1: runtime-now gives node 0 -> 0 2 1, and
// boot gives node 2 -> 2 0 1, so neither explains the lists; {0} is one memory node away from now.
TEST(Contexts, UnknownHistoryInfersTheMasksNearestToNow) {
  Topology t;
  t.kernel_release = "6.12.117+deb12-amd64";
  t.nr_node_ids = 3;
  t.zone_names = {"DMA", "DMA32", "Normal", "Movable", "Device"};
  for (int i = 0; i < 3; ++i) {
    Node n;
    n.id = i;
    n.online = n.memory = n.normal_memory = true;
    n.cpu = i < 2;
    if (i < 2) {
      n.cpus = {2 * i, (2 * i) + 1};
    }
    for (int z = 0; z < 5; ++z) {
      n.zones.push_back(Zone{z, t.zone_names[static_cast<std::size_t>(z)], z == 2 ? 1000U : 0U,
                             z == 2 ? 1000U : 0U, z == 2 ? 1000U : 0U});
    }
    t.nodes.push_back(n);
  }
  const auto zl = [](NodeId node, const std::vector<NodeId>& order) {
    NodeZonelists z;
    z.node = node;
    for (const NodeId n : order) {
      z.fallback.push_back({n, 2});
    }
    z.nofallback.push_back({node, 2});
    return z;
  };
  Snapshot s;
  s.header.nr_node_ids = 3;
  s.topology = t;
  s.zonelists = {zl(0, {0, 1, 2}), zl(1, {1, 2, 0}), zl(2, {2, 1, 0})};
  const EraRules rules = rules_for({6, 12, 117});
  const auto attempts = try_contexts(t, rules, s.zonelists, candidate_contexts(s, EventLog{}));
  ASSERT_EQ(attempts.size(), 3U);
  EXPECT_FALSE(attempts[0].match);  // boot
  EXPECT_FALSE(attempts[1].match);  // runtime (current masks)
  ASSERT_TRUE(attempts[2].match);
  EXPECT_TRUE(attempts[2].candidate.inferred);
  EXPECT_EQ(attempts[2].candidate.context.nodes_with_cpus, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(attempts[2].candidate.kind, ContextKind::kRuntimeInferred);
  EXPECT_EQ(attempts[2].candidate.inferred_cpus, std::vector<NodeId>{0});

  // A recorded context is never second-guessed: with the rebuild's event in the log, no inference.
  EventLog log;
  Event e;
  e.seq = 1;
  e.type = EventType::kMemOnline;
  e.nid = 2;
  e.generation = 1;
  e.cpus = {{0, {0, 1}}, {1, {2, 3}}};
  log.events.push_back(e);
  s.generation = 1;
  const auto recorded = try_contexts(t, rules, s.zonelists, candidate_contexts(s, log));
  ASSERT_EQ(recorded.size(), 1U);
  EXPECT_FALSE(recorded[0].match);
  EXPECT_FALSE(recorded[0].candidate.inferred);
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

namespace zonelens {
namespace {

// resolve_context (the one choice predict, verify, explain, diff and watch make) on the
// four-node root whose lists come from the runtime rebuild of event 3.
struct Resolved {
  ModuleState m = read_module(test::fixture("roots/four-node-runtime"));
  EraRules rules = *rules_for_release(m.snapshot.header.kernel_release);
  ResolvedContext r;
  Resolved(bool module, std::optional<RebuildKind> given)
      : r(resolve_context(m.snapshot.topology, rules, module ? &m.snapshot : nullptr,
                          module ? &m.events : nullptr, given)) {}
};

TEST(ResolveContext, WithoutTheModuleIsBootUncompared) {
  const ResolvedContext r = Resolved(false, std::nullopt).r;
  EXPECT_EQ(r.context.kind, ContextKind::kBoot);
  EXPECT_EQ(r.context.cause, ContextCause::kDefault);
  EXPECT_FALSE(r.against_live);
  EXPECT_TRUE(r.explains_live());
}

TEST(ResolveContext, TheModuleGivesTheContextThatExplainsTheLists) {
  const Resolved res(true, std::nullopt);
  const ResolvedContext& r = res.r;
  EXPECT_EQ(r.context.kind, ContextKind::kRuntimeEvent);
  ASSERT_TRUE(r.context.event);
  EXPECT_EQ(r.context.event->seq, 3U);
  ASSERT_TRUE(r.against_live);
  EXPECT_TRUE(r.explains_live());
  // The lists predict_candidate gives for it are the live ones.
  EXPECT_TRUE(all_match(
      compare_zonelists(res.m.snapshot.zonelists,
                        predict_candidate(res.m.snapshot.topology, res.rules, r.context).nodes)));
}

TEST(ResolveContext, GivenContextIsComparedWithTheLiveLists) {
  const ResolvedContext r = Resolved(true, RebuildKind::kBoot).r;
  EXPECT_EQ(r.context.kind, ContextKind::kBoot);
  EXPECT_EQ(r.context.cause, ContextCause::kGiven);
  ASSERT_TRUE(r.against_live);
  EXPECT_EQ(r.against_live->attempts.size(), 1U);
  EXPECT_FALSE(r.explains_live());  // the runtime rebuild's lists are not the boot build's
}

TEST(ResolveContext, SelfOnlyNodeIsRebuiltAlone) {
  ContextCandidate c;
  c.context.kind = RebuildKind::kBoot;
  c.self_only = {3};
  c.self_only_masks = {true, true, false, false};
  EXPECT_EQ(rebuild_of_node(c, 0).kind, RebuildKind::kBoot);
  const RebuildContext own = rebuild_of_node(c, 3);
  EXPECT_EQ(own.kind, RebuildKind::kRuntime);
  EXPECT_EQ(own.self_only, 3);
  EXPECT_EQ(own.nodes_with_cpus, c.self_only_masks);
}

}  // namespace
}  // namespace zonelens
