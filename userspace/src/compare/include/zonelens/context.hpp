// SPDX-License-Identifier: GPL-2.0-or-later
// The rebuild-context resolver: which rebuild made the lists, with which CPU masks. The one answer
// predict, verify, explain, diff and watch all use. Pure functions of parsed data (no I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"

namespace zonelens {

// Which rebuild a candidate stands for: a closed set (docs/json.md, "context"; report/ names it).
enum class ContextKind {
  kBoot,             // the boot-time build
  kRuntimeCurrent,   // a runtime rebuild with the topology's current CPU masks
  kRuntimeEvent,     // a runtime rebuild with the CPU masks an event recorded (`event`)
  kRuntimeInferred,  // a runtime rebuild with masks inferred from the lists (`inferred_cpus`)
};

// Why a candidate is tried: a closed set.
enum class ContextCause {
  kGiven,               // --context
  kDefault,             // no event log and no --context
  kNoRebuildSinceLoad,  // generation 0
  kEventLeftLog,        // the event that set `generation` left the ring (`dropped` events)
  kMemoryEvent,         // `event`, a memory event, rebuilt the lists
  kOtherEvent,          // `event` noticed `generation` without a memory event to explain it
  kInferred,            // no recorded context explains the lists; masks inferred from them
};

// One rebuild context worth trying, and why: typed facts, put into words by report/.
struct ContextCandidate {
  ContextKind kind = ContextKind::kBoot;
  ContextCause cause = ContextCause::kDefault;
  RebuildContext context;
  std::uint64_t generation = 0;  // the generation the full rebuild (`context`) explains
  std::optional<Event> event;    // the event that set `generation` (kMemoryEvent, kOtherEvent)
  std::uint64_t dropped = 0;     // kEventLeftLog: the log's dropped count
  // Hot-added nodes whose lists come from their own build at DIMM add
  // (__try_online_node -> hotadd_init_pgdat -> build_all_zonelists(pgdat): node_load zeroed, only
  // that node built) and not from `context`'s full rebuild; `self_only_masks` are the nodes with
  // CPUs those builds saw.
  std::vector<NodeId> self_only;
  std::vector<bool> self_only_masks;
  // Why `self_only`: the online hot-added nodes, the offline node whose DIMM add is in flight,
  // and the fp_change event (setting `generation` + 1) that noticed them.
  std::vector<NodeId> hot_added;
  std::optional<NodeId> add_in_flight;
  std::optional<Event> noticed_by;
  // kRuntimeInferred: the memory nodes with CPUs in the inferred masks, and how many memory nodes
  // differ from the current masks.
  std::vector<NodeId> inferred_cpus;
  int inferred_distance = 0;
  // The rebuild's CPU masks are not known (it predates the module's event log, or its event left
  // the ring): when no candidate explains the lists, try_contexts may infer them.
  bool masks_unknown = false;
  // Set on a context whose masks were inferred from the lists rather than read from the log.
  bool inferred = false;
  // Set by a command that predicts with this context although it explains no live list.
  bool explains_no_live_list = false;
};

// The contexts that can explain the lists of a module whose snapshot has `generation`, most
// likely first (docs/cli.md, verify):
// - generation 0 (no rebuild since the module loaded): boot, then runtime with the current masks;
// - the event that set the current generation is a memory event: runtime with the cpumasks it
//   recorded (and, for mem_offline, its node as still_in_memory: before 6.7 offline_pages
//   rebuilds before clearing N_MEMORY), alone;
// - another event (fp_change, cpu_*): runtime with its masks, runtime now, boot; for fp_change
//   with hot-added nodes (online, no memory, no CPUs: only add_memory brings such a node online)
//   also the previous generation's contexts with those nodes' self-only builds laid over; and for
//   each offline node with a pgdat and neither memory nor CPUs (a DIMM add between its self-only
//   build and node_set_online()), the same with that node's self-only build added;
// - that event has left the ring: runtime with the current masks, boot.
// When no candidate explains the lists and the masks are unknown, try_contexts infers them.
std::vector<ContextCandidate> candidate_contexts(const Topology& topo, const EventLog& log,
                                                 std::uint64_t generation, int nr_node_ids);
// The same for a parsed snapshot (its topology, generation and nr_node_ids).
std::vector<ContextCandidate> candidate_contexts(const Snapshot& snapshot, const EventLog& log);

// The context given on the command line: boot, or runtime with the topology's current masks.
ContextCandidate explicit_context(RebuildKind kind);
// The context without the module's event log and without --context: boot.
ContextCandidate default_context();

// The lists `c` stands for: `c.context`'s full rebuild, then each `c.self_only` node's own build.
Prediction predict_candidate(const Topology& topo, const EraRules& rules,
                             const ContextCandidate& c);
// The rebuild that built `node`'s lists under `c`: its self-only build when `node` is one of
// `c.self_only`, else `c.context`.
RebuildContext rebuild_of_node(const ContextCandidate& c, NodeId node);

}  // namespace zonelens
