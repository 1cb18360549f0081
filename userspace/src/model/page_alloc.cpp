// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel's zonelist code, in C++: read it beside mm/page_alloc.c (where all of it is in 5.10,
// 6.1, 6.12 and 7.2). Kernel function -> ours:
//   find_next_best_node()                find_next_best_node()
//   build_zonerefs_node()                build_zonerefs_node()
//   build_zonelists_in_node_order()      build_zonelists_in_node_order()
//   build_zonelists_in_zone_order()      build_zonelists_in_zone_order()   (<= 4.13)
//   build_thisnode_zonelists()           build_thisnode_zonelists()
//   build_zonelists()                    build_zonelists()
//   __build_all_zonelists()              PredictionStream (the loop, node_load[] zeroed once) over
//                                        rebuild_facts().built (which nodes, rebuild.cpp)
// What differs between eras comes from the era table (kEraTable, model.hpp), one row per era.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <span>

#include "zonelens/model.hpp"

namespace zonelens {
namespace {

constexpr NodeId kNumaNoNode = -1;          // NUMA_NO_NODE
constexpr int kPenaltyForNodeWithCpus = 1;  // PENALTY_FOR_NODE_WITH_CPUS

// 32-bit int arithmetic that wraps, as the kernel's (built with -fno-strict-overflow).
int wrap_add(int a, int b) {
  return static_cast<int>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}

// find_next_best_node()'s `val` for candidate n, term by term.
CandidateScore score(NodeId n, int distance, bool below_local, bool has_cpus,
                     std::uint32_t multiplier, int node_load) {
  CandidateScore c;
  c.node = n;
  // "Use the distance array to find the distance": val = node_distance(node, n)
  c.distance = distance;
  // "Penalize nodes under us ("prefer the next node")": val += (n < node)
  c.below_local = below_local ? 1 : 0;
  // "Give preference to headless and unused nodes": val += PENALTY_FOR_NODE_WITH_CPUS when
  // cpumask_of_node(n) is not empty
  c.cpu_penalty = has_cpus ? kPenaltyForNodeWithCpus : 0;
  c.base = wrap_add(c.distance, c.below_local + c.cpu_penalty);
  // "Slight preference for less loaded node":
  //   <= 5.18: val *= (MAX_NODE_LOAD*MAX_NUMNODES), MAX_NODE_LOAD = nr_online_nodes
  //   5.19+:   val *= MAX_NUMNODES
  // then val += node_load[n]. The multiplier is RebuildFacts::multiplier (era table).
  c.multiplier = multiplier;
  c.node_load = node_load;
  c.total = static_cast<std::int32_t>((static_cast<std::uint32_t>(c.base) * multiplier) +
                                      static_cast<std::uint32_t>(node_load));
  return c;
}

// A scored candidate of one build_zonelists() call as one number ordered by (val, id): val's sign
// bit flipped (signed order becomes unsigned order) above the id, so that the sort compares words.
using Best = std::uint64_t;
Best best_key(std::int32_t val, NodeId n) {
  return (std::uint64_t{static_cast<std::uint32_t>(val) ^ 0x80000000U} << 32U) |
         static_cast<std::uint32_t>(n);
}
std::int32_t val_of(Best b) { return static_cast<std::int32_t>((b >> 32U) ^ 0x80000000U); }
NodeId node_of(Best b) { return static_cast<NodeId>(b & 0xffffffffU); }

// The kernel's state during one __build_all_zonelists().
struct KernelState {
  const Topology* topo = nullptr;
  EraRules rules;
  const EraRow* era = nullptr;
  RebuildFacts facts;
  std::vector<const Node*> node_data;  // NODE_DATA(nid): the topology's node, by id
  std::vector<int> node_load;          // static int node_load[MAX_NUMNODES]
  // build_zonerefs_node(NODE_DATA(n)) by id, computed once per rebuild: it reads only the pgdat
  // and the zone predicate, which do not change during one (build_zonelists_in_node_order()
  // copies it for every node of every order: 1M times at 1024 nodes).
  std::vector<Zonelist> node_zonerefs;
  ZonelistTrace* trace = nullptr;
  // find_next_best_node()'s scores in the current build_zonelists() call, sorted (see there).
  bool scored = false;
  std::vector<Best> best;
  std::size_t next_best = 0;
  std::vector<CandidateScore> traced;  // the same scores, ascending id (only with a trace)
  std::vector<CandidateScore> open;

