// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/verify.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <optional>
#include <stdexcept>

namespace zonelens {

namespace {

std::vector<bool> nodes_with_cpus(const CpuMap& cpus, int nr_node_ids) {
  int bound = nr_node_ids;
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

// A runtime context whose CPU masks are inferred from the lists (see try_contexts).
std::optional<ContextAttempt> infer_masks(const Topology& topo, const EraRules& rules,
                                          const LiveZonelists& live) {
  std::vector<const Node*> memory;
  NodeId bound = 0;
  for (const auto& n : topo.nodes) {
    bound = std::max(bound, n.id + 1);
    if (n.memory) {
      memory.push_back(&n);
    }
  }
  if (memory.empty() || memory.size() > static_cast<std::size_t>(kMaxInferredMemoryNodes)) {
    return std::nullopt;
  }
  std::uint32_t now = 0;
  for (std::size_t i = 0; i < memory.size(); ++i) {
    if (!memory[i]->cpus.empty()) {
      now |= 1U << i;
    }
  }
  std::vector<std::uint32_t> masks(std::size_t{1} << memory.size());
  for (std::uint32_t m = 0; m < masks.size(); ++m) {
    masks[m] = m;
  }
  std::stable_sort(masks.begin(), masks.end(), [now](std::uint32_t a, std::uint32_t b) {
    return std::popcount(a ^ now) < std::popcount(b ^ now);
  });
  for (const std::uint32_t m : masks) {
    ContextCandidate c;
    c.context.kind = RebuildKind::kRuntime;
    c.context.nodes_with_cpus.assign(static_cast<std::size_t>(bound), false);
    std::vector<NodeId> with;
    for (std::size_t i = 0; i < memory.size(); ++i) {
      if (((m >> i) & 1U) != 0) {
        c.context.nodes_with_cpus[static_cast<std::size_t>(memory[i]->id)] = true;
        with.push_back(memory[i]->id);
      }
    }
    ContextAttempt a;
    a.verdicts = compare_zonelists(live, predict(topo, rules, c.context).nodes);
    if (!all_match(a.verdicts)) {
      continue;
    }
    c.inferred = true;
    c.label = "runtime (inferred masks: CPUs on memory nodes " + join_ids(with) + ")";
    c.reason =
        "the last rebuild predates the module's event log, so its CPU masks are unknown and no "
        "recorded context explains the lists; a rebuild that saw CPUs on memory nodes " +
        join_ids(with) + " (" + std::to_string(std::popcount(m ^ now)) +
        " memory nodes differ from the current masks) explains every list";
    a.candidate = std::move(c);
    a.match = true;
    return a;
  }
  return std::nullopt;
}

// Nodes online with neither memory nor CPUs: the kernel drops such nodes at boot, so only a DIMM
// add (add_memory -> __try_online_node) can have brought them online, with a self-only build.
std::vector<NodeId> hot_added_nodes(const Topology& topo) {
  std::vector<NodeId> out;
  for (const auto& n : topo.nodes) {
    if (n.online && !n.memory && !n.cpu && n.cpus.empty()) {
      out.push_back(n.id);
    }
  }
  return out;
}

// The contexts that explain generation `gen` (full rebuilds only).
std::vector<ContextCandidate> full_rebuild_contexts(const Snapshot& snapshot, const EventLog& log,
                                                    std::uint64_t gen);

}  // namespace

Prediction predict_candidate(const Topology& topo, const EraRules& rules,
                             const ContextCandidate& c) {
  Prediction p = predict(topo, rules, c.context);
  for (const NodeId k : c.self_only) {
    RebuildContext own;
    own.kind = RebuildKind::kRuntime;
    own.nodes_with_cpus = c.self_only_masks;
    own.self_only = k;
    for (auto& built : predict(topo, rules, own).nodes) {
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

ContextCandidate explicit_context(RebuildKind kind) {
  return kind == RebuildKind::kBoot ? boot("given with --context boot")
                                    : runtime_now("given with --context runtime");
}

namespace {

std::vector<ContextCandidate> full_rebuild_contexts(const Snapshot& snapshot, const EventLog& log,
                                                    std::uint64_t gen) {
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
  at_event.context.nodes_with_cpus = nodes_with_cpus(e->cpus, snapshot.header.nr_node_ids);
  if (is_memory_event(e->type)) {
    if (e->type == EventType::kMemOffline && e->nid) {
      at_event.context.still_in_memory = e->nid;
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

std::vector<ContextCandidate> candidate_contexts(const Snapshot& snapshot, const EventLog& log) {
  const std::uint64_t gen = snapshot.generation;
  std::vector<ContextCandidate> out = full_rebuild_contexts(snapshot, log, gen);
  const Event* e = gen == 0 ? nullptr : log.event_that_set(gen);
  const std::vector<NodeId> added = hot_added_nodes(snapshot.topology);
  if (e == nullptr || e->type != EventType::kFpChange || added.empty()) {
    return out;
  }
  const std::string nodes = join_ids(added);
  for (ContextCandidate base : full_rebuild_contexts(snapshot, log, gen - 1)) {
    base.label += " + self-only build of node " + nodes;
    base.reason = "hot-added node " + nodes +
                  " (online, no memory, no CPUs) built its own lists "
                  "at DIMM add (" +
                  describe(*e) + " noticed it); the other nodes keep generation " +
                  std::to_string(gen - 1) + ": " + base.reason;
    base.self_only = added;
    base.self_only_masks = nodes_with_cpus(e->cpus, snapshot.header.nr_node_ids);
    out.push_back(std::move(base));
  }
  return out;
}

std::string_view list_kind_name(ListKind k) {
  return k == ListKind::kFallback ? "fallback" : "nofallback";
}

namespace {

std::optional<ListDifference> first_difference(ListKind kind, const Zonelist& live,
                                               const Zonelist& predicted) {
  const std::size_t n = std::min(live.size(), predicted.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!(live[i] == predicted[i])) {
      return ListDifference{kind, i, live[i], predicted[i]};
    }
  }
  if (live.size() == predicted.size()) {
    return std::nullopt;
  }
  ListDifference d{kind, n, std::nullopt, std::nullopt};
  if (n < live.size()) {
    d.live = live[n];
  }
  if (n < predicted.size()) {
    d.predicted = predicted[n];
  }
  return d;
}

}  // namespace

std::vector<NodeVerdict> compare_zonelists(const LiveZonelists& live,
                                           const std::vector<NodeZonelists>& predicted) {
  static const NodeZonelists kEmpty{};
  std::map<NodeId, std::pair<const NodeZonelists*, const NodeZonelists*>> both;
  for (const auto& n : live) {
    both[n.node].first = &n;
  }
  for (const auto& n : predicted) {
    both[n.node].second = &n;
  }
  std::vector<NodeVerdict> out;
  out.reserve(both.size());
  for (const auto& [id, pair] : both) {
    const NodeZonelists& l = pair.first != nullptr ? *pair.first : kEmpty;
    const NodeZonelists& p = pair.second != nullptr ? *pair.second : kEmpty;
    NodeVerdict v;
    v.node = id;
    v.difference = first_difference(ListKind::kFallback, l.fallback, p.fallback);
    if (!v.difference) {
      v.difference = first_difference(ListKind::kNofallback, l.nofallback, p.nofallback);
    }
    out.push_back(v);
  }
  return out;
}

bool all_match(const std::vector<NodeVerdict>& verdicts) {
  return std::all_of(verdicts.begin(), verdicts.end(),
                     [](const NodeVerdict& v) { return v.match(); });
}

std::vector<ContextAttempt> try_contexts(const Topology& topo, const EraRules& rules,
                                         const LiveZonelists& live,
                                         std::vector<ContextCandidate> candidates) {
  const bool masks_unknown = std::any_of(candidates.begin(), candidates.end(),
                                         [](const ContextCandidate& c) { return c.masks_unknown; });
  std::vector<ContextAttempt> attempts;
  attempts.reserve(candidates.size() + 1);
  for (auto& c : candidates) {
    ContextAttempt a;
    a.verdicts = compare_zonelists(live, predict_candidate(topo, rules, c).nodes);
    a.match = all_match(a.verdicts);
    a.candidate = std::move(c);
    attempts.push_back(std::move(a));
    if (attempts.back().match) {
      return attempts;
    }
  }
  if (masks_unknown) {
    if (auto inferred = infer_masks(topo, rules, live)) {
      attempts.push_back(std::move(*inferred));
    }
  }
  return attempts;
}

Verification verify_lists(const Topology& topo, const EraRules& rules, const LiveZonelists& live,
                          std::vector<ContextCandidate> candidates) {
  if (candidates.empty()) {
    throw std::logic_error("verify_lists: no rebuild context to try");
  }
  Verification v;
  v.attempts = try_contexts(topo, rules, live, std::move(candidates));
  v.match = v.attempts.back().match;
  return v;
}

std::vector<NodeId> Verification::mismatched() const {
  std::vector<NodeId> out;
  for (const auto& v : best().verdicts) {
    if (!v.match()) {
      out.push_back(v.node);
    }
  }
  return out;
}

std::string join_ids(const std::vector<NodeId>& ids) {
  std::string s;
  for (const NodeId id : ids) {
    s += (s.empty() ? "" : ",") + std::to_string(id);
  }
  return s.empty() ? "none" : s;
}

}  // namespace zonelens
