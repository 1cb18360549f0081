// SPDX-License-Identifier: GPL-2.0-or-later
// The era-aware model of __build_all_zonelists / build_zonelists / find_next_best_node.
// Pure functions of data: no I/O here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/topology.hpp"

namespace zonelens {

// Mainline eras of the fallback-order rule (docs/kernel-eras.md).
enum class KernelEra {
  kPre414,  // <= 4.13: node_load[n] = load, online nodes, zone/node order (node order modelled)
  k414,     // 4.14 - 5.15: node_load[n] = load, multiplier nr_online_nodes*MAX_NUMNODES
  k516,     // 5.16 - 5.17: node_load[n] += load
  k518,     // 5.18: += load, every possible node is built
  k519,     // 5.19 - 6.6: += 1, multiplier MAX_NUMNODES
  k607,     // 6.7+: memoryless local node skipped; offline clears N_MEMORY before the rebuild
};

enum class ZonePredicate { kPopulated, kManaged };  // populated_zone() / managed_zone()

struct EraRules {
  KernelEra era = KernelEra::k607;
  ZonePredicate zone_predicate = ZonePredicate::kPopulated;
};

struct KernelVersion {
  int major = 0, minor = 0, patch = 0;
};

// "6.12.117+deb12-amd64" -> {6,12,117}; nullopt when it does not start with N.N.
std::optional<KernelVersion> parse_kernel_release(std::string_view release);
// The rules a kernel release follows, stable backports of the zone predicate included.
EraRules rules_for(const KernelVersion& v);
std::string_view era_name(KernelEra era);

// The state the kernel saw when it last rebuilt.
enum class RebuildKind {
  kBoot,     // x86 boot build: no node has CPUs in cpumask_of_node yet
  kRuntime,  // a runtime rebuild: the CPU masks as given in nodes_with_cpus
};

struct RebuildContext {
  RebuildKind kind = RebuildKind::kBoot;
  // For kRuntime: nodes whose cpumask_of_node() was non-empty at the rebuild (indexed by node id).
  // Empty means "take the topology's current masks".
  std::vector<bool> nodes_with_cpus;
  // Hot-added node: build_all_zonelists(pgdat) of an offline node builds only that node, node_load
  // zeroed first.
  std::optional<NodeId> self_only;
  // Before 6.7, offline_pages rebuilds before clearing N_MEMORY: this node is still a candidate.
  std::optional<NodeId> still_in_memory;
};

struct ZoneRef {
  NodeId node = 0;
  int zone_index = 0;
  friend bool operator==(const ZoneRef&, const ZoneRef&) = default;
};
using Zonelist = std::vector<ZoneRef>;

struct NodeZonelists {
  NodeId node = 0;
  std::vector<NodeId> node_order;  // what "Fallback order for Node N:" prints
  Zonelist fallback;               // ZONELIST_FALLBACK
  Zonelist nofallback;             // ZONELIST_NOFALLBACK
};

struct Prediction {
  EraRules rules;
  std::vector<NodeZonelists> nodes;  // every node the era builds, ascending id
};

// The zonelists the kernel of `rules` builds for `topo` in a rebuild seen as `ctx`.
Prediction predict(const Topology& topo, const EraRules& rules, const RebuildContext& ctx);

// "N:ZoneName", the token the kernel's mminit::zonelist print and the debugfs files use.
std::string zoneref_name(const Topology& topo, const ZoneRef& ref);

}  // namespace zonelens
