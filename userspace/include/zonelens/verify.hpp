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
};

// The contexts that can explain `snapshot`'s lists, most likely first (docs/cli.md, verify):
// - generation 0 (no rebuild since the module loaded): boot, then runtime with the current masks;
// - the event that set the current generation is a memory event: runtime with the cpumasks it
//   recorded (and, for mem_offline, its node as still_in_memory for pre-6.7 kernels), alone;
// - another event (fp_change, cpu_*): runtime with its masks, runtime now, boot;
// - that event has left the ring: runtime with the current masks, boot.
std::vector<ContextCandidate> candidate_contexts(const Snapshot& snapshot, const EventLog& log);

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

}  // namespace zonelens
