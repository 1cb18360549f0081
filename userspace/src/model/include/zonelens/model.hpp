// SPDX-License-Identifier: GPL-2.0-or-later
// The era-aware model of __build_all_zonelists / build_zonelists / find_next_best_node.
// Pure functions of data: no I/O here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zonelens/arch.hpp"
#include "zonelens/topology.hpp"

namespace zonelens {

// Mainline eras of the fallback-order rule (docs/kernel-eras.md).
enum class KernelEra {
  kPre414,  // <= 4.13: node_load[n] = load, online nodes, node or zone order (ZonelistOrder)
  k414,     // 4.14 - 5.15: node_load[n] = load, multiplier nr_online_nodes*MAX_NUMNODES
  k516,     // 5.16 - 5.17: node_load[n] += load
  k518,     // 5.18: += load, every possible node is built
  k519,     // 5.19 - 6.6: += 1, multiplier MAX_NUMNODES
  k607,     // 6.7+: memoryless local node skipped; offline clears N_MEMORY before the rebuild
};

struct KernelVersion {
  int major = 0, minor = 0, patch = 0;
};

// The node_load[] write of build_zonelists() when the picked node starts a new distance group.
enum class LoadWrite {
  kAssign,   // node_load[node] = load
  kAddLoad,  // node_load[node] += load
  kAddOne,   // node_load[node] += 1
};

// One row of the era table: everything that differs between eras, and where it comes from.
// docs/kernel-eras.md's table is checked against this one (tests/unit/model/era_table_test.cpp).
struct EraRow {
  KernelEra era;
  std::string_view name;        // era_name(): "5.19-6.6"
  std::string_view enumerator;  // "k519"
  int first_major;              // first mainline release (0.0: every earlier one)
  int first_minor;
  int last_major;  // last one (0.0: every later one)
  int last_minor;
  LoadWrite load_write;
  bool load_counter;            // `load` (and MAX_NODE_LOAD = nr_online_nodes in the multiplier)
  bool builds_possible_nodes;   // for_each_node (else for_each_online_node)
  bool self_only_alone;         // a hot-added offline self is built alone (else self, then online)
  bool skips_memoryless_local;  // find_next_best_node() returns the local node only if N_MEMORY
  bool clears_memory_first;     // offline_pages() clears N_MEMORY before the rebuild
  bool zone_order;              // ZONELIST_ORDER_ZONE exists (numa_zonelist_order)
  std::string_view commit;      // the upstream commit(s) that start the era
};

inline constexpr std::array<EraRow, 6> kEraTable{{
    {.era = KernelEra::kPre414,
     .name = "<=4.13",
     .enumerator = "kPre414",
     .first_major = 0,
     .first_minor = 0,
     .last_major = 4,
     .last_minor = 13,
     .load_write = LoadWrite::kAssign,
     .load_counter = true,
     .builds_possible_nodes = false,
     .self_only_alone = false,
     .skips_memoryless_local = false,
     .clears_memory_first = false,
     .zone_order = true,
     .commit = "f0c0b2b808f2 (2.6.23, `+=` → `=`)"},
    {.era = KernelEra::k414,
     .name = "4.14-5.15",
     .enumerator = "k414",
     .first_major = 4,
     .first_minor = 14,
     .last_major = 5,
     .last_minor = 15,
     .load_write = LoadWrite::kAssign,
     .load_counter = true,
     .builds_possible_nodes = false,
     .self_only_alone = true,
     .skips_memoryless_local = false,
     .clears_memory_first = false,
     .zone_order = false,
     .commit = "9d3be21bf9c0 / c9bff3eebc09 / 11cd8638c37f (4.14)"},
    {.era = KernelEra::k516,
     .name = "5.16-5.17",
     .enumerator = "k516",
     .first_major = 5,
     .first_minor = 16,
     .last_major = 5,
     .last_minor = 17,
     .load_write = LoadWrite::kAddLoad,
     .load_counter = true,
     .builds_possible_nodes = false,
     .self_only_alone = true,
     .skips_memoryless_local = false,
     .clears_memory_first = false,
     .zone_order = false,
     .commit = "54d032ced983"},
    {.era = KernelEra::k518,
     .name = "5.18",
     .enumerator = "k518",
     .first_major = 5,
     .first_minor = 18,
     .last_major = 5,
     .last_minor = 18,
     .load_write = LoadWrite::kAddLoad,
     .load_counter = true,
     .builds_possible_nodes = true,
     .self_only_alone = true,
     .skips_memoryless_local = false,
     .clears_memory_first = false,
     .zone_order = false,
     .commit = "09f49dca570a"},
    {.era = KernelEra::k519,
     .name = "5.19-6.6",
     .enumerator = "k519",
     .first_major = 5,
     .first_minor = 19,
     .last_major = 6,
     .last_minor = 6,
     .load_write = LoadWrite::kAddOne,
     .load_counter = false,
     .builds_possible_nodes = true,
     .self_only_alone = true,
     .skips_memoryless_local = false,
     .clears_memory_first = false,
     .zone_order = false,
     .commit = "Wei Yang, \"adding same penalty is enough to get round-robin order\" (mm ids seen: "
               "14e7504a69a7 / 807fb5116c0e / ...; mainline id not pinned)"},
    {.era = KernelEra::k607,
     .name = "6.7+",
     .enumerator = "k607",
     .first_major = 6,
     .first_minor = 7,
     .last_major = 0,
     .last_minor = 0,
     .load_write = LoadWrite::kAddOne,
     .load_counter = false,
     .builds_possible_nodes = true,
     .self_only_alone = true,
     .skips_memoryless_local = true,
     .clears_memory_first = true,
     .zone_order = false,
     .commit = "Qi Zheng, \"mm: page_alloc: skip memoryless nodes entirely\" + \"mm: "
               "memory_hotplug: drop memoryless node from fallback lists\""},
}};

// The row of `era`.
const EraRow& era_row(KernelEra era);
// The newest release of an era (its first for the open-ended last one): what an era name stands
// for where a release is needed (compare-eras).
KernelVersion newest_release(KernelEra era);

enum class ZonePredicate { kPopulated, kManaged };  // populated_zone() / managed_zone()

// How ZONELIST_FALLBACK is laid out from the node order (current_zonelist_order, <= 4.13).
enum class ZonelistOrder {
  kNode,  // ZONELIST_ORDER_NODE: each node's zones, highest zone first (the only order from 4.14)
  kZone,  // ZONELIST_ORDER_ZONE: each zone type from the highest down, the nodes in node order
};

struct EraRules {
  KernelEra era = KernelEra::k607;
  ZonePredicate zone_predicate = ZonePredicate::kPopulated;
  ZonelistOrder zonelist_order = ZonelistOrder::kNode;  // kZone only for <= 4.13
  Arch arch = Arch::kX86_64;                            // its row of kArchTable
};

// "6.12.117+deb12-amd64" -> {6,12,117}; nullopt when it does not start with N.N.
std::optional<KernelVersion> parse_kernel_release(std::string_view release);
// The rules a kernel release follows, stable backports of the zone predicate included.
EraRules rules_for(const KernelVersion& v);
std::string_view era_name(KernelEra era);

// The state the kernel saw when it last rebuilt.
enum class RebuildKind {
  kBoot,     // the boot build: cpumask_of_node() as the architecture's ArchRow::boot_masks says
  kRuntime,  // a runtime rebuild: the CPU masks as given in nodes_with_cpus
};

struct RebuildContext {
  RebuildKind kind = RebuildKind::kBoot;
  // For kRuntime: nodes whose cpumask_of_node() was non-empty at the rebuild (indexed by node id).
  // Empty means "take the topology's current masks".
  std::vector<bool> nodes_with_cpus;
  // Hot-added node: build_all_zonelists(pgdat) of an offline node builds only that node, node_load
  // zeroed first.
  std::optional<NodeId> self_only;
  // Before 6.7, offline_pages rebuilds before clearing N_MEMORY: this node is still a candidate.
  std::optional<NodeId> still_in_memory;
};

struct ZoneRef {
  NodeId node = 0;
  int zone_index = 0;
  friend bool operator==(const ZoneRef&, const ZoneRef&) = default;
};
using Zonelist = std::vector<ZoneRef>;

struct NodeZonelists {
  NodeId node = 0;
  std::vector<NodeId> node_order;  // what "Fallback order for Node N:" prints
  Zonelist fallback;               // ZONELIST_FALLBACK
  Zonelist nofallback;             // ZONELIST_NOFALLBACK
};

struct Prediction {
  EraRules rules;
  std::vector<NodeZonelists> nodes;  // every node the era builds, ascending id
};

// The zonelists the kernel of `rules` builds for `topo` in a rebuild seen as `ctx`.
Prediction predict(const Topology& topo, const EraRules& rules, const RebuildContext& ctx);

// One candidate's `val` in find_next_best_node(), term by term.
struct CandidateScore {
  NodeId node = 0;
  int distance = 0;     // node_distance(local, n)
  int below_local = 0;  // (n < local): 0 or 1
  int cpu_penalty = 0;  // PENALTY_FOR_NODE_WITH_CPUS if cpumask_of_node(n) non-empty: 0 or 1
  int base = 0;         // distance + below_local + cpu_penalty
  std::uint32_t multiplier = 0;
  int node_load = 0;       // node_load[n] when the step ran
  std::int32_t total = 0;  // base * multiplier + node_load, in the kernel's 32-bit int
};

// A node_load[] write.
struct LoadUpdate {
  NodeId built_for = 0;  // the build_zonelists() call that wrote it
  NodeId node = 0;       // the node whose load changed
  int before = 0;
  int after = 0;
};

// One pass of build_zonelists()'s loop: the node find_next_best_node() returned.
struct Placement {
  NodeId local = 0;
  NodeId node = 0;
  int distance = 0;                 // node_distance(local_node, node)
  int prev_distance = 0;            // node_distance(local_node, prev_node)
  int load = 0;                     // `load` before the pick (<= 5.18), else 0
  std::optional<LoadUpdate> write;  // the node_load[] write, when the distances differ
};

// An observer of the model as it runs (explain): sees what the kernel's code computes, in order.
class ZonelistTrace {
 public:
  ZonelistTrace() = default;
  ZonelistTrace(const ZonelistTrace&) = default;
  ZonelistTrace& operator=(const ZonelistTrace&) = default;
  ZonelistTrace(ZonelistTrace&&) = default;
  ZonelistTrace& operator=(ZonelistTrace&&) = default;
  virtual ~ZonelistTrace() = default;
  // find_next_best_node(local) returns `best` (-1: NUMA_NO_NODE) after scoring `open`: every
  // candidate not yet used, ascending id; empty when the local node is returned unscored.
  virtual void best_node(NodeId local, NodeId best, std::span<const CandidateScore> open) = 0;
  // build_zonelists(local) places the node find_next_best_node() returned.
  virtual void placed(const Placement& p) = 0;
};

struct RebuildFacts;

// __build_all_zonelists() one build_zonelists() at a time, in the kernel's call order (the CLI
// renders a node while the next is computed, without holding every list). Collecting the nodes
// and sorting them by id (stable) gives predict(). `topo` (and `trace`) must outlive the stream.
class PredictionStream {
 public:
  PredictionStream(const Topology& topo, const EraRules& rules, const RebuildContext& ctx,
                   ZonelistTrace* trace = nullptr);
  PredictionStream(const PredictionStream&) = delete;
  PredictionStream& operator=(const PredictionStream&) = delete;
  PredictionStream(PredictionStream&& other) noexcept;
  PredictionStream& operator=(PredictionStream&& other) noexcept;
  ~PredictionStream();

