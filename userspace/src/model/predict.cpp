// SPDX-License-Identifier: GPL-2.0-or-later
// predict(): __build_all_zonelists() for one rebuild.
#include <algorithm>

#include "order.hpp"
#include "zonelens/model.hpp"

namespace zonelens {

Zonelist fallback_list(ZonelistOrder order, const std::vector<Zonelist>& zones_by_node,
                       const std::vector<NodeId>& node_order) {
  Zonelist out;
  const auto zones_of = [&](NodeId n) -> const Zonelist* {
    const auto nu = static_cast<std::size_t>(n);
    return n >= 0 && nu < zones_by_node.size() ? &zones_by_node[nu] : nullptr;
  };
  if (order == ZonelistOrder::kNode) {
    for (const NodeId n : node_order) {
      if (const Zonelist* z = zones_of(n)) {
        out.insert(out.end(), z->begin(), z->end());
      }
    }
    return out;
  }
  // Zone order: every node's list is sorted by descending index, so one cursor per position of
  // the node order walks it once while the zone index goes down.
  int top = -1;
  for (const NodeId n : node_order) {
    if (const Zonelist* z = zones_of(n); z != nullptr && !z->empty()) {
      top = std::max(top, z->front().zone_index);
    }
  }
  std::vector<std::size_t> cursor(node_order.size(), 0);
  for (int zone = top; zone >= 0; --zone) {
    for (std::size_t i = 0; i < node_order.size(); ++i) {
      const Zonelist* z = zones_of(node_order[i]);
      if (z != nullptr && cursor[i] < z->size() && (*z)[cursor[i]].zone_index == zone) {
        out.push_back((*z)[cursor[i]++]);
      }
    }
  }
  return out;
}

Prediction predict(const Topology& topo, const EraRules& rules, const RebuildContext& ctx) {
  Prediction out;
  out.rules = rules;
  const RebuildFacts facts = rebuild_facts(topo, rules, ctx);
  const auto bound = static_cast<std::size_t>(detail::id_bound(topo));

  // Every node's zonerefs, flat: node n's are flat[begin[n], begin[n + 1]).
  std::vector<Zonelist> per_node(bound);
  for (const auto& n : topo.nodes) {
    if (n.id >= 0) {
      per_node[static_cast<std::size_t>(n.id)] = zonerefs_of(topo, n.id, rules.zone_predicate);
    }
  }
  std::vector<std::size_t> begin(bound + 1, 0);
  for (std::size_t i = 0; i < bound; ++i) {
    begin[i + 1] = begin[i] + per_node[i].size();
  }
  Zonelist flat;
  flat.reserve(begin[bound]);
  for (const auto& z : per_node) {
    flat.insert(flat.end(), z.begin(), z.end());
  }

  std::vector<int> node_load(bound, 0);  // memset once per __build_all_zonelists()
  detail::OrderScratch scratch;
  out.nodes.reserve(facts.built.size());
  for (const NodeId local : facts.built) {
    NodeZonelists nz;
    nz.node = local;
    detail::build_order(topo, rules, facts, local, node_load, scratch, nz.node_order);
    nz.nofallback = per_node[static_cast<std::size_t>(local)];
    if (rules.zonelist_order == ZonelistOrder::kZone) {
      nz.fallback = fallback_list(rules.zonelist_order, per_node, nz.node_order);
      out.nodes.push_back(std::move(nz));
      continue;
    }
    // Node order, the hot path: copies out of one flat array (fallback_list gives the same).
    std::size_t total = 0;
    for (const NodeId n : nz.node_order) {
      const auto nu = static_cast<std::size_t>(n);
      total += begin[nu + 1] - begin[nu];
    }
    // reserve, not resize: every zoneref is written once, none needs zeroing first (at 1024
    // nodes resize() cleared 8 MB that was overwritten right after)
    nz.fallback.reserve(total);
    for (const NodeId n : nz.node_order) {
      const auto nu = static_cast<std::size_t>(n);
      const ZoneRef* src = flat.data() + begin[nu];
      const std::size_t count = begin[nu + 1] - begin[nu];
      if (count == 1) {
        nz.fallback.push_back(*src);  // the common case: no call to memmove for one zoneref
      } else {
        nz.fallback.insert(nz.fallback.end(), src, src + count);
      }
    }
    out.nodes.push_back(std::move(nz));
  }
  // <= 4.13's self-first pass is the only one not in ascending order.
  std::stable_sort(out.nodes.begin(), out.nodes.end(),
                   [](const NodeZonelists& a, const NodeZonelists& b) { return a.node < b.node; });
  return out;
}

}  // namespace zonelens
