// SPDX-License-Identifier: GPL-2.0-or-later
// explain(): the rebuild up to one node, then that node's build_zonelists() step by step.
#include "zonelens/explain.hpp"

#include <algorithm>
#include <climits>

#include "order.hpp"

namespace zonelens {
namespace {

bool better(const CandidateScore& a, const CandidateScore& b) {
  return a.total != b.total ? a.total < b.total : a.node < b.node;
}

PickReason reason_for(const CandidateScore& winner, const std::optional<CandidateScore>& runner) {
  if (!runner) {
    return PickReason::kOnlyCandidate;
  }
  if (winner.total == runner->total) {
    return PickReason::kTieLowestId;
  }
  if (winner.base == runner->base) {
    return PickReason::kLowerNodeLoad;
  }
  return PickReason::kLowerScore;
}

}  // namespace

std::string_view pick_reason_name(PickReason reason) {
  switch (reason) {
    case PickReason::kLocalNode:
      return "local node";
    case PickReason::kOnlyCandidate:
      return "only candidate";
    case PickReason::kLowerScore:
      return "lower score";
    case PickReason::kLowerNodeLoad:
      return "same distance score, lower node_load";
    case PickReason::kTieLowestId:
      return "full tie, lowest id";
  }
  return "unknown";
}

Explanation explain(const Topology& topo, const EraRules& rules, const RebuildContext& ctx,
                    NodeId node) {
  Explanation ex;
  ex.node = node;
  ex.rules = rules;
  const RebuildFacts facts = rebuild_facts(topo, rules, ctx);
  ex.nr_online_nodes = facts.nr_online_nodes;
  ex.multiplier = facts.multiplier;
  const auto bound = static_cast<std::size_t>(detail::id_bound(topo));

  std::vector<int> node_load(bound, 0);
  detail::OrderScratch scratch;
  std::vector<NodeId> order;
  for (const NodeId local : facts.built) {
    if (local == node) {
      ex.built = true;
      break;
    }
    const std::vector<int> before = node_load;
    detail::build_order(topo, rules, facts, local, node_load, scratch, order);
    for (const NodeId n : order) {  // a node is written at most once per build
      const auto nu = static_cast<std::size_t>(n);
      if (node_load[nu] != before[nu]) {
        ex.earlier_updates.push_back(LoadUpdate{
            .built_for = local, .node = n, .before = before[nu], .after = node_load[nu]});
      }
    }
    ex.built_before.push_back(local);
  }
  ex.node_load_at_start = node_load;
  if (!ex.built) {
    ex.built_before.clear();
    ex.earlier_updates.clear();
    return ex;
  }

  // The step-by-step walk: a literal rescan per pick (O(N^2) for one node, fine for one node).
  const auto nu_local = static_cast<std::size_t>(node);
  ex.local_first = !era_skips_memoryless_local(rules.era) ||
                   (nu_local < facts.in_memory.size() && facts.in_memory[nu_local]);
  const bool counter = era_uses_load_counter(rules.era);
  const int local_distance = topo.distance.at(node, node);
  int prev_distance = local_distance;
  int load = facts.nr_online_nodes;
  std::vector<bool> used(bound, false);

  if (ex.local_first) {
    used[nu_local] = true;
    ExplainStep s;
    s.position = 0;
    s.picked = node;
    s.reason = PickReason::kLocalNode;
    s.picked_distance = local_distance;
    s.previous_distance = local_distance;
    s.load_counter = counter ? load : 0;
    ex.steps.push_back(std::move(s));
    ex.node_order.push_back(node);
    if (counter) {
      --load;
    }
  }
  for (;;) {
    ExplainStep s;
    s.position = static_cast<int>(ex.node_order.size());
    for (const NodeId n : facts.candidates) {
      const auto nu = static_cast<std::size_t>(n);
      if (used[nu]) {
        continue;
      }
      CandidateScore c;
      c.node = n;
      c.distance = topo.distance.at(node, n);
      c.below_local = n < node ? 1 : 0;
      c.cpu_penalty = facts.has_cpus[nu] ? 1 : 0;
      c.base = static_cast<int>(static_cast<std::uint32_t>(c.distance) +
                                static_cast<std::uint32_t>(c.below_local + c.cpu_penalty));
      c.multiplier = facts.multiplier;
      c.node_load = node_load[nu];
      c.total =
          kernel_score(c.distance, n < node, facts.has_cpus[nu], facts.multiplier, node_load[nu]);
      s.candidates.push_back(c);
    }
    if (s.candidates.empty()) {
      break;
    }
    const auto best = std::min_element(s.candidates.begin(), s.candidates.end(), better);
    if (best->total == INT_MAX) {
      ex.stopped_at_int_max = static_cast<int>(s.candidates.size());
      break;
    }
    s.winner = *best;
    for (const auto& c : s.candidates) {
      if (c.node != best->node && (!s.runner_up || better(c, *s.runner_up))) {
        s.runner_up = c;
      }
    }
    s.picked = best->node;
    s.reason = reason_for(*s.winner, s.runner_up);
    s.picked_distance = best->distance;
    s.previous_distance = prev_distance;
    s.load_counter = counter ? load : 0;
    const auto nu = static_cast<std::size_t>(s.picked);
    used[nu] = true;
    if (s.picked_distance != prev_distance) {
      const int before = node_load[nu];
      node_load[nu] = detail::updated_load(rules.era, before, load);
      s.load_update =
          LoadUpdate{.built_for = node, .node = s.picked, .before = before, .after = node_load[nu]};
    }
    prev_distance = s.picked_distance;
    if (counter) {
      --load;
    }
    ex.node_order.push_back(s.picked);
    ex.steps.push_back(std::move(s));
  }
  std::vector<Zonelist> zones_by_node(bound);
  for (const NodeId n : ex.node_order) {
    zones_by_node[static_cast<std::size_t>(n)] = zonerefs_of(topo, n, rules.zone_predicate);
  }
  ex.fallback = fallback_list(rules.zonelist_order, zones_by_node, ex.node_order);
  return ex;
}

}  // namespace zonelens
