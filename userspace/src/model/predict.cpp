// SPDX-License-Identifier: GPL-2.0-or-later
// predict(): __build_all_zonelists() for one rebuild.
#include <algorithm>

#include "order.hpp"
#include "zonelens/model.hpp"

namespace zonelens {

Zonelist fallback_list(ZonelistOrder order, const std::vector<Zonelist>& zones_by_node,
                       const std::vector<NodeId>& node_order) {
  Zonelist out;
  const auto zones_of = [&](NodeId n) -> const Zonelist* {
    const auto nu = static_cast<std::size_t>(n);
    return n >= 0 && nu < zones_by_node.size() ? &zones_by_node[nu] : nullptr;
  };
  if (order == ZonelistOrder::kNode) {
    for (const NodeId n : node_order) {
      if (const Zonelist* z = zones_of(n)) {
        out.insert(out.end(), z->begin(), z->end());
      }
    }
    return out;
  }
  // Zone order: every node's list is sorted by descending index, so one cursor per position of
  // the node order walks it once while the zone index goes down.
  int top = -1;
  for (const NodeId n : node_order) {
    if (const Zonelist* z = zones_of(n); z != nullptr && !z->empty()) {
      top = std::max(top, z->front().zone_index);
    }
  }
  std::vector<std::size_t> cursor(node_order.size(), 0);
  for (int zone = top; zone >= 0; --zone) {
    for (std::size_t i = 0; i < node_order.size(); ++i) {
      const Zonelist* z = zones_of(node_order[i]);
      if (z != nullptr && cursor[i] < z->size() && (*z)[cursor[i]].zone_index == zone) {
        out.push_back((*z)[cursor[i]++]);
      }
    }
  }
  return out;
}

struct PredictionStream::State {
  const Topology* topo = nullptr;
  EraRules rules;
  RebuildFacts facts;
  std::size_t next = 0;  // index into facts.built
  // Every node's zonerefs, by id, and flat: node n's are flat[begin[n], begin[n + 1]).
  std::vector<Zonelist> per_node;
  std::vector<std::size_t> begin;
  Zonelist flat;
  std::vector<int> node_load;  // memset once per __build_all_zonelists()
  detail::OrderScratch scratch;
};

PredictionStream::PredictionStream(const Topology& topo, const EraRules& rules,
                                   const RebuildContext& ctx)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.topo = &topo;
  s.rules = rules;
  s.facts = rebuild_facts(topo, rules, ctx);
  const auto bound = static_cast<std::size_t>(detail::id_bound(topo));
  s.per_node.resize(bound);
  for (const auto& n : topo.nodes) {
    if (n.id >= 0) {
      s.per_node[static_cast<std::size_t>(n.id)] = zonerefs_of(topo, n.id, rules.zone_predicate);
    }
  }
  s.begin.assign(bound + 1, 0);
  for (std::size_t i = 0; i < bound; ++i) {
    s.begin[i + 1] = s.begin[i] + s.per_node[i].size();
  }
  s.flat.reserve(s.begin[bound]);
  for (const auto& z : s.per_node) {
    s.flat.insert(s.flat.end(), z.begin(), z.end());
  }
  s.node_load.assign(bound, 0);
}

PredictionStream::PredictionStream(PredictionStream&& other) noexcept = default;
PredictionStream& PredictionStream::operator=(PredictionStream&& other) noexcept = default;
PredictionStream::~PredictionStream() = default;

bool PredictionStream::in_id_order() const {
  return std::is_sorted(state_->facts.built.begin(), state_->facts.built.end());
}

std::size_t PredictionStream::size() const { return state_->facts.built.size(); }

bool PredictionStream::next(NodeZonelists& nz) {
  if (!next_order(nz)) {
    return false;
  }
  zonelists_of(nz);
  return true;
}

bool PredictionStream::next_order(NodeZonelists& nz) {
  State& s = *state_;
  if (s.next == s.facts.built.size()) {
    return false;
  }
  const NodeId local = s.facts.built[s.next++];
  nz.node = local;
  detail::build_order(*s.topo, s.rules, s.facts, local, s.node_load, s.scratch, nz.node_order);
  return true;
}

void PredictionStream::zonelists_of(NodeZonelists& nz) const {
  const State& s = *state_;
  nz.nofallback = s.per_node[static_cast<std::size_t>(nz.node)];
  if (s.rules.zonelist_order == ZonelistOrder::kZone) {
    nz.fallback = fallback_list(s.rules.zonelist_order, s.per_node, nz.node_order);
    return;
  }
  // Node order, the hot path: copies out of one flat array (fallback_list gives the same).
  std::size_t total = 0;
  for (const NodeId n : nz.node_order) {
    const auto nu = static_cast<std::size_t>(n);
    total += s.begin[nu + 1] - s.begin[nu];
  }
  // Every zoneref is written once: into the vector's own elements when it already has `total`
  // of them (a reused vector: the pipeline's slots), else appended after reserve() (a new
  // vector: resize() would clear what is overwritten right after, 8 MB at 1024 nodes).
  const auto copy_all = [&](auto&& put) {
    for (const NodeId n : nz.node_order) {
      const auto nu = static_cast<std::size_t>(n);
      const ZoneRef* src = s.flat.data() + s.begin[nu];
      const std::size_t count = s.begin[nu + 1] - s.begin[nu];
      if (count == 1) {
        put(*src);  // the common case: no call to memmove for one zoneref
      } else {
        for (std::size_t i = 0; i < count; ++i) {
          put(src[i]);
        }
      }
    }
  };
  if (nz.fallback.size() == total) {
    ZoneRef* dst = nz.fallback.data();
    copy_all([&dst](const ZoneRef& r) { *dst++ = r; });
    return;
  }
  nz.fallback.clear();
  nz.fallback.reserve(total);
  copy_all([&nz](const ZoneRef& r) { nz.fallback.push_back(r); });
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
