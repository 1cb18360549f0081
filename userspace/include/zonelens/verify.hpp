// SPDX-License-Identifier: GPL-2.0-or-later
// Comparing the kernel's live zonelists with the model, and choosing the rebuild context from the
// module's event log. Pure functions of parsed data (no I/O).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"

namespace zonelens {

// One rebuild context worth trying, and why.
struct ContextCandidate {
  std::string label;  // "boot", "runtime", "runtime (current masks)"
  RebuildContext context;
  std::string reason;  // one sentence for people
  // Hot-added nodes whose lists come from their own build at DIMM add
  // (__try_online_node -> hotadd_init_pgdat -> build_all_zonelists(pgdat): node_load zeroed, only
  // that node built) and not from `context`'s full rebuild; `self_only_masks` are the nodes with
  // CPUs those builds saw.
  std::vector<NodeId> self_only;
  std::vector<bool> self_only_masks;
  // The rebuild's CPU masks are not known (it predates the module's event log, or its event left
  // the ring): when no candidate explains the lists, try_contexts may infer them.
  bool masks_unknown = false;
  // Set on a context whose masks were inferred from the lists rather than read from the log.
  bool inferred = false;
};

// The contexts that can explain `snapshot`'s lists, most likely first (docs/cli.md, verify):
// - generation 0 (no rebuild since the module loaded): boot, then runtime with the current masks;
// - the event that set the current generation is a memory event: runtime with the cpumasks it
//   recorded (and, for mem_offline, its node as still_in_memory for pre-6.7 kernels), alone;
// - another event (fp_change, cpu_*): runtime with its masks, runtime now, boot; for fp_change
//   with hot-added nodes (online, no memory, no CPUs: only add_memory brings such a node online)
//   also the previous generation's contexts with those nodes' self-only builds laid over;
// - that event has left the ring: runtime with the current masks, boot.
std::vector<ContextCandidate> candidate_contexts(const Snapshot& snapshot, const EventLog& log);

// The lists `c` stands for: `c.context`'s full rebuild, then each `c.self_only` node's own build.
Prediction predict_candidate(const Topology& topo, const EraRules& rules,
                             const ContextCandidate& c);

// The context given on the command line: boot, or runtime with the topology's current masks.
ContextCandidate explicit_context(RebuildKind kind);

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

// Node ids joined by ",", "none" when there are none.
std::string join_ids(const std::vector<NodeId>& ids);

}  // namespace zonelens
