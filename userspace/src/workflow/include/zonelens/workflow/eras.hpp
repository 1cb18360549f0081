// SPDX-License-Identifier: GPL-2.0-or-later
// `zonelens compare-eras`: what changes in the lists when one machine moves from one kernel era to
// another. Pure.
#pragma once

#include <vector>

#include "zonelens/model.hpp"

namespace zonelens::workflow {

struct EraNodeDiff {
  NodeId node = 0;
  const NodeZonelists* from = nullptr;  // nullptr: the era does not build this node
  const NodeZonelists* to = nullptr;
  bool order_changed = false;  // the printed node order ("Fallback order for Node N") differs
  bool lists_changed = false;  // ZONELIST_FALLBACK or ZONELIST_NOFALLBACK differs: a change
};

struct EraComparison {
  Prediction from;
  Prediction to;
  std::vector<EraNodeDiff> nodes;  // every node either era builds, ascending id
  // The nodes whose lists change. A node order that differs only in a node without zones (before
  // 6.7 the memoryless local node is printed first) changes no list.
  [[nodiscard]] std::size_t changed() const;
};

EraComparison compare_eras(const Topology& topo, const EraRules& from, const EraRules& to,
                           const RebuildContext& ctx);

}  // namespace zonelens::workflow
