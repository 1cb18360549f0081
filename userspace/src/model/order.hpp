// SPDX-License-Identifier: GPL-2.0-or-later
// Internal: one build_zonelists() node order, shared by predict() and explain().
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
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
  // sort_by_score's counts by flipped val - min (and part), kept 0 between calls; calloc'ed
  struct Free {
    void operator()(std::uint16_t* p) const { std::free(p); }
  };
  std::unique_ptr<std::uint16_t, Free> count;
  std::vector<std::uint32_t> distinct;  // the flipped vals - min that occur
  std::vector<std::uint8_t> has_cpus;   // facts.has_cpus as bytes, filled on first use
  std::vector<int> distance;            // node_distance(local, n) of this call, by id
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

// The flipped vals of the keys that sort_by_score sorts, as build_order generates them.
struct ScoreRange {
  std::uint32_t min = ~0U;  // smallest flipped val
  std::uint32_t max = 0;    // largest
  std::uint32_t any = 0;    // OR of them all
  std::uint32_t all = ~0U;  // AND of them all
  void add(std::uint32_t hi) {
    min = hi < min ? hi : min;
    max = hi > max ? hi : max;
    any |= hi;
    all &= hi;
  }
};

// Sorts keys of the form (flipped val << 32 | id), generated in ascending id order, by
// (val, id). Few distinct vals close together (the common case: a few distance classes times the
// multiplier, plus small loads): one counting pass over the distinct vals. Otherwise a stable LSD
// radix sort over only the val bits that differ between the keys.
void sort_by_score(std::vector<std::uint64_t>& keys, OrderScratch& scratch,
                   const ScoreRange& range);

// build_zonelists(local)'s node order; updates node_load[] exactly as the kernel does.
// Within one call only the picked node's load changes, and a picked node is never a candidate
// again, so every remaining candidate keeps the score it had at the start of the call: the
// order of find_next_best_node's picks is the candidates sorted by (val, id), cut at the first
// val == INT_MAX (never `< min_val` when min_val starts at INT_MAX).
void build_order(const Topology& topo, const EraRules& rules, const RebuildFacts& facts,
                 NodeId local, std::vector<int>& node_load, OrderScratch& scratch,
                 std::vector<NodeId>& order);

}  // namespace zonelens::detail