  [[nodiscard]] int node_distance(NodeId a, NodeId b) const { return topo->distance.at(a, b); }
  [[nodiscard]] const Node* pgdat_of(NodeId nid) const {
    const auto i = static_cast<std::size_t>(nid);
    return nid >= 0 && i < node_data.size() ? node_data[i] : nullptr;
  }
};

using NodeMask = std::vector<bool>;  // nodemask_t, by id

// Every candidate's val, computed once per build_zonelists() call and sorted by (val, id).
//
// The one optimisation over the kernel's loop, which rescans every candidate per pick (O(N^2)
// per node, O(N^3) per rebuild). It gives the same picks: within one build_zonelists() call only
// the picked node's node_load[] changes, and a picked node is never a candidate again, so every
// remaining candidate keeps its val; `val < min_val` over ascending ids then picks the lowest
// (val, id). Checked against the literal transcription (tests/unit/model/reference_model.cpp) by
// tests/unit/model/random_crosscheck_test.cpp.
void score_candidates(KernelState& k, NodeId node, const NodeMask& used) {
  k.best.clear();
  k.traced.clear();
  k.next_best = 0;
  k.scored = true;
  // for_each_node_state(n, N_MEMORY)
  for (const NodeId n : k.facts.candidates) {
    const auto nu = static_cast<std::size_t>(n);
    // "Don't want a node to appear more than once"
    if (used[nu]) {
      continue;
    }
    const CandidateScore c = score(n, k.node_distance(node, n), n < node, k.facts.has_cpus[nu],
                                   k.facts.multiplier, k.node_load[nu]);
    k.best.push_back(best_key(c.total, n));
    if (k.trace != nullptr) {
      k.traced.push_back(c);
    }
  }
  std::sort(k.best.begin(), k.best.end());
}

// find_next_best_node(node, used_node_mask)
NodeId find_next_best_node(KernelState& k, NodeId node, NodeMask& used) {
  const auto local = static_cast<std::size_t>(node);
  // "Use the local node if we haven't already"; 6.7+: "but for memoryless local node, we should
  // skip it and fall back to other nodes" (node_state(node, N_MEMORY)).
  if (!used[local] && (!k.era->skips_memoryless_local || k.facts.in_memory[local])) {
    used[local] = true;
    if (k.trace != nullptr) {
      k.trace->best_node(node, node, {});
    }
    return node;
  }
  if (!k.scored) {
    score_candidates(k, node, used);
  }
  if (k.trace != nullptr) {
    k.open.clear();
    for (const CandidateScore& c : k.traced) {
      if (!used[static_cast<std::size_t>(c.node)]) {
        k.open.push_back(c);
      }
    }
  }
  // min_val = INT_MAX; `if (val < min_val)`: the lowest (val, id) unless its val is INT_MAX,
  // which is never below min_val (then NUMA_NO_NODE, whatever is left).
  NodeId best_node = kNumaNoNode;
  if (k.next_best < k.best.size() && val_of(k.best[k.next_best]) < INT_MAX) {
    best_node = node_of(k.best[k.next_best++]);
  }
  if (best_node >= 0) {
    used[static_cast<std::size_t>(best_node)] = true;
  }
  if (k.trace != nullptr) {
    k.trace->best_node(node, best_node, k.open);
  }
  return best_node;
}

// Does build_zonerefs_node() take this zone? populated_zone(); managed_zone() from 4.8 until
// e553f62f10d9 (5.18-rc2) and its stable backports (zone_predicate_for()).
bool zone_passes(const KernelState& k, const Zone& z) {
  return k.rules.zone_predicate == ZonePredicate::kManaged ? z.managed != 0 : z.present != 0;
}

// zone = pgdat->node_zones + zone_type; add it to zonerefs if it passes. (A topology may list
// more than one zone of a type; each is taken, in the topology's order.)
void add_zone_type(const KernelState& k, NodeId nid, int zone_type, Zonelist& zonerefs) {
  for (const Zone& zone : k.pgdat_of(nid)->zones) {
    if (zone.index == zone_type && zone_passes(k, zone)) {
      zonerefs.push_back(ZoneRef{.node = nid, .zone_index = zone_type});
    }
  }
}

int highest_zone_type(const Node& pgdat) {  // MAX_NR_ZONES - 1, for the zones this node has
  int top = -1;
  for (const Zone& z : pgdat.zones) {
    top = std::max(top, z.index);
  }
  return top;
}

// build_zonerefs_node(pgdat, zonerefs): the node's zones from the highest zone_type down.
void build_zonerefs_node(const KernelState& k, NodeId nid, Zonelist& zonerefs) {
  const Node* pgdat = k.pgdat_of(nid);
  if (pgdat == nullptr) {
    return;
  }
  for (int zone_type = highest_zone_type(*pgdat); zone_type >= 0; --zone_type) {
    add_zone_type(k, nid, zone_type, zonerefs);
  }
}

// build_zonelists_in_node_order(pgdat, node_order, nr_nodes): ZONELIST_FALLBACK, each node's
// build_zonerefs_node() in turn (computed once per rebuild, KernelState::node_zonerefs).
void build_zonelists_in_node_order(const KernelState& k, const std::vector<NodeId>& node_order,
                                   Zonelist& zonerefs) {
  zonerefs.clear();
  for (const NodeId n : node_order) {
    const Zonelist& z = k.node_zonerefs[static_cast<std::size_t>(n)];
    zonerefs.insert(zonerefs.end(), z.begin(), z.end());
  }
}

// build_zonelists_in_zone_order(pgdat, nr_nodes), <= 4.13: for each zone_type from the highest
// down, that zone of every node in node_order.
void build_zonelists_in_zone_order(const KernelState& k, const std::vector<NodeId>& node_order,
                                   Zonelist& zonerefs) {
  zonerefs.clear();
  int top = -1;
  for (const NodeId n : node_order) {
    if (const Node* pgdat = k.pgdat_of(n)) {
      top = std::max(top, highest_zone_type(*pgdat));
    }
  }
  for (int zone_type = top; zone_type >= 0; --zone_type) {
    for (const NodeId n : node_order) {
      if (k.pgdat_of(n) != nullptr) {
        add_zone_type(k, n, zone_type, zonerefs);
      }
    }
  }
}

// build_thisnode_zonelists(pgdat): ZONELIST_NOFALLBACK, the node's own zones.
void build_thisnode_zonelists(const KernelState& k, NodeId nid, Zonelist& zonerefs) {
  zonerefs.clear();
  build_zonerefs_node(k, nid, zonerefs);
}

// build_zonelists(pgdat)
void build_zonelists(KernelState& k, NodeId local_node, NodeZonelists& out) {
  NodeMask used_mask(k.node_load.size(), false);
  NodeId prev_node = local_node;
  int load = k.facts.nr_online_nodes;  // <= 5.18: int load = nr_online_nodes
  k.scored = false;
  out.node = local_node;
  out.node_order.clear();

  NodeId node = kNumaNoNode;
  while ((node = find_next_best_node(k, local_node, used_mask)) >= 0) {
    Placement p{.local = local_node,
                .node = node,
                .distance = k.node_distance(local_node, node),
                .prev_distance = k.node_distance(local_node, prev_node),
                .load = k.era->load_counter ? load : 0,
                .write = std::nullopt};
    // "We don't want to pressure a particular node. So adding penalty to the first node in same
    // distance group to make it round-robin."
    if (p.distance != p.prev_distance) {
      int& slot = k.node_load[static_cast<std::size_t>(node)];
      const int before = slot;
      switch (k.era->load_write) {
        case LoadWrite::kAssign:  // <= 5.15: node_load[node] = load
          slot = load;
          break;
        case LoadWrite::kAddLoad:  // 5.16 - 5.18: node_load[node] += load
          slot = wrap_add(slot, load);
          break;
        case LoadWrite::kAddOne:  // 5.19+: node_load[node] += 1
          slot = wrap_add(slot, 1);
          break;
      }
      p.write = LoadUpdate{.built_for = local_node, .node = node, .before = before, .after = slot};
    }
    out.node_order.push_back(node);  // node_order[nr_nodes++] = node
    prev_node = node;
    if (k.era->load_counter) {
      load--;  // <= 5.18
    }
    if (k.trace != nullptr) {
      k.trace->placed(p);
    }
  }
  if (k.rules.zonelist_order == ZonelistOrder::kZone) {
    build_zonelists_in_zone_order(k, out.node_order, out.fallback);  // <= 4.13 only
  } else {
    build_zonelists_in_node_order(k, out.node_order, out.fallback);
  }
  build_thisnode_zonelists(k, local_node, out.nofallback);
}

}  // namespace

std::int32_t kernel_score(int distance, bool below_local, bool has_cpus, std::uint32_t multiplier,
                          int node_load) {
  return score(0, distance, below_local, has_cpus, multiplier, node_load).total;
}

struct PredictionStream::State : KernelState {
  std::size_t next = 0;  // index into facts.built
};

// __build_all_zonelists(self): memset(node_load, 0, sizeof(node_load)), then build_zonelists()
// for each node of rebuild_facts().built, in that order, sharing node_load[].
PredictionStream::PredictionStream(const Topology& topo, const EraRules& rules,
                                   const RebuildContext& ctx, ZonelistTrace* trace)
    : state_(std::make_unique<State>()) {
  State& k = *state_;
  k.topo = &topo;
  k.rules = rules;
  k.era = &era_row(rules.era);
  k.facts = rebuild_facts(topo, rules, ctx);
  const std::size_t ids = k.facts.in_memory.size();
  k.node_data.assign(ids, nullptr);
  for (const Node& n : topo.nodes) {
    if (n.id >= 0 && static_cast<std::size_t>(n.id) < ids) {
      k.node_data[static_cast<std::size_t>(n.id)] = &n;
    }
  }
  k.node_zonerefs.resize(ids);
  for (std::size_t nid = 0; nid < ids; ++nid) {
    build_zonerefs_node(k, static_cast<NodeId>(nid), k.node_zonerefs[nid]);
  }
  k.node_load.assign(ids, 0);
  k.trace = trace;
}

PredictionStream::PredictionStream(PredictionStream&& other) noexcept = default;
PredictionStream& PredictionStream::operator=(PredictionStream&& other) noexcept = default;
PredictionStream::~PredictionStream() = default;

bool PredictionStream::in_id_order() const {
  return std::is_sorted(state_->facts.built.begin(), state_->facts.built.end());
}

std::size_t PredictionStream::size() const { return state_->facts.built.size(); }

const RebuildFacts& PredictionStream::facts() const { return state_->facts; }

bool PredictionStream::next(NodeZonelists& nz) {
  State& k = *state_;
  if (k.next == k.facts.built.size()) {
    return false;
  }
  build_zonelists(k, k.facts.built[k.next++], nz);
  return true;
}

Prediction predict(const Topology& topo, const EraRules& rules, const RebuildContext& ctx) {
  Prediction out;
  out.rules = rules;
  PredictionStream stream(topo, rules, ctx);
  out.nodes.reserve(stream.size());
  NodeZonelists nz;
  while (stream.next(nz)) {
    out.nodes.push_back(std::move(nz));
    nz = NodeZonelists{};
  }
  // <= 4.13's self-first pass is the only one not in ascending order.
  std::stable_sort(out.nodes.begin(), out.nodes.end(),
                   [](const NodeZonelists& a, const NodeZonelists& b) { return a.node < b.node; });
  return out;
}

}  // namespace zonelens
