// SPDX-License-Identifier: GPL-2.0-or-later
// The pure logic of `zonelens diff`.
#include "zonelens/workflow/diff.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "zonelens/workflow/snapshot_doc.hpp"

namespace zonelens::workflow {

std::string_view change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kReordered:
      return "reordered";
    case ChangeKind::kGrew:
      return "grew";
    case ChangeKind::kShrank:
      return "shrank";
    case ChangeKind::kReplaced:
      return "replaced";
    case ChangeKind::kGrewReordered:
      return "grew and reordered";
    case ChangeKind::kShrankReordered:
      return "shrank and reordered";
  }
  return "?";
}

std::string describe_event(const Event& e) {
  const std::string nid = e.nid ? " on node " + std::to_string(*e.nid) : "";
  switch (e.type) {
    case EventType::kMemGoingOnline:
      return "memory going online" + nid;
    case EventType::kMemOnline:
      return "memory online" + nid;
    case EventType::kMemCancelOnline:
      return "cancelled memory online" + nid;
    case EventType::kMemGoingOffline:
      return "memory going offline" + nid;
    case EventType::kMemOffline:
      return "memory offline" + nid;
    case EventType::kMemCancelOffline:
      return "cancelled memory offline" + nid;
    case EventType::kCpuOnline:
    case EventType::kCpuOffline:
      return "CPU " + (e.cpu ? std::to_string(*e.cpu) : std::string("?")) +
             (e.type == EventType::kCpuOnline ? " online" : " offline") + nid;
    case EventType::kFpChange:
      return "a change noticed at " + (e.at.empty() ? std::string("read") : e.at);
    case EventType::kNodeAddingFirstMemory:
      return "first memory being added" + nid;
    case EventType::kNodeAddedFirstMemory:
      return "first memory added" + nid;
    case EventType::kNodeCancelAddingFirstMemory:
      return "cancelled first memory" + nid;
    case EventType::kNodeRemovingLastMemory:
      return "last memory being removed" + nid;
    case EventType::kNodeRemovedLastMemory:
      return "last memory removed" + nid;
    case EventType::kNodeCancelRemovingLastMemory:
      return "cancelled removal of the last memory" + nid;
  }
  return "?";
}

std::string nodes_with_cpus_text(const CpuMap& cpus) {
  std::string s;
  for (const auto& [nid, list] : cpus) {
    if (list.empty()) {
      continue;
    }
    s += s.empty() ? "" : ",";
    s += std::to_string(nid);
  }
  return s.empty() ? "none" : s;
}

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

std::string join_nodes(const std::vector<NodeId>& ids) {
  std::string s;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) {
      s += i + 1 == ids.size() ? " and " : ", ";
    }
    s += std::to_string(ids[i]);
  }
  return s;
}

// "lists of nodes 0 and 2 reordered, node 3 grew"
std::string changes_text(const std::vector<NodeChange>& changes) {
  std::map<ChangeKind, std::vector<NodeId>> by_kind;
  for (const auto& c : changes) {
    by_kind[c.kind].push_back(c.node);
  }
  std::string s;
  for (const auto& [kind, ids] : by_kind) {
    s += s.empty() ? "" : ", ";
    s += (ids.size() == 1 ? "list of node " : "lists of nodes ") + join_nodes(ids) + " " +
         std::string(change_kind_name(kind));
  }
  return s;
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
  const std::string drop_note =
      r.missing != 0 ? " (" + std::to_string(r.missing) + " events in between left the ring)" : "";
  const std::string lost_note =
      r.lost != 0 ? " (" + std::to_string(r.lost) + " events were lost by the notifiers)" : "";

  if (r.changes.empty()) {
    r.explained = true;
    r.summary = "no zonelist changed between the snapshots (" + std::to_string(r.between.size()) +
                " events in between)" + drop_note;
    return r;
  }
  if (r.module_reloaded) {
    r.summary = changes_text(r.changes) +
                ", but the module was reloaded between the snapshots (or B predates A), so the "
                "events in between are unknown";
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
    r.summary = changes_text(r.changes) + " with no logged event between the snapshots" +
                drop_note + lost_note;
    return r;
  }
  if (fp != sb.fingerprint) {
    r.summary = changes_text(r.changes) + " after the last logged event (" +
                describe_event(*r.cause) + ", seq " + std::to_string(r.cause->seq) + ")" +
                lost_note;
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
  const std::string rebuild = "rebuild after " + describe_event(*r.cause) + " (seq " +
                              std::to_string(r.cause->seq) + ") saw CPUs on nodes " +
                              nodes_with_cpus_text(r.cause->cpus) + "; " + changes_text(r.changes);
  if (r.explained) {
    r.summary = rebuild + " as predicted" + drop_note;
  } else {
    std::vector<NodeId> off;
    for (const auto& v : r.verdicts) {
      if (!v.match()) {
        off.push_back(v.node);
      }
    }
    r.summary = rebuild + ", but the model predicts other lists for " +
                (off.size() == 1 ? "node " : "nodes ") + join_nodes(off) + drop_note + lost_note;
  }
  return r;
}

}  // namespace zonelens::workflow
