// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/workflow/eras.hpp"

#include <algorithm>
#include <map>

namespace zonelens::workflow {

std::size_t EraComparison::changed() const {
  return static_cast<std::size_t>(
      std::count_if(nodes.begin(), nodes.end(), [](const auto& n) { return n.lists_changed; }));
}

EraComparison compare_eras(const Topology& topo, const EraRules& from, const EraRules& to,
                           const RebuildContext& ctx) {
  EraComparison c;
  c.from = predict(topo, from, ctx);
  c.to = predict(topo, to, ctx);
  std::map<NodeId, EraNodeDiff> by_id;
  for (const auto& n : c.from.nodes) {
    by_id[n.node].from = &n;
  }
  for (const auto& n : c.to.nodes) {
    by_id[n.node].to = &n;
  }
  for (auto& [id, d] : by_id) {
    d.node = id;
    if (d.from == nullptr || d.to == nullptr) {
      d.order_changed = true;
      d.lists_changed = true;
    } else {
      d.order_changed = d.from->node_order != d.to->node_order;
      d.lists_changed =
          d.from->fallback != d.to->fallback || d.from->nofallback != d.to->nofallback;
    }
    c.nodes.push_back(d);
  }
  return c;
}

}  // namespace zonelens::workflow