  // The next node's lists into `nz` (its vectors' capacity is reused); false when every node
  // the era builds is built.
  bool next(NodeZonelists& nz);
  // True when the nodes come in ascending id order, as predict() lists them (every era but a
  // <= 4.13 self-only build, which builds the hot-added node first).
  [[nodiscard]] bool in_id_order() const;
  [[nodiscard]] std::size_t size() const;           // how many nodes next() gives in all
  [[nodiscard]] const RebuildFacts& facts() const;  // the rebuild's fixed inputs

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// "N:ZoneName", the token the kernel's mminit::zonelist print and the debugfs files use.
std::string zoneref_name(const Topology& topo, const ZoneRef& ref);

// --- Additions (model owner) ---------------------------------------------------------------

// The era a release belongs to (mainline boundaries; no stable series changed the era rule).
KernelEra era_for(const KernelVersion& v);
// The zone predicate of a release, stable backports of e553f62f10d9 included.
ZonePredicate zone_predicate_for(const KernelVersion& v);
// era_name() inverse ("6.7+", "5.19-6.6", ...; also accepts "k607"-style enumerator names).
std::optional<KernelEra> parse_era_name(std::string_view name);
std::string_view zone_predicate_name(ZonePredicate p);  // "populated" / "managed"
// rules_for(parse_kernel_release(release)); nullopt when the release does not parse.
std::optional<EraRules> rules_for_release(std::string_view release);

// The inputs of find_next_best_node that are fixed during one rebuild.
struct RebuildFacts {
  int nr_online_nodes = 0;         // num_node_state(N_ONLINE) at the rebuild
  std::uint32_t multiplier = 0;    // the `val *=` factor, as the kernel's 32-bit arithmetic
  std::vector<NodeId> built;       // nodes build_zonelists() runs for, in call order
  std::vector<NodeId> candidates;  // N_MEMORY at the rebuild, ascending
  std::vector<bool> has_cpus;      // cpumask_of_node() non-empty, indexed by node id
  std::vector<bool> in_memory;     // N_MEMORY at the rebuild, indexed by node id
};
RebuildFacts rebuild_facts(const Topology& topo, const EraRules& rules, const RebuildContext& ctx);

// The kernel's `val` for candidate n when building `local` with node_load[n] == load: 32-bit
// two's-complement arithmetic that wraps (the kernel builds with -fno-strict-overflow).
std::int32_t kernel_score(int distance, bool below_local, bool has_cpus, std::uint32_t multiplier,
                          int node_load);

}  // namespace zonelens
