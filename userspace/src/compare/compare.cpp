// SPDX-License-Identifier: GPL-2.0-or-later
// Comparing live zonelists with the model (zonelens/verify.hpp).
#include <algorithm>
#include <bit>
#include <map>
#include <optional>
#include <stdexcept>

#include "zonelens/verify.hpp"

namespace zonelens {

namespace {

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
    c.kind = ContextKind::kRuntimeInferred;
    c.cause = ContextCause::kInferred;
    c.inferred = true;
    c.inferred_cpus = std::move(with);
    c.inferred_distance = std::popcount(m ^ now);
    a.candidate = std::move(c);
    a.match = true;
    return a;
  }
  return std::nullopt;
}

}  // namespace

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

std::vector<NodeId> stale_nodes(const Topology& topo, const EraRules& rules,
                                const LiveZonelists& live) {
  RebuildContext now;
  now.kind = RebuildKind::kRuntime;  // empty masks: the topology's current cpumasks
  std::vector<NodeId> stale;
  for (const auto& v : compare_zonelists(live, predict(topo, rules, now).nodes)) {
    if (!v.match()) {
      stale.push_back(v.node);
    }
  }
  return stale;
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
      // the generation whose masks are unknown, as the candidates that could not say them
      const auto unknown = std::find_if(attempts.begin(), attempts.end(),
                                        [](const auto& t) { return t.candidate.masks_unknown; });
      inferred->candidate.generation = unknown->candidate.generation;
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
