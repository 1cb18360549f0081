// SPDX-License-Identifier: GPL-2.0-or-later
// Small helpers to write topologies in tests.
#pragma once

#include <initializer_list>
#include <vector>

#include "zonelens/model.hpp"

namespace zonelens::testing {

inline constexpr int kDma = 0;
inline constexpr int kDma32 = 1;
inline constexpr int kNormal = 2;
inline constexpr int kMovable = 3;

inline Zone zone(int index, std::uint64_t present, std::uint64_t managed) {
  static const char* const kNames[] = {"DMA", "DMA32", "Normal", "Movable", "Device"};
  return Zone{.index = index,
              .name = kNames[index],
              .present = present,
              .managed = managed,
              .spanned = present};
}

// `n` online nodes with memory (one Normal zone each), no CPUs, the given distance matrix.
inline Topology make_topology(const std::vector<std::vector<int>>& distances) {
  Topology t;
  const int n = static_cast<int>(distances.size());
  t.nr_node_ids = n;
  t.max_numnodes = 1024;
  t.zone_names = {"DMA", "DMA32", "Normal", "Movable", "Device"};
  t.distance = DistanceTable(n);
  for (int i = 0; i < n; ++i) {
    Node node;
    node.id = i;
    node.online = true;
    node.memory = true;
    node.normal_memory = true;
    node.zones = {zone(kNormal, 1000, 1000)};
    t.nodes.push_back(node);
    for (int j = 0; j < n; ++j) {
      t.distance.set(i, j, distances[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]);
    }
  }
  return t;
}

inline Topology all_remote(int n, int remote = kRemoteDistance) {
  std::vector<std::vector<int>> d(static_cast<std::size_t>(n),
                                  std::vector<int>(static_cast<std::size_t>(n), remote));
  for (int i = 0; i < n; ++i) {
    d[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)] = kLocalDistance;
  }
  return make_topology(d);
}

inline EraRules rules(KernelEra era, ZonePredicate p = ZonePredicate::kPopulated) {
  return EraRules{.era = era, .zone_predicate = p};
}

inline RebuildContext boot() { return RebuildContext{}; }
inline RebuildContext runtime(std::vector<bool> with_cpus = {}) {
  RebuildContext c;
  c.kind = RebuildKind::kRuntime;
  c.nodes_with_cpus = std::move(with_cpus);
  return c;
}

inline std::vector<NodeId> order_of(const Prediction& p, NodeId node) {
  for (const auto& nz : p.nodes) {
    if (nz.node == node) {
      return nz.node_order;
    }
  }
  return {};
}

inline std::vector<std::vector<NodeId>> orders(const Prediction& p) {
  std::vector<std::vector<NodeId>> out;
  for (const auto& nz : p.nodes) {
    out.push_back(nz.node_order);
  }
  return out;
}

inline std::vector<NodeId> built(const Prediction& p) {
  std::vector<NodeId> out;
  for (const auto& nz : p.nodes) {
    out.push_back(nz.node);
  }
  return out;
}

}  // namespace zonelens::testing
