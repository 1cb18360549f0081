// SPDX-License-Identifier: GPL-2.0-or-later
#include "zonelens/verify.hpp"

#include <algorithm>
#include <map>

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

ContextCandidate runtime_now(std::string reason) {
  ContextCandidate c;
  c.label = "runtime (current masks)";
  c.context.kind = RebuildKind::kRuntime;
  c.reason = std::move(reason);
  return c;
}

ContextCandidate boot(std::string reason) {
  ContextCandidate c;
  c.label = "boot";
  c.context.kind = RebuildKind::kBoot;
  c.reason = std::move(reason);
  return c;
}

}  // namespace

ContextCandidate explicit_context(RebuildKind kind) {
  return kind == RebuildKind::kBoot ? boot("given with --context boot")
                                    : runtime_now("given with --context runtime");
}

std::vector<ContextCandidate> candidate_contexts(const Snapshot& snapshot, const EventLog& log) {
  const std::uint64_t gen = snapshot.generation;
  if (gen == 0) {
    const std::string why =
        "no rebuild since the module loaded, so the lists predate the module's event log";
    return {boot(why), runtime_now(why)};
  }
  const Event* e = log.event_that_set(gen);
  if (e == nullptr) {
    const std::string why = "the event that set generation " + std::to_string(gen) +
                            " has left the event log (" + std::to_string(log.dropped) + " dropped)";
    return {runtime_now(why), boot(why)};
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

}  // namespace zonelens
