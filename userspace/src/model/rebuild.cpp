// SPDX-License-Identifier: GPL-2.0-or-later
// The fixed inputs of one rebuild: the node states __build_all_zonelists() and
// find_next_best_node() read, as the rebuild that the context describes saw them.
#include <algorithm>

#include "zonelens/model.hpp"

namespace zonelens {
namespace {

// Size of the id-indexed arrays for `topo` (largest id + 1, at least nr_node_ids).
int id_bound(const Topology& topo) {
  int bound = std::max(topo.nr_node_ids, 1);
  for (const auto& n : topo.nodes) {
    bound = std::max(bound, n.id + 1);
  }
  return bound;
}

}  // namespace

RebuildFacts rebuild_facts(const Topology& topo, const EraRules& rules, const RebuildContext& ctx) {
  RebuildFacts f;
  const int bound = id_bound(topo);
  const auto ubound = static_cast<std::size_t>(bound);
  f.has_cpus.assign(ubound, false);
  f.in_memory.assign(ubound, false);

  std::vector<const Node*> by_id(ubound, nullptr);
  for (const auto& n : topo.nodes) {
    if (n.id >= 0) {
      by_id[static_cast<std::size_t>(n.id)] = &n;
    }
  }
  // A self-only build needs the hot-added node's pgdat; without one the context is ignored.
  std::optional<NodeId> self;
  if (ctx.self_only && *ctx.self_only >= 0 && *ctx.self_only < bound) {
    const Node* n = by_id[static_cast<std::size_t>(*ctx.self_only)];
    if (n != nullptr && n->has_pgdat) {
      self = ctx.self_only;
    }
  }
  const auto is_self = [&](NodeId id) { return self && *self == id; };

  // nr_online_nodes: the hot-added node is still offline when its self-only build runs.
  for (const Node* n : by_id) {
    if (n != nullptr && n->online && !is_self(n->id)) {
      ++f.nr_online_nodes;
    }
  }
  const EraRow& era = era_row(rules.era);
  const auto online = static_cast<std::uint32_t>(f.nr_online_nodes);
  const auto max_nodes = static_cast<std::uint32_t>(topo.max_numnodes);
  // <= 5.18: MAX_NODE_LOAD * MAX_NUMNODES, MAX_NODE_LOAD = nr_online_nodes; 5.19+: MAX_NUMNODES
  f.multiplier = era.load_counter ? online * max_nodes : max_nodes;

  for (const Node* n : by_id) {
    if (n == nullptr) {
      continue;
    }
    const auto id = static_cast<std::size_t>(n->id);
    f.in_memory[id] = n->memory;
    if (ctx.kind == RebuildKind::kRuntime) {
      if (ctx.nodes_with_cpus.empty()) {
        f.has_cpus[id] = !n->cpus.empty();
      } else {
        f.has_cpus[id] = id < ctx.nodes_with_cpus.size() && ctx.nodes_with_cpus[id];
      }
    } else if (arch_row(rules.arch).boot_masks == BootCpuMasks::kPresent) {
      // pseries maps every present CPU before the boot build; the node's CPUs now stand for them
      f.has_cpus[id] = !n->cpus.empty();
    }
  }
  // Before 6.7 offline_pages() rebuilds before node_states_clear_node().
  if (ctx.still_in_memory && !era.clears_memory_first) {
    const NodeId s = *ctx.still_in_memory;
    if (s >= 0 && s < bound && by_id[static_cast<std::size_t>(s)] != nullptr) {
      f.in_memory[static_cast<std::size_t>(s)] = true;
    }
  }
  for (int id = 0; id < bound; ++id) {
    if (f.in_memory[static_cast<std::size_t>(id)]) {
      f.candidates.push_back(id);
    }
  }

  if (self) {
    f.built.push_back(*self);
    if (era.self_only_alone) {
      return f;  // 4.14+: `if (self && !node_online(self)) build_zonelists(self); else ...`
    }
    // <= 4.13 builds self, then every online node, with one node_load[].
  }
  // 5.18+: for_each_node(nid); before: for_each_online_node(nid)
  const bool possible = era.builds_possible_nodes && !self;
  for (const Node* n : by_id) {
    if (n == nullptr || !n->has_pgdat || is_self(n->id)) {
      continue;
    }
    if (possible || n->online) {
      f.built.push_back(n->id);
    }
  }
  return f;
}

std::string zoneref_name(const Topology& topo, const ZoneRef& ref) {
  std::string name;
  if (const Node* n = topo.find(ref.node)) {
    for (const auto& z : n->zones) {
      if (z.index == ref.zone_index) {
        name = z.name;
      }
    }
  }
  if (name.empty() && ref.zone_index >= 0 &&
      static_cast<std::size_t>(ref.zone_index) < topo.zone_names.size()) {
    name = topo.zone_names[static_cast<std::size_t>(ref.zone_index)];
  }
  if (name.empty()) {
    name = "zone" + std::to_string(ref.zone_index);
  }
  return std::to_string(ref.node) + ":" + name;
}

}  // namespace zonelens
