// SPDX-License-Identifier: GPL-2.0-or-later
// Literal transcription of the kernel loop; see reference_model.hpp. Written from the kernel's
// structure, not from the fast model.
#include "reference_model.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

namespace zonelens::reference {
namespace {

// The kernel's global state, as plain arrays indexed by node id.
struct KernelState {
  const Topology* topo = nullptr;
  EraRules rules;
  int nr_ids = 0;
  std::vector<bool> possible, online, memory, cpus, pgdat;
  int nr_online_nodes = 0;
  std::vector<int> node_load;  // static int node_load[MAX_NUMNODES]
};

// 32-bit wrapping int arithmetic (the kernel is built with -fno-strict-overflow).
int wrap_add(int a, int b) {
  return static_cast<int>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
int wrap_mul(int a, std::uint32_t b) { return static_cast<int>(static_cast<std::uint32_t>(a) * b); }

bool is_pre67(KernelEra e) { return e != KernelEra::k607; }
bool has_load_variable(KernelEra e) {
  return e == KernelEra::kPre414 || e == KernelEra::k414 || e == KernelEra::k516 ||
         e == KernelEra::k518;
}

// find_next_best_node(node, used_node_mask)
int find_next_best_node(KernelState& k, int node, std::vector<bool>& used) {
  int min_val = INT_MAX;
  int best_node = -1;  // NUMA_NO_NODE

  // Use the local node if we haven't already (6.7+: only when it has memory).
  if (!used[static_cast<std::size_t>(node)] &&
      (is_pre67(k.rules.era) || k.memory[static_cast<std::size_t>(node)])) {
    used[static_cast<std::size_t>(node)] = true;
    return node;
  }
  for (int n = 0; n < k.nr_ids; ++n) {  // for_each_node_state(n, N_MEMORY)
    if (!k.memory[static_cast<std::size_t>(n)]) {
      continue;
    }
    if (used[static_cast<std::size_t>(n)]) {
      continue;
    }
    int val = k.topo->distance.at(node, n);
    val = wrap_add(val, n < node ? 1 : 0);
    if (k.cpus[static_cast<std::size_t>(n)]) {
      val = wrap_add(val, 1);  // PENALTY_FOR_NODE_WITH_CPUS
    }
    const auto max_numnodes = static_cast<std::uint32_t>(k.topo->max_numnodes);
    if (has_load_variable(k.rules.era)) {
      // val *= (MAX_NODE_LOAD*MAX_NUMNODES), MAX_NODE_LOAD = nr_online_nodes (unsigned int)
      val = wrap_mul(val, static_cast<std::uint32_t>(k.nr_online_nodes) * max_numnodes);
    } else {
      val = wrap_mul(val, max_numnodes);  // val *= MAX_NUMNODES
    }
    val = wrap_add(val, k.node_load[static_cast<std::size_t>(n)]);
    if (val < min_val) {
      min_val = val;
      best_node = n;
    }
  }
  if (best_node >= 0) {
    used[static_cast<std::size_t>(best_node)] = true;
  }
  return best_node;
}

// build_zonerefs_node(pgdat, zonerefs)
void build_zonerefs_node(const KernelState& k, int nid, Zonelist& out) {
  const Node* node = k.topo->find(nid);
  if (node == nullptr) {
    return;
  }
  int max_index = -1;
  for (const auto& z : node->zones) {
    max_index = std::max(max_index, z.index);
  }
  for (int zone_type = max_index; zone_type >= 0; --zone_type) {
    for (const auto& z : node->zones) {
      if (z.index != zone_type) {
        continue;
      }
      const bool ok =
          k.rules.zone_predicate == ZonePredicate::kManaged ? z.managed != 0 : z.present != 0;
      if (ok) {
        out.push_back(ZoneRef{.node = nid, .zone_index = zone_type});
      }
    }
  }
}

// build_zonelists(pgdat)
NodeZonelists build_zonelists(KernelState& k, int local_node) {
  NodeZonelists out;
  out.node = local_node;
  std::vector<bool> used(static_cast<std::size_t>(k.nr_ids), false);
  int load = k.nr_online_nodes;
  int prev_node = local_node;
  int node = 0;
  while ((node = find_next_best_node(k, local_node, used)) >= 0) {
    if (k.topo->distance.at(local_node, node) != k.topo->distance.at(local_node, prev_node)) {
      int& slot = k.node_load[static_cast<std::size_t>(node)];
      switch (k.rules.era) {
        case KernelEra::kPre414:
        case KernelEra::k414:
          slot = load;
          break;
        case KernelEra::k516:
        case KernelEra::k518:
          slot = wrap_add(slot, load);
          break;
        case KernelEra::k519:
        case KernelEra::k607:
          slot = wrap_add(slot, 1);
          break;
      }
    }
    out.node_order.push_back(node);
    prev_node = node;
    if (has_load_variable(k.rules.era)) {
      load--;
    }
  }
  for (const int n : out.node_order) {
    build_zonerefs_node(k, n, out.fallback);
  }
  build_zonerefs_node(k, local_node, out.nofallback);
  return out;
}

}  // namespace

Prediction reference_predict(const Topology& topo, const EraRules& rules,
                             const RebuildContext& ctx) {
  KernelState k;
  k.topo = &topo;
  k.rules = rules;
  k.nr_ids = std::max(topo.nr_node_ids, 1);
  for (const auto& n : topo.nodes) {
    k.nr_ids = std::max(k.nr_ids, n.id + 1);
  }
  const auto ids = static_cast<std::size_t>(k.nr_ids);
  k.possible.assign(ids, false);
  k.online.assign(ids, false);
  k.memory.assign(ids, false);
  k.cpus.assign(ids, false);
  k.pgdat.assign(ids, false);
  for (const auto& n : topo.nodes) {
    const auto i = static_cast<std::size_t>(n.id);
    k.possible[i] = true;
    k.online[i] = n.online;
    k.memory[i] = n.memory;
    k.pgdat[i] = n.has_pgdat;
    if (ctx.kind == RebuildKind::kRuntime) {
      k.cpus[i] = ctx.nodes_with_cpus.empty()
                      ? !n.cpus.empty()
                      : (i < ctx.nodes_with_cpus.size() && ctx.nodes_with_cpus[i]);
    } else if (rules.arch == Arch::kPpc64) {
      k.cpus[i] = !n.cpus.empty();  // powerpc maps the present CPUs before the boot build
    }
  }
  // The state at the time of the rebuild that the context describes. A self-only build is the
  // hot-added node's own pgdat; without one the context means nothing and is ignored.
  const bool has_self = ctx.self_only && *ctx.self_only >= 0 && *ctx.self_only < k.nr_ids &&
                        k.possible[static_cast<std::size_t>(*ctx.self_only)] &&
                        k.pgdat[static_cast<std::size_t>(*ctx.self_only)];
  if (has_self) {
    k.online[static_cast<std::size_t>(*ctx.self_only)] = false;  // hot-added: not online yet
  }
  if (ctx.still_in_memory && is_pre67(rules.era) && *ctx.still_in_memory >= 0 &&
      *ctx.still_in_memory < k.nr_ids &&
      k.possible[static_cast<std::size_t>(*ctx.still_in_memory)]) {
    k.memory[static_cast<std::size_t>(*ctx.still_in_memory)] = true;
  }
  k.nr_online_nodes = static_cast<int>(std::count(k.online.begin(), k.online.end(), true));

  // __build_all_zonelists(self)
  Prediction p;
  p.rules = rules;
  k.node_load.assign(ids, 0);  // memset(node_load, 0, sizeof(node_load))
  if (has_self) {
    p.nodes.push_back(build_zonelists(k, *ctx.self_only));
  }
  if (!has_self || rules.era == KernelEra::kPre414) {
    const bool every_possible =
        !has_self && (rules.era == KernelEra::k518 || rules.era == KernelEra::k519 ||
                      rules.era == KernelEra::k607);
    for (int nid = 0; nid < k.nr_ids; ++nid) {
      const auto i = static_cast<std::size_t>(nid);
      const bool in_set = every_possible ? k.possible[i] : k.online[i];
      if (in_set && k.pgdat[i]) {
        p.nodes.push_back(build_zonelists(k, nid));
      }
    }
  }
  std::stable_sort(p.nodes.begin(), p.nodes.end(),
                   [](const NodeZonelists& a, const NodeZonelists& b) { return a.node < b.node; });
  return p;
}

}  // namespace zonelens::reference
