// SPDX-License-Identifier: GPL-2.0-or-later
// Comparing the kernel's live zonelists with the model, and resolving the rebuild context that
// explains them (resolve_context, the one choice every command makes). Pure functions of parsed
// data (no I/O).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/context.hpp"
#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"

namespace zonelens {

enum class ListKind { kFallback, kNofallback };
std::string_view list_kind_name(ListKind k);

// The first position where two lists of one node differ; a side is nullopt past its end.
struct ListDifference {
  ListKind list = ListKind::kFallback;
  std::size_t position = 0;
  std::optional<ZoneRef> live;
  std::optional<ZoneRef> predicted;
};

struct NodeVerdict {
  NodeId node = 0;
  std::optional<ListDifference> difference;  // nullopt: both lists match
  [[nodiscard]] bool match() const { return !difference; }
};

// Per node of either side, ascending id. A node one side does not build counts as two empty
// lists (the kernel's zonelist of a node without a built list is empty).
std::vector<NodeVerdict> compare_zonelists(const LiveZonelists& live,
                                           const std::vector<NodeZonelists>& predicted);
[[nodiscard]] bool all_match(const std::vector<NodeVerdict>& verdicts);

// The nodes whose live lists a rebuild now, with the topology's current cpumasks, would change:
// after CPU hotplug (which never rebuilds) the lists are stale until the next memory event.
// watch and verify --prometheus report them.
std::vector<NodeId> stale_nodes(const Topology& topo, const EraRules& rules,
                                const LiveZonelists& live);

struct ContextAttempt {
  ContextCandidate candidate;
  std::vector<NodeVerdict> verdicts;
  bool match = false;
};

// Tries `candidates` in order against `live`, stopping after the first that explains every list.
// The last attempt is the match when there is one. When none explains them and a candidate has
// `masks_unknown`, one more attempt infers the masks: only the CPU state of N_MEMORY nodes enters
// find_next_best_node's score, so every CPU state of up to kMaxInferredMemoryNodes memory nodes is
// tried, nearest to the current masks first; the first that explains every list is returned,
// marked `inferred`.
inline constexpr int kMaxInferredMemoryNodes = 12;
std::vector<ContextAttempt> try_contexts(const Topology& topo, const EraRules& rules,
                                         const LiveZonelists& live,
                                         std::vector<ContextCandidate> candidates);

// try_contexts' answer as verify and watch report it.
struct Verification {
  std::vector<ContextAttempt> attempts;  // as try_contexts returned them, never empty
  bool match = false;                    // the last attempt explains every list
  // The attempt to report: the match, else the most likely context (the first tried).
  [[nodiscard]] const ContextAttempt& best() const {
    return match ? attempts.back() : attempts.front();
  }
  // The nodes whose lists differ under best(), ascending (empty on a match).
  [[nodiscard]] std::vector<NodeId> mismatched() const;
};
// try_contexts on non-empty `candidates`.
Verification verify_lists(const Topology& topo, const EraRules& rules, const LiveZonelists& live,
                          std::vector<ContextCandidate> candidates);

// The rebuild context a command reports, chosen once for every command (predict, verify,
// explain, diff, watch):
// - `given` (--context): that context; compared with the live lists when there are any;
// - the module's snapshot and event log: candidate_contexts tried against its live lists
//   (try_contexts): the one that explains them, else the most likely one;
// - neither: default_context() (boot).
struct ResolvedContext {
  ContextCandidate context;                  // the context to report and to predict with
  std::optional<Verification> against_live;  // set when there were live lists to compare
  // False when live lists were compared and no context explains them.
  [[nodiscard]] bool explains_live() const { return !against_live || against_live->match; }
};
// `snapshot` and `log`: the module's files, both or neither (nullptr).
ResolvedContext resolve_context(const Topology& topo, const EraRules& rules,
                                const Snapshot* snapshot, const EventLog* log,
                                std::optional<RebuildKind> given);

// Node ids joined by ",", "none" when there are none.
std::string join_ids(const std::vector<NodeId>& ids);

}  // namespace zonelens
