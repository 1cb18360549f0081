// SPDX-License-Identifier: GPL-2.0-or-later
// The fixed inputs of one rebuild, the kernel's score arithmetic, and one node's order.
#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cstdlib>
#include <new>
#include <span>

#include "order.hpp"
#include "zonelens/model.hpp"

namespace zonelens {
namespace detail {

int id_bound(const Topology& topo) {
  int bound = std::max(topo.nr_node_ids, 1);
  for (const auto& n : topo.nodes) {
    bound = std::max(bound, n.id + 1);
  }
  return bound;
}

int updated_load(KernelEra era, int current, int counter) {
  const auto old_u = static_cast<std::uint32_t>(current);
  switch (era) {
    case KernelEra::kPre414:
    case KernelEra::k414:
      return counter;  // node_load[node] = load
    case KernelEra::k516:
    case KernelEra::k518:  // node_load[node] += load
      return static_cast<int>(old_u + static_cast<std::uint32_t>(counter));
    case KernelEra::k519:
    case KernelEra::k607:  // node_load[node] += 1
      break;
  }
  return static_cast<int>(old_u + 1U);
}

namespace {

// The counting sort of sort_by_score, for vals - min below kSpan with at most kMaxDistinct
// distinct ones; false (keys untouched, counts cleared) when there are more.
constexpr std::uint32_t kSpan = 1U << 16U;
constexpr std::size_t kMaxDistinct = 64;
// The keys go in kCountParts consecutive parts side by side, each with its own counts (as in the
// radix sort below): many keys share a val, and one counter per val would make one long chain
// of increments through memory. The last part also takes the n % kParts left over.
constexpr std::size_t kCountParts = 4;

bool sort_by_counting(std::vector<std::uint64_t>& keys, OrderScratch& scratch, std::uint32_t min) {
  const std::size_t n = keys.size();
  if (!scratch.count) {
    // calloc: the pages of vals that never occur are never touched (512 KiB, mostly unused)
    scratch.count.reset(static_cast<std::uint16_t*>(
        std::calloc(std::size_t{kSpan} * kCountParts, sizeof(std::uint16_t))));
    if (!scratch.count) {
      throw std::bad_alloc();
    }
  }
  std::uint16_t* count = scratch.count.get();  // count[(v * kCountParts) + part]
  auto& distinct = scratch.distinct;
  distinct.clear();
  const std::uint64_t* k = keys.data();
  const std::size_t len = n / kCountParts;
  const std::size_t rest = len * kCountParts;
  const auto tally = [&](std::uint64_t key, std::size_t q) {
    const auto v = static_cast<std::uint32_t>(key >> 32U) - min;
    if (count[(std::size_t{v} * kCountParts) + q]++ == 0) {
      distinct.push_back(v);  // once per part in which v occurs
    }
  };
  for (std::size_t i = 0; i < len; ++i) {
    for (std::size_t q = 0; q < kCountParts; ++q) {
      tally(k[(q * len) + i], q);
    }
  }
  for (std::size_t i = rest; i < n; ++i) {
    tally(k[i], kCountParts - 1);
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() > kMaxDistinct) {
    for (const std::uint32_t v : distinct) {
      std::fill_n(count + (std::size_t{v} * kCountParts), kCountParts, 0);
    }
    return false;
  }
  // count[v][q] becomes the first position of part q's keys of val v: val by val, part by part
  // (the parts are in id order, so the sort is stable).
  std::uint16_t at = 0;
  for (const std::uint32_t v : distinct) {
    for (std::size_t q = 0; q < kCountParts; ++q) {
      std::uint16_t& c = count[(std::size_t{v} * kCountParts) + q];
      const std::uint16_t here = c;
      c = at;
      at = static_cast<std::uint16_t>(at + here);
    }
  }
  scratch.tmp.resize(n);
  std::uint64_t* out = scratch.tmp.data();
  const auto place = [&](std::uint64_t key, std::size_t q) {
    const auto v = static_cast<std::uint32_t>(key >> 32U) - min;
    out[count[(std::size_t{v} * kCountParts) + q]++] = key;
  };
  for (std::size_t i = 0; i < len; ++i) {
    for (std::size_t q = 0; q < kCountParts; ++q) {
      place(k[(q * len) + i], q);
    }
  }
  for (std::size_t i = rest; i < n; ++i) {
    place(k[i], kCountParts - 1);
  }
  for (const std::uint32_t v : distinct) {
    std::fill_n(count + (std::size_t{v} * kCountParts), kCountParts, 0);
  }
  keys.swap(scratch.tmp);
  return true;
}

}  // namespace

void sort_by_score(std::vector<std::uint64_t>& keys, OrderScratch& scratch,
                   const ScoreRange& range) {
  const std::size_t n = keys.size();
  const std::uint32_t differ = range.any ^ range.all;
  if (n < 2 || differ == 0) {
    return;  // one score: id order, which is generation order
  }
  if (n <= 32) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  // Positions fit the 16-bit counts: a topology has at most kMaxNumnodes candidates.
  if (range.max - range.min < kSpan && n < kSpan && sort_by_counting(keys, scratch, range.min)) {
    return;
  }
  std::vector<std::uint64_t>& tmp = scratch.tmp;
  constexpr unsigned kBits = 8;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  constexpr std::size_t kMask = kBuckets - 1;
  const auto low = static_cast<unsigned>(std::countr_zero(differ));
  const auto high = static_cast<unsigned>(std::bit_width(differ));
  // The keys go in kParts consecutive parts side by side: each part has its own bucket counts and
  // write positions (a bucket holds part 0's keys, then part 1's, ..., which keeps the sort
  // stable), so the increments of a bucket that many keys share form kParts short dependency
  // chains instead of one long one. The last part also takes the n % kParts left over.
  constexpr std::size_t kParts = 2;
  const std::size_t len = n / kParts;
  const std::size_t rest = len * kParts;
  tmp.resize(n);
  for (unsigned shift = low; shift < high; shift += kBits) {
    const unsigned s = 32U + shift;
    std::array<std::array<std::uint32_t, kBuckets>, kParts> at{};
    const std::uint64_t* k = keys.data();
    for (std::size_t i = 0; i < len; ++i) {
      for (std::size_t q = 0; q < kParts; ++q) {
        ++at[q][(k[(q * len) + i] >> s) & kMask];
      }
    }
    for (std::size_t i = rest; i < n; ++i) {
      ++at[kParts - 1][(k[i] >> s) & kMask];
    }
    std::uint32_t sum = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      for (std::size_t q = 0; q < kParts; ++q) {
        const std::uint32_t c = at[q][b];
        at[q][b] = sum;
        sum += c;
      }
    }
    std::uint64_t* out = tmp.data();
    for (std::size_t i = 0; i < len; ++i) {
      for (std::size_t q = 0; q < kParts; ++q) {
        const std::uint64_t x = k[(q * len) + i];
        out[at[q][(x >> s) & kMask]++] = x;
      }
    }
    for (std::size_t i = rest; i < n; ++i) {
      out[at[kParts - 1][(k[i] >> s) & kMask]++] = k[i];
    }
    keys.swap(tmp);
  }
}

void build_order(const Topology& topo, const EraRules& rules, const RebuildFacts& facts,
                 NodeId local, std::vector<int>& node_load, OrderScratch& scratch,
                 std::vector<NodeId>& order) {
  const auto local_u = static_cast<std::size_t>(local);
  const bool local_first = !era_skips_memoryless_local(rules.era) ||
                           (local_u < facts.in_memory.size() && facts.in_memory[local_u]);

  if (scratch.has_cpus.size() != facts.has_cpus.size()) {
    scratch.has_cpus.assign(facts.has_cpus.begin(), facts.has_cpus.end());
    scratch.distance.assign(facts.has_cpus.size(), 0);
  }
  const std::uint8_t* cpus = scratch.has_cpus.data();
  int* dist = scratch.distance.data();
  const int* load_of = node_load.data();

  // Scores of every candidate, fixed for this call.
  auto& keys = scratch.keys;
  keys.resize(facts.candidates.size());
  std::uint64_t* next_key = keys.data();
  ScoreRange range;
  const std::span<const int> local_row = topo.distance.row(local);
  const std::uint32_t multiplier = facts.multiplier;
  const auto add = [&](NodeId n, int d) {
    const auto nu = static_cast<std::size_t>(n);
    dist[nu] = d;
    const std::int32_t val = score(d, n < local, cpus[nu] != 0, multiplier, load_of[nu]);
    // (val, id) as one unsigned key: flip the sign bit so signed order becomes unsigned order.
    const std::uint32_t hi = static_cast<std::uint32_t>(val) ^ 0x80000000U;
    range.add(hi);
    *next_key++ = (std::uint64_t{hi} << 32U) | static_cast<std::uint32_t>(n);
  };
  const std::size_t n_candidates = facts.candidates.size();
  if (n_candidates == local_row.size() && n_candidates != 0 &&
      facts.candidates.back() == static_cast<NodeId>(n_candidates - 1)) {
    // Every id of the row is a candidate (ascending, distinct: ids 0..n-1), the common case: no
    // id lookups, and `n < local` is fixed on each side of the local node.
    const int* row = local_row.data();
    const auto add_range = [&](std::size_t from, std::size_t to, std::uint32_t below) {
      for (std::size_t i = from; i < to; ++i) {
        int d = row[i];
        if (d < 0) {
          d = i == local_u ? kLocalDistance : kRemoteDistance;  // at() for a pair not given
        }
        dist[i] = d;
        std::uint32_t v = static_cast<std::uint32_t>(d) + below + cpus[i];
        v = (v * multiplier) + static_cast<std::uint32_t>(load_of[i]);  // score(), inlined
        const std::uint32_t hi = v ^ 0x80000000U;
        range.add(hi);
        *next_key++ = (std::uint64_t{hi} << 32U) | i;
      }
    };
    const std::size_t split = std::min(local_u, n_candidates);
    add_range(0, split, 1U);
    if (split < n_candidates && !local_first) {
      add_range(split, split + 1, 0U);
    }
    add_range(std::min(split + 1, n_candidates), n_candidates, 0U);
  } else {
    for (const NodeId n : facts.candidates) {
      const auto nu = static_cast<std::size_t>(n);
      const int stored = nu < local_row.size() ? local_row[nu] : -1;
      if (n != local || !local_first) {
        add(n, stored >= 0 ? stored : topo.distance.at(local, n));
      }
    }
  }
  keys.resize(static_cast<std::size_t>(next_key - keys.data()));
  sort_by_score(keys, scratch, range);

  // val == INT_MAX is never < min_val: find_next_best_node returns NUMA_NO_NODE there. It is the
  // largest val, so such keys are the last ones.
  constexpr std::uint64_t kIntMaxHi = static_cast<std::uint32_t>(INT_MAX) ^ 0x80000000U;
  std::size_t picks = keys.size();
  while (picks != 0 && (keys[picks - 1] >> 32U) == kIntMaxHi) {
    --picks;
  }
  const int local_distance = topo.distance.at(local, local);
  int prev_distance = local_distance;  // prev_node starts as the local node
  int load = facts.nr_online_nodes;    // <= 5.18 only
  const bool counter = era_uses_load_counter(rules.era);
  order.resize(picks + (local_first ? 1 : 0));
  NodeId* out = order.data();
  if (local_first) {
    *out++ = local;  // distance(local, local) == distance(local, prev): no update
    if (counter) {
      --load;
    }
  }
  int* load_slot = node_load.data();
  const std::uint64_t* key = keys.data();
  for (std::size_t i = 0; i < picks; ++i) {
    const auto n = static_cast<NodeId>(key[i] & 0xffffffffU);
    const int d = dist[static_cast<std::size_t>(n)];
    if (d != prev_distance) {
      int& slot = load_slot[static_cast<std::size_t>(n)];
      slot = updated_load(rules.era, slot, load - static_cast<int>(counter ? i : 0));
    }
    out[i] = n;
    prev_distance = d;
  }
}

}  // namespace detail

