// SPDX-License-Identifier: GPL-2.0-or-later
// `zonelens diff A B`: which nodes' lists changed between two snapshots, the events in between,
// and whether the model explains the change. Pure: parsed documents in, a report out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"
#include "zonelens/verify.hpp"

namespace zonelens::workflow {

struct SnapshotDoc;

enum class ChangeKind {
  kReordered,        // same zonerefs, another order
  kGrew,             // B has every zoneref of A, in A's order, and more
  kShrank,           // A has every zoneref of B, in B's order, and more
  kReplaced,         // some zonerefs came, some went
  kGrewReordered,    // more zonerefs, and the old ones in another order
  kShrankReordered,  // fewer zonerefs, and the rest in another order
};

// How the change between A and B stands (report/ puts it into words).
enum class DiffOutcome {
  kNoChange,        // no list changed
  kModuleReloaded,  // lists changed, the module was reloaded in between: events unknown
  kNoLoggedEvent,   // lists changed with no fingerprint-changing event logged in between
  kAfterLastEvent,  // lists changed after the last logged event (B's fingerprint is not its)
  kAsPredicted,     // the rebuild after `cause` made B's lists, as the model predicts
  kModelDisagrees,  // the same rebuild, but the model predicts other lists for some nodes
};

// One node whose lists differ between A and B.
struct NodeChange {
  NodeId node = 0;
  ChangeKind kind = ChangeKind::kReordered;
  ListDifference first;              // the first differing position (live = B, predicted = A)
  NodeZonelists before;              // A's lists (empty when A does not have the node)
  NodeZonelists after;               // B's lists
  std::optional<bool> as_predicted;  // B's lists equal the model's; unset when no model was run
};

struct DiffReport {
  std::uint64_t fingerprint_a = 0, fingerprint_b = 0;
  std::uint64_t generation_a = 0, generation_b = 0;
  bool module_reloaded = false;  // loaded_ns differs: the log of A and B are different logs
  std::vector<Event> between;    // B's events with A.last_seq < seq <= B.last_seq
  std::uint64_t missing = 0;     // sequence numbers in that window the ring no longer had
  std::uint64_t lost = 0;        // events the notifiers could not record, between A and B
  std::vector<NodeChange> changes;
  std::optional<Event> cause;  // the last fingerprint-changing event between A and B
  std::string kernel_release;  // the rules the model ran with
  // B's rebuild context (resolve_context on B's snapshot and event log), as verify names it.
  ContextCandidate context;
  bool model_run = false;             // the change was checked against the model under `context`
  std::vector<NodeVerdict> verdicts;  // B's lists against the model (empty when not run)
  bool explained = false;
  DiffOutcome outcome = DiffOutcome::kNoChange;
};

// `rules`: the model's rules for B (normally rules_for_release(B's kernel_release)).
DiffReport diff_snapshots(const SnapshotDoc& a, const SnapshotDoc& b, const EraRules& rules);

}  // namespace zonelens::workflow
