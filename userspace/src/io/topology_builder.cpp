// SPDX-License-Identifier: GPL-2.0-or-later
#include "topology_builder.hpp"

#include <algorithm>

#include "zonelens/error.hpp"

namespace zonelens {

TopologyBuilder::TopologyBuilder(Topology& topo, const std::vector<NodeId>& possible,
                                 NotPossible not_possible)
    : topo_(topo), not_possible_(std::move(not_possible)) {
  int bound = std::max(topo.nr_node_ids, 0);
  for (const NodeId id : possible) {
    bound = std::max(bound, id + 1);
  }
  index_of_.assign(static_cast<std::size_t>(bound), -1);
  topo_.nodes.reserve(possible.size());
  for (const NodeId id : possible) {
    index_of_[static_cast<std::size_t>(id)] = static_cast<int>(topo_.nodes.size());
    Node n;
    n.id = id;
    n.has_pgdat = false;  // set by add_zone for the nodes with a pgdat
    topo_.nodes.push_back(std::move(n));
  }
}

Node& TopologyBuilder::node(NodeId id, std::string_view what) {
  if (id < 0 || id >= topo_.nr_node_ids || static_cast<std::size_t>(id) >= index_of_.size() ||
      index_of_[static_cast<std::size_t>(id)] < 0) {
    throw InputError(not_possible_(id, what));
  }
  return topo_.nodes[static_cast<std::size_t>(index_of_[static_cast<std::size_t>(id)])];
}

void TopologyBuilder::set_states(const std::vector<NodeId>& online,
                                 const std::vector<NodeId>& memory,
                                 const std::vector<NodeId>& normal_memory,
                                 const std::vector<NodeId>& cpu,
                                 const std::array<std::string_view, 4>& what) {
  for (const NodeId id : online) {
    node(id, what[0]).online = true;
  }
  for (const NodeId id : memory) {
    node(id, what[1]).memory = true;
  }
  for (const NodeId id : normal_memory) {
    node(id, what[2]).normal_memory = true;
  }
  for (const NodeId id : cpu) {
    node(id, what[3]).cpu = true;
  }
}

void TopologyBuilder::add_zone(NodeId id, Zone zone, std::string_view what) {
  Node& n = node(id, what);
  n.has_pgdat = true;
  n.zones.push_back(std::move(zone));
}

}  // namespace zonelens