std::int32_t kernel_score(int distance, bool below_local, bool has_cpus, std::uint32_t multiplier,
                          int node_load) {
  return detail::score(distance, below_local, has_cpus, multiplier, node_load);
}

RebuildFacts rebuild_facts(const Topology& topo, const EraRules& rules, const RebuildContext& ctx) {
  RebuildFacts f;
  const int bound = detail::id_bound(topo);
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
  const auto online = static_cast<std::uint32_t>(f.nr_online_nodes);
  const auto max_nodes = static_cast<std::uint32_t>(topo.max_numnodes);
  f.multiplier = era_uses_load_counter(rules.era) ? online * max_nodes : max_nodes;

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
    }
  }
  // Before 6.7 offline_pages() rebuilds before node_states_clear_node().
  if (ctx.still_in_memory && rules.era != KernelEra::k607) {
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
    if (rules.era != KernelEra::kPre414) {
      return f;  // 4.14+: `if (self && !node_online(self)) build_zonelists(self); else ...`
    }
    // <= 4.13 builds self, then every online node, with one node_load[].
  }
  const bool possible = era_builds_possible_nodes(rules.era) && !self;
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

Zonelist zonerefs_of(const Topology& topo, NodeId node, ZonePredicate pred) {
  Zonelist out;
  const Node* n = topo.find(node);
  if (n == nullptr) {
    return out;
  }
  for (const auto& z : n->zones) {
    const bool pass = pred == ZonePredicate::kManaged ? z.managed > 0 : z.present > 0;
    if (pass) {
      out.push_back(ZoneRef{.node = node, .zone_index = z.index});
    }
  }
  // build_zonerefs_node() walks zone_type from MAX_NR_ZONES - 1 down to 0.
  std::stable_sort(out.begin(), out.end(),
                   [](const ZoneRef& a, const ZoneRef& b) { return a.zone_index > b.zone_index; });
  return out;
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
