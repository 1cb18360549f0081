// SPDX-License-Identifier: GPL-2.0-or-later
// The node-state invariants every kernel keeps, checked on every source's topology.
#include "zonelens/invariants.hpp"

#include <span>

#include "zonelens/error.hpp"

namespace zonelens {

void check_topology(const Topology& topo, const std::string& file, std::string_view fix) {
  auto bad = [&](const std::string& what) {
    throw InputError(file + ": " + what + ", which no kernel shows: " + std::string(fix));
  };
  if (topo.max_numnodes < 1 || topo.max_numnodes > kMaxNumnodes ||
      (topo.max_numnodes & (topo.max_numnodes - 1)) != 0) {
    bad("max_numnodes " + std::to_string(topo.max_numnodes) +
        " is not a power of two from 1 to 1024");
  }
  if (topo.nodes.empty() || topo.nr_node_ids != topo.nodes.back().id + 1 ||
      topo.nr_node_ids > topo.max_numnodes) {
    bad("nr_node_ids " + std::to_string(topo.nr_node_ids) +
        " is not the highest possible node + 1 within max_numnodes");
  }
  if (topo.zone_names.empty() || topo.zone_names.size() > static_cast<std::size_t>(kMaxZones)) {
    bad("there are " + std::to_string(topo.zone_names.size()) + " zone names, not 1 to 6");
  }
  bool any_online = false;
  bool any_memory = false;
  for (const auto& n : topo.nodes) {
    const std::string node = "node " + std::to_string(n.id);
    any_online = any_online || n.online;
    any_memory = any_memory || n.memory;
    if ((n.memory || n.cpu) && !n.online) {
      bad(node + " has memory or CPUs but is not online");
    }
    if (n.normal_memory && !n.memory) {
      bad(node + " has normal memory (N_NORMAL_MEMORY) but not memory (N_MEMORY)");
    }
    if (n.online && !n.has_pgdat) {
      bad(node + " is online but has no pgdat (no zones)");
    }
    bool populated = false;
    for (const auto& z : n.zones) {
      populated = populated || z.present > 0;
      if (z.present > kMaxPages || z.managed > z.present || z.present > z.spanned) {
        bad(node + " zone " + z.name +
            " does not have managed <= present <= spanned <= 2^40 pages");
      }
    }
    if (populated != n.memory) {
      bad(node + (n.memory ? " is in N_MEMORY but has no populated zone"
                           : " has a populated zone but is not in N_MEMORY"));
    }
    for (const int cpu : n.cpus) {
      if (cpu < 0 || cpu >= kMaxCpus) {
        bad(node + " has CPU " + std::to_string(cpu) + ", not below NR_CPUS 8192");
      }
    }
  }
  if (!any_online || !any_memory) {
    bad(std::string(any_online ? "no node has memory" : "no node is online"));
  }
  // Every pair (1M at 1024 nodes): a row at a time, through at() only outside the table.
  const auto bad_distance = [](NodeId a, NodeId b, int d) {
    return a == b ? d != kLocalDistance : d < kLocalDistance || d > kMaxDistance;
  };
  // Nodes 0..n-1 and a table of n rows (every source but a sparse topology file): each row is
  // checked as it is stored, a pair not given (-1) has at()'s default, which is never bad.
  bool dense = static_cast<std::size_t>(topo.distance.size()) == topo.nodes.size();
  for (std::size_t i = 0; dense && i < topo.nodes.size(); ++i) {
    dense = topo.nodes[i].id == static_cast<NodeId>(i);
  }
  for (const auto& a : topo.nodes) {
    const std::span<const int> row = topo.distance.row(a.id);
    bool any_bad = false;
    if (dense) {
      for (const int d : row) {
        // given and outside 10..255
        any_bad |= d >= 0 && static_cast<unsigned>(d - kLocalDistance) >
                                 static_cast<unsigned>(kMaxDistance - kLocalDistance);
      }
      const int self = row[static_cast<std::size_t>(a.id)];
      any_bad |= self >= 0 && self != kLocalDistance;
    } else {
      for (const auto& b : topo.nodes) {
        const auto column = static_cast<std::size_t>(b.id);
        const int stored = b.id >= 0 && column < row.size() ? row[column] : -1;
        const int d = stored >= 0 ? stored : topo.distance.at(a.id, b.id);
        any_bad = any_bad || bad_distance(a.id, b.id, d);
      }
    }
    if (!any_bad) {
      continue;
    }
    for (const auto& b : topo.nodes) {
      const int d = topo.distance.at(a.id, b.id);
      if (bad_distance(a.id, b.id, d)) {
        bad("the distance from node " + std::to_string(a.id) + " to node " + std::to_string(b.id) +
            " is " + std::to_string(d) + " (10 to itself, 10 to 255 to others)");
      }
    }
  }
}

}  // namespace zonelens
