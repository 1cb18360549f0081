// SPDX-License-Identifier: GPL-2.0-or-later
// The pure logic of `zonelens diff`.
#include "zonelens/workflow/diff.hpp"

#include <algorithm>
#include <set>

#include "zonelens/workflow/snapshot_doc.hpp"

namespace zonelens::workflow {

namespace {

const NodeZonelists* find_lists(const LiveZonelists& lists, NodeId node) {
  for (const auto& n : lists) {
    if (n.node == node) {
      return &n;
    }
  }
  return nullptr;
}

// True when every element of `small` appears in `big` in the same order.
bool is_subsequence(const Zonelist& small, const Zonelist& big) {
  std::size_t j = 0;
  for (const auto& r : big) {
    if (j < small.size() && small[j] == r) {
      ++j;
    }
  }
  return j == small.size();
}

bool keeps_order(const NodeZonelists& small, const NodeZonelists& big) {
  return is_subsequence(small.fallback, big.fallback) &&
         is_subsequence(small.nofallback, big.nofallback);
}

ChangeKind classify(const NodeZonelists& a, const NodeZonelists& b) {
  auto key = [](const ZoneRef& r) { return std::pair{r.node, r.zone_index}; };
  std::multiset<std::pair<int, int>> sa;
  std::multiset<std::pair<int, int>> sb;
  for (const auto* l : {&a.fallback, &a.nofallback}) {
    for (const auto& r : *l) {
      sa.insert(key(r));
    }
  }
  for (const auto* l : {&b.fallback, &b.nofallback}) {
    for (const auto& r : *l) {
      sb.insert(key(r));
    }
  }
  if (sa == sb) {
    return ChangeKind::kReordered;
  }
  if (std::includes(sb.begin(), sb.end(), sa.begin(), sa.end())) {
    return keeps_order(a, b) ? ChangeKind::kGrew : ChangeKind::kGrewReordered;
  }
  if (std::includes(sa.begin(), sa.end(), sb.begin(), sb.end())) {
    return keeps_order(b, a) ? ChangeKind::kShrank : ChangeKind::kShrankReordered;
  }
  return ChangeKind::kReplaced;
}

}  // namespace

DiffReport diff_snapshots(const SnapshotDoc& a, const SnapshotDoc& b, const EraRules& rules) {
  DiffReport r;
  const Snapshot& sa = a.snapshot;
  const Snapshot& sb = b.snapshot;
  r.fingerprint_a = sa.fingerprint;
  r.fingerprint_b = sb.fingerprint;
  r.generation_a = sa.generation;
  r.generation_b = sb.generation;
  r.kernel_release = sb.header.kernel_release;
  const ResolvedContext resolved =
      resolve_context(sb.topology, rules, &sb, &b.events, std::nullopt);
  r.context = resolved.context;
  r.module_reloaded = a.events.loaded_ns != b.events.loaded_ns ||
                      sb.events.last_seq < sa.events.last_seq || sb.generation < sa.generation;

  // The changed nodes (B as "live", A as "predicted" in compare_zonelists' terms).
  for (const auto& v : compare_zonelists(sb.zonelists, sa.zonelists)) {
    if (v.match()) {
      continue;
    }
    NodeChange c;
    c.node = v.node;
    c.first = *v.difference;
    if (const auto* l = find_lists(sa.zonelists, v.node)) {
      c.before = *l;
    }
    c.before.node = v.node;
    if (const auto* l = find_lists(sb.zonelists, v.node)) {
      c.after = *l;
    }
    c.after.node = v.node;
    c.kind = classify(c.before, c.after);
    r.changes.push_back(std::move(c));
  }

  // The events in between.
  if (!r.module_reloaded) {
    const std::uint64_t from = sa.events.last_seq;  // exclusive
    const std::uint64_t to = sb.events.last_seq;    // inclusive
    for (const auto& e : b.events.events) {
      if (e.seq > from && e.seq <= to) {
        r.between.push_back(e);
      }
    }
    r.missing = (to - from) - r.between.size();
    r.lost = sb.events.lost >= sa.events.lost ? sb.events.lost - sa.events.lost : 0;
  }
  if (r.changes.empty()) {
    r.explained = true;
    r.outcome = DiffOutcome::kNoChange;
    return r;
  }
  if (r.module_reloaded) {
    r.outcome = DiffOutcome::kModuleReloaded;
    return r;
  }
  std::uint64_t fp = sa.fingerprint;
  for (const auto& e : r.between) {
    if (e.fingerprint != fp) {
      r.cause = e;
      fp = e.fingerprint;
    }
  }
  if (!r.cause) {
    r.outcome = DiffOutcome::kNoLoggedEvent;
    return r;
  }
  if (fp != sb.fingerprint) {
    r.outcome = DiffOutcome::kAfterLastEvent;
    return r;
  }
  r.model_run = true;
  r.verdicts = resolved.against_live->best().verdicts;
  r.explained = resolved.against_live->match;
  for (auto& c : r.changes) {
    bool ok = true;
    for (const auto& v : r.verdicts) {
      if (v.node == c.node) {
        ok = v.match();
      }
    }
    c.as_predicted = ok;
  }
  r.outcome = r.explained ? DiffOutcome::kAsPredicted : DiffOutcome::kModelDisagrees;
  return r;
}

}  // namespace zonelens::workflow
