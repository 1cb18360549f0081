// SPDX-License-Identifier: GPL-2.0-or-later
// The one Topology builder of the readers (the module's snapshot, sysfs + /proc): the possible
// nodes, their states, cpumasks and zones, looked up by id with the reader's own error message.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/topology.hpp"

namespace zonelens {

class TopologyBuilder {
 public:
  // The message of the InputError node() throws for an id that is not possible; `what` is the
  // caller's name for where the id came from.
  using NotPossible = std::function<std::string(NodeId id, std::string_view what)>;

  // Every node of `possible` (ascending) with no state and no pgdat yet.
  TopologyBuilder(Topology& topo, const std::vector<NodeId>& possible, NotPossible not_possible);

  // The possible node `id`; InputError(not_possible(id, what)) otherwise.
  Node& node(NodeId id, std::string_view what);
  // Sets N_ONLINE, N_MEMORY, N_NORMAL_MEMORY, N_CPU of every node listed; `what` names each list.
  void set_states(const std::vector<NodeId>& online, const std::vector<NodeId>& memory,
                  const std::vector<NodeId>& normal_memory, const std::vector<NodeId>& cpu,
                  const std::array<std::string_view, 4>& what);
  // Adds `zone` to node `id`'s pgdat (which then exists).
  void add_zone(NodeId id, Zone zone, std::string_view what);

 private:
  Topology& topo_;
  std::vector<int> index_of_;
  NotPossible not_possible_;
};

}  // namespace zonelens
