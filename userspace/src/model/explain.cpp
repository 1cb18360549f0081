// SPDX-License-Identifier: GPL-2.0-or-later
// explain(): the model's own run up to one node, observed (ZonelistTrace): that node's
// build_zonelists() step by step, and the node_load[] writes of the calls before it.
#include "zonelens/explain.hpp"

#include <span>

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

// The explanation of one node, from the trace of the model's run.
class ExplainTrace final : public ZonelistTrace {
 public:
  ExplainTrace(Explanation& ex, std::size_t ids) : ex_(ex) {
    ex_.node_load_at_start.assign(ids, 0);
  }

  void best_node(NodeId local, NodeId best, std::span<const CandidateScore> open) override {
    if (local != ex_.node) {
      return;
    }
    if (best < 0) {
      if (!open.empty()) {
        ex_.stopped_at_int_max = static_cast<int>(open.size());  // every val left is INT_MAX
      }
      return;
    }
    ExplainStep s;
    s.position = static_cast<int>(ex_.steps.size());
    s.picked = best;
    if (open.empty()) {
      s.reason = PickReason::kLocalNode;
      ex_.local_first = true;
    } else {
      s.candidates.assign(open.begin(), open.end());
      for (const auto& c : open) {
        if (c.node == best) {
          s.winner = c;
        } else if (!s.runner_up || better(c, *s.runner_up)) {
          s.runner_up = c;
        }
      }
      s.reason = reason_for(*s.winner, s.runner_up);
    }
    ex_.steps.push_back(std::move(s));
  }

  void placed(const Placement& p) override {
    if (p.local != ex_.node) {
      if (p.write) {  // an earlier build's write: node_load[] as the explained build starts
        ex_.earlier_updates.push_back(*p.write);
        ex_.node_load_at_start[static_cast<std::size_t>(p.node)] = p.write->after;
      }
      return;
    }
    ExplainStep& s = ex_.steps.back();
    s.picked_distance = p.distance;
    s.previous_distance = p.prev_distance;
    s.load_counter = p.load;
    s.load_update = p.write;
  }

 private:
  Explanation& ex_;
};

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
  ExplainTrace trace(ex, facts.in_memory.size());
  PredictionStream stream(topo, rules, ctx, &trace);
  NodeZonelists nz;
  while (stream.next(nz)) {
    if (nz.node == node) {
      ex.built = true;
      ex.node_order = nz.node_order;
      ex.fallback = nz.fallback;
      return ex;
    }
    ex.built_before.push_back(nz.node);
  }
  ex.built_before.clear();
  ex.earlier_updates.clear();
  return ex;
}

}  // namespace zonelens
