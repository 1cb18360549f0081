// SPDX-License-Identifier: GPL-2.0-or-later
// The rebuild-context resolver (zonelens/context.hpp): the candidates, and the lists each stands
// for.
#include "zonelens/context.hpp"

#include <algorithm>

#include "zonelens/verify.hpp"

namespace zonelens {

namespace {

std::vector<bool> nodes_with_cpus(const CpuMap& cpus, int nr_node_ids) {
  int bound = std::max(nr_node_ids, 1);  // sized even when no node had CPUs: "none" stays none
  for (const auto& [nid, list] : cpus) {
    bound = std::max(bound, nid + 1);
  }
  std::vector<bool> out(static_cast<std::size_t>(bound), false);
  for (const auto& [nid, list] : cpus) {
    if (nid >= 0 && !list.empty()) {
      out[static_cast<std::size_t>(nid)] = true;
    }
  }
  return out;
}

// Boot, or runtime with the topology's current masks.
ContextCandidate plain(RebuildKind kind, ContextCause cause, bool masks_unknown) {
  ContextCandidate c;
  c.kind = kind == RebuildKind::kBoot ? ContextKind::kBoot : ContextKind::kRuntimeCurrent;
  c.cause = cause;
  c.context.kind = kind;
  c.masks_unknown = masks_unknown;
  return c;
}

bool memoryless_cpuless(const Node& n) { return !n.memory && !n.cpu && n.cpus.empty(); }

// Nodes online with neither memory nor CPUs: the kernel drops such nodes at boot, so only a DIMM
// add (add_memory -> __try_online_node) can have brought them online, with a self-only build.
std::vector<NodeId> hot_added_nodes(const Topology& topo) {
  std::vector<NodeId> out;
  for (const auto& n : topo.nodes) {
    if (n.online && memoryless_cpuless(n)) {
      out.push_back(n.id);
    }
  }
  return out;
}

// Offline nodes with a pgdat and neither memory nor CPUs: each may be a DIMM add in flight.
// add_memory_resource() runs __try_online_node(nid, false), whose build_all_zonelists(pgdat)
// builds that node's lists alone while it is still offline; node_set_online() follows only after
// arch_add_memory(). A read in between sees the new lists of an offline node.
std::vector<NodeId> hot_add_in_flight(const Topology& topo) {
  std::vector<NodeId> out;
  for (const auto& n : topo.nodes) {
    if (!n.online && n.has_pgdat && memoryless_cpuless(n)) {
      out.push_back(n.id);
    }
  }
  return out;
}

// The contexts that explain generation `gen` (full rebuilds only).
std::vector<ContextCandidate> full_rebuild_contexts(const EventLog& log, std::uint64_t gen,
                                                    int nr_node_ids) {
  const auto both = [gen](ContextCandidate first, ContextCandidate second) {
    first.generation = second.generation = gen;
    return std::vector<ContextCandidate>{std::move(first), std::move(second)};
  };
  if (gen == 0) {
    const ContextCause why = ContextCause::kNoRebuildSinceLoad;
    return both(plain(RebuildKind::kBoot, why, true), plain(RebuildKind::kRuntime, why, true));
  }
  const Event* e = log.event_that_set(gen);
  if (e == nullptr) {
    const ContextCause why = ContextCause::kEventLeftLog;
    std::vector<ContextCandidate> out =
        both(plain(RebuildKind::kRuntime, why, true), plain(RebuildKind::kBoot, why, true));
    for (auto& c : out) {
      c.dropped = log.dropped;
    }
    return out;
  }
  ContextCandidate at_event;
  at_event.kind = ContextKind::kRuntimeEvent;
  at_event.generation = gen;
  at_event.event = *e;
  at_event.context.kind = RebuildKind::kRuntime;
  at_event.context.nodes_with_cpus = nodes_with_cpus(e->cpus, nr_node_ids);
  if (is_memory_event(e->type)) {
    if (e->type == EventType::kMemOffline && e->nid) {
      at_event.context.still_in_memory = e->nid;  // the model applies it only before 6.7
    }
    at_event.cause = ContextCause::kMemoryEvent;
    return {at_event};
  }
  at_event.cause = ContextCause::kOtherEvent;
  std::vector<ContextCandidate> out{at_event};
  for (const RebuildKind k : {RebuildKind::kRuntime, RebuildKind::kBoot}) {
    ContextCandidate c = plain(k, ContextCause::kOtherEvent, false);
    c.generation = gen;
    c.event = *e;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::vector<ContextCandidate> candidate_contexts(const Topology& topo, const EventLog& log,
                                                 std::uint64_t generation, int nr_node_ids) {
  const std::uint64_t gen = generation;
  std::vector<ContextCandidate> out = full_rebuild_contexts(log, gen, nr_node_ids);
  const Event* e = gen == 0 ? nullptr : log.event_that_set(gen);
  const std::vector<NodeId> added = hot_added_nodes(topo);
  const std::vector<NodeId> in_flight = hot_add_in_flight(topo);
  if (e == nullptr || e->type != EventType::kFpChange || (added.empty() && in_flight.empty())) {
    return out;
  }
  // The previous generation's contexts with `self` laid over; `in_flight` is the offline node
  // among them, if any.
  const auto overlay = [&](const std::vector<NodeId>& self, std::optional<NodeId> in_flight) {
    for (ContextCandidate base : full_rebuild_contexts(log, gen - 1, nr_node_ids)) {
      base.self_only = self;
      base.self_only_masks = nodes_with_cpus(e->cpus, nr_node_ids);
      base.hot_added = added;
      base.add_in_flight = in_flight;
      base.noticed_by = *e;
      out.push_back(std::move(base));
    }
  };
  if (!added.empty()) {
    overlay(added, std::nullopt);
  }
  // One DIMM add in flight at a time: each such node on its own, beside the online ones.
  for (const NodeId k : in_flight) {
    std::vector<NodeId> self = added;
    self.insert(std::lower_bound(self.begin(), self.end(), k), k);
    overlay(self, k);
  }
  return out;
}

std::vector<ContextCandidate> candidate_contexts(const Snapshot& snapshot, const EventLog& log) {
  return candidate_contexts(snapshot.topology, log, snapshot.generation,
                            snapshot.header.nr_node_ids);
}

ContextCandidate explicit_context(RebuildKind kind) {
  return plain(kind, ContextCause::kGiven, false);
}

ContextCandidate default_context() {
  return plain(RebuildKind::kBoot, ContextCause::kDefault, false);
}

RebuildContext rebuild_of_node(const ContextCandidate& c, NodeId node) {
  if (std::find(c.self_only.begin(), c.self_only.end(), node) == c.self_only.end()) {
    return c.context;
  }
  RebuildContext own;
  own.kind = RebuildKind::kRuntime;
  own.nodes_with_cpus = c.self_only_masks;
  own.self_only = node;
  return own;
}

Prediction predict_candidate(const Topology& topo, const EraRules& rules,
                             const ContextCandidate& c) {
  Prediction p = predict(topo, rules, c.context);
  for (const NodeId k : c.self_only) {
    for (auto& built : predict(topo, rules, rebuild_of_node(c, k)).nodes) {
      if (built.node != k) {
        continue;
      }
      auto at = std::lower_bound(p.nodes.begin(), p.nodes.end(), k,
                                 [](const NodeZonelists& z, NodeId id) { return z.node < id; });
      if (at != p.nodes.end() && at->node == k) {
        *at = std::move(built);
      } else {
        p.nodes.insert(at, std::move(built));
      }
    }
  }
  return p;
}

ResolvedContext resolve_context(const Topology& topo, const EraRules& rules,
                                const Snapshot* snapshot, const EventLog* log,
                                std::optional<RebuildKind> given) {
  ResolvedContext r;
  if (snapshot == nullptr || log == nullptr) {
    r.context = given ? explicit_context(*given) : default_context();
    return r;
  }
  r.against_live = verify_lists(
      topo, rules, snapshot->zonelists,
      given ? std::vector<ContextCandidate>{explicit_context(*given)}
            : candidate_contexts(topo, *log, snapshot->generation, snapshot->header.nr_node_ids));
  r.context = r.against_live->best().candidate;
  return r;
}

}  // namespace zonelens
