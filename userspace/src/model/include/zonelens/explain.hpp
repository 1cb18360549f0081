// SPDX-License-Identifier: GPL-2.0-or-later
// Why a node's fallback order is what it is: every find_next_best_node() step, scored.
// Pure data out; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "zonelens/model.hpp"

namespace zonelens {

enum class PickReason {
  kLocalNode,      // the local node, returned before any scoring
  kOnlyCandidate,  // nothing else was open
  kLowerScore,     // lower total, with a lower (or, after wrap-around, different) base
  kLowerNodeLoad,  // same base as the runner-up, lower node_load
  kTieLowestId,    // same total as the runner-up; the strict `<` keeps the lowest id
};

struct ExplainStep {
  int position = 0;  // index in the node order
  NodeId picked = 0;
  PickReason reason = PickReason::kOnlyCandidate;
  std::vector<CandidateScore> candidates;   // every open candidate, ascending id (empty for local)
  std::optional<CandidateScore> winner;     // the picked candidate's score (none for local)
  std::optional<CandidateScore> runner_up;  // best of the rest by (total, id)
  int picked_distance = 0;                  // node_distance(local, picked)
  int previous_distance = 0;                // node_distance(local, prev_node)
  std::optional<LoadUpdate> load_update;    // set when the distance differs from the previous pick
  int load_counter = 0;                     // `load` at this step (<= 5.18), else 0
};

struct Explanation {
  NodeId node = 0;
  EraRules rules;
  bool built = false;        // does this rebuild build `node` at all?
  bool local_first = false;  // was the local node returned first?
  int nr_online_nodes = 0;
  std::uint32_t multiplier = 0;
  std::vector<NodeId> built_before;         // build_zonelists() calls before this one, in order
  std::vector<LoadUpdate> earlier_updates;  // node_load[] writes of those calls, in order
  std::vector<int> node_load_at_start;      // node_load[] (indexed by id) when this build began
  std::vector<ExplainStep> steps;           // one per position of the node order
  std::vector<NodeId> node_order;           // equals predict()'s node_order for this node
  Zonelist fallback;  // ZONELIST_FALLBACK laid out from node_order in rules.zonelist_order
  std::optional<int> stopped_at_int_max;  // candidates left unpicked because val == INT_MAX
};

// Runs the rebuild of `ctx` up to `node` (the nodes built before it load node_load[]) with a
// ZonelistTrace on the model, and records every step of `node`'s build_zonelists().
Explanation explain(const Topology& topo, const EraRules& rules, const RebuildContext& ctx,
                    NodeId node);

std::string_view pick_reason_name(PickReason reason);

}  // namespace zonelens
