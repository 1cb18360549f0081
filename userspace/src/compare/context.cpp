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

std::string describe(const Event& e) {
  std::string s = "event " + std::to_string(e.seq) + " (" + std::string(event_type_name(e.type));
  if (e.nid) {
    s += " nid " + std::to_string(*e.nid);
  }
  if (e.cpu) {
    s += " cpu " + std::to_string(*e.cpu);
  }
  return s + ")";
}

// Boot, or runtime with the topology's current masks.
ContextCandidate plain(RebuildKind kind, std::string reason, bool masks_unknown) {
  ContextCandidate c;
  c.label = kind == RebuildKind::kBoot ? "boot" : "runtime (current masks)";
  c.context.kind = kind;
  c.reason = std::move(reason);
  c.masks_unknown = masks_unknown;
  return c;
}

ContextCandidate runtime_now(std::string reason, bool masks_unknown = false) {
  return plain(RebuildKind::kRuntime, std::move(reason), masks_unknown);
}

ContextCandidate boot(std::string reason, bool masks_unknown = false) {
  return plain(RebuildKind::kBoot, std::move(reason), masks_unknown);
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
  if (gen == 0) {
    const std::string why =
        "no rebuild since the module loaded, so the lists predate the module's event log";
    return {boot(why, true), runtime_now(why, true)};
  }
  const Event* e = log.event_that_set(gen);
  if (e == nullptr) {
    const std::string why = "the event that set generation " + std::to_string(gen) +
                            " has left the event log (" + std::to_string(log.dropped) + " dropped)";
    return {runtime_now(why, true), boot(why, true)};
  }
  ContextCandidate at_event;
  at_event.label = "runtime (masks of event " + std::to_string(e->seq) + ")";
  at_event.context.kind = RebuildKind::kRuntime;
  at_event.context.nodes_with_cpus = nodes_with_cpus(e->cpus, nr_node_ids);
  if (is_memory_event(e->type)) {
    if (e->type == EventType::kMemOffline && e->nid) {
      at_event.context.still_in_memory = e->nid;  // the model applies it only before 6.7
    }
    at_event.reason = describe(*e) + " rebuilt the lists (generation " + std::to_string(gen) +
                      ") with the cpumasks it recorded";
    return {at_event};
  }
  at_event.reason = describe(*e) + " noticed generation " + std::to_string(gen) +
                    " without a memory event to explain it";
  return {at_event, runtime_now(at_event.reason), boot(at_event.reason)};
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
  // The previous generation's contexts with `self` laid over; `how` says why those nodes.
  const auto overlay = [&](const std::vector<NodeId>& self, const std::string& how) {
    const std::string nodes = join_ids(self);
    for (ContextCandidate base : full_rebuild_contexts(log, gen - 1, nr_node_ids)) {
      base.label += " + self-only build of node " + nodes;
      base.reason = how + " built its own lists at DIMM add (" + describe(*e) +
                    " noticed it); the other nodes keep generation " + std::to_string(gen - 1) +
                    ": " + base.reason;
      base.self_only = self;
      base.self_only_masks = nodes_with_cpus(e->cpus, nr_node_ids);
      out.push_back(std::move(base));
    }
  };
  if (!added.empty()) {
    overlay(added, "hot-added node " + join_ids(added) + " (online, no memory, no CPUs)");
  }
  // One DIMM add in flight at a time: each such node on its own, beside the online ones.
  for (const NodeId k : in_flight) {
    std::vector<NodeId> self = added;
    self.insert(std::lower_bound(self.begin(), self.end(), k), k);
    overlay(self, "node " + std::to_string(k) +
                      " (offline with a pgdat, no memory, no CPUs: a DIMM add in flight, before "
                      "node_set_online)" +
                      (added.empty() ? std::string() : " and hot-added node " + join_ids(added)));
  }
  return out;
}

std::vector<ContextCandidate> candidate_contexts(const Snapshot& snapshot, const EventLog& log) {
  return candidate_contexts(snapshot.topology, log, snapshot.generation,
                            snapshot.header.nr_node_ids);
}

ContextCandidate explicit_context(RebuildKind kind) {
  return kind == RebuildKind::kBoot ? boot("given with --context boot")
                                    : runtime_now("given with --context runtime");
}

ContextCandidate default_context() {
  return boot(
      "the default without the module's event log (pass --context runtime for a rebuild with "
      "the current CPU masks)");
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
