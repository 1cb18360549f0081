// SPDX-License-Identifier: GPL-2.0-or-later
// Internal: one build_zonelists() node order, shared by predict() and explain().
#pragma once

#include <cstdint>
#include <vector>

#include "zonelens/model.hpp"

namespace zonelens::detail {

// Size of the id-indexed arrays for `topo` (largest id + 1, at least nr_node_ids).
int id_bound(const Topology& topo);

// The node_load[] update of one pick, as the era writes it (int arithmetic, wrapping).
int updated_load(KernelEra era, int current, int counter);

// Reusable buffers for build_order().
struct OrderScratch {
  std::vector<std::uint64_t> keys;
  std::vector<std::uint64_t> tmp;
  std::vector<std::uint8_t> has_cpus;  // facts.has_cpus as bytes, filled on first use
  std::vector<int> distance;           // node_distance(local, n) of this call, by id
};

// kernel_score(), inline for the hot loop.
inline std::int32_t score(int distance, bool below_local, bool has_cpus, std::uint32_t multiplier,
                          int node_load) {
  auto v = static_cast<std::uint32_t>(distance);
  v += below_local ? 1U : 0U;  // val += (n < node)
  v += has_cpus ? 1U : 0U;     // PENALTY_FOR_NODE_WITH_CPUS == 1
  v *= multiplier;
  v += static_cast<std::uint32_t>(node_load);
  return static_cast<std::int32_t>(v);  // modulo 2^32, as gcc converts
}

// Sorts keys of the form (flipped val << 32 | id), generated in ascending id order, by
// (val, id): a stable LSD radix sort over only the val bits that differ between the keys.
// `differ` has the bits in which some flipped val differs from another (OR ^ AND of them all).
void sort_by_score(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& tmp,
                   std::uint32_t differ);

// build_zonelists(local)'s node order; updates node_load[] exactly as the kernel does.
// Within one call only the picked node's load changes, and a picked node is never a candidate
// again, so every remaining candidate keeps the score it had at the start of the call: the
// order of find_next_best_node's picks is the candidates sorted by (val, id), cut at the first
// val == INT_MAX (never `< min_val` when min_val starts at INT_MAX).
void build_order(const Topology& topo, const EraRules& rules, const RebuildFacts& facts,
                 NodeId local, std::vector<int>& node_load, OrderScratch& scratch,
                 std::vector<NodeId>& order);

}  // namespace zonelens::detail
