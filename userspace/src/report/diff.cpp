// SPDX-License-Identifier: GPL-2.0-or-later
// Events and snapshot differences in words (zonelens/report/diff.hpp).
#include "zonelens/report/diff.hpp"

#include <map>
#include <vector>

namespace zonelens::report {

using workflow::ChangeKind;
using workflow::NodeChange;

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

std::string diff_summary(const workflow::DiffReport& r) {
  const std::string drop_note =
      r.missing != 0 ? " (" + std::to_string(r.missing) + " events in between left the ring)" : "";
  const std::string lost_note =
      r.lost != 0 ? " (" + std::to_string(r.lost) + " events were lost by the notifiers)" : "";
  const auto rebuild = [&r] {
    return "rebuild after " + describe_event(*r.cause) + " (seq " + std::to_string(r.cause->seq) +
           ") saw CPUs on nodes " + nodes_with_cpus_text(r.cause->cpus) + "; " +
           changes_text(r.changes);
  };
  switch (r.outcome) {
    case workflow::DiffOutcome::kNoChange:
      return "no zonelist changed between the snapshots (" + std::to_string(r.between.size()) +
             " events in between)" + drop_note;
    case workflow::DiffOutcome::kModuleReloaded:
      return changes_text(r.changes) +
             ", but the module was reloaded between the snapshots (or B predates A), so the "
             "events in between are unknown";
    case workflow::DiffOutcome::kNoLoggedEvent:
      return changes_text(r.changes) + " with no logged event between the snapshots" + drop_note +
             lost_note;
    case workflow::DiffOutcome::kAfterLastEvent:
      return changes_text(r.changes) + " after the last logged event (" + describe_event(*r.cause) +
             ", seq " + std::to_string(r.cause->seq) + ")" + lost_note;
    case workflow::DiffOutcome::kAsPredicted:
      return rebuild() + " as predicted" + drop_note;
    case workflow::DiffOutcome::kModelDisagrees: {
      std::vector<NodeId> off;
      for (const auto& v : r.verdicts) {
        if (!v.match()) {
          off.push_back(v.node);
        }
      }
      return rebuild() + ", but the model predicts other lists for " +
             (off.size() == 1 ? "node " : "nodes ") + join_nodes(off) + drop_note + lost_note;
    }
  }
  return "?";
}

}  // namespace zonelens::report
